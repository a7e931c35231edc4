"""MemStore manual backups through their public surface: the rules of the options, the reader
(tolerant of the list's shapes and of a server that ignores the filters), the plan (preconditions
refused before any write, a name taken by another resource, a Failed backup), when a backup may be
asked for, and what its steps send and when a state shows them."""

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, Response
from ansible_collections.redisops.platform.plugins.module_utils._resource import BUSY_ANSWER, PlanError
from ansible_collections.redisops.platform.plugins.module_utils._task import Task
from ansible_collections.redisops.platform.plugins.module_utils.memstore.backups import (
    Backup,
    CreateBackup,
    DeleteBackup,
    read_backups,
)
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient

SET = {"id": "set-1", "name": "cache-a", "clusterMode": "disabled", "status": "Running", "version": "7.2.7"}
CLUSTER_ID = "4f7c1f7e-1d52-4bd5-9a36-6b1e0c5a2d10"
CLUSTER = {"id": CLUSTER_ID, "name": "orders-c", "clusterMode": "enabled", "status": "Running", "port": 6379}


def instances(*roles, status="Running"):
    return {"data": [{"objectId": "i%d" % index, "instanceName": "cache-a-%d" % index, "role": role, "status": status}
                     for index, role in enumerate(roles)]}


def shards(*shard_roles):
    return {"shards": [{"id": "%03d" % (index + 1), "name": "orders-c-%03d" % (index + 1), "status": "Running",
                        "nodes": [{"id": "n%d%d" % (index, number), "role": role, "status": "Running"} for number, role in enumerate(roles)]}
                       for index, roles in enumerate(shard_roles)]}


def listed(name, resource, status="Available", **fields):
    return dict({"id": "b-" + name, "name": name, "clusterId": resource["id"], "clusterName": resource["name"],
                 "clusterMode": resource["clusterMode"], "status": status, "createdAt": "2026-12-05T01:00:00Z"}, **fields)


class ScriptedApi(MemStoreClient):
    """A MemStoreClient whose GETs answer from a dict of path -> body; it records each GET with its query."""

    def __init__(self, answers):  # pylint: disable=super-init-not-called
        self.answers = answers
        self.calls = []

    def get(self, path, params=None, **_kwargs):
        self.calls.append((path, params))
        if path not in self.answers:
            return Response(404, None, {})
        return Response(200, self.answers[path], {})


class FakeTask(Task):
    def __init__(self, **params):
        self.params = dict(dict(name="nightly", instance_set=None, cluster=None, state="present", wait=True, wait_timeout=60), **params)
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


def backup(api, **params):
    return Backup(FakeTask(**params), api)


def planned(api, **params):
    resource = backup(api, **params)
    return resource, resource.plan(resource.read())


# --- options -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("params, errors", [
    (dict(name="pre-scale.2026_12", instance_set="cache-a"), []),
    (dict(name="", instance_set="cache-a"), ["name must be 1 to 64 letters, digits, '.', '-' and '_' (got '')"]),
    (dict(name="x" * 65, instance_set="cache-a"), ["name must be 1 to 64 letters, digits, '.', '-' and '_' (got '%s')" % ("x" * 65)]),
    (dict(name="a b", cluster=" "), ["name must be 1 to 64 letters, digits, '.', '-' and '_' (got 'a b')",
                                     "cluster must name an existing cluster (its name or id)"]),
])
def test_option_rules(params, errors):
    assert Backup.validate(dict(dict(instance_set=None, cluster=None), **params)) == errors


# --- the reader --------------------------------------------------------------------------------------------------
def test_the_reader_applies_the_filters_a_server_ignores_and_reads_every_shape():
    odd = {"objectId": "b-c", "backupName": "c", "instanceSetId": "set-1", "instanceSetName": "cache-a", "clusterMode": "disabled",
           "status": "Creating"}
    items = [listed("a", SET), listed("b", CLUSTER), odd]
    api = ScriptedApi({"/v1/backups": {"data": items}})
    found = read_backups(api, kind="instance_set", resource="cache-a")
    assert [(item["name"], item["kind"], item["resource_id"]) for item in found] == [("a", "instance_set", "set-1"), ("c", "instance_set", "set-1")]
    assert api.calls == [("/v1/backups", {"clusterName": "cache-a"})]
    assert [item["name"] for item in read_backups(api, resource=CLUSTER_ID)] == ["b"]
    assert api.calls[-1] == ("/v1/backups", {"clusterId": CLUSTER_ID})  # not a name: an id
    assert [item["name"] for item in read_backups(api, name="c")] == ["c"]


# --- planning -------------------------------------------------------------------------------------------------------
def test_a_backup_found_is_no_change_and_reads_nothing_but_the_list():
    api = ScriptedApi({"/v1/backups": {"backups": [listed("nightly", SET)]}})
    resource, plan = planned(api, instance_set="cache-a")
    assert plan.steps == () and not plan.adopting and resource.ready(resource.read())
    assert [path for path, _query in api.calls] == ["/v1/backups", "/v1/backups"]


def test_a_backup_found_being_taken_is_followed():
    api = ScriptedApi({"/v1/backups": {"backups": [listed("nightly", SET, status="Creating")]}})
    resource, plan = planned(api, instance_set="set-1")
    assert plan.steps == () and plan.adopting and not resource.ready(resource.read())


def test_the_create_names_the_resource_by_id_and_predicts_the_backup():
    api = ScriptedApi({"/v1/backups": {"backups": []}, "/v1/clusters": {"clusters": [SET]},
                       "/v1/instance-sets/set-1/instances": instances("primary", "replica")})
    resource, plan = planned(api, instance_set="cache-a")
    [step] = plan.steps
    assert isinstance(step, CreateBackup) and step.body == {"clusterId": "set-1", "name": "nightly"}
    assert plan.after == {"name": "nightly", "kind": "instance_set", "resource_name": "cache-a"}
    assert plan.predicted["backup"]["resource_id"] == "set-1" and plan.predicted["backup"]["status"] is None
    assert resource.writable(step, None)


@pytest.mark.parametrize("answers, params, message", [
    ({"/v1/clusters": {"clusters": [SET]}, "/v1/instance-sets/set-1/instances": instances("primary")}, dict(instance_set="cache-a"),
     "instance set 'cache-a' has 1 node: a manual backup needs at least 2 nodes, one of them a replica"),
    ({"/v1/clusters": {"clusters": [CLUSTER]}, "/v1/clusters/%s/shards" % CLUSTER_ID: shards(["primary", "replica"], ["primary"])},
     dict(cluster="orders-c"), "shard orders-c-002 of cluster 'orders-c' has no replica: a manual backup is taken from a replica"),
    ({"/v1/clusters": {"clusters": [dict(SET, status="Failed")]}, "/v1/instance-sets/set-1/instances": instances("primary", "replica")},
     dict(instance_set="cache-a"), "instance set 'cache-a' is Failed: a backup needs it Running"),
    ({"/v1/clusters": {"clusters": []}}, dict(cluster="orders-c"), "cluster: no cluster is named or has the id 'orders-c': nothing to back up"),
])
def test_preconditions_fail_the_plan_naming_the_rule(answers, params, message):
    api = ScriptedApi(dict({"/v1/backups": {"backups": []}}, **answers))
    with pytest.raises(PlanError) as refused:
        planned(api, **params)
    assert str(refused.value) == message


def test_a_failed_backup_and_a_name_of_another_resource_are_refused():
    api = ScriptedApi({"/v1/backups": {"backups": [listed("nightly", SET, status="Failed")]}})
    with pytest.raises(PlanError, match="backup 'nightly' of instance set 'cache-a' is Failed .*delete it"):
        planned(api, instance_set="cache-a")
    api = ScriptedApi({"/v1/backups": {"backups": [listed("nightly", CLUSTER)]}, "/v1/clusters": {"clusters": [SET]},
                       "/v1/instance-sets/set-1/instances": instances("primary", "replica")})
    with pytest.raises(PlanError, match="'nightly' is already the name of a backup of cluster 'orders-c'"):
        planned(api, instance_set="cache-a")


def test_a_busy_resource_or_another_backup_in_progress_waits():
    answers = {"/v1/backups": {"backups": [listed("other", SET, status="Creating")]}, "/v1/clusters": {"clusters": [SET]},
               "/v1/clusters/set-1": SET,  # once its id is known, the resource is read by id
               "/v1/instance-sets/set-1/instances": instances("primary", "replica")}
    resource, plan = planned(ScriptedApi(answers), instance_set="cache-a")
    assert not resource.writable(plan.steps[0], None)
    assert resource.describe(None) == "the backup does not exist; instance set 'cache-a' is Running, backup 'other' in progress"
    answers["/v1/backups"] = {"backups": [listed("other", SET)]}
    answers["/v1/instance-sets/set-1/instances"] = instances("primary", "replica", status="Modifying")
    resource, plan = planned(ScriptedApi(answers), instance_set="cache-a")
    assert not resource.writable(plan.steps[0], resource.read())
    answers["/v1/instance-sets/set-1/instances"] = instances("primary", "replica")
    assert resource.writable(plan.steps[0], resource.read())


def test_the_answers_that_mean_busy():
    resource = backup(ScriptedApi({}), instance_set="cache-a")
    assert resource.ambiguity(ApiError("POST", "/v1/backups", status=409, message="a backup is in progress")) is BUSY_ANSWER
    assert resource.ambiguity(ApiError("POST", "/v1/backups", status=422, message="no replica")) is None


def test_delete_waits_for_a_backup_being_taken_and_shows_once_gone():
    api = ScriptedApi({"/v1/backups": {"backups": [listed("nightly", SET, status="Creating")]}})
    resource, plan = planned(api, instance_set="cache-a", state="absent")
    [step] = plan.steps
    assert isinstance(step, DeleteBackup) and step.backup_id == "b-nightly"
    creating = resource.read()
    assert not resource.writable(step, creating) and not step.shows(creating)
    assert resource.writable(step, dict(creating, status="Available")) and step.shows(None)
