"""Redis Enterprise databases and their shards, placed on the cluster's nodes: the state
every health and node-action feature shares, and the read endpoints of databases and shards.

Endpoints (any user of the cluster)
  GET /v1/bdbs                 every database: ``uid``, ``name``, ``status``, ``shards_count`` (primaries),
                               ``replication``, ``shard_list`` (shard uids), ``endpoints`` and, as real
                               servers send them, the ``authentication_*_pass`` secrets
  GET /v1/bdbs/{uid}           one database; 404 ``db_not_found``
  GET /v1/shards               every shard: ``uid`` and ``node_uid`` as strings, ``bdb_uid`` an integer (as a
                               real 8.0 cluster answers), ``role`` master/slave, ``status``, ``detailed_status``,
                               ``loading.status``, ``sync.status``/``progress`` (no ``sync`` object at all for a
                               database without replication), ``backup.status``
  GET /v1/shards/{uid}         one shard; 404 ``shard_not_found``

Placement: a database has ``shards_count`` primaries, each with a replica on another node when
``replication`` is on. A cluster whose nodes hold no shard gets the database ``DEFAULT_DATABASE``
the first time its data is read (node, database, shard or health endpoints, or a database
created through the control API): ``SHARDS_PER_NODE`` shards on every member, with replication
when there are at least two members.

Moves (node actions, a node going down and up):
  evacuate     the node's primaries fail over to their replicas (the replicas' peers are promoted),
               then every shard of the node moves to the least loaded receiver that does not hold
               its peer; no such receiver -> :class:`Refusal` ``insufficient_resources``
  restore      shards recorded in a maintenance snapshot move back and get their roles back
  node down    the node's shards turn ``inactive``/``down``, their ``sync`` ``link_down``; its
               primaries fail over to replicas on nodes that are up
  node up      its shards are ``active``/``ok`` again and resync
A moved or resynced shard's ``sync`` is ``in_progress`` for ``emulator.re_sync_seconds``
emulated seconds, then ``idle``.
"""

import secrets

from flask import Blueprint, jsonify

from .redis_enterprise import current_node, emulator, error, in_cluster

blueprint = Blueprint("re_databases", __name__)

SHARDS_PER_NODE = 2
DEFAULT_DATABASE = "default-db"
DATABASE_STATUSES = ("active", "pending", "active-change-pending", "delete-pending", "import-pending", "creation-failed",
                     "recovery")
SYNC_STATUSES = ("idle", "in_progress", "link_down")
FIRST_PORT = 12000
HASH_SLOTS = 16384


class Refusal(Exception):
    """Why a node action cannot do its work: ends it ``failed`` with this code."""

    def __init__(self, code, message):
        super(Refusal, self).__init__(message)
        self.code = code
        self.message = message


class Database:
    def __init__(self, uid, name, shards_count, replication, status="active"):
        self.uid = uid
        self.name = name
        self.shards_count = shards_count
        self.replication = replication
        self.status = status
        self.availability_error = None  # an error_code forced by the control API
        self.files_lost = False  # set by the control API: its recovery plan is missing-files
        # Real servers send a database's passwords in its object: the emulator does too, so
        # a client that prints what it read would show them.
        self.secrets = {key: "%s-%s" % (key.split("_")[1], secrets.token_hex(8))
                        for key in ("authentication_admin_pass", "authentication_redis_pass", "authentication_sasl_pass")}

    def public(self, cluster, nodes):
        shard_list = sorted(s.uid for s in cluster.shards.values() if s.bdb_uid == self.uid)
        masters = [s for s in cluster.shards.values() if s.bdb_uid == self.uid and s.role == "master"]
        addresses = sorted(set(nodes[s.node_uid].address for s in masters if s.node_uid in nodes))
        body = {
            "uid": self.uid,
            "name": self.name,
            "type": "redis",
            "status": self.status,
            "shards_count": self.shards_count,
            "replication": self.replication,
            "shard_list": shard_list,
            "memory_size": 1073741824,
            "port": FIRST_PORT + self.uid,
            "endpoints": [{"uid": "%d:1" % self.uid, "addr": addresses, "port": FIRST_PORT + self.uid,
                           "dns_address_master": "redis-%d.%s" % (FIRST_PORT + self.uid, cluster.name),
                           "addr_type": "external", "proxy_policy": "single"}],
        }
        body.update(self.secrets)
        return body


class Shard:
    def __init__(self, uid, bdb_uid, group, node_uid, role, replicated):
        self.uid = uid
        self.bdb_uid = bdb_uid
        self.group = group  # the slot range it serves: a primary and its replica share it
        self.node_uid = node_uid
        self.role = role
        self.status = "active"
        self.detailed_status = "ok"
        self.loading = "idle"
        self.sync = "idle" if replicated else None  # None: no sync object, as for a database without replication
        self.slots = "0-16383"
        self.sync_handle = None

    def public(self, doc_shapes=False):
        body = {
            "uid": self.uid if doc_shapes else str(self.uid),
            "bdb_uid": self.bdb_uid,
            "node_uid": self.node_uid if doc_shapes else str(self.node_uid),
            "role": self.role,
            "assigned_slots": self.slots,
            "status": self.status,
            "detailed_status": self.detailed_status,
            "loading": {"status": self.loading},
            "backup": {"status": "idle"},
        }
        if self.sync is not None:
            body["sync"] = {"status": self.sync, "progress": 0 if self.sync == "idle" else 52428800}
        return body


# --- the cluster's shards -----------------------------------------------------------------
def members_by_uid(emu, cluster):
    return {node.uid: node for node in cluster.members(emu)}


def shards_on(cluster, node):
    return sorted((s for s in cluster.shards.values() if s.node_uid == node.uid), key=lambda s: s.uid)


def peer_of(cluster, shard):
    return next((s for s in cluster.shards.values() if s.bdb_uid == shard.bdb_uid and s.group == shard.group and s is not shard),
                None)


def is_up(node):
    return node is not None and node.node_status != "down"


def ensure_placed(emu, cluster):
    """Give a cluster that holds no shard its default database (once)."""
    members = cluster.members(emu)
    if cluster.shards_placed or not members:
        return
    cluster.shards_placed = True
    if not cluster.shards:
        replication = len(members) > 1
        _place_database(emu, cluster, DEFAULT_DATABASE, len(members) if replication else SHARDS_PER_NODE, replication)


def create_database(emu, cluster, name, shards_count, replication, status="active"):
    """A new database (after the default one of a cluster that had none)."""
    ensure_placed(emu, cluster)
    return _place_database(emu, cluster, name, shards_count, replication, status)


def _place_database(emu, cluster, name, shards_count, replication, status="active"):
    """A database with its shards: primaries round-robin from the least loaded node, each
    replica on the next node that is up."""
    nodes = [n for n in sorted(cluster.members(emu), key=lambda n: n.uid) if is_up(n) and not n.maintenance_snapshots]
    if not nodes or (replication and len(nodes) < 2):
        raise Refusal("insufficient_resources", "not enough active nodes outside maintenance to place the database's shards")
    database = Database(cluster.next_bdb_uid, name, shards_count, replication, status)
    cluster.next_bdb_uid += 1
    cluster.databases[database.uid] = database
    load = {n.uid: len(shards_on(cluster, n)) for n in nodes}
    start = min(range(len(nodes)), key=lambda i: (load[nodes[i].uid], i))
    width = HASH_SLOTS // shards_count
    for group in range(shards_count):
        first = group * width
        last = HASH_SLOTS - 1 if group == shards_count - 1 else first + width - 1
        copies = [nodes[(start + group) % len(nodes)]]
        if replication:
            copies.append(nodes[(start + group + 1) % len(nodes)])
        for position, node in enumerate(copies):
            shard = Shard(cluster.next_shard_uid, database.uid, group, node.uid, "master" if position == 0 else "slave", replication)
            shard.slots = "%d-%d" % (first, last)
            cluster.next_shard_uid += 1
            cluster.shards[shard.uid] = shard
    return database


def start_sync(emu, shard):
    """A replica copying its data again: ``in_progress``, then ``idle`` on the clock."""
    if shard.sync is None:
        return
    emu.scheduler.cancel(shard.sync_handle)
    shard.sync = "in_progress"

    def synced():
        if shard.sync == "in_progress":
            shard.sync = "idle"
        shard.sync_handle = None

    shard.sync_handle = emu.scheduler.schedule(emu.re_sync_seconds, synced)


def set_sync(emu, shard, status):
    """The control API's sync status of a shard (the scheduled end of a resync is dropped)."""
    emu.scheduler.cancel(shard.sync_handle)
    shard.sync_handle = None
    shard.sync = status


def fail_over(cluster, shard, nodes):
    """Promote the replica of primary ``shard`` when it is on a node that is up."""
    peer = peer_of(cluster, shard)
    if shard.role == "master" and peer is not None and is_up(nodes.get(peer.node_uid)):
        shard.role, peer.role = "slave", "master"


def evacuation_plan(cluster, node, receivers):
    """``[(shard, target node)]`` for every shard of ``node``, or a :class:`Refusal`."""
    load = {m.uid: len(shards_on(cluster, m)) for m in receivers}
    plan = []
    for shard in shards_on(cluster, node):
        peer = peer_of(cluster, shard)
        candidates = [m for m in receivers if peer is None or m.uid != peer.node_uid]
        if not candidates:
            raise Refusal("insufficient_resources", "no other active node outside maintenance can take shard %d of database %d "
                          "of node %s (its peer shard is on every candidate, or there is none)"
                          % (shard.uid, shard.bdb_uid, node.uid))
        target = min(candidates, key=lambda m: (load[m.uid], m.uid))
        load[target.uid] += 1
        plan.append((shard, target))
    return plan


def evacuate(emu, node, receivers, keep_replicas=False):
    """Fail the node's primaries over, then move its shards away (unless ``keep_replicas``).
    Returns what a maintenance snapshot records: ``[{"uid", "role"}]`` before anything moved."""
    cluster = node.cluster
    nodes = members_by_uid(emu, cluster)
    before = [{"uid": s.uid, "role": s.role} for s in shards_on(cluster, node)]
    plan = [] if keep_replicas else evacuation_plan(cluster, node, receivers)
    for shard in shards_on(cluster, node):
        fail_over(cluster, shard, nodes)
    for shard, target in plan:
        shard.node_uid = target.uid
        start_sync(emu, shard)
    return before


def restore(emu, node, recorded):
    """Bring the shards of a maintenance snapshot back to ``node`` with their roles."""
    cluster = node.cluster
    nodes = members_by_uid(emu, cluster)
    for entry in recorded:
        shard = cluster.shards.get(entry["uid"])
        if shard is None:
            continue  # its database was deleted meanwhile
        peer = peer_of(cluster, shard)
        if shard.node_uid != node.uid and (peer is None or peer.node_uid != node.uid):
            shard.node_uid = node.uid
            start_sync(emu, shard)
        if entry["role"] == "master" and shard.role != "master" and peer is not None:
            fail_over(cluster, peer, nodes)


def node_went_down(emu, node):
    if node.cluster is not None:
        ensure_placed(emu, node.cluster)  # a cluster first seen with a node down still had it
    node.node_status = "down"
    if node.cluster is None:
        return
    nodes = members_by_uid(emu, node.cluster)
    for shard in shards_on(node.cluster, node):
        shard.status, shard.detailed_status = "inactive", "down"
        fail_over(node.cluster, shard, nodes)
        if shard.sync is not None:
            set_sync(emu, shard, "link_down")


def node_came_up(emu, node):
    node.node_status = "active"
    if node.cluster is None:
        return
    for shard in shards_on(node.cluster, node):
        shard.status, shard.detailed_status = "active", "ok"
        start_sync(emu, shard)


def cluster_data(view):
    """A view of the caller's cluster data: ``view(emu, cluster)``, default database placed first."""

    def wrapper(*args, **kwargs):
        emu, cluster = emulator(), current_node().cluster
        ensure_placed(emu, cluster)
        return view(emu, cluster, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return in_cluster()(wrapper)


def lookup(table, uid, code, what):
    """``(item, None)``, or ``(None, the 404 answer)`` when ``table`` has no ``uid``."""
    item = table.get(uid)
    return (item, None) if item is not None else (None, error(404, code, "%s %s does not exist" % (what, uid)))


# --- endpoints ------------------------------------------------------------------------
@blueprint.get("/v1/bdbs")
@cluster_data
def list_databases(emu, cluster):
    nodes = members_by_uid(emu, cluster)
    return jsonify([cluster.databases[uid].public(cluster, nodes) for uid in sorted(cluster.databases)])


@blueprint.get("/v1/bdbs/<int:uid>")
@cluster_data
def get_database(emu, cluster, uid):
    database, missing = lookup(cluster.databases, uid, "db_not_found", "database")
    return missing or jsonify(database.public(cluster, members_by_uid(emu, cluster)))


@blueprint.get("/v1/shards")
@cluster_data
def list_shards(emu, cluster):
    return jsonify([cluster.shards[uid].public(emu.re_doc_shapes) for uid in sorted(cluster.shards)])


@blueprint.get("/v1/shards/<int:uid>")
@cluster_data
def get_shard(emu, cluster, uid):
    shard, missing = lookup(cluster.shards, uid, "shard_not_found", "shard")
    return missing or jsonify(shard.public(emu.re_doc_shapes))
