"""Redis Enterprise nodes and node actions, as the Redis Enterprise REST API documents them.
Registered on every node's app; every node of a cluster answers for every node
of that cluster, so any node URL can act on uid 2.

Endpoints
  GET    /v1/nodes                              the cluster's nodes
  GET    /v1/nodes/{uid}                        one node; 404 once it is removed
  GET    /v1/nodes/{uid}/status                 role, node_status, shard_count and, while the
                                                node holds one, ``maintenance_snapshot``
                                                (``{created_time, name, node_uid}``, the newest)
  GET    /v1/nodes/actions                      every action of every node: a bare list, as documented
  GET    /v1/nodes/{uid}/actions                ``{"actions": [...]}`` (empty when none)
  GET    /v1/nodes/{uid}/actions/{action}       one action; 404 when there is none
  POST   /v1/nodes/{uid}/actions/{action}       start it: ``{"status", "task_id"}``; admin only (403)
  DELETE /v1/nodes/{uid}/actions/{action}       cancel a queued/running one (cancelling -> cancelled)
                                                or clear a finished one; 404 when none; admin only

Action state machine, on the emulated clock: queued (1 s) -> starting (2 s) ->
running, progress +10 every 3 s -> completed at 100, when the effect is applied.
Only one instance of an action type per node (409 otherwise); a new POST replaces
the stored result of the previous one. Real servers send ``progress`` and
``node_uid`` as strings; with ``re_doc_shapes`` progress is a number as in the
documents. Failed actions carry ``error_code`` and ``error_message``.

Effects
  maintenance_on   snapshots the node (``{name, created_time, node_uid}`` plus its shards and their
                   roles), fails its primaries over to their replicas and moves its shards to the
                   other active nodes not in maintenance, never onto a node holding the shard's
                   peer (``re_databases.py``); the moved shards resync. Activations stack: each
                   one pushes a snapshot (``overwrite_snapshot`` replaces the newest instead), so
                   two ONs need two OFFs; the stack is ``len(node.maintenance_snapshots)``. With
                   ``evict_ha_replica`` and ``evict_active_active_replica`` both false (or the
                   deprecated ``keep_slave_shards``) the primaries fail over and the shards stay.
                   No node to move a shard to -> failed, ``insufficient_resources``. ``evict_dbs``
                   is accepted, not modelled.
  maintenance_off  restores the newest (or ``snapshot_name``) snapshot: takes its shards back
                   and gives them their roles back (they resync) unless ``skip_shards_restore``,
                   and removes the snapshot; no such snapshot -> failed, ``snapshot_not_found``.
  remove           migrates the shards away, then removes the node (a master hands the role
                   to the lowest other uid); refused (failed, ``insufficient_resources``) when
                   the node holds shards and fewer than 2 active nodes outside maintenance
                   would be left to hold them and their replicas, or when it is the last node.
  enslave_node     a master becomes a slave and the lowest other uid becomes master; a
                   slave completes at once, unchanged.

Body rules (strict): every action POST needs a JSON object body sent as
``application/json``, ``{}`` at least, as the documents' cURL examples send and as
servers since 5.4.2 require (no body: 400 ``invalid_schema``; another content type:
415; not an object: 400); fields are checked against the action's documented fields
and types (400 ``invalid_schema``, naming the field).

Shards: a cluster whose nodes hold none gets a default database the first time a node
endpoint is used (``re_databases.ensure_placed``), so maintenance and removal have something
to move. ``GET /v1/nodes/{uid}/status`` lists them in ``master_shards``/``slave_shards``
(uids as strings, numbers with ``re_doc_shapes``).

Faults: ``emulator.faults.add_operation(<action>, outcome, target="node<uid>")``,
consumed when the POST is accepted. ``failed``/``error``/``aborted`` end the action
at 40% (``details`` may carry ``error_code``/``error_message``); ``stuck`` leaves it
``running`` at 50% forever (DELETE still cancels it).
"""

import datetime
import uuid

from flask import Blueprint, jsonify, request

from .core import Scheduler
from .re_databases import Refusal, ensure_placed, evacuate, evacuation_plan, restore, shards_on
from .redis_enterprise import ADMIN_ROLE, SOFTWARE_VERSION, current_node, emulator, error, in_cluster

blueprint = Blueprint("re_nodes", __name__)

# Documented body fields of each action and their JSON types.
ACTION_FIELDS = {
    "maintenance_on": {"overwrite_snapshot": bool, "evict_ha_replica": bool, "evict_active_active_replica": bool,
                       "evict_dbs": list, "keep_slave_shards": bool},
    "maintenance_off": {"snapshot_name": str, "skip_shards_restore": bool},
    "remove": {"wait_for_persistence": bool},
    "enslave_node": {},
}
ACTIVE_STATUSES = ("queued", "starting", "running", "cancelling")
CANCELLABLE_STATUSES = ("queued", "starting", "running")

QUEUED_SECONDS = 1.0
STARTING_SECONDS = 2.0
STEP_SECONDS = 3.0
PROGRESS_STEP = 10
CANCEL_SECONDS = 1.0
FAULT_AT_PROGRESS = 40
STUCK_AT_PROGRESS = 50
MIN_NODES_FOR_REPLICAS = 2


class NodeAction:
    """One action on one node, moved through its statuses by the scheduler."""

    def __init__(self, emu, node, name, params, fault=None):
        self.emu = emu
        self.node = node
        self.name = name
        self.params = params
        self.fault = fault
        self.status = "queued"
        self.progress = 0
        self.task_id = str(uuid.uuid4())
        self.creation_time = _wall_time()
        self.error_code = None
        self.error_message = None
        self._handle = None
        self._due = emu.clock.now()
        self._later(QUEUED_SECONDS, self._start)

    @property
    def active(self):
        return self.status in ACTIVE_STATUSES

    def _later(self, delay, step):
        # Anchor each step on when the previous one was due, not on when a request
        # happened to run it: the whole chain catches up on the next request.
        self._due += delay
        self._handle = self.emu.scheduler.schedule(self._due - self.emu.clock.now(), step)

    def _start(self):
        self.status = "starting"
        self._later(STARTING_SECONDS, self._run)

    def _run(self):
        try:
            EFFECTS[self.name](self, apply=False)
        except Refusal as refusal:
            self._finish("failed", refusal.code, refusal.message)
            return
        self.status = "running"
        self._later(STEP_SECONDS, self._advance)

    def _advance(self):
        self.progress = min(100, self.progress + PROGRESS_STEP)
        outcome = self.fault["outcome"] if self.fault else None
        if outcome in ("failed", "error", "aborted") and self.progress >= FAULT_AT_PROGRESS:
            details = self.fault.get("details") or {}
            self._finish("aborted" if outcome == "aborted" else "failed",
                         details.get("error_code", "internal_error"),
                         details.get("error_message", "%s on node %s %s (fault injected)" % (self.name, self.node.uid, outcome)))
            return
        if outcome == "stuck" and self.progress >= STUCK_AT_PROGRESS:
            self._handle = None  # running forever: no next step
            return
        if self.progress < 100:
            self._later(STEP_SECONDS, self._advance)
            return
        try:
            EFFECTS[self.name](self, apply=True)
        except Refusal as refusal:  # the cluster changed while this action ran
            self._finish("failed", refusal.code, refusal.message)
            return
        self._finish("completed")

    def _finish(self, status, code=None, message=None):
        self._handle = None
        self.status = status
        self.error_code = code
        self.error_message = message

    def cancel(self):
        Scheduler.cancel(self._handle)
        self.status = "cancelling"
        self._due = self.emu.clock.now()
        self._later(CANCEL_SECONDS, lambda: self._finish("cancelled"))

    def public(self, doc_shapes=False):
        body = {
            "name": self.name,
            "node_uid": str(self.node.uid),
            "status": self.status,
            "progress": self.progress if doc_shapes else str(self.progress),
            "task_id": self.task_id,
            "creation_time": self.creation_time,
        }
        if self.error_code:
            body["error_code"] = self.error_code
            body["error_message"] = self.error_message
        return body


def _wall_time():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


# --- cluster helpers ------------------------------------------------------------------
def _members():
    cluster = current_node().cluster
    ensure_placed(emulator(), cluster)
    return cluster.members(emulator())


def _member(uid):
    """A node of the caller's cluster that has not been removed, or None."""
    for node in _members():
        if node.uid == uid:
            return node
    return None


def _known(uid):
    """A node of the caller's cluster, removed ones included (their action results stay readable)."""
    _members()
    cluster = current_node().cluster
    for node in emulator().re_nodes:
        if node.cluster is cluster and node.uid == uid:
            return node
    return None


def _others(emu, node):
    """The node's cluster mates, lowest uid first. Takes ``emu``: effects run from the
    scheduler, outside any request."""
    return sorted((m for m in node.cluster.members(emu) if m is not node), key=lambda m: m.uid)


def _receivers(emu, node):
    """Nodes that can take shards: active and not in maintenance."""
    return [m for m in _others(emu, node) if m.node_status == "active" and not m.maintenance_snapshots]


def _snapshot_name(node):
    base = "maintenance_mode_%s" % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d_%H-%M-%S")
    taken = set(s["name"] for s in node.maintenance_snapshots)
    name, suffix = base, 1
    while name in taken:
        suffix += 1
        name = "%s_%d" % (base, suffix)
    return name


# --- effects: check (apply=False) when the action starts, apply at 100% -----------------
def _maintenance_on(action, apply):
    node, params = action.node, action.params
    receivers = _receivers(action.emu, node)
    keep_shards = params.get("keep_slave_shards") is True or (
        params.get("evict_ha_replica") is False and params.get("evict_active_active_replica") is False)
    if node.shards and not keep_shards and not receivers:
        raise Refusal("insufficient_resources", "no other active node outside maintenance can take the %d shard(s) of node %s"
                      % (node.shards, node.uid))
    if not keep_shards:
        evacuation_plan(node.cluster, node, receivers)  # refuses a shard no receiver can take
    if not apply:
        return
    recorded = evacuate(action.emu, node, receivers, keep_replicas=keep_shards)
    snapshot = {"name": _snapshot_name(node), "created_time": _wall_time(), "node_uid": str(node.uid), "shards": recorded}
    if params.get("overwrite_snapshot") and node.maintenance_snapshots:
        node.maintenance_snapshots[-1] = snapshot
    else:
        node.maintenance_snapshots.append(snapshot)


def _maintenance_off(action, apply):
    node, params = action.node, action.params
    if not node.maintenance_snapshots:
        raise Refusal("snapshot_not_found", "node %s holds no maintenance snapshot" % node.uid)
    wanted = params.get("snapshot_name")
    if wanted:
        matching = [s for s in node.maintenance_snapshots if s["name"] == wanted]
        if not matching:
            raise Refusal("snapshot_not_found", "node %s has no snapshot named %r" % (node.uid, wanted))
        snapshot = matching[-1]
    else:
        snapshot = node.maintenance_snapshots[-1]
    if not apply:
        return
    if not params.get("skip_shards_restore"):
        restore(action.emu, node, snapshot["shards"])
    node.maintenance_snapshots.remove(snapshot)


def _remove(action, apply):
    node = action.node
    receivers = _receivers(action.emu, node)
    if not _others(action.emu, node):
        raise Refusal("insufficient_resources", "node %s is the last node of the cluster" % node.uid)
    if node.shards and len(receivers) < MIN_NODES_FOR_REPLICAS:
        raise Refusal("insufficient_resources", "removing node %s would leave %d active node(s) outside maintenance for its "
                      "shards and their replicas; at least %d are needed" % (node.uid, len(receivers), MIN_NODES_FOR_REPLICAS))
    evacuation_plan(node.cluster, node, receivers)
    if not apply:
        return
    evacuate(action.emu, node, receivers)
    if node.role == "master":
        _others(action.emu, node)[0].role = "master"
        node.role = "slave"
    node.maintenance_snapshots = []
    node.removed = True


def _enslave_node(action, apply):
    node = action.node
    if node.role != "master":
        return
    others = [m for m in _others(action.emu, node) if m.node_status == "active"]
    if not others:
        raise Refusal("insufficient_resources", "no other active node can become the master")
    if apply:
        node.role = "slave"
        others[0].role = "master"


EFFECTS = {"maintenance_on": _maintenance_on, "maintenance_off": _maintenance_off, "remove": _remove,
           "enslave_node": _enslave_node}


# --- request helpers ------------------------------------------------------------------
def _node_body(node):
    body = {
        "uid": node.uid,
        "addr": node.address,
        "status": node.node_status,
        "shard_count": node.shards,
        "software_version": SOFTWARE_VERSION,
        "cores": 2,
        "total_memory": 25309745152,
        "accept_servers": not node.maintenance_snapshots,
    }
    if node.rack_id:  # set in rack-aware clusters only, as real servers send it
        body["rack_id"] = node.rack_id
    return body


def _status_body(node, doc_shapes=False):
    body = {
        "hostname": node.name,
        "role": node.role,
        "node_status": node.node_status,
        "shard_count": node.shards,
        "software_version": SOFTWARE_VERSION,
        "cores": 2,
        "total_memory": 25309745152,
    }
    for role in ("master", "slave"):
        held = [shard.uid for shard in shards_on(node.cluster, node) if shard.role == role]
        body[role + "_shards"] = held if doc_shapes else [str(uid) for uid in held]
    if node.maintenance_snapshots:
        newest = node.maintenance_snapshots[-1]
        body["maintenance_snapshot"] = {key: newest[key] for key in ("created_time", "name", "node_uid")}
    return body


def _node_not_found(uid):
    return error(404, "node_not_found", "node %s does not exist in this cluster" % uid)


def _action_not_found(uid, action):
    return error(404, "action_not_found", "no %s action is running on node %s and no status of a previous run exists" % (action, uid))


def _read_params(action):
    """The POST body as a dict of documented fields, or an error response."""
    raw = request.get_data()
    if not raw.strip():
        # Servers since 5.4.2 refuse a bodiless action POST; the documents' examples send -d "{}".
        return None, error(400, "invalid_schema", "the %s action needs a JSON object body ({} at least)" % action)
    if request.mimetype != "application/json":
        return None, error(415, "unsupported_media_type", "the body must be sent as application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None, error(400, "invalid_json", "the body must be a JSON object")
    fields = ACTION_FIELDS[action]
    for key, value in body.items():
        if key not in fields:
            return None, error(400, "invalid_schema", "%s is not a field of the %s action" % (key, action))
        expected = fields[key]
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            return None, error(400, "invalid_schema", "%s must be a %s" % (key, expected.__name__))
        if expected is list and not all(isinstance(item, str) for item in value):
            return None, error(400, "invalid_schema", "%s must be a list of database ID strings" % key)
    return body, None


# --- endpoints ------------------------------------------------------------------------
@blueprint.get("/v1/nodes")
@in_cluster()
def list_nodes():
    return jsonify([_node_body(node) for node in sorted(_members(), key=lambda n: n.uid)])


@blueprint.get("/v1/nodes/<int:uid>")
@in_cluster()
def get_node(uid):
    node = _member(uid)
    if node is None:
        return _node_not_found(uid)
    return jsonify(_node_body(node))


@blueprint.get("/v1/nodes/<int:uid>/status")
@in_cluster()
def get_node_status(uid):
    node = _member(uid)
    if node is None:
        return _node_not_found(uid)
    return jsonify(_status_body(node, emulator().re_doc_shapes))


@blueprint.get("/v1/nodes/actions")
@in_cluster()
def list_all_actions():
    _members()
    cluster = current_node().cluster
    doc_shapes = emulator().re_doc_shapes
    nodes = sorted((n for n in emulator().re_nodes if n.cluster is cluster), key=lambda n: n.uid)
    return jsonify([run.public(doc_shapes) for node in nodes for run in node.actions.values()])


@blueprint.get("/v1/nodes/<int:uid>/actions")
@in_cluster()
def list_node_actions(uid):
    node = _known(uid)
    if node is None:
        return _node_not_found(uid)
    return jsonify({"actions": [run.public(emulator().re_doc_shapes) for run in node.actions.values()]})


@blueprint.get("/v1/nodes/<int:uid>/actions/<action>")
@in_cluster()
def get_node_action(uid, action):
    node = _known(uid)
    run = node.actions.get(action) if node else None
    if run is None:
        return _action_not_found(uid, action)
    return jsonify(run.public(emulator().re_doc_shapes))


@blueprint.post("/v1/nodes/<int:uid>/actions/<action>")
@in_cluster(ADMIN_ROLE)
def start_node_action(uid, action):
    if action not in ACTION_FIELDS:
        return error(400, "unsupported_action", "%s is not a node action; supported: %s" % (action, ", ".join(sorted(ACTION_FIELDS))))
    node = _member(uid)
    if node is None:
        return _node_not_found(uid)
    params, failure = _read_params(action)
    if failure is not None:
        return failure
    previous = node.actions.get(action)
    if previous is not None and previous.active:
        return error(409, "conflict", "a %s action is already %s on node %s" % (action, previous.status, uid))
    fault = emulator().faults.take_operation(action, "node%s" % uid)
    run = NodeAction(emulator(), node, action, params, fault)
    node.actions[action] = run  # replaces the result of the previous run
    return jsonify({"status": run.status, "task_id": run.task_id})


@blueprint.delete("/v1/nodes/<int:uid>/actions/<action>")
@in_cluster(ADMIN_ROLE)
def cancel_node_action(uid, action):
    node = _known(uid)
    run = node.actions.get(action) if node else None
    if run is None:
        return _action_not_found(uid, action)
    if run.status in CANCELLABLE_STATUSES:
        run.cancel()
    elif not run.active:
        del node.actions[action]  # a finished run: its status is removed
    return jsonify({})
