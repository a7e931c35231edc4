"""The emulator's quorum loss and recovery: clean nodes keeping the recovery file, the cluster
recovered on one and the others joining with their old uids, then each database's plan and
recovery action, through the control API and the nodes' REST API as real clients send them."""

import pytest
from emulator_calls import control, re_api

RECOVERY_FILE = "/var/opt/redislabs/persist/ccs/ccs-redis.rdb"
ADMIN = {"username": "admin@re.test", "password": "Admin-Passw0rd"}


@pytest.fixture
def lost(emulator):
    """A 3-node cluster with two databases (the second's files lost), after a quorum loss."""
    emulator.seed_re_cluster()
    emulator.clock.set_speed(0)  # the test moves the clock itself
    assert control(emulator, "POST", "/re/databases", json={"name": "orders", "shards_count": 2}).status_code == 201
    answer = control(emulator, "POST", "/re/quorum-loss", json={})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"name": "cluster.re.test", "nodes": [1, 2, 3], "uids": {"1": 1, "2": 2, "3": 3},
                             "recovery_filename": RECOVERY_FILE}
    return emulator


def bootstrap(emulator, index, action, **body):
    body = dict(body, action=action, credentials=ADMIN)
    answer = re_api(emulator, "POST", "/v1/bootstrap/%s" % action, node=index, json=body)
    assert answer.status_code == 200, answer.text
    emulator.clock.advance(60)
    emulator.scheduler.run_due()
    return re_api(emulator, "GET", "/v1/bootstrap", node=index).json()["bootstrap_status"]


def join(emulator, node, **identity):
    return bootstrap(emulator, node, "join_cluster", cluster={"nodes": [emulator.node(1).address]},
                     node={"identity": identity} if identity else {})


def recovered(emulator):
    status = bootstrap(emulator, 1, "recover_cluster", recovery_filename=RECOVERY_FILE)
    assert status["state"] == "completed", status
    return emulator


def get(emulator, path):
    answer = re_api(emulator, "GET", path)
    assert answer.status_code == 200, answer.text
    return answer.json()


def whole(emulator):
    recovered(emulator)
    for node in (2, 3):
        assert join(emulator, node, uid=node)["state"] == "completed"
    return emulator


def test_quorum_loss_leaves_clean_idle_nodes_that_keep_the_recovery_file(lost):
    for node in (1, 2, 3):
        status = re_api(lost, "GET", "/v1/bootstrap", node=node).json()
        assert status["bootstrap_status"] == {"state": "idle"}
        assert "uid" not in status["local_node_info"]
        assert re_api(lost, "GET", "/v1/bdbs", node=node).status_code == 503  # not in a cluster
    refused = control(lost, "POST", "/re/quorum-loss", json={"node": 1})
    assert refused.status_code == 400 and "not in a cluster" in refused.json()["error"]
    assert control(lost, "POST", "/re/quorum-loss", json={"nodes": [1]}).status_code == 400  # strict body


def test_recovery_restores_the_cluster_and_joins_need_the_old_uids(lost):
    recovered(lost)
    assert get(lost, "/v1/cluster")["name"] == "cluster.re.test"
    assert [n["uid"] for n in get(lost, "/v1/nodes")] == [1]
    databases = get(lost, "/v1/bdbs")
    assert [(d["uid"], d["name"], d["status"]) for d in databases] == [(1, "default-db", "recovery"), (2, "orders", "recovery")]

    refused = join(lost, 2)
    assert refused["state"] == "error" and refused["error_code"] == "repair_required"
    assert refused["error_details"]["replace_candidate"] == 2
    assert refused["error_details"]["failed_nodes"] == [{"uid": 2}, {"uid": 3}]
    assert join(lost, 2, uid=7)["error_code"] == "repair_required"  # not an old uid

    assert join(lost, 3, uid=3)["state"] == "completed"
    assert join(lost, 2, uid=2)["state"] == "completed"  # from the error state, bootstrapped again
    assert sorted(n["uid"] for n in get(lost, "/v1/nodes")) == [1, 2, 3]
    assert all(n["status"] == "active" for n in get(lost, "/v1/nodes"))


def test_a_recovery_file_elsewhere_gives_a_new_empty_cluster(emulator):
    status = bootstrap(emulator, 1, "recover_cluster", recovery_filename="/tmp/other.rdb")
    assert status["state"] == "completed"
    assert get(emulator, "/v1/cluster")["name"] == "recovered.re.test"


def test_database_plans_and_recovery_actions(lost):
    whole(lost)
    plan = get(lost, "/v1/bdbs/2/actions/recover")
    assert plan["status"] == "ready"
    assert [(f["shard_uid"], f["shard_role"]) for f in plan["data_files"]] == [("7", "master"), ("8", "slave"), ("9", "master"),
                                                                               ("10", "slave")]
    assert set(plan["data_files"][0]) == {"filename", "node_uid", "shard_uid", "shard_role", "shard_slots", "size", "last_modified"}

    for body in ({"force": True}, {"ignore_errors": "yes"}, [1]):
        answer = re_api(lost, "POST", "/v1/bdbs/2/actions/recover", json=body)
        assert answer.status_code == 400, body
    started = re_api(lost, "POST", "/v1/bdbs/2/actions/recover", json={})
    assert started.status_code == 200
    uid = started.json()["action_uid"]
    action = get(lost, "/v1/actions/%s" % uid)
    assert (action["name"], action["object_name"], action["status"]) == ("SMRecoverBDB", "bdb:2", "running")
    assert uid in [a["action_uid"] for a in get(lost, "/v1/actions")["state-machines"]]
    busy = re_api(lost, "POST", "/v1/bdbs/2/actions/recover", json={})
    assert busy.status_code == 409 and busy.json()["error_code"] == "bdb_recovery_in_progress"

    lost.clock.advance(60)
    lost.scheduler.run_due()
    assert get(lost, "/v1/actions/%s" % uid)["status"] == "completed"
    assert get(lost, "/v1/bdbs/2")["status"] == "active"
    shards = [s for s in get(lost, "/v1/shards") if s["bdb_uid"] == 2]
    assert len(shards) == 4 and all((s["status"], s["detailed_status"]) == ("active", "ok") for s in shards)
    again = re_api(lost, "POST", "/v1/bdbs/2/actions/recover", json={})
    assert again.status_code == 409 and again.json()["error_code"] == "bdb_not_in_recovery"
    assert re_api(lost, "GET", "/v1/bdbs/2/actions/recover").status_code == 409
    assert get(lost, "/v1/bdbs/1")["status"] == "recovery"  # each database is recovered on its own


def test_lost_files_make_a_missing_files_plan_recovered_only_without_data(lost):
    whole(lost)
    answer = control(lost, "POST", "/re/databases/1", json={"files_lost": True})
    assert answer.status_code == 200 and answer.json()["files_lost"] is True
    assert get(lost, "/v1/bdbs/1/actions/recover") == {"status": "missing-files", "data_files": []}
    refused = re_api(lost, "POST", "/v1/bdbs/1/actions/recover", json={})
    assert refused.status_code == 409 and refused.json()["error_code"] == "missing_files"
    started = re_api(lost, "POST", "/v1/bdbs/1/actions/recover", json={"recover_without_data": True, "ignore_errors": False,
                                                                       "data_files": []})
    assert started.status_code == 200
    lost.clock.advance(60)
    lost.scheduler.run_due()
    assert get(lost, "/v1/bdbs/1")["status"] == "active"
