"""Quorum loss and recovery of a Redis Enterprise cluster: the cluster's persisted configuration,
its recovery on a clean node, replacement nodes joining with their old uids, and the recovery of
each database (its plan, the recovery action and its end).

Quorum loss (the control API's ``POST /_emulator/re/quorum-loss``): every member of the cluster
is replaced by a clean, idle node at the same address; each keeps the cluster's persisted
configuration at ``RECOVERY_FILE`` (name, users, node uids, databases and shards). Then:
  recover_cluster   on a node holding that file (``recovery_filename`` naming it): the cluster comes
                    back with its name, users, databases (status ``recovery``, shards ``inactive``)
                    and the node's old uid; the other old uids are ``repair_required``
  join_cluster      without ``node.identity.uid`` set to a missing old uid: ``repair_required`` with
                    ``error_details.failed_nodes`` and ``replace_candidate``; with it, the node gets
                    that uid back (the cluster is whole again once every old uid is back)

Endpoints (any user of the cluster)
  GET  /v1/bdbs/{uid}/actions/recover   the recovery plan: ``{"status": "ready" | "missing-files",
                                        "data_files": [{filename, node_uid, shard_uid, shard_role,
                                        shard_slots, size, last_modified}]}`` (the files found;
                                        ``missing-files`` with none when the control API said the
                                        database's files are lost); 409 ``bdb_not_in_recovery``
  POST /v1/bdbs/{uid}/actions/recover   body ``{}`` or ``{data_files, ignore_errors, recover_without_data}``
                                        (unknown fields or wrong types: 400); 200 ``{"action_uid"}``;
                                        409 ``bdb_not_in_recovery``, ``bdb_recovery_in_progress``, or
                                        ``missing_files`` (a ``missing-files`` plan without
                                        ``recover_without_data``)
A recovery is a state machine listed by ``GET /v1/actions`` and ``GET /v1/actions/{uid}``
(``name`` ``SMRecoverBDB``, ``object_name`` ``bdb:<uid>``, ``status`` ``running`` then
``completed``); after ``RECOVERY_SECONDS`` emulated seconds the database is ``active`` and its
shards ``active``/``ok`` (replicas resyncing).
"""

import time

from flask import Blueprint, jsonify, request

from .re_databases import cluster_data, lookup, start_sync
from .redis_enterprise import ReCluster, error, utcnow

blueprint = Blueprint("re_recovery", __name__)

RECOVERY_FILE = "/var/opt/redislabs/persist/ccs/ccs-redis.rdb"
RECOVERY_SECONDS = 10.0
RECOVER_BODY = {"data_files": list, "ignore_errors": bool, "recover_without_data": bool}
SHARD_FILE_SIZE = 1048576


class Snapshot:
    """What the recovery file keeps: the cluster as it was when it lost its quorum."""

    def __init__(self, emu, cluster):
        self.name = cluster.name
        self.users = dict(cluster.users)
        self.rack_aware = cluster.rack_aware
        self.uids = {node.index: node.uid for node in cluster.members(emu)}
        self.next_uid = cluster.next_uid
        self.databases = cluster.databases
        self.shards = cluster.shards
        self.next_bdb_uid = cluster.next_bdb_uid
        self.next_shard_uid = cluster.next_shard_uid


def lose_quorum(emu, cluster):
    """Replace every member of ``cluster`` by a clean node that keeps the recovery file."""
    snapshot = Snapshot(emu, cluster)
    for node in cluster.members(emu):
        for run in node.actions.values():
            run.cancel()
        node.__init__(node.index, node.address)  # the same node object: each node's app holds it
        node.recovery_files = {RECOVERY_FILE: snapshot}
    return snapshot


def recovered_cluster(node, filename, name, admin):
    """``(cluster, uid)`` rebuilt from the node's recovery file ``filename``."""
    snapshot = node.recovery_files[filename]
    cluster = ReCluster(name or snapshot.name, admin)
    cluster.users = dict(snapshot.users, **{admin[0]: cluster.users[admin[0]]})  # the credentials sent stay an admin
    cluster.rack_aware = snapshot.rack_aware
    cluster.next_uid = snapshot.next_uid
    cluster.databases, cluster.shards = snapshot.databases, snapshot.shards
    cluster.next_bdb_uid, cluster.next_shard_uid = snapshot.next_bdb_uid, snapshot.next_shard_uid
    cluster.shards_placed = True
    for database in cluster.databases.values():
        database.status = "recovery"
    for shard in cluster.shards.values():
        shard.status, shard.detailed_status = "inactive", "down"
        if shard.sync is not None:
            shard.sync = "link_down"
    uid = snapshot.uids.get(node.index) or min(snapshot.uids.values())
    missing = sorted(u for u in snapshot.uids.values() if u != uid)
    if missing:
        cluster.repair_required = {"failed_nodes": [{"uid": u} for u in missing], "replace_candidate": missing[0]}
    return cluster, uid


def replaced_uid(cluster, identity):
    """The old uid a joining node takes back, or None when the cluster needs none."""
    if not cluster.repair_required:
        return None
    wanted = str(identity.get("uid", ""))
    if wanted not in [str(n["uid"]) for n in cluster.repair_required["failed_nodes"]]:
        return False
    return int(wanted)


def take_uid(cluster, uid):
    """A node joined with old ``uid``: it is no longer missing."""
    failed = [n for n in cluster.repair_required["failed_nodes"] if n["uid"] != uid]
    cluster.repair_required = {"failed_nodes": failed, "replace_candidate": failed[0]["uid"]} if failed else None


def plan(cluster, database):
    shards = sorted((s for s in cluster.shards.values() if s.bdb_uid == database.uid), key=lambda s: s.uid)
    if database.files_lost:
        return {"status": "missing-files", "data_files": []}
    return {"status": "ready", "data_files": [
        {"filename": "redis-%d.rdb" % s.uid, "node_uid": str(s.node_uid), "shard_uid": str(s.uid), "shard_role": s.role,
         "shard_slots": s.slots, "size": SHARD_FILE_SIZE, "last_modified": int(time.time())} for s in shards]}


def state_machines(cluster):
    return [dict(run) for run in cluster.recoveries]


def _running(cluster, database):
    return any(run["object_name"] == "bdb:%d" % database.uid and run["status"] == "running" for run in state_machines(cluster))


def _in_recovery(cluster, uid):
    database, missing = lookup(cluster.databases, uid, "db_not_found", "database")
    if missing:
        return None, missing
    if _running(cluster, database):
        return None, error(409, "bdb_recovery_in_progress", "a recovery of database %d is running" % uid)
    if database.status != "recovery":
        return None, error(409, "bdb_not_in_recovery", "database %d is not in recovery (status %s)" % (uid, database.status))
    return database, None


def _recover_body():
    raw = request.get_data()
    body = request.get_json(force=True, silent=True) if raw.strip() else {}
    if not isinstance(body, dict):
        return None, "the body must be a JSON object"
    unknown = sorted(set(body) - set(RECOVER_BODY))
    if unknown:
        return None, "unknown field %s" % unknown[0]
    wrong = [name for name, kind in sorted(RECOVER_BODY.items()) if name in body and not isinstance(body[name], kind)]
    if wrong:
        return None, "%s has the wrong type" % wrong[0]
    return body, None


@blueprint.get("/v1/bdbs/<int:uid>/actions/recover")
@cluster_data
def get_plan(_emu, cluster, uid):
    database, refused = _in_recovery(cluster, uid)
    return refused or jsonify(plan(cluster, database))


@blueprint.post("/v1/bdbs/<int:uid>/actions/recover")
@cluster_data
def recover(emu, cluster, uid):
    body, problem = _recover_body()
    if problem:
        return error(400, "invalid_schema", problem)
    database, refused = _in_recovery(cluster, uid)
    if refused:
        return refused
    if plan(cluster, database)["status"] != "ready" and not body.get("recover_without_data"):
        return error(409, "missing_files", "database %d cannot be recovered with its data: its files are missing" % uid)
    run = {"action_uid": "sm-recover-bdb-%d-%d" % (uid, len(cluster.recoveries) + 1), "name": "SMRecoverBDB",
           "object_name": "bdb:%d" % uid, "status": "running", "heartbeat": int(time.time()), "creation_time": utcnow()}
    cluster.recoveries.append(run)

    def done():
        run.update(status="completed", heartbeat=int(time.time()))
        database.status = "active"
        for shard in cluster.shards.values():
            if shard.bdb_uid == uid:
                shard.status, shard.detailed_status = "active", "ok"
                start_sync(emu, shard)

    emu.scheduler.schedule(RECOVERY_SECONDS, done)
    return jsonify({"action_uid": run["action_uid"]})
