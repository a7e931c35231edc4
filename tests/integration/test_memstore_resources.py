"""memstore_resources (many instance sets and clusters in one task) and the create protocol
every MemStore resource shares, through real ansible-playbook against the emulator."""

from emulator.memstore_clusters import seed_cluster
from emulator.memstore_instance_sets import seed_instance_set
from memstore_plays import api, calls, conn, writes

MODULE = "redisops.platform.memstore_resources"
PASSWORD = "Batch-EncRypted-Passw0rd"


def new_set(name, **overrides):
    item = dict(name=name, version="7.2.7", port=6379, flavor_id="flavor-1", parameter_group_id="pg-1", node_count=1,
                subnet_assignment={"primary": "subnet-1"}, security_groups=["sg-1"])
    item.update(overrides)
    return item


def new_cluster(name, **overrides):
    item = dict(name=name, version="7.2.6", port=6379, flavor_id="flavor-1", parameter_group_id="pg-1", shard_count=1,
                nodes_per_shard=1, subnet_assignments=[{"primary": "subnet-1"}], security_groups=["sg-1"])
    item.update(overrides)
    return item


def batch(emulator, instance_sets=(), clusters=(), **options):
    return dict(conn(emulator), instance_sets=list(instance_sets), clusters=list(clusters), wait_timeout=300, **options)


def task(name, args, **keywords):
    return dict({"name": name, MODULE: args}, **keywords)


def every_request(emulator, since=0):
    """Every request after ``since``, IAM token requests included."""
    return emulator.log.entries(since)


def test_check_create_rerun_one_token_and_one_list_per_poll(ansible, emulator):
    args = batch(emulator, [new_set("batch-a", user={"name": "app", "password": PASSWORD}), new_set("batch-b", node_count=2,
                 subnet_assignment={"primary": "subnet-1", "replicas": ["subnet-2"]})], [new_cluster("batch-c")])
    predicting = ansible.run([task("predict", args, check_mode=True)], diff=True)
    assert predicting.rc == 0 and writes(emulator) == [], predicting.output
    predicted = predicting.results[0]
    since = emulator.log.last_seq()
    play = ansible.run([task("create", args)], diff=True, verbosity=3)
    assert play.rc == 0, play.output
    created = play.results[0]
    assert predicted["changed"] is True and [r["actions"] for r in predicted["resources"]] == [["created"]] * 3
    assert [r["kind"] for r in predicted["resources"]] == ["instance_set", "instance_set", "cluster"]
    assert len(predicted["diff"]) == 3 and predicted["diff"][0]["before"] == {}

    assert created["changed"] is True
    assert [(r["name"], r["status"], r["failed"], r["actions"]) for r in created["resources"]] == [
        ("batch-a", "Running", False, ["created"]), ("batch-b", "Running", False, ["created"]), ("batch-c", "Running", False, ["created"])]
    assert len(created["resources"][1]["endpoints"]) == 2 and created["resources"][1]["instance_set"]["node_count"] == 2
    assert created["resources"][2]["cluster"]["shard_count"] == 1 and created["resources"][2]["endpoints"]
    assert PASSWORD not in play.output

    entries = every_request(emulator, since)
    assert [e["path"] for e in entries].count("/identity/v3/auth/tokens") == 1  # one token for the whole batch
    # While waiting, one list per poll: the creates are never followed by per-resource detail reads.
    details = [e for e in entries if e["method"] == "GET" and e["path"].startswith("/v1/clusters/")
               and not e["path"].endswith("/shards")]
    assert details == [], calls(details)
    assert [c for c in calls(writes(emulator)) if c[0] == "POST"] == [
        ("POST", "/v1/instance-sets"), ("POST", "/v1/instance-sets"), ("POST", "/v1/clusters")]

    since = emulator.log.last_seq()
    rerun = ansible.run([task("re-run", args)])
    assert rerun.rc == 0 and rerun.results[0]["changed"] is False, rerun.output
    assert writes(emulator, since) == []
    assert len(every_request(emulator, since)) <= 2 * 3, calls(every_request(emulator, since))


def test_every_item_is_checked_before_any_request(ansible, emulator):
    cases = [
        batch(emulator, [new_set("twice-a"), new_set("twice-a")]),
        batch(emulator, [new_set("both-kinds")], [new_cluster("both-kinds")]),
        batch(emulator, [new_set("ok-set"), new_set("x")]),
        batch(emulator, [new_set("ok-set", colour="blue")]),
        batch(emulator, [], [new_cluster("old-cluster", version="5.0.6")]),
        batch(emulator, [new_set("secret-one", node_count="many", user={"name": "app", "password": PASSWORD})]),
    ]
    play = ansible.run([task("case %d" % index, args, ignore_errors=True) for index, args in enumerate(cases)], verbosity=3)
    msgs = [result["msg"] for result in play.results]
    assert all(result["failed"] for result in play.results), play.output
    assert "name 'twice-a' is given twice (instance_sets[0] and instance_sets[1])" in msgs[0]
    assert "name 'both-kinds' is given twice (instance_sets[0] and clusters[0])" in msgs[1]
    assert "instance_sets[1] (name 'x'): name must be 4 to 20 characters long" in msgs[2]
    assert "instance_sets[0] (name 'ok-set'): unsupported option colour" in msgs[3] and "options of memstore_instance_set" in msgs[3]
    assert "clusters[0] (name 'old-cluster'): version 5.0.6 is offered for cluster mode disabled only" in msgs[4]
    assert "instance_sets[0] (name 'secret-one'): " in msgs[5] and "node_count" in msgs[5]
    assert PASSWORD not in play.output
    assert every_request(emulator) == []


def test_a_failing_resource_is_reported_after_the_others_converge(ansible, emulator):
    emulator.faults.add_operation("create", "failed", target="batch-doomed")
    args = batch(emulator, [new_set("batch-fine"), new_set("batch-doomed"), new_set("batch-fine-2")])
    play = ansible.run([task("create", args, ignore_errors=True)])
    result = play.results[0]
    assert result["failed"] and result["changed"] is True, play.output
    assert result["msg"].startswith("1 of 3 resources failed: instance set 'batch-doomed'")
    fine, doomed, fine_2 = result["resources"]
    assert (fine["failed"], fine["status"], fine["actions"]) == (False, "Running", ["created"])
    assert (fine_2["failed"], fine_2["status"]) == (False, "Running")
    assert doomed["failed"] is True and doomed["status"] == "Failed" and "Failed" in doomed["msg"] and doomed["actions"] == ["created"]


def test_one_resource_whose_own_read_fails_fails_alone(ansible, emulator):
    # An instance set item named like a live cluster: its own read says so; the others are created and waited for.
    seed_cluster(emulator, "batch-taken", shards=1, nodes_per_shard=1)
    args = batch(emulator, [new_set("batch-one"), new_set("batch-taken"), new_set("batch-two")])
    play = ansible.run([task("create", args, ignore_errors=True)])
    result = play.results[0]
    assert result["failed"] and result["changed"] is True, play.output
    assert result["msg"].startswith("1 of 3 resources failed: instance set 'batch-taken'"), result["msg"]
    one, taken, two = result["resources"]
    assert (one["failed"], one["status"], one["actions"]) == (False, "Running", ["created"])
    assert (two["failed"], two["status"], two["actions"]) == (False, "Running", ["created"])
    assert taken["failed"] is True and "is a cluster with cluster mode enabled" in taken["msg"] and taken["actions"] == []


def test_a_batch_changes_live_resources_and_creates_new_ones_together(ansible, emulator):
    seed_instance_set(emulator, "batch-live", nodes=1, subnets=[{"id": "subnet-1"}, {"id": "subnet-2"}])
    args = batch(emulator, [new_set("batch-live", node_count=2, subnet_assignment={"primary": "subnet-1", "replicas": ["subnet-2"]}),
                            new_set("batch-new")])
    play = ansible.run([task("scale and create", args)], diff=True)
    assert play.rc == 0, play.output
    live, new = play.results[0]["resources"]
    assert live["actions"] == ["added a replica in subnet subnet-2"] and live["instance_set"]["node_count"] == 2
    assert new["actions"] == ["created"]
    assert play.results[0]["diff"][0]["before"]["node_count"] == 1 and play.results[0]["diff"][0]["after"]["node_count"] == 2


def test_delete_without_waiting(ansible, emulator):
    seed_instance_set(emulator, "batch-gone")
    args = batch(emulator, [dict(name="batch-gone", state="absent"), dict(name="batch-never", state="absent")], wait=False)
    play = ansible.run([task("delete", args), task("again", args)])
    assert play.rc == 0, play.output
    first, again = play.results
    assert [r["actions"] for r in first["resources"]] == [["deleted"], []] and first["changed"] is True
    assert again["changed"] is False


def test_absent_items_say_so_in_check_mode_when_deleted_and_when_already_gone(ansible, emulator):
    seed_instance_set(emulator, "batch-drop")
    args = batch(emulator, [dict(name="batch-drop", state="absent"), dict(name="batch-never", state="absent"), new_set("batch-kept")])
    play = ansible.run([task("predict", args, check_mode=True), task("delete", args), task("again", args)])
    assert play.rc == 0, play.output
    predicted, deleted, again = play.results
    assert [r["status"] for r in predicted["resources"]] == ["absent", "absent", None]
    assert [r["status"] for r in deleted["resources"]] == ["absent", "absent", "Running"]
    assert [r["actions"] for r in deleted["resources"]] == [["deleted"], [], ["created"]]
    assert [r["status"] for r in again["resources"]] == ["absent", "absent", "Running"] and again["changed"] is False


# --- the create protocol every MemStore resource shares ---------------------------------------------
def test_a_503_on_the_create_is_looked_for_then_sent_once_more(ansible, emulator):
    # The emulator's 503 carries the API's error body: the API did not take the create (a 500 or a proxy's
    # 503 would be a lost answer, looked for the same way: test_memstore_instance_set).
    resent = "created (answered HTTP 503, not taken: sent again after a read found it not done)"
    # The batch module and the single-resource module share the protocol.
    single = {"name": "single", "redisops.platform.memstore_instance_set": dict(new_set("cache-503-b"), **conn(emulator))}
    for name, step in (("cache-503", task("create", batch(emulator, [new_set("cache-503")]))), ("cache-503-b", single)):
        emulator.faults.add_http(server="memstore", method="POST", path="/v1/instance-sets", status=503, times=1)
        play = ansible.run([step])
        assert play.rc == 0, play.output
        result = play.results[0]
        assert (result["resources"][0]["actions"] if "resources" in result else result["actions"]) == [resent], name
    posts = [c for c in calls(writes(emulator)) if c == ("POST", "/v1/instance-sets")]
    assert len(posts) == 4  # each task: the refused one, then the one sent again after a read found nothing
    assert sorted(r["name"] for r in emulator.memstore.resources.values()) == ["cache-503", "cache-503-b"]


def test_a_dropped_create_answer_is_adopted_with_one_post(ansible, emulator):
    emulator.faults.add_http(server="memstore", method="POST", path="/v1/instance-sets", drop="after", times=1)
    play = ansible.run([task("create", batch(emulator, [new_set("cache-dropped")]))])
    assert play.rc == 0, play.output
    assert play.results[0]["resources"][0]["actions"] == ["created (its answer was lost: found the set by name)"]
    assert [c for c in calls(writes(emulator)) if c[0] == "POST"] == [("POST", "/v1/instance-sets")]
    assert [e["path"] for e in api(emulator) if e["method"] == "GET"].count("/v1/clusters") >= 1


# --- versions come from the service -------------------------------------------------------------------
def test_a_version_the_service_does_not_offer_fails_before_any_write(ansible, emulator):
    single = {"name": "single", "ignore_errors": True,
              "redisops.platform.memstore_instance_set": dict(new_set("cache-ver", version="7.4.0"), **conn(emulator))}
    play = ansible.run([single, task("batch", batch(emulator, [], [new_cluster("cluster-ver", version="7.2.7")]))])
    refused, clusters = play.results
    offered = ", ".join(emulator.memstore_versions)
    assert refused["failed"] and ("version 7.4.0 is not offered by the service for a new instance set (offered: %s)" % offered) in refused["msg"]
    assert not clusters.get("failed") and clusters["resources"][0]["status"] == "Running"  # 7.2.7 is offered for clusters too
    assert calls(writes(emulator)) == [("POST", "/v1/clusters")]


def test_without_the_versions_endpoint_the_create_goes_and_the_service_answers(ansible, emulator):
    emulator.memstore_versions_endpoint = False
    single = {"name": "single", "ignore_errors": True,
              "redisops.platform.memstore_instance_set": dict(new_set("cache-nover", version="7.4.0"), **conn(emulator))}
    play = ansible.run([single, task("offered", batch(emulator, [new_set("cache-nover-ok")]))])
    refused, created = play.results
    assert refused["failed"] and "POST /v1/instance-sets returned HTTP 400" in refused["msg"] and "7.4.0" in refused["msg"]
    assert created["resources"][0]["status"] == "Running"
    assert ("GET", "/v1/redis/versions") in calls(api(emulator))
