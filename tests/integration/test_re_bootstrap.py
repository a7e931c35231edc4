"""re_bootstrap through real ansible-playbook against the emulator's three nodes."""

import json
import subprocess
import sys
from pathlib import Path

from emulator import re_bootstrap as emulated_bootstrap

MODULE = "redisops.platform.re_bootstrap"
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Cr3ate-Admin-Secret"
LICENSE = "----- LICENSE START -----\nemulated-license-Xy9Q7\n----- LICENSE END -----"
ADMIN = "admin@re.test"


def node(emulator, index, **options):
    """Module options for node ``index``: connection, cluster admin credentials and ``options``."""
    params = {"url": emulator.node_url(index), "ca_path": emulator.tls["ca"], "username": ADMIN, "password": PASSWORD}
    params.update(options)
    return params


def create(emulator, index=1, name="cluster.re.test", **options):
    return node(emulator, index, **dict({"action": "create_cluster", "cluster_name": name}, **options))


def join(emulator, index, **options):
    return node(emulator, index, **dict({"action": "join_cluster", "cluster_nodes": ["127.0.0.2"]}, **options))


def task(name, options, **extra):
    return dict({"name": name, MODULE: options}, **extra)


def requests_since(emulator, seq, method=None):
    return [e for e in emulator.log.entries(since=seq) if method is None or e["method"] == method]


def test_create_join_then_everything_is_unchanged(ansible, emulator):
    tasks = [task("create", create(emulator, license=LICENSE)), task("join 2", join(emulator, 2)), task("join 3", join(emulator, 3))]

    play = ansible.run(tasks[:1], check=True, diff=True)
    assert play.rc == 0, play.output
    assert play.last["changed"] is True
    assert play.last["bootstrap_status"]["state"] == "idle"
    assert play.last["diff"]["after"]["cluster_name"] == "cluster.re.test"
    assert requests_since(emulator, 0, "POST") == []
    assert emulator.node(1).bootstrap["state"] == "idle"

    seq = emulator.log.last_seq()
    play = ansible.run(tasks, diff=True, verbosity=3)
    assert play.rc == 0, play.output
    assert [t["status"] for t in play.tasks] == ["changed"] * 3
    assert [r["bootstrap_status"]["state"] for r in play.results] == ["completed"] * 3
    assert [r["local_node_info"]["uid"] for r in play.results] == ["1", "2", "3"]
    assert [r["cluster_name"] for r in play.results] == ["cluster.re.test"] * 3
    assert play.results[0]["diff"] == {"before": {"state": "idle"},
                                       "after": {"state": "completed", "action": "create_cluster", "cluster_name": "cluster.re.test"}}
    posts = requests_since(emulator, seq, "POST")
    assert [(p["server"], p["path"]) for p in posts] == [("node1", "/v1/bootstrap/create_cluster"),
                                                         ("node2", "/v1/bootstrap/join_cluster"),
                                                         ("node3", "/v1/bootstrap/join_cluster")]
    assert posts[0]["body"]["cluster"] == {"name": "cluster.re.test", "nodes": []}
    assert posts[0]["body"]["credentials"]["username"] == ADMIN
    assert posts[1]["body"]["cluster"] == {"nodes": ["127.0.0.2"]}
    assert "license" not in posts[1]["body"]
    cluster = emulator.node(1).cluster
    assert cluster.name == "cluster.re.test" and cluster.users[ADMIN]["role"] == "admin"
    assert [n.index for n in cluster.members(emulator)] == [1, 2, 3]
    # Reads switched to Basic auth once the node had joined.
    assert requests_since(emulator, seq)[-1]["user"] == ADMIN
    for secret in (PASSWORD, "emulated-license-Xy9Q7"):
        assert secret not in play.output and secret not in json.dumps(play.tasks)

    for check in (True, False):
        seq = emulator.log.last_seq()
        play = ansible.run(tasks, check=check)
        assert play.rc == 0, play.output
        assert [t["status"] for t in play.tasks] == ["ok"] * 3
        calls = requests_since(emulator, seq)
        # Each node: its bootstrap state and its cluster's name (the result's cluster_name), read once.
        assert [e["path"] for e in calls] == ["/v1/bootstrap", "/v1/cluster"] * 3
        assert [r["cluster_name"] for r in play.results] == ["cluster.re.test"] * 3

    seq = emulator.log.last_seq()
    play = ansible.run([task("other name", create(emulator, 2, name="other.re.test"), ignore_errors=True),
                        task("join named", join(emulator, 3, cluster_name="other.re.test"), ignore_errors=True)])
    for result in play.results:
        assert result["failed"]
        assert "already belongs to cluster 'cluster.re.test', not 'other.re.test'" in result["msg"]
    assert requests_since(emulator, seq, "POST") == []


def test_join_errors_are_explained_and_a_failed_node_is_bootstrapped_again(ansible, emulator):
    emulator.seed_re_cluster(nodes=[1], password=PASSWORD)
    repair = {"error_code": "repair_required",
              "error_details": {"failed_nodes": [{"uid": 4, "rack_id": "zone-b"}], "replace_candidate": 4}}
    emulator.faults.add_operation("bootstrap", "error", target="node3", details=repair)
    emulator.faults.add_operation("bootstrap", "error", target="node3",
                                  details={"error_code": "time_not_sync", "error_details": {"message": "clock skew 12 s"}})
    wrong = "Wr0ng-Join-Secret"
    play = ansible.run([
        task("wrong password", join(emulator, 2, password=wrong), ignore_errors=True),
        task("degraded cluster", join(emulator, 3), ignore_errors=True),
        task("clock skew", join(emulator, 3), ignore_errors=True),
        task("join 3", join(emulator, 3)),
        task("join 2", join(emulator, 2)),
    ], verbosity=3)
    assert play.rc == 0, play.output
    denied = play.task("wrong password")
    assert denied["failed"] and denied["error_code"] == "access_denied"
    assert "must be those of an admin user of the cluster" in denied["msg"]
    assert denied["bootstrap_status"]["state"] == "error"

    degraded = play.task("degraded cluster")
    assert degraded["error_code"] == "repair_required"
    assert "replace candidate: node 4" in degraded["msg"] and "node 4 (rack zone-b)" in degraded["msg"]
    assert degraded["error_details"]["replace_candidate"] == 4

    skew = play.task("clock skew")
    assert skew["error_code"] == "time_not_sync"
    assert "clock is not synchronized" in skew["msg"] and "clock skew 12 s" in skew["msg"]
    assert any("repair_required" in w for w in skew["warnings"])  # bootstrapped again after the error

    for name, previous in (("join 3", "time_not_sync"), ("join 2", "access_denied")):
        result = play.task(name)
        assert result["changed"] and result["bootstrap_status"]["state"] == "completed"
        assert any(previous in w for w in result["warnings"])
    assert wrong not in play.output and PASSWORD not in play.output


def test_validate_only_never_changes_anything(ansible, emulator):
    emulator.seed_re_cluster(nodes=[1], password=PASSWORD)
    play = ansible.run([
        task("valid join", join(emulator, 2, validate_only=True)),
        task("invalid join", join(emulator, 2, validate_only=True, password="Wr0ng-Secret"), ignore_errors=True),
        task("bad license", create(emulator, 3, license="not-a-license", validate_only=True), ignore_errors=True),
        task("completed node", create(emulator, 1, validate_only=True)),
    ], check=True)
    assert play.rc == 0, play.output
    valid = play.task("valid join")
    assert valid["changed"] is False and not valid["failed"]
    invalid = play.task("invalid join")
    assert invalid["failed"] and invalid["error_code"] == "access_denied"
    assert invalid["msg"].startswith("Validation of join_cluster on %s failed with error_code access_denied" % emulator.node_url(2))
    assert invalid["bootstrap_status"]["state"] == "error"
    assert play.task("bad license")["error_code"] == "invalid_license"
    assert play.task("completed node")["changed"] is False
    posts = [(e["server"], e["path"], e["status"]) for e in requests_since(emulator, 0, "POST")]
    assert posts == [("node2", "/v1/bootstrap/validate/join_cluster", 200), ("node2", "/v1/bootstrap/validate/join_cluster", 406),
                     ("node3", "/v1/bootstrap/validate/create_cluster", 406)]
    assert [emulator.node(i).bootstrap["state"] for i in (2, 3)] == ["idle", "idle"]


def test_a_bootstrap_started_elsewhere_is_waited_for(ansible, emulator):
    body = {"action": "create_cluster", "cluster": {"name": "cluster.re.test"},
            "credentials": {"username": ADMIN, "password": PASSWORD}}
    # Another client posts between the module's read (idle) and its POST, which gets 409.
    emulated_bootstrap.race(emulator.node(1), body)
    emulated_bootstrap.race(emulator.node(3), dict(body, cluster={"name": "other.re.test"}))
    # The answer to this POST is lost after the node accepted it: the module must not post again.
    emulator.faults.add_http(server="node2", method="POST", path="/v1/bootstrap/*", drop="after")
    play = ansible.run([
        task("race", create(emulator, 1)),
        task("lost answer", create(emulator, 2)),
        task("race other name", create(emulator, 3), ignore_errors=True),
    ])
    race = play.task("race")
    assert race["changed"] is False and race["bootstrap_status"]["state"] == "completed"
    lost = play.task("lost answer")
    assert lost["changed"] is True and lost["bootstrap_status"]["state"] == "completed"
    other = play.task("race other name")
    assert other["failed"] and "already belongs to cluster 'other.re.test', not 'cluster.re.test'" in other["msg"]
    posts = [(e["server"], e["status"]) for e in requests_since(emulator, 0, "POST")]
    assert posts == [("node1", 409), ("node2", "dropped after 200"), ("node3", 409)]
    assert emulator.node(1).cluster.name == "cluster.re.test"


def test_running_bootstrap_wait_false_recover_and_timeout(ansible, emulator):
    emulator.faults.add_operation("bootstrap", "stuck", target="node1", details={"seconds": 400})  # a slow create
    emulator.faults.add_operation("bootstrap", "stuck", target="node3")  # never ends
    recover = node(emulator, 2, action="recover_cluster", recovery_filename="/var/opt/redislabs/persist/ccs/ccs-redis.rdb")
    play = ansible.run([
        task("start", create(emulator, 1, wait=False)),
        task("wait for it", create(emulator, 1)),
        task("recover", recover),
        task("recovered", dict(recover, cluster_name="recovered.re.test")),
        task("stuck", create(emulator, 3, wait_timeout=2), ignore_errors=True),
    ], diff=True)
    started = play.task("start")
    assert started["changed"] is True and started["bootstrap_status"]["state"] in ("initiated", "creating_cluster")
    waited = play.task("wait for it")
    assert waited["changed"] is False and waited["bootstrap_status"]["state"] == "completed"
    assert waited["diff"] == {"before": {"state": "completed"}, "after": {"state": "completed"}}
    assert [e["server"] for e in requests_since(emulator, 0, "POST")].count("node1") == 1
    assert play.task("recover")["changed"] is True and emulator.node(2).cluster.name == "recovered.re.test"
    assert play.task("recovered")["changed"] is False
    stuck = play.task("stuck")
    assert stuck["failed"] and stuck["bootstrap_status"]["state"] == "creating_cluster"
    assert stuck["msg"].startswith("timed out after 2s (wait_timeout) waiting for create_cluster of the node at %s" % emulator.node_url(3))
    assert "duration" in stuck


def test_a_node_whose_api_is_not_up_yet_is_waited_for(ansible, emulator):
    # Down for longer than the HTTP client's own retries last: only the module's wait gets past it.
    emulator.node_down(1, 12)
    emulator.faults.add_http(server="node2", method="GET", path="/v1/bootstrap", status=503, times=-1)
    play = ansible.run([
        task("waits", create(emulator, 1)),
        task("gives up", create(emulator, 2, wait_timeout=2), ignore_errors=True),
    ])
    waits = play.task("waits")
    assert waits["changed"] is True and waits["bootstrap_status"]["state"] == "completed"
    gives_up = play.task("gives up")
    assert gives_up["failed"]
    assert gives_up["msg"].startswith("timed out after 2s (wait_timeout) waiting for the node's REST API to answer "
                                      "(no successful read; last error: GET /v1/bootstrap returned HTTP 503")
    assert [e["server"] for e in requests_since(emulator, 0, "POST")] == ["node1"]


def test_bad_input_is_rejected_before_any_request(ansible, emulator):
    cases = {
        "long name": (create(emulator, name="a" * 30 + "." + "b" * 30 + ".re.test"), "at most 64 characters"),
        "bad label": (create(emulator, name="bad_label.re.test"), "RFC 1123 labels"),
        "hyphen label": (create(emulator, name="-x.re.test"), "RFC 1123 labels"),
        "join without nodes": (node(emulator, 2, action="join_cluster"), "action is join_cluster but all of the following are missing: cluster_nodes"),
        "join with no nodes": (join(emulator, 2, cluster_nodes=[]), "cluster_nodes must list at least one address"),
        "join with a url": (join(emulator, 2, cluster_nodes=["https://127.0.0.2:9443"]), "not URLs"),
        "username": (create(emulator, username="<admin>&co"), "username must not contain any of the characters & < > \" (found & < >)"),
        "license on join": (join(emulator, 2, license=LICENSE), "license applies only to action=create_cluster, not to action=join_cluster"),
        "extra credentials": (create(emulator, extra_config={"credentials": {"username": "x"}}), "extra_config must not set credentials"),
        "no password": (dict(create(emulator), password=None), "username and password are required"),
        "recover without file": (node(emulator, 1, action="recover_cluster", recovery_filename=" "), "recovery_filename must name"),
    }
    play = ansible.run([task(name, case[0], ignore_errors=True) for name, case in cases.items()], verbosity=3)
    for name, (_options, message) in cases.items():
        result = play.task(name)
        assert result["failed"], name
        assert message in result["msg"], (name, result["msg"])
    assert emulator.log.entries() == []
    assert "emulated-license-Xy9Q7" not in play.output and PASSWORD not in play.output


def run_playbook(ansible, emulator):
    env = ansible.env({
        "REDIS_ENTERPRISE_CA_PATH": emulator.tls["ca"],
        "REDIS_ENTERPRISE_USERNAME": ADMIN,
        "REDIS_ENTERPRISE_PASSWORD": PASSWORD,
    })
    extra_vars = json.dumps({"re_node_urls": [emulator.node_url(i) for i in (1, 2, 3)]})
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
               str(ROOT / "playbooks" / "re_cluster_bootstrap.yml"), "-e", extra_vars]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, check=False)


def test_example_playbook_builds_the_cluster_then_changes_nothing(ansible, emulator):
    first = run_playbook(ansible, emulator)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "changed=1" in first.stdout  # the role's one re_cluster task
    # The create, then each join (one node at a time).
    assert [(e["server"], e["path"]) for e in requests_since(emulator, 0, "POST") if "/validate/" not in e["path"]] == [
        ("node1", "/v1/bootstrap/create_cluster"), ("node2", "/v1/bootstrap/join_cluster"), ("node3", "/v1/bootstrap/join_cluster")]
    assert [n.cluster.name for n in emulator.re_nodes] == ["cluster.re.test"] * 3
    second = run_playbook(ansible, emulator)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "changed=0" in second.stdout and "failed=0" in second.stdout
