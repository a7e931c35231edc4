"""MemStore clusters through their public surface: the rules of the options, the create body,
the views, the plan of changes (Cluster.plan), the options fixed at creation, what each step
sends and when a state shows it, readiness, and the reading of shards against a scripted API."""

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, ClientError, Response
from ansible_collections.redisops.platform.plugins.module_utils._resource import BUSY_ANSWER, LOST_ANSWER, PlanError
from ansible_collections.redisops.platform.plugins.module_utils._task import Task
from ansible_collections.redisops.platform.plugins.module_utils.memstore import steps as clusters
from ansible_collections.redisops.platform.plugins.module_utils.memstore import views
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient
from ansible_collections.redisops.platform.plugins.module_utils.memstore.cluster import Cluster, read_all_clusters
from ansible_collections.redisops.platform.plugins.module_utils.memstore.steps import DeleteResource

PARAM_DEFAULTS = dict((key, spec.get("default")) for key, spec in Cluster.argument_spec.items())


def params(**overrides):
    """Module params as AnsibleModule would hand them over (unset options are None)."""
    values = dict(PARAM_DEFAULTS, name="orders", wait=True, wait_timeout=3600)
    values.update(overrides)
    if values.get("subnet_assignments") is not None:
        values["subnet_assignments"] = [dict({"replicas": []}, **item) for item in values["subnet_assignments"]]
    return values


def node(shard, number, role="replica", status="Running", subnet="subnet-1"):
    return {"id": "n-%s-%d" % (shard, number), "name": "orders-%s-%03d" % (shard, number), "role": role, "status": status,
            "endpoint": "10.184.%d.%d" % (int(shard), number), "subnet": {"id": subnet}, "createdAt": "2024-03-06T02:35:13Z"}


def shard(number, nodes=2, statuses=None, status="Running"):
    shard_id = "%03d" % number
    statuses = statuses or ["Running"] * nodes
    items = [node(shard_id, index + 1, "primary" if index == 0 else "replica", statuses[index]) for index in range(nodes)]
    return {"id": shard_id, "name": "orders-" + shard_id, "slots": "0-16383", "status": status, "nodes": items}


def live(shards=2, nodes=2, shard_statuses=None, **fields):
    """(resource, view) of a live cluster; ``nodes`` may be a list (one count per shard)."""
    resource = {"id": "cl-1", "name": "orders", "status": "Running", "clusterMode": "enabled", "description": "",
                "version": "7.2.6", "port": 6379, "flavorId": "flavor-1", "parameterGroupId": "pg-1",
                "securityGroups": [{"id": "sg-1"}], "subnets": [{"id": "subnet-1"}, {"id": "subnet-2"}, {"id": "subnet-3"}],
                "subnetAssignments": [{"primary": {"id": "subnet-1"}, "replicas": [{"id": "subnet-2"}]}],
                "shardCount": shards, "nodeCountPerShard": nodes if isinstance(nodes, int) else max(nodes),
                "tlsEnabled": False, "user": None}
    resource.update(fields)
    counts = nodes if isinstance(nodes, list) else [nodes] * shards
    items = [shard(index + 1, counts[index], (shard_statuses or {}).get(index + 1)) for index in range(len(counts))]
    found = sorted((views.normalize_shard(item, 6379) for item in items), key=views.shard_key)
    return resource, views.cluster_view(resource, found)


MEMSTORE_CONNECTION_DEFAULTS = dict((key, spec.get("default")) for key, spec in MEMSTORE_CONNECTION.argument_spec.items())


class FakeTask(Task):
    check_mode = False

    def __init__(self, **options):
        self.params = params(**dict(dict(MEMSTORE_CONNECTION_DEFAULTS, api_url="http://127.0.0.1:9", auth_token="t"), **options))
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


class PlanningApi(MemStoreClient):
    """A client that answers what a plan asks without a request: no list of offered versions."""

    def redis_versions(self):
        return None


def cluster_resource(task):
    return Cluster(task, PlanningApi(task.params))


def cluster(**options):
    """The resource of a task with ``options``."""
    return cluster_resource(FakeTask(**options))


def plan(resource_view, **options):
    """``(steps, after)`` of the plan converging the live cluster to ``options``."""
    resource, view = resource_view
    planned = cluster(**options).plan((resource, view["shards"]))
    return list(planned.steps), planned.after


def kinds(steps):
    return [type(step).__name__ for step in steps]


# --- validation --------------------------------------------------------------------------------
@pytest.mark.parametrize("options, message", [
    (dict(name="abc"), "name must be 4 to 20 characters long (got 3)"),
    (dict(name="Orders"), "name may contain only lowercase letters, digits and '-'"),
    (dict(name="or--ders"), "name must not contain consecutive hyphens"),
    (dict(description="a\nb"), "description must not contain line breaks"),
    (dict(description=u"party \U0001F389"), "description must not contain emoji (found U+1F389)"),
    (dict(port=1999), "port must be between 2000 and 50000 (got 1999)"),
    (dict(shard_count=0), "shard_count must be between 1 and 12 (got 0)"),
    (dict(shard_count=13), "shard_count must be between 1 and 12 (got 13)"),
    (dict(nodes_per_shard=0), "nodes_per_shard must be between 1 and 6"),
    (dict(nodes_per_shard=7), "nodes_per_shard must be between 1 and 6: one primary and at most 5 replicas (got 7)"),
    (dict(parameter_group_id=""), "parameter_group_id must not be empty"),
    (dict(security_groups=[]), "security_groups must name at least one security group"),
    (dict(subnets=[]), "subnets must name at least one subnet"),
    (dict(subnet_assignments=[]), "subnet_assignments must hold at least one {primary, replicas} placement"),
    (dict(shard_count=1, subnet_assignments=[{"primary": "a"}, {"primary": "b"}]),
     "subnet_assignments must hold at most one placement per shard: 2 given for shard_count 1"),
    (dict(subnets=["a"], subnet_assignments=[{"primary": "a", "replicas": ["b"]}, {"primary": "c"}]),
     "subnet_assignments may use only subnets listed in subnets: b, c not in [a]"),
])
def test_option_rules(options, message):
    errors = Cluster.validate(params(**options))
    assert any(message in error for error in errors), errors


def test_valid_options():
    assert Cluster.validate(params(shard_count=12, nodes_per_shard=6, port=50000, subnets=["a", "b"], description="",
                                   subnet_assignments=[{"primary": "a", "replicas": ["b"]}])) == []
    assert Cluster.validate(params()) == []  # an existing cluster named, nothing else


def test_every_broken_rule_gets_its_own_message():
    errors = Cluster.validate(params(name="Ab", port=1, shard_count=20, nodes_per_shard=9))
    assert len(errors) == 6, errors  # length, characters, start letter, port, shard_count, nodes_per_shard


# --- create body ---------------------------------------------------------------------------------------
def create_params(**overrides):
    values = dict(version="7.2.6", port=6379, flavor_id="f", parameter_group_id="pg", shard_count=3, nodes_per_shard=3,
                  security_groups=["sg", "sg"],
                  subnet_assignments=[{"primary": "s1", "replicas": ["s2", "s3"]}, {"primary": "s2"}])
    values.update(overrides)
    return values


def create_body(options):
    return cluster(**options).create_body()


def test_create_body_places_every_shard_round_robin():
    body = create_body(create_params(description="d", user={"name": "app", "password": "hash"}, tls_enabled=True))
    assert body == {
        "name": "orders", "version": "7.2.6", "port": 6379, "shardCount": 3, "nodeCountPerShard": 3, "flavorId": "f",
        "parameterGroupId": "pg", "subnets": [{"id": "s1"}, {"id": "s2"}, {"id": "s3"}],
        "subnetAssignments": [
            {"primary": {"id": "s1"}, "replicas": [{"id": "s2"}, {"id": "s3"}]},
            {"primary": {"id": "s2"}, "replicas": [{"id": "s2"}, {"id": "s2"}]},
            {"primary": {"id": "s1"}, "replicas": [{"id": "s2"}, {"id": "s3"}]},
        ],
        "securityGroups": [{"id": "sg"}], "description": "d", "user": {"name": "app", "password": "hash"}, "tlsEnabled": True,
    }


def test_create_body_defaults():
    body = create_body(create_params(nodes_per_shard=1, subnets=["s1", "s2", "s9"], tls_enabled=False))
    assert body["subnetAssignments"][0] == {"primary": {"id": "s1"}, "replicas": []}
    assert body["subnets"] == [{"id": "s1"}, {"id": "s2"}, {"id": "s9"}]
    assert "tlsEnabled" not in body and "user" not in body and "description" not in body


def test_predicted_view_has_no_user_and_the_declared_topology():
    planned = cluster(**create_params(user={"name": "app", "password": "hash"})).plan(None)
    view = planned.predicted["cluster"]
    assert view["name"] == "orders" and view["shard_count"] == 3 and view["nodes_per_shard"] == 3 and view["shards"] == []
    assert view["shard_nodes"] == [3, 3, 3] and planned.after["shard_nodes"] == [3, 3, 3]
    assert view["id"] is None and "hash" not in repr(view)


# --- reading ---------------------------------------------------------------------------------------------
def test_cluster_view_from_shards():
    _resource, view = live(shards=2, nodes=3)
    assert view["shard_count"] == 2 and view["nodes_per_shard"] == 3 and view["shard_nodes"] == [3, 3]
    assert view["primary_endpoints"] == ["10.184.1.1", "10.184.2.1"]
    assert view["endpoints"][0] == "10.184.1.1:6379" and len(view["endpoints"]) == 6
    first = view["shards"][0]
    assert first["primary_endpoint"] == "10.184.1.1" and first["replica_endpoints"] == ["10.184.1.2", "10.184.1.3"]
    assert first["nodes"][0] == {"id": "n-001-1", "name": "orders-001-001", "role": "primary", "status": "Running",
                                 "endpoint": "10.184.1.1", "port": 6379, "subnet_id": "subnet-1", "created_at": "2024-03-06T02:35:13Z"}


def test_mixed_shards_have_no_single_nodes_per_shard():
    _resource, view = live(nodes=[3, 2])
    assert view["nodes_per_shard"] is None and view["shard_nodes"] == [3, 2]


def test_shards_are_ordered_by_number_and_roles_read_tolerantly():
    items = [{"id": "010", "nodes": []}, {"id": "002", "nodes": [{"objectId": "x", "role": "MASTER", "port": "7000"}]}]
    found = sorted((views.normalize_shard(item) for item in items), key=views.shard_key)
    assert [s["id"] for s in found] == ["002", "010"]
    assert found[0]["nodes"][0]["role"] == "primary" and found[0]["nodes"][0]["port"] == 7000 and found[0]["nodes"][0]["id"] == "x"


def test_live_assignments_read_an_array_or_one_object():
    assert views.live_assignments({"subnetAssignments": {"primary": {"id": "a"}, "replicas": [{"id": "b"}]}}) == [
        {"primary": "a", "replicas": ["b"]}]
    assert views.live_assignments({}) == []


# --- plan ---------------------------------------------------------------------------------------------------
def test_nothing_to_do():
    steps, after = plan(live(), shard_count=2, nodes_per_shard=2, description="", parameter_group_id="pg-1")
    assert steps == [] and after["shard_count"] == 2


def test_update_sends_only_what_differs():
    steps, after = plan(live(), description="new", parameter_group_id="pg-1")
    assert kinds(steps) == ["UpdateCluster"] and steps[0].body == {"description": "new"} and steps[0].text == "updated description"
    assert after["description"] == "new"
    steps, _after = plan(live(), parameter_group_id="pg-2")
    assert steps[0].body == {"parameterGroupId": "pg-2"}


def test_shards_up_use_the_assignments_round_robin_and_nodes_per_shard():
    steps, after = plan(live(shards=1, nodes=2), shard_count=3, nodes_per_shard=3,
                        subnet_assignments=[{"primary": "subnet-1", "replicas": ["subnet-2"]}, {"primary": "subnet-3"}])
    assert kinds(steps) == ["AddShardReplica", "AddShard", "AddShard"]
    assert steps[1].body == {"nodeCount": 3, "subnetAssignments": {"primary": {"id": "subnet-3"},
                                                                   "replicas": [{"id": "subnet-3"}, {"id": "subnet-3"}]}}
    assert steps[2].body["subnetAssignments"]["primary"] == {"id": "subnet-1"}
    assert after["shard_count"] == 3 and after["shard_nodes"] == [3, 3, 3] and after["nodes_per_shard"] == 3


def test_shards_up_without_options_use_the_live_assignment_and_node_count():
    steps, _after = plan(live(shards=1, nodes=2), shard_count=2)
    assert steps[0].body == {"nodeCount": 2, "subnetAssignments": {"primary": {"id": "subnet-1"}, "replicas": [{"id": "subnet-2"}]}}
    with pytest.raises(PlanError, match="subnet-9 not among the subnets of cluster 'orders'"):
        plan(live(shards=1), shard_count=2, subnet_assignments=[{"primary": "subnet-9"}])


def test_shards_down_needs_allow_shard_removal_and_goes_highest_first():
    with pytest.raises(PlanError, match="shard_count: .*needs allow_shard_removal: true"):
        plan(live(shards=3), shard_count=1)
    steps, after = plan(live(shards=3), shard_count=1, allow_shard_removal=True)
    assert kinds(steps) == ["RemoveShard", "RemoveShard"] and [s.shard["id"] for s in steps] == ["003", "002"]
    assert after["shard_count"] == 1 and after["shard_nodes"] == [2]


def test_removed_shards_are_not_scaled_and_new_ones_come_last():
    steps, _after = plan(live(shards=3, nodes=2), shard_count=2, nodes_per_shard=1, allow_shard_removal=True)
    assert kinds(steps) == ["RemoveShard", "RemoveShardReplica", "RemoveShardReplica"]
    assert [s.shard["id"] for s in steps[1:]] == ["001", "002"]


def test_replicas_up_continue_the_rotation_of_each_shard():
    steps, _after = plan(live(shards=2, nodes=2), nodes_per_shard=4,
                         subnet_assignments=[{"primary": "subnet-1", "replicas": ["subnet-2", "subnet-3"]}, {"primary": "subnet-2"}])
    assert [(s.shard["id"], s.subnet) for s in steps] == [("001", "subnet-3"), ("001", "subnet-2"), ("002", "subnet-2"), ("002", "subnet-2")]


def test_replicas_down_never_a_primary_failed_ones_first():
    steps, _after = plan(live(shards=1, nodes=4, shard_statuses={1: ["Running", "Running", "Failed", "Running"]}), nodes_per_shard=2)
    assert [s.node["name"] for s in steps] == ["orders-001-003", "orders-001-004"]
    steps, _after = plan(live(shards=1, nodes=3, shard_statuses={1: ["Failed", "Running", "Running"]}), nodes_per_shard=1)
    assert "orders-001-001" not in [s.node["name"] for s in steps] and len(steps) == 2


def test_a_shard_with_too_few_replicas_cannot_shrink():
    resource, view = live(shards=1, nodes=2)
    view["shards"][0]["nodes"][1]["role"] = "primary"  # two primaries reported: nothing removable
    with pytest.raises(PlanError, match="a primary is never removed"):
        plan((resource, view), nodes_per_shard=1)


# --- immutable options ---------------------------------------------------------------------------------------------
def test_immutable_differences_and_message():
    resource, _view = live(user={"name": "app"})
    comparison = cluster(
        version="6.2.16", port=6379, flavor_id="flavor-2", tls_enabled=False, user={"name": "app", "password": "secret-new"},
        subnets=["subnet-3", "subnet-2", "subnet-1"], security_groups=["sg-2"]).immutable_comparison(resource)
    assert [d[0] for d in comparison.differences] == ["version", "flavor_id", "security_groups"] and comparison.unreadable == []
    message = comparison.message("cluster", "orders")
    assert message.startswith("cluster 'orders': version, flavor_id, security_groups cannot change after creation")
    assert "security_groups (live: [sg-1], wanted: [sg-2])" in message and "secret-new" not in message


def test_options_the_live_cluster_does_not_show_are_reported_not_compared():
    resource, _view = live()
    for key in ("user", "tlsEnabled"):
        del resource[key]
    comparison = cluster(tls_enabled=True, user={"name": "a", "password": "x"}).immutable_comparison(resource)
    assert comparison.differences == [] and comparison.unreadable == ["tls_enabled", "user"]


# --- readiness and requests of each step ----------------------------------------------------------------------------------
def test_step_requests():
    resource, view = live(shards=2)
    first = view["shards"][0]
    assert clusters.UpdateCluster("", cluster_id="cl-1", body={"description": "x"}).request() == (
        "PATCH", "/v1/clusters/cl-1", {"description": "x"})
    assert clusters.AddShard("", cluster_id="cl-1", body={"nodeCount": 1}, count_before=2).request() == (
        "POST", "/v1/clusters/cl-1/shards", {"nodeCount": 1})
    assert clusters.RemoveShard("", cluster_id="cl-1", shard=first).request() == ("DELETE", "/v1/clusters/cl-1/shards/001", None)
    assert clusters.AddShardReplica("", cluster_id="cl-1", shard=first, subnet="s", count_before=2).request() == (
        "POST", "/v1/clusters/cl-1/shards/001/nodes", {"subnet": {"id": "s"}})
    assert clusters.RemoveShardReplica("", cluster_id="cl-1", shard=first, node=first["nodes"][1]).request() == (
        "DELETE", "/v1/clusters/cl-1/shards/001/nodes/n-001-2", None)


class RecordingApi:
    """Records how a step sends itself."""

    def __init__(self):
        self.sent = []

    def request(self, method, path, **options):
        self.sent.append((method, path, options))

    def delete(self, path, **options):
        self.request("DELETE", path, **options)


def test_a_removal_takes_a_404_as_done_and_an_add_is_never_retried():
    _resource, view = live(shards=2)
    first = view["shards"][0]
    api = RecordingApi()
    clusters.RemoveShard("", cluster_id="cl-1", shard=first).send(api)
    clusters.RemoveShardReplica("", cluster_id="cl-1", shard=first, node=first["nodes"][1]).send(api)
    clusters.AddShardReplica("", cluster_id="cl-1", shard=first, subnet="s", count_before=2).send(api)
    assert api.sent == [
        ("DELETE", "/v1/clusters/cl-1/shards/001", {"ok": (200, 202, 204, 404)}),
        ("DELETE", "/v1/clusters/cl-1/shards/001/nodes/n-001-2", {"ok": (200, 202, 204, 404)}),
        ("POST", "/v1/clusters/cl-1/shards/001/nodes", {"json_body": {"subnet": {"id": "s"}}, "retry": False}),
    ]


def test_steps_show():
    resource, view = live(shards=2)
    shards = view["shards"]
    steps, _after = plan((resource, view), shard_count=3, nodes_per_shard=2)
    add = steps[0]
    assert isinstance(add, clusters.AddShard) and add.count_before == 2 and not add.shows((resource, shards))
    _r, grown = live(shards=3)
    assert add.shows((resource, grown["shards"])) and not add.shows((dict(resource, status="Scaling(horizontal)"), grown["shards"]))
    assert not add.shows((resource, None))  # shards not read while busy

    replica = clusters.AddShardReplica("", cluster_id="cl-1", shard=shards[1], subnet="s", count_before=2)
    assert not replica.shows((resource, shards))
    _r, more = live(shards=2, nodes=[2, 3])
    assert replica.shows((resource, more["shards"]))

    remove = clusters.RemoveShardReplica("", cluster_id="cl-1", shard=shards[0], node=shards[0]["nodes"][1])
    assert not remove.shows((resource, shards))
    _r, fewer = live(shards=2, nodes=[1, 2])
    assert remove.shows((resource, fewer["shards"]))
    assert clusters.RemoveShard("", cluster_id="cl-1", shard=shards[1]).shows((resource, fewer["shards"][:1]))

    update = clusters.UpdateCluster("", cluster_id="cl-1", body={"description": "x", "parameterGroupId": "pg-1"})
    assert not update.shows((resource, shards)) and update.shows((dict(resource, description="x"), shards))


def test_readiness_of_the_shards_and_nodes():
    resource = cluster()
    _state, view = live(shards=2, shard_statuses={2: ["Running", "Failed"]})
    shards = view["shards"]
    assert resource.members_writable(shards) and not resource.members_ready(shards) and resource.members_failed(shards)
    assert resource.describe_members(shards) == "; not Running: node orders-002-002 (replica) Failed"
    _state, busy = live(shards=1, shard_statuses={1: ["Running", "Creating"]})
    assert not resource.members_writable(busy["shards"]) and not resource.members_failed(busy["shards"])


# --- the runner's pieces ------------------------------------------------------------------------------------------------
def test_cluster_resource_readiness_failure_and_busy_answers():
    resource = cluster_resource(FakeTask())
    state, view = live(shards=2)
    shards = view["shards"]
    assert resource.ready((state, shards)) and not resource.failed((state, shards))
    assert not resource.ready((dict(state, status="Modifying"), None)) and resource.ready(None)
    _s, sick = live(shards=2, shard_statuses={2: ["Running", "Failed"]})
    assert resource.failed((state, sick["shards"])) and not resource.ready((state, sick["shards"]))
    step = clusters.RemoveShardReplica("", cluster_id="cl-1", shard=sick["shards"][1], node=sick["shards"][1]["nodes"][1])
    assert resource.writable(step, (state, sick["shards"]))  # a Failed replica does not block its own removal
    assert not resource.writable(step, (dict(state, status="Scaling(horizontal)"), None))
    assert resource.writable(DeleteResource(text="", path="/v1/clusters/cl-1", params=None), (dict(state, status="Failed"), None))
    assert "not Running: node orders-002-002 (replica) Failed" in resource.describe((state, sick["shards"]))
    assert resource.ambiguity(ApiError("POST", "/v1/clusters/x/shards", status=400, code="InvalidState",
                                       message="cluster is in an invalid state")) == BUSY_ANSWER
    assert resource.ambiguity(ApiError("POST", "/v1/clusters/x/shards", status=400, message="nodeCount is required")) is None
    assert resource.ambiguity(ApiError("POST", "/v1/clusters", message="no answer")) == LOST_ANSWER


def test_plan_of_the_resource_refuses_before_any_write():
    module = FakeTask(shard_count=1, security_groups=["sg-9"])
    state, view = live(shards=2)
    with pytest.raises(PlanError, match="security_groups"):
        cluster_resource(module).plan((state, view["shards"]))
    module = FakeTask(shard_count=1)
    with pytest.raises(PlanError, match="creating it needs version, port"):
        cluster_resource(module).plan(None)
    gone = cluster_resource(FakeTask(state="absent")).plan(None)
    assert gone.steps == () and gone.predicted == {"cluster": {}}


def test_the_password_is_scrubbed_from_client_errors():
    resource = cluster_resource(FakeTask(user={"name": "app", "password": "p4ss-hash"}))
    assert "p4ss-hash" in resource.api.http.secrets


# --- reading against a scripted API ------------------------------------------------------------------------------------------
class ScriptedApi(MemStoreClient):
    """A MemStoreClient whose GETs answer from a dict of path -> (status, body)."""

    def __init__(self, answers):  # pylint: disable=super-init-not-called
        self.answers = answers
        self.calls = []

    def get(self, path, **_kwargs):
        self.calls.append(path)
        status, body = self.answers.get(path, (404, None))
        return Response(status, body, {})


def test_read_by_name_is_two_requests_when_the_list_item_is_complete():
    state, _view = live(shards=1)
    shards = {"shards": [shard(1, 2)]}
    api = ScriptedApi({"/v1/clusters": (200, {"clusters": [state]}), "/v1/clusters/cl-1/shards": (200, shards)})
    resource, found = Cluster.lookup(api, name="orders")
    assert resource["id"] == "cl-1" and found[0]["node_count"] == 2 and found[0]["nodes"][0]["port"] == 6379
    assert api.calls == ["/v1/clusters", "/v1/clusters/cl-1/shards"]


def test_read_completes_a_short_list_item_and_refuses_an_instance_set():
    state, _view = live(shards=1)
    short = {"objectId": "cl-1", "name": "orders", "clusterMode": "enabled"}
    api = ScriptedApi({"/v1/clusters": (200, [short]), "/v1/clusters/cl-1": (200, {"data": state}),
                       "/v1/clusters/cl-1/shards": (200, {"shards": []})})
    resource, _found = Cluster.lookup(api, name="orders")
    assert resource["version"] == "7.2.6" and api.calls == ["/v1/clusters", "/v1/clusters/cl-1", "/v1/clusters/cl-1/shards"]
    instance_set = dict(state, clusterMode="disabled")
    with pytest.raises(ClientError, match="is an instance set .*use redisops.platform.memstore_instance_set"):
        Cluster.lookup(ScriptedApi({"/v1/clusters/cl-1": (200, instance_set)}), resource_id="cl-1")
    assert Cluster.lookup(ScriptedApi({"/v1/clusters": (200, {"clusters": []})}), name="orders") is None


def test_read_all_skips_instance_sets():
    state, _view = live(shards=1)
    api = ScriptedApi({"/v1/clusters": (200, {"clusters": [state, dict(state, id="set-1", name="a-set", clusterMode="disabled")]}),
                       "/v1/clusters/cl-1/shards": (200, {"shards": [shard(1, 1)]})})
    assert [resource["name"] for resource, _shards in read_all_clusters(api)] == ["orders"]
