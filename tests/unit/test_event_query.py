"""extensions/audit/event_query.yml: a jq query for every module, run with the jq library that
AAP's indirect node counting uses, over results shaped as the modules document them."""

import os

import jq
import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(ROOT, "extensions", "audit", "event_query.yml")) as handle:
    QUERIES = yaml.safe_load(handle)
MODULES = sorted("redisops.platform." + name[:-3] for name in os.listdir(os.path.join(ROOT, "plugins", "modules"))
                 if name.endswith(".py") and not name.startswith("_"))
URL = {"invocation": {"module_args": {"url": "https://node1.example.com:9443"}}}
NAMED = "Cluster.Example.com."  # DNS names: compared without case and without the trailing dot
RE_MODULES = [module for module in MODULES if module.startswith("redisops.platform.re_")]


def nodes(module, result):
    """What AAP records for one task result: the query's objects (those with canonical_facts)."""
    return [item for item in jq.compile(QUERIES[module]["query"]).input(result).all() if item.get("canonical_facts")]


def instance(name, node_id, role="primary"):
    return {"id": node_id, "name": name, "role": role, "endpoint": "10.0.0.1"}


INSTANCE_SET = {"id": "set-1", "name": "cache", "instances": [instance("cache-1", "i-1"), instance("cache-2", "i-2", "replica")]}
SHARDS = [{"id": "001", "nodes": [instance("sessions-001-001", "n-1")]}, {"id": "002", "nodes": [instance("sessions-002-001", "n-2")]}]
CLUSTER = {"id": "c-1", "name": "sessions", "shards": SHARDS}
SAMPLES = {
    "redisops.platform.memstore_instance_set": ({"instance_set": INSTANCE_SET}, ["cache-1", "cache-2"]),
    "redisops.platform.memstore_instance_set_info": ({"instance_sets": [INSTANCE_SET]}, ["cache-1", "cache-2"]),
    "redisops.platform.memstore_cluster": ({"cluster": CLUSTER}, ["sessions-001-001", "sessions-002-001"]),
    "redisops.platform.memstore_cluster_info": ({"clusters": [CLUSTER]}, ["sessions-001-001", "sessions-002-001"]),
    "redisops.platform.memstore_backup": ({"backup": {"id": "b-1", "name": "nightly", "resource_id": "set-1", "resource_name": "cache"}}, []),
    "redisops.platform.memstore_backup_info": ({"backups": [{"id": "b-1", "name": "nightly", "resource_id": "set-1"}]}, []),
    "redisops.platform.memstore_resources": (
        {"resources": [{"kind": "instance_set", "instance_set": INSTANCE_SET}, {"kind": "cluster", "cluster": CLUSTER}]},
        ["cache-1", "cache-2", "sessions-001-001", "sessions-002-001"]),
    "redisops.platform.memstore_flavor_info": ({"flavors": [{"id": "f-1", "name": "a1-2-co", "vcpus": 2, "memory_gib": 4}]}, []),
    "redisops.platform.memstore_parameter_group": ({"parameter_group": {"id": "pg-1", "name": "tuned", "type": "custom"}}, []),
    "redisops.platform.memstore_parameter_group_info": ({"parameter_groups": [{"id": "pg-1", "name": "tuned"}]}, []),
    "redisops.platform.re_bootstrap": (dict(URL, cluster_name=NAMED, local_node_info={"uid": "1"}), ["cluster.example.com/node1"]),
    "redisops.platform.re_bootstrap_info": (dict(URL, cluster_name=NAMED, local_node_info={"uid": 1}), ["cluster.example.com/node1"]),
    "redisops.platform.re_node_action": (dict(URL, cluster_name=NAMED, action={"name": "maintenance_on", "node_uid": "2"}),
                                         ["cluster.example.com/node2"]),
    "redisops.platform.re_node_action_info": (dict(URL, cluster_name=NAMED, actions=[{"node_uid": "2"}, {"node_uid": 2}, {"node_uid": "3"}]),
                                              ["cluster.example.com/node2", "cluster.example.com/node3"]),
    "redisops.platform.re_node_info": (dict(URL, cluster_name=NAMED, nodes=[{"uid": 1, "addr": "10.0.0.1"}, {"uid": 2, "addr": "10.0.0.2"}]),
                                       ["cluster.example.com/node1", "cluster.example.com/node2"]),
    "redisops.platform.re_cluster": (
        dict(URL, cluster_name=NAMED, nodes=[{"url": "https://10.0.0.1:9443", "uid": 1}, {"url": "https://10.0.0.2:9443", "uid": 2},
                                             {"url": "https://10.0.0.3:9443", "uid": None}]),  # node 3: predicted, no uid yet
        ["cluster.example.com/node1", "cluster.example.com/node2"]),
    "redisops.platform.re_cluster_health": (dict(URL, cluster_name=NAMED, healthy=True, nodes=[{"uid": 1, "addr": "10.0.0.1"}, {"uid": 3}]),
                                            ["cluster.example.com/node1", "cluster.example.com/node3"]),
    "redisops.platform.re_certificates": (dict(URL, cluster_name=NAMED, certificates=[{"name": "proxy"}]), ["cluster.example.com"]),
    "redisops.platform.re_database_recovery": (dict(URL, cluster_name=NAMED, databases=[{"uid": 1, "name": "orders", "status": "active"}]),
                                               ["cluster.example.com"]),
    "redisops.platform.re_certificates_info": (dict(URL, cluster_name=NAMED, certificates=[]), ["cluster.example.com"]),
}


def test_every_module_has_a_query():
    assert sorted(QUERIES) == MODULES
    assert all(set(entry) == {"query"} for entry in QUERIES.values())


@pytest.mark.parametrize("module", MODULES)
def test_query_yields_the_managed_nodes(module):
    result, names = SAMPLES[module]
    found = nodes(module, result)
    assert sorted(item["name"] for item in found) == names
    for item in found:
        assert item["facts"]["device_type"] in ("memstore_node", "redis_enterprise_node", "redis_enterprise_cluster")
        assert all(value not in (None, "") for value in item["canonical_facts"].values())


@pytest.mark.parametrize("module", MODULES)
def test_query_yields_nothing_for_a_failed_or_empty_result(module):
    assert nodes(module, {}) == []
    assert nodes(module, dict(URL, failed=True, msg="GET /v1/nodes returned HTTP 401")) == []


def test_redis_enterprise_nodes_are_the_same_whichever_module_saw_them():
    by_info = nodes("redisops.platform.re_node_info", SAMPLES["redisops.platform.re_node_info"][0])
    by_action = nodes("redisops.platform.re_node_action", SAMPLES["redisops.platform.re_node_action"][0])
    # The same node read through another node's API, with the name spelled as that node spells it.
    elsewhere = dict(SAMPLES["redisops.platform.re_node_action_info"][0], cluster_name="cluster.example.com",
                     invocation={"module_args": {"url": "https://node3.example.com:9443"}})
    by_other_api = nodes("redisops.platform.re_node_action_info", elsewhere)
    assert (by_action[0]["canonical_facts"] == by_info[1]["canonical_facts"] == by_other_api[0]["canonical_facts"]
            == {"cluster_name": "cluster.example.com", "node_uid": "2"})


def test_the_api_address_never_names_a_redis_enterprise_node():
    for module in RE_MODULES:
        result = SAMPLES[module][0]
        moved = dict(result, invocation={"module_args": {"url": "https://10.9.9.9:9443"}})
        assert nodes(module, moved) == nodes(module, result)
        assert all("10.9.9.9" not in str(item) and "node1.example.com" not in str(item) for item in nodes(module, result))


@pytest.mark.parametrize("module", RE_MODULES)
def test_a_node_whose_cluster_is_unknown_is_not_counted(module):
    result = dict(SAMPLES[module][0], cluster_name=None)
    assert nodes(module, result) == []


def test_nodes_not_created_yet_are_not_counted():
    predicted = {"instance_set": {"name": "cache", "instances": [{"id": None, "name": None}]}}
    assert nodes("redisops.platform.memstore_instance_set", predicted) == []


@pytest.mark.parametrize("module", MODULES)
def test_a_looped_task_counts_the_nodes_of_each_item(module):
    result, names = SAMPLES[module]
    looped = {"changed": False, "msg": "All items completed", "results": [dict(result, item="first"), dict(result, item="again")]}
    assert sorted(item["name"] for item in nodes(module, looped)) == sorted(names * 2)
