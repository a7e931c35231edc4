# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Stand-in for pip's get-pip.py, so ``ansible-test sanity`` works offline.

ansible-test looks for ``~/.ansible/test/cache/get_pip_<version>.py`` before
downloading it from a host CI cannot reach; ``run-tests.sh`` copies this file
there. It seeds pip from the standard library's ``ensurepip``, restores the
environment (ensurepip hides pip's configuration, which holds the package
index settings), then runs ``pip install`` with the arguments ansible-test gave
get-pip, minus get-pip's own flags.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY_FLAGS = ("--no-setuptools", "--no-wheel")


def main():
    saved_environment = dict(os.environ)
    ensurepip.bootstrap(upgrade=True)
    os.environ.clear()
    os.environ.update(saved_environment)
    arguments = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_FLAGS]
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + arguments)


if __name__ == "__main__":
    main()
