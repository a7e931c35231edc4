# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the collection's inventory plugins share: host and group names, and errors
that tell the user what to fix."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError

# What an HTTP status means for the person whose inventory failed.
_HINTS = {
    401: "check the credentials: the inventory file's options, else their environment variables",
    403: "the user's role does not allow reading this",
}


def safe_group(name):
    """A group name Ansible accepts as is: letters, digits and underscores."""
    return re.sub(r"[^A-Za-z0-9_]", "_", str(name))


def host_name(*candidates):
    """The first candidate that is set (a node's name, else its address, else its id)."""
    return next((str(value) for value in candidates if value not in (None, "")), None)


def inventory_error(plugin, error):
    """One sentence naming the plugin, the request and what to fix."""
    text = str(error)
    if isinstance(error, ApiError):
        hint = _HINTS.get(error.status)
        if hint and "check " not in text.lower():
            text = "%s (%s)" % (text, hint)
    return "%s inventory: %s" % (plugin, text)
