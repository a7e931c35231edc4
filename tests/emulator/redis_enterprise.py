"""Emulated Redis Enterprise Software nodes: one Flask app per node, each on its
own loopback address, sharing cluster state.

This file holds what every Redis Enterprise feature shares: nodes and clusters,
users and roles, Basic auth, the error shape, ``GET /v1/bootstrap`` and
``GET /v1/cluster``. Bootstrap writes live in ``re_bootstrap.py``, nodes and
node actions in ``re_nodes.py``, databases and shards in ``re_databases.py``, alerts,
actions and the health endpoints in ``re_health.py``, quorum loss and recovery in
``re_recovery.py``, cluster certificates in
``re_certificates.py`` (registered on every node's app by ``create_app``).
"""

import datetime
import functools

from flask import Blueprint, Flask, current_app, jsonify, request

ADMIN_ROLE = "admin"
VIEWER_ROLE = "cluster_viewer"
DEFAULT_ADMIN = ("admin@re.test", "Admin-Passw0rd")
DEFAULT_VIEWER = ("viewer@re.test", "Viewer-Passw0rd")
SOFTWARE_VERSION = "7.8.2-34"


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ReCluster:
    def __init__(self, name, admin, viewer=DEFAULT_VIEWER):
        self.name = name
        self.users = {admin[0]: {"password": admin[1], "role": ADMIN_ROLE},
                      viewer[0]: {"password": viewer[1], "role": VIEWER_ROLE}}
        self.next_uid = 1
        self.rack_aware = False
        self.repair_required = None  # {"failed_nodes": [...], "replace_candidate": uid} when degraded
        # Databases and shards (re_databases.py), alerts (re_health.py).
        self.databases = {}
        self.shards = {}
        self.shards_placed = False
        self.next_bdb_uid = 1
        self.next_shard_uid = 1
        self.alerts = None  # made on first read: {"cluster": {name: alert}, "node": {uid: {...}}, "database": {uid: {...}}}
        self.recoveries = []  # database recoveries (re_recovery.py), as state machines

    def members(self, emu):
        return [node for node in emu.re_nodes if node.cluster is self and not node.removed]


class ReNode:
    """One emulated node. ``index`` is its position (1-based) in the emulator;
    ``uid`` is assigned by the cluster it joins."""

    def __init__(self, index, address):
        self.index = index
        self.address = address
        self.uid = None
        self.cluster = None
        self.bootstrap = {"state": "idle"}
        self.role = "slave"
        self.node_status = "active"
        self.removed = False
        self.maintenance_snapshots = []  # names, newest last: maintenance_on stacks
        self.actions = {}  # action name -> action dict
        self.rack_id = None  # from node.identity.rack_id at bootstrap
        self.bootstrap_race = None  # a bootstrap body "another client" posts just before this node's next POST (re_bootstrap.py)
        self.recovery_files = {}  # path -> the cluster it persisted, left by a quorum loss (re_recovery.py)

    @property
    def name(self):
        return "node%d" % self.index

    @property
    def shards(self):
        """How many of its cluster's shards the node holds."""
        if self.cluster is None or self.removed:
            return 0
        return sum(1 for shard in self.cluster.shards.values() if shard.node_uid == self.uid)

    def local_node_info(self, doc_shapes=False):
        addresses = [{"address": self.address, "format": "ipv4", "if_name": "eth0", "private": True}]
        info = {
            "software_version": SOFTWARE_VERSION,
            "cores": 2,
            "total_memory": 24137,
            "ephemeral_storage_path": "/var/opt/redislabs/tmp",
            "persistent_storage_path": "/var/opt/redislabs/persist",
            "os_version": "Ubuntu 22.04 LTS",
        }
        if self.uid is not None:
            # Real servers send the uid as a string and spell the addresses out; the documents do not.
            info["uid"] = self.uid if doc_shapes else str(self.uid)
        info["available_addrs" if doc_shapes else "available_addresses"] = addresses
        return info

    def join(self, cluster, role="slave", uid=None):
        """Join ``cluster`` with the next uid, or with ``uid`` (an old uid taken back)."""
        self.cluster = cluster
        if uid is None:
            uid = cluster.next_uid
            cluster.next_uid += 1
        self.uid = uid
        self.role = role
        self.removed = False
        self.bootstrap = {"state": "completed", "start_time": utcnow(), "end_time": utcnow()}


def error(status, code, description):
    response = jsonify({"error_code": code, "description": description})
    response.status_code = status
    return response


def error_body(code, message):
    return {"error_code": code, "description": message}


def emulator():
    return current_app.config["EMULATOR"]


def current_node():
    return current_app.config["RE_NODE"]


def authenticate(node, role=None):
    """The calling user of ``node``'s cluster, or an error response (401/403)."""
    auth = request.authorization
    users = node.cluster.users if node.cluster else {}
    user = users.get(auth.username) if auth and auth.type == "basic" else None
    if user is None or user["password"] != auth.password:
        return None, error(401, "unauthorized", "Authentication failed")
    if role and user["role"] != role:
        return None, error(403, "forbidden", "The user's role does not allow this request")
    return user, None


def in_cluster(role=None):
    """A view that needs the node to be in a cluster (503 otherwise) and Basic auth."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            node = current_node()
            if node.cluster is None or node.removed:
                return error(503, "node_not_in_cluster", "The node is not part of a cluster")
            _user, failure = authenticate(node, role)
            if failure is not None:
                return failure
            return view(*args, **kwargs)

        return wrapper

    return decorate


api = Blueprint("redis_enterprise", __name__)


@api.get("/v1/bootstrap")
def get_bootstrap():
    node = current_node()
    if node.cluster is not None and node.bootstrap.get("state") == "completed":
        # Once the node is part of an active cluster, authentication is required.
        _user, failure = authenticate(node)
        if failure is not None:
            return failure
    return jsonify({"bootstrap_status": dict(node.bootstrap),
                    "local_node_info": node.local_node_info(emulator().re_doc_shapes)})


@api.get("/v1/cluster")
@in_cluster()
def get_cluster():
    node = current_node()
    return jsonify({"name": node.cluster.name, "rack_aware": node.cluster.rack_aware})


def create_app(emu, node, blueprints):
    from . import re_certificates  # pylint: disable=import-outside-toplevel  # it imports this module

    app = Flask("re-emulator-%s" % node.name)
    app.config["EMULATOR"] = emu
    app.config["RE_NODE"] = node
    app.json.sort_keys = False
    app.register_blueprint(api)
    app.register_blueprint(re_certificates.blueprint)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)

    @app.errorhandler(404)
    def not_found(_exc):
        return error(404, "not_found", "no such endpoint: %s %s" % (request.method, request.path))

    @app.errorhandler(405)
    def not_allowed(_exc):
        return error(405, "method_not_allowed", "%s is not allowed on %s" % (request.method, request.path))

    return app
