#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: memstore_resources
short_description: Converge many KakaoCloud MemStore instance sets and clusters in one task
version_added: 1.2.0
description:
  - Creates, updates, scales and deletes many MemStore resources at once, instance sets (cluster mode
    disabled) and clusters (cluster mode enabled), each declared with the options of its own module.
  - Every item is checked by its module's rules before any request; a name is one resource, so a name
    given twice (in one list or in both) fails the task before any request, naming it.
  - One token serves the whole task. Each resource's next write is sent as soon as that resource
    accepts it, and one list request per poll reads the state of all of them (a resource's members are
    read only while a change of them is awaited, and once at the end), so N creates take about the
    time of the slowest, not the sum.
  - One O(wait_timeout) bounds the whole batch. A resource that fails (a Failed status, a refused
    request, the timeout) is reported after the others have converged; the task then fails naming each
    failed one, and its result still lists every resource.
  - Check mode predicts every resource; diff mode shows one before/after per resource.
  - Flavors and parameter groups given by name (V(flavor), V(parameter_group)) are looked up with one
    request per catalog for the whole task, and only when an item names one. An item whose name is not
    offered fails before any write to it, naming the offered ones, as an item whose version is not offered;
    the other items converge.
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.memstore
  - redisops.platform.wait
  - redisops.platform.attributes
  - redisops.platform.attributes.STATEFUL
  - redisops.platform.attributes.MEMSTORE_GROUP
options:
  instance_sets:
    description:
      - Instance sets (cluster mode disabled), one dict each, with the options of
        M(redisops.platform.memstore_instance_set) (V(name), V(id), V(state), V(description), V(version),
        V(port), V(flavor_id) or V(flavor), V(parameter_group_id) or V(parameter_group), V(node_count), V(high_availability),
        V(subnet_assignment), V(subnets), V(security_groups), V(backup), V(user), V(tls_enabled),
        V(restore_from), V(primary_instance), V(keep_automatic_backups)), with the same rules and defaults.
      - Each item is validated against that module's options before any request; an unknown option
        fails naming the item.
      - An item's C(user.password) (and any value under a key naming a password) is kept out of the
        output like a C(no_log) option.
    type: list
    elements: dict
    default: []
  clusters:
    description:
      - Clusters (cluster mode enabled), one dict each, with the options of M(redisops.platform.memstore_cluster)
        (V(name), V(id), V(state), V(description), V(version), V(port), V(flavor_id) or V(flavor),
        V(parameter_group_id) or V(parameter_group),
        V(shard_count), V(nodes_per_shard), V(subnet_assignments), V(subnets), V(security_groups), V(user),
        V(tls_enabled), V(allow_shard_removal)), with the same rules and defaults.
    type: list
    elements: dict
    default: []
  wait_timeout:
    description:
      - Seconds to wait, in total for the whole batch, for every resource to be Running (or gone).
    type: float
    default: 3600
notes:
  - The module does not log its invocation to the target's system log (AnsibleModule's syslog entry),
    because the items are validated after it would be written and may carry passwords. The task's result
    shows the invocation with every password hidden.
  - Writes to one resource follow the same order and rules as its own module (one change at a time, each
    after the resource is Running again), and the same protocol for lost or busy answers; resources do
    not wait for each other.
seealso:
  - module: redisops.platform.memstore_instance_set
  - module: redisops.platform.memstore_cluster
  - module: redisops.platform.memstore_instance_set_info
"""

EXAMPLES = r"""
- name: Provision the session caches and the catalogue cluster together
  redisops.platform.memstore_resources:
    instance_sets:
      - name: sessions-a
        version: 7.2.7
        port: 6379
        flavor: a1-4-co  # by name: the flavors and parameter groups are read once for the whole task
        parameter_group: default-redis-7.2.7
        node_count: 2
        subnet_assignment: {primary: subnet-a, replicas: [subnet-b]}
        security_groups: [sg-redis]
      - name: sessions-b
        version: 7.2.7
        port: 6379
        flavor_id: 3830ebad-ea2f-4822-8a7d-9e301c86a58d
        parameter_group_id: bbbbcccc-1234-1234-5678-e705e91db2fb
        node_count: 1
        subnet_assignment: {primary: subnet-a}
        security_groups: [sg-redis]
    clusters:
      - name: catalogue
        version: 7.2.7
        port: 6379
        flavor: a1-8-co
        parameter_group: default-redis-7.2.7-cluster
        shard_count: 3
        nodes_per_shard: 2
        subnet_assignments: [{primary: subnet-a, replicas: [subnet-b]}]
        security_groups: [sg-redis]
    wait_timeout: 3600
  register: provisioned

- name: Show where clients connect
  ansible.builtin.debug:
    msg: "{{ provisioned.resources | items2dict(key_name='name', value_name='endpoints') }}"

- name: Remove a set and a cluster, without waiting for them to be gone
  redisops.platform.memstore_resources:
    instance_sets:
      - name: sessions-b
        state: absent
    clusters:
      - name: catalogue
        state: absent
    wait: false
"""

RETURN = r"""
resources:
  description:
    - One entry per item, instance sets first then clusters, each in the order given.
    - Returned also when the task fails, so a playbook sees what converged.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: V(instance_set) or V(cluster).
      type: str
      sample: instance_set
    name:
      description: The item's name.
      type: str
      sample: sessions-a
    id:
      description: The resource's id (null when it does not exist, or in check mode before a create).
      type: str
    changed:
      description: Whether this resource was changed (in check mode, would be).
      type: bool
    status:
      description:
        - The resource's last status.
        - V(absent) when the resource does not exist once the task is done (an item with V(state=absent) that
          was deleted or found gone, or a resource that is not there); in check mode, V(absent) for an item that
          would be deleted.
        - Null when nothing says (check mode before a create, or a delete not waited for).
      type: str
      sample: Running
    failed:
      description: Whether this resource failed.
      type: bool
    msg:
      description: Why it failed (empty when it did not).
      type: str
    actions:
      description: What was done to it, as M(redisops.platform.memstore_instance_set) reports.
      type: list
      elements: str
      sample: ["created"]
    endpoints:
      description: The client endpoints of its nodes (primary first for an instance set).
      type: list
      elements: str
    instance_set:
      description: For an instance set, its full view as M(redisops.platform.memstore_instance_set) returns it.
      type: dict
      returned: for instance sets
    cluster:
      description: For a cluster, its full view as M(redisops.platform.memstore_cluster) returns it.
      type: dict
      returned: for clusters
duration:
  description: Seconds the whole task took.
  returned: always
  type: float
diff:
  description: With C(--diff), one before/after per resource, headed by its kind and name.
  returned: in diff mode
  type: list
  elements: dict
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils._resource import Runner
from ansible_collections.redisops.platform.plugins.module_utils.memstore.base import MemStoreResource
from ansible_collections.redisops.platform.plugins.module_utils.memstore.batch import ARGUMENT_SPEC as BATCH_OPTIONS, batch_items

ARGUMENT_SPEC = BATCH_OPTIONS
DEFAULT_WAIT_TIMEOUT = 3600


def main():
    # no_log: AnsibleModule would write the items (and their passwords) to syslog before they are validated.
    module = RedisOpsModule(ARGUMENT_SPEC, connection=MEMSTORE_CONNECTION, wait_timeout=DEFAULT_WAIT_TIMEOUT, no_log=True)
    items = batch_items(module)  # every item checked before the client exists
    Runner(module.task(), MemStoreResource).run_batch(items)


if __name__ == "__main__":
    main()
