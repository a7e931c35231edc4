#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: memstore_backup
short_description: Take or delete a manual backup of a KakaoCloud MemStore instance set or cluster
version_added: 1.2.0
description:
  - Takes a manual backup of one instance set (cluster mode disabled) or one cluster (cluster mode enabled),
    named O(name), and waits until it is C(Available); deletes it with O(state=absent).
  - Idempotent by name per resource; a backup of that name of that resource is never taken twice.
  - Before the write it reads the resource and checks what the service requires, failing with a message that names
    the rule; a resource being changed, or with another backup in progress, is waited for (within O(wait_timeout))
    before the backup is asked for.
  - A backup it has taken restores a new instance set with M(redisops.platform.memstore_instance_set)'s
    O(redisops.platform.memstore_instance_set#module:restore_from.backup_name).
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.memstore
  - redisops.platform.wait
  - redisops.platform.attributes
  - redisops.platform.attributes.STATEFUL
  - redisops.platform.attributes.MEMSTORE_GROUP
options:
  name:
    description:
      - Name of the backup. 1 to 64 letters, digits, C(.), C(-) and C(_).
      - Backup names are unique in a project (a backup is restored by its name alone), so a name already taken by a
        backup of another resource fails the task before any write.
    type: str
    required: true
  instance_set:
    description:
      - The instance set (cluster mode disabled) backed up, by name, or by ID when the value does not follow the naming
        rules of instance sets (a UUID does not).
      - Exactly one of O(instance_set) and O(cluster) is required.
    type: str
  cluster:
    description:
      - The cluster (cluster mode enabled) backed up, by name or by ID, as O(instance_set).
    type: str
  state:
    description:
      - V(present) takes the backup when the resource has none of that name, and waits until it is C(Available).
        A backup of that name found C(Creating) is waited for; one found C(Failed) fails the task (delete it and take it
        again).
      - V(absent) deletes it (C(DELETE /v1/backups/{id})); a backup being taken is waited for first. A backup that does
        not exist changes nothing and sends no request but the list.
    type: str
    choices: [present, absent]
    default: present
  wait_timeout:
    description:
      - Seconds to wait, in total for the task, for the resource to accept the backup and for the backup to be
        C(Available) (or gone).
    type: float
    default: 3600
notes:
  - "The service's preconditions, checked on the resource before the write: it is C(Running) (a C(Failed) one fails the
    task; a busy one is waited for), it has at least 2 nodes and a replica (a cluster: a replica in every shard), and no
    other backup of it is in progress (waited for). The service answers 409 while another backup of the resource runs:
    the module reads again, waits, and sends the backup again within O(wait_timeout)."
  - While a backup runs, the service refuses to add, remove or promote a node or a shard of the resource, and to delete
    it. M(redisops.platform.memstore_instance_set), M(redisops.platform.memstore_cluster) and
    M(redisops.platform.memstore_resources) take such a refusal as busy; they read again and send the change again,
    at a slowing pace, until the backup is done, within their own O(wait_timeout).
  - One request lists the project's backups (C(GET /v1/backups)); a re-run that finds the backup sends nothing else. The
    resource is read (C(GET /v1/clusters), its instances or shards) only when a backup is to be taken.
  - When the answer to the create is lost (connection dropped, server error), the backups are listed again before
    deciding, so a backup is never asked for twice.
  - Assumed, as the documents show only the create and the list; a backup's C(status) moves to C(Available) (or
    C(Failed)), it carries C(createdAt), and C(DELETE /v1/backups/{id}) deletes it.
seealso:
  - module: redisops.platform.memstore_backup_info
  - module: redisops.platform.memstore_instance_set
  - module: redisops.platform.memstore_cluster
"""

EXAMPLES = r"""
- name: Back up an instance set before scaling it down
  redisops.platform.memstore_backup:
    name: sessions-before-scale-down
    instance_set: sessions
  register: taken

- name: Show the backup
  ansible.builtin.debug:
    msg: "{{ taken.backup.name }} of {{ taken.backup.resource_name }} is {{ taken.backup.status }}"

- name: Back up a cluster, given by ID, without waiting until the backup is Available
  redisops.platform.memstore_backup:
    name: orders-2026-12-05
    cluster: 4f7c1f7e-1d52-4bd5-9a36-6b1e0c5a2d10
    wait: false

- name: Restore a new instance set from the backup
  redisops.platform.memstore_instance_set:
    name: sessions-restored
    version: 7.2.7
    port: 6379
    flavor_id: 3830ebad-ea2f-4822-8a7d-9e301c86a58d
    parameter_group_id: bbbbcccc-1234-1234-5678-e705e91db2fb
    node_count: 2
    subnet_assignment:
      primary: subnet-a
      replicas: [subnet-b]
    security_groups: [sg-redis]
    restore_from:
      backup_name: sessions-before-scale-down

- name: Delete the backup
  redisops.platform.memstore_backup:
    name: sessions-before-scale-down
    instance_set: sessions
    state: absent
"""

RETURN = r"""
backup:
  description:
    - The backup after the task (with O(state=present)); what it would look like in check mode (its C(id), C(status)
      and C(created_at) null).
    - Empty with O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: Backup ID.
      type: str
    name:
      description: Name of the backup.
      type: str
      sample: sessions-before-scale-down
    status:
      description: Status, for example C(Creating), C(Available), C(Failed).
      type: str
      sample: Available
    created_at:
      description: When the backup was asked for, as the API shows it.
      type: str
    kind:
      description: C(instance_set) or C(cluster), the kind of resource backed up.
      type: str
      sample: instance_set
    resource_id:
      description: ID of the instance set or cluster backed up.
      type: str
    resource_name:
      description: Name of the instance set or cluster backed up.
      type: str
      sample: sessions
    cluster_mode:
      description: C(disabled) (an instance set) or C(enabled) (a cluster).
      type: str
    project_id:
      description: Project of the backup.
      type: str
    version:
      description: Redis version of the resource backed up, when the API shows it.
      type: str
actions:
  description: What the task did (or, in check mode, would do).
  returned: always
  type: list
  elements: str
  sample: ["backed up instance set 'sessions'"]
duration:
  description: Seconds the task spent, waits included.
  returned: always
  type: float
  sample: 61.5
diff:
  description: Before and after (the backup's name, kind and resource), in diff mode.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The backup (empty before it is taken).
      type: dict
    after:
      description: The backup declared (empty after a delete).
      type: dict
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils._resource import run
from ansible_collections.redisops.platform.plugins.module_utils.memstore.backups import Backup

ARGUMENT_SPEC = Backup.argument_spec
DEFAULT_WAIT_TIMEOUT = 3600


def main():
    run(RedisOpsModule(ARGUMENT_SPEC, connection=MEMSTORE_CONNECTION, wait_timeout=DEFAULT_WAIT_TIMEOUT,
                       mutually_exclusive=Backup.mutually_exclusive, required_one_of=Backup.required_one_of), Backup)


if __name__ == "__main__":
    main()
