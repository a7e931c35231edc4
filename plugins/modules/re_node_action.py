#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: re_node_action
short_description: Put a Redis Enterprise node into maintenance, take it out, remove it or make it a replica
version_added: 1.1.0
description:
  - Makes the effect of a node action true for one node of a Redis Enterprise cluster
    (O(state=present)), or cancels a queued or running action (O(state=absent)).
  - Idempotent from the node's state, not from whether a request was sent before.
    C(maintenance_on) does nothing when C(GET /v1/nodes/{uid}/status) shows a C(maintenance_snapshot),
    C(maintenance_off) does nothing when it shows none, C(remove) does nothing once
    C(GET /v1/nodes/{uid}) answers 404, and C(enslave_node) does nothing when the node's role
    already is replica (C(slave)).
  - A C(remove) of a node the cluster does not have is no change, with a warning that names the uid and says
    the node was either already removed or never a member. The API cannot tell the two apart, so a mistyped
    O(node_uid) reads like a finished removal; the warning is there to catch it.
  - Maintenance activations stack on the server (two C(maintenance_on) need two C(maintenance_off)),
    so this module never sends C(maintenance_on) to a node that is already in maintenance.
  - An action of the same type already queued or running on the node (seen before posting, or
    answered 409 to the POST) is adopted. The module waits for it instead of starting another,
    and reports RV(action.adopted=true) and C(changed=false).
  - With O(wait=true) the module follows C(GET /v1/nodes/{uid}/actions/{action}) through C(queued),
    C(starting) and C(running) until C(completed). C(failed), C(aborted) and C(cancelled) fail the
    task with the action's RV(error_code) and RV(error_message) and its last progress. Unknown
    statuses are polled until O(wait_timeout), whose message names the last status and progress.
  - While the action's C(progress) says the end is far, the module polls less often. It sleeps up
    to half the time left at the rate seen so far, so a finished action is noticed no later.
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.redis_enterprise
  - redisops.platform.wait
  - redisops.platform.attributes
  - redisops.platform.attributes.STATEFUL
  - redisops.platform.attributes.REDIS_ENTERPRISE_GROUP
options:
  node_uid:
    description:
      - The cluster uid of the node to act on. Any node of the cluster (O(url)) can act on any node.
    type: int
    required: true
  action:
    description:
      - The node action.
      - V(maintenance_on) snapshots the node's shard placement, migrates its shards to other nodes
        and keeps new shards away from it.
      - V(maintenance_off) restores the node from its latest (or O(snapshot_name)) maintenance snapshot.
      - V(remove) migrates everything bound to the node to other nodes, then removes the node from the cluster.
      - V(enslave_node) turns the node into a replica (C(slave)) node.
    type: str
    required: true
    choices: [remove, maintenance_on, maintenance_off, enslave_node]
  state:
    description:
      - V(present) makes the action's effect true, starting the action when the node's state needs it.
      - V(absent) cancels the action when it is queued or running on the node (C(DELETE)), then waits until
        it has stopped. When nothing is queued or running, nothing changes and no write request is sent.
    type: str
    default: present
    choices: [present, absent]
  overwrite_snapshot:
    description:
      - For V(maintenance_on) only. Create a new maintenance snapshot even if one exists.
      - Sent in the request body only when set (the body is C({}) when no option is).
    type: bool
  evict_ha_replica:
    description:
      - For V(maintenance_on) only. Whether to migrate the node's HA replica shards.
      - Set it and O(evict_active_active_replica) to V(false) to keep replica shards in place (and demote
        master shards) when the cluster lacks room to migrate them.
      - Sent in the request body only when set (the body is C({}) when no option is).
    type: bool
  evict_active_active_replica:
    description:
      - For V(maintenance_on) only. Whether to migrate the node's Active-Active replica shards.
      - Sent in the request body only when set (the body is C({}) when no option is).
    type: bool
  evict_dbs:
    description:
      - For V(maintenance_on) only. IDs of the databases whose shards must be evicted from the node.
      - Sent in the request body only when set (the body is C({}) when no option is).
    type: list
    elements: str
  snapshot_name:
    description:
      - For V(maintenance_off) only. The node snapshot to restore instead of the latest one.
      - Sent in the request body only when set (the body is C({}) when no option is).
    type: str
  skip_shards_restore:
    description:
      - For V(maintenance_off) only. Leave the shards where they are instead of moving them back to the node.
      - Sent in the request body only when set (the body is C({}) when no option is).
    type: bool
  wait_for_persistence:
    description:
      - For V(remove) only. Complete the removal only once the migrated shards' persistence files exist
        on their new nodes.
      - Sent in the request body only when set (the body is C({}) when no option is).
    type: bool
  wait_timeout:
    default: 1800
notes:
  - An option that belongs to another action than O(action) fails the task before any request is sent,
    naming the option and the action. With O(state=absent) the action's own options are ignored.
  - Starting or cancelling node actions needs a user with the C(admin) role; reading them does not,
    so check mode works with a read-only user.
  - With O(wait=false) the task returns right after the POST (or DELETE) with the action's first status.
  - A C(cancelling) action found with O(state=present) is waited for until it has stopped, then the action
    is started anew. An action found C(cancelling) with O(state=absent) is adopted.
  - Assumption, where the documents are silent. While waiting for V(remove), a 404 for the action's status
    together with a 404 for the node counts as completed, since a removed node may take its action
    results with it.
  - Assumption, where the documents are silent. A finished action's error comes as C(error_code) and
    C(error_message) (C(error), C(description) and C(message) are read too).
seealso:
  - module: redisops.platform.re_node_action_info
  - name: Node actions requests
    description: The Redis Enterprise REST API reference for node actions.
    link: https://redis.io/docs/latest/operate/rs/references/rest-api/requests/nodes/actions/
  - name: Maintenance mode for cluster nodes
    description: What maintenance mode does and how snapshots work.
    link: https://redis.io/docs/latest/operate/rs/clusters/maintenance-mode/
"""

EXAMPLES = r"""
- name: Enter maintenance on node 2 before patching it
  redisops.platform.re_node_action:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    ca_path: /etc/pki/redis-enterprise-ca.pem
    node_uid: 2
    action: maintenance_on
  register: maintenance

- name: Enter maintenance but keep replica shards in place on a cluster without spare room
  redisops.platform.re_node_action:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    node_uid: 3
    action: maintenance_on
    evict_ha_replica: false
    evict_active_active_replica: false

- name: Leave maintenance and restore the node's shards
  redisops.platform.re_node_action:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    node_uid: 2
    action: maintenance_off

- name: Remove node 4 from the cluster, waiting for persistence files on the new nodes
  redisops.platform.re_node_action:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    node_uid: 4
    action: remove
    wait_for_persistence: true
    wait_timeout: 7200

- name: Make node 1 a replica node
  redisops.platform.re_node_action:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    node_uid: 1
    action: enslave_node

- name: Cancel a removal that is still running
  redisops.platform.re_node_action:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    node_uid: 4
    action: remove
    state: absent

- name: Start maintenance without waiting, then follow it with the info module
  module_defaults:
    group/redisops.platform.redis_enterprise:
      url: https://node1.example.com:9443
      username: admin@example.com
      password: "{{ vault_re_admin_password }}"
  block:
    - name: Start maintenance
      redisops.platform.re_node_action:
        node_uid: 2
        action: maintenance_on
        wait: false

    - name: Wait until the migration has finished
      redisops.platform.re_node_action_info:
        node_uid: 2
        action: maintenance_on
      register: progress
      until: progress.actions[0].status in ['completed', 'failed', 'aborted', 'cancelled']
      retries: 60
      delay: 10
"""

RETURN = r"""
cluster_name:
  description:
    - The name of the cluster (C(GET /v1/cluster), read once), null when the node cannot tell.
    - With O(node_uid) it names the node whichever node's API a task uses; every Redis Enterprise
      module returns it, and Ansible Automation Platform counts nodes by it.
  returned: always
  type: str
  sample: cluster.example.com
action:
  description:
    - The action that was started, adopted or cancelled, as the server last reported it.
    - An empty dict when the node already was in the requested state, or when there was nothing to cancel
      and no status of a previous run exists.
    - In check mode, the action that would start (RV(action.status) is then V(null)).
  returned: always
  type: dict
  contains:
    name:
      description: The action's name.
      type: str
      sample: maintenance_on
    node_uid:
      description: The node's uid, as a string.
      type: str
      sample: "2"
    status:
      description:
        - One of C(queued), C(starting), C(running), C(cancelling), C(cancelled), C(aborted), C(completed), C(failed),
          or another status the server reports.
      type: str
      sample: completed
    progress:
      description: Progress in percent (read from a string or a number).
      type: int
      sample: 100
    task_id:
      description: The server's task id of the action.
      type: str
      sample: 2cd5ed1c-4e56-45b5-9d0e-5b4d4c3d0a17
    adopted:
      description:
        - Whether the module followed an action it found under way instead of starting one. That is someone
          else's action (seen before posting, or named by a 409), a cancellation under way, or the module's own
          start whose answer was lost and which the re-read found running (that task reports a change).
      type: bool
      sample: false
    error_code:
      description: Why the action failed.
      type: str
      returned: when the server reports an error
      sample: insufficient_resources
    error_message:
      description: The server's description of the failure.
      type: str
      returned: when the server reports an error
  sample:
    name: maintenance_on
    node_uid: "2"
    status: completed
    progress: 100
    task_id: 2cd5ed1c-4e56-45b5-9d0e-5b4d4c3d0a17
    adopted: false
node_status:
  description:
    - The node's state after the action (before it, in check mode, and when O(wait=false)).
    - Everything C(GET /v1/nodes/{uid}/status) returns, plus the keys below. For O(action=remove) the node
      object of C(GET /v1/nodes/{uid}) is read instead, so RV(node_status.role) may be V(null).
  returned: always
  type: dict
  contains:
    uid:
      description: The node's uid, as a string.
      type: str
      sample: "2"
    role:
      description: C(master) or C(slave); V(null) when unknown or removed.
      type: str
      sample: slave
    node_status:
      description: The node's status, for example C(active); V(null) once removed.
      type: str
      sample: active
    has_maintenance_snapshot:
      description: Whether the node holds a maintenance snapshot (it is in maintenance).
      type: bool
      sample: true
    maintenance_snapshot:
      description: The newest maintenance snapshot as the server reports it, V(null) when none.
      type: dict
      sample:
        name: maintenance_mode_2024-09-06_20-47-23
        created_time: "2024-09-06 20:47:23"
        node_uid: "2"
    removed:
      description:
        - Whether the cluster has no node with this uid (C(GET /v1/nodes/{uid}) answers 404), after this task's
          removal or before it.
        - V(true) does not say that the node was ever a member. When the node was not there to begin with, the
          task warns that it was either already removed or never a member.
      type: bool
      sample: false
error_code:
  description: The failed action's error code.
  returned: when the action ended failed, aborted or cancelled
  type: str
  sample: insufficient_resources
error_message:
  description: The failed action's error message.
  returned: when the action ended failed, aborted or cancelled
  type: str
actions:
  description:
    - What the task did, in order (predicted in check mode). Empty when nothing was sent.
    - A start whose answer was lost and that was then found under way says so; a start answered 409
      says the action was adopted.
  returned: always
  type: list
  elements: str
  sample: ["started maintenance_on on node 2"]
duration:
  description: Seconds the whole task took, every read, write and wait included.
  returned: always
  type: float
  sample: 42.5
diff:
  description:
    - With O(state=present), the node's role, status, maintenance snapshot and removal before and after
      (predicted in check mode).
    - With O(state=absent), the action's status before and after.
  returned: in diff mode
  type: dict
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import REDIS_ENTERPRISE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils._resource import run
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.node_actions import (
    ARGUMENT_SPEC as RESOURCE_OPTIONS,
    NodeAction,
    NodeActionCancel,
)

ARGUMENT_SPEC = RESOURCE_OPTIONS
DEFAULT_WAIT_TIMEOUT = 1800


def main():
    module = RedisOpsModule(ARGUMENT_SPEC, connection=REDIS_ENTERPRISE_CONNECTION, wait_timeout=DEFAULT_WAIT_TIMEOUT)
    run(module, NodeActionCancel if module.params["state"] == "absent" else NodeAction)


if __name__ == "__main__":
    main()
