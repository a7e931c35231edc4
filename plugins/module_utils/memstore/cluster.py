# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""MemStore clusters (cluster mode enabled), shared by memstore_cluster and
memstore_cluster_info: API paths and limits, option validation, reading a
cluster with its shards and nodes into the returned ``cluster`` dict, and the
plan of changes that converges a live cluster to the declared options.

Everything here except the readers is pure (no requests), so it is unit tested.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError, to_int
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import (
    MODE_DISABLED,
    MODE_ENABLED,
    is_busy,
    is_failed,
    is_running,
)
from ansible_collections.redisops.platform.plugins.module_utils.memstore.base import DELETED, MemberChange, MemStoreResource
from ansible_collections.redisops.platform.plugins.module_utils.memstore.rules import (
    RESOURCE_ARGUMENT_SPEC,
    ImmutableComparison,
    compared_fields,
    resource_fields,
    assignment_subnet_errors,
    common_errors,
    common_update,
    id_objects,
    ids,
    node_count_errors,
    removal_order,
    replica_subnets,
    unique,
)
from ansible_collections.redisops.platform.plugins.module_utils._resource import Plan, PlanError, step_class

CLUSTERS_PATH = "/v1/clusters"
CLUSTER_PATH = CLUSTERS_PATH + "/{id}"
SHARDS_PATH = CLUSTER_PATH + "/shards"
SHARD_PATH = SHARDS_PATH + "/{shard_id}"
NODES_PATH = SHARD_PATH + "/nodes"
NODE_PATH = NODES_PATH + "/{node_id}"

# Limits from the cluster-mode-enabled document.
SHARDS_MIN, SHARDS_MAX = 1, 12

ROLE_PRIMARY = "primary"
ROLE_REPLICA = "replica"

# The fields the module compares: when a listed item carries all of them the
# detail is not read (see MemStoreClient.complete).
LOOKUP_FIELDS = ("status", "description", "version", "port", "flavorId", "parameterGroupId",
                 "securityGroups", "subnets", "shardCount", "nodeCountPerShard")

# Options the API cannot change once the cluster exists (compared when given). The
# update endpoint changes only the description and the parameter group.
IMMUTABLE_OPTIONS = ("version", "port", "flavor_id", "tls_enabled", "user", "subnets", "security_groups")

# Options a create needs (the API requires them; the module has no defaults for them).
CREATE_REQUIRED = ("version", "port", "flavor_id", "parameter_group_id", "shard_count", "nodes_per_shard",
                   "subnet_assignments", "security_groups")


# --- validation (before any request) -------------------------------------------------
def validate(params):
    """Every rule the options break, one message each naming the option ([] when valid)."""
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


# --- reading -------------------------------------------------------------------------------
def normalize_node(item, port=None):
    """One node of ``GET .../shards`` in the module's names."""
    item = item or {}
    subnet = item.get("subnet")
    role = str(item.get("role") or "").lower()
    role = {"master": ROLE_PRIMARY, "slave": ROLE_REPLICA}.get(role, role) or None
    return dict(
        id=item.get("id") or item.get("objectId"),
        name=item.get("name"),
        role=role,
        status=item.get("status"),
        endpoint=item.get("endpoint"),
        port=to_int(item.get("port"), port),
        subnet_id=subnet.get("id") if isinstance(subnet, dict) else subnet,
        created_at=item.get("createdAt"),
    )


def _shard_key(shard):
    """Shards in their documented order (``001``, ``002``, ...), numeric when the ids are."""
    shard_id = str(shard.get("id") or "")
    return (0, int(shard_id), "") if shard_id.isdigit() else (1, 0, shard_id)


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
    return sorted((normalize_shard(item, port) for item in items or []), key=_shard_key)


def ensure_cluster(resource):
    """Fail clearly when an id or name designates an instance set (cluster mode disabled)."""
    if resource.get("clusterMode") == MODE_DISABLED:
        raise ClientError("%r is an instance set (cluster mode disabled), not a cluster: use redisops.platform.memstore_instance_set"
                          % resource.get("name"))


def read_cluster(client, name=None, cluster_id=None, read_shards=True):
    """``(resource, shards)`` of one cluster by id or name, or None when it does not exist.

    By name this is two requests: the list (whose item is used when it holds
    :data:`LOOKUP_FIELDS`, else the detail is read) and the shards with their
    nodes (None without ``read_shards``).
    """
    resource = client.find(name=name, resource_id=cluster_id, fields=LOOKUP_FIELDS)
    if resource is None:
        return None
    ensure_cluster(resource)
    return resource, list_shards(client, resource["id"], to_int(resource.get("port"))) if read_shards else None


def read_all_clusters(client, read_shards=True):
    """``[(resource, shards)]`` of every cluster of the project (cluster mode enabled; shards None without ``read_shards``)."""
    found = []
    for item in client.list_resources(MODE_ENABLED):
        resource = client.complete(item, LOOKUP_FIELDS)
        if resource is None or resource.get("clusterMode") == MODE_DISABLED:
            continue
        found.append((resource, list_shards(client, resource["id"], to_int(resource.get("port"))) if read_shards else None))
    return found


def _uniform(counts):
    """The one value of ``counts`` (None when they differ or there are none)."""
    return counts[0] if counts and len(set(counts)) == 1 else None


def cluster_view(resource, shards, shard_count=None, nodes_per_shard=None):
    """The ``cluster`` dict both modules return, from the cluster and its shards.

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
        nodes_per_shard = _uniform(counts) if shards else to_int(resource.get("nodeCountPerShard"))
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


def live_assignments(resource):
    """The live ``subnetAssignments`` as ``[{primary, replicas}]`` (an array, or one object)."""
    value = resource.get("subnetAssignments")
    if isinstance(value, dict):
        value = [value]
    found = []
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        primary = item.get("primary")
        primary = primary.get("id") if isinstance(primary, dict) else primary
        if primary:
            found.append(dict(primary=primary, replicas=ids(item.get("replicas"))))
    return found


# --- comparing and planning -------------------------------------------------------------------
def comparable(view):
    """The fields diff mode shows (no secrets)."""
    return dict(
        compared_fields(view),
        subnets=sorted(view["subnets"]),
        shard_count=view["shard_count"],
        nodes_per_shard=view["nodes_per_shard"],
        shard_nodes=list(view["shard_nodes"]),
    )


def immutable_differences(resource, params):
    """``(differences, unreadable)``: ``[(option, live, wanted)]`` for fixed options that
    differ from the live cluster, and the given fixed options the live cluster does not show."""
    check = ImmutableComparison(resource)
    check.compare_created_with(params)
    check.compare_subnets(params.get("subnets"))
    groups = params.get("security_groups")
    if groups is not None:
        check.compare("security_groups", sorted(unique(groups)), "securityGroups", sorted(unique(ids(resource.get("securityGroups")))))
    return check.differences, check.unreadable


def update_body(view, params):
    """``(PATCH body, changed option names)``: only what differs from the live cluster
    (a cluster's PATCH carries description and parameter group only)."""
    return common_update(view, params)


def shard_assignment(assignments, index, fallback_primary=None):
    """The placement of the shard at ``index`` (0-based): ``assignments`` round robin."""
    if assignments:
        return assignments[index % len(assignments)]
    return dict(primary=fallback_primary, replicas=[]) if fallback_primary else None


def assignment_object(assignment, nodes):
    """``{primary: {id}, replicas: [{id}, ...]}`` placing one primary and ``nodes - 1`` replicas."""
    replicas = replica_subnets(assignment.get("replicas"), assignment["primary"], 0, nodes - 1)
    return {"primary": {"id": assignment["primary"]}, "replicas": [{"id": subnet} for subnet in replicas]}


def _outside(subnets, allowed):
    return unique([subnet for subnet in subnets if allowed and subnet not in allowed])


def plan_changes(resource, view, params):
    """``(steps, after)``: the writes that converge the live cluster, in order, and the
    predicted comparable state. Raises :class:`PlanError` when the declared state
    cannot be reached; nothing is sent before that check.

    Order: update, remove shards (highest first), replicas of the shards that stay
    (shard by shard), add shards (each with ``nodes_per_shard`` nodes).
    """
    name = view["name"]
    after = comparable(view)
    steps = []
    body, changed = update_body(view, params)
    if body:
        steps.append(UpdateCluster("updated %s" % ", ".join(changed), cluster_id=resource["id"], body=body))
        for option in changed:
            after[option] = params[option]

    shards = view["shards"]
    current = len(shards)
    wanted_shards = current if params.get("shard_count") is None else params["shard_count"]
    counts = [shard["node_count"] for shard in shards]
    wanted_nodes = params.get("nodes_per_shard")
    new_shard_nodes = wanted_nodes or view["nodes_per_shard"] or (max(counts) if counts else None) or to_int(resource.get("nodeCountPerShard"))
    assignments = params.get("subnet_assignments") or live_assignments(resource)
    allowed = view["subnets"]

    if wanted_shards < current:
        if not params.get("allow_shard_removal"):
            raise PlanError("shard_count: cluster %r has %d shards and %d are wanted; removing shards moves their slots "
                            "to the other shards and can take long, so it needs allow_shard_removal: true"
                            % (name, current, wanted_shards))
        for shard in sorted(shards, key=_shard_key, reverse=True)[:current - wanted_shards]:
            steps.append(RemoveShard("removed shard %s" % _shard_label(shard), cluster_id=resource["id"], shard=shard))
    kept = sorted(shards, key=_shard_key)[:wanted_shards]

    if wanted_nodes is not None:
        for index, shard in enumerate(kept):
            steps.extend(_replica_steps(resource["id"], name, shard, index, wanted_nodes, assignments, allowed))

    if wanted_shards > current and not new_shard_nodes:
        raise PlanError("shard_count: the number of nodes of new shards of %r is not known; set nodes_per_shard" % name)
    for index in range(current, wanted_shards):
        assignment = shard_assignment(assignments, index)
        if assignment is None:
            raise PlanError("shard_count: no subnet is known for new shards of %r; set subnet_assignments" % name)
        placement = assignment_object(assignment, new_shard_nodes)
        outside = _outside([placement["primary"]["id"]] + ids(placement["replicas"]), allowed)
        if outside:
            raise PlanError("subnet_assignments: %s not among the subnets of cluster %r (%s)" % (", ".join(outside), name, ", ".join(allowed)))
        steps.append(AddShard("added a shard with %d node(s), primary in subnet %s" % (new_shard_nodes, assignment["primary"]),
                              cluster_id=resource["id"], body={"nodeCount": new_shard_nodes, "subnetAssignments": placement},
                              count_before=index))

    shard_nodes = [wanted_nodes or shard["node_count"] for shard in kept] + [new_shard_nodes] * max(0, wanted_shards - current)
    after.update(shard_count=wanted_shards, shard_nodes=shard_nodes, nodes_per_shard=_uniform(shard_nodes))
    return steps, after


def _shard_label(shard):
    return shard.get("name") or shard.get("id")


def _replica_steps(cluster_id, name, shard, index, wanted, assignments, allowed):
    nodes = shard["nodes"]
    current = len(nodes)
    label = _shard_label(shard)
    if wanted > current:
        primary = next((node for node in nodes if node["role"] == ROLE_PRIMARY), None)
        assignment = shard_assignment(assignments, index, primary["subnet_id"] if primary else None) or {}
        existing = len([node for node in nodes if node["role"] != ROLE_PRIMARY])
        subnets = replica_subnets(assignment.get("replicas"), assignment.get("primary"), existing, wanted - current)
        if not subnets:
            raise PlanError("nodes_per_shard: no subnet is known for new replicas of shard %s of %r; set subnet_assignments" % (label, name))
        outside = _outside(subnets, allowed)
        if outside:
            raise PlanError("subnet_assignments: %s not among the subnets of cluster %r (%s)" % (", ".join(outside), name, ", ".join(allowed)))
        return [AddShardReplica("added a replica to shard %s in subnet %s" % (label, subnet), cluster_id=cluster_id, shard=shard,
                                subnet=subnet, count_before=current + number) for number, subnet in enumerate(subnets)]
    if wanted < current:
        replicas = removal_order([node for node in nodes if node["role"] != ROLE_PRIMARY])
        if len(replicas) < current - wanted:
            raise PlanError("nodes_per_shard: shard %s of %r has %d node(s) but only %d replica(s): a primary is never removed"
                            % (label, name, current, len(replicas)))
        return [RemoveShardReplica("removed replica %s from shard %s" % (node["name"] or node["id"], label), cluster_id=cluster_id,
                                   shard=shard, node=node) for node in replicas[:current - wanted]]
    return []


def create_body(params):
    """The ``POST /v1/clusters`` body: one placement per shard (``subnet_assignments`` round robin)."""
    assignments = params["subnet_assignments"]
    shard_count, nodes = params["shard_count"], params["nodes_per_shard"]
    placements = [assignment_object(shard_assignment(assignments, index), nodes) for index in range(shard_count)]
    used = []
    for placement in placements:
        used.extend([placement["primary"]["id"]] + ids(placement["replicas"]))
    body = {
        "name": params["name"],
        "version": params["version"],
        "port": params["port"],
        "shardCount": shard_count,
        "nodeCountPerShard": nodes,
        "flavorId": params["flavor_id"],
        "parameterGroupId": params["parameter_group_id"],
        "subnets": id_objects(params.get("subnets") or unique(used)),
        "subnetAssignments": placements,
        "securityGroups": id_objects(params["security_groups"]),
    }
    if params.get("description") is not None:
        body["description"] = params["description"]
    if params.get("user"):
        body["user"] = {"name": params["user"]["name"], "password": params["user"]["password"]}
    if params.get("tls_enabled"):
        # Not in the cluster-mode-enabled document's body table; named as the instance-set API names it.
        body["tlsEnabled"] = True
    return body


def predicted_resource(body):
    """What a cluster created from ``body`` will look like (check mode), in the API's names."""
    resource = dict((key, value) for key, value in body.items() if key != "user")
    resource.update(id=None, status=None, clusterMode=MODE_ENABLED)
    return resource


def predicted_view(body):
    """The ``cluster`` a create of ``body`` leads to (no shards or nodes to show yet)."""
    view = cluster_view(predicted_resource(body), [], shard_count=body["shardCount"], nodes_per_shard=body["nodeCountPerShard"])
    view["shard_nodes"] = [body["nodeCountPerShard"]] * body["shardCount"]
    return view


# --- readiness -----------------------------------------------------------------------------------
def settled(shards):
    """No shard or node is busy (Failed ones do not count as busy)."""
    return all(not is_busy(shard["status"]) and all(not is_busy(node["status"]) for node in shard["nodes"])
               for shard in shards)


def all_running(shards):
    return all(is_running(shard["status"]) and all(is_running(node["status"]) for node in shard["nodes"])
               for shard in shards)


def any_failed(shards):
    return any(is_failed(shard["status"]) or any(is_failed(node["status"]) for node in shard["nodes"])
               for shard in shards)


def not_running(shards):
    """``["shard 001 Creating", "node c-001-002 Failed", ...]``: what keeps the cluster from being ready."""
    found = []
    for shard in shards:
        if not is_running(shard["status"]):
            found.append("shard %s %s" % (_shard_label(shard), shard["status"]))
        for node in shard["nodes"]:
            if not is_running(node["status"]):
                found.append("node %s (%s) %s" % (node["name"] or node["id"], node["role"], node["status"]))
    return found


def _shard_of(shards, shard_id):
    return next((shard for shard in shards if shard["id"] == shard_id), None)


# --- the changes of a live cluster: one step class each -------------------------------------------------
@step_class
class ClusterChange(MemberChange):
    """A change of a live cluster: shown once it is Running with the change visible (its members
    are its shards, each with its nodes)."""

    cluster_id: str = None

    settling = "the cluster and every shard and node to be Running"

    def send(self, api):
        method, path, _body = self.request()
        if method == "DELETE":
            api.delete(path, ok=DELETED)  # a shard or node already gone is what was asked
        else:
            super(ClusterChange, self).send(api)


@step_class
class UpdateCluster(ClusterChange):
    body: dict = None

    def request(self):
        return "PATCH", CLUSTER_PATH.format(id=self.cluster_id), self.body

    def shows_in(self, resource, members):
        view = cluster_view(resource, [])
        return all(view[option] == self.body[key] for key, option in (("description", "description"), ("parameterGroupId", "parameter_group_id"))
                   if key in self.body)


@step_class
class AddShard(ClusterChange):
    """Adds one shard; ``count_before`` is the number of shards before it."""

    body: dict = None
    count_before: int = None

    def request(self):
        return "POST", SHARDS_PATH.format(id=self.cluster_id), self.body

    def shows_in(self, resource, members):
        return len(members) > self.count_before


@step_class
class RemoveShard(ClusterChange):
    shard: dict = None

    def request(self):
        return "DELETE", SHARD_PATH.format(id=self.cluster_id, shard_id=self.shard["id"]), None

    def shows_in(self, resource, members):
        return _shard_of(members, self.shard["id"]) is None


@step_class
class AddShardReplica(ClusterChange):
    """Adds one replica to a shard; ``count_before`` is the shard's node count before it."""

    shard: dict = None
    subnet: str = None
    count_before: int = None

    def request(self):
        return "POST", NODES_PATH.format(id=self.cluster_id, shard_id=self.shard["id"]), {"subnet": {"id": self.subnet}}

    def shows_in(self, resource, members):
        shard = _shard_of(members, self.shard["id"])
        return shard is not None and shard["node_count"] > self.count_before


@step_class
class RemoveShardReplica(ClusterChange):
    shard: dict = None
    node: dict = None

    def request(self):
        return "DELETE", NODE_PATH.format(id=self.cluster_id, shard_id=self.shard["id"], node_id=self.node["id"]), None

    def shows_in(self, resource, members):
        shard = _shard_of(members, self.shard["id"])
        return shard is not None and self.node["id"] not in [node["id"] for node in shard["nodes"]]


# --- the resource --------------------------------------------------------------------------------------
ARGUMENT_SPEC = dict(
    RESOURCE_ARGUMENT_SPEC,
    version=dict(type="str"),
    shard_count=dict(type="int"),
    nodes_per_shard=dict(type="int"),
    subnet_assignments=dict(type="list", elements="dict", options=dict(
        primary=dict(type="str", required=True),
        replicas=dict(type="list", elements="str", default=[]),
    )),
    subnets=dict(type="list", elements="str"),
    security_groups=dict(type="list", elements="str"),
    tls_enabled=dict(type="bool"),
    allow_shard_removal=dict(type="bool", default=False),
)


class Cluster(MemStoreResource):
    """A cluster (cluster mode enabled): its members are its shards, each with its nodes."""

    noun = "cluster"
    short_noun = "cluster"
    result_key = "cluster"
    create_path = CLUSTERS_PATH
    item_path = CLUSTER_PATH
    mode = MODE_ENABLED
    create_required = CREATE_REQUIRED
    lookup_fields = LOOKUP_FIELDS
    settling = ClusterChange.settling
    validate = staticmethod(validate)
    ensure_kind = staticmethod(ensure_cluster)
    resource_view = staticmethod(cluster_view)
    comparable_view = staticmethod(comparable)
    plan_changes = staticmethod(plan_changes)
    immutable_differences = staticmethod(immutable_differences)
    members_ready = staticmethod(all_running)
    # A Failed replica does not block a change (removing it is one).
    members_writable = staticmethod(settled)
    members_failed = staticmethod(any_failed)

    def read_members(self, resource_id, resource):
        return list_shards(self.api, resource_id, to_int(resource.get("port")))

    def plan_create(self):
        body = create_body(self.params)
        predicted = predicted_view(body)
        return Plan([self.create_step("created", body)], after=comparable(predicted), predicted=dict(cluster=predicted))

    def describe_members(self, members):
        behind = not_running(members)
        return "; not Running: %s" % ", ".join(behind) if behind else ""

    def endpoints(self, view):
        return list((view or {}).get("endpoints") or [])
