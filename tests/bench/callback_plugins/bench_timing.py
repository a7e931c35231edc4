# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bench-only callback: when each task (and each loop item) started and returned."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: bench_timing
type: aggregate
short_description: Write each task's start and return times to a JSON file (make bench only)
description:
  - Writes a list of C({task, item, status, started, returned}) (wall-clock seconds) to the file named by
    E(BENCH_TIMING_FILE).
requirements:
  - enabled in ANSIBLE_CALLBACKS_ENABLED
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super(CallbackModule, self).__init__()
        self.records = []
        self.started = {}
        self.previous = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.started[task._uuid] = time.time()
        self.previous = self.started[task._uuid]

    def _record(self, result, status, item=None):
        now = time.time()
        task = result._task
        started = self.started.get(task._uuid, now)
        if item is not None:
            started = self.previous or started  # items run one after the other
            self.previous = now
        self.records.append({"task": task.get_name(), "item": item, "status": status, "started": started,
                             "returned": now, "attempts": result._result.get("attempts")})

    def v2_runner_on_ok(self, result):
        if "results" not in result._result:
            self._record(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        pass

    def v2_runner_item_on_ok(self, result):
        self._record(result, "changed" if result._result.get("changed") else "ok", item=str(result._result.get("item")))

    def v2_runner_item_on_failed(self, result):
        self._record(result, "failed", item=str(result._result.get("item")))

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get("BENCH_TIMING_FILE")
        if path:
            with open(path, "w") as handle:
                json.dump(self.records, handle)
