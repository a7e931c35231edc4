"""Redis Enterprise bootstrap writes (the REST API's ``/v1/bootstrap`` requests), registered
on every node's app. ``GET /v1/bootstrap`` itself lives in ``redis_enterprise.py``.

Endpoints
  POST /v1/bootstrap/{action}            create_cluster | join_cluster | recover_cluster: 200 ``{}`` and the
                                         bootstrap runs on the clock; 409 unless the node's state is idle or
                                         error ("permitted only when the current bootstrap state is idle or
                                         error"); a node that has completed bootstrapping answers 401 to a
                                         wrong or missing login, then 409. Unknown action: 404.
  POST /v1/bootstrap/validate/{action}   the same checks at once: 200 ``{}`` or 406 with a bootstrap status
                                         object (``state: error``, ``error_code``, ``error_details``); changes
                                         nothing. A completed node: 401 without a valid login, else 406.

State machine of each node, in emulated seconds (anchored on when each step was due, so a
late request sees the whole chain caught up):
  idle | error --POST--> initiated (INITIATED_SECONDS) --> creating_cluster | joining_cluster |
  recovering_cluster (WORKING_SECONDS) --> completed | error (``error_code``, ``error_details``)
A new POST in the error state restarts with the new configuration (error fields dropped).

Checks (made at the end of the working phase, or at once by validate), in this order:
  any       body a JSON object whose ``action`` (when given) matches the path, and
            ``credentials.username``/``password`` present, else ``config_error`` (bad JSON too,
            as the documents' example of config_error says); ``node.paths`` values absolute,
            else ``path_error``.
  create    ``cluster.name`` an FQDN of RFC 1123 labels, at most 64 characters, else
            ``config_error``; a ``license`` given and not starting with ``LICENSE_PREFIX``
            -> ``invalid_license`` (an empty or absent license installs the trial license).
            Completed: a new cluster with that name; the credentials become its admin and the
            default viewer user is created; the node gets uid 1 and is the master.
  join      ``cluster.nodes`` must hold the address of a node that is in a completed cluster,
            else ``connect_error``; the credentials must be an admin of that cluster, else
            ``access_denied``; a cluster with ``repair_required`` set (after a quorum loss,
            ``re_recovery.py``) answers that (with ``failed_nodes``/``replace_candidate``) unless
            ``node.identity.uid`` is one of its missing old uids; a rack-aware cluster needs
            ``node.identity.rack_id``, else ``rack_id_required`` with ``current_rack_ids``.
            Completed: the node gets the next uid (or its old uid back), role slave.
  recover   ``recovery_filename`` present, else ``config_error``; absolute, else ``path_error``.
            Completed: on a node holding that file after a quorum loss, the cluster it persisted
            (``re_recovery.py``); else a cluster named as the emulated backup says
            (``RECOVERED_CLUSTER_NAME``), ``cluster.name`` when the body sets it, with the
            credentials as admin.

Faults
  ``emulator.faults.add_operation("bootstrap", outcome, target="node2", details=...)``, taken
  when the POST is accepted: ``error`` ends the run in the error state with
  ``details["error_code"]`` (default internal_error) and ``details["error_details"]``;
  ``failed``/``aborted`` end it with internal_error; ``stuck`` keeps it in its working state
  for ever, or for ``details["seconds"]`` emulated seconds when given (a slow bootstrap, then
  the normal checks). ``"bootstrap_validate"`` likewise makes the next validation answer 406 with them.
  ``emulator.node_down(index, seconds)``: the node refuses connections for a while.
  ``race(node, body)``: another client's bootstrap, started just before the node's next POST,
  which then answers 409 (the race a module must survive).
"""

import re

from flask import Blueprint, jsonify, request

from . import re_recovery
from .redis_enterprise import ADMIN_ROLE, ReCluster, authenticate, current_node, emulator, error, utcnow

blueprint = Blueprint("re_bootstrap", __name__)

ACTIONS = {"create_cluster": "creating_cluster", "join_cluster": "joining_cluster", "recover_cluster": "recovering_cluster"}
STARTABLE = ("idle", "error")
INITIATED_SECONDS = 2.0
WORKING_SECONDS = 30.0
LICENSE_PREFIX = "----- LICENSE START -----"
RECOVERED_CLUSTER_NAME = "recovered.re.test"
MAX_NAME_LENGTH = 64
LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
INVALID_JSON = object()


class Failure(Exception):
    """A bootstrap that ends in the error state with this code and these details."""

    def __init__(self, code, message=None, **details):
        super(Failure, self).__init__(code)
        self.code = code
        self.details = dict(details)
        if message:
            self.details["message"] = message


def _name_is_valid(name):
    return isinstance(name, str) and 0 < len(name) <= MAX_NAME_LENGTH and all(LABEL.match(label) for label in name.split("."))


def _member(emu, addresses):
    """A node, at one of ``addresses``, that belongs to a completed cluster."""
    for node in emu.re_nodes:
        if node.address in addresses and node.cluster is not None and not node.removed \
                and node.bootstrap.get("state") == "completed":
            return node
    return None


def check(emu, node, action, body):
    """Run the documented checks; raise :class:`Failure`, or return what completing needs."""
    if body is INVALID_JSON or not isinstance(body, dict):
        raise Failure("config_error", "the bootstrap configuration must be a JSON object")
    if body.get("action", action) != action:
        raise Failure("config_error", "action %r in the body does not match the request path (%s)" % (body.get("action"), action))
    credentials = body.get("credentials")
    if not isinstance(credentials, dict) or not credentials.get("username") or not credentials.get("password"):
        raise Failure("config_error", "credentials.username and credentials.password are required")
    node_config = body.get("node") if isinstance(body.get("node"), dict) else {}
    for key, path in sorted((node_config.get("paths") or {}).items()):
        if not isinstance(path, str) or not path.startswith("/"):
            raise Failure("path_error", "node.paths.%s %r does not exist or is not accessible" % (key, path))
    identity = node_config.get("identity") if isinstance(node_config.get("identity"), dict) else {}
    cluster = body.get("cluster") if isinstance(body.get("cluster"), dict) else {}
    admin = (credentials["username"], credentials["password"])
    if action == "create_cluster":
        name = cluster.get("name")
        if not _name_is_valid(name):
            raise Failure("config_error", "cluster.name %r is not a valid FQDN of at most %d characters" % (name, MAX_NAME_LENGTH))
        license_text = body.get("license")
        if license_text and not str(license_text).startswith(LICENSE_PREFIX):
            raise Failure("invalid_license", "the license key could not be parsed")
        return {"name": name, "admin": admin, "identity": identity}
    if action == "recover_cluster":
        filename = body.get("recovery_filename")
        if not filename:
            raise Failure("config_error", "recovery_filename is required to recover a cluster")
        if not str(filename).startswith("/"):
            raise Failure("path_error", "recovery file %r does not exist or is not accessible" % filename)
        return {"name": cluster.get("name"), "admin": admin, "identity": identity, "filename": filename}
    addresses = cluster.get("nodes")
    if not isinstance(addresses, list) or not addresses:
        raise Failure("config_error", "cluster.nodes must list the address of a node in the cluster")
    member = _member(emu, [str(a) for a in addresses if a != node.address])
    if member is None:
        raise Failure("connect_error", "failed to connect to a cluster node at %s" % ", ".join(str(a) for a in addresses))
    target = member.cluster
    user = target.users.get(admin[0])
    if user is None or user["password"] != admin[1] or user["role"] != ADMIN_ROLE:
        raise Failure("access_denied", "invalid credentials for cluster %s" % target.name)
    uid = re_recovery.replaced_uid(target, identity)
    if uid is False:
        raise Failure("repair_required", "the cluster is degraded and only accepts replacement nodes", **target.repair_required)
    if target.rack_aware and not identity.get("rack_id"):
        racks = sorted(set(n.rack_id for n in target.members(emu) if n.rack_id))
        raise Failure("rack_id_required", "the cluster is rack-aware: a rack_id is required", current_rack_ids=racks)
    return {"cluster": target, "identity": identity, "uid": uid}


def _forced(fault):
    if fault["outcome"] == "error":
        details = fault["details"]
        return Failure(details.get("error_code", "internal_error"), **dict(details.get("error_details") or {}))
    return Failure("internal_error", "an unspecified internal error was injected")


def _body():
    raw = request.get_data(cache=True)
    if not raw:
        return INVALID_JSON
    try:
        return request.get_json(force=True)
    except Exception:  # pylint: disable=broad-except  # werkzeug raises BadRequest subclasses
        return INVALID_JSON


def start(emu, node, action, body):
    """Begin a bootstrap of ``node`` (state initiated) and schedule its steps."""
    fault = emu.faults.take_operation("bootstrap", node.name)
    run = {"state": "initiated", "start_time": utcnow()}
    node.bootstrap = run
    due = {"at": emu.clock.now()}

    def later(delay, step):
        due["at"] += delay
        emu.scheduler.schedule(due["at"] - emu.clock.now(), step)

    stuck = fault is not None and fault["outcome"] == "stuck"

    def working():
        if node.bootstrap is not run:
            return
        run["state"] = ACTIONS[action]
        if not stuck:
            later(WORKING_SECONDS, finish)
        elif fault["details"].get("seconds") is not None:
            later(float(fault["details"]["seconds"]), finish)

    def finish():
        if node.bootstrap is not run:
            return
        try:
            if fault and not stuck:
                raise _forced(fault)
            complete(emu, node, action, check(emu, node, action, body), run["start_time"])
        except Failure as failure:
            run.update(state="error", end_time=utcnow(), error_code=failure.code, error_details=failure.details)

    later(INITIATED_SECONDS, working)


def complete(emu, node, action, outcome, start_time):
    """The node is part of a cluster: a new one (create/recover) or the one it joined."""
    if action == "join_cluster":
        node.join(outcome["cluster"], role="slave", uid=outcome["uid"])
        if outcome["uid"] is not None:
            re_recovery.take_uid(outcome["cluster"], outcome["uid"])
    elif action == "recover_cluster" and outcome["filename"] in node.recovery_files:
        cluster, uid = re_recovery.recovered_cluster(node, outcome["filename"], outcome["name"], outcome["admin"])
        node.join(cluster, role="master", uid=uid)
        node.recovery_files = {}
    else:
        node.join(ReCluster(outcome["name"] or RECOVERED_CLUSTER_NAME, outcome["admin"]), role="master")
    node.rack_id = outcome["identity"].get("rack_id")
    node.bootstrap["start_time"] = start_time


def race(node, body):
    """Another client's bootstrap of ``node``: it starts right before the node's next POST."""
    node.bootstrap_race = body


def _refuse_when_joined(node):
    """A completed node needs a login like any cluster request; None when the caller may go on."""
    if node.cluster is not None and node.bootstrap.get("state") == "completed":
        _user, failure = authenticate(node)
        return failure
    return None


@blueprint.post("/v1/bootstrap/<action>")
def post_bootstrap(action):
    if action not in ACTIONS:
        return error(404, "not_found", "unknown bootstrap action %r" % action)
    emu, node = emulator(), current_node()
    if node.bootstrap_race is not None:
        other, node.bootstrap_race = node.bootstrap_race, None
        if node.bootstrap.get("state") in STARTABLE:
            start(emu, node, other.get("action", action), other)
    failure = _refuse_when_joined(node)
    if failure is not None:
        return failure
    state = node.bootstrap.get("state")
    if state not in STARTABLE:
        if state == "completed":
            return error(409, "bootstrap_completed", "The node has already been bootstrapped (state completed)")
        return error(409, "bootstrap_in_progress", "Bootstrap already in progress (state %s)" % state)
    start(emu, node, action, _body())
    return jsonify({})


@blueprint.post("/v1/bootstrap/validate/<action>")
def validate_bootstrap(action):
    if action not in ACTIONS:
        return error(404, "not_found", "unknown bootstrap action %r" % action)
    emu, node = emulator(), current_node()
    failure = _refuse_when_joined(node)
    if failure is not None:
        return failure
    try:
        if node.bootstrap.get("state") == "completed":
            raise Failure("config_error", "the node is already part of cluster %s" % node.cluster.name)
        fault = emu.faults.take_operation("bootstrap_validate", node.name)
        if fault:
            raise _forced(fault)
        check(emu, node, action, _body())
    except Failure as failure_:
        response = jsonify({"state": "error", "error_code": failure_.code, "error_details": failure_.details})
        response.status_code = 406
        return response
    return jsonify({})
