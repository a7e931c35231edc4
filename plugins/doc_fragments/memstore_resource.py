# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The options memstore_instance_set and memstore_cluster share, with the same rules
    # (plugins/module_utils/memstore/rules.py: RESOURCE_ARGUMENT_SPEC).
    DOCUMENTATION = r"""
options:
  name:
    description:
      - Name of the instance set or cluster, unique in the project across both cluster modes.
      - 4 to 20 characters; lowercase letters, digits and C(-); starts with a letter, ends with a
        letter or a digit; no C(--).
    type: str
    required: true
  id:
    description:
      - ID of the instance set or cluster. Skips the look-up by name (C(GET /v1/clusters)) and reads it directly.
      - It must exist and be called O(name); nothing can be created with a chosen ID.
    type: str
  state:
    description:
      - V(present) creates it or converges it to the options given.
      - V(absent) deletes it and waits until it is gone. Deleting one that does not exist changes
        nothing and sends no request but the look-up.
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - Description. At most 100 characters, no line breaks (CR, LF) and no emoji.
      - Emoji are characters outside the Basic Multilingual Plane, U+2600 to U+27BF (miscellaneous
        symbols and dingbats) and variation selectors.
      - V("") empties the description of an existing instance set or cluster.
    type: str
  port:
    description:
      - Redis port, 2000 to 50000. Required to create; cannot change afterwards.
    type: int
  flavor_id:
    description:
      - Flavor (instance type) ID of every node. Required to create (or O(flavor)); cannot change afterwards.
      - Mutually exclusive with O(flavor).
    type: str
  flavor:
    description:
      - Flavor (instance type) of every node by name, for example V(a1-4-co); the alternative to O(flavor_id).
      - The name is looked up in the flavors the service offers (C(GET /v1/redis/flavors), one request per task,
        shared by every resource of a M(redisops.platform.memstore_resources) task), before anything is compared or sent.
        A name that is not offered fails before any write, naming the offered ones.
      - Required to create (or O(flavor_id)); cannot change afterwards. The result shows both the name and the ID.
      - M(redisops.platform.memstore_flavor_info) lists the flavors.
    type: str
    version_added: 1.2.0
  parameter_group_id:
    description:
      - Parameter group linked to it. Required to create (or O(parameter_group)); can be changed, never to empty
        (the API cannot unlink a parameter group; the module refuses an empty one before any request).
      - Mutually exclusive with O(parameter_group).
    type: str
  parameter_group:
    description:
      - Parameter group linked to it, by name (a default group such as V(default-redis-7.2.7), or a custom one
        made with M(redisops.platform.memstore_parameter_group)); the alternative to O(parameter_group_id).
      - The name is looked up in the project's parameter groups (C(GET /v1/parameter-groups), one request per task,
        shared by every resource of a M(redisops.platform.memstore_resources) task), before anything is compared or sent.
        A name that does not exist fails before any write, naming the existing ones.
      - Required to create (or O(parameter_group_id)); can be changed. The result shows both the name and the ID.
      - M(redisops.platform.memstore_parameter_group_info) lists the parameter groups.
    type: str
    version_added: 1.2.0
  user:
    description:
      - Database user created with it. Create-only.
      - Only the name is compared with the live resource; the password cannot be read back and is never compared.
    type: dict
    suboptions:
      name:
        description:
          - User name.
        type: str
        required: true
      password:
        description:
          - The password, already encrypted or hashed as the MemStore documents require; sent unchanged.
          - Never logged, never returned.
        type: str
        required: true
"""
