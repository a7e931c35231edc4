"""re_database_recovery through real ansible-playbook against the emulator's recovered cluster:
check mode returns every plan, the recovery with its data, a re-run with one request and no
write, missing files refused naming the database before any write and then recovered without
data, a busy answer (409) handled, a bad option refused before any request, no secret shown."""

import pytest
from emulator_calls import control, re_api

MODULE = "redisops.platform.re_database_recovery"
RECOVERY_FILE = "/var/opt/redislabs/persist/ccs/ccs-redis.rdb"
ADMIN = {"username": "admin@re.test", "password": "Admin-Passw0rd"}


def bootstrap(emulator, index, action, **body):
    answer = re_api(emulator, "POST", "/v1/bootstrap/%s" % action, node=index, json=dict(body, action=action, credentials=ADMIN))
    assert answer.status_code == 200, answer.text
    emulator.clock.advance(60)
    emulator.scheduler.run_due()


@pytest.fixture
def recovered(emulator):
    """Three nodes with default-db (uid 1) and orders (uid 2), after a quorum loss and the recovery
    of the cluster (every node back with its old uid): both databases in recovery."""
    emulator.seed_re_cluster()
    assert control(emulator, "POST", "/re/databases", json={"name": "orders", "shards_count": 2}).status_code == 201
    assert control(emulator, "POST", "/re/quorum-loss", json={}).status_code == 200
    bootstrap(emulator, 1, "recover_cluster", recovery_filename=RECOVERY_FILE)
    for index in (2, 3):
        bootstrap(emulator, index, "join_cluster", cluster={"nodes": [emulator.node(1).address]}, node={"identity": {"uid": index}})
    assert [d["status"] for d in re_api(emulator, "GET", "/v1/bdbs").json()] == ["recovery", "recovery"]
    return emulator


def defaults(emulator):
    options = {"url": emulator.node_url(1), "ca_path": emulator.tls["ca"]}
    options.update(emulator.info()["re_admin"])
    return {"group/redisops.platform.redis_enterprise": options}


def recover(ansible, emulator, check=False, verbosity=0, **options):
    play = ansible.run([{"name": "Recover the databases", MODULE: options, "ignore_errors": True}], check=check,
                       verbosity=verbosity, module_defaults=defaults(emulator))
    assert play.tasks, play.output
    return play, play.last


def requests(emulator, since, writes=False):
    return [(e["method"], e["path"]) for e in emulator.log.entries(since) if not writes or e["method"] != "GET"]


def entries(result):
    return [(d["uid"], d["name"], d["status_before"], d["plan_status"], d["changed"], d["status"]) for d in result["databases"]]


def secrets(emulator):
    listed = re_api(emulator, "GET", "/v1/bdbs").json()
    return [d[key] for d in listed for key in d if key.startswith("authentication_")]


def test_check_mode_then_recovery_then_a_rerun_with_one_request(ansible, recovered):
    seq = recovered.log.last_seq()
    play, result = recover(ansible, recovered, check=True)
    assert play.rc == 0 and not result.get("failed"), play.output
    assert entries(result) == [(1, "default-db", "recovery", "ready", True, "active"), (2, "orders", "recovery", "ready", True, "active")]
    assert len(result["databases"][1]["data_files"]) == 4 and result["changed"] is True
    assert requests(recovered, seq, writes=True) == []

    seq = recovered.log.last_seq()
    play, result = recover(ansible, recovered, verbosity=3)
    assert not result.get("failed"), play.output
    assert entries(result) == [(1, "default-db", "recovery", "ready", True, "active"), (2, "orders", "recovery", "ready", True, "active")]
    assert result["actions"] == ["recovered database 'default-db' (uid 1) with its data", "recovered database 'orders' (uid 2) with its data"]
    assert requests(recovered, seq, writes=True) == [("POST", "/v1/bdbs/1/actions/recover"), ("POST", "/v1/bdbs/2/actions/recover")]
    assert any(path.startswith("/v1/actions/sm-recover-bdb-") for _method, path in requests(recovered, seq))
    assert all(s["status"] == "active" for s in re_api(recovered, "GET", "/v1/shards").json())
    for secret in secrets(recovered):
        assert secret not in play.output

    seq = recovered.log.last_seq()
    play, result = recover(ansible, recovered)
    assert not result.get("failed") and result["changed"] is False and result["databases"] == [], play.output
    assert requests(recovered, seq) == [("GET", "/v1/bdbs")]


def test_missing_files_are_refused_before_any_write_then_recovered_without_data(ansible, recovered):
    assert control(recovered, "POST", "/re/databases/2", json={"files_lost": True}).status_code == 200
    seq = recovered.log.last_seq()
    play, result = recover(ansible, recovered, check=True)
    assert not result.get("failed"), play.output
    assert entries(result) == [(1, "default-db", "recovery", "ready", True, "active"),
                               (2, "orders", "recovery", "missing-files", False, "recovery")]
    assert any("orders" in warning for warning in result.get("warnings", []))

    play, result = recover(ansible, recovered)
    assert result["failed"] and result["changed"] is False
    assert result["msg"].startswith("Refusing to recover (nothing was changed): database 'orders' (uid 2): its recovery plan is "
                                    "missing-files; the files of shards 7, 8, 9, 10 are missing")
    assert "recover_without_data" in result["msg"]
    assert requests(recovered, seq, writes=True) == []

    play, result = recover(ansible, recovered, recover_without_data=True)
    assert not result.get("failed"), play.output
    assert entries(result) == [(1, "default-db", "recovery", "ready", True, "active"),
                               (2, "orders", "recovery", "missing-files", True, "active")]
    sent = [e["body"] for e in recovered.log.entries(seq) if e["method"] == "POST"]
    assert sent == [{}, {"recover_without_data": True}]  # only the database without its files goes without data


def test_a_busy_answer_is_read_again_and_waited_for(ansible, recovered):
    # Someone else's recovery of orders starts first: the task's POST meets 409 and follows it.
    answer = re_api(recovered, "POST", "/v1/bdbs/2/actions/recover", json={})
    assert answer.status_code == 200
    recovered.faults.add_http(server="node1", method="POST", path="/v1/bdbs/1/actions/recover", status=409, code="busy", times=1)
    play, result = recover(ansible, recovered, databases=["default-db", "2"])
    assert not result.get("failed"), play.output
    assert [(d["uid"], d["status"]) for d in result["databases"]] == [(1, "active"), (2, "active")]
    assert result["actions"][0].startswith("recovered database 'default-db' (uid 1) with its data")


def test_bad_options_are_refused_before_any_request(ansible, recovered):
    seq = recovered.log.last_seq()
    for options in ({"databases": []}, {"databases": ["orders"], "wait_timeout": 0}, {"recover_with_data": True}):
        play, result = recover(ansible, recovered, **options)
        assert result["failed"], options
    assert requests(recovered, seq) == []
    play, result = recover(ansible, recovered, databases=["nope"])
    assert result["failed"] and "nope match no database" in result["msg"]
    assert requests(recovered, seq, writes=True) == []


def test_the_recovery_role_in_check_mode_predicts_the_cluster_and_writes_nothing(ansible, emulator):
    emulator.seed_re_cluster()
    assert control(emulator, "POST", "/re/quorum-loss", json={}).status_code == 200
    seq = emulator.log.last_seq()
    nodes = [{"url": emulator.node_url(index), "uid": index} for index in (1, 2, 3)]
    role_vars = {"re_cluster_recovery_cluster_name": "cluster.re.test", "re_cluster_recovery_nodes": nodes,
                 "re_cluster_recovery_filename": RECOVERY_FILE}
    play = ansible.run([{"name": "Predict the recovery", "ansible.builtin.include_role": {"name": "redisops.platform.re_cluster_recovery"},
                         "vars": role_vars},
                        {"name": "Show the result", "ansible.builtin.debug": {"var": "re_cluster_recovery_result"}}],
                       check=True, module_defaults=defaults(emulator))
    assert play.rc == 0, play.output
    result = play.last["re_cluster_recovery_result"]
    predicted = [(n["uid"], n["action"], n["changed"]) for n in result["nodes"]]
    assert predicted == [(1, "recovered", True), (2, "joined", True), (3, "joined", True)]
    assert result["databases"] == [] and result["healthy"] is False
    assert requests(emulator, seq, writes=True) == [("POST", "/v1/bootstrap/validate/recover_cluster")]
