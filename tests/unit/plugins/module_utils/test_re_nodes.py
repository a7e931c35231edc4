"""re_node_info's readers: real servers' shapes (string uids, a wrapped list) and the
documents' shapes give the same node view."""

from types import SimpleNamespace

import pytest

from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise import nodes
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, Response


def test_string_uids_and_a_maintenance_snapshot():
    node = {"uid": "2", "addr": "10.0.0.2", "status": "active", "shard_count": "3", "software_version": "7.8.2-34",
            "external_addr": ["203.0.113.2"], "rack_id": "rack-b"}
    status = {"role": "slave", "node_status": "active", "shard_count": 0, "hostname": "node2",
              "maintenance_snapshot": {"name": "maintenance_mode_1", "created_time": "2024-09-06 20:47:23", "node_uid": "2"}}
    view = nodes.node_view(node, status)
    assert view == {
        "uid": 2, "addr": "10.0.0.2", "external_addr": ["203.0.113.2"], "hostname": "node2", "role": "slave",
        "status": "active", "shard_count": 0, "has_maintenance_snapshot": True,
        "maintenance_snapshot": {"name": "maintenance_mode_1", "time": "2024-09-06 20:47:23"},
        "software_version": "7.8.2-34", "rack_id": "rack-b",
    }


def test_a_node_out_of_maintenance_falls_back_to_the_node_fields():
    view = nodes.node_view({"uid": 1, "addr": "10.0.0.1", "status": "active", "shard_count": 2}, {"role": "master"})
    assert (view["uid"], view["status"], view["shard_count"], view["role"]) == (1, "active", 2, "master")
    assert view["has_maintenance_snapshot"] is False and view["maintenance_snapshot"] is None
    assert view["external_addr"] == [] and view["rack_id"] is None


def test_node_lists_bare_or_wrapped():
    assert nodes.read_node_list([{"uid": 1}, "junk"]) == [{"uid": 1}]
    assert nodes.read_node_list({"nodes": [{"uid": 2}]}) == [{"uid": 2}]
    assert nodes.read_node_list(None) == []


class FakeClient:
    def __init__(self, answers, url="https://node1.example.com:9443"):
        self.answers = answers
        self.paths = []
        self.http = SimpleNamespace(base_url=url)

    def get(self, path):
        self.paths.append(path)
        if path not in self.answers:
            raise ApiError("GET", path, status=404, code="node_not_found", message="no such node")
        return Response(200, self.answers[path], {})


def test_a_node_removed_between_the_two_reads_is_left_out():
    client = FakeClient({"/v1/nodes": [{"uid": "3"}, {"uid": "1"}], "/v1/nodes/1/status": {"role": "master"}})
    assert [node["uid"] for node in nodes.NodeReader(client).nodes()] == [1]
    assert nodes.NodeReader(client).nodes(7) == []


@pytest.mark.parametrize("url, addr, api_url", [
    ("https://node1.example.com:9443", "10.0.0.2", "https://10.0.0.2:9443"),
    ("http://127.0.0.1:8080", "10.0.0.2", "http://10.0.0.2:8080"),
    ("https://re.example.com", "10.0.0.2", "https://10.0.0.2"),
    ("https://[fd00::1]:9443", "fd00::2", "https://[fd00::2]:9443"),
    ("https://node1.example.com:9443", None, None),
])
def test_each_node_has_its_api_url_with_the_scheme_and_port_read_through(url, addr, api_url):
    node = {"uid": "2"}
    if addr:
        node["addr"] = addr
    client = FakeClient({"/v1/nodes": [node], "/v1/nodes/2": node, "/v1/nodes/2/status": {"role": "slave"}}, url=url)
    assert [found["api_url"] for found in nodes.NodeReader(client).nodes()] == [api_url]
    assert [found["api_url"] for found in nodes.NodeReader(client).nodes(2, read_status=False)] == [api_url]
