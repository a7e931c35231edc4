"""What the one resource runner guarantees every state-changing module, through real
ansible-playbook against the emulator: a write whose answer is lost is looked for before
anything is sent again, every wait of a task shares one ``wait_timeout``, the diff tells
the truth when nothing was done, and check mode returns the prediction."""

import pytest
import requests

from emulator.memstore_instance_sets import seed_instance_set

NODE_ACTION = "redisops.platform.re_node_action"
INSTANCE_SET = "redisops.platform.memstore_instance_set"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def cluster(emulator):
    emulator.seed_re_cluster()
    return emulator


def re_defaults(emulator):
    options = {"url": emulator.node_url(1), "ca_path": emulator.tls["ca"]}
    options.update(emulator.info()["re_admin"])
    return {"group/redisops.platform.redis_enterprise": options}


def node_action(name, **options):
    return {"name": name, NODE_ACTION: options, "ignore_errors": True}


def writes(emulator, since=0):
    """Write requests after ``since`` (IAM token requests, which change nothing, excluded)."""
    return [(e["method"], e["path"]) for e in emulator.log.entries(since)
            if e["method"] in WRITE_METHODS and not e["path"].startswith("/identity")]


def start_stuck_action(emulator, uid, name):
    """An action started by another tool that runs forever (until cancelled)."""
    emulator.faults.add_operation(name, "stuck", target="node%d" % uid)
    admin = emulator.info()["re_admin"]
    answer = requests.post(emulator.node_url(1) + "/v1/nodes/%d/actions/%s" % (uid, name), json={},
                           auth=(admin["username"], admin["password"]), verify=emulator.tls["ca"], timeout=10)
    assert answer.status_code == 200, answer.text


def test_a_lost_action_post_is_adopted_and_waited_for_with_one_post(ansible, cluster):
    path = "/v1/nodes/2/actions/maintenance_on"
    # The server starts the action, then the connection drops before the answer.
    cluster.faults.add_http(server="node1", method="POST", path=path, drop="after")
    play = ansible.run([node_action("Enter maintenance", node_uid=2, action="maintenance_on")],
                       module_defaults=re_defaults(cluster))
    result = play.last
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is True
    assert result["action"]["adopted"] is True and result["action"]["status"] == "completed"
    assert result["actions"] == ["started maintenance_on on node 2 (its answer was lost: found it under way)"]
    assert result["node_status"]["has_maintenance_snapshot"] is True
    assert writes(cluster) == [("POST", path)]
    assert len(cluster.node(2).maintenance_snapshots) == 1  # never stacked


def test_a_post_whose_connection_closed_unanswered_is_read_again_then_sent_again(ansible, cluster):
    path = "/v1/nodes/2/actions/maintenance_on"
    # The server closes the connection without answering, before it starts the action (as chaos seed 29 did to a bootstrap).
    cluster.faults.add_http(server="node1", method="POST", path=path, drop="before")
    play = ansible.run([node_action("Enter maintenance", node_uid=2, action="maintenance_on")],
                       module_defaults=re_defaults(cluster))
    result = play.last
    assert not result.get("failed"), result["msg"]
    assert result["actions"] == ["started maintenance_on on node 2 (its connection was closed without an answer and a read "
                                 "found it not done: sent again)"]
    assert [entry["status"] for entry in action_posts(cluster, path)] == ["dropped", 200]
    # A read of the node's actions came between the two POSTs: it is what keeps an action from stacking.
    between = [e["method"] for e in cluster.log.entries(action_posts(cluster, path)[0]["seq"]) if e["path"].startswith("/v1/nodes/2")]
    assert between.index("POST") > 0
    assert len(cluster.node(2).maintenance_snapshots) == 1


def action_posts(emulator, path):
    return [entry for entry in emulator.log.entries() if entry["method"] == "POST" and entry["path"] == path]


def test_an_explicit_503_on_an_action_post_is_read_again_then_sent_once_more(ansible, cluster):
    path = "/v1/nodes/2/actions/maintenance_on"
    # The API's own 503 (its error body): the action was not taken.
    cluster.faults.add_http(server="node1", method="POST", path=path, status=503, code="overloaded", message="the cluster manager is busy")
    play = ansible.run([node_action("Enter maintenance", node_uid=2, action="maintenance_on")], module_defaults=re_defaults(cluster))
    result = play.last
    assert not result.get("failed"), result["msg"]
    assert result["changed"] is True and result["action"]["status"] == "completed" and result["action"]["adopted"] is False
    assert result["actions"] == ["started maintenance_on on node 2 (answered HTTP 503, not taken: sent again after a read found it not done)"]
    assert [entry["status"] for entry in action_posts(cluster, path)] == [503, 200]
    # The read between the two POSTs is what keeps a second maintenance from stacking on a first.
    between = [e["method"] for e in cluster.log.entries(action_posts(cluster, path)[0]["seq"]) if e["path"].startswith("/v1/nodes/2")]
    assert between.index("POST") > 0
    assert len(cluster.node(2).maintenance_snapshots) == 1


def test_a_retry_after_on_an_action_post_is_waited_before_it_is_sent_again(ansible, cluster):
    path = "/v1/nodes/2/actions/maintenance_on"
    cluster.faults.add_http(server="node1", method="POST", path=path, status=503, retry_after=2, body="busy", content_type="text/plain")
    play = ansible.run([node_action("Enter maintenance", node_uid=2, action="maintenance_on")], module_defaults=re_defaults(cluster))
    assert not play.last.get("failed"), play.last["msg"]
    first, second = action_posts(cluster, path)
    assert (first["status"], second["status"]) == (503, 200) and second["time"] - first["time"] >= 2
    assert len(cluster.node(2).maintenance_snapshots) == 1


@pytest.mark.parametrize("status", [502, 504])
def test_a_proxy_error_on_an_action_post_is_read_again_and_not_sent_twice(ansible, cluster, status):
    path = "/v1/nodes/2/actions/maintenance_on"
    # A proxy's page says nothing of whether the API took the action.
    cluster.faults.add_http(server="node1", method="POST", path=path, status=status, content_type="text/html",
                            body="<html><body><h1>%d Bad Gateway</h1></body></html>" % status)
    play = ansible.run([node_action("Enter maintenance", node_uid=2, action="maintenance_on")], module_defaults=re_defaults(cluster))
    result = play.last
    assert result["failed"] is True and "read again: not done, so it was not sent again" in result["msg"]
    assert [entry["status"] for entry in action_posts(cluster, path)] == [status]
    assert cluster.node(2).maintenance_snapshots == []


def test_cancelling_then_waiting_stays_within_one_wait_timeout(ansible, cluster):
    # Slow the emulated clock: a cancellation (1 emulated second) takes 2.5 real seconds.
    start_stuck_action(cluster, 2, "maintenance_on")
    cluster.clock.set_speed(0.4)
    try:
        play = ansible.run([node_action("Cancel", node_uid=2, action="maintenance_on", state="absent", wait_timeout=1)],
                           module_defaults=re_defaults(cluster))
        cancel = play.last
        # Found cancelling: waiting for the cancellation, then for a new action, shares one deadline.
        play = ansible.run([node_action("Enter", node_uid=2, action="maintenance_on", wait_timeout=3)],
                           module_defaults=re_defaults(cluster))
        enter = play.last
    finally:
        cluster.clock.set_speed(100)
    assert cancel["failed"] and cancel["changed"] is True
    assert cancel["msg"].startswith("timed out after 1s (wait_timeout) waiting for the cancellation of maintenance_on on node 2")
    assert cancel["msg"].endswith("done so far: cancelled maintenance_on on node 2")
    assert 1 <= cancel["duration"] < 2.5  # before the cancellation could end
    assert enter["failed"] and enter["msg"].startswith("timed out after 3s (wait_timeout) waiting for maintenance_on on node 2")
    assert "done so far: started maintenance_on on node 2" in enter["msg"]
    assert 3 <= enter["duration"] < 4.5  # one deadline, not one per wait


def test_removing_a_node_already_gone_shows_removed_before_and_after(ansible, cluster):
    play = ansible.run([node_action("Remove node 3", node_uid=3, action="remove"),
                        node_action("Remove node 3 again", node_uid=3, action="remove")],
                       diff=True, module_defaults=re_defaults(cluster))
    removed, again = play.results
    assert removed["changed"] is True and removed["diff"]["after"]["removed"] is True
    assert again["changed"] is False
    assert again["diff"]["before"]["removed"] is True and again["diff"]["after"]["removed"] is True
    assert again["node_status"]["removed"] is True


def test_an_update_in_check_mode_returns_the_predicted_set(ansible, emulator):
    seed_instance_set(emulator, "cache-chk", nodes=2, description="old text")
    info = emulator.info()
    args = {"api_url": emulator.memstore_url, "identity_url": emulator.identity_url,
            "application_credential_id": info["application_credential_id"],
            "application_credential_secret": info["application_credential_secret"],
            "name": "cache-chk", "description": "new text", "parameter_group_id": "pg-2"}
    since = emulator.log.last_seq()
    play = ansible.run([{"name": "Predict the update", INSTANCE_SET: args, "check_mode": True}])
    predicted = play.last
    assert predicted["changed"] is True
    assert predicted["instance_set"]["description"] == "new text"
    assert predicted["instance_set"]["parameter_group_id"] == "pg-2"
    assert writes(emulator, since) == []
