# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""MemStore instance sets (cluster mode disabled), shared by memstore_instance_set
and memstore_instance_set_info: API paths and limits, option validation, reading a
set with its instances into the returned ``instance_set`` dict, and the plan of
changes that converges a live set to the declared options.

Everything here except the readers is pure (no requests), so it is unit tested.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError, to_int
from ansible_collections.redisops.platform.plugins.module_utils.memstore.base import MemberChange, MemStoreResource
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
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import (
    MODE_DISABLED,
    MODE_ENABLED,
    is_busy,
    is_running,
)

SETS_PATH = "/v1/instance-sets"
SET_PATH = SETS_PATH + "/{id}"
INSTANCES_PATH = SET_PATH + "/instances"
INSTANCE_PATH = INSTANCES_PATH + "/{instance_id}"
PRIMARY_PATH = SET_PATH + "/primary"
REPLICAS_PATH = SET_PATH + "/replicas"
RECOVERY_PATH = SET_PATH + "/recovery"

# Limits from the cluster-mode-disabled document.
HOUR_MIN, HOUR_MAX = 0, 23
RETENTION_MIN, RETENTION_MAX = 1, 35

ROLE_PRIMARY = "primary"
ROLE_REPLICA = "replica"

# The fields the module compares: when a listed item carries all of them the
# detail is not read (see MemStoreClient.complete).
LOOKUP_FIELDS = ("status", "description", "version", "port", "flavorId", "parameterGroupId",
                 "securityGroups", "tlsEnabled", "recoveryEnabled", "backupSchedule")

# Options the API cannot change once the set exists (compared when given).
IMMUTABLE_OPTIONS = ("version", "port", "flavor_id", "tls_enabled", "user", "restore_from",
                     "subnet_assignment.primary", "subnets")

# Options a create needs (the API requires them; the module has no defaults for them).
CREATE_REQUIRED = ("flavor_id", "version", "port", "parameter_group_id", "node_count",
                   "subnet_assignment", "security_groups")

_BACKUP_FILE = re.compile(r"^[^/\s]+/.*[^/]$")


# --- validation (before any request) -------------------------------------------------
def validate(params):
    """Every rule the options break, one message each naming the option ([] when valid)."""
    errors = common_errors(params, cluster_mode_enabled=False)
    errors.extend(node_count_errors("node_count", params.get("node_count")))
    errors.extend(_backup_errors(params.get("backup")))
    errors.extend(_restore_errors(params.get("restore_from")))
    assignment = params.get("subnet_assignment")
    errors.extend(assignment_subnet_errors("subnet_assignment", [assignment] if assignment else None, params.get("subnets")))
    return errors


def _backup_errors(backup):
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


def _restore_errors(restore):
    if not restore or restore.get("files") is None:
        return []
    files = restore["files"]
    if not files:
        return ["restore_from.files must name at least one file"]
    bad = [path for path in files if not _BACKUP_FILE.match(path or "")]
    if bad:
        return ["restore_from.files entries must look like bucket/folder/.../file (got %s)" % ", ".join(repr(b) for b in bad)]
    return []


# --- backup schedule: the hour-only cron ------------------------------------------------
def backup_cron(hour):
    return "* %d * * *" % hour


def cron_hour(cron):
    """The hour of an hour-only cron ``* H * * *``; None for anything else."""
    parts = (cron or "").split()
    if len(parts) == 5 and parts[1].isdigit() and all(part == "*" for index, part in enumerate(parts) if index != 1):
        return int(parts[1])
    return None


def backup_view(schedule):
    """``backupSchedule`` as ``{enabled, hour, retention_days, cron}``; an empty cron is off."""
    schedule = schedule if isinstance(schedule, dict) else {}
    cron = (schedule.get("cron") or "").strip()
    if not cron:
        return dict(enabled=False, hour=None, retention_days=None, cron="")
    return dict(enabled=True, hour=cron_hour(cron), retention_days=to_int(schedule.get("retentionLimit")), cron=cron)


def desired_backup(option, live):
    """What the ``backup`` option asks for, as :func:`backup_view` (``live`` when not given)."""
    if option is None:
        return live
    if not option.get("enabled", True):
        return dict(enabled=False, hour=None, retention_days=None, cron="")
    return dict(enabled=True, hour=option["hour"], retention_days=option["retention_days"], cron=backup_cron(option["hour"]))


def _backup_key(view):
    return (view["enabled"], view["hour"], view["retention_days"]) if view["enabled"] else (False,)


# --- reading -------------------------------------------------------------------------------
def normalize_instance(item):
    """One entry of ``GET /v1/instance-sets/{id}/instances`` in the module's names."""
    item = item or {}
    subnet = item.get("subnet")
    role = str(item.get("role") or "").lower()
    role = {"master": ROLE_PRIMARY, "slave": ROLE_REPLICA}.get(role, role) or None
    return dict(
        id=item.get("objectId") or item.get("id") or item.get("instanceId"),
        name=item.get("instanceName") or item.get("name"),
        role=role,
        status=item.get("status"),
        endpoint=item.get("endpoint"),
        subnet_id=subnet.get("id") if isinstance(subnet, dict) else subnet,
        port=to_int(item.get("port")),
        version=item.get("version"),
        flavor_id=item.get("flavorId"),
        created_at=item.get("createdAt"),
    )


def _assignment(resource):
    """The live ``subnetAssignments`` (an array in the table, an object in some examples)."""
    assignments = resource.get("subnetAssignments")
    if isinstance(assignments, list):
        assignments = assignments[0] if assignments else None
    if not isinstance(assignments, dict):
        return None
    primary = assignments.get("primary")
    return dict(primary=primary.get("id") if isinstance(primary, dict) else primary,
                replicas=ids(assignments.get("replicas")))


def instance_set_view(resource, instances, node_count=None):
    """The ``instance_set`` dict both modules return, from the set and its instances.

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


def list_instances(client, set_id):
    body = client.get(INSTANCES_PATH.format(id=set_id)).data
    items = body.get("data") if isinstance(body, dict) else body
    return [normalize_instance(item) for item in items or []]


def ensure_instance_set(resource):
    """Fail clearly when an id or name designates a cluster (cluster mode enabled)."""
    if resource.get("clusterMode") == MODE_ENABLED:
        raise ClientError("%r is a cluster with cluster mode enabled, not an instance set: use redisops.platform.memstore_cluster"
                          % resource.get("name"))


def read_instance_set(client, name=None, set_id=None, read_instances=True):
    """``(resource, instances)`` of one set by id or name, or None when it does not exist.

    By name this is two requests: the list (whose item is used when it holds
    :data:`LOOKUP_FIELDS`, else the detail is read) and the instances (None
    without ``read_instances``).
    """
    resource = client.find(name=name, resource_id=set_id, mode=MODE_DISABLED, fields=LOOKUP_FIELDS)
    if resource is None:
        return None
    ensure_instance_set(resource)
    return resource, list_instances(client, resource["id"]) if read_instances else None


def read_all_instance_sets(client, read_instances=True):
    """``[(resource, instances)]`` of every instance set of the project (instances None without ``read_instances``)."""
    found = []
    for item in client.list_resources(MODE_DISABLED):
        resource = client.complete(item, LOOKUP_FIELDS)
        if resource is None or resource.get("clusterMode") == MODE_ENABLED:
            continue
        found.append((resource, list_instances(client, resource["id"]) if read_instances else None))
    return found


# --- comparing and planning -------------------------------------------------------------------
def comparable(view):
    """The fields diff mode shows (no secrets)."""
    backup = view["backup"]
    return dict(
        compared_fields(view),
        high_availability=view["high_availability"],
        backup=dict(enabled=backup["enabled"], hour=backup["hour"], retention_days=backup["retention_days"]),
        node_count=view["node_count"],
        primary_instance=(view["primary"] or {}).get("name"),
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


def _render_restore(key):
    if key is None:
        return "none"
    return "%s=%s" % (key[0], key[1] if key[0] == "backup_name" else ",".join(key[1]))


def immutable_differences(resource, params):
    """``(differences, unreadable)``: ``[(option, live, wanted)]`` for fixed options that
    differ from the live set, and the given fixed options the live set does not show."""
    check = ImmutableComparison(resource)
    check.compare_created_with(params)
    restore = params.get("restore_from")
    if restore:
        check.compare("restore_from", _render_restore(_restore_key(restore)), "restoreSource",
                      _render_restore(_restore_key(resource.get("restoreSource"))))
    assignment = params.get("subnet_assignment")
    if assignment:
        live_assignment = _assignment(resource)
        check.compare("subnet_assignment.primary", assignment["primary"], "subnetAssignments",
                      live_assignment["primary"] if live_assignment else None)
    check.compare_subnets(params.get("subnets"))
    return check.differences, check.unreadable


def find_instance(instances, reference):
    """The instance whose id or name is ``reference`` (None when there is none)."""
    for instance in instances:
        if reference in (instance["id"], instance["name"]):
            return instance
    return None


def update_body(view, params):
    """``(PATCH body, changed option names)``: only what differs from the live set."""
    body, changed = common_update(view, params)
    groups = params.get("security_groups")
    if groups is not None and sorted(unique(groups)) != sorted(unique(view["security_groups"])):
        body["securityGroups"] = id_objects(groups)
        changed.append("security_groups")
    wanted = desired_backup(params.get("backup"), view["backup"])
    if _backup_key(wanted) != _backup_key(view["backup"]):
        if wanted["enabled"]:
            body["backupSchedule"] = {"cron": wanted["cron"], "retentionLimit": wanted["retention_days"]}
        else:
            body["backupSchedule"] = {"cron": ""}  # the documented way to disable automatic backups
        changed.append("backup")
    return body, changed


def plan_changes(resource, view, params):
    """``(steps, after)``: the writes that converge the live set, in order, and the
    predicted comparable state. Raises :class:`PlanError` when the API's rules make
    the declared state unreachable; nothing is sent before that check.

    Order: update, HA off, promote, scale, HA on. Promotion needs HA off, so a task
    that turns HA on promotes first; a task that turns it off does so first.
    """
    name = view["name"]
    after = comparable(view)
    steps = []
    body, changed = update_body(view, params)
    if body:
        steps.append(UpdateSet("updated %s" % ", ".join(changed), set_id=resource["id"], body=body))
        for option in changed:
            after[option] = _after_value(option, params)
    backup_active = desired_backup(params.get("backup"), view["backup"])["enabled"]

    instances = view["instances"]
    ha_now = view["high_availability"]
    ha_wanted = ha_now if params.get("high_availability") is None else params["high_availability"]
    primary = view["primary"]

    target = None
    if params.get("primary_instance"):
        target = find_instance(instances, params["primary_instance"])
        if target is None:
            raise PlanError("primary_instance: %r is not an instance of instance set %r (its instances: %s)"
                            % (params["primary_instance"], name, ", ".join(i["name"] or i["id"] for i in instances) or "none"))
        if primary is not None and target["id"] == primary["id"]:
            target = None
        elif target["role"] != ROLE_REPLICA:
            raise PlanError("primary_instance: %r is not a replica of instance set %r (role: %s)" % (params["primary_instance"], name, target["role"]))
        elif ha_now and ha_wanted:
            raise PlanError("primary_instance: instance set %r has high availability on, and a replica can only be promoted "
                            "with it off; set high_availability: false to turn it off first" % name)

    if ha_now and not ha_wanted:
        steps.append(SetRecovery("turned high availability off", set_id=resource["id"], enabled=False))
    if target is not None:
        steps.append(PromoteInstance("promoted %r to primary" % target["name"], set_id=resource["id"], instance=target))
        after["primary_instance"] = target["name"]

    wanted_nodes = params.get("node_count")
    if wanted_nodes is not None and wanted_nodes != len(instances):
        ha_during_scale = ha_now and ha_wanted
        steps.extend(_scale_steps(resource, view, params, target, wanted_nodes, ha_during_scale, backup_active))
        after["node_count"] = wanted_nodes

    if ha_wanted and not ha_now:
        steps.append(SetRecovery("turned high availability on", set_id=resource["id"], enabled=True))
    after["high_availability"] = ha_wanted
    return steps, after


def _after_value(option, params):
    if option == "security_groups":
        return sorted(unique(params["security_groups"]))
    if option == "backup":
        wanted = desired_backup(params["backup"], None)
        return dict(enabled=wanted["enabled"], hour=wanted["hour"], retention_days=wanted["retention_days"])
    return params[option]


def _scale_steps(resource, view, params, target, wanted, ha_on, backup_active):
    name = view["name"]
    instances = view["instances"]
    current = len(instances)
    if wanted > current:
        assignment = params.get("subnet_assignment") or _assignment(resource) or {}
        primary_subnet = assignment.get("primary") or (view["primary"] or {}).get("subnet_id")
        existing_replicas = len([i for i in instances if i["role"] != ROLE_PRIMARY])
        subnets = replica_subnets(assignment.get("replicas"), primary_subnet, existing_replicas, wanted - current)
        if not subnets:
            raise PlanError("node_count: no subnet is known for new replicas of %r; set subnet_assignment" % name)
        allowed = view["subnets"]
        outside = unique([subnet for subnet in subnets if allowed and subnet not in allowed])
        if outside:
            raise PlanError("subnet_assignment.replicas: %s not among the subnets of instance set %r (%s)"
                            % (", ".join(outside), name, ", ".join(allowed)))
        return [AddReplica("added a replica in subnet %s" % subnet, set_id=resource["id"], subnet=subnet, count_before=current + index)
                for index, subnet in enumerate(subnets)]

    remove = current - wanted
    if backup_active and wanted < 2:
        raise PlanError("node_count: instance set %r has an active automatic backup policy, and the API refuses to delete an "
                        "instance from a two-node set then; keep at least 2 nodes or set backup.enabled: false" % name)
    new_primary = target or view["primary"] or {}
    replicas = [i for i in instances if i["id"] != new_primary.get("id")]
    if ha_on:
        # With high availability on, only Running instances can be deleted.
        candidates = [i for i in reversed(replicas) if is_running(i["status"])]
    else:
        # Without it, drop replicas that are not Running first, then the newest.
        candidates = removal_order(replicas)
    if len(candidates) < remove:
        raise PlanError("node_count: %d replica(s) of %r must go but only %d can be deleted%s"
                        % (remove, name, len(candidates),
                           " (with high availability on, only Running replicas can be deleted)" if ha_on else ""))
    return [DeleteInstance("removed replica %r" % instance["name"], set_id=resource["id"], instance=instance) for instance in candidates[:remove]]


def create_body(params, project_id):
    """The ``POST /v1/instance-sets`` body for the three variants (new, backup name, files)."""
    assignment = params["subnet_assignment"]
    node_count = params["node_count"]
    replicas = replica_subnets(assignment.get("replicas"), assignment["primary"], 0, node_count - 1)
    subnets = params.get("subnets") or unique([assignment["primary"]] + replicas)
    body = {
        "instanceSetName": params["name"],
        "replicas": node_count,
        "flavorId": params["flavor_id"],
        "recoveryEnabled": bool(params.get("high_availability")),
        "subnets": id_objects(subnets),
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
        if restore.get("backup_name"):
            body["restoreSource"] = {"backupName": restore["backup_name"]}
        else:
            body["restoreSource"] = {"files": list(restore["files"])}
    return body


def predicted_resource(body):
    """What a set created from ``body`` will look like (check mode), in the API's names."""
    resource = dict((key, value) for key, value in body.items() if key not in ("user", "instanceSetName"))
    resource.update(id=None, name=body["instanceSetName"], status=None, clusterMode=MODE_DISABLED)
    return resource


def update_applied(resource, body):
    """True when the live set shows every field of an update ``body``."""
    view = instance_set_view(resource, [])
    if "description" in body and view["description"] != body["description"]:
        return False
    if "parameterGroupId" in body and view["parameter_group_id"] != body["parameterGroupId"]:
        return False
    if "securityGroups" in body and sorted(view["security_groups"]) != sorted(ids(body["securityGroups"])):
        return False
    if "backupSchedule" in body and _backup_key(view["backup"]) != _backup_key(backup_view(body["backupSchedule"])):
        return False
    return True


# --- the changes of a live set: one step class each -------------------------------------------------
@step_class
class SetChange(MemberChange):
    """A change of a live instance set: shown once the set is Running with the change visible (its
    members are its instances)."""

    set_id: str = None

    settling = "the set to be Running"


def _settled(members):
    return all(not is_busy(instance["status"]) for instance in members)


@step_class
class UpdateSet(SetChange):
    body: dict = None

    def request(self):
        return "PATCH", SET_PATH.format(id=self.set_id), self.body

    def shows_in(self, resource, members):
        return update_applied(resource, self.body)


@step_class
class SetRecovery(SetChange):
    enabled: bool = None

    def request(self):
        return "PATCH", RECOVERY_PATH.format(id=self.set_id), {"enabled": self.enabled}

    def shows_in(self, resource, members):
        return bool(resource.get("recoveryEnabled")) == self.enabled


@step_class
class PromoteInstance(SetChange):
    instance: dict = None

    def request(self):
        return "PATCH", PRIMARY_PATH.format(id=self.set_id), {"primaryId": self.instance["id"]}

    def shows_in(self, resource, members):
        primary = next((i for i in members if i["role"] == ROLE_PRIMARY), None)
        return primary is not None and primary["id"] == self.instance["id"] and _settled(members)


@step_class
class AddReplica(SetChange):
    """Adds one replica; ``count_before`` is the number of instances before it."""

    subnet: str = None
    count_before: int = None

    def request(self):
        return "PATCH", REPLICAS_PATH.format(id=self.set_id), {"subnet": {"id": self.subnet}}

    def shows_in(self, resource, members):
        return len(members) > self.count_before and _settled(members)


@step_class
class DeleteInstance(SetChange):
    instance: dict = None

    def request(self):
        return "DELETE", INSTANCE_PATH.format(id=self.set_id, instance_id=self.instance["id"]), None

    def shows_in(self, resource, members):
        return self.instance["id"] not in [i["id"] for i in members] and _settled(members)


# --- the resource --------------------------------------------------------------------------------------
ARGUMENT_SPEC = dict(
    RESOURCE_ARGUMENT_SPEC,
    version=dict(type="str"),
    node_count=dict(type="int"),
    high_availability=dict(type="bool", aliases=["recovery_enabled"]),
    subnet_assignment=dict(type="dict", options=dict(
        primary=dict(type="str", required=True),
        replicas=dict(type="list", elements="str", default=[]),
    )),
    subnets=dict(type="list", elements="str"),
    security_groups=dict(type="list", elements="str"),
    backup=dict(type="dict", options=dict(
        enabled=dict(type="bool", default=True),
        hour=dict(type="int"),
        retention_days=dict(type="int"),
    )),
    tls_enabled=dict(type="bool"),
    restore_from=dict(type="dict", options=dict(
        backup_name=dict(type="str"),
        files=dict(type="list", elements="str"),
    ), mutually_exclusive=[("backup_name", "files")], required_one_of=[("backup_name", "files")]),
    primary_instance=dict(type="str"),
    keep_automatic_backups=dict(type="bool", default=True),
)


def _create_text(restore):
    if not restore:
        return "created"
    if restore.get("backup_name"):
        return "created from backup %r" % restore["backup_name"]
    return "created from %d Object Storage file(s)" % len(restore["files"])


class InstanceSet(MemStoreResource):
    """An instance set (cluster mode disabled): its members are its instances."""

    noun = "instance set"
    short_noun = "set"
    result_key = "instance_set"
    create_path = SETS_PATH
    item_path = SET_PATH
    mode = MODE_DISABLED
    create_required = CREATE_REQUIRED
    lookup_fields = LOOKUP_FIELDS
    settling = "the set to be Running"
    validate = staticmethod(validate)
    ensure_kind = staticmethod(ensure_instance_set)
    resource_view = staticmethod(instance_set_view)
    comparable_view = staticmethod(comparable)
    plan_changes = staticmethod(plan_changes)
    immutable_differences = staticmethod(immutable_differences)

    def read_members(self, resource_id, resource):
        return list_instances(self.api, resource_id)

    def plan_create(self):
        if self.params.get("primary_instance"):
            raise PlanError("primary_instance: instance set %r does not exist yet, so none of its instances can be named" % self.name)
        body = create_body(self.params, self.api.project_id)
        predicted = instance_set_view(predicted_resource(body), [], node_count=body["replicas"])
        step = self.create_step(_create_text(self.params.get("restore_from")), body)
        return Plan([step], after=comparable(predicted), predicted=dict(instance_set=predicted))

    def predicted_view(self, view, after):
        predicted = dict(view, **after)
        predicted.update(primary=view["primary"], instances=view["instances"])
        return predicted

    def delete_params(self):
        return {"keepAutomaticBackups": "true" if self.params["keep_automatic_backups"] else "false"}

    def describe_members(self, members):
        return " (%s)" % ", ".join("%s %s %s" % (i["name"], i["role"], i["status"]) for i in members)

    def endpoints(self, view):
        if not view:
            return []
        return [endpoint for endpoint in [view.get("primary_endpoint")] + list(view.get("replica_endpoints") or []) if endpoint]
