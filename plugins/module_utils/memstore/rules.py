# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The rules MemStore options must follow, checked before any request: names,
descriptions, versions, ports, parameter groups, security groups, subnets and node
counts (both modes), the backup and restore options (instance sets), the shard options
(clusters), manual backups' names. Validators only: each returns the rules broken, one sentence each.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

NAME_MIN, NAME_MAX = 4, 20
DESCRIPTION_MAX = 100
PORT_MIN, PORT_MAX = 2000, 50000
# Nodes of an instance set, or of one shard of a cluster: one primary and at most five replicas.
NODES_MIN, NODES_MAX = 1, 6
# Limits from the cluster-mode-disabled document.
HOUR_MIN, HOUR_MAX = 0, 23
RETENTION_MIN, RETENTION_MAX = 1, 35
# Limits from the cluster-mode-enabled document.
SHARDS_MIN, SHARDS_MAX = 1, 12

_NAME_CHARS = re.compile(r"^[a-z0-9-]*$")
# Emoji: anything outside the Basic Multilingual Plane (U+1F000 and up included),
# Miscellaneous Symbols and Dingbats (U+2600-U+27BF) and variation selectors.
_EMOJI = re.compile(u"[\u2600-\u27bf\ufe00-\ufe0f\U00010000-\U0010ffff]")
_BACKUP_FILE = re.compile(r"^[^/\s]+/.*[^/]$")

# The service offers versions from its own list (read before a create: MemStoreClient.redis_versions);
# the collection checks their format, and the one mode rule known: 5.0.6 is cluster-mode-disabled only.
_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
CLUSTER_MODE_DISABLED_ONLY = ("5.0.6",)

# Custom parameter group names (assumed: the pages we have state no rule): letters, digits, '-', '_' and '.',
# starting with a letter, at most 64 characters.
_GROUP_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")
GROUP_NAME_MAX = 64


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


# Manual backup names: what the service's own backups are named with (``scheduled.cache.2024-02-27-16-47.KST``).
# The documents give no rule; this one is an assumption, checked by the emulator alike.
BACKUP_NAME_MAX = 64
_BACKUP_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


def backup_name_errors(name):
    """The rules a manual backup's ``name`` breaks."""
    if not 1 <= len(name) <= BACKUP_NAME_MAX or not _BACKUP_NAME.match(name):
        return ["name must be 1 to %d letters, digits, '.', '-' and '_' (got %r)" % (BACKUP_NAME_MAX, name)]
    return []


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
    for option in ("flavor", "parameter_group"):
        if params.get(option) is not None and not params[option].strip():
            errors.append("%s must not be empty: it names a %s" % (option, option.replace("_", " ")))
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
    unknown = []
    for assignment in assignments:
        for subnet in [assignment["primary"]] + list(assignment.get("replicas") or []):
            if subnet not in subnets and subnet not in unknown:
                unknown.append(subnet)
    if unknown:
        return ["%s may use only subnets listed in subnets: %s not in [%s]" % (option, ", ".join(unknown), ", ".join(subnets))]
    return []


def backup_errors(backup):
    if not backup:
        return []
    errors = []
    if backup.get("enabled", True):
        missing = [key for key in ("hour", "retention_days") if backup.get(key) is None]
        if missing:
            errors.append("backup.%s required when backup.enabled is true" % " and backup.".join(missing))
    hour, retention = backup.get("hour"), backup.get("retention_days")
    if hour is not None and not HOUR_MIN <= hour <= HOUR_MAX:
        errors.append("backup.hour must be between %d and %d (got %d)" % (HOUR_MIN, HOUR_MAX, hour))
    if retention is not None and not RETENTION_MIN <= retention <= RETENTION_MAX:
        errors.append("backup.retention_days must be between %d and %d (got %d)" % (RETENTION_MIN, RETENTION_MAX, retention))
    return errors


def restore_errors(restore):
    if not restore or restore.get("files") is None:
        return []
    files = restore["files"]
    if not files:
        return ["restore_from.files must name at least one file"]
    bad = [path for path in files if not _BACKUP_FILE.match(path or "")]
    if bad:
        return ["restore_from.files entries must look like bucket/folder/.../file (got %s)" % ", ".join(repr(b) for b in bad)]
    return []


def instance_set_errors(params):
    """Every rule the options of an instance set break, one message each naming the option ([] when valid)."""
    errors = common_errors(params, cluster_mode_enabled=False)
    errors.extend(node_count_errors("node_count", params.get("node_count")))
    errors.extend(backup_errors(params.get("backup")))
    errors.extend(restore_errors(params.get("restore_from")))
    assignment = params.get("subnet_assignment")
    errors.extend(assignment_subnet_errors("subnet_assignment", [assignment] if assignment else None, params.get("subnets")))
    return errors


def cluster_errors(params):
    """Every rule the options of a cluster break, one message each naming the option ([] when valid)."""
    errors = common_errors(params, cluster_mode_enabled=True)
    shard_count = params.get("shard_count")
    if shard_count is not None and not SHARDS_MIN <= shard_count <= SHARDS_MAX:
        errors.append("shard_count must be between %d and %d (got %d)" % (SHARDS_MIN, SHARDS_MAX, shard_count))
    errors.extend(node_count_errors("nodes_per_shard", params.get("nodes_per_shard")))
    assignments = params.get("subnet_assignments")
    if assignments is not None:
        if not assignments:
            errors.append("subnet_assignments must hold at least one {primary, replicas} placement")
        elif shard_count is not None and SHARDS_MIN <= shard_count and len(assignments) > shard_count:
            errors.append("subnet_assignments must hold at most one placement per shard: %d given for shard_count %d"
                          % (len(assignments), shard_count))
        errors.extend(assignment_subnet_errors("subnet_assignments", assignments, params.get("subnets")))
    return errors


def parameter_group_errors(params):
    """Every rule the options of a custom parameter group break, one message each naming the option ([] when valid)."""
    name, errors = params["name"], []
    if not 1 <= len(name) <= GROUP_NAME_MAX:
        errors.append("name must be 1 to %d characters long (got %d)" % (GROUP_NAME_MAX, len(name)))
    elif not _GROUP_NAME.match(name):
        errors.append("name may contain only letters, digits, '-', '_' and '.', and must start with a letter (got %r)" % name)
    if params.get("description") is not None:
        errors.extend(description_errors(params["description"]))
    if params.get("base") is not None and not params["base"].strip():
        errors.append("base must not be empty: it names the default group the new one is made from")
    return errors
