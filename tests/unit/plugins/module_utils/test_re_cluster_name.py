"""Every Redis Enterprise result names its cluster (``cluster_name``): read once per task, never
a reason to fail it, and not read at all when the task already knows it."""

import json
import threading
from types import SimpleNamespace

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, ClientError, HttpClient, Response
from ansible_collections.redisops.platform.plugins.module_utils._resource import PlanError
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise import bootstrap, identity
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient
from ansible_collections.redisops.platform.plugins.modules import re_bootstrap_info, re_node_action

PARAMS = dict(url="https://127.0.0.2:9443", username="admin@example.com", password="Secret-Passw0rd", validate_certs=True,
              request_timeout=10.0)


@pytest.mark.parametrize("answer, expected", [
    (Response(200, {"name": "cluster.example.com"}, {}), "cluster.example.com"),
    (ApiError("GET", "/v1/cluster", status=503, code="node_not_in_cluster", message="not in a cluster"), None),
    (ApiError("GET", "/v1/cluster", status=401, message="unauthorized"), None),
    (ClientError("connection refused"), None),
])
def test_the_cluster_name_if_the_node_can_tell(monkeypatch, answer, expected):
    paths = []

    def get(_http, path, **_kwargs):
        paths.append(path)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(HttpClient, "get", get)
    assert RedisEnterpriseClient(PARAMS).cluster_name_if_known() == expected
    assert paths == ["/v1/cluster"]


class FakeNode:
    """The node's API as Bootstrap uses it: its bootstrap state and its cluster's name."""

    def __init__(self, state, name="cluster.example.com"):
        self.state = state
        self.name = name
        self.name_reads = 0
        self.http = SimpleNamespace(add_secret=lambda value: None)

    def bootstrap(self):
        return {"bootstrap_status": {"state": self.state}, "local_node_info": {"uid": "2"}}

    def cluster_name(self):
        self.name_reads += 1
        if self.name is None:
            raise ApiError("GET", "/v1/cluster", status=401, message="authentication failed")
        return self.name

    def cluster_name_if_known(self):
        try:
            return self.cluster_name()
        except ApiError:
            return None


def bootstrap_of(node, **params):
    values = dict(PARAMS, action="join_cluster", cluster_name=None, license=None)
    values.update(params)
    return bootstrap.Bootstrap(SimpleNamespace(params=values, warn=lambda text: None), node, values)


def test_a_completed_node_is_named_after_one_read_however_often_it_is_read():
    node = FakeNode("completed")
    resource = bootstrap_of(node)
    for _poll in range(3):
        state = resource.read()
    assert resource.view(state)["cluster_name"] == "cluster.example.com"
    assert node.name_reads == 1


def test_a_node_not_in_a_cluster_is_not_named_and_its_cluster_not_read():
    node = FakeNode("idle")
    resource = bootstrap_of(node)
    assert resource.view(resource.read())["cluster_name"] is None
    assert node.name_reads == 0


def test_the_cluster_this_task_created_is_named_without_a_read():
    node = FakeNode("completed")
    resource = bootstrap_of(node, action="create_cluster", cluster_name="new.example.com")
    resource.started_here = lambda: True
    assert resource.view(resource.read())["cluster_name"] == "new.example.com"
    assert node.name_reads == 0


def test_the_name_check_reuses_the_name_read_and_fails_on_another_cluster():
    node = FakeNode("completed", name="other.example.com")
    resource = bootstrap_of(node, action="create_cluster", cluster_name="cluster.example.com")
    with pytest.raises(PlanError, match="already belongs to cluster 'other.example.com'"):
        resource.plan(resource.read())
    assert node.name_reads == 1


def test_the_name_check_says_why_the_name_could_not_be_read():
    node = FakeNode("completed", name=None)
    resource = bootstrap_of(node, action="create_cluster", cluster_name="cluster.example.com")
    state = resource.read()
    assert resource.view(state)["cluster_name"] is None
    with pytest.raises(ApiError, match="authentication failed"):
        resource.plan(state)


# --- the name is read beside the task's main read, not after it ----------------------------------------
class MeetingNode:
    """A node's API whose first ``meeting`` answers are held until that many requests are in flight at
    once: read one after the other, the first request waits alone and fails (BrokenBarrierError)."""

    def __init__(self, answers, meeting=2):
        self.answers = answers
        self.barrier = threading.Barrier(meeting, timeout=3)
        self.meeting = meeting
        self.paths = []
        self.lock = threading.Lock()

    def get(self, path):
        with self.lock:
            self.paths.append(path)
            held = len(self.paths) <= self.meeting
        if held:
            self.barrier.wait()
        return Response(200, self.answers[path], {})


def run_module(module, args, node, monkeypatch, capsys):
    monkeypatch.setattr(HttpClient, "get", lambda _http, path, **_kwargs: node.get(path))
    with patch_module_args(dict(url=PARAMS["url"], username=PARAMS["username"], password=PARAMS["password"], **args)):
        with pytest.raises(SystemExit):
            module.main()
    return json.loads(capsys.readouterr().out)


def test_an_info_module_reads_the_name_beside_its_main_read(monkeypatch, capsys):
    node = MeetingNode({"/v1/bootstrap": {"bootstrap_status": {"state": "completed"}, "local_node_info": {"uid": "1"}},
                        "/v1/cluster": {"name": "cluster.example.com"}})
    result = run_module(re_bootstrap_info, {}, node, monkeypatch, capsys)
    assert result.get("failed") is not True, result
    assert result["cluster_name"] == "cluster.example.com" and result["bootstrap_status"]["state"] == "completed"
    assert sorted(node.paths) == ["/v1/bootstrap", "/v1/cluster"]  # two requests, in flight together


def test_a_node_action_reads_the_name_beside_the_node_s_state(monkeypatch, capsys):
    node = MeetingNode({"/v1/nodes/2/status": {"role": "slave", "node_status": "active", "maintenance_snapshot": {"name": "m"}},
                        "/v1/cluster": {"name": "cluster.example.com"}})
    result = run_module(re_node_action, dict(node_uid=2, action="maintenance_on"), node, monkeypatch, capsys)
    assert result.get("failed") is not True, result
    assert (result["changed"], result["cluster_name"]) == (False, "cluster.example.com")
    assert sorted(node.paths) == ["/v1/cluster", "/v1/nodes/2/status"]


def test_an_info_module_that_could_not_read_the_name_still_reports():
    client = SimpleNamespace(cluster_name_if_known=lambda: None)
    assert identity.ClusterNameRead(client).result() is None


def test_a_bug_in_the_name_read_is_raised_in_the_task_not_lost_in_its_thread():
    def broken():
        raise KeyError("name")

    with pytest.raises(KeyError):
        identity.ClusterNameRead(SimpleNamespace(cluster_name_if_known=broken)).result()
