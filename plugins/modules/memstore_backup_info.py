#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: memstore_backup_info
short_description: Read the backups of KakaoCloud MemStore instance sets and clusters
version_added: 1.2.0
description:
  - Reads the backups of the project, manual and automatic, in one request (C(GET /v1/backups)), those of one
    instance set or cluster, or those of a name.
  - Never changes anything.
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.memstore
  - redisops.platform.attributes
  - redisops.platform.attributes.INFO_MODULE
  - redisops.platform.attributes.MEMSTORE_GROUP
options:
  instance_set:
    description:
      - Only the backups of this instance set (cluster mode disabled), by name, or by ID when the value does not follow
        the naming rules of instance sets (a UUID does not).
    type: str
  cluster:
    description:
      - Only the backups of this cluster (cluster mode enabled), by name or by ID, as O(instance_set).
    type: str
  name:
    description:
      - Only the backup of this name.
    type: str
notes:
  - Without O(instance_set), O(cluster) and O(name), every backup of the project is read. The filters are sent to the
    API (C(clusterName), C(clusterId)) and applied to its answer too.
  - A resource or a name that has no backup gives an empty list, not an error.
seealso:
  - module: redisops.platform.memstore_backup
"""

EXAMPLES = r"""
- name: Read the backups of an instance set
  redisops.platform.memstore_backup_info:
    instance_set: sessions
  register: found

- name: Show them, newest first
  ansible.builtin.debug:
    msg: "{{ found.backups | sort(attribute='created_at', reverse=true) | map(attribute='name') | list }}"

- name: Read one backup by name
  redisops.platform.memstore_backup_info:
    name: sessions-before-scale-down
  register: one

- name: Fail when it is not usable for a restore
  ansible.builtin.assert:
    that: one.backups | selectattr('status', 'equalto', 'Available') | list | length == 1
    fail_msg: backup sessions-before-scale-down is missing or not Available
"""

RETURN = r"""
backups:
  description:
    - The backups found (empty when none matches), in the shape M(redisops.platform.memstore_backup) returns as
      RV(redisops.platform.memstore_backup#module:backup).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Backup ID.
      type: str
    name:
      description: Name of the backup.
      type: str
    status:
      description: Status, for example C(Creating), C(Available), C(Failed).
      type: str
    created_at:
      description: When the backup was asked for, as the API shows it.
      type: str
    kind:
      description: C(instance_set) or C(cluster), the kind of resource backed up.
      type: str
    resource_id:
      description: ID of the instance set or cluster backed up.
      type: str
    resource_name:
      description: Name of the instance set or cluster backed up.
      type: str
    cluster_mode:
      description: C(disabled) (an instance set) or C(enabled) (a cluster).
      type: str
    project_id:
      description: Project of the backup.
      type: str
    version:
      description: Redis version of the resource backed up, when the API shows it.
      type: str
  sample:
    - id: 8d3c1c1e-2f0b-4a8e-9d7e-2b1f5f0c6a11
      name: sessions-before-scale-down
      status: Available
      created_at: "2026-12-05T01:02:03Z"
      kind: instance_set
      resource_id: xxxxxxxx-7347-4d87-a49f-e705e91db2fb
      resource_name: sessions
      cluster_mode: disabled
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils.memstore.backups import TARGETS, read_backups
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient

ARGUMENT_SPEC = dict(instance_set=dict(type="str"), cluster=dict(type="str"), name=dict(type="str"))


def main():
    module = RedisOpsModule(ARGUMENT_SPEC, connection=MEMSTORE_CONNECTION, mutually_exclusive=[("instance_set", "cluster")])
    params = module.params
    kind, resource = next(((option, params[option]) for option, _kind in TARGETS if params[option]), (None, None))

    def read():
        api = module.task().client(MemStoreClient)
        module.exit_json(changed=False, backups=read_backups(api, kind=kind, resource=resource, name=params["name"]))

    module.execute(read)


if __name__ == "__main__":
    main()
