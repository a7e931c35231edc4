# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run real ``ansible-inventory --list`` on an inventory plugin's configuration file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys
from pathlib import Path

# REDISOPS_ANSIBLE_BIN: the bin directory of another ansible-core (make oldest-core sets it).
ANSIBLE_BIN = Path(os.environ.get("REDISOPS_ANSIBLE_BIN") or Path(sys.executable).parent)
ANSIBLE_INVENTORY = str(ANSIBLE_BIN / "ansible-inventory")


def plain(value):
    """``ansible-inventory`` output without its ``{"__ansible_unsafe": ...}`` wrappers."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


class Inventory:
    def __init__(self, rc, output, data):
        self.rc = rc
        self.output = output
        self.data = data

    @property
    def hostvars(self):
        return self.data["_meta"]["hostvars"]

    def hosts(self, group="all"):
        """The hosts of ``group`` and its children, sorted."""
        entry = self.data.get(group) or {}
        found = set(entry.get("hosts") or [])
        for child in entry.get("children") or []:
            found.update(self.hosts(child))
        return sorted(found)


def run_inventory(ansible, name, config, env=None):
    """Write ``config`` to ``name`` (YAML as JSON) and run ``ansible-inventory --list`` on it.

    Unparsed sources fail (as they do in AWX), so a plugin error is a non-zero exit.
    """
    path = ansible.workdir / name
    path.write_text(json.dumps(config))
    command = [ANSIBLE_INVENTORY, "-i", str(path), "--list"]
    extra = {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "True", "ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "True"}
    extra.update(env or {})
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300, env=ansible.env(extra), check=False)
    data = plain(json.loads(proc.stdout)) if proc.returncode == 0 else None
    # Older ansible-core wraps its warnings: the output with each run of blanks made one space.
    return Inventory(proc.returncode, " ".join((proc.stdout + proc.stderr).split()), data)


def run_play_on_inventory(ansible, name, config, play, env=None):
    """Write ``config`` to ``name`` and run ``ansible-playbook`` (of the same ansible-core as
    :data:`ANSIBLE_INVENTORY`) with that inventory on ``play`` (a dict): ``(rc, output)``."""
    inventory = ansible.workdir / name
    inventory.write_text(json.dumps(config))
    playbook = ansible.workdir / ("play-on-%s" % name)
    playbook.write_text(json.dumps([play]))
    command = [str(ANSIBLE_BIN / "ansible-playbook"), "-i", str(inventory), str(playbook)]
    extra = {"ANSIBLE_INVENTORY_UNPARSED_FAILED": "True", "JSON_RESULTS_FILE": str(ansible.workdir / ("results-of-%s" % name))}
    extra.update(env or {})
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300, env=ansible.env(extra), check=False)
    return proc.returncode, proc.stdout + proc.stderr
