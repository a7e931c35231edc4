"""What a Redis Enterprise cluster tells about its health: alerts, running actions, quorum,
each database's availability and the cluster check, in the field names and values of the
REST API (and of responses captured from real clusters where they differ from the documents).

Endpoints (any user of the cluster)
  GET /v1/local/node/master_healthcheck   ``{"status": "active"}``, ``inactive`` once half of the
                                          cluster's nodes or more are down (no quorum)
  GET /v1/cluster/check                   ``{"cluster_test_result": bool, "nodes": [{"node_uid", "result",
                                          "error"}]}``: a node that is down fails
  GET /v1/bdbs/{uid}/availability         200 ``{}``; 503 ``{"error_code", "description"}``: ``no_quorum``,
                                          ``bdb_unavailable_shard_unreachable`` (a slot range with no
                                          active primary on a node that is up), or the code the control
                                          API forced; 404 for a database that does not exist
  GET /v1/cluster/alerts                  alert name -> ``{enabled, state, severity, change_time, change_value}``
  GET /v1/nodes/alerts                    node uid (a string) -> such a map
  GET /v1/bdbs/alerts                     database uid (a string) -> such a map
  GET /v1/actions                         ``{"actions": [...], "state-machines": [...]}``: every node action
                                          (``action_uid``, ``name``, ``node_uid``, ``progress``, ``status``,
                                          ``task_id``, ``creation_time``; strings as real servers send them)
                                          and, for each database whose status is a pending one, its state
                                          machine (``action_uid``, ``name``, ``object_name`` ``bdb:<uid>``,
                                          ``status`` ``running``, ``heartbeat``), and each database
                                          recovery (``re_recovery.py``)
  GET /v1/actions/{uid}                   one of them; 404 ``action_not_found``

Alerts: every cluster, node and database has the alerts of ``ALERTS``, all ``state: false``
except one that is configured off but raised (``enabled: false, state: true``), as captured
responses show: only ``enabled`` and ``state`` both true is an active alert. The control API
raises and clears them.
"""

import time

from flask import Blueprint, jsonify

from . import re_recovery
from .re_databases import cluster_data, is_up, lookup, members_by_uid
from .redis_enterprise import error, utcnow

blueprint = Blueprint("re_health", __name__)

ALERTS = {
    "cluster": ("cluster_certs_about_to_expire", "cluster_inconsistent_redis_sw", "cluster_inconsistent_rl_sw",
                "cluster_node_remove_abort_failed", "cluster_ram_overcommit"),
    "node": ("node_cpu_utilization", "node_failed", "node_memory", "node_net_throughput", "node_persistent_storage"),
    "database": ("bdb_backup_delayed", "bdb_high_latency", "bdb_replica_src_syncing", "bdb_size"),
}
#: Configured off and yet raised: what real clusters answer for some alerts.
DORMANT_ALERT = ("cluster", "cluster_license_about_to_expire")
PENDING_DATABASE_STATUSES = {"pending": "SMCreateBDB", "active-change-pending": "SMUpdateBDB", "delete-pending": "SMDeleteBDB",
                             "import-pending": "SMImportBDB"}
SEVERITIES = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _alert(name, enabled=True, state=False, severity="WARNING"):
    return {"enabled": enabled, "state": state, "severity": severity, "change_time": utcnow(),
            "change_value": {"state": state}, "name": name}


def _alert_map(scope):
    return {name: _alert(name) for name in ALERTS[scope]}


def alerts_of(emu, cluster, scope):
    """The alert maps of a scope: ``{name: alert}`` for the cluster, ``{uid: {name: alert}}`` for
    nodes and databases (a new member or database gets its map on first read)."""
    if cluster.alerts is None:
        cluster.alerts = {"cluster": _alert_map("cluster"), "node": {}, "database": {}}
        cluster.alerts["cluster"][DORMANT_ALERT[1]] = _alert(DORMANT_ALERT[1], enabled=False, state=True, severity="INFO")
    if scope == "cluster":
        return cluster.alerts["cluster"]
    owners = [n.uid for n in cluster.members(emu)] if scope == "node" else list(cluster.databases)
    maps = cluster.alerts[scope]
    for uid in owners:
        maps.setdefault(uid, _alert_map(scope))
    return {uid: maps[uid] for uid in sorted(owners)}


def set_alert(emu, cluster, scope, name, subject=None, state=True, enabled=True, severity="WARNING"):
    """Raise (``state`` true) or clear an alert; returns it."""
    maps = alerts_of(emu, cluster, scope)
    target = maps if scope == "cluster" else maps[subject]
    alert = _alert(name, enabled=enabled, state=state, severity=severity)
    target[name] = alert
    return alert


def _public_alert(alert):
    return {key: alert[key] for key in ("enabled", "state", "severity", "change_time", "change_value")}


def has_quorum(emu, cluster):
    members = cluster.members(emu)
    return sum(1 for n in members if is_up(n)) * 2 > len(members)


def unavailable(emu, cluster, database):
    """``(error_code, description)`` of a database that is not available, or None."""
    if database.availability_error:
        return database.availability_error, "database %d is not available (set by the emulator's control API)" % database.uid
    if not has_quorum(emu, cluster):
        return "no_quorum", "the cluster has no quorum"
    nodes = members_by_uid(emu, cluster)
    for group in sorted(set(s.group for s in cluster.shards.values() if s.bdb_uid == database.uid)):
        copies = [s for s in cluster.shards.values() if s.bdb_uid == database.uid and s.group == group]
        if not any(s.role == "master" and s.status == "active" and is_up(nodes.get(s.node_uid)) for s in copies):
            return "bdb_unavailable_shard_unreachable", "no active primary shard serves slots %s of database %d" % (
                copies[0].slots, database.uid)
    return None


def state_machines(cluster):
    found = []
    for uid in sorted(cluster.databases):
        database = cluster.databases[uid]
        name = PENDING_DATABASE_STATUSES.get(database.status)
        if name:
            found.append({"action_uid": "sm-bdb-%d-%s" % (uid, database.status), "name": name, "object_name": "bdb:%d" % uid,
                          "status": "running", "heartbeat": int(time.time())})
    return found + re_recovery.state_machines(cluster)


def node_actions(emu, cluster):
    nodes = sorted((n for n in emu.re_nodes if n.cluster is cluster), key=lambda n: n.uid)
    found = []
    for node in nodes:
        for run in node.actions.values():
            body = run.public(doc_shapes=False)
            body["action_uid"] = run.task_id
            found.append(body)
    return found


# --- endpoints ------------------------------------------------------------------------
@blueprint.get("/v1/local/node/master_healthcheck")
@cluster_data
def master_healthcheck(emu, cluster):
    return jsonify({"status": "active" if has_quorum(emu, cluster) else "inactive"})


@blueprint.get("/v1/cluster/check")
@cluster_data
def cluster_check(emu, cluster):
    results = [{"node_uid": str(n.uid), "result": is_up(n), "error": "" if is_up(n) else "node %d is down" % n.uid}
               for n in sorted(cluster.members(emu), key=lambda n: n.uid)]
    return jsonify({"cluster_test_result": all(r["result"] for r in results), "nodes": results})


@blueprint.get("/v1/bdbs/<int:uid>/availability")
@cluster_data
def availability(emu, cluster, uid):
    database, missing = lookup(cluster.databases, uid, "db_not_found", "database")
    if missing:
        return missing
    problem = unavailable(emu, cluster, database)
    if problem:
        return error(503, problem[0], problem[1])
    return jsonify({})


@blueprint.get("/v1/cluster/alerts")
@cluster_data
def cluster_alerts(emu, cluster):
    return jsonify({name: _public_alert(alert) for name, alert in alerts_of(emu, cluster, "cluster").items()})


def _alerts_by_owner(emu, cluster, scope):
    return jsonify({str(uid): {name: _public_alert(a) for name, a in alerts.items()}
                    for uid, alerts in alerts_of(emu, cluster, scope).items()})


@blueprint.get("/v1/nodes/alerts")
@cluster_data
def node_alerts(emu, cluster):
    return _alerts_by_owner(emu, cluster, "node")


@blueprint.get("/v1/bdbs/alerts")
@cluster_data
def database_alerts(emu, cluster):
    return _alerts_by_owner(emu, cluster, "database")


@blueprint.get("/v1/actions")
@cluster_data
def list_actions(emu, cluster):
    return jsonify({"actions": node_actions(emu, cluster), "state-machines": state_machines(cluster)})


@blueprint.get("/v1/actions/<uid>")
@cluster_data
def get_action(emu, cluster, uid):
    for action in node_actions(emu, cluster) + state_machines(cluster):
        if action["action_uid"] == uid:
            return jsonify(action)
    return error(404, "action_not_found", "action %s does not exist" % uid)
