"""re_cluster through real ansible-playbook against the emulator's three nodes."""

import json

MODULE = "redisops.platform.re_cluster"
PASSWORD = "Cluster-Admin-Secret-9"
LICENSE = "----- LICENSE START -----\ncluster-license-Qm4Zt8\n----- LICENSE END -----"
ADMIN = "admin@re.test"
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def cluster(emulator, nodes=(1, 2, 3), name="cluster.re.test", **options):
    params = {"name": name, "nodes": [emulator.node_url(index) for index in nodes], "ca_path": emulator.tls["ca"],
              "username": ADMIN, "password": PASSWORD}
    params.update(options)
    return params


def task(name, options, **extra):
    return dict({"name": name, MODULE: options}, **extra)


def requests_since(emulator, seq, writes_only=False):
    return [e for e in emulator.log.entries(since=seq) if not writes_only or e["method"] in WRITES]


def posts(entries):
    return [(e["server"], e["path"]) for e in entries if e["method"] == "POST"]


def test_create_in_check_mode_then_for_real_then_nothing_changes(ansible, emulator):
    options = cluster(emulator, license=LICENSE)
    play = ansible.run([task("predict", options)], check=True, diff=True)
    assert play.rc == 0, play.output
    predicted = play.last
    assert predicted["changed"] is True
    assert [(n["state"], n["changed"], n["action"]) for n in predicted["nodes"]] == [
        ("completed", True, "created"), ("completed", True, "joined"), ("completed", True, "joined")]
    assert predicted["cluster_name"] == "cluster.re.test"
    assert predicted["diff"]["before"]["nodes"] == [{"url": emulator.node_url(i), "state": "idle"} for i in (1, 2, 3)]
    assert predicted["diff"]["after"]["nodes"] == [{"url": emulator.node_url(i), "state": "completed"} for i in (1, 2, 3)]
    # Only what changes nothing: the first node's validation (joins need the cluster to exist).
    assert posts(requests_since(emulator, 0)) == [("node1", "/v1/bootstrap/validate/create_cluster")]
    assert [n.bootstrap["state"] for n in emulator.re_nodes] == ["idle"] * 3

    seq = emulator.log.last_seq()
    play = ansible.run([task("create", options)], diff=True, verbosity=3)
    assert play.rc == 0, play.output
    created = play.last
    assert created["changed"] is True
    assert created["cluster_name"] == "cluster.re.test"
    assert created["nodes"] == [
        {"url": emulator.node_url(1), "uid": 1, "state": "completed", "changed": True, "action": "created"},
        {"url": emulator.node_url(2), "uid": 2, "state": "completed", "changed": True, "action": "joined"},
        {"url": emulator.node_url(3), "uid": 3, "state": "completed", "changed": True, "action": "joined"}]
    assert created["diff"]["after"]["nodes"] == predicted["diff"]["after"]["nodes"]
    sent = requests_since(emulator, seq, writes_only=True)
    # Each bootstrap validated just before it, one node at a time.
    assert posts(sent) == [("node1", "/v1/bootstrap/validate/create_cluster"), ("node1", "/v1/bootstrap/create_cluster"),
                           ("node2", "/v1/bootstrap/validate/join_cluster"), ("node2", "/v1/bootstrap/join_cluster"),
                           ("node3", "/v1/bootstrap/validate/join_cluster"), ("node3", "/v1/bootstrap/join_cluster")]
    assert sent[1]["body"]["cluster"] == {"name": "cluster.re.test", "nodes": []}
    assert sent[3]["body"]["cluster"] == {"nodes": ["127.0.0.2"]} and "license" not in sent[3]["body"]
    assert created["actions"][1] == "created cluster 'cluster.re.test' on %s" % emulator.node_url(1)
    assert [n.index for n in emulator.node(1).cluster.members(emulator)] == [1, 2, 3]
    for secret in (PASSWORD, "cluster-license-Qm4Zt8"):
        assert secret not in play.output and secret not in json.dumps(play.tasks)

    for check in (True, False):
        seq = emulator.log.last_seq()
        play = ansible.run([task("again", options)], check=check, diff=True)
        assert play.rc == 0, play.output
        again = play.last
        assert again["changed"] is False and again["actions"] == []
        assert [(n["uid"], n["changed"], n["action"]) for n in again["nodes"]] == [(1, False, "none"), (2, False, "none"), (3, False, "none")]
        assert again["diff"]["before"] == again["diff"]["after"]
        calls = requests_since(emulator, seq)
        assert [e for e in calls if e["method"] in WRITES] == []
        for server in ("node1", "node2", "node3"):
            assert [e["path"] for e in calls if e["server"] == server] == ["/v1/bootstrap", "/v1/cluster"]


def test_a_node_of_another_cluster_is_refused_before_any_write(ansible, emulator):
    emulator.seed_re_cluster(name="other.re.test", nodes=[3], username=ADMIN, password=PASSWORD)
    play = ansible.run([task("create", cluster(emulator), ignore_errors=True)])
    result = play.last
    assert result["failed"] and result["changed"] is False
    assert result["msg"].startswith("Refusing to bootstrap (nothing was changed): %s (cluster 'other.re.test') already completed "
                                    "bootstrapping into another cluster" % emulator.node_url(3))
    assert requests_since(emulator, 0, writes_only=True) == []

    # The cluster exists on nodes 1 and 2: node 3, in another cluster of the same name, is not one of its nodes.
    emulator.reset()
    emulator.seed_re_cluster(nodes=[1, 2], username=ADMIN, password=PASSWORD)
    emulator.seed_re_cluster(nodes=[3], username=ADMIN, password=PASSWORD)
    emulator.log.clear()
    play = ansible.run([task("same name", cluster(emulator), ignore_errors=True),
                        task("first node elsewhere", cluster(emulator, name="third.re.test"), ignore_errors=True)])
    same = play.task("same name")
    assert same["failed"] and "%s (cluster 'cluster.re.test') already completed bootstrapping into another cluster than the one on %s" % (
        emulator.node_url(3), emulator.node_url(1)) in same["msg"]
    elsewhere = play.task("first node elsewhere")
    assert elsewhere["failed"] and "the first node, %s, already belongs to cluster 'cluster.re.test', not 'third.re.test'" % (
        emulator.node_url(1)) in elsewhere["msg"]
    assert requests_since(emulator, 0, writes_only=True) == []


def test_a_node_of_a_cluster_that_rejects_the_credentials_is_refused_naming_it(ansible, emulator):
    emulator.seed_re_cluster(name="other.re.test", nodes=[2], username="someone@else.test", password="Other-Passw0rd-1")
    play = ansible.run([task("create", cluster(emulator), ignore_errors=True)])
    result = play.last
    assert result["failed"]
    assert result["msg"].startswith("Refusing to bootstrap (nothing was changed): the node at %s already belongs to a cluster "
                                    "that rejects user %r" % (emulator.node_url(2), ADMIN))
    assert requests_since(emulator, 0, writes_only=True) == []


def test_bad_options_and_a_url_given_twice_are_refused_before_any_request(ansible, emulator):
    url = emulator.node_url(2)
    with_password = url.replace("https://", "https://admin:%s@" % PASSWORD)
    cases = {
        "twice": (cluster(emulator, nodes=(1, 2), **{}), "nodes lists %s more than once" % url),
        "bad name": (cluster(emulator, name="bad_label.re.test"), "name must be a fully qualified domain name"),
        "no node": (cluster(emulator, nodes=()), "nodes must list at least one node"),
        "not a url": (dict(cluster(emulator), nodes=["127.0.0.2:9443"]), "nodes[0] has no scheme (https://)"),
        "password in url": (dict(cluster(emulator), nodes=[emulator.node_url(1), with_password]),
                            "nodes[1]: a node URL must not carry user:password@"),
        "unknown key": (dict(cluster(emulator), nodes=[{"url": url, "rack": "r1"}]), "nodes[0]: "),
        "bad uid": (dict(cluster(emulator), nodes=[{"url": url, "uid": "two"}]), "nodes[0]: "),
        "join url": (cluster(emulator, join_address="https://127.0.0.2:9443"), "join_address must be an address"),
        "recovery without uids": (cluster(emulator, recovery_filename="/var/opt/redislabs/persist/ccs/ccs-redis.rdb"),
                                  "nodes[1] needs its old uid"),
        "license on recovery": (cluster(emulator, nodes=(1,), recovery_filename="/tmp/ccs-redis.rdb", license=LICENSE),
                                "license applies only to action=create_cluster"),
        "no password": (dict(cluster(emulator), password=None), "username and password are required"),
    }
    cases["twice"][0]["nodes"].append({"url": url, "rack_id": "r2"})
    play = ansible.run([task(name, case[0], ignore_errors=True) for name, case in cases.items()], verbosity=3)
    for name, (_options, message) in cases.items():
        result = play.task(name)
        assert result["failed"], name
        assert message in result["msg"], (name, result["msg"])
    assert emulator.log.entries() == []
    assert PASSWORD not in play.output and "cluster-license-Qm4Zt8" not in play.output


def test_a_node_in_error_is_bootstrapped_again_with_a_warning(ansible, emulator):
    emulator.faults.add_operation("bootstrap", "error", target="node3",
                                  details={"error_code": "time_not_sync", "error_details": {"message": "clock skew 12 s"}})
    play = ansible.run([task("create", cluster(emulator), ignore_errors=True)])
    failed = play.last
    assert failed["failed"] and failed["changed"] is True
    assert failed["error_code"] == "time_not_sync"
    assert failed["msg"].startswith("join_cluster of the node at %s failed with error_code time_not_sync: the node's clock "
                                    "is not synchronized" % emulator.node_url(3))
    assert "clock skew 12 s" in failed["msg"] and "done so far: " in failed["msg"]
    assert [n["state"] for n in failed["nodes"]] == ["completed", "completed", "error"]

    seq = emulator.log.last_seq()
    play = ansible.run([task("again", cluster(emulator))])
    again = play.last
    assert again["changed"] is True
    assert [(n["changed"], n["action"]) for n in again["nodes"]] == [(False, "none"), (False, "none"), (True, "joined")]
    assert any("failed with error_code time_not_sync" in w and emulator.node_url(3) in w for w in again["warnings"])
    assert posts(requests_since(emulator, seq)) == [("node3", "/v1/bootstrap/validate/join_cluster"), ("node3", "/v1/bootstrap/join_cluster")]


def test_a_lost_answer_on_a_join_is_found_under_way_and_not_sent_twice(ansible, emulator):
    emulator.faults.add_http(server="node2", method="POST", path="/v1/bootstrap/join_cluster", drop="after")
    play = ansible.run([task("create", cluster(emulator))])
    result = play.last
    assert play.rc == 0, play.output
    assert [(n["state"], n["action"]) for n in result["nodes"]] == [("completed", "created"), ("completed", "joined"), ("completed", "joined")]
    assert "joined %s to the cluster (through 127.0.0.2) (its answer was lost: found it under way)" % emulator.node_url(2) in result["actions"]
    joins = [(e["server"], e["status"]) for e in requests_since(emulator, 0) if e["path"] == "/v1/bootstrap/join_cluster"]
    assert joins == [("node2", "dropped after 200"), ("node3", 200)]


def test_a_node_that_cannot_be_read_is_refused_naming_it(ansible, emulator):
    emulator.faults.add_http(server="node2", method="GET", path="/v1/bootstrap", status=503, times=-1)
    play = ansible.run([task("unreadable", cluster(emulator, wait_timeout=2), ignore_errors=True),
                        task("unreadable, check mode", cluster(emulator), ignore_errors=True, check_mode=True)])
    for result in play.results:
        assert result["failed"]
        assert result["msg"].startswith("Refusing to bootstrap (nothing was changed): the node at %s cannot be read" % emulator.node_url(2))
        assert "GET /v1/bootstrap returned HTTP 503" in result["msg"]
    assert requests_since(emulator, 0, writes_only=True) == []


def test_recover_on_the_first_node_and_join_the_others_with_their_uids(ansible, emulator):
    nodes = [{"url": emulator.node_url(1)}, {"url": emulator.node_url(2), "uid": 2}]
    options = dict(cluster(emulator, name="recovered.re.test", recovery_filename="/var/opt/redislabs/persist/ccs/ccs-redis.rdb"),
                   nodes=nodes)
    play = ansible.run([task("predict", options, check_mode=True), task("recover", options)])
    assert play.rc == 0, play.output
    assert [n["action"] for n in play.task("predict")["nodes"]] == ["recovered", "joined"]
    assert play.task("predict")["nodes"][1]["uid"] == 2
    recovered = play.task("recover")
    assert [(n["state"], n["action"]) for n in recovered["nodes"]] == [("completed", "recovered"), ("completed", "joined")]
    assert recovered["cluster_name"] == "recovered.re.test"
    sent = [e for e in requests_since(emulator, 0, writes_only=True) if e["path"].endswith("_cluster")]
    assert [e["path"] for e in sent] == ["/v1/bootstrap/validate/recover_cluster", "/v1/bootstrap/validate/recover_cluster",
                                         "/v1/bootstrap/recover_cluster", "/v1/bootstrap/validate/join_cluster",
                                         "/v1/bootstrap/join_cluster"]
    assert sent[2]["body"]["recovery_filename"] == "/var/opt/redislabs/persist/ccs/ccs-redis.rdb"
    assert sent[4]["body"]["node"]["identity"] == {"uid": 2}
