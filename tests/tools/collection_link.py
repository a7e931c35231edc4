# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Make this checkout importable as ``ansible_collections.redisops.platform``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, ".cache", "collections")


def link_collection():
    """Point ``.cache/collections/ansible_collections/redisops/platform`` at the checkout; return the collections path."""
    namespace = os.path.join(COLLECTIONS, "ansible_collections", "redisops")
    if not os.path.isdir(namespace):
        os.makedirs(namespace)
    link = os.path.join(namespace, "platform")
    if not os.path.exists(link):
        try:
            os.symlink(ROOT, link)
        except OSError:  # another test worker made it first
            pass
    return COLLECTIONS


if __name__ == "__main__":
    print(link_collection())
