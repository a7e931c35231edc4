#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: re_node_info
short_description: Read the nodes of a Redis Enterprise cluster
version_added: 1.1.0
description:
  - Reads the nodes of a Redis Enterprise cluster (C(GET /v1/nodes)) and each node's status
    (C(GET /v1/nodes/{uid}/status)), that is their addresses, role, status, shard count and the
    maintenance snapshot a node in maintenance holds.
  - Any node of the cluster answers for every node, so O(url) can be any node's API.
  - A node that does not exist (O(node_uid)) is an empty RV(nodes) list, not an error.
  - Node uids are returned as integers, whether the server sends strings or numbers.
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.redis_enterprise
  - redisops.platform.attributes
  - redisops.platform.attributes.INFO_MODULE
  - redisops.platform.attributes.REDIS_ENTERPRISE_GROUP
options:
  node_uid:
    description:
      - Only the node with this uid (C(GET /v1/nodes/{uid})).
    type: int
  read_status:
    description:
      - Whether to read each node's status (C(GET /v1/nodes/{uid}/status)) too.
      - With V(false) only the node list is read (and the cluster's name). What only the status tells is then
        null (RV(nodes[].role), RV(nodes[].has_maintenance_snapshot), RV(nodes[].maintenance_snapshot))
        and RV(nodes[].status) comes from the node object.
    type: bool
    default: true
    version_added: 1.2.0
  wait_timeout:
    description:
      - Seconds the task may wait for O(url)'s API while it refuses connections, for example a node whose
        REST API restarts. Each refused try is a warning, and the task fails once this time has passed.
      - Without it the task does not wait, as every C(_info) module, and an API that cannot be reached fails
        the task at once with one message.
      - C(redisops.platform.re_node_maintenance) sets it for its reads through another node, which may still be
        restarting after its own maintenance work.
      - A finite number of seconds greater than 0 and at most 604800 (a week), checked before any request.
    type: float
    version_added: 1.2.0
notes:
  - Any user of the cluster can read nodes, including read-only (C(cluster_viewer)) users.
  - The request count is one list read, one status read per node and one read of the cluster's name
    (two requests in all with O(read_status=false)).
seealso:
  - module: redisops.platform.re_node_action
  - module: redisops.platform.re_node_action_info
"""

EXAMPLES = r"""
- name: Read every node of the cluster
  redisops.platform.re_node_info:
    url: https://node1.example.com:9443
    username: viewer@example.com
    password: "{{ vault_re_viewer_password }}"
    ca_path: /etc/pki/redis-enterprise-ca.pem
  register: re_nodes

- name: Refuse to go on while a node is in maintenance
  ansible.builtin.assert:
    that:
      - re_nodes.nodes | selectattr('has_maintenance_snapshot') | list | length == 0
    fail_msg: >-
      Nodes in maintenance:
      {{ re_nodes.nodes | selectattr('has_maintenance_snapshot') | map(attribute='uid') | join(', ') }}

- name: Read node 2
  redisops.platform.re_node_info:
    url: https://node1.example.com:9443
    username: viewer@example.com
    password: "{{ vault_re_viewer_password }}"
    node_uid: 2
  register: node2
"""

RETURN = r"""
cluster_name:
  description:
    - The name of the cluster (C(GET /v1/cluster)), null when the node cannot tell.
    - With RV(nodes[].uid) it names each node whichever node's API a task uses; every Redis Enterprise
      module returns it, and Ansible Automation Platform counts nodes by it.
  returned: always
  type: str
  sample: cluster.example.com
nodes:
  description:
    - The nodes, sorted by uid. Empty when O(node_uid) names no node of the cluster.
  returned: always
  type: list
  elements: dict
  contains:
    uid:
      description: The node's uid.
      type: int
      sample: 2
    addr:
      description: The node's internal address.
      type: str
      sample: 10.0.0.2
    api_url:
      description:
        - The node's REST API URL, to talk to this node directly (for example through another node than one
          under maintenance).
        - The scheme and port of O(url), the URL the nodes were read through, with RV(nodes[].addr) as host (an IPv6
          address in brackets); null when the node reports no address.
      type: str
      sample: https://10.0.0.2:9443
      version_added: 1.2.0
    external_addr:
      description: The node's external addresses.
      type: list
      elements: str
      sample: []
    hostname:
      description: The node's host name, when the server reports it.
      type: str
      sample: node2.example.com
    role:
      description: C(master) for the cluster's master node, C(slave) for the others (null with O(read_status=false)).
      type: str
      sample: slave
    status:
      description: The node's status (for example C(active), C(going_down), C(down)).
      type: str
      sample: active
    shard_count:
      description: How many shards the node holds.
      type: int
      sample: 2
    has_maintenance_snapshot:
      description: Whether the node holds a maintenance snapshot, that is, is in maintenance (null with O(read_status=false)).
      type: bool
      sample: false
    maintenance_snapshot:
      description: The newest maintenance snapshot of the node, or null when it holds none (or with O(read_status=false)).
      type: dict
      contains:
        name:
          description: The snapshot's name (what maintenance_off's C(snapshot_name) takes).
          type: str
        time:
          description: When the snapshot was taken, as the server reports it.
          type: str
      sample:
        name: maintenance_mode_2024-09-06_20-47-23
        time: "2024-09-06 20:47:23"
    software_version:
      description: The Redis Enterprise version the node runs.
      type: str
      sample: 7.8.2-34
    rack_id:
      description: The node's rack id in a rack-aware cluster, else null.
      type: str
  sample:
    - uid: 1
      addr: 10.0.0.1
      api_url: https://10.0.0.1:9443
      external_addr: []
      hostname: node1.example.com
      role: master
      status: active
      shard_count: 2
      has_maintenance_snapshot: false
      maintenance_snapshot: null
      software_version: 7.8.2-34
      rack_id: null
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import REDIS_ENTERPRISE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.identity import report
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.node_actions import node_uid_errors
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.nodes import NodeReader


ARGUMENT_SPEC = dict(
    node_uid=dict(type="int"),
    read_status=dict(type="bool", default=True),
    wait_timeout=dict(type="float"),
)


def main():
    module = RedisOpsModule(ARGUMENT_SPEC, connection=REDIS_ENTERPRISE_CONNECTION)
    errors = node_uid_errors(module.params["node_uid"])
    if errors:
        module.fail_json(msg="; ".join(errors))

    def read(client):
        return dict(nodes=NodeReader(client).nodes(module.params["node_uid"], read_status=module.params["read_status"]))

    report(module, RedisEnterpriseClient, read, wait_timeout=module.params["wait_timeout"])


if __name__ == "__main__":
    main()
