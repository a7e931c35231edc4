# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The task protocol: what the runner and a resource may ask of the task they run in.

A module's task is :class:`~ansible_collections.redisops.platform.plugins.module_utils._module.ModuleTask`;
an inventory plugin, the lookup or an event source may give a resource's reader a task of its own.
Nothing here needs ``AnsibleModule``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class Task:
    """The task's side of the contract: all that the runner and a resource may ask of the task.

    ``params``: the options; ``check_mode``: predict, never write; ``diff``: return a diff;
    ``tmpdir``: a private directory removed at the end of the task. A test or another caller
    gives a resource a task of its own by subclassing this.
    """

    params = None
    check_mode = False
    diff = False
    tmpdir = None

    def warn(self, message):
        """Show a warning to the person running the task."""
        raise NotImplementedError

    def client(self, client_class, deadline=None):
        """An API client of ``client_class`` built from ``params`` and wired to the task (its
        retries warn and never sleep past ``deadline``, monotonic seconds)."""
        raise NotImplementedError

    def waiter(self):
        """The task's :class:`Waiter`: its deadline bounds every wait of the task."""
        raise NotImplementedError

    def error_text(self, error, intro=None):
        """An API error as one sentence for the person running the task."""
        raise NotImplementedError

    def exit(self, **result):
        """End the task with ``result`` (never returns)."""
        raise NotImplementedError

    def fail(self, msg, **result):
        """End the task as failed (never returns)."""
        raise NotImplementedError
