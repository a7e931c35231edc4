# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What differs between the declared options and a live MemStore resource: the options fixed
at creation (a difference is refused, naming them) and what a ``PATCH`` can change."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import to_int
from ansible_collections.redisops.platform.plugins.module_utils.memstore.views import ids, unique


class ImmutableComparison:
    """Collects create-only options that differ from the live resource.

    ``differences`` lists ``(option, live, wanted)``; ``unreadable`` the given
    options whose live value the API does not show (they cannot be compared).
    """

    def __init__(self, resource):
        self.resource = resource
        self.differences = []
        self.unreadable = []

    def compare(self, option, wanted, live_key, live):
        if wanted is None:
            return
        if live_key not in self.resource:
            self.unreadable.append(option)
        elif live != wanted:
            self.differences.append((option, live, wanted))

    def compare_ids(self, option, wanted, live_key):
        """A list of ids compared as a set (``[{"id": ...}]`` on the live side)."""
        if wanted is not None:
            self.compare(option, sorted(unique(wanted)), live_key, sorted(unique(ids(self.resource.get(live_key)))))

    def compare_user(self, user):
        """Only the name can be compared: the password is write-only."""
        if not user:
            return
        live_user = self.resource.get("user") if isinstance(self.resource.get("user"), dict) else {}
        self.compare("user", "name=%s" % user["name"], "user", "name=%s" % live_user["name"] if live_user.get("name") else "none")

    def compare_created_with(self, params, flavor_name=None):
        """The options fixed at creation in both cluster modes. ``flavor_name(id)``: the name of a flavor,
        when the task named it (``params`` then holds both ``flavor`` and its ``flavor_id``)."""
        resource = self.resource
        self.compare("version", params.get("version"), "version", resource.get("version"))
        self.compare("port", params.get("port"), "port", to_int(resource.get("port")))
        if params.get("flavor") is not None and flavor_name is not None:
            # Named: told by name (a name is one id, so comparing names compares the ids).
            live = resource.get("flavorId")
            self.compare("flavor", params["flavor"], "flavorId", flavor_name(live) or live)
        else:
            self.compare("flavor_id", params.get("flavor_id"), "flavorId", resource.get("flavorId"))
        self.compare("tls_enabled", params.get("tls_enabled"), "tlsEnabled", bool(resource.get("tlsEnabled")))
        self.compare_user(params.get("user"))

    def message(self, noun, name):
        """The failure for the differences found, naming each option with its live and wanted values."""
        differences = self.differences
        details = "; ".join("%s (live: %s, wanted: %s)" % (option, render(live), render(wanted)) for option, live, wanted in differences)
        kind = noun.split()[-1]
        return ("%s %r: %s cannot change after creation and differ%s from the live %s: %s. Delete and re-create the %s to change %s."
                % (noun, name, ", ".join(option for option, _live, _wanted in differences), "" if len(differences) > 1 else "s",
                   kind, details, kind, "them" if len(differences) > 1 else "it"))


def render(value):
    if isinstance(value, list):
        return "[%s]" % ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "none" if value is None else str(value)


def common_update(view, params):
    """``(PATCH body, changed option names)`` for what both cluster modes can change:
    description and parameter group, only where they differ from the live ``view``."""
    body, changed = {}, []
    description = params.get("description")
    if description is not None and description != view["description"]:
        body["description"] = description
        changed.append("description")
    parameter_group = params.get("parameter_group_id")
    if parameter_group is not None and parameter_group != view["parameter_group_id"]:
        body["parameterGroupId"] = parameter_group
        changed.append("parameter_group_id")
    return body, changed
