"""memstore_flavor_info, memstore_parameter_group and memstore_parameter_group_info through real
ansible-playbook against the emulator: check mode -> apply -> check mode -> apply, the re-runs
without a write; a default group never deleted; a group in use refused by the API and reported."""

from emulator.memstore_catalog import FLAVORS, stable_id
from memstore_plays import api, calls, conn, writes

FLAVOR_INFO = "redisops.platform.memstore_flavor_info"
GROUP = "redisops.platform.memstore_parameter_group"
GROUP_INFO = "redisops.platform.memstore_parameter_group_info"
SET = "redisops.platform.memstore_instance_set"


def task(module, emulator, options=None, **keywords):
    return dict({"name": module, module: dict(conn(emulator), **(options or {}))}, **keywords)


# --- memstore_flavor_info ---------------------------------------------------------------------------------
def test_flavor_info_lists_every_flavor_or_one_by_name(ansible, emulator):
    play = ansible.run([task(FLAVOR_INFO, emulator), task(FLAVOR_INFO, emulator, {"name": "a1-8-co"}),
                        task(FLAVOR_INFO, emulator, {"name": "a1-3-co"})], check=True)
    assert play.rc == 0, play.output
    every, one, none = play.results
    assert [flavor["name"] for flavor in every["flavors"]] == [flavor["name"] for flavor in FLAVORS]
    assert one["flavors"] == [{"id": stable_id("a1-8-co"), "name": "a1-8-co", "vcpus": 8, "memory_gib": 16}]
    assert none["flavors"] == [] and not any(result["changed"] for result in play.results)
    assert calls(api(emulator)) == [("GET", "/v1/redis/flavors")] * 3


# --- memstore_parameter_group_info ------------------------------------------------------------------------
def test_parameter_group_info_filters(ansible, emulator):
    play = ansible.run([task(GROUP_INFO, emulator, {"engine_version": "7.2.7", "type": "default"}),
                        task(GROUP_INFO, emulator, {"name": "default-redis-6.2.5-cluster"}),
                        task(GROUP_INFO, emulator, {"type": "custom"})])
    assert play.rc == 0, play.output
    defaults, one, custom = play.results
    assert [(group["name"], group["cluster_mode"]) for group in defaults["parameter_groups"]] == [
        ("default-redis-7.2.7", "disabled"), ("default-redis-7.2.7-cluster", "enabled")]
    assert one["parameter_groups"] == [{"id": stable_id("default-redis-6.2.5-cluster"), "name": "default-redis-6.2.5-cluster",
                                        "description": "Default parameters of Redis 6.2.5, cluster mode enabled",
                                        "engine_version": "6.2.5", "type": "default", "cluster_mode": "enabled"}]
    assert custom["parameter_groups"] == []
    queries = [entry["query"] for entry in api(emulator)]
    assert queries[0] == {"engineVersion": "7.2.7", "parameterGroupType": "default"}


def test_parameter_group_info_refuses_an_unknown_type_before_any_request(ansible, emulator):
    play = ansible.run([task(GROUP_INFO, emulator, {"type": "system"}, ignore_errors=True)])
    assert play.results[0]["failed"] and "type" in play.results[0]["msg"]
    assert api(emulator) == []


# --- memstore_parameter_group -------------------------------------------------------------------------------
def test_create_check_apply_rerun_then_delete(ansible, emulator):
    present = task(GROUP, emulator, {"name": "sessions-tuned", "base": "default-redis-7.2.7", "description": "Session caches"})
    play = ansible.run([dict(present, check_mode=True), present], diff=True)
    assert play.rc == 0, play.output
    predicted, created = play.results
    assert predicted["changed"] and predicted["actions"] == ["created from default-redis-7.2.7"]
    assert predicted["parameter_group"]["id"] is None and predicted["diff"]["before"] == {}
    assert predicted["diff"]["after"] == {"name": "sessions-tuned", "description": "Session caches", "engine_version": "7.2.7",
                                          "cluster_mode": "disabled", "type": "custom"}
    group = created["parameter_group"]
    assert created["changed"] and group["id"] and group["type"] == "custom" and group["engine_version"] == "7.2.7"
    [post] = writes(emulator)
    assert (post["method"], post["path"]) == ("POST", "/v1/parameter-groups")
    assert post["body"] == {"parameterGroupId": stable_id("default-redis-7.2.7"), "name": "sessions-tuned", "description": "Session caches"}

    # The base by ID is the same base; the re-runs change nothing, write nothing, one request each (and the token).
    by_id = task(GROUP, emulator, {"name": "sessions-tuned", "base": stable_id("default-redis-7.2.7")})
    since = emulator.log.last_seq()
    rerun = ansible.run([dict(present, check_mode=True), present, by_id], diff=True)
    assert rerun.rc == 0, rerun.output
    assert [result["changed"] for result in rerun.results] == [False] * 3
    assert writes(emulator, since) == [] and len(emulator.log.entries(since)) <= 2 * 3
    assert rerun.results[1]["diff"]["before"] == rerun.results[1]["diff"]["after"]

    # Linked to a set, the group cannot be deleted: the API's refusal is reported, not waited on.
    set_options = dict(name="cache-tuned", version="7.2.7", port=6379, flavor="a1-2-co", parameter_group="sessions-tuned", node_count=1,
                       subnet_assignment={"primary": "subnet-1"}, security_groups=["sg-1"], wait_timeout=120)
    absent = task(GROUP, emulator, {"name": "sessions-tuned", "state": "absent", "wait_timeout": 60})
    play = ansible.run([task(SET, emulator, set_options), dict(absent, ignore_errors=True)])
    linked, refused = play.results
    assert linked["instance_set"]["parameter_group_id"] == group["id"]
    assert refused["failed"] and "is linked to an instance set or a cluster: link another group to them first" in refused["msg"]
    assert "HTTP 409" in refused["msg"] and refused["duration"] < 30
    assert [entry["method"] for entry in writes(emulator) if entry["path"].startswith("/v1/parameter-groups/")] == ["DELETE"]

    # Unlinked, it is deleted (check mode first); deleting it again changes nothing.
    since = emulator.log.last_seq()
    play = ansible.run([task(SET, emulator, dict(set_options, parameter_group="default-redis-7.2.7")), dict(absent, check_mode=True),
                        absent, absent], diff=True)
    assert play.rc == 0, play.output
    _unlinked, predicted, deleted, again = play.results
    assert predicted["changed"] and predicted["parameter_group"] == {} and predicted["diff"]["after"] == {}
    assert deleted["changed"] and deleted["actions"] == ["deleted"] and deleted["parameter_group"] == {}
    assert again["changed"] is False
    assert [(entry["method"], entry["path"]) for entry in writes(emulator, since) if "parameter-groups" in entry["path"]] == [
        ("DELETE", "/v1/parameter-groups/%s" % group["id"])]


def test_a_default_group_is_never_deleted_nor_managed(ansible, emulator):
    play = ansible.run([task(GROUP, emulator, {"name": "default-redis-7.2.7", "state": "absent"}, ignore_errors=True),
                        task(GROUP, emulator, {"name": "default-redis-7.2.7", "state": "absent"}, check_mode=True, ignore_errors=True),
                        task(GROUP, emulator, {"name": "default-redis-7.2.7", "base": "default-redis-7.2.7"}, ignore_errors=True)])
    for result in play.results:
        assert result["failed"] and "'default-redis-7.2.7' is a default parameter group" in result["msg"], result
        assert "a default group is never deleted" in result["msg"]
    assert writes(emulator) == []


def test_bad_base_and_immutable_options_are_refused_before_any_write(ansible, emulator):
    ansible.run([task(GROUP, emulator, {"name": "orders-tuned", "base": "default-redis-7.2.7-cluster", "description": "Orders"})])
    since = emulator.log.last_seq()
    play = ansible.run([
        task(GROUP, emulator, {"name": "new-group"}, ignore_errors=True),
        task(GROUP, emulator, {"name": "new-group", "base": "default-redis-9.9.9"}, ignore_errors=True),
        task(GROUP, emulator, {"name": "new-group", "base": "orders-tuned"}, ignore_errors=True),
        task(GROUP, emulator, {"name": "orders-tuned", "base": "default-redis-6.2.5-cluster", "description": "Other"}, ignore_errors=True),
        task(GROUP, emulator, {"name": "9-lives", "base": "default-redis-7.2.7"}, ignore_errors=True),
    ])
    missing, unknown, custom, immutable, bad_name = [result["msg"] for result in play.results]
    assert missing == "parameter group 'new-group' does not exist; creating it needs base (a default group's name or ID)"
    assert unknown.startswith('base "default-redis-9.9.9" is not a default parameter group; default groups: default-redis-7.2.11, ')
    assert custom.startswith('base "orders-tuned" is a custom parameter group: a group is made from a default one; default groups: ')
    assert immutable == ("parameter group 'orders-tuned': base and description cannot change after creation: base (live: a group of Redis "
                         "7.2.7, cluster mode enabled; wanted: default-redis-6.2.5-cluster, of Redis 6.2.5, cluster mode enabled); "
                         "description (live: Orders, wanted: Other). Delete and re-create the group to change them.")
    assert bad_name.startswith("name may contain only letters, digits, '-', '_' and '.', and must start with a letter")
    assert writes(emulator, since) == []


def test_a_create_whose_answer_is_lost_is_found_not_sent_twice(ansible, emulator):
    emulator.faults.add_http(server="memstore", method="POST", path="/v1/parameter-groups", drop="after")
    play = ansible.run([task(GROUP, emulator, {"name": "lost-answer", "base": "default-redis-7.2.7"})])
    assert play.rc == 0, play.output
    assert play.results[0]["changed"] and "found the parameter group by name" in play.results[0]["actions"][0]
    assert [entry["method"] for entry in writes(emulator)] == ["POST"]
    assert [group["name"] for group in emulator.memstore.parameter_groups.values()] == ["lost-answer"]
