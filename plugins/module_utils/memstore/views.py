# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What MemStore answers, in the modules' names: the members of an instance set (its
instances) and of a cluster (its shards, each with its nodes), read tolerantly, and the
``instance_set`` and ``cluster`` dicts the modules return, with what their diffs compare.

Pure functions except ``list_instances`` and ``list_shards`` (one request each).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import to_int
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MODE_DISABLED, MODE_ENABLED, is_busy
from ansible_collections.redisops.platform.plugins.module_utils.memstore.paths import INSTANCES_PATH, SHARDS_PATH

ROLE_PRIMARY = "primary"
ROLE_REPLICA = "replica"


# --- values ----------------------------------------------------------------------------------------
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


def _object_id(value):
    """A subnet given as ``{"id": ...}`` or as its id."""
    return value.get("id") if isinstance(value, dict) else value


def _member(item, **fields):
    """The fields every instance and node has, in the modules' names (``master``/``slave`` read as primary/replica)."""
    role = str(item.get("role") or "").lower()
    return dict(role={"master": ROLE_PRIMARY, "slave": ROLE_REPLICA}.get(role, role) or None, status=item.get("status"),
                endpoint=item.get("endpoint"), subnet_id=_object_id(item.get("subnet")), created_at=item.get("createdAt"), **fields)


def settled(members):
    """No member is busy (Failed ones do not count as busy)."""
    return all(not is_busy(member["status"]) for member in members)


# --- both modes ---------------------------------------------------------------------------------------
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
        flavor=None,  # the names: known when a task read the catalogs (catalog.with_names)
        parameter_group_id=resource.get("parameterGroupId"),
        parameter_group=None,
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


def live_assignments(resource):
    """The live ``subnetAssignments`` as ``[{primary, replicas}]`` (an array in the table, one object in some examples)."""
    value = resource.get("subnetAssignments")
    if isinstance(value, dict):
        value = [value]
    found = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, dict) and _object_id(item.get("primary")):
            found.append(dict(primary=_object_id(item.get("primary")), replicas=ids(item.get("replicas"))))
    return found


# --- instance sets ------------------------------------------------------------------------------------
def normalize_instance(item):
    """One entry of ``GET /v1/instance-sets/{id}/instances`` in the module's names."""
    item = item or {}
    return _member(item, id=item.get("objectId") or item.get("id") or item.get("instanceId"),
                   name=item.get("instanceName") or item.get("name"), port=to_int(item.get("port")),
                   version=item.get("version"), flavor_id=item.get("flavorId"))


def list_instances(client, set_id):
    """The instances of an instance set (one request)."""
    body = client.get(INSTANCES_PATH.format(id=set_id)).data
    items = body.get("data") if isinstance(body, dict) else body
    return [normalize_instance(item) for item in items or []]


def backup_cron(hour):
    """The hour-only cron the API takes for a daily backup at ``hour``."""
    return "* %d * * *" % hour


def cron_hour(cron):
    """The hour of an hour-only cron ``* H * * *``; None for anything else."""
    parts = (cron or "").split()
    if len(parts) == 5 and parts[1].isdigit() and all(part == "*" for index, part in enumerate(parts) if index != 1):
        return int(parts[1])
    return None


NO_BACKUP = dict(enabled=False, hour=None, retention_days=None, cron="")


def backup_view(schedule):
    """``backupSchedule`` as ``{enabled, hour, retention_days, cron}``; an empty cron is off."""
    schedule = schedule if isinstance(schedule, dict) else {}
    cron = (schedule.get("cron") or "").strip()
    if not cron:
        return dict(NO_BACKUP)
    return dict(enabled=True, hour=cron_hour(cron), retention_days=to_int(schedule.get("retentionLimit")), cron=cron)


def desired_backup(option, live):
    """What the ``backup`` option asks for, as :func:`backup_view` (``live`` when not given)."""
    if option is None:
        return live
    if not option.get("enabled", True):
        return dict(NO_BACKUP)
    return dict(enabled=True, hour=option["hour"], retention_days=option["retention_days"], cron=backup_cron(option["hour"]))


def backup_key(view):
    """What tells two backup schedules apart."""
    return (view["enabled"], view["hour"], view["retention_days"]) if view["enabled"] else (False,)


def instance_set_view(resource, instances, node_count=None):
    """The ``instance_set`` dict the modules return, from the set and its instances.

    ``instances`` None (not read): the fields made from them are None, and
    ``node_count`` is the set's own ``replicas``.
    """
    if instances is None:
        return dict(instance_set_view(resource, [], node_count=to_int(resource.get("replicas"))),
                    primary_endpoint=None, replica_endpoints=None, instances=None)
    primary = next((instance for instance in instances if instance["role"] == ROLE_PRIMARY), None)
    replicas = [instance for instance in instances if instance["role"] != ROLE_PRIMARY]
    return dict(
        resource_fields(resource, MODE_DISABLED),
        high_availability=bool(resource.get("recoveryEnabled")),
        backup=backup_view(resource.get("backupSchedule")),
        node_count=len(instances) if node_count is None else node_count,
        primary=dict(primary) if primary else None,
        primary_endpoint=primary["endpoint"] if primary else None,
        replica_endpoints=[replica["endpoint"] for replica in replicas if replica.get("endpoint")],
        instances=[dict(instance) for instance in instances],
    )


def instance_set_compared(view):
    """What an instance set's diff compares (no secrets)."""
    backup = view["backup"]
    return dict(
        compared_fields(view),
        high_availability=view["high_availability"],
        backup=dict(enabled=backup["enabled"], hour=backup["hour"], retention_days=backup["retention_days"]),
        node_count=view["node_count"],
        primary_instance=(view["primary"] or {}).get("name"),
    )


# --- clusters -------------------------------------------------------------------------------------------
def normalize_node(item, port=None):
    """One node of ``GET .../shards`` in the module's names."""
    item = item or {}
    return _member(item, id=item.get("id") or item.get("objectId"), name=item.get("name"), port=to_int(item.get("port"), port))


def shard_key(shard):
    """Shards in their documented order (``001``, ``002``, ...), numeric when the ids are."""
    shard_id = str(shard.get("id") or "")
    return (0, int(shard_id), "") if shard_id.isdigit() else (1, 0, shard_id)


def shard_label(shard):
    return shard.get("name") or shard.get("id")


def shard_of(shards, shard_id):
    return next((shard for shard in shards if shard["id"] == shard_id), None)


def normalize_shard(item, port=None):
    """One shard of ``GET .../shards`` in the module's names, with its nodes."""
    item = item or {}
    nodes = [normalize_node(node, port) for node in item.get("nodes") or []]
    primary = next((node for node in nodes if node["role"] == ROLE_PRIMARY), None)
    return dict(
        id=item.get("id"),
        name=item.get("name"),
        slots=item.get("slots"),
        status=item.get("status"),
        node_count=len(nodes),
        primary_endpoint=primary["endpoint"] if primary else None,
        replica_endpoints=[node["endpoint"] for node in nodes if node["role"] != ROLE_PRIMARY and node.get("endpoint")],
        nodes=nodes,
        created_at=item.get("createdAt"),
    )


def list_shards(client, cluster_id, port=None):
    """The shards of a cluster with their nodes, in shard order (one request)."""
    body = client.get(SHARDS_PATH.format(id=cluster_id)).data
    items = body.get("shards") if isinstance(body, dict) else body
    return sorted((normalize_shard(item, port) for item in items or []), key=shard_key)


def uniform(counts):
    """The one value of ``counts`` (None when they differ or there are none)."""
    return counts[0] if counts and len(set(counts)) == 1 else None


def cluster_view(resource, shards, shard_count=None, nodes_per_shard=None):
    """The ``cluster`` dict the modules return, from the cluster and its shards.

    ``shard_count`` and ``nodes_per_shard`` come from the shards when they are
    read; ``nodes_per_shard`` is None when the shards hold different numbers of nodes.
    ``shards`` None (not read): both come from the cluster itself, and the fields
    made from the shards are None.
    """
    if shards is None:
        return dict(cluster_view(resource, [], shard_count, nodes_per_shard),
                    shard_nodes=None, endpoints=None, primary_endpoints=None, shards=None)
    port = to_int(resource.get("port"))
    counts = [shard["node_count"] for shard in shards]
    if shard_count is None:
        shard_count = len(shards) if shards else to_int(resource.get("shardCount"))
    if nodes_per_shard is None:
        nodes_per_shard = uniform(counts) if shards else to_int(resource.get("nodeCountPerShard"))
    nodes = [node for shard in shards for node in shard["nodes"]]
    return dict(
        resource_fields(resource, MODE_ENABLED),
        shard_count=shard_count,
        nodes_per_shard=nodes_per_shard,
        shard_nodes=counts,
        endpoints=["%s:%s" % (node["endpoint"], node["port"] or port) for node in nodes if node.get("endpoint")],
        primary_endpoints=[shard["primary_endpoint"] for shard in shards if shard["primary_endpoint"]],
        shards=[dict(shard, nodes=[dict(node) for node in shard["nodes"]]) for shard in shards],
    )


def cluster_compared(view):
    """What a cluster's diff compares (no secrets)."""
    return dict(
        compared_fields(view),
        subnets=sorted(view["subnets"]),
        shard_count=view["shard_count"],
        nodes_per_shard=view["nodes_per_shard"],
        shard_nodes=list(view["shard_nodes"]),
    )
