#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: re_bootstrap_info
short_description: Read a Redis Enterprise node's bootstrap status
version_added: 1.1.0
description:
  - Reads C(GET /v1/bootstrap) of one Redis Enterprise node and returns its bootstrap
    status and local node information.
  - Works before the node has joined a cluster (no credentials needed then); once the node
    belongs to a cluster, O(username) and O(password) are required.
  - Reads both spellings of the node's addresses (C(available_addrs) in the documents,
    C(available_addresses) on real servers) and returns the node C(uid) as a string.
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.redis_enterprise
  - redisops.platform.attributes
  - redisops.platform.attributes.INFO_MODULE
  - redisops.platform.attributes.REDIS_ENTERPRISE_GROUP
options: {}
seealso:
  - module: redisops.platform.re_bootstrap
"""

EXAMPLES = r"""
- name: Read the bootstrap status of a freshly installed node
  redisops.platform.re_bootstrap_info:
    url: https://node1.example.com:9443
    ca_path: /etc/pki/redis-enterprise-ca.pem
  register: node1

- name: Read every node of a cluster with shared connection defaults
  module_defaults:
    group/redisops.platform.redis_enterprise:
      username: admin@example.com
      password: "{{ vault_re_admin_password }}"
      ca_path: /etc/pki/redis-enterprise-ca.pem
  block:
    - name: Read the status
      redisops.platform.re_bootstrap_info:
        url: "https://{{ item }}:9443"
      loop: "{{ groups['redis_enterprise'] }}"
      register: nodes

- name: Fail unless the node has completed bootstrapping
  ansible.builtin.assert:
    that: node1.bootstrap_status.state == 'completed'
"""

RETURN = r"""
cluster_name:
  description:
    - The name of the cluster the node belongs to (C(GET /v1/cluster)), read once the node has completed
      bootstrapping; null before, or when the node refuses the credentials.
    - With the C(uid) of RV(local_node_info) it names the node whichever node's API a task uses; every Redis
      Enterprise module returns it, and Ansible Automation Platform counts nodes by it.
  returned: success
  type: str
  sample: cluster.example.com
bootstrap_status:
  description: The node's bootstrap status.
  returned: success
  type: dict
  contains:
    state:
      description: One of C(idle), C(initiated), C(creating_cluster), C(joining_cluster), C(recovering_cluster), C(error), C(completed).
      type: str
      sample: completed
    start_time:
      description: When the last bootstrap started.
      type: str
      returned: when the node reports it
    end_time:
      description: When the last bootstrap ended.
      type: str
      returned: when the node reports it
    error_code:
      description: Why the last bootstrap failed, when C(state) is C(error).
      type: str
      returned: when the state is error
    error_details:
      description: Details of the error, such as C(message) or C(replace_candidate).
      type: dict
      returned: when the state is error
  sample:
    state: completed
    start_time: "2024-08-29T11:19:49Z"
    end_time: "2024-08-29T11:21:02Z"
local_node_info:
  description:
    - The node's configuration as the node reports it.
    - C(available_addresses) and C(available_addrs) both hold the node's addresses, whichever the server sent.
  returned: success
  type: dict
  sample:
    uid: "3"
    software_version: 7.8.2-34
    available_addresses:
      - address: 172.16.50.122
        format: ipv4
        if_name: eth0
        private: true
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import REDIS_ENTERPRISE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.identity import report


ARGUMENT_SPEC = dict()


def main():
    module = RedisOpsModule(ARGUMENT_SPEC, connection=REDIS_ENTERPRISE_CONNECTION)

    def read(client):
        status = client.bootstrap()
        if status["bootstrap_status"]["state"] != "completed":
            status["cluster_name"] = None  # a node not in a cluster yet: no cluster to read
        return status

    report(module, RedisEnterpriseClient, read)


if __name__ == "__main__":
    main()
