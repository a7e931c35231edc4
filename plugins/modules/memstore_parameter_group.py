#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: memstore_parameter_group
short_description: Manage a KakaoCloud MemStore custom parameter group
version_added: 1.2.0
description:
  - Creates a custom parameter group from a default one (O(base)), or deletes it, by name.
  - Idempotent by name. A group of that name that exists changes nothing (no write); one made from
    another base, or with another O(description), fails the task naming what differs, because the API
    changes neither after creation.
  - A default group is the service's own and is never deleted; its name is refused before any write,
    whatever O(state).
  - Every option is validated before any request. Each run reads the project's parameter groups once
    (C(GET /v1/parameter-groups)), which also gives the group named by O(base).
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
      - Name of the custom group, unique in the project (default groups included).
      - 1 to 64 characters, letters, digits, C(-), C(_) and C(.), starting with a letter.
    type: str
    required: true
  base:
    description:
      - The default group the new group is made from, by name (for example V(default-redis-7.2.7)) or ID.
        The new group has its Redis version and cluster mode.
      - Required to create. Cannot change afterwards; a group of another version or cluster mode than the
        live group's fails the task.
      - M(redisops.platform.memstore_parameter_group_info) with O(redisops.platform.memstore_parameter_group_info#module:type=default)
        lists the default groups.
    type: str
  description:
    description:
      - Description, at most 100 characters, no line breaks (CR, LF) and no emoji. Set on create; cannot
        change afterwards (compared only when given).
    type: str
  state:
    description:
      - V(present) creates the group when no group has the name.
      - V(absent) deletes it. Deleting one that does not exist changes nothing. A group linked to an
        instance set or a cluster cannot be deleted (the API refuses; link another group to them first).
    type: str
    choices: [present, absent]
    default: present
  wait_timeout:
    description:
      - Seconds to wait, in total for the task, for the group to be listed (or gone).
    type: float
    default: 300
notes:
  - When the answer to a create is lost (connection dropped, server error), the module looks the group up by
    name before deciding, so a group is never created twice.
  - The API's list shows no group's base. Since a group has its base's version and cluster mode, and there
    is one default group per version and cluster mode, the module compares those two.
  - The assumed C(DELETE /v1/parameter-groups/{id}) deletes a group (the API documents show no path of one group).
seealso:
  - module: redisops.platform.memstore_parameter_group_info
  - module: redisops.platform.memstore_instance_set
  - module: redisops.platform.memstore_cluster
"""

EXAMPLES = r"""
- name: Make a parameter group for the session caches from Redis 7.2.7's default group
  redisops.platform.memstore_parameter_group:
    name: sessions-tuned
    base: default-redis-7.2.7
    description: Session caches
  register: tuned

- name: Link it to an instance set by name
  redisops.platform.memstore_instance_set:
    name: sessions
    parameter_group: sessions-tuned

- name: Delete the group (once no resource links it)
  redisops.platform.memstore_parameter_group:
    name: sessions-tuned
    state: absent
"""

RETURN = r"""
parameter_group:
  description:
    - The group after the task (with O(state=present)); what it would look like in check mode (its C(id) null before creation).
    - Empty with O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: Group ID (what C(parameter_group_id) takes).
      type: str
    name:
      description: Group name (what C(parameter_group) takes).
      type: str
      sample: sessions-tuned
    description:
      description: Description.
      type: str
    engine_version:
      description: Redis version of the group (its base's).
      type: str
      sample: 7.2.7
    type:
      description: V(custom) (a default group is never managed here).
      type: str
      sample: custom
    cluster_mode:
      description: V(enabled) or V(disabled) (its base's).
      type: str
      sample: disabled
actions:
  description: What the task did (or, in check mode, would do).
  returned: always
  type: list
  elements: str
  sample: ["created from default-redis-7.2.7"]
duration:
  description: Seconds the task spent.
  returned: always
  type: float
diff:
  description: Before and after of the group's fields, in diff mode.
  returned: when diff mode is on
  type: dict
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils._resource import run
from ansible_collections.redisops.platform.plugins.module_utils.memstore.parameter_group import ParameterGroup

ARGUMENT_SPEC = ParameterGroup.argument_spec
DEFAULT_WAIT_TIMEOUT = 300


def main():
    run(RedisOpsModule(ARGUMENT_SPEC, connection=MEMSTORE_CONNECTION, wait_timeout=DEFAULT_WAIT_TIMEOUT), ParameterGroup)


if __name__ == "__main__":
    main()
