"""re_cluster_health through real ansible-playbook against the emulator: a healthy cluster, each
kind of blocker, waiting until healthy or failing at wait_timeout naming the blockers, the
databases filter, check mode, and no database secret in the output however verbose."""

import json
import threading

import pytest
from emulator_calls import control, re_api

MODULE = "redisops.platform.re_cluster_health"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def cluster(emulator):
    """Three nodes; databases default-db (uid 1, 3 shards replicated), orders (uid 2, 2 shards
    replicated) and cache (uid 3, 1 shard, no replication)."""
    emulator.seed_re_cluster()
    assert control(emulator, "POST", "/re/databases", json={"name": "orders", "shards_count": 2}).status_code == 201
    assert control(emulator, "POST", "/re/databases", json={"name": "cache", "replication": False}).status_code == 201
    return emulator


def defaults(emulator, user="re_viewer", node=1):
    options = {"url": emulator.node_url(node), "ca_path": emulator.tls["ca"]}
    options.update(emulator.info()[user])
    return {"group/redisops.platform.redis_enterprise": options}


def health(ansible, emulator, check=False, verbosity=0, **options):
    play = ansible.run([{"name": "Read the cluster's health", MODULE: options}], check=check, verbosity=verbosity,
                       module_defaults=defaults(emulator))
    assert play.tasks, play.output
    return play, play.last


def blockers(result):
    return [(b["check"], b["subject"], b["state"]) for b in result["blockers"]]


def shard_of(emulator, bdb_uid, role):
    return next(s for s in re_api(emulator, "GET", "/v1/shards").json() if s["bdb_uid"] == bdb_uid and s["role"] == role)


def test_a_healthy_cluster_is_read_in_one_poll_without_a_write(ansible, cluster):
    seq = cluster.log.last_seq()
    play, result = health(ansible, cluster)
    assert play.rc == 0, play.output
    assert result["healthy"] is True and result["changed"] is False and result["blockers"] == []
    assert result["checks"] == {name: "passed" for name in ("quorum", "nodes", "maintenance", "databases", "shards", "alerts", "actions")}
    assert result["polls"] == 1 and result["cluster_name"] == "cluster.re.test" and result["skipped_checks"] == []
    assert [(n["uid"], n["status"], n["in_maintenance"]) for n in result["nodes"]] == [(1, "active", False), (2, "active", False),
                                                                                       (3, "active", False)]
    assert [(d["uid"], d["name"], d["available"], d["shards_total"], d["shards_syncing"]) for d in result["databases"]] == [
        (1, "default-db", True, 6, 0), (2, "orders", True, 4, 0), (3, "cache", True, 1, 0)]
    entries = cluster.log.entries(seq)
    assert not [e for e in entries if e["method"] in WRITE_METHODS]
    # the cluster's name, 8 cluster-wide reads, 3 node statuses, 3 availabilities: all answered by node 1, as a viewer
    assert len(entries) == 15 and {e["server"] for e in entries} == {"node1"} and {e["user"] for e in entries} == {"viewer@re.test"}


def test_a_shard_whose_link_is_down_is_a_blocker_named_by_database_and_shard(ansible, cluster):
    replica = shard_of(cluster, 2, "slave")
    control(cluster, "POST", "/re/shards/%s/sync" % replica["uid"], json={"status": "link_down"})
    play, result = health(ansible, cluster)
    assert play.rc == 0, play.output  # without wait, a report: never a failure
    assert result["healthy"] is False and result["checks"]["shards"] == "failed"
    assert blockers(result) == [("shards", "db:2 shard:%s" % replica["uid"], "link_down")]
    assert "of database 2 (orders) on node %s: sync link_down" % replica["node_uid"] in result["blockers"][0]["message"]


def test_a_raised_alert_is_a_blocker_unless_ignored(ansible, cluster):
    control(cluster, "POST", "/re/alerts", json={"scope": "node", "subject": 3, "name": "node_memory", "severity": "ERROR"})
    control(cluster, "POST", "/re/alerts", json={"scope": "cluster", "name": "cluster_inconsistent_rl_sw"})  # ignored by default
    _play, result = health(ansible, cluster)
    assert blockers(result) == [("alerts", "node:3 alert:node_memory", "raised")]
    assert [(a["subject"], a["name"], a["severity"], a["ignored"]) for a in result["alerts"]] == [
        ("cluster", "cluster_inconsistent_rl_sw", "WARNING", True), ("node:3", "node_memory", "ERROR", False)]
    _play, result = health(ansible, cluster, ignore_alerts=["node_memory"])
    assert blockers(result) == [("alerts", "cluster alert:cluster_inconsistent_rl_sw", "raised")]  # the list replaces the default
    _play, result = health(ansible, cluster, ignore_alerts=["node_memory", "cluster_inconsistent_rl_sw"])
    assert result["healthy"] is True


def test_a_node_in_maintenance_is_a_blocker_unless_allowed(ansible, cluster):
    assert re_api(cluster, "POST", "/v1/nodes/2/actions/maintenance_on", json={}).status_code == 200
    play = ansible.run([
        {"name": "Wait for the maintenance", "redisops.platform.re_node_action_info": {"node_uid": 2, "action": "maintenance_on"},
         "register": "on", "until": "on.actions[0].status == 'completed'", "retries": 100, "delay": 0.2},
        {"name": "Health", MODULE: {"wait": True, "wait_timeout": 2}, "ignore_errors": True},
        {"name": "Health, node 2 allowed", MODULE: {"allow_maintenance": [2], "wait": True, "wait_timeout": 30}},
    ], module_defaults=defaults(cluster))
    assert play.rc == 0, play.output
    refused, allowed = play.results[1:]
    assert refused["failed"] is True and ("maintenance", "node:2", "in_maintenance") in blockers(refused)
    assert "maintenance node:2 in_maintenance" in refused["msg"]
    assert allowed["healthy"] is True and allowed["nodes"][1]["in_maintenance"] is True and allowed["nodes"][1]["shard_count"] == 0


def test_a_database_that_stays_pending_times_out_the_wait_naming_it(ansible, cluster):
    control(cluster, "POST", "/re/databases/2", json={"status": "active-change-pending"})
    play, result = health(ansible, cluster, wait=True, wait_timeout=3)
    assert play.rc != 0
    assert result["failed"] is True and result["healthy"] is False and result["polls"] > 1
    assert result["msg"].startswith("timed out after 3s (wait_timeout) waiting for the cluster to be healthy (last seen: 2 blocker(s): ")
    assert "databases db:2 active-change-pending" in result["msg"] and "actions action:" in result["msg"]
    assert ("databases", "db:2", "active-change-pending") in blockers(result)
    assert 3 <= result["duration"] < 10


def test_wait_turns_healthy_when_the_fault_is_cleared_mid_wait(ansible, cluster):
    replica = shard_of(cluster, 1, "slave")
    control(cluster, "POST", "/re/shards/%s/sync" % replica["uid"], json={"status": "link_down"})
    polled = threading.Event()

    def clear_once_polled():
        # Once the module has seen the broken link (a read of the shards after this started), repair it.
        since = cluster.log.last_seq()
        while not polled.wait(0.05):
            if any(e["path"] == "/v1/shards" for e in cluster.log.entries(since)):
                control(cluster, "POST", "/re/shards/%s/sync" % replica["uid"], json={"status": "idle"})
                polled.set()

    fixer = threading.Thread(target=clear_once_polled, daemon=True)
    fixer.start()
    try:
        play, result = health(ansible, cluster, wait=True, wait_timeout=60)
    finally:
        polled.set()
        fixer.join()
    assert play.rc == 0, play.output
    assert result["healthy"] is True and result["polls"] >= 2


def test_databases_filter_by_name_and_uid(ansible, cluster):
    control(cluster, "POST", "/re/databases/3", json={"status": "creation-failed"})  # cache: not judged below
    _play, result = health(ansible, cluster, databases=["orders", "1"])
    assert result["healthy"] is True and [d["uid"] for d in result["databases"]] == [1, 2]
    _play, result = health(ansible, cluster, databases=["cache"])
    assert blockers(result) == [("databases", "db:3", "creation-failed")]
    play, result = health(ansible, cluster, databases=["sessions"])
    assert play.rc != 0 and result["msg"].startswith("databases: sessions match no database of the cluster (it has: default-db (uid 1)")
    play, result = health(ansible, cluster, databases=[])
    assert play.rc != 0 and "databases must name at least one database" in result["msg"]


def test_an_availability_the_server_does_not_serve_is_skipped(ansible, cluster):
    control(cluster, "POST", "/faults", json={"server": "re", "path": "/v1/bdbs/*/availability", "status": 404, "times": -1})
    _play, result = health(ansible, cluster, databases=["orders"])
    assert result["healthy"] is True and result["databases"][0]["available"] is None
    assert result["skipped_checks"] == [{"check": "databases", "subject": "db:2", "reason": "availability not served (404): server before 7.8.2"}]


def test_quorum_loss_and_nodes_down(ansible, cluster):
    for index in (2, 3):
        control(cluster, "POST", "/re/nodes/%d/down" % index, json={"until_up": True})
    _play, result = health(ansible, cluster, databases=["orders"])
    found = blockers(result)
    assert found[:3] == [("quorum", "cluster", "inactive"), ("nodes", "node:2", "down"), ("nodes", "node:3", "down")]
    assert ("databases", "db:2", "no_quorum") in found


def test_check_mode_reads_and_does_not_wait(ansible, cluster):
    play, result = health(ansible, cluster, check=True)
    assert play.rc == 0 and result["healthy"] is True and result["polls"] == 1
    control(cluster, "POST", "/re/databases/2", json={"status": "pending"})
    seq = cluster.log.last_seq()
    play, result = health(ansible, cluster, check=True, wait=True, wait_timeout=30)
    assert play.rc == 0, play.output
    assert result["healthy"] is False and result["polls"] == 1 and result["duration"] < 5
    assert any("check mode does not wait: the cluster is not healthy now" in w for w in result.get("warnings", []))
    assert not [e for e in cluster.log.entries(seq) if e["method"] in WRITE_METHODS]


def test_no_database_secret_in_the_output_at_vvv(ansible, cluster):
    databases = re_api(cluster, "GET", "/v1/bdbs").json()
    secrets = [d[key] for d in databases for key in ("authentication_admin_pass", "authentication_redis_pass", "authentication_sasl_pass")]
    assert len(secrets) == 9 and all(secrets)
    control(cluster, "POST", "/re/databases/2", json={"availability": "bdb_unavailable_port_unbound"})
    play, result = health(ansible, cluster, verbosity=3)
    assert play.rc == 0, play.output
    assert ("databases", "db:2", "bdb_unavailable_port_unbound") in blockers(result)
    shown = play.output + json.dumps(play.tasks)
    assert "authentication_" not in shown
    assert not [secret for secret in secrets if secret in shown]
