"""Every Redis Enterprise result names its cluster (``cluster_name``): read once per task, never
a reason to fail it, and not read at all when the task already knows it."""

from types import SimpleNamespace

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, ClientError, HttpClient, Response
from ansible_collections.redisops.platform.plugins.module_utils._resource import PlanError
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise import bootstrap
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient

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
