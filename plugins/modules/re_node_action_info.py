#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: re_node_action_info
short_description: Read the node actions of a Redis Enterprise cluster
version_added: 1.1.0
description:
  - Reads the queued, running and finished node actions of a Redis Enterprise cluster.
    It can read every action on every node (C(GET /v1/nodes/actions)), all actions of one node
    (O(node_uid)), or one action of one node (O(node_uid) and O(action)).
  - A node or action with no status is an empty RV(actions) list, not an error.
  - Reads both a bare list and an object holding an C(actions) list, and C(progress) and C(node_uid)
    sent as strings or numbers.
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
      - Only the actions of the node with this uid.
    type: int
  action:
    description:
      - Only this action of O(node_uid). Requires O(node_uid).
    type: str
    choices: [remove, maintenance_on, maintenance_off, enslave_node]
notes:
  - Any user of the cluster can read node actions, including read-only (C(cluster_viewer)) users.
seealso:
  - module: redisops.platform.re_node_action
"""

EXAMPLES = r"""
- name: Read every action on every node
  redisops.platform.re_node_action_info:
    url: https://node1.example.com:9443
    username: viewer@example.com
    password: "{{ vault_re_viewer_password }}"
    ca_path: /etc/pki/redis-enterprise-ca.pem
  register: all_actions

- name: Read the actions of node 2
  redisops.platform.re_node_action_info:
    url: https://node1.example.com:9443
    username: viewer@example.com
    password: "{{ vault_re_viewer_password }}"
    node_uid: 2
  register: node2_actions

- name: Read the maintenance_on action of node 2
  redisops.platform.re_node_action_info:
    url: https://node1.example.com:9443
    username: viewer@example.com
    password: "{{ vault_re_viewer_password }}"
    node_uid: 2
    action: maintenance_on
  register: maintenance

- name: Show its progress
  ansible.builtin.debug:
    msg: "{{ maintenance.actions[0].status }} at {{ maintenance.actions[0].progress }}%"
  when: maintenance.actions | length > 0
"""

RETURN = r"""
cluster_name:
  description:
    - The name of the cluster (C(GET /v1/cluster)), null when the node cannot tell.
    - With RV(actions[].node_uid) it names each node whichever node's API a task uses; every Redis
      Enterprise module returns it, and Ansible Automation Platform counts nodes by it.
  returned: always
  type: str
  sample: cluster.example.com
actions:
  description:
    - The actions, each as the server reports it, with the keys below normalised.
    - Empty when there is none (for one action of one node, when it has no status).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The action's name.
      type: str
      sample: remove
    node_uid:
      description: The node's uid, as a string.
      type: str
      sample: "2"
    status:
      description:
        - One of C(queued), C(starting), C(running), C(cancelling), C(cancelled), C(aborted), C(completed), C(failed),
          or another status the server reports.
      type: str
      sample: running
    progress:
      description: Progress in percent (read from a string or a number).
      type: int
      sample: 10
    task_id:
      description: The server's task id of the action, when it reports one.
      type: str
    error_code:
      description: Why the action failed.
      type: str
      returned: when the server reports an error
    error_message:
      description: The server's description of the failure.
      type: str
      returned: when the server reports an error
  sample:
    - name: remove
      node_uid: "1"
      status: running
      progress: 10
      task_id: 2cd5ed1c-4e56-45b5-9d0e-5b4d4c3d0a17
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import REDIS_ENTERPRISE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.identity import report
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.node_actions import ACTION_NAMES, NodeActionsClient, node_uid_errors


ARGUMENT_SPEC = dict(
    node_uid=dict(type="int"),
    action=dict(type="str", choices=list(ACTION_NAMES)),
)


def main():
    module = RedisOpsModule(ARGUMENT_SPEC, connection=REDIS_ENTERPRISE_CONNECTION, required_by=dict(action=["node_uid"]))
    errors = node_uid_errors(module.params["node_uid"])
    if errors:
        module.fail_json(msg="; ".join(errors))

    def read(client):
        uid, name = module.params["node_uid"], module.params["action"]
        if name:
            found = client.action(uid, name)
            return dict(actions=[found] if found is not None else [])
        return dict(actions=client.actions(uid))

    report(module, NodeActionsClient, read)


if __name__ == "__main__":
    main()
