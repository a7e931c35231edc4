# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""MemStore instance sets (cluster mode disabled) as a resource of the runner: its
options, the body of a create, and the plan of changes that converges a live set to
the declared options (update, high availability, promotion, replicas)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._resource import Plan, PlanError
from ansible_collections.redisops.platform.plugins.module_utils.memstore.base import PLACEMENT_OPTIONS, SHARED_OPTIONS, MemStoreResource
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MODE_DISABLED, is_running
from ansible_collections.redisops.platform.plugins.module_utils.memstore.compare import ImmutableComparison, common_update
from ansible_collections.redisops.platform.plugins.module_utils.memstore.paths import SETS_PATH
from ansible_collections.redisops.platform.plugins.module_utils.memstore.placement import removal_order, replica_subnets
from ansible_collections.redisops.platform.plugins.module_utils.memstore.rules import instance_set_errors
from ansible_collections.redisops.platform.plugins.module_utils.memstore.steps import (
    AddReplica,
    DeleteInstance,
    PromoteInstance,
    SetRecovery,
    UpdateSet,
)
from ansible_collections.redisops.platform.plugins.module_utils.memstore.views import (
    ROLE_PRIMARY,
    ROLE_REPLICA,
    backup_cron,
    backup_key,
    desired_backup,
    id_objects,
    instance_set_compared,
    instance_set_view,
    list_instances,
    live_assignments,
    unique,
)


def _restore_key(value):
    """``restore_from`` option or live ``restoreSource`` -> comparable tuple (None when none)."""
    if not value:
        return None
    name = value.get("backup_name") or value.get("backupName")
    if name:
        return ("backup_name", name)
    files = value.get("files")
    if files:
        return ("files", tuple(sorted(files)))
    return None


def _render_restore(value):
    key = _restore_key(value)
    if key is None:
        return "none"
    return "%s=%s" % (key[0], key[1] if key[0] == "backup_name" else ",".join(key[1]))


class InstanceSet(MemStoreResource):
    """An instance set (cluster mode disabled): its members are its instances."""

    argument_spec = dict(
        SHARED_OPTIONS,
        node_count=dict(type="int"),
        high_availability=dict(type="bool", aliases=["recovery_enabled"]),
        subnet_assignment=dict(type="dict", options=PLACEMENT_OPTIONS),
        backup=dict(type="dict", options=dict(
            enabled=dict(type="bool", default=True),
            hour=dict(type="int"),
            retention_days=dict(type="int"),
        )),
        restore_from=dict(type="dict", options=dict(
            backup_name=dict(type="str"),
            files=dict(type="list", elements="str"),
        ), mutually_exclusive=[("backup_name", "files")], required_one_of=[("backup_name", "files")]),
        primary_instance=dict(type="str"),
        keep_automatic_backups=dict(type="bool", default=True),
    )
    list_key = "instance_sets"
    noun = "instance set"
    short_noun = "set"
    result_key = "instance_set"
    create_path = SETS_PATH
    mode = MODE_DISABLED
    wrong_kind = "is a cluster with cluster mode enabled, not an instance set: use redisops.platform.memstore_cluster"
    # The API requires them; the module has no defaults for them.
    create_required = ("flavor_id", "version", "port", "parameter_group_id", "node_count", "subnet_assignment", "security_groups")
    lookup_fields = ("status", "description", "version", "port", "flavorId", "parameterGroupId",
                     "securityGroups", "tlsEnabled", "recoveryEnabled", "backupSchedule")
    settling = "the set to be Running"

    @classmethod
    def validate(cls, params):
        return instance_set_errors(params)

    # --- reading and showing --------------------------------------------------------------------------
    @classmethod
    def members_of(cls, api, resource):
        return list_instances(api, resource["id"])

    @classmethod
    def present(cls, resource, members):
        return instance_set_view(resource, members)

    @classmethod
    def compared(cls, view):
        return instance_set_compared(view)

    def predicted_view(self, view, after):
        predicted = dict(view, **after)
        predicted.update(primary=view["primary"], instances=view["instances"])
        return predicted

    def describe_members(self, members):
        return " (%s)" % ", ".join("%s %s %s" % (i["name"], i["role"], i["status"]) for i in members)

    def endpoints(self, view):
        if not view:
            return []
        return [endpoint for endpoint in [view.get("primary_endpoint")] + list(view.get("replica_endpoints") or []) if endpoint]

    def delete_params(self):
        return {"keepAutomaticBackups": "true" if self.params["keep_automatic_backups"] else "false"}

    # --- creating ---------------------------------------------------------------------------------------
    def create_body(self, project_id):
        """The ``POST /v1/instance-sets`` body for the three variants (new, backup name, files)."""
        params = self.params
        assignment = params["subnet_assignment"]
        node_count = params["node_count"]
        replicas = replica_subnets(assignment.get("replicas"), assignment["primary"], 0, node_count - 1)
        body = {
            "instanceSetName": params["name"],
            "replicas": node_count,
            "flavorId": params["flavor_id"],
            "recoveryEnabled": bool(params.get("high_availability")),
            "subnets": id_objects(params.get("subnets") or unique([assignment["primary"]] + replicas)),
            "subnetAssignments": [{"primary": {"id": assignment["primary"]}, "replicas": [{"id": s} for s in replicas]}],
            "securityGroups": id_objects(params["security_groups"]),
            "parameterGroupId": params["parameter_group_id"],
            "port": params["port"],
            "projectId": project_id,
            "version": params["version"],
        }
        if params.get("description") is not None:
            body["description"] = params["description"]
        if params.get("tls_enabled") is not None:
            body["tlsEnabled"] = params["tls_enabled"]
        backup = params.get("backup")
        if backup and backup.get("enabled", True):
            body["backupSchedule"] = {"cron": backup_cron(backup["hour"]), "retentionLimit": backup["retention_days"]}
        if params.get("user"):
            body["user"] = {"name": params["user"]["name"], "password": params["user"]["password"]}
        restore = params.get("restore_from")
        if restore:
            body["restoreSource"] = {"backupName": restore["backup_name"]} if restore.get("backup_name") else {"files": list(restore["files"])}
        return body

    def plan_create(self):
        if self.params.get("primary_instance"):
            raise PlanError("primary_instance: instance set %r does not exist yet, so none of its instances can be named" % self.name)
        body = self.create_body(self.api.project_id)
        # What the new set will look like, in the API's names (never its user).
        resource = dict((key, value) for key, value in body.items() if key not in ("user", "instanceSetName"))
        resource.update(id=None, name=body["instanceSetName"], status=None, clusterMode=MODE_DISABLED)
        predicted = instance_set_view(resource, [], node_count=body["replicas"])
        restore = self.params.get("restore_from")
        if not restore:
            text = "created"
        elif restore.get("backup_name"):
            text = "created from backup %r" % restore["backup_name"]
        else:
            text = "created from %d Object Storage file(s)" % len(restore["files"])
        return Plan([self.create_step(text, body)], after=instance_set_compared(predicted), predicted=dict(instance_set=predicted))

    # --- converging a live set -----------------------------------------------------------------------------
    def immutable_comparison(self, resource):
        params = self.params
        check = ImmutableComparison(resource)
        check.compare_created_with(params, self.flavor_name)
        if params.get("restore_from"):
            check.compare("restore_from", _render_restore(params["restore_from"]), "restoreSource", _render_restore(resource.get("restoreSource")))
        if params.get("subnet_assignment"):
            live = live_assignments(resource)
            check.compare("subnet_assignment.primary", params["subnet_assignment"]["primary"], "subnetAssignments",
                          live[0]["primary"] if live else None)
        check.compare_ids("subnets", params.get("subnets"), "subnets")
        return check

    def update_body(self, view):
        """``(PATCH body, changed option names)``: only what differs from the live set."""
        params = self.params
        body, changed = common_update(view, params)
        groups = params.get("security_groups")
        if groups is not None and sorted(unique(groups)) != sorted(unique(view["security_groups"])):
            body["securityGroups"] = id_objects(groups)
            changed.append("security_groups")
        wanted = desired_backup(params.get("backup"), view["backup"])
        if backup_key(wanted) != backup_key(view["backup"]):
            # An empty cron is the documented way to disable automatic backups.
            body["backupSchedule"] = {"cron": wanted["cron"], "retentionLimit": wanted["retention_days"]} if wanted["enabled"] else {"cron": ""}
            changed.append("backup")
        return body, changed

    def declared(self, option):
        """The comparable value an updated ``option`` takes."""
        if option == "security_groups":
            return sorted(unique(self.params["security_groups"]))
        if option == "backup":
            wanted = desired_backup(self.params["backup"], None)
            return dict(enabled=wanted["enabled"], hour=wanted["hour"], retention_days=wanted["retention_days"])
        return self.params[option]

    def plan_changes(self, resource, view):
        """``(steps, after)``: the writes that converge the live set, in order, and the predicted
        comparable state; PlanError before any write when the API's rules make it unreachable.

        Order: update, HA off, promote, scale, HA on. Promotion needs HA off, so a task that
        turns HA on promotes first; a task that turns it off does so first.
        """
        params = self.params
        after = instance_set_compared(view)
        steps = []
        body, changed = self.update_body(view)
        if body:
            steps.append(UpdateSet("updated %s" % ", ".join(changed), set_id=view["id"], body=body))
            after.update((option, self.declared(option)) for option in changed)
        ha_now = view["high_availability"]
        ha_wanted = ha_now if params.get("high_availability") is None else params["high_availability"]
        target = self.promotion_target(view, ha_now and ha_wanted)
        if ha_now and not ha_wanted:
            steps.append(SetRecovery("turned high availability off", set_id=view["id"], enabled=False))
        if target is not None:
            steps.append(PromoteInstance("promoted %r to primary" % target["name"], set_id=view["id"], instance=target))
            after["primary_instance"] = target["name"]
        wanted_nodes = params.get("node_count")
        if wanted_nodes is not None and wanted_nodes > len(view["instances"]):
            steps.extend(self.added_replicas(resource, view, wanted_nodes))
        elif wanted_nodes is not None and wanted_nodes < len(view["instances"]):
            steps.extend(self.removed_replicas(view, target, wanted_nodes, ha_on=ha_now and ha_wanted))
        if wanted_nodes is not None:
            after["node_count"] = wanted_nodes
        if ha_wanted and not ha_now:
            steps.append(SetRecovery("turned high availability on", set_id=view["id"], enabled=True))
        after["high_availability"] = ha_wanted
        return steps, after

    def promotion_target(self, view, ha_stays_on):
        """The replica ``primary_instance`` names to promote (None when there is nothing to promote)."""
        wanted = self.params.get("primary_instance")
        if not wanted:
            return None
        instances, primary = view["instances"], view["primary"]
        target = next((instance for instance in instances if wanted in (instance["id"], instance["name"])), None)
        if target is None:
            raise PlanError("primary_instance: %r is not an instance of instance set %r (its instances: %s)"
                            % (wanted, self.name, ", ".join(i["name"] or i["id"] for i in instances) or "none"))
        if primary is not None and target["id"] == primary["id"]:
            return None
        if target["role"] != ROLE_REPLICA:
            raise PlanError("primary_instance: %r is not a replica of instance set %r (role: %s)" % (wanted, self.name, target["role"]))
        if ha_stays_on:
            raise PlanError("primary_instance: instance set %r has high availability on, and a replica can only be promoted "
                            "with it off; set high_availability: false to turn it off first" % self.name)
        return target

    def added_replicas(self, resource, view, wanted):
        """One AddReplica per missing node, in the subnets of the assignment (round robin)."""
        instances = view["instances"]
        live = live_assignments(resource)
        assignment = self.params.get("subnet_assignment") or (live[0] if live else {})
        primary_subnet = assignment.get("primary") or (view["primary"] or {}).get("subnet_id")
        existing_replicas = len([i for i in instances if i["role"] != ROLE_PRIMARY])
        subnets = replica_subnets(assignment.get("replicas"), primary_subnet, existing_replicas, wanted - len(instances))
        if not subnets:
            raise PlanError("node_count: no subnet is known for new replicas of %r; set subnet_assignment" % self.name)
        allowed = view["subnets"]
        outside = unique([subnet for subnet in subnets if allowed and subnet not in allowed])
        if outside:
            raise PlanError("subnet_assignment.replicas: %s not among the subnets of instance set %r (%s)"
                            % (", ".join(outside), self.name, ", ".join(allowed)))
        return [AddReplica("added a replica in subnet %s" % subnet, set_id=view["id"], subnet=subnet, count_before=len(instances) + index)
                for index, subnet in enumerate(subnets)]

    def removed_replicas(self, view, target, wanted, ha_on):
        """One DeleteInstance per node too many: never the (new) primary."""
        remove = len(view["instances"]) - wanted
        if desired_backup(self.params.get("backup"), view["backup"])["enabled"] and wanted < 2:
            raise PlanError("node_count: instance set %r has an active automatic backup policy, and the API refuses to delete an "
                            "instance from a two-node set then; keep at least 2 nodes or set backup.enabled: false" % self.name)
        new_primary = target or view["primary"] or {}
        replicas = [i for i in view["instances"] if i["id"] != new_primary.get("id")]
        if ha_on:
            # With high availability on, only Running instances can be deleted.
            candidates = [i for i in reversed(replicas) if is_running(i["status"])]
        else:
            candidates = removal_order(replicas)
        if len(candidates) < remove:
            raise PlanError("node_count: %d replica(s) of %r must go but only %d can be deleted%s"
                            % (remove, self.name, len(candidates),
                               " (with high availability on, only Running replicas can be deleted)" if ha_on else ""))
        return [DeleteInstance("removed replica %r" % instance["name"], set_id=view["id"], instance=instance)
                for instance in candidates[:remove]]


def read_all_instance_sets(client, read_instances=True):
    """Every instance set of the project: :meth:`InstanceSet.read_every` (the import path the inventory plugin uses)."""
    return InstanceSet.read_every(client, read_instances)


__all__ = ["InstanceSet", "list_instances", "read_all_instance_sets"]
