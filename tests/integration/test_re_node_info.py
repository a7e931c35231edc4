"""re_node_info through real ansible-playbook against the emulator, on a seeded
cluster (nodes 1..3, uids 1..3, node 1 master)."""

import requests

INFO = "redisops.platform.re_node_info"


def connection_defaults(emulator, user="re_viewer", node=1):
    options = {"url": emulator.node_url(node), "ca_path": emulator.tls["ca"]}
    options.update(emulator.info()[user])
    return {"group/redisops.platform.redis_enterprise": options}


def info_task(name, **options):
    return {"name": name, INFO: options}


def test_reads_every_node_in_check_mode_as_a_viewer(ansible, emulator):
    emulator.seed_re_cluster()
    play = ansible.run([info_task("Read every node")], check=True, module_defaults=connection_defaults(emulator, node=3))
    assert play.rc == 0, play.output
    result = play.last
    assert result["changed"] is False
    nodes = result["nodes"]
    assert [node["uid"] for node in nodes] == [1, 2, 3]
    assert [node["role"] for node in nodes] == ["master", "slave", "slave"]
    first = nodes[0]
    assert first["addr"] == emulator.node(1).address
    # Read through node 3: node 1's own address, with the scheme and port of the URL read through.
    assert [node["api_url"] for node in nodes] == [emulator.node_url(index) for index in (1, 2, 3)]
    assert first["status"] == "active" and first["shard_count"] == 2
    assert first["has_maintenance_snapshot"] is False and first["maintenance_snapshot"] is None
    assert first["hostname"] and first["software_version"]
    assert set(first) == {"uid", "addr", "api_url", "external_addr", "hostname", "role", "status", "shard_count",
                          "has_maintenance_snapshot", "maintenance_snapshot", "software_version", "rack_id"}
    entries = emulator.log.entries()
    assert all(entry["method"] == "GET" for entry in entries)


def test_one_node_in_maintenance_and_a_missing_node(ansible, emulator):
    emulator.seed_re_cluster()
    admin = emulator.info()["re_admin"]
    answer = requests.post(emulator.node_url(1) + "/v1/nodes/2/actions/maintenance_on", json={},
                           auth=(admin["username"], admin["password"]), verify=emulator.tls["ca"], timeout=10)
    assert answer.status_code == 200, answer.text
    play = ansible.run([
        {"name": "Wait for the maintenance snapshot", INFO: {"node_uid": 2}, "register": "node2",
         "until": "node2.nodes[0].has_maintenance_snapshot", "retries": 100, "delay": 0.1},
        info_task("Read node 9", node_uid=9),
        info_task("Read node 0", node_uid=0),
    ], module_defaults=connection_defaults(emulator))
    node2, missing, wrong = play.results
    assert [node["uid"] for node in node2["nodes"]] == [2]
    snapshot = node2["nodes"][0]["maintenance_snapshot"]
    assert snapshot["name"].startswith("maintenance_mode_") and snapshot["time"]
    assert missing["nodes"] == [] and not missing.get("failed")
    assert wrong["failed"] is True and "node_uid must be a positive integer" in wrong["msg"]


def test_a_node_outside_a_cluster_fails_clearly(ansible, emulator):
    play = ansible.run([info_task("Read the nodes of a fresh node")], module_defaults=connection_defaults(emulator, user="re_admin"))
    result = play.last
    assert result["failed"] is True
    assert "GET /v1/nodes" in result["msg"]
    assert emulator.info()["re_admin"]["password"] not in play.output


def test_without_status_one_request_and_nothing_guessed(ansible, emulator):
    emulator.seed_re_cluster()
    since = emulator.log.last_seq()
    play = ansible.run([info_task("Read the node list only", read_status=False),
                        info_task("Read node 2 only", node_uid=2, read_status=False)],
                       module_defaults=connection_defaults(emulator))
    assert play.rc == 0, play.output
    every, one = play.results
    assert [node["uid"] for node in every["nodes"]] == [1, 2, 3]
    assert every["nodes"][0]["addr"] == emulator.node(1).address
    assert all(node["role"] is None and node["has_maintenance_snapshot"] is None for node in every["nodes"])
    assert [node["uid"] for node in one["nodes"]] == [2]
    paths = [entry["path"] for entry in emulator.log.entries(since)]
    # each task also names the cluster, read at the same time as its main read
    assert [sorted(paths[:2]), sorted(paths[2:])] == [["/v1/cluster", "/v1/nodes"], ["/v1/cluster", "/v1/nodes/2"]]
    assert every["cluster_name"] == one["cluster_name"] == "cluster.re.test"
