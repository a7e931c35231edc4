"""The emulator's Redis Enterprise databases, shards, alerts, actions and health endpoints, in
the field names and shapes of real servers, and the shards a node action or an outage moves."""

import os
import subprocess
import sys

import pytest
import requests
from emulator_calls import control, re_api

from emulator.server import DEFAULT_SYNC_SECONDS

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def cluster(emulator):
    emulator.seed_re_cluster()
    emulator.clock.set_speed(0)  # the test moves the clock itself
    return emulator


def get(emulator, path, node=1):
    answer = re_api(emulator, "GET", path, node)
    assert answer.status_code == 200, answer.text
    return answer.json()


def run_action(emulator, uid, action, **body):
    """Start a node action and move the clock until it has completed."""
    assert re_api(emulator, "POST", "/v1/nodes/%d/actions/%s" % (uid, action), json=body).status_code == 200
    emulator.clock.advance(60)
    assert get(emulator, "/v1/nodes/%d/actions/%s" % (uid, action))["status"] == "completed"


def by_group(shards):
    groups = {}
    for shard in shards:
        groups.setdefault((shard["bdb_uid"], shard["assigned_slots"]), []).append(shard)
    return groups


def test_a_seeded_cluster_has_a_default_database_with_shards_as_real_servers_send_them(cluster):
    databases = get(cluster, "/v1/bdbs")
    assert [(d["uid"], d["name"], d["status"], d["shards_count"], d["replication"]) for d in databases] == [
        (1, "default-db", "active", 3, True)]
    database = databases[0]
    assert database["shard_list"] == [1, 2, 3, 4, 5, 6]
    assert database["endpoints"][0]["port"] == 12001 and database["endpoints"][0]["addr"]
    for secret in ("authentication_admin_pass", "authentication_redis_pass", "authentication_sasl_pass"):
        assert database[secret]  # served, as real servers do
    assert get(cluster, "/v1/bdbs/1") == database
    assert re_api(cluster, "GET", "/v1/bdbs/9").json()["error_code"] == "db_not_found"

    shards = get(cluster, "/v1/shards")
    assert len(shards) == 6
    first = shards[0]
    assert isinstance(first["uid"], str) and isinstance(first["node_uid"], str) and isinstance(first["bdb_uid"], int)
    assert (first["status"], first["detailed_status"], first["loading"], first["sync"]["status"]) == ("active", "ok", {"status": "idle"},
                                                                                                      "idle")
    for copies in by_group(shards).values():
        assert sorted(s["role"] for s in copies) == ["master", "slave"]
        assert copies[0]["node_uid"] != copies[1]["node_uid"]  # a primary and its replica never share a node
    assert get(cluster, "/v1/shards/%s" % first["uid"]) == first
    assert re_api(cluster, "GET", "/v1/shards/99").status_code == 404

    for uid in (1, 2, 3):
        status = get(cluster, "/v1/nodes/%d/status" % uid)
        on_node = [s for s in shards if s["node_uid"] == str(uid)]
        assert sorted(status["master_shards"]) == sorted(s["uid"] for s in on_node if s["role"] == "master")
        assert sorted(status["slave_shards"]) == sorted(s["uid"] for s in on_node if s["role"] == "slave")
        assert status["shard_count"] == 2


def test_a_database_without_replication_has_no_sync_object(cluster):
    created = control(cluster, "POST", "/re/databases", json={"name": "cache", "shards_count": 2, "replication": False})
    assert created.status_code == 201, created.text
    assert created.json() == {"uid": 2, "name": "cache", "shard_list": [7, 8]}
    shards = [s for s in get(cluster, "/v1/shards") if s["bdb_uid"] == 2]
    assert [s["role"] for s in shards] == ["master", "master"] and all("sync" not in s for s in shards)
    assert get(cluster, "/v1/bdbs/2")["shards_count"] == 2


def test_maintenance_moves_the_shards_away_and_back_and_they_resync(cluster):
    cluster.re_sync_seconds = 100
    before = {s["uid"]: (s["node_uid"], s["role"]) for s in get(cluster, "/v1/shards")}
    run_action(cluster, 2, "maintenance_on")
    shards = get(cluster, "/v1/shards")
    assert not [s for s in shards if s["node_uid"] == "2"]
    moved = [s for s in shards if before[s["uid"]][0] == "2"]
    assert len(moved) == 2 and all(s["role"] == "slave" and s["sync"]["status"] == "in_progress" for s in moved)
    for copies in by_group(shards).values():
        assert copies[0]["node_uid"] != copies[1]["node_uid"]
        assert sorted(s["role"] for s in copies) == ["master", "slave"]  # node 2's primary: its replica was promoted
    assert [s for s in shards if s["uid"] not in [m["uid"] for m in moved] and s["sync"]["status"] != "idle"] == []
    cluster.clock.advance(100)
    assert all(s["sync"]["status"] == "idle" for s in get(cluster, "/v1/shards"))

    run_action(cluster, 2, "maintenance_off")
    shards = get(cluster, "/v1/shards")
    assert {s["uid"]: (s["node_uid"], s["role"]) for s in shards} == before  # back, with their roles
    assert sorted(s["sync"]["status"] for s in shards if before[s["uid"]][0] == "2") == ["in_progress", "in_progress"]
    cluster.clock.advance(100)
    assert all(s["sync"]["status"] == "idle" for s in get(cluster, "/v1/shards"))


def test_maintenance_off_with_skip_shards_restore_leaves_the_shards_where_they_are(cluster):
    run_action(cluster, 3, "maintenance_on")
    run_action(cluster, 3, "maintenance_off", skip_shards_restore=True)
    assert cluster.node(3).shards == 0 and get(cluster, "/v1/nodes/3/status")["master_shards"] == []


def test_maintenance_refuses_a_shard_no_node_can_take_without_its_peer(emulator):
    emulator.seed_re_cluster(nodes=[1, 2])
    emulator.clock.set_speed(0)
    assert re_api(emulator, "POST", "/v1/nodes/2/actions/maintenance_on", json={}).status_code == 200
    emulator.clock.advance(60)
    action = get(emulator, "/v1/nodes/2/actions/maintenance_on")
    assert (action["status"], action["error_code"]) == ("failed", "insufficient_resources")
    assert "its peer shard" in action["error_message"] and emulator.node(2).shards == 2


def test_control_api_breaks_a_shard_sync_and_sets_a_database_status(cluster):
    answer = control(cluster, "POST", "/re/shards/2/sync", json={"status": "link_down"})
    assert answer.status_code == 200 and answer.json()["sync"]["status"] == "link_down"
    assert get(cluster, "/v1/shards/2")["sync"]["status"] == "link_down"
    cluster.clock.advance(1000)
    assert get(cluster, "/v1/shards/2")["sync"]["status"] == "link_down"  # until the control API says otherwise
    assert control(cluster, "POST", "/re/shards/2/sync", json={"status": "idle"}).json()["sync"]["status"] == "idle"

    assert control(cluster, "POST", "/re/databases/1", json={"status": "active-change-pending"}).json() == {
        "uid": 1, "status": "active-change-pending", "availability": None}
    assert get(cluster, "/v1/bdbs/1")["status"] == "active-change-pending"
    machines = get(cluster, "/v1/actions")["state-machines"]
    assert [(m["name"], m["object_name"], m["status"]) for m in machines] == [("SMUpdateBDB", "bdb:1", "running")]
    assert get(cluster, "/v1/actions/%s" % machines[0]["action_uid"]) == machines[0]
    control(cluster, "POST", "/re/databases/1", json={"status": "active"})
    assert get(cluster, "/v1/actions") == {"actions": [], "state-machines": []}


def test_availability_answers_503_with_the_reason(cluster):
    assert get(cluster, "/v1/bdbs/1/availability") == {}
    control(cluster, "POST", "/re/databases/1", json={"availability": "bdb_unavailable_port_unbound"})
    answer = re_api(cluster, "GET", "/v1/bdbs/1/availability")
    assert answer.status_code == 503 and answer.json()["error_code"] == "bdb_unavailable_port_unbound"
    control(cluster, "POST", "/re/databases/1", json={"availability": ""})
    assert re_api(cluster, "GET", "/v1/bdbs/1/availability").status_code == 200
    assert re_api(cluster, "GET", "/v1/bdbs/7/availability").status_code == 404


def test_a_node_down_and_up(cluster):
    cluster.re_sync_seconds = 100
    assert control(cluster, "POST", "/re/nodes/3/down", json={"until_up": True}).json() == {"down": 3, "seconds": None}
    nodes = get(cluster, "/v1/nodes")
    assert [n["status"] for n in nodes] == ["active", "active", "down"]
    on_three = [s for s in get(cluster, "/v1/shards") if s["node_uid"] == "3"]
    assert [(s["role"], s["status"], s["detailed_status"], s["sync"]["status"]) for s in on_three] == [
        ("slave", "inactive", "down", "link_down")] * 2  # its primary failed over
    assert get(cluster, "/v1/bdbs/1/availability") == {}  # every slot range still has a primary
    assert get(cluster, "/v1/local/node/master_healthcheck") == {"status": "active"}
    check = get(cluster, "/v1/cluster/check")
    assert check["cluster_test_result"] is False
    assert check["nodes"][2] == {"node_uid": "3", "result": False, "error": "node 3 is down"}
    with pytest.raises(requests.ConnectionError):
        re_api(cluster, "GET", "/v1/nodes", node=3)

    control(cluster, "POST", "/re/nodes/2/down", json={"until_up": True})
    assert get(cluster, "/v1/local/node/master_healthcheck") == {"status": "inactive"}
    answer = re_api(cluster, "GET", "/v1/bdbs/1/availability")
    assert answer.status_code == 503 and answer.json()["error_code"] == "no_quorum"

    assert control(cluster, "POST", "/re/nodes/2/up").json() == {"up": 2}
    assert control(cluster, "POST", "/re/nodes/3/up").json() == {"up": 3}
    assert [n["status"] for n in get(cluster, "/v1/nodes", node=3)] == ["active"] * 3
    shards = get(cluster, "/v1/shards")
    assert all(s["status"] == "active" for s in shards)
    assert sorted(s["sync"]["status"] for s in shards if s["node_uid"] in ("2", "3")) == ["in_progress"] * 4
    cluster.clock.advance(100)
    assert get(cluster, "/v1/cluster/check")["cluster_test_result"] is True
    assert all(s["sync"]["status"] == "idle" for s in get(cluster, "/v1/shards"))


def test_a_node_whose_api_restarts_stays_active_in_its_cluster(cluster):
    control(cluster, "POST", "/re/nodes/2/down", json={"seconds": 30})
    with pytest.raises(requests.ConnectionError):
        re_api(cluster, "GET", "/v1/nodes", node=2)
    assert [n["status"] for n in get(cluster, "/v1/nodes")] == ["active"] * 3
    assert all(s["status"] == "active" for s in get(cluster, "/v1/shards"))
    control(cluster, "POST", "/re/nodes/2/up")
    assert [n["status"] for n in get(cluster, "/v1/nodes", node=2)] == ["active"] * 3


def test_a_node_down_for_good_is_up_again_after_a_reset(cluster):
    control(cluster, "POST", "/re/nodes/2/down", json={"until_up": True})
    control(cluster, "POST", "/reset")
    cluster.seed_re_cluster()
    assert [n["status"] for n in get(cluster, "/v1/nodes", node=2)] == ["active"] * 3


def test_alerts_are_maps_of_name_to_state_and_the_control_api_raises_and_clears_them(cluster):
    alerts = get(cluster, "/v1/cluster/alerts")
    assert alerts["cluster_inconsistent_rl_sw"]["state"] is False
    dormant = alerts["cluster_license_about_to_expire"]
    assert (dormant["enabled"], dormant["state"]) == (False, True)  # configured off, yet raised: as captured
    assert set(dormant) == {"enabled", "state", "severity", "change_time", "change_value"}
    assert sorted(get(cluster, "/v1/nodes/alerts")) == ["1", "2", "3"]
    assert sorted(get(cluster, "/v1/bdbs/alerts")) == ["1"]

    raised = control(cluster, "POST", "/re/alerts", json={"scope": "node", "subject": 2, "name": "node_memory", "severity": "ERROR"})
    assert raised.status_code == 200, raised.text
    alert = get(cluster, "/v1/nodes/alerts")["2"]["node_memory"]
    assert (alert["enabled"], alert["state"], alert["severity"]) == (True, True, "ERROR")
    control(cluster, "POST", "/re/alerts", json={"scope": "database", "subject": 1, "name": "bdb_size"})
    assert get(cluster, "/v1/bdbs/alerts")["1"]["bdb_size"]["state"] is True
    control(cluster, "POST", "/re/alerts", json={"scope": "cluster", "name": "cluster_ram_overcommit"})
    assert get(cluster, "/v1/cluster/alerts")["cluster_ram_overcommit"]["state"] is True
    control(cluster, "POST", "/re/alerts", json={"scope": "node", "subject": 2, "name": "node_memory", "state": False})
    assert get(cluster, "/v1/nodes/alerts")["2"]["node_memory"]["state"] is False


def test_actions_list_node_actions_with_strings_as_real_servers_send_them(cluster):
    assert re_api(cluster, "POST", "/v1/nodes/2/actions/maintenance_on", json={}).status_code == 200
    actions = get(cluster, "/v1/actions")
    assert actions["state-machines"] == []
    (action,) = actions["actions"]
    assert (action["name"], action["node_uid"], action["status"], action["progress"]) == ("maintenance_on", "2", "queued", "0")
    assert action["action_uid"] == action["task_id"] and isinstance(action["creation_time"], str)
    assert get(cluster, "/v1/actions/%s" % action["action_uid"])["name"] == "maintenance_on"
    assert re_api(cluster, "GET", "/v1/actions/nothing").status_code == 404


def test_health_endpoints_are_readable_by_a_viewer_and_refused_without_credentials(cluster):
    viewer = cluster.info()["re_viewer"]
    for path in ("/v1/bdbs", "/v1/shards", "/v1/cluster/alerts", "/v1/actions", "/v1/local/node/master_healthcheck"):
        read = requests.get(cluster.node_url(2) + path, auth=(viewer["username"], viewer["password"]), verify=cluster.tls["ca"],
                            timeout=10)
        assert read.status_code == 200, path
        assert requests.get(cluster.node_url(2) + path, verify=cluster.tls["ca"], timeout=10).status_code == 401


@pytest.mark.parametrize("path, body, message", [
    ("/re/databases", {"shards_count": 2}, "name is required"),
    ("/re/databases", {"name": "default-db"}, "a database named default-db exists"),
    ("/re/databases", {"name": "x", "shards_count": 0}, "shards_count must be from 1 to 64"),
    ("/re/databases", {"name": "x", "status": "broken"}, "status must be one of active, pending"),
    ("/re/databases", {"name": "x", "node": 3}, "node 3 is not in a cluster"),
    ("/re/databases/7", {"status": "active"}, "database 7 does not exist"),
    ("/re/shards/1/sync", {"status": "lost"}, "status must be one of idle, in_progress, link_down"),
    ("/re/shards/99/sync", {"status": "idle"}, "shard 99 does not exist"),
    ("/re/alerts", {"scope": "rack", "name": "x"}, "scope must be cluster, node or database"),
    ("/re/alerts", {"scope": "node", "name": "x"}, "subject must be the uid of a node of the cluster (1, 2)"),
    ("/re/alerts", {"scope": "cluster", "name": "x", "subject": 1}, "subject is not taken with scope cluster"),
    ("/re/nodes/2/down", {"seconds": 3, "until_up": True}, "seconds and until_up exclude each other"),
    ("/re/resync-time", {"seconds": -1}, "seconds must be >= 0"),
])
def test_the_health_control_api_validates_what_it_is_sent(emulator, path, body, message):
    emulator.seed_re_cluster(nodes=[1, 2])
    answer = control(emulator, "POST", path, json=body)
    assert answer.status_code == 400
    assert message in answer.json()["error"]


def test_resync_time_is_an_option_and_a_control_setting(emulator):
    assert control(emulator, "POST", "/re/resync-time", json={"seconds": 5}).json() == {"seconds": 5.0}
    assert emulator.re_sync_seconds == 5.0
    control(emulator, "POST", "/reset")
    assert emulator.re_sync_seconds == DEFAULT_SYNC_SECONDS
    shown = subprocess.run([sys.executable, "-m", "emulator", "--help"], cwd=TESTS, capture_output=True, text=True,
                           check=True).stdout
    assert "--re-sync-seconds" in shown and "(default: 20.0)" in " ".join(shown.split())
