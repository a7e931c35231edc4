"""playbooks/re_inventory_api.yml through real ansible-playbook on the redis_enterprise inventory
of a fleet of two clusters: the inventory hosts are acted on through the API from the controller
(no SSH to the nodes), once per cluster and once per node."""

import json
import subprocess
import sys
from pathlib import Path

PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "re_inventory_api.yml"


def test_the_fleet_playbook_acts_through_the_api(ansible, emulator):
    emulator.seed_re_cluster(name="a.re.test", nodes=[1, 2])
    emulator.seed_re_cluster(name="b.re.test", nodes=[3])
    inventory = ansible.workdir / "fleet"
    inventory.mkdir()
    for name, node in (("a", 1), ("b", 3)):
        (inventory / ("%s.redis_enterprise.yml" % name)).write_text(json.dumps(
            {"plugin": "redisops.platform.redis_enterprise", "url": emulator.node_url(node)}))
    info = emulator.info()
    env = ansible.env({
        "REDIS_ENTERPRISE_CA_PATH": info["ca_path"],
        "REDIS_ENTERPRISE_USERNAME": info["re_viewer"]["username"],
        "REDIS_ENTERPRISE_PASSWORD": info["re_viewer"]["password"],
        # The playbook itself must choose the controller's Python and keep SSH out of it.
        "ANSIBLE_PYTHON_INTERPRETER": "/nonexistent/python",
        "JSON_RESULTS_FILE": str(ansible.workdir / "fleet.json"),
        "ANSIBLE_INVENTORY_UNPARSED_FAILED": "True",
    })
    since = emulator.log.last_seq()
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory), str(PLAYBOOK)],
                          capture_output=True, text=True, timeout=600, env=env, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    addresses = [node["address"] for node in info["re_nodes"]]
    # The first play ran once per cluster (on its master), the second once per node.
    assert "a.re.test: 2 nodes, 2 active" in output and "b.re.test: 1 nodes, 1 active" in output
    for uid, address, cluster, role in ((1, addresses[0], "a.re.test", "master"), (2, addresses[1], "a.re.test", "slave"),
                                        (1, addresses[2], "b.re.test", "master")):
        assert "%s node %d (%s): active" % (cluster, uid, role) in output
    assert "ok: [%s -> localhost]" % addresses[1] in output  # the per-node task was delegated
    assert "PLAY RECAP" in output and "unreachable=1" not in output
    # Each cluster's nodes were asked through their own REST API.
    servers = {entry["server"] for entry in emulator.log.entries(since) if entry["path"].startswith("/v1/nodes")}
    assert servers == {"node1", "node2", "node3"}
