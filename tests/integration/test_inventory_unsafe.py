"""Inventory hosts and variables made of API data are never templated: a node address, a host
name or a cluster name of ``{{ lookup('pipe', ...) }}`` is text, on every claimed ansible-core.

Real ``ansible-playbook`` runs a play on the hosts of each inventory plugin (``make oldest-core``
runs this file under the oldest claimed ansible-core too, where nothing else prevents it)."""

import json

import requests

from emulator.memstore_instance_sets import seed_instance_set
from inventory_runner import run_inventory, run_play_on_inventory
from test_inventory_memstore import memstore_env
from test_inventory_redis_enterprise import re_env


def payload(marker):
    """A template that, were it rendered, would create ``marker`` on the controller."""
    return "{{ lookup('ansible.builtin.pipe', 'touch %s') }}" % marker


def play_on(group, variables):
    """A play on ``group`` (on the controller) that uses each host's name and ``variables``."""
    used = " | ".join("{{ %s }}" % name for name in ["inventory_hostname", "ansible_host"] + variables)
    return {"hosts": group, "connection": "local", "gather_facts": False,
            "tasks": [{"name": "use the host", "ansible.builtin.debug": {"msg": used}}]}


def test_redis_enterprise_node_values_are_not_templated(ansible, emulator, tmp_path):
    markers = dict((field, tmp_path / ("ran-%s" % field)) for field in ("addr", "version", "rack", "cluster"))
    cluster = emulator.seed_re_cluster(name=payload(markers["cluster"]))
    emulator.node(3).rack_id = payload(markers["rack"])
    info = emulator.info()
    nodes = requests.get(emulator.node_url(1) + "/v1/nodes", verify=info["ca_path"], timeout=10,
                         auth=(info["re_admin"]["username"], info["re_admin"]["password"])).json()
    nodes[0]["addr"] = payload(markers["addr"])
    nodes[1]["software_version"] = payload(markers["version"])
    emulator.faults.add_http(server="node1", method="GET", path="/v1/nodes", status=200, times=-1,
                             body=json.dumps(nodes), content_type="application/json")
    rc, output = run_play_on_inventory(ansible, "evil.redis_enterprise.yml", {"plugin": "redisops.platform.redis_enterprise"},
                                       play_on("redis_enterprise", ["re_addr", "re_software_version", "re_rack_id", "re_cluster", "re_url"]),
                                       env=re_env(emulator))
    assert cluster.name == payload(markers["cluster"])
    assert [field for field, marker in markers.items() if marker.exists()] == [], output
    assert rc == 0, output
    assert "lookup('ansible.builtin.pipe'" in output


def test_memstore_node_values_are_not_templated(ansible, emulator, tmp_path):
    markers = dict((field, tmp_path / ("ran-%s" % field)) for field in ("name", "endpoint", "version"))
    resource = seed_instance_set(emulator, "evil", nodes=2)
    with emulator.lock:
        resource["version"] = payload(markers["version"])
        resource["_instances"][0]["instanceName"] = payload(markers["name"])
        resource["_instances"][1]["endpoint"] = payload(markers["endpoint"])
    rc, output = run_play_on_inventory(ansible, "evil.memstore.yml",
                                       {"plugin": "redisops.platform.memstore", "compose": {"ansible_host": "memstore_endpoint"}},
                                       play_on("memstore", ["memstore_endpoint", "memstore_version", "memstore_name"]),
                                       env=memstore_env(emulator))
    assert [field for field, marker in markers.items() if marker.exists()] == [], output
    assert rc == 0, output
    assert "lookup('ansible.builtin.pipe'" in output


def test_redis_enterprise_node_whose_address_is_not_a_host_is_skipped(ansible, emulator):
    emulator.seed_re_cluster()
    info = emulator.info()
    nodes = requests.get(emulator.node_url(1) + "/v1/nodes", verify=info["ca_path"], timeout=10,
                         auth=(info["re_admin"]["username"], info["re_admin"]["password"])).json()
    nodes[1]["addr"] = "127.0.0.10/#"
    emulator.faults.add_http(server="node1", method="GET", path="/v1/nodes", status=200, times=-1,
                             body=json.dumps(nodes), content_type="application/json")
    inventory = run_inventory(ansible, "steer.redis_enterprise.yml", {"plugin": "redisops.platform.redis_enterprise"},
                              env=re_env(emulator))
    assert inventory.rc == 0, inventory.output
    assert inventory.hosts("redis_enterprise") == [nodes[0]["addr"], nodes[2]["addr"]]
    assert "node 2 skipped: its address 127.0.0.10/# is not an IP address or a DNS name" in inventory.output
    assert "127.0.0.10" not in json.dumps(inventory.data)
