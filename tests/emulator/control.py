"""The control API (``/_emulator/...`` on the MemStore port): reset, fault
injection, the clock, the request log, and shortcuts for tests and demos.

Every body is a JSON object; a body that is not, a field that is unknown, missing
or of the wrong type is answered 400 ``{"error": "<what is wrong>", "expected":
{<field>: "<what it takes>"}}``. README.md lists every endpoint with its body.
"""

from flask import Blueprint, current_app, jsonify, request

from . import chaos, re_databases, re_health, re_recovery
from .memstore import VERSION
from .redis_enterprise import DEFAULT_ADMIN

blueprint = Blueprint("control", __name__, url_prefix="/_emulator")

NUMBER = (int, float)
OUTCOMES = ("failed", "stuck", "error", "aborted")
BUSY_STATUSES = (409, 400)


class ControlError(Exception):
    """A control request the emulator cannot act on: answered 400 with what is expected."""

    def __init__(self, message, schema=None):
        super(ControlError, self).__init__(message)
        self.message = message
        self.schema = schema or {}


@blueprint.app_errorhandler(ControlError)
def _control_error(exc):
    response = jsonify({"error": exc.message, "expected": {name: spec[1] for name, spec in exc.schema.items()}})
    response.status_code = 400
    return response


def emulator():
    return current_app.config["EMULATOR"]


def _type_ok(value, types):
    if isinstance(value, bool):
        return bool in (types if isinstance(types, tuple) else (types,))
    return isinstance(value, types)


def control_body(schema, required=(), allow_other=False):
    """The request's JSON object body, checked against ``schema``.

    ``schema`` maps each field to ``(types, description)``; ``required`` names the
    fields that must be present; ``allow_other`` lets unknown fields through (for
    bodies that carry resource fields checked elsewhere). An empty body is ``{}``.
    Raises :class:`ControlError` (400) naming the first problem.
    """
    raw = request.get_data()
    if not raw.strip():
        body = {}
    else:
        body = request.get_json(force=True, silent=True)
        if not isinstance(body, dict):
            raise ControlError("the body must be a JSON object", schema)
    if not allow_other:
        unknown = sorted(set(body) - set(schema))
        if unknown:
            raise ControlError("unknown field %s" % unknown[0], schema)
    for name in required:
        if body.get(name) is None:
            raise ControlError("%s is required" % name, schema)
    for name, (types, description) in schema.items():
        if body.get(name) is not None and not _type_ok(body[name], types):
            raise ControlError("%s must be %s" % (name, description), schema)
    return body


def _check(condition, message, schema):
    if not condition:
        raise ControlError(message, schema)


@blueprint.get("/info")
def info():
    return jsonify(emulator().info())


@blueprint.post("/reset")
def reset():
    control_body({})
    emulator().reset()
    return jsonify({"reset": True})


@blueprint.get("/log")
def get_log():
    since = request.args.get("since", "0")
    if not since.isdigit():
        raise ControlError("since must be a non-negative integer (the last seq already seen)",
                           {"since": (int, "query parameter: only entries with a greater seq")})
    return jsonify({"requests": emulator().log.entries(int(since)), "last": emulator().log.last_seq()})


@blueprint.delete("/log")
def clear_log():
    emulator().log.clear()
    return jsonify({"cleared": True})


FAULT = {
    "server": (str, "a string: memstore, node1, node2..., or re (every node); globs allowed (default *)"),
    "method": (str, "a string: GET, POST, PUT, PATCH, DELETE or * (default)"),
    "path": (str, "a string: the request path, a glob (default *)"),
    "status": (int, "an integer HTTP status from 100 to 599, answered instead of the real answer"),
    "times": (int, "an integer: how many matching requests it hits (default 1, -1: every one)"),
    "skip": (int, "an integer >= 0: matching requests let through before it hits (default 0)"),
    "retry_after": (NUMBER, "a number of seconds sent as Retry-After with status"),
    "delay": (NUMBER, "a number of real seconds >= 0 to wait before answering"),
    "drop": (str, "before (close the connection, request not processed) or after (processed, answer lost)"),
    "code": (str, "a string: the error code of the answer's body"),
    "message": (str, "a string: the error message of the answer's body"),
    "body": (str, "a string: the whole answer's body, sent as is (UTF-8) instead of the API's error shape"),
    "content_type": (str, "a string: the answer's Content-Type (default text/plain with body, no charset; "
                          "else application/json)"),
    "dribble": (NUMBER, "a number of real seconds > 0: the answer's body is sent one byte at a time, this long apart"),
    "size": (int, "an integer >= 0: with status, the answer's body is that many bytes (a JSON array of spaces), "
                  "streamed without Content-Length"),
}


@blueprint.post("/faults")
def add_fault():
    body = control_body(FAULT)
    _check(any(body.get(key) is not None for key in ("status", "delay", "drop", "dribble")),
           "a fault needs status, delay or drop", FAULT)
    _check(body.get("status") is None or 100 <= body["status"] <= 599, "status must be from 100 to 599", FAULT)
    _check(body.get("drop") in (None, "before", "after"), "drop must be before or after", FAULT)
    _check(body.get("times", 1) >= -1, "times must be -1 (always) or a count >= 0", FAULT)
    _check(body.get("skip", 0) >= 0, "skip must be >= 0", FAULT)
    _check(body.get("delay") is None or body["delay"] >= 0, "delay must be >= 0", FAULT)
    _check(body.get("retry_after") is None or body["retry_after"] >= 0, "retry_after must be >= 0", FAULT)
    _check(body.get("dribble") is None or body["dribble"] > 0, "dribble must be > 0", FAULT)
    _check(body.get("size") is None or (body["size"] >= 0 and body.get("status") is not None), "size must be >= 0, with status", FAULT)
    fault = emulator().faults.add_http(**{key: value for key, value in body.items() if value is not None})
    return jsonify(fault.as_dict()), 201


@blueprint.delete("/faults")
def clear_faults():
    emulator().faults.http.clear()
    emulator().faults.operations.clear()
    return jsonify({"cleared": True})


CHAOS = {
    "seed": (int, "an integer: the seed of the draws (the same seed and requests, the same faults)"),
    "rate": (NUMBER, "a number from 0 to 1: the share of API requests faulted (default %g)" % chaos.DEFAULT_RATE),
    "kinds": (list, "a non-empty array of fault kinds among %s (default all)" % ", ".join(chaos.KINDS)),
    "retry_after": (int, "an integer of seconds >= 0: the Retry-After of 503 and 429 faults (default %d)" % chaos.DEFAULT_RETRY_AFTER),
    "slow_seconds": (NUMBER, "a number of real seconds >= 0: how late a slow answer comes (default %g)" % chaos.DEFAULT_SLOW_SECONDS),
}


@blueprint.put("/chaos")
def start_chaos():
    body = control_body(CHAOS, required=("seed",))
    rate = body.get("rate", chaos.DEFAULT_RATE)
    kinds = body.get("kinds", list(chaos.KINDS))
    _check(0 <= rate <= 1, "rate must be from 0 to 1", CHAOS)
    _check(kinds and all(kind in chaos.KINDS for kind in kinds) and len(set(kinds)) == len(kinds),
           "kinds must be a non-empty array of distinct kinds among %s" % ", ".join(chaos.KINDS), CHAOS)
    _check(body.get("retry_after", 0) >= 0, "retry_after must be >= 0", CHAOS)
    _check(body.get("slow_seconds", 0) >= 0, "slow_seconds must be >= 0", CHAOS)
    emulator().chaos = chaos.Chaos(body["seed"], rate, kinds, body.get("retry_after", chaos.DEFAULT_RETRY_AFTER),
                                   body.get("slow_seconds", chaos.DEFAULT_SLOW_SECONDS))
    return jsonify(emulator().chaos.report())


@blueprint.get("/chaos")
def chaos_report():
    current = emulator().chaos
    return jsonify(current.report() if current is not None else {"enabled": False})


@blueprint.delete("/chaos")
def stop_chaos():
    current, emulator().chaos = emulator().chaos, None
    return jsonify(dict(current.report(), enabled=False) if current is not None else {"enabled": False})


OPERATION_FAULT = {
    "operation": (str, "a string (glob): create, update, scale, recovery, promote, delete, backup (MemStore), bootstrap, "
                       "or a node action name (Redis Enterprise)"),
    "outcome": (str, "failed, stuck, error or aborted"),
    "target": (str, "a string (glob): the instance set's or cluster's name; node<index> for bootstrap; node<uid> for a node action "
                    "(default *)"),
    "times": (int, "an integer: how many operations it hits (default 1, -1: every one)"),
    "details": (dict, "an object passed to the feature, e.g. {\"error_code\": ..., \"error_message\": ...}"),
}


@blueprint.post("/faults/operation")
def add_operation_fault():
    body = control_body(OPERATION_FAULT, required=("operation", "outcome"))
    _check(body["outcome"] in OUTCOMES, "outcome must be one of %s" % ", ".join(OUTCOMES), OPERATION_FAULT)
    _check(body.get("times", 1) >= -1, "times must be -1 (always) or a count >= 0", OPERATION_FAULT)
    emulator().faults.add_operation(**{key: value for key, value in body.items() if value is not None})
    return jsonify({"added": True}), 201


@blueprint.post("/tokens/expire")
def expire_tokens():
    control_body({})
    now = emulator().clock.now()
    for token in emulator().memstore.tokens.values():
        token["expires_at"] = now
    return jsonify({"expired": len(emulator().memstore.tokens)})


CLOCK = {
    "speed": (NUMBER, "a number > 0: emulated seconds per real second"),
    "advance": (NUMBER, "a number >= 0: emulated seconds to jump forward now"),
}


@blueprint.post("/clock")
def clock():
    body = control_body(CLOCK)
    _check(body.get("speed") is None or body["speed"] > 0, "speed must be > 0", CLOCK)
    _check(body.get("advance") is None or body["advance"] >= 0, "advance must be >= 0", CLOCK)
    if body.get("speed") is not None:
        emulator().clock.set_speed(float(body["speed"]))
    if body.get("advance") is not None:
        emulator().clock.advance(float(body["advance"]))
        emulator().scheduler.run_due()
    return jsonify({"now": emulator().clock.now(), "speed": emulator().clock.speed})


RE_CLUSTER = {
    "name": (str, "a string: the cluster's FQDN (default cluster.re.test)"),
    "nodes": (list, "an array of node indexes (1 = 127.0.0.2...), the first is the master (default: every node)"),
    "username": (str, "a string: the admin user (default admin@re.test)"),
    "password": (str, "a string: the admin password (default Admin-Passw0rd)"),
}


@blueprint.post("/re/cluster")
def seed_cluster():
    body = control_body(RE_CLUSTER)
    count = emulator().node_count
    nodes = body.get("nodes")
    if nodes is not None:
        _check(nodes and all(_type_ok(n, int) and 1 <= n <= count for n in nodes) and len(set(nodes)) == len(nodes),
               "nodes must be distinct node indexes from 1 to %d" % count, RE_CLUSTER)
    cluster = emulator().seed_re_cluster(body.get("name") or "cluster.re.test", nodes, body.get("username"), body.get("password"))
    return jsonify({"name": cluster.name, "nodes": [n.index for n in cluster.members(emulator())],
                    "username": body.get("username") or DEFAULT_ADMIN[0]}), 201


NODE_DOWN = {
    "seconds": (NUMBER, "a number > 0 of real seconds during which the node's API refuses connections, the node staying "
                        "active in its cluster (default 3)"),
    "until_up": (bool, "a boolean: true takes the node itself down (its cluster sees it down) until POST /re/nodes/<n>/up; "
                       "seconds is then not allowed"),
}


def _node_index(index, schema):
    _check(1 <= index <= emulator().node_count, "node %d does not exist (1 to %d)" % (index, emulator().node_count), schema)


@blueprint.post("/re/nodes/<int:index>/down")
def node_down(index):
    body = control_body(NODE_DOWN)
    _node_index(index, NODE_DOWN)
    if body.get("until_up"):
        _check(body.get("seconds") is None, "seconds and until_up exclude each other", NODE_DOWN)
        emulator().node_down(index)
        return jsonify({"down": index, "seconds": None})
    seconds = body.get("seconds", 3)
    _check(seconds > 0, "seconds must be > 0", NODE_DOWN)
    emulator().node_down(index, float(seconds))
    return jsonify({"down": index, "seconds": seconds})


@blueprint.post("/re/nodes/<int:index>/up")
def node_up(index):
    control_body({})
    _node_index(index, {})
    emulator().node_up(index)
    return jsonify({"up": index})


CLUSTER_OF = (int, "an integer: the index of a node of the cluster meant (default 1)")


def _cluster(body, schema):
    """The cluster of the body's ``node`` (an index), its default database placed."""
    index = body.get("node", 1)
    _node_index(index, schema)
    node = emulator().node(index)
    _check(node.cluster is not None and not node.removed, "node %d is not in a cluster" % index, schema)
    re_databases.ensure_placed(emulator(), node.cluster)
    return node.cluster


DATABASE = {
    "name": (str, "a string: the database's name, unique in the cluster"),
    "shards_count": (int, "an integer from 1 to 64: primary shards (default 1)"),
    "replication": (bool, "a boolean: a replica of each primary on another node (default true)"),
    "status": (str, "a database status: %s (default active)" % ", ".join(re_databases.DATABASE_STATUSES)),
    "node": CLUSTER_OF,
}


@blueprint.post("/re/databases")
def create_database():
    body = control_body(DATABASE, required=("name",))
    cluster = _cluster(body, DATABASE)
    _check(all(d.name != body["name"] for d in cluster.databases.values()), "a database named %s exists" % body["name"], DATABASE)
    _check(1 <= body.get("shards_count", 1) <= 64, "shards_count must be from 1 to 64", DATABASE)
    _check(body.get("status", "active") in re_databases.DATABASE_STATUSES, "status must be one of %s"
           % ", ".join(re_databases.DATABASE_STATUSES), DATABASE)
    try:
        database = re_databases.create_database(emulator(), cluster, body["name"], body.get("shards_count", 1),
                                                body.get("replication", True), body.get("status", "active"))
    except re_databases.Refusal as refusal:
        raise ControlError(refusal.message, DATABASE) from refusal
    shard_list = sorted(s.uid for s in cluster.shards.values() if s.bdb_uid == database.uid)
    return jsonify({"uid": database.uid, "name": database.name, "shard_list": shard_list}), 201


DATABASE_STATE = {
    "status": (str, "a database status: %s" % ", ".join(re_databases.DATABASE_STATUSES)),
    "availability": (str, "an error_code GET /v1/bdbs/<uid>/availability answers with 503 (e.g. bdb_unavailable_port_unbound); "
                          "\"\" to let the database's shards decide again"),
    "files_lost": (bool, "a boolean: true, its shards' files are lost (its recovery plan is missing-files); false, found"),
    "node": CLUSTER_OF,
}


@blueprint.post("/re/databases/<int:uid>")
def set_database(uid):
    body = control_body(DATABASE_STATE)
    cluster = _cluster(body, DATABASE_STATE)
    database = cluster.databases.get(uid)
    _check(database is not None, "database %d does not exist" % uid, DATABASE_STATE)
    _check(body.get("status") is None or body["status"] in re_databases.DATABASE_STATUSES,
           "status must be one of %s" % ", ".join(re_databases.DATABASE_STATUSES), DATABASE_STATE)
    if body.get("status") is not None:
        database.status = body["status"]
    if body.get("availability") is not None:
        database.availability_error = body["availability"] or None
    if body.get("files_lost") is not None:
        database.files_lost = body["files_lost"]
    answer = {"uid": uid, "status": database.status, "availability": database.availability_error}
    if body.get("files_lost") is not None:
        answer["files_lost"] = database.files_lost
    return jsonify(answer)


QUORUM_LOSS = {"node": CLUSTER_OF}


@blueprint.post("/re/quorum-loss")
def quorum_loss():
    body = control_body(QUORUM_LOSS)
    cluster = _cluster(body, QUORUM_LOSS)
    members = sorted(cluster.members(emulator()), key=lambda n: n.index)
    for node in members:
        emulator().node_up(node.index)  # a replacement node serves, even where the old one was down
    snapshot = re_recovery.lose_quorum(emulator(), cluster)
    return jsonify({"name": snapshot.name, "nodes": [n.index for n in members],
                    "uids": {str(index): uid for index, uid in sorted(snapshot.uids.items())},
                    "recovery_filename": re_recovery.RECOVERY_FILE})


SHARD_SYNC = {
    "status": (str, "idle, in_progress or link_down: the shard's sync.status"),
    "node": CLUSTER_OF,
}


@blueprint.post("/re/shards/<int:uid>/sync")
def set_shard_sync(uid):
    body = control_body(SHARD_SYNC, required=("status",))
    cluster = _cluster(body, SHARD_SYNC)
    shard = cluster.shards.get(uid)
    _check(shard is not None, "shard %d does not exist" % uid, SHARD_SYNC)
    _check(body["status"] in re_databases.SYNC_STATUSES, "status must be one of %s" % ", ".join(re_databases.SYNC_STATUSES),
           SHARD_SYNC)
    _check(shard.sync is not None, "shard %d belongs to a database without replication: it has no sync" % uid, SHARD_SYNC)
    re_databases.set_sync(emulator(), shard, body["status"])
    return jsonify(shard.public())


ALERT = {
    "scope": (str, "cluster, node or database"),
    "name": (str, "a string: the alert's name, e.g. node_memory (any name is taken)"),
    "subject": (int, "an integer: the node uid (scope node) or database uid (scope database) the alert is about"),
    "state": (bool, "a boolean: true raises the alert (the default), false clears it"),
    "enabled": (bool, "a boolean: whether the alert is configured on (default true)"),
    "severity": (str, "%s (default WARNING)" % ", ".join(re_health.SEVERITIES)),
    "node": CLUSTER_OF,
}


@blueprint.post("/re/alerts")
def set_alert():
    body = control_body(ALERT, required=("scope", "name"))
    cluster = _cluster(body, ALERT)
    scope = body["scope"]
    _check(scope in re_health.ALERTS, "scope must be cluster, node or database", ALERT)
    _check(body.get("severity", "WARNING") in re_health.SEVERITIES, "severity must be one of %s" % ", ".join(re_health.SEVERITIES),
           ALERT)
    if scope == "cluster":
        _check(body.get("subject") is None, "subject is not taken with scope cluster", ALERT)
    else:
        owners = re_health.alerts_of(emulator(), cluster, scope)
        _check(body.get("subject") in owners, "subject must be the uid of a %s of the cluster (%s)"
               % (scope, ", ".join(str(uid) for uid in owners)), ALERT)
    alert = re_health.set_alert(emulator(), cluster, scope, body["name"], body.get("subject"), body.get("state", True),
                                body.get("enabled", True), body.get("severity", "WARNING"))
    return jsonify(dict(alert, scope=scope, subject=body.get("subject")))


RESYNC = {"seconds": (NUMBER, "a number >= 0 of emulated seconds a moved or restarted replica shard's sync stays in_progress")}


@blueprint.post("/re/resync-time")
def resync_time():
    body = control_body(RESYNC, required=("seconds",))
    _check(body["seconds"] >= 0, "seconds must be >= 0", RESYNC)
    emulator().re_sync_seconds = float(body["seconds"])
    return jsonify({"seconds": emulator().re_sync_seconds})


SHAPES = {"doc_shapes": (bool, "true: answer as the documents show (available_addrs, numeric uid and progress); "
                               "false: as real servers do (the default)")}


@blueprint.post("/re/shapes")
def shapes():
    body = control_body(SHAPES, required=("doc_shapes",))
    emulator().re_doc_shapes = body["doc_shapes"]
    return jsonify({"doc_shapes": emulator().re_doc_shapes})


BUSY = {"status": (int, "409 (the default: Conflict) or 400 (code InvalidState, as the documents list for "
                        "the PATCH endpoints): the answer to a write on a busy MemStore instance set")}


@blueprint.post("/memstore/busy")
def busy_answer():
    body = control_body(BUSY, required=("status",))
    _check(body["status"] in BUSY_STATUSES, "status must be 409 or 400", BUSY)
    emulator().memstore_busy_status = body["status"]
    return jsonify({"status": emulator().memstore_busy_status})


VERSIONS = {
    "versions": (list, "a non-empty array of versions such as \"7.2.7\": what GET /v1/redis/versions answers and creates accept"),
    "endpoint": (bool, "a boolean: false makes GET /v1/redis/versions answer 404, as a service without it would"),
}


@blueprint.post("/memstore/versions")
def versions():
    body = control_body(VERSIONS)
    _check(body.get("versions") is not None or body.get("endpoint") is not None, "a body needs versions or endpoint", VERSIONS)
    offered = body.get("versions")
    if offered is not None:
        _check(offered and all(isinstance(v, str) and VERSION.match(v) for v in offered),
               "versions must be a non-empty array of versions such as \"7.2.7\"", VERSIONS)
        emulator().memstore_versions = tuple(offered)
    if body.get("endpoint") is not None:
        emulator().memstore_versions_endpoint = body["endpoint"]
    return jsonify({"versions": list(emulator().memstore_versions), "endpoint": emulator().memstore_versions_endpoint})
