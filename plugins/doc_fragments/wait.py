# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Wait until the operation has finished before returning.
      - Polling starts fast and backs off to a cap; a finished operation is noticed within
        about 1 second or 10% of the time already waited.
      - A failure state, or reaching O(wait_timeout), fails the task with the last state seen.
      - An API that refuses connections (a node restarting) is retried until O(wait_timeout). With
        O(wait=false), and in check mode, the task does not wait, and an API that cannot be reached fails it
        at once with one message.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds the task may wait in total when O(wait=true), from its start.
      - Every wait of the task shares this one deadline, and no retried request sleeps past it;
        a server that asks with C(Retry-After) to be called again later than that fails the task
        at once, saying what it asked.
      - A finite number of seconds greater than 0 and at most 604800 (a week), checked before any request.
    type: float
"""
