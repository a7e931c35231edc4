"""The control API (``/_emulator/...`` on the MemStore port): reset, fault
injection, the clock, the request log, and shortcuts for tests and demos."""

from flask import Blueprint, current_app, jsonify, request

blueprint = Blueprint("control", __name__, url_prefix="/_emulator")


def emulator():
    return current_app.config["EMULATOR"]


def _bad(message):
    response = jsonify({"error": message})
    response.status_code = 400
    return response


@blueprint.get("/info")
def info():
    return jsonify(emulator().info())


@blueprint.post("/reset")
def reset():
    emulator().reset()
    return jsonify({"reset": True})


@blueprint.get("/log")
def get_log():
    since = int(request.args.get("since", 0))
    return jsonify({"requests": emulator().log.entries(since), "last": emulator().log.last_seq()})


@blueprint.delete("/log")
def clear_log():
    emulator().log.clear()
    return jsonify({"cleared": True})


@blueprint.post("/faults")
def add_fault():
    """Body: server (memstore, iam, re, node1...; globs), method, path (glob), status,
    times (default 1, -1 = always), skip, retry_after, delay (seconds), drop (before|after),
    code, message."""
    try:
        fault = emulator().faults.add_http(**(request.get_json(force=True) or {}))
    except (TypeError, ValueError) as exc:
        return _bad(str(exc))
    return jsonify(fault.as_dict()), 201


@blueprint.delete("/faults")
def clear_faults():
    emulator().faults.http.clear()
    emulator().faults.operations.clear()
    return jsonify({"cleared": True})


@blueprint.post("/faults/operation")
def add_operation_fault():
    """Body: operation (glob), target (glob), outcome (failed|stuck|error|aborted), times, details."""
    try:
        emulator().faults.add_operation(**(request.get_json(force=True) or {}))
    except (TypeError, ValueError) as exc:
        return _bad(str(exc))
    return jsonify({"added": True}), 201


@blueprint.post("/tokens/expire")
def expire_tokens():
    now = emulator().clock.now()
    for token in emulator().memstore.tokens.values():
        token["expires_at"] = now
    return jsonify({"expired": len(emulator().memstore.tokens)})


@blueprint.post("/clock")
def clock():
    """Body: speed (emulated seconds per real second) and/or advance (emulated seconds)."""
    body = request.get_json(force=True) or {}
    if "speed" in body:
        emulator().clock.set_speed(float(body["speed"]))
    if "advance" in body:
        emulator().clock.advance(float(body["advance"]))
        emulator().scheduler.run_due()
    return jsonify({"now": emulator().clock.now(), "speed": emulator().clock.speed})


@blueprint.post("/re/cluster")
def seed_cluster():
    """Body: name, nodes (indexes), username, password: a completed cluster at once."""
    body = request.get_json(force=True) or {}
    cluster = emulator().seed_re_cluster(body.get("name", "cluster.re.test"), body.get("nodes"),
                                         body.get("username"), body.get("password"))
    return jsonify({"name": cluster.name, "nodes": [n.index for n in cluster.members(emulator())]}), 201


@blueprint.post("/re/nodes/<int:index>/down")
def node_down(index):
    """Body: seconds (real) during which the node refuses connections."""
    emulator().node_down(index, float((request.get_json(force=True) or {}).get("seconds", 3)))
    return jsonify({"down": index})


@blueprint.post("/re/shapes")
def shapes():
    """Body: doc_shapes (bool): answer as the documents show (available_addrs, numeric uid)
    instead of as real servers do."""
    emulator().re_doc_shapes = bool((request.get_json(force=True) or {}).get("doc_shapes"))
    return jsonify({"doc_shapes": emulator().re_doc_shapes})
