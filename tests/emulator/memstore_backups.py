"""MemStore manual backups of instance sets and clusters.

Endpoints (all need ``X-Auth-Token``; a backup or resource of another project is 404):

  POST   /v1/backups        ``{clusterId, name}`` -> 201 ``{objectId}``: a manual backup of an instance
                            set or a cluster (instance sets are addressed as clusters here: ``clusterId``
                            is the id of either)
  GET    /v1/backups        ``{backups: [...]}``, filtered by the optional ``clusterName`` and
                            ``clusterId`` query parameters
  DELETE /v1/backups/{id}   delete a backup (200 ``{objectId}``); 409 while it is being taken

A listed backup: ``id``, ``name``, ``projectId``, ``clusterName``, ``clusterId``, ``clusterMode``
(``enabled``/``disabled``), ``status`` (``Creating``, then ``Available``, or ``Failed``),
``createdAt`` (when it was asked for), ``version`` (the Redis version it was taken from) and
``type`` (``manual`` or ``automatic``).

Rules of the create, in order (the KakaoCloud error shape ``{"error": {"code", "message"}}``):
- the body is strict: exactly ``clusterId`` and ``name`` (strings), anything else is 400 naming the
  field; ``name`` is 1 to 64 letters, digits, ``.``, ``-`` and ``_`` (400 otherwise);
- ``clusterId`` must be an instance set or a cluster of the project (404);
- a backup of that name already in the project is 409 (names are unique in a project: an instance
  set is restored from a backup by its name alone);
- the resource must be Running: a Failed one is 400, a busy one (Creating, Modifying, Scaling...)
  409;
- a backup of the same resource in progress is 409 (the documented code);
- the resource needs at least 2 nodes and a replica (every shard of a cluster a replica): 422.

A backup takes ``emulator.memstore_backup_seconds`` emulated seconds (``--memstore-backup-seconds``,
default 60; ``POST /_emulator/memstore/backup-time``), then is ``Available``. The resource stays
``Running`` meanwhile, but no node or shard of it is added, removed or promoted and it is not
deleted: such a write is answered as the emulator answers a write to a busy resource (an instance
set: 409, or 400 ``InvalidState`` with ``--memstore-busy-status 400``; a cluster: 400
``InvalidState``). Updates (description, parameter group, security groups, backup schedule) are
allowed.

Operation faults: ``POST /_emulator/faults/operation {"operation": "backup", "outcome": ..., "target":
<resource name>}``: ``failed``/``aborted`` end the backup ``Failed`` (the resource stays Running),
``stuck`` keeps it ``Creating`` forever, ``error`` answers 500 at once without taking it.

A backup ``Available`` can restore an instance set (``restoreSource.backupName``, see
``memstore_instance_sets.py``); one ``Creating`` or ``Failed`` cannot (400).
"""

import datetime
import re

from flask import Blueprint, jsonify, request

from .control import NUMBER, ControlError, control_body
from .memstore import Refused, answers_refusals, current_project, emulator, memstore_state, new_id, requires_token

blueprint = Blueprint("memstore_backups", __name__)

DEFAULT_BACKUP_SECONDS = 60.0
CREATING = "Creating"
AVAILABLE = "Available"
FAILED = "Failed"
RUNNING = "Running"
CREATE_FIELDS = ("clusterId", "name")
NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- what the other MemStore files ask ----------------------------------------------------------------
def backup_in_progress(state, resource_id):
    """The backup of ``resource_id`` being taken (its stored dict), or None."""
    return next((backup for backup in state.backups.values()
                 if _cluster_id(backup) == resource_id and backup.get("status", AVAILABLE) == CREATING), None)


def refuse_during_backup(resource, noun, busy_status):
    """Raise :class:`Refused` when ``resource`` has a backup in progress,
    answered as a write to a busy resource: ``busy_status`` 409 (Conflict) or 400 (InvalidState)."""
    running = backup_in_progress(memstore_state(), resource["id"])
    if running is None:
        return
    message = "%s %r has a backup in progress (%s); try again when it is done" % (noun, resource["name"], running["name"])
    if busy_status == 400:
        raise Refused("%s %r is in an invalid state for this request: %s" % (noun, resource["name"], message), code="InvalidState")
    raise Refused(message, status=409, code="Conflict")


def restorable(backup):
    """Why ``backup`` cannot restore an instance set yet (None: it can)."""
    status = backup.get("status", AVAILABLE)
    if status != AVAILABLE:
        return "backup %r is %s, not %s" % (backup["name"], status, AVAILABLE)
    return None


# --- the stored backups ------------------------------------------------------------------------------------
def _cluster_id(backup):
    return backup.get("clusterId") or backup.get("instanceSetId")


def _shown(state, backup):
    """A stored backup as the API lists it (a seeded one gets an id on first sight)."""
    backup.setdefault("id", new_id())
    resource = state.resources.get(_cluster_id(backup)) or {}
    return {
        "id": backup["id"],
        "name": backup["name"],
        "projectId": backup.get("projectId") or resource.get("projectId") or current_project(),
        "clusterName": backup.get("clusterName") or resource.get("name"),
        "clusterId": _cluster_id(backup),
        "clusterMode": backup.get("clusterMode", "disabled"),
        "status": backup.get("status", AVAILABLE),
        "createdAt": backup.get("createdAt"),
        "version": backup.get("version"),
        "type": "automatic" if backup.get("automatic") else "manual",
    }


def _project_backups(state):
    """Every stored backup of the caller's project, as listed."""
    shown = [_shown(state, backup) for backup in state.backups.values()]
    return [item for item in shown if item["projectId"] == current_project()]


def _nodes(resource):
    """``[(group, [roles])]``: the instance set as one group, or each shard of a cluster."""
    if resource.get("clusterMode") == "enabled":
        return [(shard.get("name") or shard["id"], [node["role"] for node in shard["nodes"]]) for shard in resource.get("_shards") or []]
    return [(None, [instance["role"] for instance in resource.get("_instances") or []])]


def _check_takeable(state, resource):
    noun = "cluster" if resource.get("clusterMode") == "enabled" else "instance set"
    status = resource.get("status")
    if status == FAILED:
        raise Refused("%s %r is Failed: it cannot be backed up" % (noun, resource["name"]))
    if status != RUNNING:
        raise Refused("%s %r is %s; a backup needs it Running" % (noun, resource["name"], status), status=409, code="Conflict")
    running = backup_in_progress(state, resource["id"])
    if running is not None:
        raise Refused("a backup of %s %r is in progress (%s)" % (noun, resource["name"], running["name"]), status=409, code="Conflict")
    groups = _nodes(resource)
    if sum(len(roles) for _group, roles in groups) < 2:
        raise Refused("%s %r has fewer than 2 nodes: a backup needs at least 2" % (noun, resource["name"]), status=422,
                      code="UnprocessableEntity")
    for group, roles in groups:
        if "replica" not in roles:
            where = "shard %s of %s %r" % (group, noun, resource["name"]) if group else "%s %r" % (noun, resource["name"])
            raise Refused("%s has no replica: a backup is taken from a replica" % where, status=422, code="UnprocessableEntity")


def _outcome(resource):
    fault = emulator().faults.take_operation("backup", resource["name"])
    if fault and fault["outcome"] == "error":
        raise Refused("internal error while taking a backup (injected)", status=500, code="InternalServerError")
    return fault["outcome"] if fault else None


# --- endpoints -------------------------------------------------------------------------------------------
@blueprint.post("/v1/backups")
@requires_token
@answers_refusals
def create_backup():
    state = memstore_state()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused("the request body must be a JSON object (Content-Type: application/json)")
    unknown = sorted(set(body) - set(CREATE_FIELDS))
    if unknown:
        raise Refused("%s is not a field of this request (known: %s)" % (unknown[0], ", ".join(CREATE_FIELDS)))
    for field in CREATE_FIELDS:
        if not isinstance(body.get(field), str) or not body[field]:
            raise Refused("%s is required and must be a non-empty string" % field)
    name = body["name"]
    if not NAME.match(name):
        raise Refused("name must be 1 to 64 letters, digits, '.', '-' and '_' (got %r)" % name)
    resource = state.resources.get(body["clusterId"])
    if resource is None or resource.get("projectId") != current_project():
        raise Refused("cluster %s not found" % body["clusterId"], status=404, code="NotFound")
    if name in state.backups:
        raise Refused("a backup named %r already exists" % name, status=409, code="Conflict")
    _check_takeable(state, resource)
    outcome = _outcome(resource)
    backup = {"id": new_id(), "name": name, "projectId": resource["projectId"], "clusterName": resource["name"],
              "clusterId": resource["id"], "clusterMode": resource["clusterMode"], "status": CREATING, "createdAt": _now(),
              "version": resource.get("version"), "automatic": False}
    if resource["clusterMode"] == "disabled":
        backup["instanceSetId"] = resource["id"]
    state.backups[name] = backup
    if outcome != "stuck":
        def finish():
            if state.backups.get(name) is backup and backup["status"] == CREATING:
                backup["status"] = FAILED if outcome in ("failed", "aborted") else AVAILABLE

        emulator().scheduler.schedule(emulator().memstore_backup_seconds, finish)
    response = jsonify({"objectId": backup["id"]})
    response.status_code = 201
    return response


@blueprint.get("/v1/backups")
@requires_token
def list_backups():
    items = _project_backups(memstore_state())
    for key in ("clusterName", "clusterId"):
        wanted = request.args.get(key)
        if wanted:
            items = [item for item in items if item[key] == wanted]
    return jsonify({"backups": items})


@blueprint.delete("/v1/backups/<backup_id>")
@requires_token
@answers_refusals
def delete_backup(backup_id):
    state = memstore_state()
    item = next((item for item in _project_backups(state) if item["id"] == backup_id), None)
    if item is None:
        raise Refused("backup %s not found" % backup_id, status=404, code="NotFound")
    if item["status"] == CREATING:
        raise Refused("backup %r is being taken; try again when it is done" % item["name"], status=409, code="Conflict")
    state.backups.pop(item["name"], None)
    return jsonify({"objectId": backup_id})


# --- test-only control route -----------------------------------------------------------------------------
BACKUP_TIME = {"seconds": (NUMBER, "a number >= 0 of emulated seconds a manual backup takes before it is Available")}


@blueprint.post("/_emulator/memstore/backup-time")
def backup_time():
    body = control_body(BACKUP_TIME, required=("seconds",))
    if body["seconds"] < 0:
        raise ControlError("seconds must be >= 0", BACKUP_TIME)
    emulator().memstore_backup_seconds = float(body["seconds"])
    return jsonify({"seconds": emulator().memstore_backup_seconds})
