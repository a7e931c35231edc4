# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
"""

    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: This module never changes anything.
  diff_mode:
    support: N/A
    details: This module never changes anything.
"""

    STATEFUL = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: Reads the live state and reports what would change; sends no write request.
  diff_mode:
    support: full
"""

    MEMSTORE_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/redisops.platform.memstore) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - redisops.platform.memstore
"""

    REDIS_ENTERPRISE_GROUP = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/redisops.platform.redis_enterprise) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - redisops.platform.redis_enterprise
"""
