"""MemStore clusters (cluster mode enabled): every endpoint the KakaoCloud MemStore API
documents for them ("When cluster mode enabled"), with its rules and status codes.

Endpoints (all need ``X-Auth-Token``; a cluster of another project is 404; an instance set's
id is 400, as it has no shards):

  POST   /v1/clusters                                  create (201 ``{objectId}``)
  PATCH  /v1/clusters/{id}                             update ``description``, ``parameterGroupId`` (never "")
  DELETE /v1/clusters/{id}                             delete
  POST   /v1/clusters/{id}/shards                      add a shard (201): ``nodeCount``, ``subnetAssignments``
                                                       (one object as the example shows, or an array of one)
  GET    /v1/clusters/{id}/shards                      ``{shards: [...]}`` with every shard's nodes
  GET    /v1/clusters/{id}/shards/{sid}                one shard
  DELETE /v1/clusters/{id}/shards/{sid}                remove a shard (its slots move), never the last one
  POST   /v1/clusters/{id}/shards/{sid}/nodes          add a replica (201): ``{subnet: {id}}``
  GET    /v1/clusters/{id}/shards/{sid}/nodes          ``{nodes: [...]}``
  GET    /v1/clusters/{id}/shards/{sid}/nodes/{nid}    one node
  DELETE /v1/clusters/{id}/shards/{sid}/nodes/{nid}    remove a replica; a primary is 400

The look-up endpoints ``GET /v1/clusters`` and ``GET /v1/clusters/{id}`` (in ``memstore.py``)
show clusters with the create body's field names plus ``id``, ``name``, ``clusterMode:
"enabled"``, ``status``, ``projectId``, ``createdAt``; ``shardCount`` and ``nodeCountPerShard``
follow the live shards (``nodeCountPerShard`` is the largest shard's count); ``user`` keeps the
name only (the password is never kept).

Rules (400 in the KakaoCloud shape ``{"error": {"code", "message"}}`` unless said otherwise):
- bodies are strict: an unknown field, at the top or nested (``nodeCountPerShards``,
  ``subnetAssignments[0].primary.name``), or a field of the wrong type is 400 naming the field;
  the create body accepts the documented fields plus ``tlsEnabled`` (not in the cluster-mode-
  enabled document; named as the instance-set API names it);
- create: name 4-20 lowercase letters, digits and '-', starting with a letter, ending with a
  letter or digit, no '--'; version one of those the emulator offers (``memstore.py``), never
  5.0.6 (cluster mode disabled only); port an integer 2000-50000; shardCount 1-12;
  nodeCountPerShard 1-6; description at most 100 characters without line breaks or emoji; a
  duplicate name (either mode, same project) is 409; placements that do not fit
  (``subnetAssignments`` not one per shard, replicas not ``nodeCountPerShard - 1``, a subnet not
  in ``subnets``) are 422;
- at most 12 shards and 6 nodes per shard; the last shard and a primary cannot be deleted;
- a write to a busy cluster (anything but Running; a delete also accepts Failed) is 400 with code
  ``InvalidState``, as the documents list no 409 for these endpoints; a write other than a delete
  to a Failed cluster is 400 too.

Statuses move on the emulator clock (emulated seconds): create ``Creating`` 60 s (shards and nodes
``Creating``); update ``Modifying`` 20 s (applied when it ends); add or remove a shard
``Scaling(horizontal)`` 120 s (the new shard and its nodes ``Creating``, the removed one
``Deleting``, the others ``Modifying`` while their slots move; the 16384 slots are spread again
when it ends); add or remove a replica ``Modifying`` 40 s (the shard ``Modifying``, the node
``Creating``/``Deleting``); delete ``Deleting`` 30 s, then gone.

Operation faults: ``emulator.faults.add_operation(op, outcome, target=<cluster name>)`` with ``op``
one of create, update, add_shard, remove_shard, add_replica, remove_replica, delete:
``failed``/``aborted`` end the operation with the cluster and what it touched (every shard and node
of a create, the new shard, the shard of a replica change, the new node) Failed, ``stuck`` keeps the
cluster busy forever, ``error`` answers 500 at once without doing anything.

In-process, ``seed_cluster(emulator, name, shards, nodes_per_shard, **fields)`` puts a Running
cluster straight into the state. Test-only control routes (not in the request log):

  POST /_emulator/memstore/clusters                    seed a Running cluster ``{name, shards, nodes_per_shard,
                                                       status, <create-body fields>}``
  POST /_emulator/memstore/cluster-nodes/{nid}/status  ``{status}``: set one node's status (a broken node)
"""

import datetime
import re
import uuid

from flask import Blueprint, jsonify, request

from .control import ControlError, control_body
from .memstore import DEFAULT_PROJECT_ID, Refused, answers_refusals, current_project, emulator, memstore_state, new_id, requires_token, version_refused
from .memstore_backups import refuse_during_backup

blueprint = Blueprint("memstore_clusters", __name__)

SHARDS_MAX = 12
NODES_MAX = 6
SLOTS = 16384

CREATE_SECONDS = 60
MODIFY_SECONDS = 20
SHARD_SECONDS = 120
REPLICA_SECONDS = 40
DELETE_SECONDS = 30

RUNNING = "Running"
FAILED = "Failed"
CREATING = "Creating"
MODIFYING = "Modifying"
DELETING = "Deleting"
SCALING = "Scaling(horizontal)"

CREATE_FIELDS = ("name", "description", "version", "port", "shardCount", "nodeCountPerShard", "flavorId",
                 "parameterGroupId", "subnets", "subnetAssignments", "securityGroups", "user", "tlsEnabled")
UPDATE_FIELDS = ("description", "parameterGroupId")
ADD_SHARD_FIELDS = ("nodeCount", "subnetAssignments")

_NAME = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{2,18}[a-z0-9]$")
_EMOJI = re.compile(u"[\u2600-\u27bf\ufe00-\ufe0f\U00010000-\U0010ffff]")


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- strict bodies ---------------------------------------------------------------------------
def _body(allowed):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Refused("the request body must be a JSON object (Content-Type: application/json)")
    _only(body, allowed, "")
    return body


def _only(value, allowed, where):
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise Refused("%s%s is not a field of this request (known: %s)" % (where, unknown[0], ", ".join(allowed)))


def _string(value, where, required=True):
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise Refused("%s is required and must be a non-empty string" % where)
    return value


def _integer(value, where):
    if not isinstance(value, int) or isinstance(value, bool):
        raise Refused("%s is required and must be an integer" % where)
    return value


def _id_object(value, where):
    if not isinstance(value, dict):
        raise Refused("%s is required and must be an object {id}" % where)
    _only(value, ("id",), where + ".")
    return _string(value.get("id"), where + ".id")


def _id_list(value, where):
    if not isinstance(value, list) or not value:
        raise Refused("%s is required and must be a non-empty array of {id}" % where)
    return [_id_object(item, "%s[%d]" % (where, index)) for index, item in enumerate(value)]


def _placement(value, where):
    """A ``{primary: {id}, replicas: [{id}]}`` object -> ``(primary, [replicas])``."""
    if not isinstance(value, dict):
        raise Refused("%s must be an object {primary, replicas}" % where)
    _only(value, ("primary", "replicas"), where + ".")
    primary = _id_object(value.get("primary"), where + ".primary")
    replicas = value.get("replicas")
    if not isinstance(replicas, list):
        raise Refused("%s.replicas is required and must be an array of {id}" % where)
    return primary, [_id_object(item, "%s.replicas[%d]" % (where, index)) for index, item in enumerate(replicas)]


def _check_description(value):
    if not isinstance(value, str):
        raise Refused("description must be a string")
    if len(value) > 100:
        raise Refused("description must be at most 100 characters")
    if "\r" in value or "\n" in value:
        raise Refused("description must not contain line breaks")
    if _EMOJI.search(value):
        raise Refused("description must not contain emoji")


def _fit(placements, nodes, subnets):
    """422 when placements do not place ``nodes`` nodes each within ``subnets``."""
    for index, (primary, replicas) in enumerate(placements):
        if len(replicas) != nodes - 1:
            raise Refused("subnetAssignments[%d].replicas must place every replica: %d given for %d replicas"
                          % (index, len(replicas), nodes - 1), status=422, code="UnprocessableEntity")
        for subnet in [primary] + replicas:
            if subnet not in subnets:
                raise Refused("subnetAssignments may use only subnets listed in subnets (%r is not)" % subnet,
                              status=422, code="UnprocessableEntity")


def _validate_create(body, state):
    name = _string(body.get("name"), "name")
    if not _NAME.match(name):
        raise Refused("name must be 4-20 lowercase letters, digits and '-', start with a letter, "
                      "end with a letter or digit, without '--'")
    description = body.get("description", "")
    _check_description(description)
    version = _string(body.get("version"), "version")
    refused = version_refused(version, "enabled")
    if refused:
        raise Refused(refused)
    port = _integer(body.get("port"), "port")
    if not 2000 <= port <= 50000:
        raise Refused("port must be between 2000 and 50000")
    shards = _integer(body.get("shardCount"), "shardCount")
    if not 1 <= shards <= SHARDS_MAX:
        raise Refused("shardCount must be from 1 to %d" % SHARDS_MAX)
    nodes = _integer(body.get("nodeCountPerShard"), "nodeCountPerShard")
    if not 1 <= nodes <= NODES_MAX:
        raise Refused("nodeCountPerShard must be from 1 to %d" % NODES_MAX)
    flavor = _string(body.get("flavorId"), "flavorId")
    parameter_group = _string(body.get("parameterGroupId"), "parameterGroupId")
    subnets = _id_list(body.get("subnets"), "subnets")
    assignments = body.get("subnetAssignments")
    if not isinstance(assignments, list) or not assignments:
        raise Refused("subnetAssignments is required and must be a non-empty array of {primary, replicas}")
    placements = [_placement(item, "subnetAssignments[%d]" % index) for index, item in enumerate(assignments)]
    security_groups = _id_list(body.get("securityGroups"), "securityGroups")
    user = body.get("user")
    if user is not None:
        if not isinstance(user, dict):
            raise Refused("user must be an object {name, password}")
        _only(user, ("name", "password"), "user.")
        _string(user.get("name"), "user.name")
        _string(user.get("password"), "user.password")
    tls = body.get("tlsEnabled", False)
    if not isinstance(tls, bool):
        raise Refused("tlsEnabled must be a boolean")
    if len(placements) != shards:
        raise Refused("subnetAssignments must hold one placement per shard: %d given for %d shards" % (len(placements), shards),
                      status=422, code="UnprocessableEntity")
    _fit(placements, nodes, subnets)
    project = current_project()
    if any(r.get("name") == name and r.get("projectId") == project for r in state.resources.values()):
        raise Refused("a cluster or instance set named %r already exists" % name, status=409, code="Conflict")
    return dict(
        name=name, description=description, version=version, port=port, shardCount=shards, nodeCountPerShard=nodes,
        flavorId=flavor, parameterGroupId=parameter_group, subnets=[{"id": s} for s in subnets],
        subnetAssignments=[{"primary": {"id": p}, "replicas": [{"id": r} for r in rs]} for p, rs in placements],
        securityGroups=[{"id": sg} for sg in security_groups], tlsEnabled=tls,
        user={"name": user["name"]} if user else None, projectId=project,
    ), placements


# --- shards, nodes and slots --------------------------------------------------------------------
def _new_node(cluster, shard, role, subnet, status):
    shard["_serial"] += 1
    number = uuid.uuid4().int
    return {
        "id": str(uuid.uuid4()),
        "name": "%s-%s-%03d" % (cluster["name"], shard["id"], shard["_serial"]),
        "subnet": {"id": subnet},
        "endpoint": "10.184.%d.%d" % ((number >> 8) % 256, number % 253 + 1),
        "role": role,
        "status": status,
        "createdAt": _now(),
    }


def _new_shard(cluster, primary, replicas, status):
    number = max([int(s["id"]) for s in cluster["_shards"]] or [0]) + 1
    shard = {"id": "%03d" % number, "name": "%s-%03d" % (cluster["name"], number), "slots": "", "status": status,
             "createdAt": _now(), "nodes": [], "_serial": 0}
    shard["nodes"].append(_new_node(cluster, shard, "primary", primary, status))
    for subnet in replicas:
        shard["nodes"].append(_new_node(cluster, shard, "replica", subnet, status))
    cluster["_shards"].append(shard)
    return shard


def _spread_slots(cluster):
    """The 16384 hash slots in contiguous ranges over the shards, in shard order."""
    shards = cluster["_shards"]
    start = 0
    for index, shard in enumerate(shards):
        size = SLOTS // len(shards) + (1 if index < SLOTS % len(shards) else 0)
        shard["slots"] = "%d-%d" % (start, start + size - 1)
        start += size
    cluster["shardCount"] = len(shards)
    cluster["nodeCountPerShard"] = max(len(s["nodes"]) for s in shards) if shards else 0


def _set_status(items, status):
    for item in items:
        item["status"] = status


def _everything(cluster):
    """Every shard and node of the cluster."""
    found = []
    for shard in cluster["_shards"]:
        found.append(shard)
        found.extend(shard["nodes"])
    return found


def _shown_node(node):
    return {key: (dict(value) if isinstance(value, dict) else value) for key, value in node.items() if not key.startswith("_")}


def _shown_shard(shard):
    shown = {key: value for key, value in shard.items() if not key.startswith("_") and key != "nodes"}
    shown["nodes"] = [_shown_node(node) for node in shard["nodes"]]
    return shown


# --- operations ------------------------------------------------------------------------------------
def _outcome(operation, cluster):
    """The injected outcome of this operation on this cluster (None for a normal run)."""
    fault = emulator().faults.take_operation(operation, cluster["name"])
    if fault and fault["outcome"] == "error":
        raise Refused("internal error while running %s (injected)" % operation, status=500, code="InternalServerError")
    return fault["outcome"] if fault else None


def _begin(cluster, status, seconds, outcome, finish, touched=(), emu=None):
    """Mark the cluster ``status`` and finish the operation ``seconds`` emulated seconds later.

    ``finish(cluster)`` applies the change, then the cluster and every shard and node still
    there are Running. A ``failed``/``aborted`` outcome makes the cluster and ``touched``
    (shards and nodes) Failed instead; ``stuck`` never finishes.
    """
    emu = emu or emulator()
    cluster["status"] = status
    cluster["_op"] += 1
    op = cluster["_op"]
    if outcome == "stuck":
        return
    state = emu.memstore  # callbacks run outside any request: bind the state now

    def complete():
        if state.resources.get(cluster["id"]) is not cluster or cluster["_op"] != op:
            return  # deleted, or superseded by a later operation
        if outcome in ("failed", "aborted"):
            cluster["status"] = FAILED
            _set_status([item for item in _everything(cluster) if item["status"] != FAILED], RUNNING)
            _set_status(touched, FAILED)
            return
        finish(cluster)
        cluster["status"] = RUNNING
        _set_status([item for item in _everything(cluster) if item["status"] != FAILED], RUNNING)

    emu.scheduler.schedule(seconds, complete)


def _get_cluster(cluster_id):
    cluster = memstore_state().resources.get(cluster_id)
    if cluster is None or cluster.get("projectId") != current_project():
        raise Refused("cluster %s not found" % cluster_id, status=404, code="NotFound")
    if cluster.get("clusterMode") != "enabled":
        raise Refused("%s is an instance set (cluster mode disabled): use /v1/instance-sets" % cluster_id)
    return cluster


def _get_shard(cluster, shard_id):
    shard = next((s for s in cluster["_shards"] if s["id"] == shard_id), None)
    if shard is None:
        raise Refused("shard %s not found in cluster %s" % (shard_id, cluster["id"]), status=404, code="NotFound")
    return shard


def _get_node(cluster, shard, node_id):
    node = next((n for n in shard["nodes"] if n["id"] == node_id), None)
    if node is None:
        raise Refused("node %s not found in shard %s of cluster %s" % (node_id, shard["id"], cluster["id"]), status=404, code="NotFound")
    return node


def _writable(cluster, allow_failed=False):
    status = cluster["status"]
    if status == RUNNING or (allow_failed and status == FAILED):
        return
    raise Refused("cluster %r is in an invalid state for this request (%s); try again when it is Running" % (cluster["name"], status),
                  code="InvalidState")


def _not_backing_up(cluster):
    """No shard or node is added or removed, nor the cluster deleted, while its backup runs (busy: 400 InvalidState)."""
    refuse_during_backup(cluster, "cluster", 400)


def _answer(cluster, status=200):
    response = jsonify({"objectId": cluster["id"]})
    response.status_code = status
    return response


# --- endpoints -------------------------------------------------------------------------------------------
@blueprint.post("/v1/clusters")
@requires_token
@answers_refusals
def create_cluster():
    state = memstore_state()
    fields, placements = _validate_create(_body(CREATE_FIELDS), state)
    cluster = dict(fields, id=new_id(), clusterMode="enabled", status=CREATING, createdAt=_now(), _shards=[], _op=0)
    outcome = _outcome("create", cluster)
    for primary, replicas in placements:
        _new_shard(cluster, primary, replicas, CREATING)
    _spread_slots(cluster)
    state.resources[cluster["id"]] = cluster
    _begin(cluster, CREATING, CREATE_SECONDS, outcome, lambda c: None, touched=_everything(cluster))
    return _answer(cluster, 201)


@blueprint.patch("/v1/clusters/<cluster_id>")
@requires_token
@answers_refusals
def update_cluster(cluster_id):
    cluster = _get_cluster(cluster_id)
    body = _body(UPDATE_FIELDS)
    if not body:
        raise Refused("nothing to update: send description and/or parameterGroupId")
    changes = {}
    if "description" in body:
        _check_description(body["description"])
        changes["description"] = body["description"]
    if "parameterGroupId" in body:
        if not isinstance(body["parameterGroupId"], str) or not body["parameterGroupId"]:
            raise Refused("parameterGroupId cannot be updated to an empty string")
        changes["parameterGroupId"] = body["parameterGroupId"]
    _writable(cluster)
    outcome = _outcome("update", cluster)
    _begin(cluster, MODIFYING, MODIFY_SECONDS, outcome, lambda c: c.update(changes))
    return _answer(cluster)


@blueprint.delete("/v1/clusters/<cluster_id>")
@requires_token
@answers_refusals
def delete_cluster(cluster_id):
    state = memstore_state()
    cluster = _get_cluster(cluster_id)
    _writable(cluster, allow_failed=True)
    _not_backing_up(cluster)
    outcome = _outcome("delete", cluster)
    _begin(cluster, DELETING, DELETE_SECONDS, outcome, lambda c: state.resources.pop(c["id"], None))
    _set_status(_everything(cluster), DELETING)
    return _answer(cluster)


@blueprint.get("/v1/clusters/<cluster_id>/shards")
@requires_token
@answers_refusals
def list_shards(cluster_id):
    cluster = _get_cluster(cluster_id)
    return jsonify({"shards": [_shown_shard(shard) for shard in cluster["_shards"]]})


@blueprint.post("/v1/clusters/<cluster_id>/shards")
@requires_token
@answers_refusals
def add_shard(cluster_id):
    cluster = _get_cluster(cluster_id)
    body = _body(ADD_SHARD_FIELDS)
    nodes = _integer(body.get("nodeCount"), "nodeCount")
    if not 1 <= nodes <= NODES_MAX:
        raise Refused("nodeCount must be from 1 to %d" % NODES_MAX)
    assignments = body.get("subnetAssignments")
    if isinstance(assignments, list):  # the table says array, the example sends one object: accept both
        if len(assignments) != 1:
            raise Refused("subnetAssignments must hold exactly one {primary, replicas} placement for the new shard")
        assignments = assignments[0]
    primary, replicas = _placement(assignments, "subnetAssignments")
    _fit([(primary, replicas)], nodes, [s["id"] for s in cluster["subnets"]])
    _writable(cluster)
    _not_backing_up(cluster)
    if len(cluster["_shards"]) >= SHARDS_MAX:
        raise Refused("a cluster has at most %d shards" % SHARDS_MAX)
    outcome = _outcome("add_shard", cluster)
    others = _everything(cluster)
    shard = _new_shard(cluster, primary, replicas, CREATING)
    _set_status(others, MODIFYING)
    _begin(cluster, SCALING, SHARD_SECONDS, outcome, _spread_slots, touched=[shard] + shard["nodes"])
    return _answer(cluster, 201)


@blueprint.get("/v1/clusters/<cluster_id>/shards/<shard_id>")
@requires_token
@answers_refusals
def get_shard(cluster_id, shard_id):
    return jsonify(_shown_shard(_get_shard(_get_cluster(cluster_id), shard_id)))


@blueprint.delete("/v1/clusters/<cluster_id>/shards/<shard_id>")
@requires_token
@answers_refusals
def remove_shard(cluster_id, shard_id):
    cluster = _get_cluster(cluster_id)
    shard = _get_shard(cluster, shard_id)
    _writable(cluster)
    _not_backing_up(cluster)
    if len(cluster["_shards"]) == 1:
        raise Refused("the last shard of a cluster cannot be deleted; delete the cluster")
    outcome = _outcome("remove_shard", cluster)

    def finish(c):
        c["_shards"] = [s for s in c["_shards"] if s is not shard]
        _spread_slots(c)

    _set_status([item for item in _everything(cluster) if item is not shard and item not in shard["nodes"]], MODIFYING)
    _set_status([shard] + shard["nodes"], DELETING)
    _begin(cluster, SCALING, SHARD_SECONDS, outcome, finish, touched=[shard])
    return _answer(cluster)


@blueprint.get("/v1/clusters/<cluster_id>/shards/<shard_id>/nodes")
@requires_token
@answers_refusals
def list_nodes(cluster_id, shard_id):
    shard = _get_shard(_get_cluster(cluster_id), shard_id)
    return jsonify({"nodes": [_shown_node(node) for node in shard["nodes"]]})


@blueprint.post("/v1/clusters/<cluster_id>/shards/<shard_id>/nodes")
@requires_token
@answers_refusals
def add_replica(cluster_id, shard_id):
    cluster = _get_cluster(cluster_id)
    shard = _get_shard(cluster, shard_id)
    subnet = _id_object(_body(("subnet",)).get("subnet"), "subnet")
    if subnet not in [s["id"] for s in cluster["subnets"]]:
        raise Refused("subnet %s is not one of the cluster's subnets" % subnet)
    _writable(cluster)
    _not_backing_up(cluster)
    if len(shard["nodes"]) >= NODES_MAX:
        raise Refused("a shard has at most %d nodes (one primary and %d replicas)" % (NODES_MAX, NODES_MAX - 1))
    outcome = _outcome("add_replica", cluster)
    node = _new_node(cluster, shard, "replica", subnet, CREATING)
    shard["nodes"].append(node)
    shard["status"] = MODIFYING
    _begin(cluster, MODIFYING, REPLICA_SECONDS, outcome, _spread_slots, touched=[shard, node])
    return _answer(cluster, 201)


@blueprint.get("/v1/clusters/<cluster_id>/shards/<shard_id>/nodes/<node_id>")
@requires_token
@answers_refusals
def get_node(cluster_id, shard_id, node_id):
    cluster = _get_cluster(cluster_id)
    return jsonify(_shown_node(_get_node(cluster, _get_shard(cluster, shard_id), node_id)))


@blueprint.delete("/v1/clusters/<cluster_id>/shards/<shard_id>/nodes/<node_id>")
@requires_token
@answers_refusals
def remove_replica(cluster_id, shard_id, node_id):
    cluster = _get_cluster(cluster_id)
    shard = _get_shard(cluster, shard_id)
    node = _get_node(cluster, shard, node_id)
    if node["role"] == "primary":
        raise Refused("primary nodes cannot be deleted")
    _writable(cluster)
    _not_backing_up(cluster)
    outcome = _outcome("remove_replica", cluster)

    def finish(c):
        shard["nodes"] = [n for n in shard["nodes"] if n is not node]
        _spread_slots(c)

    shard["status"] = MODIFYING
    node["status"] = DELETING
    _begin(cluster, MODIFYING, REPLICA_SECONDS, outcome, finish, touched=[shard])
    return _answer(cluster)


# --- seeding and test-only control routes -----------------------------------------------------------
def seed_cluster(emu, name, shards=2, nodes_per_shard=2, status=RUNNING, **fields):
    """Put a cluster of ``shards`` shards of ``nodes_per_shard`` Running nodes straight into the state.

    ``fields`` override the defaults in the create body's names (``subnets``, ``subnetAssignments``,
    ``description``...). Returns the stored dict (hold ``emu.lock`` to change it).
    """
    subnets = [s["id"] for s in fields.get("subnets") or [{"id": "subnet-1"}, {"id": "subnet-2"}, {"id": "subnet-3"}]]
    assignments = [{"primary": {"id": subnets[i % len(subnets)]},
                    "replicas": [{"id": subnets[(i + 1 + r) % len(subnets)]} for r in range(nodes_per_shard - 1)]}
                   for i in range(shards)]
    cluster = {
        "id": new_id(), "name": name, "clusterMode": "enabled", "status": status, "projectId": DEFAULT_PROJECT_ID,
        "description": "", "version": "7.2.6", "port": 6379, "flavorId": "flavor-1", "parameterGroupId": "pg-1",
        "securityGroups": [{"id": "sg-1"}], "subnets": [{"id": s} for s in subnets], "subnetAssignments": assignments,
        "shardCount": shards, "nodeCountPerShard": nodes_per_shard, "tlsEnabled": False, "user": None,
        "createdAt": _now(), "_shards": [], "_op": 0,
    }
    cluster.update(fields)
    with emu.lock:
        placements = cluster["subnetAssignments"]
        for placement in [placements[index % len(placements)] for index in range(shards)]:
            _new_shard(cluster, placement["primary"]["id"], [r["id"] for r in placement["replicas"]], status)
        _spread_slots(cluster)
        emu.memstore.resources[cluster["id"]] = cluster
    return cluster


SEED_CLUSTER = {
    "name": (str, "a string: the cluster's name (required)"),
    "shards": (int, "an integer from 1 to 12: Running shards (default 2)"),
    "nodes_per_shard": (int, "an integer from 1 to 6: nodes of each shard, the primary included (default 2)"),
    "status": (str, "a string: the status of the cluster, its shards and nodes (default Running)"),
}
SEED_NODE_STATUS = {"status": (str, "a string: the node's status, e.g. Failed (required)")}


@blueprint.post("/_emulator/memstore/clusters")
def seed_cluster_route():
    """Body: name (required), shards (default 2), nodes_per_shard (default 2), status, and create-body fields."""
    schema = dict(SEED_CLUSTER, **{field: (object, "a create-body field, stored as given") for field in CREATE_FIELDS
                                   if field != "name"})
    body = control_body(schema, required=("name",))
    if not 1 <= body.get("shards", 2) <= 12:
        raise ControlError("shards must be from 1 to 12", schema)
    if not 1 <= body.get("nodes_per_shard", 2) <= 6:
        raise ControlError("nodes_per_shard must be from 1 to 6", schema)
    cluster = seed_cluster(emulator(), body.pop("name"), body.pop("shards", 2), body.pop("nodes_per_shard", 2), **body)
    return jsonify({"id": cluster["id"], "name": cluster["name"]}), 201


@blueprint.post("/_emulator/memstore/cluster-nodes/<node_id>/status")
def set_node_status(node_id):
    """Body: status, e.g. Failed: what a broken node looks like."""
    status = control_body(SEED_NODE_STATUS, required=("status",))["status"]
    for cluster in memstore_state().resources.values():
        for shard in cluster.get("_shards") or []:
            for node in shard["nodes"]:
                if node["id"] == node_id:
                    node["status"] = status
                    return jsonify({"id": node_id, "status": status})
    return jsonify({"error": "no node %s" % node_id}), 404
