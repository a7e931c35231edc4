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
      - Flavor (instance type) ID of every node. Required to create; cannot change afterwards.
    type: str
  parameter_group_id:
    description:
      - Parameter group linked to it. Required to create; can be changed, never to empty
        (the API cannot unlink a parameter group; the module refuses an empty one before any request).
    type: str
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
