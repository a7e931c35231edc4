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
    "redisops.platform.memstore_resources": (
        {"resources": [{"kind": "instance_set", "instance_set": INSTANCE_SET}, {"kind": "cluster", "cluster": CLUSTER}]},
        ["cache-1", "cache-2", "sessions-001-001", "sessions-002-001"]),
    "redisops.platform.re_bootstrap": (dict(URL, local_node_info={"uid": "1"}), ["node1.example.com"]),
    "redisops.platform.re_bootstrap_info": (dict(URL, local_node_info={"uid": 1}), ["node1.example.com"]),
    "redisops.platform.re_node_action": (dict(URL, action={"name": "maintenance_on", "node_uid": "2"}),
                                         ["node1.example.com/node2"]),
    "redisops.platform.re_node_action_info": (dict(URL, actions=[{"node_uid": "2"}, {"node_uid": 2}, {"node_uid": "3"}]),
                                              ["node1.example.com/node2", "node1.example.com/node3"]),
    "redisops.platform.re_node_info": (dict(URL, nodes=[{"uid": 1, "addr": "10.0.0.1"}, {"uid": 2, "addr": "10.0.0.2"}]),
                                       ["10.0.0.1", "10.0.0.2"]),
    "redisops.platform.re_certificates": (dict(URL, certificates=[{"name": "proxy"}]), ["node1.example.com"]),
    "redisops.platform.re_certificates_info": (dict(URL, certificates=[]), ["node1.example.com"]),
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
    assert by_action[0]["canonical_facts"] == by_info[1]["canonical_facts"] == {"host_name": "node1.example.com", "node_uid": "2"}


def test_nodes_not_created_yet_are_not_counted():
    predicted = {"instance_set": {"name": "cache", "instances": [{"id": None, "name": None}]}}
    assert nodes("redisops.platform.memstore_instance_set", predicted) == []
