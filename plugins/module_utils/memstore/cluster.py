# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""MemStore clusters (cluster mode enabled) as a resource of the runner: its options, the
body of a create, readiness (the cluster and every shard and node Running), and the plan
of changes that converges a live cluster to the declared options (update, shards, replicas)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import to_int
from ansible_collections.redisops.platform.plugins.module_utils._resource import Plan, PlanError
from ansible_collections.redisops.platform.plugins.module_utils.memstore.base import PLACEMENT_OPTIONS, SHARED_OPTIONS, MemStoreResource
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MODE_ENABLED, is_failed, is_running
from ansible_collections.redisops.platform.plugins.module_utils.memstore.compare import ImmutableComparison, common_update
from ansible_collections.redisops.platform.plugins.module_utils.memstore.paths import CLUSTERS_PATH
from ansible_collections.redisops.platform.plugins.module_utils.memstore.placement import (
    assignment_object,
    removal_order,
    replica_subnets,
    shard_assignment,
)
from ansible_collections.redisops.platform.plugins.module_utils.memstore.rules import cluster_errors
from ansible_collections.redisops.platform.plugins.module_utils.memstore.steps import (
    AddShard,
    AddShardReplica,
    ClusterChange,
    RemoveShard,
    RemoveShardReplica,
    UpdateCluster,
)
from ansible_collections.redisops.platform.plugins.module_utils.memstore.views import (
    ROLE_PRIMARY,
    cluster_compared,
    cluster_view,
    id_objects,
    ids,
    list_shards,
    live_assignments,
    settled,
    shard_key,
    shard_label,
    uniform,
    unique,
)


def _nodes_and_shards(shards):
    """Every shard and every node of ``shards``: what readiness looks at."""
    return list(shards) + [node for shard in shards for node in shard["nodes"]]


class Cluster(MemStoreResource):
    """A cluster (cluster mode enabled): its members are its shards, each with its nodes."""

    argument_spec = dict(
        SHARED_OPTIONS,
        shard_count=dict(type="int"),
        nodes_per_shard=dict(type="int"),
        subnet_assignments=dict(type="list", elements="dict", options=PLACEMENT_OPTIONS),
        allow_shard_removal=dict(type="bool", default=False),
    )
    list_key = "clusters"
    noun = "cluster"
    short_noun = "cluster"
    result_key = "cluster"
    create_path = CLUSTERS_PATH
    mode = MODE_ENABLED
    wrong_kind = "is an instance set (cluster mode disabled), not a cluster: use redisops.platform.memstore_instance_set"
    # The API requires them; the module has no defaults for them.
    create_required = ("version", "port", "flavor_id", "parameter_group_id", "shard_count", "nodes_per_shard",
                       "subnet_assignments", "security_groups")
    lookup_fields = ("status", "description", "version", "port", "flavorId", "parameterGroupId",
                     "securityGroups", "subnets", "shardCount", "nodeCountPerShard")
    settling = ClusterChange.settling

    @classmethod
    def validate(cls, params):
        return cluster_errors(params)

    # --- reading and showing --------------------------------------------------------------------------
    @classmethod
    def members_of(cls, api, resource):
        return list_shards(api, resource["id"], to_int(resource.get("port")))

    @classmethod
    def present(cls, resource, members):
        return cluster_view(resource, members)

    @classmethod
    def compared(cls, view):
        return cluster_compared(view)

    def members_ready(self, members):
        return all(is_running(member["status"]) for member in _nodes_and_shards(members))

    def members_writable(self, members):
        # A Failed replica does not block a change (removing it is one).
        return settled(_nodes_and_shards(members))

    def members_failed(self, members):
        return any(is_failed(member["status"]) for member in _nodes_and_shards(members))

    def describe_members(self, members):
        behind = []
        for shard in members:
            if not is_running(shard["status"]):
                behind.append("shard %s %s" % (shard_label(shard), shard["status"]))
            behind.extend("node %s (%s) %s" % (node["name"] or node["id"], node["role"], node["status"])
                          for node in shard["nodes"] if not is_running(node["status"]))
        return "; not Running: %s" % ", ".join(behind) if behind else ""

    def endpoints(self, view):
        return list((view or {}).get("endpoints") or [])

    # --- creating ---------------------------------------------------------------------------------------
    def create_body(self):
        """The ``POST /v1/clusters`` body: one placement per shard (``subnet_assignments`` round robin)."""
        params = self.params
        shard_count, nodes = params["shard_count"], params["nodes_per_shard"]
        placements = [assignment_object(shard_assignment(params["subnet_assignments"], index), nodes) for index in range(shard_count)]
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

    def plan_create(self):
        body = self.create_body()
        # What the new cluster will look like, in the API's names (never its user; no shards or nodes to show yet).
        resource = dict((key, value) for key, value in body.items() if key != "user")
        resource.update(id=None, status=None, clusterMode=MODE_ENABLED)
        predicted = cluster_view(resource, [], shard_count=body["shardCount"], nodes_per_shard=body["nodeCountPerShard"])
        predicted["shard_nodes"] = [body["nodeCountPerShard"]] * body["shardCount"]
        return Plan([self.create_step("created", body)], after=cluster_compared(predicted), predicted=dict(cluster=predicted))

    # --- converging a live cluster ---------------------------------------------------------------------------
    def immutable_comparison(self, resource):
        check = ImmutableComparison(resource)
        check.compare_created_with(self.params, self.flavor_name)
        check.compare_ids("subnets", self.params.get("subnets"), "subnets")
        # The update endpoint changes only the description and the parameter group.
        check.compare_ids("security_groups", self.params.get("security_groups"), "securityGroups")
        return check

    def plan_changes(self, resource, view):
        """``(steps, after)``: the writes that converge the live cluster, in order, and the
        predicted comparable state; PlanError before any write when it cannot be reached.

        Order: update, remove shards (highest first), replicas of the shards that stay
        (shard by shard), add shards (each with ``nodes_per_shard`` nodes).
        """
        params = self.params
        after = cluster_compared(view)
        steps = []
        body, changed = common_update(view, params)
        if body:
            steps.append(UpdateCluster("updated %s" % ", ".join(changed), cluster_id=view["id"], body=body))
            after.update((option, params[option]) for option in changed)
        shards = sorted(view["shards"], key=shard_key)
        wanted_shards = len(shards) if params.get("shard_count") is None else params["shard_count"]
        assignments = params.get("subnet_assignments") or live_assignments(resource)
        steps.extend(self.removed_shards(view, shards, wanted_shards))
        kept = shards[:wanted_shards]
        wanted_nodes = params.get("nodes_per_shard")
        if wanted_nodes is not None:
            for index, shard in enumerate(kept):
                steps.extend(self.replica_steps(view, shard, index, assignments))
        new_shard_nodes = (wanted_nodes or view["nodes_per_shard"] or max([shard["node_count"] for shard in shards] or [0])
                           or to_int(resource.get("nodeCountPerShard")))
        steps.extend(self.added_shards(view, wanted_shards, new_shard_nodes, assignments))
        shard_nodes = [wanted_nodes or shard["node_count"] for shard in kept] + [new_shard_nodes] * max(0, wanted_shards - len(shards))
        after.update(shard_count=wanted_shards, shard_nodes=shard_nodes, nodes_per_shard=uniform(shard_nodes))
        return steps, after

    def removed_shards(self, view, shards, wanted):
        """One RemoveShard per shard too many, the highest first (only with allow_shard_removal)."""
        if wanted >= len(shards):
            return []
        if not self.params.get("allow_shard_removal"):
            raise PlanError("shard_count: cluster %r has %d shards and %d are wanted; removing shards moves their slots "
                            "to the other shards and can take long, so it needs allow_shard_removal: true"
                            % (self.name, len(shards), wanted))
        return [RemoveShard("removed shard %s" % shard_label(shard), cluster_id=view["id"], shard=shard)
                for shard in reversed(shards[wanted:])]

    def added_shards(self, view, wanted, nodes, assignments):
        """One AddShard per missing shard, each with ``nodes`` nodes placed by ``assignments`` (round robin)."""
        current = len(view["shards"])
        if wanted > current and not nodes:
            raise PlanError("shard_count: the number of nodes of new shards of %r is not known; set nodes_per_shard" % self.name)
        steps = []
        for index in range(current, wanted):
            assignment = shard_assignment(assignments, index)
            if assignment is None:
                raise PlanError("shard_count: no subnet is known for new shards of %r; set subnet_assignments" % self.name)
            placement = assignment_object(assignment, nodes)
            self.check_subnets([placement["primary"]["id"]] + ids(placement["replicas"]), view)
            steps.append(AddShard("added a shard with %d node(s), primary in subnet %s" % (nodes, assignment["primary"]),
                                  cluster_id=view["id"], body={"nodeCount": nodes, "subnetAssignments": placement}, count_before=index))
        return steps

    def replica_steps(self, view, shard, index, assignments):
        """The replicas added to or removed from the shard at ``index`` to give it ``nodes_per_shard`` nodes."""
        wanted, nodes, label = self.params["nodes_per_shard"], shard["nodes"], shard_label(shard)
        current = len(nodes)
        if wanted > current:
            primary = next((node for node in nodes if node["role"] == ROLE_PRIMARY), None)
            assignment = shard_assignment(assignments, index, primary["subnet_id"] if primary else None) or {}
            existing = len([node for node in nodes if node["role"] != ROLE_PRIMARY])
            subnets = replica_subnets(assignment.get("replicas"), assignment.get("primary"), existing, wanted - current)
            if not subnets:
                raise PlanError("nodes_per_shard: no subnet is known for new replicas of shard %s of %r; set subnet_assignments"
                                % (label, self.name))
            self.check_subnets(subnets, view)
            return [AddShardReplica("added a replica to shard %s in subnet %s" % (label, subnet), cluster_id=view["id"], shard=shard,
                                    subnet=subnet, count_before=current + number) for number, subnet in enumerate(subnets)]
        if wanted < current:
            replicas = removal_order([node for node in nodes if node["role"] != ROLE_PRIMARY])
            if len(replicas) < current - wanted:
                raise PlanError("nodes_per_shard: shard %s of %r has %d node(s) but only %d replica(s): a primary is never removed"
                                % (label, self.name, current, len(replicas)))
            return [RemoveShardReplica("removed replica %s from shard %s" % (node["name"] or node["id"], label), cluster_id=view["id"],
                                       shard=shard, node=node) for node in replicas[:current - wanted]]
        return []

    def check_subnets(self, subnets, view):
        """Refuse subnets the live cluster does not have."""
        allowed = view["subnets"]
        outside = unique([subnet for subnet in subnets if allowed and subnet not in allowed])
        if outside:
            raise PlanError("subnet_assignments: %s not among the subnets of cluster %r (%s)" % (", ".join(outside), self.name, ", ".join(allowed)))


def read_all_clusters(client, read_shards=True):
    """Every cluster of the project: :meth:`Cluster.read_every` (the import path the inventory plugin uses)."""
    return Cluster.read_every(client, read_shards)


__all__ = ["Cluster", "list_shards", "read_all_clusters"]
