"""A custom parameter group as a resource: read by name from one list, its plan (create from a default
base given by name or ID, nothing when it exists alike, a delete), the rules only the live groups can
break (a default group never managed or deleted, a base that is not a default group, a base or a
description that differs), and what a write's error means."""

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, Response
from ansible_collections.redisops.platform.plugins.module_utils._resource import BUSY_ANSWER, LOST_ANSWER, PlanError
from ansible_collections.redisops.platform.plugins.module_utils._task import Task
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient
from ansible_collections.redisops.platform.plugins.module_utils.memstore.parameter_group import (
    CreateParameterGroup,
    DeleteParameterGroup,
    ParameterGroup,
)

GROUPS = [
    {"id": "pg-d", "name": "default-redis-7.2.7", "engineVersion": "7.2.7", "parameterGroupType": "default", "clusterMode": "disabled"},
    {"id": "pg-c", "name": "default-redis-7.2.7-cluster", "engineVersion": "7.2.7", "parameterGroupType": "default", "clusterMode": "enabled"},
    {"id": "pg-x", "name": "tuned", "description": "ours", "engineVersion": "7.2.7", "parameterGroupType": "custom", "clusterMode": "disabled"},
]


class GroupsApi(MemStoreClient):
    def __init__(self):
        super(GroupsApi, self).__init__(dict(api_url="https://memstore.example.com", auth_token="token", validate_certs=True,
                                             request_timeout=30))
        self.calls = []

    def get(self, path, **kwargs):
        self.calls.append(path)
        return Response(200, {"parameterGroups": GROUPS}, {}, request="GET " + path)


class FakeTask(Task):
    def __init__(self, params):
        self.params = params


def group(**options):
    params = dict(name="tuned", base=None, description=None, state="present", wait=True, wait_timeout=60)
    params.update(options)
    resource = ParameterGroup(FakeTask(params), GroupsApi())
    return resource, resource.read()


def test_read_finds_the_group_by_name_in_one_list():
    resource, state = group()
    assert state == {"id": "pg-x", "name": "tuned", "description": "ours", "engine_version": "7.2.7", "type": "custom",
                     "cluster_mode": "disabled"}
    assert resource.api.calls == ["/v1/parameter-groups"]


@pytest.mark.parametrize("base", ["default-redis-7.2.7-cluster", "pg-c"])
def test_create_from_a_default_base_by_name_or_id(base):
    resource, state = group(name="orders-tuned", base=base, description="Orders")
    assert state is None
    plan = resource.plan(state)
    [step] = plan.steps
    assert isinstance(step, CreateParameterGroup) and step.resend_when_absent
    assert step.body == {"parameterGroupId": "pg-c", "name": "orders-tuned", "description": "Orders"}
    assert step.text == "created from default-redis-7.2.7-cluster"
    assert plan.predicted["parameter_group"]["cluster_mode"] == "enabled" and plan.predicted["parameter_group"]["id"] is None


def test_an_existing_group_alike_needs_nothing():
    resource, state = group(base="default-redis-7.2.7", description="ours")
    assert resource.plan(state).steps == ()


@pytest.mark.parametrize("options, message", [
    (dict(base="default-redis-7.2.7-cluster"), "base cannot change after creation: base (live: a group of Redis 7.2.7, cluster mode "
                                               "disabled; wanted: default-redis-7.2.7-cluster, of Redis 7.2.7, cluster mode enabled)"),
    (dict(description="theirs"), "description cannot change after creation: description (live: ours, wanted: theirs)"),
])
def test_what_the_api_cannot_change_is_refused(options, message):
    resource, state = group(**options)
    with pytest.raises(PlanError) as raised:
        resource.plan(state)
    assert message in str(raised.value)


def test_a_base_must_be_a_default_group():
    resource, state = group(name="new-one", base="tuned")
    with pytest.raises(PlanError, match='base "tuned" is a custom parameter group: a group is made from a default one; default groups: '
                                        'default-redis-7.2.7, default-redis-7.2.7-cluster'):
        resource.plan(state)


@pytest.mark.parametrize("state_option", ["present", "absent"])
def test_a_default_group_is_never_managed_or_deleted(state_option):
    resource, state = group(name="default-redis-7.2.7", state=state_option)
    with pytest.raises(PlanError, match="is a default parameter group, the service's own: .* a default group is never deleted"):
        resource.plan(state)


def test_delete_and_nothing_to_delete():
    resource, state = group(state="absent")
    [step] = resource.plan(state).steps
    assert isinstance(step, DeleteParameterGroup) and step.group_id == "pg-x" and step.shows(None) and not step.shows(state)
    resource, state = group(name="gone", state="absent")
    assert resource.plan(state).steps == ()


def test_a_delete_refused_as_in_use_is_a_failure_not_a_busy_wait():
    resource, _state = group(state="absent")
    assert resource.ambiguity(ApiError("DELETE", "/v1/parameter-groups/pg-x", status=409, message="in use")) is None
    assert resource.ambiguity(ApiError("POST", "/v1/parameter-groups", status=409, message="name taken")) is BUSY_ANSWER
    assert resource.ambiguity(ApiError("POST", "/v1/parameter-groups", status=None, message="no answer")) is LOST_ANSWER
    step = DeleteParameterGroup(text="deleted", group_id="pg-x")
    assert "link another group to them first" in resource.explain(ApiError("DELETE", "/x", status=409), step)
