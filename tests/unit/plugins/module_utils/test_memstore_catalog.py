"""Flavors and parameter groups by name: the catalogs read tolerantly, a name resolved to its id with
one read per catalog shared by every resource of a task, no read when ids are given, an unknown name
refused naming what is offered, and the names shown beside the ids."""

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError, Response
from ansible_collections.redisops.platform.plugins.module_utils._resource import PlanError
from ansible_collections.redisops.platform.plugins.module_utils._task import Task
from ansible_collections.redisops.platform.plugins.module_utils.memstore import catalog
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient
from ansible_collections.redisops.platform.plugins.module_utils.memstore.cluster import Cluster
from ansible_collections.redisops.platform.plugins.module_utils.memstore.instance_set import InstanceSet

FLAVORS = {"flavors": [{"id": "f-2", "name": "a1-2-co", "vcpus": 2, "memory": 4},
                       {"id": "f-4", "name": "a1-4-co", "vcpus": "4", "memory": "8.0"},
                       {"id": "f-8", "name": "a1-8-co", "vcpus": 8, "memory": 16}]}
GROUPS = [{"id": "pg-d", "name": "default-redis-7.2.7", "description": "", "engineVersion": "7.2.7", "parameterGroupType": "default",
           "clusterMode": "disabled"},
          {"id": "pg-c", "name": "default-redis-7.2.7-cluster", "engineVersion": "7.2.7", "parameterGroupType": "DEFAULT",
           "clusterMode": "enabled"},
          {"id": "pg-x", "name": "tuned", "description": "ours", "engineVersion": "7.2.7", "parameterGroupType": "custom",
           "clusterMode": "disabled"}]


class CatalogApi(MemStoreClient):
    """A MemStore client whose GETs answer from a dict of path -> body (the list of clusters empty by default)."""

    project_id = "project"

    def __init__(self, answers=None):
        super(CatalogApi, self).__init__(dict(api_url="https://memstore.example.com", auth_token="token", validate_certs=True,
                                              request_timeout=30))
        self.answers = dict({"/v1/redis/flavors": FLAVORS, "/v1/parameter-groups": GROUPS, "/v1/redis/versions": ["7.2.7"]},
                            **(answers or {}))
        self.calls = []

    def get(self, path, **kwargs):
        self.calls.append((path, kwargs.get("params")))
        return Response(200, self.answers[path], {}, request="GET " + path)


class FakeTask(Task):
    def __init__(self, params):
        self.params = params
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


def params_of(resource_class, **options):
    values = dict((key, spec.get("default")) for key, spec in resource_class.argument_spec.items())
    values.update(wait=True, wait_timeout=60)
    values.update(options)
    return values


def new_set(**options):
    defaults = dict(name="cache-set", version="7.2.7", port=6379, flavor="a1-4-co", parameter_group="default-redis-7.2.7", node_count=2,
                    subnet_assignment={"primary": "subnet-1", "replicas": ["subnet-2"]}, security_groups=["sg-1"])
    defaults.update(options)
    return params_of(InstanceSet, **defaults)


def catalog_calls(api):
    return [path for path, _params in api.calls if path in ("/v1/redis/flavors", "/v1/parameter-groups")]


# --- reading the catalogs ----------------------------------------------------------------------------------------
def test_flavors_are_read_tolerantly():
    flavors = catalog.read_flavors(CatalogApi())
    assert flavors[1] == {"id": "f-4", "name": "a1-4-co", "vcpus": 4, "memory_gib": 8}
    bare = CatalogApi({"/v1/redis/flavors": [{"objectId": "f-1", "name": "tiny", "vcpus": 1, "memory": 0.5}]})
    assert catalog.read_flavors(bare) == [{"id": "f-1", "name": "tiny", "vcpus": 1, "memory_gib": 0.5}]


def test_a_catalog_that_is_not_a_list_is_an_error_not_an_empty_catalog():
    with pytest.raises(ClientError, match="not a list of flavors"):
        catalog.read_flavors(CatalogApi({"/v1/redis/flavors": {"message": "maintenance"}}))


def test_parameter_group_filters_are_sent_and_applied_again():
    api = CatalogApi()  # answers every group, as a server that ignores the filters would
    groups = catalog.read_parameter_groups(api, group_type="default", cluster_mode="enabled")
    assert [group["name"] for group in groups] == ["default-redis-7.2.7-cluster"]
    assert groups[0]["type"] == "default" and groups[0]["cluster_mode"] == "enabled"
    assert api.calls == [("/v1/parameter-groups", {"parameterGroupType": "default", "clusterMode": "enabled"})]


# --- names resolved --------------------------------------------------------------------------------------------------
def test_names_become_ids_in_the_create_body_and_both_show_in_the_prediction():
    api = CatalogApi()
    resource = InstanceSet(FakeTask(new_set()), api, new_set())
    plan = resource.plan(None)
    [create] = plan.steps
    assert create.body["flavorId"] == "f-4" and create.body["parameterGroupId"] == "pg-d"
    predicted = plan.predicted["instance_set"]
    assert (predicted["flavor"], predicted["flavor_id"]) == ("a1-4-co", "f-4")
    assert (predicted["parameter_group"], predicted["parameter_group_id"]) == ("default-redis-7.2.7", "pg-d")
    assert plan.after["flavor_id"] == "f-4"  # the diff compares ids, as without names


def test_one_read_per_catalog_shared_by_every_resource_of_a_task():
    api = CatalogApi()
    first = InstanceSet(FakeTask({}), api, new_set(name="cache-one"))
    second = InstanceSet(FakeTask({}), api, new_set(name="cache-two", flavor="a1-8-co"))
    cluster_params = params_of(Cluster, name="orders", version="7.2.7", port=6379, flavor="a1-2-co", parameter_group="default-redis-7.2.7-cluster",
                               shard_count=1, nodes_per_shard=1, subnet_assignments=[{"primary": "subnet-1", "replicas": []}],
                               security_groups=["sg-1"])
    third = Cluster(FakeTask({}), api, cluster_params)
    bodies = [resource.plan(None).steps[0].body for resource in (first, second, third)]
    assert [body["flavorId"] for body in bodies] == ["f-4", "f-8", "f-2"]
    assert bodies[2]["parameterGroupId"] == "pg-c"
    assert catalog_calls(api) == ["/v1/redis/flavors", "/v1/parameter-groups"]


def test_ids_read_no_catalog_and_show_no_names():
    api = CatalogApi()
    options = new_set(flavor=None, parameter_group=None, flavor_id="f-4", parameter_group_id="pg-d")
    plan = InstanceSet(FakeTask({}), api, options).plan(None)
    assert catalog_calls(api) == []
    assert plan.predicted["instance_set"]["flavor"] is None and plan.predicted["instance_set"]["flavor_id"] == "f-4"


def test_a_name_needs_only_its_own_catalog():
    api = CatalogApi()
    InstanceSet(FakeTask({}), api, new_set(parameter_group=None, parameter_group_id="pg-d")).plan(None)
    assert catalog_calls(api) == ["/v1/redis/flavors"]


def test_a_delete_reads_no_catalog():
    api = CatalogApi()
    plan = InstanceSet(FakeTask({}), api, new_set(state="absent", flavor="a1-3-co")).plan(None)
    assert plan.steps == () and catalog_calls(api) == []


@pytest.mark.parametrize("option, name, message", [
    ("flavor", "a1-3-co", 'flavor "a1-3-co" is not offered; offered: a1-2-co, a1-4-co, a1-8-co'),
    ("parameter_group", "tunde", 'parameter_group "tunde" is not offered; offered: default-redis-7.2.7, default-redis-7.2.7-cluster, tuned'),
])
def test_an_unknown_name_fails_before_any_write_naming_what_is_offered(option, name, message):
    api = CatalogApi()
    with pytest.raises(PlanError) as raised:
        InstanceSet(FakeTask({}), api, new_set(**{option: name})).plan(None)
    assert str(raised.value) == message


def test_a_name_twice_in_a_catalog_asks_for_the_id():
    api = CatalogApi({"/v1/redis/flavors": {"flavors": FLAVORS["flavors"] + [{"id": "f-4b", "name": "a1-4-co"}]}})
    with pytest.raises(PlanError, match='2 flavors are named "a1-4-co": give flavor_id instead of flavor'):
        InstanceSet(FakeTask({}), api, new_set()).plan(None)


def test_missing_flavor_names_both_options():
    api = CatalogApi()
    with pytest.raises(PlanError, match="creating it needs flavor_id or flavor$"):
        InstanceSet(FakeTask({}), api, new_set(flavor=None)).plan(None)


# --- a live set ------------------------------------------------------------------------------------------------------
LIVE = {"id": "set-1", "name": "cache-set", "status": "Running", "clusterMode": "disabled", "description": "", "version": "7.2.7",
        "port": 6379, "flavorId": "f-4", "parameterGroupId": "pg-d", "securityGroups": [{"id": "sg-1"}], "subnets": [{"id": "subnet-1"}],
        "tlsEnabled": False, "recoveryEnabled": False, "backupSchedule": None, "user": None, "restoreSource": None}
INSTANCES = [{"id": "i-1", "name": "cache-set-1", "role": "primary", "status": "Running", "endpoint": "10.0.0.1", "subnet_id": "subnet-1",
              "port": 6379, "version": "7.2.7", "flavor_id": "f-4", "created_at": None}]


def live_plan(**options):
    api = CatalogApi()
    resource = InstanceSet(FakeTask({}), api, params_of(InstanceSet, name="cache-set", **options))
    return resource, resource.plan((dict(LIVE), list(INSTANCES)))


def test_the_same_names_as_the_live_set_change_nothing_and_show_the_names():
    resource, plan = live_plan(flavor="a1-4-co", parameter_group="default-redis-7.2.7")
    assert plan.steps == ()
    shown = resource.view((dict(LIVE), list(INSTANCES)))["instance_set"]
    assert (shown["flavor"], shown["parameter_group"]) == ("a1-4-co", "default-redis-7.2.7")


def test_another_flavor_by_name_is_refused_naming_both_names():
    with pytest.raises(PlanError, match=r"flavor \(live: a1-4-co, wanted: a1-8-co\)"):
        live_plan(flavor="a1-8-co")


def test_another_parameter_group_by_name_is_one_update_to_its_id():
    _resource, plan = live_plan(parameter_group="tuned")
    [update] = plan.steps
    assert update.body == {"parameterGroupId": "pg-x"}
    assert plan.after["parameter_group_id"] == "pg-x"
    assert plan.predicted["instance_set"]["parameter_group"] == "tuned"


def test_name_and_id_are_mutually_exclusive_in_the_argument_spec():
    assert ("flavor", "flavor_id") in InstanceSet.mutually_exclusive and ("parameter_group", "parameter_group_id") in Cluster.mutually_exclusive


@pytest.mark.parametrize("option", ["flavor", "parameter_group"])
def test_an_empty_name_is_refused_before_any_request(option):
    errors = InstanceSet.validate(new_set(**{option: " "}))
    assert errors == ["%s must not be empty: it names a %s" % (option, option.replace("_", " "))]
