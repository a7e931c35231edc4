# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make oldest-core``: the demo (every workflow playbook against the emulator, then an
idempotent re-run) and the inventory plugins' tests (``ansible-inventory``) under the oldest
ansible-core that meta/runtime.yml claims.

The virtualenv (.cache/venv-oldest-core, from tests/requirements-oldest-core.txt) is built on
first use and rebuilt when that file changes. The claim and the pin must agree: the gate fails
when requires_ansible's lower bound is not the pinned ansible-core's minor version.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shutil
import subprocess
import sys
import time

from collection_link import ROOT

REQUIREMENTS = os.path.join(ROOT, "tests", "requirements-oldest-core.txt")
VENV = os.path.join(ROOT, ".cache", "venv-oldest-core")
STAMP = os.path.join(VENV, ".requirements")


def pinned_core():
    with open(REQUIREMENTS) as handle:
        found = re.search(r"^ansible-core==(\d+)\.(\d+)\.\d+", handle.read(), re.M)
    return int(found.group(1)), int(found.group(2))


def pinned_version():
    with open(REQUIREMENTS) as handle:
        return re.search(r"^ansible-core==(\S+)", handle.read(), re.M).group(1)


def installed_core():
    from ansible.release import __version__  # pylint: disable=import-outside-toplevel

    return __version__


def claimed_core():
    with open(os.path.join(ROOT, "meta", "runtime.yml")) as handle:
        found = re.search(r"""^requires_ansible:\s*['"]?>=\s*(\d+)\.(\d+)""", handle.read(), re.M)
    return (int(found.group(1)), int(found.group(2))) if found else None


def venv():
    """The virtualenv's python, built (again) when the requirements changed."""
    with open(REQUIREMENTS) as handle:
        wanted = handle.read()
    python = os.path.join(VENV, "bin", "python")
    if os.path.exists(STAMP) and os.path.exists(python):
        with open(STAMP) as handle:
            if handle.read() == wanted:
                return python
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "-r", REQUIREMENTS], check=True)
    with open(STAMP, "w") as handle:
        handle.write(wanted)
    return python


def main():
    pinned, claimed = pinned_core(), claimed_core()
    if claimed != pinned:
        print("meta/runtime.yml claims ansible-core >= %s but the oldest tested is %s (tests/requirements-oldest-core.txt)"
              % (".".join(map(str, claimed)) if claimed else "nothing", ".".join(map(str, pinned))))
        return 1
    started = time.monotonic()
    if installed_core() == pinned_version():
        # The oldest claimed is the one every other gate runs with: the demo is the one check left.
        print("ansible-core %s, the oldest claimed, is this virtualenv's: the demo runs here" % installed_core(), flush=True)
        return subprocess.run([sys.executable, os.path.join(ROOT, "tests", "tools", "demo.py")], check=False).returncode
    python = venv()
    version = subprocess.run([os.path.join(VENV, "bin", "ansible"), "--version"], capture_output=True, text=True,
                             env=dict(os.environ, ANSIBLE_HOME=os.path.join(VENV, "ansible-home")),
                             check=True).stdout.splitlines()[0]
    print("%s on Python %s (%.0f s to set up)" % (version, sys.version.split()[0], time.monotonic() - started), flush=True)
    status = subprocess.run([python, os.path.join(ROOT, "tests", "tools", "demo.py")], check=False).returncode
    # The inventory tests run in this virtualenv (pytest, the emulator) with the old ansible-inventory.
    tests = [os.path.join(ROOT, "tests", "integration", name) for name in sorted(os.listdir(os.path.join(ROOT, "tests", "integration")))
             if name.startswith("test_inventory_")]
    env = dict(os.environ, REDISOPS_ANSIBLE_BIN=os.path.dirname(python))
    inventory = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"] + tests, env=env, check=False)
    return status or inventory.returncode


if __name__ == "__main__":
    sys.exit(main())
