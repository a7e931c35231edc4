#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: memstore_parameter_group_info
short_description: List KakaoCloud MemStore parameter groups
version_added: 1.2.0
description:
  - Lists the project's parameter groups, default and custom, or those the options select.
  - A group's name is what O(redisops.platform.memstore_instance_set#module:parameter_group) and
    O(redisops.platform.memstore_cluster#module:parameter_group) take, its ID what their C(parameter_group_id) takes.
  - Never changes anything. One request (C(GET /v1/parameter-groups), with the filters given as its query; the
    module applies them to the answer too).
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.memstore
  - redisops.platform.attributes
  - redisops.platform.attributes.INFO_MODULE
  - redisops.platform.attributes.MEMSTORE_GROUP
options:
  name:
    description:
      - Name of the group to read. A name no group has gives an empty list, not an error.
    type: str
  engine_version:
    description:
      - Only the groups of this Redis version, for example V(7.2.7).
    type: str
  type:
    description:
      - Only the default groups (the service's, one per version and cluster mode) or the custom ones.
    type: str
    choices: [default, custom]
  cluster_mode:
    description:
      - Only the groups for clusters (V(enabled)) or for instance sets (V(disabled)).
    type: str
    choices: [enabled, disabled]
seealso:
  - module: redisops.platform.memstore_parameter_group
  - module: redisops.platform.memstore_flavor_info
"""

EXAMPLES = r"""
- name: List the default groups for instance sets of Redis 7.2.7
  redisops.platform.memstore_parameter_group_info:
    engine_version: 7.2.7
    type: default
    cluster_mode: disabled
  register: defaults

- name: Show their names
  ansible.builtin.debug:
    msg: "{{ defaults.parameter_groups | map(attribute='name') | list }}"

- name: Read one group by name
  redisops.platform.memstore_parameter_group_info:
    name: sessions-tuned
  register: tuned
"""

RETURN = r"""
parameter_groups:
  description: The groups, in the order the API lists them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Group ID.
      type: str
    name:
      description: Group name.
      type: str
      sample: default-redis-7.2.7
    description:
      description: Description (empty when none).
      type: str
    engine_version:
      description: Redis version.
      type: str
      sample: 7.2.7
    type:
      description: V(default) or V(custom).
      type: str
      sample: default
    cluster_mode:
      description: V(enabled) (clusters) or V(disabled) (instance sets).
      type: str
      sample: disabled
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils.memstore.catalog import parameter_groups_info
from ansible_collections.redisops.platform.plugins.module_utils.memstore.info import run_catalog_info

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    engine_version=dict(type="str"),
    type=dict(type="str", choices=["default", "custom"]),
    cluster_mode=dict(type="str", choices=["enabled", "disabled"]),
)


def main():
    run_catalog_info(RedisOpsModule(ARGUMENT_SPEC, connection=MEMSTORE_CONNECTION), "parameter_groups", parameter_groups_info)


if __name__ == "__main__":
    main()
