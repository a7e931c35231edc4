"""memstore_cluster and memstore_cluster_info through real ansible-playbook against the
emulator.

Every flow runs check mode -> apply -> check mode -> apply: the first check predicts the
change and writes nothing, the re-runs change nothing, send no write and read at most two
requests per cluster. Requests are counted from the emulator's log (IAM token requests
excluded).
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from emulator.memstore_clusters import seed_cluster
from emulator.memstore_instance_sets import seed_instance_set
from memstore_plays import api, assert_idempotent, calls, conn, writes

MODULE = "redisops.platform.memstore_cluster"
INFO = "redisops.platform.memstore_cluster_info"
PASSWORD = "EncRypted-Cluster-Passw0rd-Hash"  # what the docs call an encrypted password: any opaque string


# --- helpers ---------------------------------------------------------------------------------
def new_cluster(emulator, name, **overrides):
    """Options that create a Running cluster of two shards of two nodes."""
    args = dict(conn(emulator), name=name, version="7.2.6", port=6379, flavor_id="flavor-1", parameter_group_id="pg-1",
                shard_count=2, nodes_per_shard=2,
                subnet_assignments=[{"primary": "subnet-1", "replicas": ["subnet-2"]},
                                    {"primary": "subnet-2", "replicas": ["subnet-1"]}],
                security_groups=["sg-1"], wait_timeout=120)
    args.update(overrides)
    return args


def existing(emulator, name, **options):
    return dict(conn(emulator), name=name, wait_timeout=120, **options)


def task(name, args, **keywords):
    return dict({"name": name, MODULE: args}, **keywords)


def check_then_apply(name, args):
    """The same task in check mode, then for real."""
    return [task("%s (check)" % name, args, check_mode=True), task(name, args)]


def shard_path(cluster, shard_id=None):
    path = "/v1/clusters/%s/shards" % cluster["id"]
    return path if shard_id is None else "%s/%s" % (path, shard_id)


def all_running(view):
    return view["status"] == "Running" and all(
        shard["status"] == "Running" and all(node["status"] == "Running" for node in shard["nodes"]) for shard in view["shards"])


# --- create --------------------------------------------------------------------------------------------
def test_create_check_apply_then_rerun_changes_nothing(ansible, emulator):
    args = new_cluster(emulator, "orders", description="Order cache", tls_enabled=True,
                       user={"name": "app", "password": PASSWORD})
    play = ansible.run(check_then_apply("create", args), diff=True, verbosity=3)
    assert play.rc == 0, play.output
    predicted, created = play.results

    assert predicted["changed"] is True and predicted["actions"] == ["created"]
    assert predicted["diff"]["before"] == {}
    assert predicted["diff"]["after"]["shard_count"] == 2 and predicted["diff"]["after"]["nodes_per_shard"] == 2
    assert predicted["diff"]["after"]["shard_nodes"] == [2, 2]
    assert predicted["cluster"]["id"] is None and predicted["cluster"]["shard_count"] == 2
    assert created["changed"] is True and created["actions"] == ["created"] and created["duration"] > 0

    found = created["cluster"]
    assert all_running(found), found
    assert found["name"] == "orders" and found["cluster_mode"] == "enabled" and found["tls_enabled"] is True
    assert found["shard_count"] == 2 and found["nodes_per_shard"] == 2 and found["shard_nodes"] == [2, 2]
    assert [s["id"] for s in found["shards"]] == ["001", "002"]
    assert [s["name"] for s in found["shards"]] == ["orders-001", "orders-002"]
    assert [s["slots"] for s in found["shards"]] == ["0-8191", "8192-16383"]
    first = found["shards"][0]
    assert [n["name"] for n in first["nodes"]] == ["orders-001-001", "orders-001-002"]
    assert [(n["role"], n["subnet_id"]) for n in first["nodes"]] == [("primary", "subnet-1"), ("replica", "subnet-2")]
    assert first["primary_endpoint"] == first["nodes"][0]["endpoint"] and all(n["port"] == 6379 for n in first["nodes"])
    assert len(found["endpoints"]) == 4 and all(e.endswith(":6379") for e in found["endpoints"])
    assert created["diff"]["before"] == {} and created["diff"]["after"]["shard_nodes"] == [2, 2]

    posts = writes(emulator)
    assert calls(posts) == [("POST", "/v1/clusters")]  # nothing from check mode
    body = posts[0]["body"]
    assert body == {
        "name": "orders", "version": "7.2.6", "port": 6379, "shardCount": 2, "nodeCountPerShard": 2,
        "flavorId": "flavor-1", "parameterGroupId": "pg-1", "subnets": [{"id": "subnet-1"}, {"id": "subnet-2"}],
        "subnetAssignments": [{"primary": {"id": "subnet-1"}, "replicas": [{"id": "subnet-2"}]},
                              {"primary": {"id": "subnet-2"}, "replicas": [{"id": "subnet-1"}]}],
        "securityGroups": [{"id": "sg-1"}], "description": "Order cache",
        "user": {"name": "app", "password": "********"},  # the emulator's log redacts it
        "tlsEnabled": True,
    }

    # No secret anywhere at -vvv: user password, application credential secret, tokens.
    assert "ESTABLISH LOCAL CONNECTION" in play.output  # really -vvv
    for secret in [PASSWORD, emulator.info()["application_credential_secret"]] + list(emulator.memstore.tokens):
        assert secret not in play.output
    assert PASSWORD not in json.dumps(list(emulator.memstore.resources.values()), default=str)

    assert_idempotent(ansible, emulator, check_then_apply("create again", args))


def test_assignments_are_reused_round_robin_and_waits_cover_every_shard_and_node(ansible, emulator):
    emulator.clock.set_speed(50)  # the create takes 1.2 s: polled several times
    args = new_cluster(emulator, "rounds", shard_count=3, nodes_per_shard=3,
                       subnet_assignments=[{"primary": "subnet-1", "replicas": ["subnet-2", "subnet-3"]},
                                           {"primary": "subnet-2"}])
    play = ansible.run([task("create", args)])
    assert play.rc == 0, play.output
    body = writes(emulator)[0]["body"]
    assert body["subnetAssignments"] == [
        {"primary": {"id": "subnet-1"}, "replicas": [{"id": "subnet-2"}, {"id": "subnet-3"}]},
        {"primary": {"id": "subnet-2"}, "replicas": [{"id": "subnet-2"}, {"id": "subnet-2"}]},  # no replica subnet: the primary's
        {"primary": {"id": "subnet-1"}, "replicas": [{"id": "subnet-2"}, {"id": "subnet-3"}]},  # the first entry again
    ]
    assert body["subnets"] == [{"id": "subnet-1"}, {"id": "subnet-2"}, {"id": "subnet-3"}]
    found = play.last["cluster"]
    assert all_running(found) and found["shard_nodes"] == [3, 3, 3]
    assert [s["slots"] for s in found["shards"]] == ["0-5461", "5462-10922", "10923-16383"]
    cluster_id = found["id"]
    assert len([e for e in api(emulator) if e["path"] == "/v1/clusters/%s" % cluster_id]) >= 2  # polled until Running


def test_create_without_wait_then_the_next_run_waits_for_every_shard(ansible, emulator):
    emulator.clock.set_speed(20)  # the create takes 3 s: still Creating when the second task starts
    args = new_cluster(emulator, "nowait", shard_count=1, nodes_per_shard=1, subnet_assignments=[{"primary": "subnet-1"}])
    play = ansible.run([task("start", dict(args, wait=False)), task("settle", args)])
    assert play.rc == 0, play.output
    started, settled = play.results
    assert started["changed"] is True and started["cluster"]["status"] == "Creating"
    assert settled["changed"] is False and all_running(settled["cluster"])
    assert calls(writes(emulator)) == [("POST", "/v1/clusters")]


def test_lookup_by_id_reads_the_cluster_directly(ansible, emulator):
    cluster = seed_cluster(emulator, "byid-cluster", shards=2, nodes_per_shard=1)
    args = existing(emulator, "byid-cluster", id=cluster["id"], shard_count=2, nodes_per_shard=1)
    play = assert_idempotent(ansible, emulator, check_then_apply("by id", args))
    assert all(e["path"] != "/v1/clusters" for e in api(emulator))  # no list call with id
    assert play.last["cluster"]["id"] == cluster["id"]
    wrong = ansible.run([task("wrong name", existing(emulator, "other-name", id=cluster["id"]), ignore_errors=True)])
    assert "id %s belongs to cluster 'byid-cluster', not 'other-name'" % cluster["id"] in wrong.last["msg"]
    assert writes(emulator) == []


# --- update ---------------------------------------------------------------------------------------------------
def test_update_sends_one_patch_with_only_what_differs(ansible, emulator):
    cluster = seed_cluster(emulator, "upd-cluster", shards=1, nodes_per_shard=2, description="old text")
    both = existing(emulator, "upd-cluster", description="new text", parameter_group_id="pg-2")
    play = ansible.run(check_then_apply("update", both), diff=True)
    assert play.rc == 0, play.output
    predicted, updated = play.results
    assert predicted["changed"] and predicted["actions"] == ["updated description, parameter_group_id"]
    assert predicted["diff"]["before"]["description"] == "old text" and predicted["diff"]["after"]["description"] == "new text"
    assert predicted["cluster"]["parameter_group_id"] == "pg-2"
    assert updated["changed"] and updated["cluster"]["description"] == "new text" and updated["cluster"]["parameter_group_id"] == "pg-2"
    assert updated["diff"]["after"]["parameter_group_id"] == "pg-2"
    patches = writes(emulator)
    assert calls(patches) == [("PATCH", "/v1/clusters/%s" % cluster["id"])]
    assert patches[0]["body"] == {"description": "new text", "parameterGroupId": "pg-2"}
    assert_idempotent(ansible, emulator, check_then_apply("update again", both))

    since = emulator.log.last_seq()
    cleared = existing(emulator, "upd-cluster", description="", parameter_group_id="pg-2")
    play = ansible.run(check_then_apply("empty the description", cleared))
    assert [r["changed"] for r in play.results] == [True, True], play.output
    assert [e["body"] for e in writes(emulator, since)] == [{"description": ""}]
    assert cluster["description"] == ""


def test_a_busy_answer_is_waited_out_and_sent_again_once(ansible, emulator):
    cluster = seed_cluster(emulator, "busy-cluster", shards=1, nodes_per_shard=1)
    emulator.faults.add_http(server="memstore", method="PATCH", path="/v1/clusters/*", status=400, code="InvalidState",
                             message="cluster is in an invalid state for this request", times=1)
    play = ansible.run([task("update", existing(emulator, "busy-cluster", description="after busy"))])
    assert play.rc == 0, play.output
    assert [e["status"] for e in writes(emulator)] == [400, 200]
    assert cluster["description"] == "after busy"


# --- shards ------------------------------------------------------------------------------------------------------
def test_shards_up_one_post_each_then_down_highest_first_only_when_allowed(ansible, emulator):
    cluster = seed_cluster(emulator, "shard-cluster", shards=1, nodes_per_shard=2)
    up = existing(emulator, "shard-cluster", shard_count=3,
                  subnet_assignments=[{"primary": "subnet-1", "replicas": ["subnet-2"]}, {"primary": "subnet-3", "replicas": ["subnet-1"]}])
    play = ansible.run(check_then_apply("scale up", up), diff=True)
    assert [r["changed"] for r in play.results] == [True, True], play.output
    predicted, grown = play.results
    assert predicted["actions"] == ["added a shard with 2 node(s), primary in subnet subnet-3",
                                    "added a shard with 2 node(s), primary in subnet subnet-1"]
    assert predicted["diff"]["after"]["shard_count"] == 3 and predicted["diff"]["after"]["shard_nodes"] == [2, 2, 2]
    added = writes(emulator)
    assert calls(added) == [("POST", shard_path(cluster))] * 2
    assert [e["body"] for e in added] == [
        {"nodeCount": 2, "subnetAssignments": {"primary": {"id": "subnet-3"}, "replicas": [{"id": "subnet-1"}]}},
        {"nodeCount": 2, "subnetAssignments": {"primary": {"id": "subnet-1"}, "replicas": [{"id": "subnet-2"}]}},
    ]
    assert [e["status"] for e in added] == [201, 201]  # the second waited until the first was done
    found = grown["cluster"]
    assert all_running(found) and [s["id"] for s in found["shards"]] == ["001", "002", "003"]
    assert [s["slots"] for s in found["shards"]] == ["0-5461", "5462-10922", "10923-16383"]
    assert_idempotent(ansible, emulator, check_then_apply("scale up again", up))

    since = emulator.log.last_seq()
    refused = ansible.run([task("scale down without permission", existing(emulator, "shard-cluster", shard_count=1), ignore_errors=True)])
    assert refused.last["failed"] and "allow_shard_removal" in refused.last["msg"] and "shard_count" in refused.last["msg"]
    assert writes(emulator, since) == []

    down = existing(emulator, "shard-cluster", shard_count=1, allow_shard_removal=True)
    play = ansible.run(check_then_apply("scale down", down))
    assert [r["changed"] for r in play.results] == [True, True], play.output
    assert play.results[0]["actions"] == ["removed shard shard-cluster-003", "removed shard shard-cluster-002"]
    assert calls(writes(emulator, since)) == [("DELETE", shard_path(cluster, "003")), ("DELETE", shard_path(cluster, "002"))]
    shrunk = play.results[1]["cluster"]
    assert [s["id"] for s in shrunk["shards"]] == ["001"] and shrunk["shards"][0]["slots"] == "0-16383" and all_running(shrunk)
    assert_idempotent(ansible, emulator, check_then_apply("scale down again", down))


# --- replicas -------------------------------------------------------------------------------------------------------
def test_replicas_added_and_removed_in_every_shard_never_a_primary(ansible, emulator):
    cluster = seed_cluster(emulator, "rep-cluster", shards=2, nodes_per_shard=2)
    primaries = [shard["nodes"][0]["id"] for shard in cluster["_shards"]]
    up = existing(emulator, "rep-cluster", nodes_per_shard=4,
                  subnet_assignments=[{"primary": "subnet-1", "replicas": ["subnet-2", "subnet-3"]}])
    play = ansible.run(check_then_apply("replicas up", up))
    assert [r["changed"] for r in play.results] == [True, True], play.output
    added = writes(emulator)
    assert calls(added) == [("POST", shard_path(cluster, "001") + "/nodes")] * 2 + [("POST", shard_path(cluster, "002") + "/nodes")] * 2
    # Each shard has one replica: the next ones continue the rotation of its (round robin) assignment.
    assert [e["body"] for e in added] == [{"subnet": {"id": s}} for s in ("subnet-3", "subnet-2", "subnet-3", "subnet-2")]
    grown = play.results[1]["cluster"]
    assert grown["nodes_per_shard"] == 4 and grown["shard_nodes"] == [4, 4] and all_running(grown)
    assert_idempotent(ansible, emulator, check_then_apply("replicas up again", up))

    since = emulator.log.last_seq()
    newest = [shard["nodes"][-1]["id"] for shard in cluster["_shards"]]
    down = existing(emulator, "rep-cluster", nodes_per_shard=1)
    play = ansible.run(check_then_apply("replicas down", down))
    assert [r["changed"] for r in play.results] == [True, True], play.output
    removed = writes(emulator, since)
    assert [e["method"] for e in removed] == ["DELETE"] * 6
    removed_ids = [e["path"].rsplit("/", 1)[1] for e in removed]
    assert not set(primaries) & set(removed_ids)
    assert removed_ids[0] == newest[0] and removed_ids[3] == newest[1]  # the newest first, shard by shard
    shrunk = play.results[1]["cluster"]
    assert shrunk["shard_nodes"] == [1, 1] and [s["nodes"][0]["id"] for s in shrunk["shards"]] == primaries
    assert_idempotent(ansible, emulator, check_then_apply("replicas down again", down))


def test_a_failed_replica_goes_first(ansible, emulator):
    cluster = seed_cluster(emulator, "sick-cluster", shards=1, nodes_per_shard=3)
    broken = cluster["_shards"][0]["nodes"][1]
    broken["status"] = "Failed"
    play = ansible.run([task("drop one replica", existing(emulator, "sick-cluster", nodes_per_shard=2))])
    assert play.rc == 0, play.output
    assert calls(writes(emulator)) == [("DELETE", shard_path(cluster, "001") + "/nodes/" + broken["id"])]
    assert all_running(play.last["cluster"])


# --- delete ------------------------------------------------------------------------------------------------------------
def test_delete_waits_until_gone_and_deleting_nothing_writes_nothing(ansible, emulator):
    cluster = seed_cluster(emulator, "gone-cluster", shards=2, nodes_per_shard=1)
    gone = existing(emulator, "gone-cluster", state="absent")
    play = ansible.run(check_then_apply("delete", gone), diff=True)
    assert [r["changed"] for r in play.results] == [True, True], play.output
    assert play.results[0]["diff"]["before"]["name"] == "gone-cluster" and play.results[0]["diff"]["after"] == {}
    assert play.results[1]["cluster"] == {}
    assert calls(writes(emulator)) == [("DELETE", "/v1/clusters/%s" % cluster["id"])]
    assert emulator.memstore.resources == {}  # waited until gone

    since = emulator.log.last_seq()
    play = ansible.run(check_then_apply("delete again", gone) + [task("never existed", existing(emulator, "none-cluster", state="absent"))])
    assert [r["changed"] for r in play.results] == [False, False, False]
    assert calls(api(emulator, since)) == [("GET", "/v1/clusters")] * 3


# --- validation, refusals, immutable options ------------------------------------------------------------------------------
VALIDATION = [
    (dict(name="abc"), "name must be 4 to 20 characters long (got 3)"),
    (dict(name="Orders_1"), "name may contain only lowercase letters, digits and '-'"),
    (dict(name="1orders"), "name must start with a lowercase letter"),
    (dict(name="orders-"), "name must end with a lowercase letter or a digit"),
    (dict(name="ord--ers"), "name must not contain consecutive hyphens"),
    (dict(description="x" * 101), "description must be at most 100 characters (got 101)"),
    (dict(description="two\nlines"), "description must not contain line breaks"),
    (dict(description="rocket \U0001F680"), "description must not contain emoji (found U+1F680)"),
    (dict(port=1999), "port must be between 2000 and 50000 (got 1999)"),
    (dict(port=50001), "port must be between 2000 and 50000 (got 50001)"),
    (dict(version="5.0.6"), "version 5.0.6 is offered for cluster mode disabled only (instance sets), not for clusters"),
    (dict(shard_count=0), "shard_count must be between 1 and 12 (got 0)"),
    (dict(shard_count=13), "shard_count must be between 1 and 12 (got 13)"),
    (dict(nodes_per_shard=0), "nodes_per_shard must be between 1 and 6"),
    (dict(nodes_per_shard=7), "nodes_per_shard must be between 1 and 6: one primary and at most 5 replicas (got 7)"),
    (dict(shard_count=1), "subnet_assignments must hold at most one placement per shard: 2 given for shard_count 1"),
    (dict(subnet_assignments=[]), "subnet_assignments must hold at least one {primary, replicas} placement"),
    (dict(subnets=["subnet-1"]), "subnet_assignments may use only subnets listed in subnets: subnet-2 not in [subnet-1]"),
    (dict(parameter_group_id=""), "parameter_group_id must not be empty"),
    (dict(security_groups=[]), "security_groups must name at least one security group"),
    (dict(subnet_assignments=[{"replicas": ["subnet-1"]}]), "missing required arguments: primary found in subnet_assignments"),
]


def test_every_validation_rule_is_checked_before_any_request(ansible, emulator):
    tasks = [task("case %d" % index, dict(new_cluster(emulator, "valid-cluster"), **options), ignore_errors=True)
             for index, (options, _message) in enumerate(VALIDATION)]
    play = ansible.run(tasks)
    assert len(play.results) == len(VALIDATION), play.output
    for (options, message), result in zip(VALIDATION, play.results):
        assert result["failed"], (options, result)
        assert message in result["msg"], (options, result["msg"])
    assert emulator.log.entries() == []  # not even a token request


def test_rules_that_need_the_live_cluster_refuse_before_any_write(ansible, emulator):
    seed_instance_set(emulator, "a-set", nodes=1)
    seed_cluster(emulator, "live-rules", shards=1, nodes_per_shard=1, subnets=[{"id": "subnet-1"}])
    play = ansible.run([
        task("create without options", existing(emulator, "missing-one", shard_count=1), ignore_errors=True),
        task("an instance set's name", existing(emulator, "a-set", shard_count=1), ignore_errors=True),
        task("replica outside the subnets", existing(emulator, "live-rules", nodes_per_shard=2, subnet_assignments=[
            {"primary": "subnet-1", "replicas": ["subnet-9"]}]), ignore_errors=True),
        task("unknown id", existing(emulator, "live-rules", id="no-such-id"), ignore_errors=True),
    ])
    msgs = [r["msg"] for r in play.results]
    assert all(r["failed"] for r in play.results), play.output
    assert ("creating it needs version, port, flavor_id or flavor, parameter_group_id or parameter_group, nodes_per_shard, subnet_assignments, "
            "security_groups") in msgs[0]
    assert "is an instance set (cluster mode disabled), not a cluster" in msgs[1]
    assert "subnet-9 not among the subnets of cluster 'live-rules'" in msgs[2]
    assert "no cluster has id no-such-id" in msgs[3]
    assert writes(emulator) == []


def test_options_fixed_at_creation_fail_naming_each_one(ansible, emulator):
    seed_cluster(emulator, "fixed-cluster", shards=1, nodes_per_shard=1, user={"name": "app"})
    changed = existing(emulator, "fixed-cluster", version="6.2.16", port=6380, flavor_id="flavor-2", tls_enabled=True,
                       user={"name": "other", "password": PASSWORD}, subnets=["subnet-9"], security_groups=["sg-2"],
                       description="would change", shard_count=2)
    same_user = existing(emulator, "fixed-cluster", version="7.2.6", port=6379, user={"name": "app", "password": "new-" + PASSWORD})
    play = ansible.run([task("change fixed options", changed, ignore_errors=True), task("same user, new password", same_user)],
                       verbosity=3)
    refused, unchanged = play.results
    assert refused["failed"]
    for part in ("cluster 'fixed-cluster'", "version (live: 7.2.6, wanted: 6.2.16)", "port (live: 6379, wanted: 6380)",
                 "flavor_id (live: flavor-1, wanted: flavor-2)", "tls_enabled (live: false, wanted: true)",
                 "user (live: name=app, wanted: name=other)", "subnets (live: [subnet-1, subnet-2, subnet-3], wanted: [subnet-9])",
                 "security_groups (live: [sg-1], wanted: [sg-2])", "cannot change after creation"):
        assert part in refused["msg"], refused["msg"]
    assert unchanged["changed"] is False  # the password is write-only: never compared
    assert writes(emulator) == []
    assert PASSWORD not in play.output


# --- failures and faults ----------------------------------------------------------------------------------------------------
def test_a_create_whose_answer_is_lost_is_not_sent_twice(ansible, emulator):
    emulator.faults.add_http(server="memstore", method="POST", path="/v1/clusters", drop="after", times=1)
    args = new_cluster(emulator, "lost-cluster")
    play = ansible.run([task("create", args)])
    assert play.rc == 0, play.output
    assert play.last["changed"] and all_running(play.last["cluster"])
    assert play.last["actions"] == ["created (its answer was lost: found the cluster by name)"]
    assert [e["method"] for e in writes(emulator)] == ["POST"]  # never sent twice
    assert [r["name"] for r in emulator.memstore.resources.values()] == ["lost-cluster"]
    assert_idempotent(ansible, emulator, check_then_apply("create again", args))


def test_an_add_shard_whose_answer_is_lost_adds_one_shard(ansible, emulator):
    cluster = seed_cluster(emulator, "lost-shard", shards=1, nodes_per_shard=1)
    emulator.faults.add_http(server="memstore", method="POST", path="/v1/clusters/*/shards", drop="after", times=1)
    play = ansible.run([task("add a shard", existing(emulator, "lost-shard", shard_count=2))])
    assert play.rc == 0, play.output
    assert play.last["actions"] == ["added a shard with 1 node(s), primary in subnet subnet-1 (its answer was lost: found it done)"]
    assert calls(writes(emulator)) == [("POST", shard_path(cluster))]  # never sent twice
    assert [s["id"] for s in cluster["_shards"]] == ["001", "002"] and all_running(play.last["cluster"])


def test_a_failed_cluster_fails_the_task_naming_what_is_not_running(ansible, emulator):
    emulator.faults.add_operation("create", "failed", target="doomed")
    seed_cluster(emulator, "grow-fail", shards=1, nodes_per_shard=1)
    emulator.faults.add_operation("add_shard", "failed", target="grow-fail")
    emulator.faults.add_operation("create", "stuck", target="stuck-cluster")
    single = dict(shard_count=1, nodes_per_shard=1, subnet_assignments=[{"primary": "subnet-1"}])
    play = ansible.run([
        task("create fails", new_cluster(emulator, "doomed", **single), ignore_errors=True),
        task("add shard fails", existing(emulator, "grow-fail", shard_count=2), ignore_errors=True),
        task("create hangs", new_cluster(emulator, "stuck-cluster", wait_timeout=2, **single), ignore_errors=True),
    ])
    doomed, grow, stuck = play.results
    assert doomed["failed"] and grow["failed"] and stuck["failed"], play.output
    assert doomed["msg"].startswith("cluster 'doomed' failed while waiting for the cluster and every shard and node to be Running "
                                    "(after: created): status Failed; not Running: shard doomed-001 Failed, node doomed-001-001 (primary) Failed")
    assert doomed["msg"].endswith("done so far: created")
    assert doomed["cluster"]["status"] == "Failed" and doomed["actions"] == ["created"]
    assert "status Failed" in grow["msg"] and "shard grow-fail-002 Failed" in grow["msg"]
    assert grow["msg"].endswith("done so far: added a shard with 1 node(s), primary in subnet subnet-1")
    assert "timed out after 2s (wait_timeout) waiting for the cluster and every shard and node to be Running" in stuck["msg"]
    assert "last seen: status Creating" in stuck["msg"]


# --- info ----------------------------------------------------------------------------------------------------------------------
def test_info_reads_one_cluster_or_all_with_shards_and_never_a_password(ansible, emulator):
    created = ansible.run([task("create", new_cluster(emulator, "info-one", user={"name": "app", "password": PASSWORD}))])
    assert created.rc == 0, created.output
    seed_cluster(emulator, "info-two", shards=3, nodes_per_shard=1)
    seed_instance_set(emulator, "info-set", nodes=1)  # cluster mode disabled: never listed as a cluster
    one_id = created.last["cluster"]["id"]
    info = emulator.info()
    env = {"KAKAOCLOUD_MEMSTORE_URL": info["memstore_url"], "KAKAOCLOUD_IDENTITY_URL": info["identity_url"],
           "KAKAOCLOUD_APPLICATION_CREDENTIAL_ID": info["application_credential_id"],
           "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET": info["application_credential_secret"]}
    since = emulator.log.last_seq()
    play = ansible.run([
        {"name": "all", INFO: {}},
        {"name": "by name", INFO: {"name": "info-one"}},
        {"name": "by id", INFO: {"id": one_id}},
        {"name": "missing", INFO: {"name": "info-none"}},
    ], check=True, env=env, verbosity=3)
    assert play.rc == 0, play.output
    everything, by_name, by_id, missing = play.results
    assert sorted(c["name"] for c in everything["clusters"]) == ["info-one", "info-two"]
    assert [c["id"] for c in by_name["clusters"]] == [one_id] and by_id["clusters"] == by_name["clusters"]
    one = by_name["clusters"][0]
    assert one["shard_count"] == 2 and [s["slots"] for s in one["shards"]] == ["0-8191", "8192-16383"]
    node = one["shards"][0]["nodes"][0]
    assert node["role"] == "primary" and node["status"] == "Running" and node["endpoint"] and node["port"] == 6379
    assert missing["clusters"] == []
    assert all(r["changed"] is False for r in play.results)
    assert writes(emulator, since) == []
    # all: list + one shard list per cluster; by name and by id: two requests each; missing: the list.
    assert len(api(emulator, since)) == 3 + 2 + 2 + 1
    assert PASSWORD not in play.output and "password" not in json.dumps(play.results)


def test_info_without_shards_reads_only_the_list(ansible, emulator):
    seed_cluster(emulator, "info-two", shards=3, nodes_per_shard=1)
    play = ansible.run([{"name": "all, statuses only", INFO: dict(conn(emulator), read_shards=False)},
                        {"name": "one, statuses only", INFO: dict(conn(emulator), name="info-two", read_shards=False)}])
    assert play.rc == 0, play.output
    everything, one = play.results
    assert [(c["name"], c["status"], c["shard_count"], c["nodes_per_shard"]) for c in everything["clusters"]] == [
        ("info-two", "Running", 3, 1)]
    assert one["clusters"] == everything["clusters"]
    view = everything["clusters"][0]
    assert [view[key] for key in ("shards", "shard_nodes", "endpoints", "primary_endpoints")] == [None] * 4
    assert [e["path"] for e in api(emulator)] == ["/v1/clusters", "/v1/clusters"]  # the list, once per task


# --- the emulator's own rules (plain HTTP, no playbook) -----------------------------------------------------------------------------
@pytest.fixture
def memstore(emulator):
    """A requests session with a token on the emulated MemStore API."""
    info = emulator.info()
    body = {"auth": {"identity": {"methods": ["application_credential"], "application_credential": {
        "id": info["application_credential_id"], "secret": info["application_credential_secret"]}}}}
    token = requests.post(emulator.identity_url + "/auth/tokens", json=body, timeout=10).headers["X-Subject-Token"]
    session = requests.Session()
    session.headers["X-Auth-Token"] = token
    session.base = emulator.memstore_url
    return session


def call(session, method, path, **kwargs):
    response = session.request(method, session.base + path, timeout=10, **kwargs)
    return response.status_code, (response.json() if response.content else None)


def settle(emulator, seconds=300):
    """Let every running operation finish now."""
    with emulator.lock:
        emulator.clock.advance(seconds)
        emulator.scheduler.run_due()


CREATE = {"name": "emu-cluster", "version": "7.2.6", "port": 6379, "shardCount": 2, "nodeCountPerShard": 2, "flavorId": "f",
          "parameterGroupId": "pg", "subnets": [{"id": "s1"}, {"id": "s2"}],
          "subnetAssignments": [{"primary": {"id": "s1"}, "replicas": [{"id": "s2"}]},
                                {"primary": {"id": "s2"}, "replicas": [{"id": "s1"}]}],
          "securityGroups": [{"id": "sg"}], "user": {"name": "u", "password": "hash"}}


def test_emulator_create_rules(emulator, memstore):
    status, answer = call(memstore, "POST", "/v1/clusters", json=CREATE)
    assert status == 201 and answer["objectId"]
    assert call(memstore, "POST", "/v1/clusters", json=CREATE)[0] == 409
    cases = [
        (dict(CREATE, nodeCountPerShards=2), 400, "nodeCountPerShards is not a field"),
        (dict(CREATE, user={"name": "u", "password": "p", "role": "admin"}), 400, "user.role is not a field"),
        (dict(CREATE, subnetAssignments=[{"primary": {"id": "s1", "zone": "a"}, "replicas": []}] * 2), 400,
         "subnetAssignments[0].primary.zone is not a field"),
        (dict(CREATE, port="6379"), 400, "port is required and must be an integer"),
        (dict(CREATE, port=1999), 400, "port must be between 2000 and 50000"),
        (dict(CREATE, version="5.0.6"), 400, "offered with cluster mode disabled only"),
        (dict(CREATE, version="7.4.0"), 400, "'7.4.0' is not offered"),
        (dict(CREATE, shardCount=13), 400, "shardCount must be from 1 to 12"),
        (dict(CREATE, nodeCountPerShard=7), 400, "nodeCountPerShard must be from 1 to 6"),
        (dict(CREATE, name="emu--2"), 400, "name must be"),
        (dict(CREATE, description="\U0001F600"), 400, "emoji"),
        (dict(CREATE, shardCount=3), 422, "one placement per shard"),
        (dict(CREATE, nodeCountPerShard=3), 422, "must place every replica"),
        (dict(CREATE, subnets=[{"id": "s1"}]), 422, "only subnets listed in subnets"),
    ]
    for body, expected, message in cases:
        body = dict(body, name=body["name"] if body["name"] != "emu-cluster" else "emu-other")
        status, answer = call(memstore, "POST", "/v1/clusters", json=body)
        assert (status, message in answer["error"]["message"]) == (expected, True), (body, answer)
    stored = [r for r in emulator.memstore.resources.values() if r["name"] == "emu-cluster"][0]
    assert stored["user"] == {"name": "u"} and stored["status"] == "Creating"
    settle(emulator)
    status, listed = call(memstore, "GET", "/v1/clusters/%s/shards" % stored["id"])
    assert [s["id"] for s in listed["shards"]] == ["001", "002"] and listed["shards"][1]["nodes"][0]["name"] == "emu-cluster-002-001"
    assert all(s["status"] == "Running" for s in listed["shards"])


def test_emulator_write_rules(emulator, memstore):
    cluster = seed_cluster(emulator, "emu-writes", shards=1, nodes_per_shard=2)
    base = "/v1/clusters/%s" % cluster["id"]
    primary, replica = [n["id"] for n in cluster["_shards"][0]["nodes"]]
    assert call(memstore, "PATCH", base, json={"parameterGroupId": ""})[0] == 400
    status, answer = call(memstore, "PATCH", base, json={"securityGroups": [{"id": "sg"}]})
    assert status == 400 and "securityGroups is not a field" in answer["error"]["message"]
    status, answer = call(memstore, "DELETE", base + "/shards/001/nodes/" + primary)
    assert status == 400 and "primary nodes cannot be deleted" in answer["error"]["message"]
    assert call(memstore, "DELETE", base + "/shards/001")[0] == 400  # the last shard
    assert call(memstore, "DELETE", base + "/shards/009")[0] == 404
    assert call(memstore, "GET", "/v1/clusters/no-such/shards")[0] == 404
    assert call(memstore, "POST", base + "/shards/001/nodes", json={"subnet": {"id": "elsewhere"}})[0] == 400
    # Busy: every write is 400 InvalidState while an operation runs.
    assert call(memstore, "PATCH", base, json={"description": "x"})[0] == 200
    status, answer = call(memstore, "POST", base + "/shards/001/nodes", json={"subnet": {"id": "subnet-2"}})
    assert status == 400 and answer["error"]["code"] == "InvalidState"
    settle(emulator)
    assert cluster["description"] == "x" and cluster["status"] == "Running"
    # The add-shard body: one object (the example) or an array of one (the table).
    placement = {"primary": {"id": "subnet-1"}, "replicas": [{"id": "subnet-2"}]}
    assert call(memstore, "POST", base + "/shards", json={"nodeCount": 2, "subnetAssignments": placement})[0] == 201
    shards = call(memstore, "GET", base + "/shards")[1]["shards"]
    assert [s["status"] for s in shards] == ["Modifying", "Creating"] and emulator.memstore.resources[cluster["id"]]["status"] == "Scaling(horizontal)"
    settle(emulator)
    assert call(memstore, "POST", base + "/shards", json={"nodeCount": 2, "subnetAssignments": [placement]})[0] == 201
    settle(emulator)
    status, shard = call(memstore, "GET", base + "/shards/003")
    assert shard["slots"] == "10923-16383" and call(memstore, "GET", base + "/shards/003/nodes")[1]["nodes"][0]["role"] == "primary"
    assert call(memstore, "POST", base + "/shards", json={"nodeCount": 3, "subnetAssignments": placement})[0] == 422
    for _attempt in range(4):
        assert call(memstore, "POST", base + "/shards/001/nodes", json={"subnet": {"id": "subnet-3"}})[0] == 201
        settle(emulator)
    status, answer = call(memstore, "POST", base + "/shards/001/nodes", json={"subnet": {"id": "subnet-3"}})
    assert status == 400 and "at most 6 nodes" in answer["error"]["message"]
    assert call(memstore, "GET", base + "/shards/001/nodes/" + replica)[1]["role"] == "replica"
    assert call(memstore, "DELETE", base + "/shards/001/nodes/" + replica)[0] == 200
    settle(emulator)
    assert call(memstore, "GET", base + "/shards/001/nodes/" + replica)[0] == 404
    assert call(memstore, "GET", "/v1/clusters/%s" % cluster["id"])[1]["shardCount"] == 3
    assert call(memstore, "DELETE", base)[0] == 200
    settle(emulator)
    call(memstore, "GET", "/v1/clusters")
    assert emulator.memstore.resources == {}


# --- the example playbook -------------------------------------------------------------------------------------------------------------
def test_the_playbook_creates_scales_and_deletes_a_cluster(ansible, emulator):
    info = emulator.info()
    env = ansible.env({"KAKAOCLOUD_MEMSTORE_URL": info["memstore_url"], "KAKAOCLOUD_IDENTITY_URL": info["identity_url"],
                       "KAKAOCLOUD_APPLICATION_CREDENTIAL_ID": info["application_credential_id"],
                       "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET": info["application_credential_secret"],
                       "JSON_RESULTS_FILE": str(ansible.workdir / "playbook.json")})
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
               str(Path(__file__).resolve().parents[2] / "playbooks" / "memstore_cluster.yml")]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok=8    changed=5 " in proc.stdout, proc.stdout  # create, update, scale up, scale down, delete
    assert "demo-orders-003: slots 10923-16383, primary, replica, replica" in proc.stdout
    done = [(method, path.split("/")[4:]) for method, path in calls(writes(emulator))]
    assert done[:2] == [("POST", []), ("PATCH", [])]
    assert done[2:5] == [("POST", ["shards", "001", "nodes"]), ("POST", ["shards", "002", "nodes"]), ("POST", ["shards"])]
    assert [(method, path[:2]) for method, path in done[5:]] == [
        ("DELETE", ["shards", "003"]), ("DELETE", ["shards", "001"]), ("DELETE", ["shards", "002"]), ("DELETE", [])]
    assert emulator.memstore.resources == {}
