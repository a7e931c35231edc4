#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: memstore_flavor_info
short_description: List the KakaoCloud MemStore flavors (node sizes)
version_added: 1.2.0
description:
  - Lists the flavors MemStore offers for the nodes of instance sets and clusters, with their vCPUs and memory,
    or the one called O(name).
  - A flavor's name is what O(redisops.platform.memstore_instance_set#module:flavor) and
    O(redisops.platform.memstore_cluster#module:flavor) take; its ID is what their C(flavor_id) takes.
  - Never changes anything. One request (C(GET /v1/redis/flavors)).
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
      - Name of the flavor to read, for example V(a1-4-co). Without it, every flavor is listed.
      - A name that is not offered gives an empty list, not an error.
    type: str
seealso:
  - module: redisops.platform.memstore_instance_set
  - module: redisops.platform.memstore_cluster
  - module: redisops.platform.memstore_parameter_group_info
"""

EXAMPLES = r"""
- name: List the flavors
  redisops.platform.memstore_flavor_info:
  register: catalog

- name: Show the flavors with at least 16 GiB of memory
  ansible.builtin.debug:
    msg: "{{ catalog.flavors | selectattr('memory_gib', '>=', 16) | map(attribute='name') | list }}"

- name: Make sure the flavor the playbook uses is offered
  redisops.platform.memstore_flavor_info:
    name: a1-4-co
  register: wanted
  failed_when: wanted.flavors | length == 0
"""

RETURN = r"""
flavors:
  description: The flavors, in the order the API lists them (empty when O(name) is not offered).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Flavor ID (what C(flavor_id) takes).
      type: str
      sample: 3830ebad-ea2f-4822-8a7d-9e301c86a58d
    name:
      description: Flavor name (what C(flavor) takes).
      type: str
      sample: a1-2-co
    vcpus:
      description: Virtual CPUs of a node.
      type: int
      sample: 2
    memory_gib:
      description: Memory of a node, in GiB.
      type: float
      sample: 4
  sample:
    - {id: 3830ebad-ea2f-4822-8a7d-9e301c86a58d, name: a1-2-co, vcpus: 2, memory_gib: 4}
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils.memstore.catalog import flavors_info
from ansible_collections.redisops.platform.plugins.module_utils.memstore.info import run_catalog_info

ARGUMENT_SPEC = dict(name=dict(type="str"))


def main():
    run_catalog_info(RedisOpsModule(ARGUMENT_SPEC, connection=MEMSTORE_CONNECTION), "flavors", flavors_info)


if __name__ == "__main__":
    main()
