"""MemStore instance sets (cluster mode disabled): every endpoint the KakaoCloud
MemStore API documents for them ("When cluster mode is disabled"), with its rules and
status codes.

Endpoints (all need ``X-Auth-Token``; a set of another project is 404):

  POST   /v1/instance-sets                       create (201 ``{objectId}``): new, restored from a
                                                 backup name (``restoreSource.backupName``) or from
                                                 Object Storage files (``restoreSource.files``)
  PATCH  /v1/instance-sets/{id}                  update description, parameterGroupId (never ""),
                                                 securityGroups, backupSchedule (cron "" disables)
  DELETE /v1/instance-sets/{id}                  delete; ``?keepAutomaticBackups=true|false`` is
                                                 required (400) when the set has automatic backups
  GET    /v1/instance-sets/{id}/instances        ``{size, data: [...]}`` (unknown set: 400, the
                                                 documents list no 404 here)
  DELETE /v1/instance-sets/{id}/instances/{iid}  delete one instance: with HA on never the primary and
                                                 only Running instances; with HA off the primary only
                                                 when Failed; never from a two-node set with an active
                                                 backup policy; never the last instance
  PATCH  /v1/instance-sets/{id}/primary          promote a replica (``{primaryId}``), HA off only
  PATCH  /v1/instance-sets/{id}/replicas         add one replica (``{subnet: {id}}``), at most 5,
                                                 in one of the set's subnets
  PATCH  /v1/instance-sets/{id}/recovery         HA on/off (``{enabled}``), only when Running

Validation errors are 400 in the KakaoCloud shape ``{"error": {"code", "message"}}`` (a version the
emulator does not offer too: see ``memstore.py``); a duplicate
name (any cluster mode, same project) is 409; a ``projectId`` other than the token's is 403.
Bodies are checked as a strict schema would: a create or an update with an unknown field
(``tlsEnable`` for ``tlsEnabled``), at the top or nested, or a field of the wrong type is 400
naming the field.

State: each set is a dict in ``MemStoreState.resources`` with the create body's field names
(``description``, ``version``, ``port``, ``flavorId``, ``parameterGroupId``, ``securityGroups``,
``subnets``, ``subnetAssignments``, ``tlsEnabled``, ``recoveryEnabled``, ``backupSchedule``,
``replicas`` (current total of nodes), ``user`` (name only: the password is never kept),
``restoreSource``, ``projectId``) plus ``id``, ``name``, ``clusterMode: "disabled"``, ``status``
and ``createdAt``, so the look-up endpoints of ``memstore.py`` (``GET /v1/clusters[/{id}]``) show
them; private state (``_instances``, ``_op``, ``_serial``) starts with ``_`` and is never shown.

Statuses move on the emulator clock (emulated seconds): create ``Creating`` 60 s (a restore 180 s),
update ``Modifying`` 20 s (applied when it ends), add or delete instance ``Scaling(horizontal)``
40 s, promote and HA ``Modifying`` 20 s (applied when they end), delete ``Deleting`` 30 s, then
``Running`` (or gone). Writes on a busy set answer 409 (Conflict) by default, or 400 (code
``InvalidState``, "in an invalid state") when the emulator runs with ``--memstore-busy-status 400``
or after ``POST /_emulator/memstore/busy {"status": 400}``, as the documents list only 400 for the
PATCH endpoints; on a Failed set 400 (deletes excepted). The HA switch answers 400 when the set is
not Running, whatever the busy status.

Operation faults: ``emulator.faults.add_operation(op, outcome, target=<set name>)`` with ``op`` one
of create, update, scale, recovery, promote, delete: ``failed``/``aborted`` end the operation with
the set (and the instances it touched) Failed, ``stuck`` keeps the set busy forever, ``error``
answers 500 at once without doing anything.

In-process, ``seed_instance_set(emulator, name, nodes, **fields)`` puts a Running set straight
into the state, and ``start_adding_replica(emulator, resource, subnet_id)`` starts what the add-replica
endpoint starts (another client scaling the set at a chosen moment; hold ``emulator.lock``).
Test-only control routes (``/_emulator/memstore/...``, not in the request log):

  POST /_emulator/memstore/instance-sets         seed a Running set ``{name, nodes, <create-body fields>}``
  POST /_emulator/memstore/backups               seed an Available backup ``{name, version, clusterMode
                                                 (default disabled), instanceSetId, automatic}`` (manual
                                                 backups: ``memstore_backups.py``; a restore needs an
                                                 Available one)
  GET  /_emulator/memstore/backups               the backups
  POST /_emulator/memstore/instances/{iid}/status  ``{status, instance_set_status}``: set one instance's
                                                 status and, with ``instance_set_status``, its set's (what a
                                                 set whose primary broke shows)
"""

import datetime
import re
import uuid

from flask import Blueprint, jsonify, request

from .control import ControlError, control_body
from .memstore import DEFAULT_PROJECT_ID, Refused, answers_refusals, current_project, emulator, memstore_state, new_id, requires_token, version_refused
from .memstore_backups import refuse_during_backup, restorable

blueprint = Blueprint("memstore_instance_sets", __name__)

MAX_REPLICAS = 5
CREATE_SECONDS = 60
RESTORE_SECONDS = 180
MODIFY_SECONDS = 20
SCALE_SECONDS = 40
DELETE_SECONDS = 30

RUNNING = "Running"
FAILED = "Failed"
SCALING = "Scaling(horizontal)"

_NAME = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{2,18}[a-z0-9]$")
_EMOJI = re.compile(u"[\u2600-\u27bf\ufe00-\ufe0f\U00010000-\U0010ffff]")
_CRON = re.compile(r"^\* (\d{1,2}) \* \* \*$")
_FILE = re.compile(r"^[^/\s]+/.*[^/]$")


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused("the request body must be a JSON object (Content-Type: application/json)")
    return body


def _string(body, key, where=""):
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Refused("%s%s is required and must be a non-empty string" % (where, key))
    return value


def _integer(body, key):
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Refused("%s is required and must be an integer" % key)
    return value


def _id_list(body, key):
    value = body.get(key)
    if not isinstance(value, list) or not value:
        raise Refused("%s is required and must be a non-empty array of {id}" % key)
    ids = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            raise Refused("every item of %s needs an id" % key)
        ids.append(item["id"])
    return ids


def _check_description(value):
    if not isinstance(value, str):
        raise Refused("description must be a string")
    if len(value) > 100:
        raise Refused("description must be at most 100 characters")
    if "\r" in value or "\n" in value:
        raise Refused("description must not contain line breaks")
    if _EMOJI.search(value):
        raise Refused("description must not contain emoji")


def _check_schedule(schedule, previous=None, allow_disable=False):
    """A backupSchedule as stored (None when off); ``previous`` fills a missing retentionLimit on update."""
    if not isinstance(schedule, dict):
        raise Refused("backupSchedule must be an object")
    cron = schedule.get("cron")
    if not isinstance(cron, str):
        raise Refused("backupSchedule.cron must be a string")
    if cron == "":
        if not allow_disable:
            raise Refused("backupSchedule.cron must be an hour-only cron such as '* 1 * * *'")
        return None
    found = _CRON.match(cron)
    if not found or not 0 <= int(found.group(1)) <= 23:
        raise Refused("backupSchedule.cron must be an hour-only 5-part cron '* H * * *' with H 0-23 (got %r)" % cron)
    retention = schedule.get("retentionLimit", (previous or {}).get("retentionLimit"))
    if not isinstance(retention, int) or isinstance(retention, bool) or not 1 <= retention <= 35:
        raise Refused("backupSchedule.retentionLimit must be an integer from 1 to 35")
    return {"cron": cron, "retentionLimit": retention}


CREATE_FIELDS = ("instanceSetName", "description", "replicas", "flavorId", "recoveryEnabled", "subnets",
                 "subnetAssignments", "securityGroups", "backupSchedule", "user", "tlsEnabled", "parameterGroupId",
                 "port", "projectId", "version", "restoreSource")


def _only(value, allowed, where):
    """Refuse the fields of ``value`` (a dict) that the API does not know, naming the first."""
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise Refused("%s%s is not a field of this request (known: %s)" % (where, unknown[0], ", ".join(allowed)))


def _only_in_items(value, allowed, where):
    for index, item in enumerate(value if isinstance(value, list) else []):
        if isinstance(item, dict):
            _only(item, allowed, "%s[%d]." % (where, index))


def _check_create_fields(body):
    """Like the real API's strict schema: unknown fields anywhere in a create body are 400."""
    _only(body, CREATE_FIELDS, "")
    for key in ("subnets", "securityGroups"):
        _only_in_items(body.get(key), ("id",), key)
    assignments = body.get("subnetAssignments")
    for index, placement in enumerate([assignments] if isinstance(assignments, dict) else assignments or []):
        if isinstance(placement, dict):
            where = "subnetAssignments[%d]." % index
            _only(placement, ("primary", "replicas"), where)
            if isinstance(placement.get("primary"), dict):
                _only(placement["primary"], ("id",), where + "primary.")
            _only_in_items(placement.get("replicas"), ("id",), where + "replicas")
    if isinstance(body.get("backupSchedule"), dict):
        _only(body["backupSchedule"], ("cron", "retentionLimit"), "backupSchedule.")
    if isinstance(body.get("user"), dict):
        _only(body["user"], ("name", "password"), "user.")
    if isinstance(body.get("restoreSource"), dict):
        _only(body["restoreSource"], ("backupName", "files"), "restoreSource.")


def _version_key(version):
    return tuple(int(part) for part in str(version).split(".") if part.isdigit())


def _validate_create(body, state):
    _check_create_fields(body)
    name = _string(body, "instanceSetName")
    if not _NAME.match(name):
        raise Refused("instanceSetName must be 4-20 lowercase letters, digits and '-', start with a letter, "
                      "end with a letter or digit, without '--'")
    replicas = _integer(body, "replicas")
    if not 1 <= replicas <= MAX_REPLICAS + 1:
        raise Refused("replicas (total nodes) must be from 1 to %d" % (MAX_REPLICAS + 1))
    flavor = _string(body, "flavorId")
    if not isinstance(body.get("recoveryEnabled"), bool):
        raise Refused("recoveryEnabled is required and must be a boolean")
    subnets = _id_list(body, "subnets")
    assignments = body.get("subnetAssignments")
    if isinstance(assignments, dict):  # the add-shard example sends an object: accept both
        assignments = [assignments]
    if not isinstance(assignments, list) or len(assignments) != 1 or not isinstance(assignments[0], dict):
        raise Refused("subnetAssignments must hold exactly one {primary, replicas} placement")
    placement = assignments[0]
    primary = (placement.get("primary") or {}).get("id") if isinstance(placement.get("primary"), dict) else None
    if not primary:
        raise Refused("subnetAssignments[].primary.id is required")
    replica_list = placement.get("replicas")
    if not isinstance(replica_list, list):
        raise Refused("subnetAssignments[].replicas must be an array")
    replica_subnets = [(item or {}).get("id") if isinstance(item, dict) else None for item in replica_list]
    if len(replica_subnets) != replicas - 1:
        raise Refused("subnetAssignments[].replicas must place every replica: %d given for %d replicas" % (len(replica_subnets), replicas - 1))
    for subnet in [primary] + replica_subnets:
        if subnet not in subnets:
            raise Refused("subnetAssignments may use only subnets listed in subnets (%r is not)" % subnet)
    security_groups = _id_list(body, "securityGroups")
    parameter_group = _string(body, "parameterGroupId")
    port = _integer(body, "port")
    if not 2000 <= port <= 50000:
        raise Refused("port must be between 2000 and 50000")
    project = _string(body, "projectId")
    if project != current_project():
        raise Refused("projectId does not match the token's project", status=403, code="Forbidden")
    version = _string(body, "version")
    refused = version_refused(version, "disabled")
    if refused:
        raise Refused(refused)
    description = body.get("description", "")
    _check_description(description)
    schedule = _check_schedule(body["backupSchedule"]) if body.get("backupSchedule") is not None else None
    tls = body.get("tlsEnabled", False)
    if not isinstance(tls, bool):
        raise Refused("tlsEnabled must be a boolean")
    user = body.get("user")
    if user is not None:
        if not isinstance(user, dict):
            raise Refused("user must be an object")
        _string(user, "name", "user.")
        _string(user, "password", "user.")
    restore = _check_restore(body.get("restoreSource"), version, state)
    if any(r.get("name") == name and r.get("projectId") == project for r in state.resources.values()):
        raise Refused("an instance set or cluster named %r already exists" % name, status=409, code="Conflict")
    return {
        "name": name, "description": description, "version": version, "port": port, "flavorId": flavor,
        "parameterGroupId": parameter_group, "securityGroups": [{"id": sg} for sg in security_groups],
        "subnets": [{"id": s} for s in subnets],
        "subnetAssignments": [{"primary": {"id": primary}, "replicas": [{"id": s} for s in replica_subnets]}],
        "tlsEnabled": tls, "recoveryEnabled": body["recoveryEnabled"], "backupSchedule": schedule,
        "replicas": replicas, "user": {"name": user["name"]} if user else None, "restoreSource": restore,
        "projectId": project,
    }


def _check_restore(source, version, state):
    if source is None:
        return None
    if not isinstance(source, dict) or ("backupName" in source) == ("files" in source):
        raise Refused("restoreSource needs exactly one of backupName and files")
    if "backupName" in source:
        name = source["backupName"]
        backup = state.backups.get(name) if isinstance(name, str) else None
        if backup is None or backup.get("projectId", current_project()) != current_project():
            raise Refused("backup %r does not exist" % name)
        if restorable(backup):
            raise Refused("%s: it cannot be restored yet" % restorable(backup))
        if backup.get("clusterMode", "disabled") != "disabled":
            raise Refused("backup %r was taken with cluster mode enabled; restore it as a cluster" % name)
        if _version_key(version) < _version_key(backup.get("version", "0")):
            raise Refused("backup %r comes from Redis %s; the version must be equal or higher" % (name, backup.get("version")))
        return {"backupName": name}
    files = source["files"]
    if not isinstance(files, list) or not files or not all(isinstance(f, str) and _FILE.match(f) for f in files):
        raise Refused("restoreSource.files must be a non-empty array of 'bucket/folder/.../file' paths")
    return {"files": list(files)}


# --- instances and operations --------------------------------------------------------------
def _new_instance(resource, role, subnet, status):
    resource["_serial"] += 1
    object_id = str(uuid.uuid4())
    number = uuid.UUID(object_id).int
    return {
        "objectId": object_id,
        "instanceName": "%s-%d" % (resource["name"], resource["_serial"]),
        "role": role,
        "subnet": {"id": subnet},
        "endpoint": "172.30.%d.%d" % ((number >> 8) % 256, number % 253 + 1),
        "createdAt": _now(),
        "status": status,
    }


def _shown_instance(resource, instance):
    shown = {
        "instanceName": instance["instanceName"], "description": resource["description"],
        "projectId": resource["projectId"], "flavorId": resource["flavorId"], "version": resource["version"],
        "port": resource["port"], "subnet": dict(instance["subnet"]), "creator": "emulator@kakaocloud.test",
        "objectId": instance["objectId"], "role": instance["role"], "endpoint": instance["endpoint"],
        "license": "BSD-3-Clause", "createdAt": instance["createdAt"], "status": instance["status"],
    }
    return shown


def _outcome(operation, resource):
    """The injected outcome of this operation on this set (None for a normal run)."""
    fault = emulator().faults.take_operation(operation, resource["name"])
    if fault and fault["outcome"] == "error":
        raise Refused("internal error while running %s (injected)" % operation, status=500, code="InternalServerError")
    return fault["outcome"] if fault else None


def _begin(resource, status, seconds, outcome, finish, on_failure=None, emu=None):
    """Mark the set ``status`` and finish the operation ``seconds`` emulated seconds later.

    ``finish(resource)`` applies the change; the set is then Running (unless finish removed it).
    A ``failed``/``aborted`` outcome sets it Failed instead (``on_failure`` marks the instances),
    ``stuck`` never finishes. ``emu`` is needed outside a request (default: the request's emulator).
    """
    emu = emu or emulator()
    resource["status"] = status
    resource["_op"] += 1
    op = resource["_op"]
    if outcome == "stuck":
        return
    state = emu.memstore  # callbacks run outside any request: bind the state now

    def complete():
        if state.resources.get(resource["id"]) is not resource or resource["_op"] != op:
            return  # deleted, or superseded by a later operation
        if outcome in ("failed", "aborted"):
            resource["status"] = FAILED
            if on_failure:
                on_failure(resource)
            return
        resource["status"] = RUNNING
        finish(resource)

    emu.scheduler.schedule(seconds, complete)


def _get_set(set_id):
    resource = memstore_state().resources.get(set_id)
    if resource is None or resource.get("projectId") != current_project() or resource.get("clusterMode") != "disabled":
        raise Refused("instance set %s not found" % set_id, status=404, code="NotFound")
    return resource


def _writable(resource, allow_failed=False):
    status = resource["status"]
    if status == RUNNING or (allow_failed and status == FAILED):
        return
    if status == FAILED:
        raise Refused("instance set %r is Failed" % resource["name"])
    if emulator().memstore_busy_status == 400:  # what the documents list for the PATCH endpoints
        raise Refused("instance set %r is in an invalid state for this request (%s); try again when it is Running"
                      % (resource["name"], status), code="InvalidState")
    raise Refused("instance set %r is %s; try again when it is Running" % (resource["name"], status), status=409, code="Conflict")


def _not_backing_up(resource):
    """No node of a set is added, removed or promoted, nor the set deleted, while its backup runs (busy)."""
    refuse_during_backup(resource, "instance set", emulator().memstore_busy_status)


def _answer(resource, status=200):
    response = jsonify({"objectId": resource["id"]})
    response.status_code = status
    return response


# --- endpoints -------------------------------------------------------------------------------
@blueprint.post("/v1/instance-sets")
@requires_token
@answers_refusals
def create_instance_set():
    state = memstore_state()
    fields = _validate_create(_body(), state)
    resource = dict(fields, id=new_id(), clusterMode="disabled", status="Creating", createdAt=_now(),
                    _instances=[], _op=0, _serial=0)
    outcome = _outcome("create", resource)
    placement = fields["subnetAssignments"][0]
    resource["_instances"].append(_new_instance(resource, "primary", placement["primary"]["id"], "Creating"))
    for replica in placement["replicas"]:
        resource["_instances"].append(_new_instance(resource, "replica", replica["id"], "Creating"))
    state.resources[resource["id"]] = resource

    def finish(res):
        for instance in res["_instances"]:
            instance["status"] = RUNNING

    def fail(res):
        for instance in res["_instances"]:
            instance["status"] = FAILED

    seconds = RESTORE_SECONDS if fields["restoreSource"] else CREATE_SECONDS
    _begin(resource, "Creating", seconds, outcome, finish, fail)
    return _answer(resource, 201)


@blueprint.patch("/v1/instance-sets/<set_id>")
@requires_token
@answers_refusals
def update_instance_set(set_id):
    resource = _get_set(set_id)
    body = _body()
    unknown = sorted(set(body) - {"backupSchedule", "description", "parameterGroupId", "securityGroups"})
    if unknown:
        raise Refused("these fields cannot be updated: %s" % ", ".join(unknown))
    if not body:
        raise Refused("nothing to update")
    changes = {}
    if "description" in body:
        _check_description(body["description"])
        changes["description"] = body["description"]
    if "parameterGroupId" in body:
        if not isinstance(body["parameterGroupId"], str) or not body["parameterGroupId"]:
            raise Refused("parameterGroupId cannot be updated to an empty string")
        changes["parameterGroupId"] = body["parameterGroupId"]
    if "securityGroups" in body:
        changes["securityGroups"] = [{"id": sg} for sg in _id_list(body, "securityGroups")]
    if "backupSchedule" in body:
        if isinstance(body["backupSchedule"], dict):
            _only(body["backupSchedule"], ("cron", "retentionLimit"), "backupSchedule.")
        changes["backupSchedule"] = _check_schedule(body["backupSchedule"], resource.get("backupSchedule"), allow_disable=True)
    _writable(resource)
    outcome = _outcome("update", resource)
    _begin(resource, "Modifying", MODIFY_SECONDS, outcome, lambda res: res.update(changes))
    return _answer(resource)


@blueprint.delete("/v1/instance-sets/<set_id>")
@requires_token
@answers_refusals
def delete_instance_set(set_id):
    state = memstore_state()
    resource = _get_set(set_id)
    keep = request.args.get("keepAutomaticBackups")
    if keep is not None and keep.lower() not in ("true", "false"):
        raise Refused("keepAutomaticBackups must be true or false")
    automatic = [name for name, backup in state.backups.items() if backup.get("instanceSetId") == set_id and backup.get("automatic")]
    if automatic and keep is None:
        raise Refused("the instance set has automatic backups: keepAutomaticBackups is required")
    _writable(resource, allow_failed=True)
    _not_backing_up(resource)
    outcome = _outcome("delete", resource)

    def finish(res):
        state.resources.pop(res["id"], None)
        if keep is not None and keep.lower() == "false":
            for name in automatic:
                state.backups.pop(name, None)

    _begin(resource, "Deleting", DELETE_SECONDS, outcome, finish)
    for instance in resource["_instances"]:
        instance["status"] = "Deleting"
    return _answer(resource)


@blueprint.get("/v1/instance-sets/<set_id>/instances")
@requires_token
@answers_refusals
def list_instances(set_id):
    try:
        resource = _get_set(set_id)
    except Refused as exc:
        raise Refused(exc.message)  # the documents list no 404 for this endpoint
    data = [_shown_instance(resource, instance) for instance in resource["_instances"]]
    return jsonify({"size": len(data), "data": data})


@blueprint.delete("/v1/instance-sets/<set_id>/instances/<instance_id>")
@requires_token
@answers_refusals
def delete_instance(set_id, instance_id):
    resource = _get_set(set_id)
    instance = next((i for i in resource["_instances"] if i["objectId"] == instance_id), None)
    if instance is None:
        raise Refused("instance %s not found in instance set %s" % (instance_id, set_id), status=404, code="NotFound")
    _writable(resource, allow_failed=True)
    _not_backing_up(resource)
    instances = resource["_instances"]
    if len(instances) == 1:
        raise Refused("the last instance of an instance set cannot be deleted; delete the instance set")
    if resource["recoveryEnabled"]:
        if instance["role"] == "primary":
            raise Refused("high availability mode is enabled: the primary instance cannot be deleted")
        if instance["status"] != RUNNING:
            raise Refused("high availability mode is enabled: only Running instances can be deleted (this one is %s)" % instance["status"])
    elif instance["role"] == "primary" and instance["status"] != FAILED:
        raise Refused("the primary instance can only be deleted when it is Failed")
    if (resource.get("backupSchedule") or {}).get("cron") and len(instances) == 2:
        raise Refused("the instance set has an active automatic backup policy and only two nodes: deletion is not allowed")
    outcome = _outcome("scale", resource)

    def finish(res):
        res["_instances"] = [i for i in res["_instances"] if i is not instance]
        if instance["role"] == "primary" and res["_instances"]:
            res["_instances"][0]["role"] = "primary"
        res["replicas"] = len(res["_instances"])

    def fail(_res):
        instance["status"] = FAILED

    _begin(resource, SCALING, SCALE_SECONDS, outcome, finish, fail)
    instance["status"] = "Deleting"
    return _answer(resource)


@blueprint.patch("/v1/instance-sets/<set_id>/primary")
@requires_token
@answers_refusals
def promote_replica(set_id):
    resource = _get_set(set_id)
    primary_id = _string(_body(), "primaryId")
    _writable(resource)
    _not_backing_up(resource)
    if resource["recoveryEnabled"]:
        raise Refused("promotion is only available when high availability mode is disabled")
    target = next((i for i in resource["_instances"] if i["objectId"] == primary_id), None)
    if target is None:
        raise Refused("instance %s not found in instance set %s" % (primary_id, set_id), status=404, code="NotFound")
    if target["role"] != "replica":
        raise Refused("instance %s is not a replica" % primary_id)
    if target["status"] != RUNNING:
        raise Refused("instance %s is %s; only a Running replica can be promoted" % (primary_id, target["status"]))
    outcome = _outcome("promote", resource)

    def finish(res):
        for instance in res["_instances"]:
            instance["role"] = "primary" if instance is target else "replica"

    _begin(resource, "Modifying", MODIFY_SECONDS, outcome, finish)
    return _answer(resource)


@blueprint.patch("/v1/instance-sets/<set_id>/replicas")
@requires_token
@answers_refusals
def add_replica(set_id):
    resource = _get_set(set_id)
    body = _body()
    subnet = body.get("subnet")
    if not isinstance(subnet, dict):
        raise Refused("subnet is required: {\"subnet\": {\"id\": ...}}")
    subnet_id = _string(subnet, "id", "subnet.")
    if subnet_id not in [s["id"] for s in resource["subnets"]]:
        raise Refused("subnet %s is not one of the instance set's subnets" % subnet_id)
    _writable(resource)
    _not_backing_up(resource)
    if len([i for i in resource["_instances"] if i["role"] == "replica"]) >= MAX_REPLICAS:
        raise Refused("an instance set has at most %d replicas" % MAX_REPLICAS)
    start_adding_replica(emulator(), resource, subnet_id, _outcome("scale", resource))
    return _answer(resource)


def start_adding_replica(emu, resource, subnet_id, outcome=None):
    """Begin adding a replica in ``subnet_id``: the set is Scaling(horizontal) for
    ``SCALE_SECONDS``. The endpoint's effect, also callable in-process (hold ``emu.lock``)
    to play another client that scales the set at a chosen moment."""
    instance = _new_instance(resource, "replica", subnet_id, "Creating")
    resource["_instances"].append(instance)
    resource["replicas"] = len(resource["_instances"])

    def finish(_res):
        instance["status"] = RUNNING

    def fail(_res):
        instance["status"] = FAILED

    _begin(resource, SCALING, SCALE_SECONDS, outcome, finish, fail, emu=emu)
    return instance


@blueprint.patch("/v1/instance-sets/<set_id>/recovery")
@requires_token
@answers_refusals
def set_recovery(set_id):
    resource = _get_set(set_id)
    body = _body()
    if not isinstance(body.get("enabled"), bool):
        raise Refused("enabled is required and must be a boolean")
    if resource["status"] != RUNNING:
        raise Refused("high availability mode can only be set when the instance set is Running (it is %s)" % resource["status"])
    outcome = _outcome("recovery", resource)
    enabled = body["enabled"]
    _begin(resource, "Modifying", MODIFY_SECONDS, outcome, lambda res: res.update(recoveryEnabled=enabled))
    return _answer(resource)


# --- seeding and test-only control routes -----------------------------------------------------------
def seed_instance_set(emu, name, nodes=1, status=RUNNING, **fields):
    """Put an instance set with ``nodes`` Running instances straight into the state.

    ``fields`` override the defaults in the create body's names (``recoveryEnabled``,
    ``backupSchedule``, ``subnets``...). Returns the stored dict (hold ``emu.lock`` to change it).
    """
    subnets = [s["id"] for s in fields.get("subnets") or [{"id": "subnet-1"}, {"id": "subnet-2"}, {"id": "subnet-3"}]]
    replica_subnets = [subnets[(1 + index) % len(subnets)] for index in range(nodes - 1)]
    resource = {
        "id": new_id(), "name": name, "clusterMode": "disabled", "status": status, "projectId": DEFAULT_PROJECT_ID,
        "description": "", "version": "7.2.7", "port": 6379, "flavorId": "flavor-1", "parameterGroupId": "pg-1",
        "securityGroups": [{"id": "sg-1"}], "subnets": [{"id": s} for s in subnets],
        "subnetAssignments": [{"primary": {"id": subnets[0]}, "replicas": [{"id": s} for s in replica_subnets]}],
        "tlsEnabled": False, "recoveryEnabled": False, "backupSchedule": None, "replicas": nodes, "user": None,
        "restoreSource": None, "createdAt": _now(), "_instances": [], "_op": 0, "_serial": 0,
    }
    resource.update(fields)
    with emu.lock:
        resource["_instances"].append(_new_instance(resource, "primary", subnets[0], RUNNING))
        for subnet in replica_subnets:
            resource["_instances"].append(_new_instance(resource, "replica", subnet, RUNNING))
        emu.memstore.resources[resource["id"]] = resource
    return resource


SEED_SET = {
    "name": (str, "a string: the set's name (required)"),
    "nodes": (int, "an integer from 1 to %d: Running instances, the first is the primary (default 1)" % (MAX_REPLICAS + 1)),
    "status": (str, "a string: the set's status (default Running)"),
}
SEED_BACKUP = {
    "name": (str, "a string: the backup's name (required)"),
    "version": (str, "a string: the Redis version it was taken from (default 7.2.7)"),
    "clusterMode": (str, "enabled or disabled (default)"),
    "instanceSetId": (str, "a string: the set it belongs to"),
    "automatic": (bool, "a boolean: an automatic backup (default false)"),
    "projectId": (str, "a string: its project (default the emulator's)"),
}
INSTANCE_STATUS = {
    "status": (str, "a string, e.g. Failed: what a broken node looks like (required)"),
    "instance_set_status": (str, "a string, e.g. Failed: the set's status from now on (default: unchanged)"),
}


@blueprint.post("/_emulator/memstore/instance-sets")
def seed_instance_set_route():
    """Body: name (required), nodes (default 1), status, and create-body fields to override."""
    schema = dict(SEED_SET, **{field: (object, "a create-body field, stored as given") for field in CREATE_FIELDS
                               if field != "instanceSetName"})
    body = control_body(schema, required=("name",))
    if not 1 <= body.get("nodes", 1) <= MAX_REPLICAS + 1:
        raise ControlError("nodes must be from 1 to %d" % (MAX_REPLICAS + 1), schema)
    resource = seed_instance_set(emulator(), body.pop("name"), body.pop("nodes", 1), **body)
    return jsonify({"id": resource["id"], "name": resource["name"]}), 201


@blueprint.post("/_emulator/memstore/backups")
def seed_backup():
    """Body: name (required), version, clusterMode (default disabled), instanceSetId, automatic, projectId."""
    body = control_body(SEED_BACKUP, required=("name",))
    if body.get("clusterMode", "disabled") not in ("enabled", "disabled"):
        raise ControlError("clusterMode must be enabled or disabled", SEED_BACKUP)
    backup = {"name": body["name"], "version": body.get("version", "7.2.7"), "clusterMode": body.get("clusterMode", "disabled"),
              "instanceSetId": body.get("instanceSetId"), "automatic": bool(body.get("automatic")), "createdAt": _now()}
    if body.get("projectId"):
        backup["projectId"] = body["projectId"]
    memstore_state().backups[body["name"]] = backup
    return jsonify(backup), 201


@blueprint.get("/_emulator/memstore/backups")
def list_backups():
    return jsonify({"backups": list(memstore_state().backups.values())})


@blueprint.post("/_emulator/memstore/instances/<instance_id>/status")
def set_instance_status(instance_id):
    """Body: status, e.g. Failed: what a broken node looks like; instance_set_status: the set's too."""
    body = control_body(INSTANCE_STATUS, required=("status",))
    status = body["status"]
    for resource in memstore_state().resources.values():
        for instance in resource.get("_instances") or []:
            if instance.get("objectId") == instance_id:
                instance["status"] = status
                if body.get("instance_set_status"):
                    resource["status"] = body["instance_set_status"]
                return jsonify({"objectId": instance_id, "status": status, "instance_set_status": resource["status"]})
    return jsonify({"error": "no instance %s" % instance_id}), 404
