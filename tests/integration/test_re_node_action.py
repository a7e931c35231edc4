"""re_node_action and re_node_action_info through real ansible-playbook against
the emulator, on a seeded cluster (nodes 1..3, uids 1..3, node 1 master)."""

import contextlib
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

MODULE = "redisops.platform.re_node_action"
INFO = "redisops.platform.re_node_action_info"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "re_node_maintenance.yml"


@pytest.fixture
def cluster(emulator):
    emulator.seed_re_cluster()
    return emulator


def connection_defaults(emulator, user="re_admin", node=1):
    options = {"url": emulator.node_url(node), "ca_path": emulator.tls["ca"]}
    options.update(emulator.info()[user])
    return {"group/redisops.platform.redis_enterprise": options}


def task(name, check_mode=False, ignore_errors=False, **options):
    entry = {"name": name, MODULE: options}
    if check_mode:
        entry["check_mode"] = True
    if ignore_errors:
        entry["ignore_errors"] = True
    return entry


def info_task(name, **options):
    return {"name": name, INFO: options}


def admin_call(emulator, method, path, **kwargs):
    """A request straight to node 1's API as the admin, as another tool would send it."""
    admin = emulator.info()["re_admin"]
    return requests.request(method, emulator.node_url(1) + path, auth=(admin["username"], admin["password"]),
                            verify=emulator.tls["ca"], timeout=10, **kwargs)


def writes(entries):
    return [entry for entry in entries if entry["method"] in WRITE_METHODS]


@contextlib.contextmanager
def paused_clock(emulator):
    """Stop the emulated clock; ``resume_when_sent(method, path)`` starts it again
    once that request has been answered.

    An action started by the test then is still queued when the module first
    looks at it, however long ansible-playbook takes to start.
    """
    speed = emulator.clock.speed
    emulator.clock.set_speed(0)
    done = threading.Event()
    watchers = []

    def resume_when_sent(method, path):
        since = emulator.log.last_seq()

        def watch():
            while not done.is_set():
                if any(e["method"] == method and e["path"] == path and e["status"] is not None for e in emulator.log.entries(since)):
                    break
                done.wait(0.01)
            emulator.clock.set_speed(speed)

        watchers.append(threading.Thread(target=watch, daemon=True))
        watchers[-1].start()

    try:
        yield resume_when_sent
    finally:
        done.set()
        for watcher in watchers:
            watcher.join()
        emulator.clock.set_speed(speed)


def test_maintenance_on_then_off_check_apply_and_rerun(ansible, cluster):
    defaults = connection_defaults(cluster)
    node = cluster.node(2)
    play = ansible.run([
        task("Predict entering maintenance", check_mode=True, node_uid=2, action="maintenance_on"),
        task("Enter maintenance", node_uid=2, action="maintenance_on"),
    ], diff=True, module_defaults=defaults)
    assert play.rc == 0, play.output
    predict, enter = play.results
    assert predict["changed"] is True
    assert predict["action"]["status"] is None and predict["action"]["adopted"] is False
    assert predict["diff"]["before"]["has_maintenance_snapshot"] is False
    assert predict["diff"]["after"]["has_maintenance_snapshot"] is True
    assert enter["changed"] is True
    assert enter["action"]["status"] == "completed" and enter["action"]["progress"] == 100
    assert enter["action"]["adopted"] is False and enter["action"]["task_id"]
    assert enter["node_status"]["has_maintenance_snapshot"] is True
    assert enter["node_status"]["maintenance_snapshot"]["name"].startswith("maintenance_mode_")
    assert enter["diff"]["after"]["has_maintenance_snapshot"] is True
    assert enter["duration"] > 0
    posts = writes(cluster.log.entries())
    assert [(e["method"], e["path"]) for e in posts] == [("POST", "/v1/nodes/2/actions/maintenance_on")]
    assert (posts[0]["content_type"], posts[0]["body"]) == ("application/json", {})  # no option set: an empty object
    assert len(node.maintenance_snapshots) == 1
    assert node.shards == 0 and sum(n.shards for n in cluster.re_nodes) == 6

    seq = cluster.log.last_seq()
    play = ansible.run([
        task("Enter maintenance again, check mode", check_mode=True, node_uid=2, action="maintenance_on"),
        task("Enter maintenance again", node_uid=2, action="maintenance_on"),
        task("Predict leaving maintenance", check_mode=True, node_uid=2, action="maintenance_off"),
    ], module_defaults=defaults)
    assert play.rc == 0, play.output
    assert [r["changed"] for r in play.results] == [False, False, True]
    assert play.results[1]["action"] == {} and play.results[1]["node_status"]["has_maintenance_snapshot"] is True
    entries = cluster.log.entries(seq)
    assert not writes(entries)
    # per task the cluster's name and the node's status, read at once (in either order); the prediction also reads the action
    paths = [e["path"] for e in entries]
    assert [sorted(paths[index:index + 2]) for index in (0, 2, 4)] == [["/v1/cluster", "/v1/nodes/2/status"]] * 3
    assert paths[6:] == ["/v1/nodes/2/actions/maintenance_off"]
    assert [r["cluster_name"] for r in play.results] == ["cluster.re.test"] * 3
    assert len(node.maintenance_snapshots) == 1  # the server's stack counter

    seq = cluster.log.last_seq()
    play = ansible.run([
        task("Leave maintenance", node_uid=2, action="maintenance_off"),
        task("Leave maintenance again, check mode", check_mode=True, node_uid=2, action="maintenance_off"),
        task("Leave maintenance again", node_uid=2, action="maintenance_off"),
    ], module_defaults=defaults)
    assert play.rc == 0, play.output
    leave = play.results[0]
    assert [r["changed"] for r in play.results] == [True, False, False]
    assert leave["action"]["status"] == "completed"
    assert leave["node_status"]["has_maintenance_snapshot"] is False
    entries = cluster.log.entries(seq)
    assert [(e["method"], e["path"]) for e in writes(entries)] == [("POST", "/v1/nodes/2/actions/maintenance_off")]
    paths = [e["path"] for e in entries[-4:]]
    assert [sorted(paths[:2]), sorted(paths[2:])] == [["/v1/cluster", "/v1/nodes/2/status"]] * 2
    assert node.maintenance_snapshots == [] and node.shards == 2


def test_removing_a_node_the_cluster_never_had_is_no_change_with_a_warning(ansible, cluster):
    play = ansible.run([
        task("Predict removing node 42", check_mode=True, node_uid=42, action="remove"),
        task("Remove node 42 (a typo for 2)", node_uid=42, action="remove"),
    ], diff=True, module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    for result in play.results:
        assert (result["changed"], result["actions"], result["action"]) == (False, [], {})
        assert result["node_status"]["removed"] is True and result["node_status"]["uid"] == "42"
        assert result["warnings"] == ["node 42 is not a member of the cluster (GET /v1/nodes/42 answered 404): it was either already "
                                      "removed or never a member; nothing was sent. Check node_uid if you expected node 42 in the cluster"]
    assert not writes(cluster.log.entries())
    assert not any(node.removed for node in cluster.re_nodes)


def test_maintenance_on_sends_only_the_options_set(ansible, cluster):
    play = ansible.run([task("Enter maintenance keeping replicas", node_uid=3, action="maintenance_on",
                             evict_ha_replica=False, evict_active_active_replica=False, evict_dbs=["1", "3"])],
                       module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    post = writes(cluster.log.entries())[0]
    assert post["content_type"] == "application/json"
    assert post["body"] == {"evict_ha_replica": False, "evict_active_active_replica": False, "evict_dbs": ["1", "3"]}
    assert cluster.node(3).shards == 2  # the replicas stayed


def test_remove_a_node_then_rerun(ansible, cluster):
    play = ansible.run([
        task("Predict removing node 3", check_mode=True, node_uid=3, action="remove"),
        task("Remove node 3", node_uid=3, action="remove"),
        task("Remove node 3 again", node_uid=3, action="remove"),
    ], diff=True, module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    predict, remove, again = play.results
    assert predict["changed"] is True and predict["diff"]["after"]["removed"] is True
    assert remove["changed"] is True and remove["action"]["status"] == "completed"
    assert remove["node_status"]["removed"] is True
    assert again["changed"] is False and again["action"] == {} and again["node_status"]["removed"] is True
    # Absent is what remove makes true, but a uid never in the cluster reads the same: the re-run says both.
    assert "warnings" not in remove
    assert again["warnings"] == ["node 3 is not a member of the cluster (GET /v1/nodes/3 answered 404): it was either already removed "
                                 "or never a member; nothing was sent. Check node_uid if you expected node 3 in the cluster"]
    entries = cluster.log.entries()
    posts = writes(entries)
    assert [(e["path"], e["content_type"], e["body"]) for e in posts] == [("/v1/nodes/3/actions/remove", "application/json", {})]
    # the re-run: the cluster's name (node 1 answers for the cluster) and the node, gone, read at once
    assert sorted((e["path"], e["status"]) for e in entries[-2:]) == [("/v1/cluster", 200), ("/v1/nodes/3", 404)]
    assert again["cluster_name"] == "cluster.re.test"
    assert cluster.node(3).removed
    assert [n.shards for n in cluster.re_nodes] == [3, 3, 0]


def test_enslave_node_and_a_refused_removal(ansible, emulator):
    emulator.seed_re_cluster(nodes=[1, 2])
    play = ansible.run([
        task("Make node 1 a replica", node_uid=1, action="enslave_node"),
        task("Make node 1 a replica again", node_uid=1, action="enslave_node"),
        task("Remove node 2 of two", ignore_errors=True, node_uid=2, action="remove"),
    ], module_defaults=connection_defaults(emulator))
    enslave, again, remove = play.results
    assert enslave["changed"] is True and enslave["node_status"]["role"] == "slave"
    assert again["changed"] is False
    assert (emulator.node(1).role, emulator.node(2).role) == ("slave", "master")
    assert remove["failed"] is True
    assert remove["error_code"] == "insufficient_resources"
    assert "remove on node 2 failed: status failed" in remove["msg"] and "insufficient_resources" in remove["msg"]
    assert not emulator.node(2).removed
    assert len([e for e in writes(emulator.log.entries()) if e["path"] == "/v1/nodes/1/actions/enslave_node"]) == 1


def test_adopts_an_action_seen_running_before_posting(ansible, cluster):
    with paused_clock(cluster) as resume_when_sent:
        started = admin_call(cluster, "POST", "/v1/nodes/2/actions/maintenance_on", json={})
        assert started.status_code == 200, started.text
        seq = cluster.log.last_seq()
        resume_when_sent("GET", "/v1/nodes/2/actions/maintenance_on")
        play = ansible.run([task("Enter maintenance", node_uid=2, action="maintenance_on")], module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    result = play.last
    assert result["changed"] is False
    assert result["action"]["adopted"] is True and result["action"]["status"] == "completed"
    assert result["action"]["task_id"] == started.json()["task_id"]
    assert result["node_status"]["has_maintenance_snapshot"] is True
    assert not writes(cluster.log.entries(seq))
    assert len(cluster.node(2).maintenance_snapshots) == 1


def test_adopts_the_action_a_409_names(ansible, cluster):
    with paused_clock(cluster) as resume_when_sent:
        started = admin_call(cluster, "POST", "/v1/nodes/3/actions/maintenance_on", json={})
        assert started.status_code == 200, started.text
        seq = cluster.log.last_seq()
        # The module's look before posting misses the action, so its POST meets the 409.
        cluster.faults.add_http(server="node1", method="GET", path="/v1/nodes/3/actions/maintenance_on", status=404,
                                code="action_not_found", message="no such action")
        resume_when_sent("POST", "/v1/nodes/3/actions/maintenance_on")
        play = ansible.run([task("Enter maintenance", node_uid=3, action="maintenance_on")], module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    result = play.last
    assert result["changed"] is False and result["action"]["adopted"] is True
    assert result["action"]["status"] == "completed"
    assert [(e["method"], e["status"]) for e in writes(cluster.log.entries(seq))] == [("POST", 409)]
    assert len(cluster.node(3).maintenance_snapshots) == 1


def test_cancel_a_running_action_and_when_nothing_runs(ansible, cluster):
    cluster.faults.add_operation("remove", "stuck", target="node3")
    assert admin_call(cluster, "POST", "/v1/nodes/3/actions/remove", json={}).status_code == 200
    seq = cluster.log.last_seq()
    play = ansible.run([
        task("Predict cancelling", check_mode=True, node_uid=3, action="remove", state="absent"),
        task("Cancel the removal", node_uid=3, action="remove", state="absent"),
        task("Cancel the removal again", node_uid=3, action="remove", state="absent"),
        task("Cancel when nothing runs", node_uid=2, action="maintenance_off", state="absent"),
    ], diff=True, module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    predict, cancel, again, nothing = play.results
    assert predict["changed"] is True and predict["diff"]["after"] == {"status": "cancelled"}
    assert predict["diff"]["before"]["status"] in ("queued", "starting", "running")
    assert cancel["changed"] is True and cancel["action"]["status"] == "cancelled"
    assert cancel["node_status"]["removed"] is False
    assert again["changed"] is False and again["action"]["status"] == "cancelled"
    assert nothing["changed"] is False and nothing["action"] == {}
    assert [(e["method"], e["path"]) for e in writes(cluster.log.entries(seq))] == [("DELETE", "/v1/nodes/3/actions/remove")]
    assert not cluster.node(3).removed


def test_failed_aborted_and_stuck_actions_fail_clearly(ansible, cluster):
    cluster.faults.add_operation("maintenance_on", "failed", target="node2",
                                 details={"error_code": "migration_failed", "error_message": "shard 7 could not be migrated"})
    cluster.faults.add_operation("remove", "aborted", target="node3", details={"error_code": "aborted"})
    cluster.faults.add_operation("enslave_node", "stuck", target="node1")
    play = ansible.run([
        task("Enter maintenance", ignore_errors=True, node_uid=2, action="maintenance_on"),
        task("Remove node 3", ignore_errors=True, node_uid=3, action="remove"),
        task("Make node 1 a replica", ignore_errors=True, node_uid=1, action="enslave_node", wait_timeout=2),
    ], module_defaults=connection_defaults(cluster))
    failed, aborted, stuck = play.results
    assert failed["failed"] is True
    assert failed["error_code"] == "migration_failed" and failed["error_message"] == "shard 7 could not be migrated"
    assert failed["msg"] == ("maintenance_on on node 2 failed: status failed, progress 40%, "
                             "error_code migration_failed: shard 7 could not be migrated; "
                             "done so far: started maintenance_on on node 2")
    assert failed["changed"] is True and failed["actions"] == ["started maintenance_on on node 2"]
    assert failed["action"]["status"] == "failed" and failed["action"]["progress"] == 40
    assert aborted["failed"] is True and aborted["error_code"] == "aborted"
    assert "remove on node 3 failed: status aborted, progress 40%" in aborted["msg"]
    assert stuck["failed"] is True
    assert "timed out after 2s (wait_timeout) waiting for enslave_node on node 1" in stuck["msg"]
    assert "status running, progress 50%" in stuck["msg"]
    assert stuck["action"]["status"] == "running" and stuck["duration"] >= 2
    assert cluster.node(2).maintenance_snapshots == [] and not cluster.node(3).removed


def test_read_only_user_and_misplaced_option(ansible, cluster):
    viewer = cluster.info()["re_viewer"]
    play = ansible.run([
        task("Enter maintenance as a viewer", ignore_errors=True, node_uid=2, action="maintenance_on", **viewer),
        task("Enter maintenance with a maintenance_off option", ignore_errors=True, node_uid=2, action="maintenance_on",
             snapshot_name="maintenance_mode_old"),
        task("Remove with a maintenance_on option", ignore_errors=True, node_uid=3, action="remove", overwrite_snapshot=True),
    ], module_defaults=connection_defaults(cluster), verbosity=3)
    forbidden, misplaced, misplaced_remove = play.results
    assert forbidden["failed"] is True
    assert "maintenance_on on node 2 needs a user with the admin role" in forbidden["msg"]
    assert "POST /v1/nodes/2/actions/maintenance_on returned HTTP 403" in forbidden["msg"]
    assert forbidden["api_error"]["status"] == 403
    assert viewer["password"] not in play.output
    assert misplaced["failed"] is True
    assert misplaced["msg"] == "option snapshot_name does not apply to action maintenance_on (it belongs to maintenance_off)"
    assert "option overwrite_snapshot does not apply to action remove" in misplaced_remove["msg"]
    entries = cluster.log.entries()
    assert [(e["method"], e["user"], e["status"]) for e in entries] == [
        ("GET", viewer["username"], 200), ("GET", viewer["username"], 200), ("GET", viewer["username"], 404),
        ("POST", viewer["username"], 403)]  # the cluster's name, the node, its action, the refused POST


def test_info_in_its_three_forms(ansible, cluster):
    assert admin_call(cluster, "POST", "/v1/nodes/3/actions/enslave_node", json={}).status_code == 200
    admin = cluster.info()["re_admin"]
    play = ansible.run([
        task("Start maintenance without waiting", node_uid=2, action="maintenance_on", wait=False, **admin),
        info_task("Every action"),
        info_task("Actions of node 2", node_uid=2),
        info_task("Maintenance of node 2", node_uid=2, action="maintenance_on"),
        info_task("Removal of node 2", node_uid=2, action="remove"),
        info_task("Actions of an unknown node", node_uid=9),
    ], module_defaults=connection_defaults(cluster, user="re_viewer"))  # reading needs no admin
    assert play.rc == 0, play.output
    start, every, node2, one, none, unknown = play.results
    assert start["changed"] is True and start["action"]["status"] == "queued" and start["action"]["task_id"]
    assert start["node_status"]["has_maintenance_snapshot"] is False
    assert sorted((a["name"], a["node_uid"]) for a in every["actions"]) == [("enslave_node", "3"), ("maintenance_on", "2")]
    assert all(isinstance(a["progress"], int) for a in every["actions"])  # the server sends strings
    assert [a["name"] for a in node2["actions"]] == ["maintenance_on"]
    assert [(a["name"], a["node_uid"], a["task_id"]) for a in one["actions"]] == [
        ("maintenance_on", "2", start["action"]["task_id"])]
    assert none["actions"] == [] and unknown["actions"] == []
    assert all(r["changed"] is False for r in play.results[1:])
    assert len(writes(cluster.log.entries())) == 2  # the test's POST and the module's


def test_info_reads_the_documented_shapes(ansible, cluster):
    cluster.re_doc_shapes = True  # numbers for progress, as the documents show
    assert admin_call(cluster, "POST", "/v1/nodes/1/actions/enslave_node", json={}).status_code == 200
    play = ansible.run([info_task("Every action"), {"name": "Bad", INFO: {"action": "remove"}, "ignore_errors": True}],
                       module_defaults=connection_defaults(cluster))
    every, bad = play.results
    assert [(a["name"], a["node_uid"], type(a["progress"]).__name__) for a in every["actions"]] == [("enslave_node", "1", "int")]
    assert bad["failed"] is True and "node_uid" in bad["msg"] and "action" in bad["msg"]


def test_example_playbook(ansible, cluster):
    admin = cluster.info()["re_admin"]
    env = ansible.env({
        "REDIS_ENTERPRISE_CA_PATH": cluster.tls["ca"],
        "REDIS_ENTERPRISE_USERNAME": admin["username"],
        "REDIS_ENTERPRISE_PASSWORD": admin["password"],
    })
    urls = "[%s]" % ",".join('"%s"' % cluster.node_url(i) for i in (1, 2, 3))
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                           str(PLAYBOOK), "-e", '{"re_node_urls": %s}' % urls],
                          capture_output=True, text=True, timeout=600, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert cluster.node(2).maintenance_snapshots == []
    paths = [(e["method"], e["path"]) for e in writes(cluster.log.entries())]
    assert paths == [("POST", "/v1/nodes/2/actions/maintenance_on"), ("POST", "/v1/nodes/2/actions/maintenance_off")]
