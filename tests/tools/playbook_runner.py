# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run real ``ansible-playbook`` on generated one-play playbooks and collect each
task's result (through the test-only ``json_results`` callback)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys
from pathlib import Path

from collection_link import ROOT, link_collection

TESTS = Path(ROOT) / "tests"
COLLECTIONS = Path(link_collection())


class PlayResult:
    """What one ansible-playbook run did: exit code, output, and each task's result."""

    def __init__(self, rc, stdout, stderr, tasks):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.tasks = tasks

    @property
    def output(self):
        return self.stdout + self.stderr

    @property
    def results(self):
        return [task["result"] for task in self.tasks]

    @property
    def last(self):
        assert self.tasks, "no task ran:\n%s" % self.output
        return self.tasks[-1]["result"]

    def task(self, name):
        for task in self.tasks:
            if task["name"] == name:
                return task["result"]
        raise KeyError("no task named %r:\n%s" % (name, self.output))


class Ansible:
    """Runs real ``ansible-playbook`` against the emulator.

    ``run(tasks)`` writes a one-play playbook on localhost from a list of task
    dicts and returns a :class:`PlayResult`; each task's full result comes from
    the ``json_results`` callback in ``tests/integration/callback_plugins``.
    """

    def __init__(self, emu, workdir):
        self.emu = emu
        self.workdir = Path(workdir)
        self.count = 0

    def env(self, extra=None):
        env = dict(os.environ)
        for key in list(env):
            if key.startswith(("REDIS_ENTERPRISE_", "KAKAOCLOUD_")):
                del env[key]
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS),
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_CALLBACK_PLUGINS": str(TESTS / "integration" / "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "json_results",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCALHOST_WARNING": "False",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
            "ANSIBLE_HOME": str(self.workdir / "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": str(self.workdir / "ansible-tmp"),
            "ANSIBLE_REMOTE_TMP": str(self.workdir / "ansible-remote-tmp"),  # not ~/.ansible/tmp
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
        })
        env.update(extra or {})
        return env

    def run(self, tasks, check=False, diff=False, verbosity=0, env=None, module_defaults=None, play_vars=None):
        self.count += 1
        playbook = self.workdir / ("play%d.yml" % self.count)
        results_file = self.workdir / ("play%d.json" % self.count)
        play = {"hosts": "localhost", "gather_facts": False, "tasks": tasks}
        if module_defaults:
            play["module_defaults"] = module_defaults
        if play_vars:
            play["vars"] = play_vars
        playbook.write_text(json.dumps([play], indent=2))
        command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if verbosity:
            command.append("-" + "v" * verbosity)
        proc = subprocess.run(command, capture_output=True, text=True, timeout=600,
                              env=self.env(dict(env or {}, JSON_RESULTS_FILE=str(results_file))), check=False)
        tasks = json.loads(results_file.read_text()) if results_file.exists() else []
        return PlayResult(proc.returncode, proc.stdout, proc.stderr, tasks)
