# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rules shared by both MemStore modes (instance sets and clusters): names,
descriptions, ports, parameter groups, security groups, subnets, the create-only
comparison and the API's ``[{"id": ...}]`` arrays.

Pure functions: they check options before any request and are unit tested.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.redisops.platform.plugins.module_utils._http import to_int
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import is_running

NAME_MIN, NAME_MAX = 4, 20
DESCRIPTION_MAX = 100
PORT_MIN, PORT_MAX = 2000, 50000
# Nodes of an instance set, or of one shard of a cluster: one primary and at most five replicas.
NODES_MIN, NODES_MAX = 1, 6

_NAME_CHARS = re.compile(r"^[a-z0-9-]*$")
# Emoji: anything outside the Basic Multilingual Plane (U+1F000 and up included),
# Miscellaneous Symbols and Dingbats (U+2600-U+27BF) and variation selectors.
_EMOJI = re.compile(u"[\u2600-\u27bf\ufe00-\ufe0f\U00010000-\U0010ffff]")


# The options both MemStore resource modules share (documented by the
# redisops.platform.memstore_resource doc fragment).
RESOURCE_ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    id=dict(type="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    description=dict(type="str"),
    port=dict(type="int"),
    flavor_id=dict(type="str"),
    parameter_group_id=dict(type="str"),
    user=dict(type="dict", options=dict(
        name=dict(type="str", required=True),
        password=dict(type="str", required=True, no_log=True),
    )),
)


def unique(values):
    """``values`` without repeats, in their first order."""
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def ids(value):
    """``[{"id": "a"}, "b"]`` -> ``["a", "b"]`` (the API's object arrays, read tolerantly)."""
    found = []
    for item in value or []:
        item_id = item.get("id") if isinstance(item, dict) else item
        if item_id:
            found.append(item_id)
    return found


def id_objects(values):
    return [{"id": item_id} for item_id in unique(values)]


# --- validation (before any request) -------------------------------------------------
def name_errors(name):
    errors = []
    if not NAME_MIN <= len(name) <= NAME_MAX:
        errors.append("name must be %d to %d characters long (got %d)" % (NAME_MIN, NAME_MAX, len(name)))
    if not _NAME_CHARS.match(name):
        errors.append("name may contain only lowercase letters, digits and '-' (got %r)" % name)
    if name and not ("a" <= name[0] <= "z"):
        errors.append("name must start with a lowercase letter (got %r)" % name)
    if name and not ("a" <= name[-1] <= "z" or name[-1].isdigit()):
        errors.append("name must end with a lowercase letter or a digit (got %r)" % name)
    if "--" in name:
        errors.append("name must not contain consecutive hyphens '--' (got %r)" % name)
    return errors


def description_errors(description):
    errors = []
    if len(description) > DESCRIPTION_MAX:
        errors.append("description must be at most %d characters (got %d)" % (DESCRIPTION_MAX, len(description)))
    if "\r" in description or "\n" in description:
        errors.append("description must not contain line breaks (CR or LF)")
    emoji = _EMOJI.search(description)
    if emoji:
        errors.append("description must not contain emoji (found U+%04X)" % ord(emoji.group(0)))
    return errors


# --- the view and diff fields both modes read the same way ------------------------------------
def resource_fields(resource, cluster_mode):
    """The fields of a returned view that come from the resource itself, alike in both modes."""
    return dict(
        id=resource.get("id"),
        name=resource.get("name"),
        status=resource.get("status"),
        cluster_mode=cluster_mode,
        project_id=resource.get("projectId"),
        description=resource.get("description") or "",
        version=resource.get("version"),
        port=to_int(resource.get("port")),
        flavor_id=resource.get("flavorId"),
        parameter_group_id=resource.get("parameterGroupId"),
        security_groups=ids(resource.get("securityGroups")),
        subnets=ids(resource.get("subnets")),
        tls_enabled=bool(resource.get("tlsEnabled")),
        created_at=resource.get("createdAt"),
    )


def compared_fields(view):
    """What the diff compares in both modes (never a secret)."""
    compared = dict((key, view[key]) for key in ("name", "description", "version", "port", "flavor_id",
                                                 "parameter_group_id", "tls_enabled"))
    compared["security_groups"] = sorted(view["security_groups"])
    return compared


# The service offers versions from its own list (read before a create: MemStoreClient.redis_versions);
# the collection checks their format, and the one mode rule known: 5.0.6 is cluster-mode-disabled only.
_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
CLUSTER_MODE_DISABLED_ONLY = ("5.0.6",)


def version_errors(version, cluster_mode_enabled):
    if version is None:
        return []
    if not _VERSION.match(version):
        return ["version must look like N.N.N, for example 7.2.7 (got %r)" % version]
    if cluster_mode_enabled and version in CLUSTER_MODE_DISABLED_ONLY:
        return ["version %s is offered for cluster mode disabled only (instance sets), not for clusters" % version]
    return []


def version_offer_error(version, offered, noun):
    """The message when the service does not offer ``version`` (None when it does, or does not say)."""
    if offered is None or version in offered:
        return None
    return "version %s is not offered by the service for a new %s (offered: %s)" % (version, noun, ", ".join(offered) or "none")


def common_errors(params, cluster_mode_enabled):
    """The rules both modes share: name, description, version, port, parameter group, security groups, subnets."""
    errors = name_errors(params["name"])
    errors.extend(version_errors(params.get("version"), cluster_mode_enabled))
    if params.get("description") is not None:
        errors.extend(description_errors(params["description"]))
    port = params.get("port")
    if port is not None and not PORT_MIN <= port <= PORT_MAX:
        errors.append("port must be between %d and %d (got %d)" % (PORT_MIN, PORT_MAX, port))
    parameter_group = params.get("parameter_group_id")
    if parameter_group is not None and not parameter_group.strip():
        errors.append("parameter_group_id must not be empty: the API cannot unlink a parameter group")
    if params.get("security_groups") is not None and not [sg for sg in params["security_groups"] if sg]:
        errors.append("security_groups must name at least one security group")
    if params.get("subnets") is not None and not [s for s in params["subnets"] if s]:
        errors.append("subnets must name at least one subnet")
    return errors


def node_count_errors(option, value):
    """``value`` nodes (primary included) for ``option``: from NODES_MIN to NODES_MAX."""
    if value is None or NODES_MIN <= value <= NODES_MAX:
        return []
    return ["%s must be between %d and %d: one primary and at most %d replicas (got %d)"
            % (option, NODES_MIN, NODES_MAX, NODES_MAX - 1, value)]


def assignment_subnet_errors(option, assignments, subnets):
    """Every subnet used by ``assignments`` (``[{primary, replicas}]``) must be in ``subnets``."""
    if not assignments or not subnets:
        return []
    used = []
    for assignment in assignments:
        used.append(assignment["primary"])
        used.extend(assignment.get("replicas") or [])
    unknown = unique([subnet for subnet in used if subnet not in subnets])
    if unknown:
        return ["%s may use only subnets listed in subnets: %s not in [%s]" % (option, ", ".join(unknown), ", ".join(subnets))]
    return []


# --- placing and removing replicas ----------------------------------------------------------
def replica_subnets(replicas, primary, first, count):
    """Subnets for replicas ``first`` .. ``first + count - 1``: ``replicas`` round robin,
    the primary's subnet when no replica subnet is given."""
    pool = list(replicas or []) or ([primary] if primary else [])
    if not pool:
        return []
    return [pool[(first + offset) % len(pool)] for offset in range(count)]


def removal_order(replicas):
    """Replicas in the order they are removed: those not Running first, then the newest.

    ``replicas`` are dicts with ``status``, oldest first.
    """
    return ([replica for replica in reversed(replicas) if not is_running(replica["status"])]
            + [replica for replica in reversed(replicas) if is_running(replica["status"])])


# --- options that cannot change after creation -------------------------------------------
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

    def compare_user(self, user):
        """Only the name can be compared: the password is write-only."""
        if not user:
            return
        live_user = self.resource.get("user") if isinstance(self.resource.get("user"), dict) else {}
        self.compare("user", "name=%s" % user["name"], "user", "name=%s" % live_user["name"] if live_user.get("name") else "none")

    def compare_subnets(self, subnets):
        if subnets is not None:
            self.compare("subnets", sorted(unique(subnets)), "subnets", sorted(unique(ids(self.resource.get("subnets")))))

    def compare_created_with(self, params):
        """The options fixed at creation in both cluster modes."""
        resource = self.resource
        self.compare("version", params.get("version"), "version", resource.get("version"))
        self.compare("port", params.get("port"), "port", to_int(resource.get("port")))
        self.compare("flavor_id", params.get("flavor_id"), "flavorId", resource.get("flavorId"))
        self.compare("tls_enabled", params.get("tls_enabled"), "tlsEnabled", bool(resource.get("tlsEnabled")))
        self.compare_user(params.get("user"))


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


def immutable_message(noun, name, differences):
    details = "; ".join("%s (live: %s, wanted: %s)" % (option, render(live), render(wanted)) for option, live, wanted in differences)
    return ("%s %r: %s cannot change after creation and differ%s from the live %s: %s. "
            "Delete and re-create the %s to change %s."
            % (noun, name, ", ".join(option for option, _live, _wanted in differences), "" if len(differences) > 1 else "s",
               noun.split()[-1], details, noun.split()[-1], "them" if len(differences) > 1 else "it"))


def render(value):
    if isinstance(value, list):
        return "[%s]" % ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "none" if value is None else str(value)
