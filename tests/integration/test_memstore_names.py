"""Flavors and parameter groups by name (``flavor``, ``parameter_group``) in memstore_instance_set,
memstore_cluster, memstore_resources and the memstore_provision role, through real
ansible-playbook against the emulator: resolved with one read per catalog and task, only when a
name is given; an unknown name refused before any write; both name and id in the result."""

from emulator.memstore_catalog import FLAVORS, stable_id
from memstore_plays import api, assert_idempotent, calls, conn, writes

SET = "redisops.platform.memstore_instance_set"
CLUSTER = "redisops.platform.memstore_cluster"
BATCH = "redisops.platform.memstore_resources"

FLAVOR_IDS = dict((flavor["name"], flavor["id"]) for flavor in FLAVORS)
DEFAULT_GROUP = "default-redis-7.2.7"
CLUSTER_GROUP = "default-redis-7.2.7-cluster"


def set_options(name, **overrides):
    options = dict(name=name, version="7.2.7", port=6379, flavor="a1-4-co", parameter_group=DEFAULT_GROUP, node_count=2,
                   subnet_assignment={"primary": "subnet-1", "replicas": ["subnet-2"]}, security_groups=["sg-1"])
    options.update(overrides)
    return options


def cluster_options(name, **overrides):
    options = dict(name=name, version="7.2.7", port=6379, flavor="a1-8-co", parameter_group=CLUSTER_GROUP, shard_count=1,
                   nodes_per_shard=2, subnet_assignments=[{"primary": "subnet-1", "replicas": ["subnet-2"]}], security_groups=["sg-1"])
    options.update(overrides)
    return options


def task(module, emulator, options, **keywords):
    return dict({"name": module, module: dict(conn(emulator), wait_timeout=120, **options)}, **keywords)


def catalog_reads(entries):
    return [path for method, path in calls(entries) if path in ("/v1/redis/flavors", "/v1/parameter-groups")]


def test_instance_set_by_names_check_create_rerun(ansible, emulator):
    tasks = [task(SET, emulator, set_options("cache-named"), check_mode=True), task(SET, emulator, set_options("cache-named"))]
    play = ansible.run(tasks, diff=True)
    assert play.rc == 0, play.output
    predicted, created = play.results

    # Check mode: the prediction carries the resolved ids and the names; nothing written.
    assert predicted["changed"] is True and predicted["actions"] == ["created"]
    assert predicted["instance_set"]["flavor"] == "a1-4-co" and predicted["instance_set"]["flavor_id"] == FLAVOR_IDS["a1-4-co"]
    assert predicted["diff"]["after"]["flavor_id"] == FLAVOR_IDS["a1-4-co"]
    assert predicted["diff"]["after"]["parameter_group_id"] == stable_id(DEFAULT_GROUP)

    found = created["instance_set"]
    assert created["changed"] is True and found["status"] == "Running"
    assert (found["flavor"], found["flavor_id"]) == ("a1-4-co", FLAVOR_IDS["a1-4-co"])
    assert (found["parameter_group"], found["parameter_group_id"]) == (DEFAULT_GROUP, stable_id(DEFAULT_GROUP))
    [post] = writes(emulator)
    assert post["body"]["flavorId"] == FLAVOR_IDS["a1-4-co"] and post["body"]["parameterGroupId"] == stable_id(DEFAULT_GROUP)
    # One read of each catalog per task, though the check-mode task and the real one each read them.
    assert sorted(catalog_reads(api(emulator))) == ["/v1/parameter-groups"] * 2 + ["/v1/redis/flavors"] * 2

    # Re-run with names, in check mode and for real: no change, no write, at most the catalogs more.
    since = emulator.log.last_seq()
    rerun = ansible.run([dict(tasks[0], check_mode=True), tasks[1]], diff=True)
    assert rerun.rc == 0, rerun.output
    assert [result["changed"] for result in rerun.results] == [False, False]
    assert writes(emulator, since) == []
    assert rerun.results[1]["diff"]["before"] == rerun.results[1]["diff"]["after"]
    assert len(catalog_reads(api(emulator, since))) == 4

    # The same set by ids: no catalog read at all, within the re-run budget; the names are then unknown.
    by_ids = set_options("cache-named", flavor=None, parameter_group=None, flavor_id=FLAVOR_IDS["a1-4-co"],
                         parameter_group_id=stable_id(DEFAULT_GROUP))
    since = emulator.log.last_seq()
    play = assert_idempotent(ansible, emulator, [task(SET, emulator, dict((k, v) for k, v in by_ids.items() if v is not None))])
    assert catalog_reads(api(emulator, since)) == []
    assert play.results[0]["instance_set"]["flavor"] is None and play.results[0]["instance_set"]["flavor_id"] == FLAVOR_IDS["a1-4-co"]


def test_unknown_names_fail_before_any_write_naming_what_is_offered(ansible, emulator):
    play = ansible.run([task(SET, emulator, set_options("cache-typo", flavor="a1-3-co"), ignore_errors=True),
                        task(SET, emulator, set_options("cache-typo", parameter_group="no-such-group"), ignore_errors=True),
                        task(SET, emulator, set_options("cache-typo", flavor_id="flavor-1"), ignore_errors=True)])
    flavor, group, both = play.results
    assert flavor["failed"] and flavor["msg"].startswith('flavor "a1-3-co" is not offered; offered: a1-2-co, a1-4-co, a1-8-co, a1-16-co, ')
    assert group["failed"] and 'parameter_group "no-such-group" is not offered; offered: ' in group["msg"]
    assert DEFAULT_GROUP in group["msg"]
    assert both["failed"] and "mutually exclusive: flavor|flavor_id" in both["msg"]
    assert writes(emulator) == []


def test_flavor_differs_is_refused_by_name_and_parameter_group_changes_by_name(ansible, emulator):
    ansible.run([task(SET, emulator, set_options("cache-change"))])
    since = emulator.log.last_seq()
    play = ansible.run([task(SET, emulator, {"name": "cache-change", "flavor": "a1-8-co"}, ignore_errors=True),
                        task(SET, emulator, {"name": "cache-change", "parameter_group": "default-redis-7.2.11"}, check_mode=True),
                        task(SET, emulator, {"name": "cache-change", "parameter_group": "default-redis-7.2.11"})], diff=True)
    refused, predicted, changed = play.results
    assert refused["failed"] and "flavor (live: a1-4-co, wanted: a1-8-co)" in refused["msg"]
    assert predicted["changed"] and predicted["instance_set"]["parameter_group"] == "default-redis-7.2.11"
    assert changed["changed"] and changed["instance_set"]["parameter_group"] == "default-redis-7.2.11"
    assert changed["diff"]["after"]["parameter_group_id"] == stable_id("default-redis-7.2.11")
    assert calls(writes(emulator, since)) == [("PATCH", "/v1/instance-sets/%s" % changed["instance_set"]["id"])]
    assert writes(emulator, since)[0]["body"] == {"parameterGroupId": stable_id("default-redis-7.2.11")}


def test_cluster_by_names(ansible, emulator):
    tasks = [task(CLUSTER, emulator, cluster_options("orders-named"))]
    play = ansible.run(tasks)
    assert play.rc == 0, play.output
    found = play.results[0]["cluster"]
    assert (found["flavor"], found["flavor_id"]) == ("a1-8-co", FLAVOR_IDS["a1-8-co"])
    assert (found["parameter_group"], found["parameter_group_id"]) == (CLUSTER_GROUP, stable_id(CLUSTER_GROUP))
    since = emulator.log.last_seq()
    rerun = ansible.run(tasks)
    assert rerun.results[0]["changed"] is False and writes(emulator, since) == []


def test_batch_reads_each_catalog_once_and_fails_only_the_item_with_an_unknown_name(ansible, emulator):
    items = dict(instance_sets=[set_options("batch-a"), set_options("batch-b", flavor="a1-2-co"),
                                set_options("batch-c", flavor="a1-3-co")],
                 clusters=[cluster_options("batch-d")])
    play = ansible.run([task(BATCH, emulator, items, ignore_errors=True)])
    [result] = play.results
    assert result["failed"] and "1 of 4 resources failed" in result["msg"]
    assert 'flavor "a1-3-co" is not offered' in result["msg"]
    entries = dict((entry["name"], entry) for entry in result["resources"])
    assert entries["batch-c"]["failed"] and entries["batch-c"]["actions"] == []
    assert entries["batch-b"]["instance_set"]["flavor"] == "a1-2-co"
    assert entries["batch-d"]["cluster"]["parameter_group"] == CLUSTER_GROUP
    assert sorted(catalog_reads(api(emulator))) == ["/v1/parameter-groups", "/v1/redis/flavors"]
    assert "batch-c" not in [entry["body"].get("instanceSetName") for entry in writes(emulator)]

    # A re-run of the three that exist: no write, each catalog read once, within 2 requests per resource.
    items["instance_sets"].pop()
    since = emulator.log.last_seq()
    rerun = ansible.run([task(BATCH, emulator, items)])
    assert rerun.rc == 0 and rerun.results[0]["changed"] is False, rerun.output
    assert writes(emulator, since) == []
    assert sorted(catalog_reads(api(emulator, since))) == ["/v1/parameter-groups", "/v1/redis/flavors"]
    assert len(emulator.log.entries(since)) <= 2 * 3 + 2, calls(emulator.log.entries(since))


def test_batch_with_ids_reads_no_catalog(ansible, emulator):
    items = dict(instance_sets=[set_options("ids-a", flavor=None, parameter_group=None, flavor_id="flavor-1", parameter_group_id="pg-1")])
    items["instance_sets"] = [dict((k, v) for k, v in item.items() if v is not None) for item in items["instance_sets"]]
    play = ansible.run([task(BATCH, emulator, items)])
    assert play.rc == 0, play.output
    assert catalog_reads(api(emulator)) == []
    assert play.results[0]["resources"][0]["instance_set"]["flavor"] is None


def test_provision_role_takes_names(ansible, emulator):
    role = [{"name": "Provision", "ansible.builtin.include_role": {"name": "redisops.platform.memstore_provision"},
             "vars": {"memstore_provision_instance_sets": [set_options("role-named")],
                      "memstore_provision_clusters": [cluster_options("role-orders", flavor="a1-2-co")]}},
            {"name": "Result", "ansible.builtin.debug": {"var": "memstore_provision_result"}}]
    defaults = {"group/redisops.platform.memstore": conn(emulator)}
    play = ansible.run(role, module_defaults=defaults)
    assert play.rc == 0, play.output
    assert [entry["status"] for entry in play.results[-1]["memstore_provision_result"]["resources"]] == ["Running", "Running"]
    bodies = dict((entry["path"], entry["body"]) for entry in writes(emulator))
    assert bodies["/v1/instance-sets"]["flavorId"] == FLAVOR_IDS["a1-4-co"]
    assert bodies["/v1/clusters"]["flavorId"] == FLAVOR_IDS["a1-2-co"]
    assert bodies["/v1/clusters"]["parameterGroupId"] == stable_id(CLUSTER_GROUP)
    since = emulator.log.last_seq()
    rerun = ansible.run(role, module_defaults=defaults)
    assert rerun.rc == 0 and writes(emulator, since) == [], rerun.output
    assert not any(entry["changed"] for entry in rerun.results[-1]["memstore_provision_result"]["resources"])
