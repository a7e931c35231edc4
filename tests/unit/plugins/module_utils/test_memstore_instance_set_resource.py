"""MemStore instance sets through their public surface: the rules of the options, the
create body, the views, the plan of changes (InstanceSet.plan), the options fixed at
creation, what each step sends and when a state shows it, and the look-up against a
scripted list and detail."""

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError, Response
from ansible_collections.redisops.platform.plugins.module_utils._resource import PlanError
from ansible_collections.redisops.platform.plugins.module_utils._task import Task
from ansible_collections.redisops.platform.plugins.module_utils.memstore import steps as sets
from ansible_collections.redisops.platform.plugins.module_utils.memstore import views
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient
from ansible_collections.redisops.platform.plugins.module_utils.memstore.instance_set import InstanceSet

PARAM_DEFAULTS = dict((key, spec.get("default")) for key, spec in InstanceSet.argument_spec.items())


def params(**overrides):
    """Module params as AnsibleModule would hand them over (unset options are None)."""
    values = dict(PARAM_DEFAULTS, name="cache-set", wait=True, wait_timeout=1800)
    values.update(overrides)
    if values.get("subnet_assignment") is not None:
        values["subnet_assignment"] = dict({"replicas": []}, **values["subnet_assignment"])
    if values.get("backup") is not None:
        values["backup"] = dict({"enabled": True, "hour": None, "retention_days": None}, **values["backup"])
    return values


def instance(name, role, status="Running", subnet="subnet-1"):
    return {"objectId": "id-" + name, "instanceName": name, "role": role, "status": status, "endpoint": "10.0.0.%d" % len(name),
            "subnet": {"id": subnet}}


def live(nodes=2, ha=False, backup=None, statuses=None, **fields):
    """(resource, view) of a live set with ``nodes`` instances, the first one primary."""
    resource = {"id": "set-1", "name": "cache-set", "status": "Running", "clusterMode": "disabled", "description": "",
                "version": "7.2.7", "port": 6379, "flavorId": "flavor-1", "parameterGroupId": "pg-1",
                "securityGroups": [{"id": "sg-1"}], "subnets": [{"id": "subnet-1"}, {"id": "subnet-2"}, {"id": "subnet-3"}],
                "subnetAssignments": [{"primary": {"id": "subnet-1"}, "replicas": [{"id": "subnet-2"}]}],
                "tlsEnabled": False, "recoveryEnabled": ha, "backupSchedule": backup, "user": None, "restoreSource": None}
    resource.update(fields)
    statuses = statuses or ["Running"] * nodes
    items = [instance("cache-set-%d" % (index + 1), "primary" if index == 0 else "replica", statuses[index]) for index in range(nodes)]
    instances = [views.normalize_instance(item) for item in items]
    return resource, views.instance_set_view(resource, instances)


class FakeTask(Task):
    def __init__(self, **options):
        self.params = params(**options)
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


class PlanningApi(MemStoreClient):
    """A client that answers what a plan asks without a request: the project, and no list of offered versions."""

    project_id = "project"

    def __init__(self):
        super(PlanningApi, self).__init__(dict(api_url="https://memstore.example.com", auth_token="token", validate_certs=True,
                                               request_timeout=30))

    def redis_versions(self):
        return None


def instance_set(**options):
    """The resource of a task with ``options``."""
    return InstanceSet(FakeTask(**options), PlanningApi())


def plan(resource_view, **options):
    """``(steps, after)`` of the plan converging the live set to ``options``."""
    resource, view = resource_view
    planned = instance_set(**options).plan((resource, view["instances"]))
    return list(planned.steps), planned.after


def kinds(steps):
    return [type(step).__name__ for step in steps]


# --- validation --------------------------------------------------------------------------------
@pytest.mark.parametrize("name, message", [
    ("abc", "name must be 4 to 20 characters long (got 3)"),
    ("a" * 21, "name must be 4 to 20 characters long (got 21)"),
    ("Cache", "name may contain only lowercase letters, digits and '-'"),
    ("my cache", "name may contain only lowercase letters, digits and '-'"),
    ("9cache", "name must start with a lowercase letter"),
    ("-cache", "name must start with a lowercase letter"),
    ("cache-", "name must end with a lowercase letter or a digit"),
    ("ca--che", "name must not contain consecutive hyphens"),
])
def test_name_rules(name, message):
    errors = InstanceSet.validate(params(name=name))
    assert any(message in error for error in errors), errors


@pytest.mark.parametrize("name", ["abcd", "a" * 20, "cache-set-1", "c0-9z"])
def test_valid_names(name):
    assert InstanceSet.validate(params(name=name)) == []


@pytest.mark.parametrize("description, message", [
    ("x" * 101, "at most 100 characters (got 101)"),
    ("a\nb", "line breaks"),
    ("a\rb", "line breaks"),
    (u"party \U0001F389", "emoji (found U+1F389)"),
    (u"star \u2728", "emoji (found U+2728)"),
    (u"heart \u2764\ufe0f", "emoji (found U+2764)"),
    (u"math \U0001D400", "emoji (found U+1D400)"),  # outside the BMP
])
def test_description_rules(description, message):
    errors = InstanceSet.validate(params(description=description))
    assert len(errors) == 1 and message in errors[0], errors


@pytest.mark.parametrize("description", ["", "x" * 100, u"\ud55c\uad6d\uc5b4 \uc124\uba85", "caf\u00e9 - 50% (v2)"])
def test_valid_descriptions(description):
    assert InstanceSet.validate(params(description=description)) == []


@pytest.mark.parametrize("options, message", [
    (dict(port=1999), "port must be between 2000 and 50000 (got 1999)"),
    (dict(port=50001), "port must be between 2000 and 50000"),
    (dict(node_count=0), "node_count must be between 1 and 6"),
    (dict(node_count=7), "node_count must be between 1 and 6: one primary and at most 5 replicas (got 7)"),
    (dict(parameter_group_id=" "), "parameter_group_id must not be empty"),
    (dict(security_groups=[]), "security_groups must name at least one security group"),
    (dict(backup={"hour": -1, "retention_days": 1}), "backup.hour must be between 0 and 23 (got -1)"),
    (dict(backup={"hour": 0, "retention_days": 0}), "backup.retention_days must be between 1 and 35 (got 0)"),
    (dict(backup={}), "backup.hour and backup.retention_days required when backup.enabled is true"),
    (dict(restore_from={"backup_name": None, "files": []}), "restore_from.files must name at least one file"),
    (dict(restore_from={"backup_name": None, "files": ["bucket/"]}), "restore_from.files entries must look like bucket/folder/.../file"),
    (dict(subnets=[]), "subnets must name at least one subnet"),
    (dict(subnets=["a"], subnet_assignment={"primary": "b", "replicas": ["a", "c"]}),
     "subnet_assignment may use only subnets listed in subnets: b, c not in [a]"),
])
def test_option_rules(options, message):
    errors = InstanceSet.validate(params(**options))
    assert any(message in error for error in errors), errors


def test_every_broken_rule_gets_its_own_message():
    errors = InstanceSet.validate(params(name="Ab", port=1, node_count=9, description="\n"))
    assert len(errors) == 6, errors  # length, characters, start letter, description, port, node_count


def test_valid_options_and_disabled_backup_need_no_hour():
    assert InstanceSet.validate(params(port=2000, node_count=6, backup={"enabled": False}, parameter_group_id="pg",
                                subnets=["a", "b"], subnet_assignment={"primary": "a", "replicas": ["b"]},
                                restore_from={"backup_name": None, "files": ["bucket/dir/dump.rdb"]})) == []


# --- backup cron -----------------------------------------------------------------------------------
def test_backup_cron_round_trip():
    assert views.backup_cron(0) == "* 0 * * *" and views.cron_hour("* 23 * * *") == 23
    assert views.cron_hour("0 3 * * *") is None and views.cron_hour("") is None and views.cron_hour("* 3 * *") is None
    assert views.backup_view(None) == {"enabled": False, "hour": None, "retention_days": None, "cron": ""}
    assert views.backup_view({"cron": "", "retentionLimit": 7})["enabled"] is False
    assert views.backup_view({"cron": "* 5 * * *", "retentionLimit": "9"}) == {"enabled": True, "hour": 5, "retention_days": 9, "cron": "* 5 * * *"}


# --- create body ---------------------------------------------------------------------------------------
def create_params(**overrides):
    values = dict(version="7.2.7", port=6379, flavor_id="f", parameter_group_id="pg", node_count=4, security_groups=["sg", "sg"],
                  subnet_assignment={"primary": "s1", "replicas": ["s2", "s3"]})
    values.update(overrides)
    return values


def create_body(options, project_id):
    return instance_set(**options).create_body(project_id)


def test_create_body_new_set():
    body = create_body(create_params(backup={"hour": 2, "retention_days": 30}, high_availability=True, tls_enabled=False,
                                     description="d", user={"name": "app", "password": "hash"}), "project")
    assert body == {
        "instanceSetName": "cache-set", "replicas": 4, "flavorId": "f", "recoveryEnabled": True,
        "subnets": [{"id": "s1"}, {"id": "s2"}, {"id": "s3"}],
        "subnetAssignments": [{"primary": {"id": "s1"}, "replicas": [{"id": "s2"}, {"id": "s3"}, {"id": "s2"}]}],
        "securityGroups": [{"id": "sg"}], "parameterGroupId": "pg", "port": 6379, "projectId": "project", "version": "7.2.7",
        "description": "d", "tlsEnabled": False, "backupSchedule": {"cron": "* 2 * * *", "retentionLimit": 30},
        "user": {"name": "app", "password": "hash"},
    }


def test_create_body_defaults_and_restore_variants():
    body = create_body(create_params(node_count=2, subnet_assignment={"primary": "s1"}, backup={"enabled": False},
                                     subnets=["s1", "s9"], restore_from={"backup_name": "b1", "files": None}), "p")
    assert body["subnetAssignments"] == [{"primary": {"id": "s1"}, "replicas": [{"id": "s1"}]}]  # the primary's subnet
    assert body["subnets"] == [{"id": "s1"}, {"id": "s9"}] and body["recoveryEnabled"] is False
    assert "backupSchedule" not in body and "description" not in body and "tlsEnabled" not in body and "user" not in body
    assert body["restoreSource"] == {"backupName": "b1"}
    files = create_body(create_params(restore_from={"backup_name": None, "files": ["bkt/a.rdb", "bkt/b.rdb"]}), "p")
    assert files["restoreSource"] == {"files": ["bkt/a.rdb", "bkt/b.rdb"]}


def test_predicted_resource_has_no_user():
    planned = instance_set(**create_params(user={"name": "app", "password": "hash"})).plan(None)
    view = planned.predicted["instance_set"]
    assert view["name"] == "cache-set" and view["node_count"] == 4 and "hash" not in repr(view)
    assert planned.steps[0].body["user"] == {"name": "app", "password": "hash"} and "hash" not in repr(planned.steps[0])


# --- reading ---------------------------------------------------------------------------------------------
def test_instance_set_view_and_tolerant_instances():
    resource, view = live(nodes=3)
    assert view["node_count"] == 3 and view["primary"]["name"] == "cache-set-1"
    assert view["primary_endpoint"] == view["primary"]["endpoint"] and len(view["replica_endpoints"]) == 2
    assert view["security_groups"] == ["sg-1"] and view["subnets"] == ["subnet-1", "subnet-2", "subnet-3"]
    odd = views.normalize_instance({"id": "i1", "name": "n1", "role": "MASTER", "port": "6379", "subnet": "s1"})
    assert odd["id"] == "i1" and odd["role"] == "primary" and odd["port"] == 6379 and odd["subnet_id"] == "s1"
    assert views.live_assignments({"subnetAssignments": {"primary": {"id": "a"}, "replicas": [{"id": "b"}]}}) == [{"primary": "a", "replicas": ["b"]}]


# --- update ---------------------------------------------------------------------------------------------------
def test_update_body_sends_only_what_differs():
    resource, view = live(description="old", backupSchedule={"cron": "* 1 * * *", "retentionLimit": 7})
    body, changed = instance_set(description="old", parameter_group_id="pg-1", security_groups=["sg-1"],
                                 backup={"hour": 1, "retention_days": 7}).update_body(view)
    assert body == {} and changed == []
    body, changed = instance_set(description="", security_groups=["sg-2"], backup={"hour": 1, "retention_days": 8}).update_body(view)
    assert body == {"description": "", "securityGroups": [{"id": "sg-2"}], "backupSchedule": {"cron": "* 1 * * *", "retentionLimit": 8}}
    assert changed == ["description", "security_groups", "backup"]
    body, _changed = instance_set(backup={"enabled": False}).update_body(view)
    assert body == {"backupSchedule": {"cron": ""}}
    _resource, no_backup = live()
    assert instance_set(backup={"enabled": False, "hour": 3}).update_body(no_backup) == ({}, [])


def test_security_groups_compare_as_a_set():
    _resource, view = live(securityGroups=[{"id": "b"}, {"id": "a"}])
    assert instance_set(security_groups=["a", "b", "a"]).update_body(view) == ({}, [])


# --- plan: scale, HA, promote --------------------------------------------------------------------------------------
def test_nothing_to_do():
    steps, after = plan(live(nodes=2), node_count=2, high_availability=False)
    assert steps == [] and after["node_count"] == 2


def test_scale_up_round_robin_continues_after_existing_replicas():
    steps, after = plan(live(nodes=2), node_count=5, subnet_assignment={"primary": "subnet-1", "replicas": ["subnet-2", "subnet-3"]})
    # One replica exists (in the first replica subnet): the next ones continue the rotation.
    assert [step.subnet for step in steps] == ["subnet-3", "subnet-2", "subnet-3"] and after["node_count"] == 5


def test_scale_up_uses_the_live_assignment_and_checks_the_live_subnets():
    steps, _after = plan(live(nodes=1), node_count=2)
    assert [step.subnet for step in steps] == ["subnet-2"]
    with pytest.raises(PlanError, match="subnet-9 not among the subnets"):
        plan(live(nodes=1), node_count=2, subnet_assignment={"primary": "subnet-1", "replicas": ["subnet-9"]})


def test_scale_down_removes_replicas_not_running_first_then_the_newest():
    steps, _after = plan(live(nodes=4, statuses=["Running", "Running", "Failed", "Running"]), node_count=2)
    assert [step.instance["name"] for step in steps] == ["cache-set-3", "cache-set-4"]
    assert kinds(steps) == ["DeleteInstance", "DeleteInstance"]


def test_scale_down_never_removes_the_primary():
    steps, _after = plan(live(nodes=3, statuses=["Failed", "Running", "Running"]), node_count=1)
    assert "cache-set-1" not in [step.instance["name"] for step in steps]


def test_scale_down_with_ha_only_running_replicas():
    steps, _after = plan(live(nodes=3, ha=True, statuses=["Running", "Running", "Failed"]), node_count=2)
    assert [step.instance["name"] for step in steps] == ["cache-set-2"]
    with pytest.raises(PlanError, match="only Running replicas can be deleted"):
        plan(live(nodes=3, ha=True, statuses=["Running", "Failed", "Failed"]), node_count=2)


def test_two_node_set_with_active_backups_cannot_lose_a_node():
    backup = {"cron": "* 1 * * *", "retentionLimit": 1}
    with pytest.raises(PlanError, match="active automatic backup policy"):
        plan(live(nodes=3, backup=backup), node_count=1)
    steps, _after = plan(live(nodes=3, backup=backup), node_count=2)  # 3 -> 2 is allowed
    assert kinds(steps) == ["DeleteInstance"]
    steps, _after = plan(live(nodes=2, backup=backup), node_count=1, backup={"enabled": False})
    assert kinds(steps) == ["UpdateSet", "DeleteInstance"]  # backups off first


def test_promote_needs_ha_off():
    with pytest.raises(PlanError, match="high availability on"):
        plan(live(nodes=2, ha=True), primary_instance="cache-set-2")
    steps, after = plan(live(nodes=2, ha=True), primary_instance="cache-set-2", high_availability=False)
    assert kinds(steps) == ["SetRecovery", "PromoteInstance"] and steps[0].enabled is False
    assert after["primary_instance"] == "cache-set-2" and after["high_availability"] is False


def test_promote_first_when_the_task_turns_ha_on():
    steps, after = plan(live(nodes=2), primary_instance="id-cache-set-2", high_availability=True)
    assert kinds(steps) == ["PromoteInstance", "SetRecovery"] and steps[1].enabled is True and after["high_availability"] is True


def test_promote_target_checks():
    with pytest.raises(PlanError, match="'nope' is not an instance of instance set 'cache-set'"):
        plan(live(nodes=2), primary_instance="nope")
    steps, _after = plan(live(nodes=2, ha=True), primary_instance="cache-set-1")  # already primary: HA does not matter
    assert steps == []


def test_promote_then_scale_down_keeps_the_new_primary():
    steps, _after = plan(live(nodes=3), primary_instance="cache-set-3", node_count=2)
    assert kinds(steps) == ["PromoteInstance", "DeleteInstance"]
    assert steps[1].instance["name"] == "cache-set-2"


def test_full_order_update_ha_off_promote_scale():
    steps, _after = plan(live(nodes=2, ha=True), description="new", high_availability=False, primary_instance="cache-set-2", node_count=3,
                         subnet_assignment={"primary": "subnet-1", "replicas": ["subnet-2"]})
    assert kinds(steps) == ["UpdateSet", "SetRecovery", "PromoteInstance", "AddReplica"]


# --- immutable options ---------------------------------------------------------------------------------------------
def test_immutable_differences_and_message():
    resource, _view = live(user={"name": "app"})
    comparison = instance_set(
        version="6.2.17", port=6379, flavor_id="flavor-2", tls_enabled=False, user={"name": "app", "password": "new"},
        restore_from={"backup_name": None, "files": ["b/f"]}, subnet_assignment={"primary": "subnet-1"}, subnets=["subnet-1"]
    ).immutable_comparison(resource)
    assert [d[0] for d in comparison.differences] == ["version", "flavor_id", "restore_from", "subnets"] and comparison.unreadable == []
    message = comparison.message("instance set", "cache-set")
    assert "version (live: 7.2.7, wanted: 6.2.17)" in message and "restore_from (live: none, wanted: files=b/f)" in message
    assert "subnets (live: [subnet-1, subnet-2, subnet-3], wanted: [subnet-1])" in message
    assert "new" not in message


def test_options_the_live_set_does_not_show_are_reported_not_compared():
    resource, _view = live()
    for key in ("user", "restoreSource", "tlsEnabled"):
        del resource[key]
    comparison = instance_set(tls_enabled=True, user={"name": "app", "password": "x"},
                              restore_from={"backup_name": "b", "files": None}).immutable_comparison(resource)
    assert comparison.differences == [] and comparison.unreadable == ["tls_enabled", "user", "restore_from"]


# --- readiness and requests of each step ----------------------------------------------------------------------------------
def test_each_step_sends_its_request_and_knows_when_it_shows():
    resource, view = live(nodes=2)
    instances = view["instances"]
    add = sets.AddReplica("", set_id="set-1", subnet="subnet-2", count_before=2)
    assert add.request() == ("PATCH", "/v1/instance-sets/set-1/replicas", {"subnet": {"id": "subnet-2"}})
    assert not add.shows((resource, instances))
    add = sets.AddReplica("", set_id="set-1", subnet="subnet-2", count_before=1)
    assert add.shows((resource, instances))
    creating = [dict(i, status="Creating") for i in instances]
    assert not add.shows((resource, creating))
    assert not add.shows((dict(resource, status="Scaling(horizontal)"), instances))
    assert not add.shows((resource, None))  # instances not read while busy

    promote = sets.PromoteInstance("", set_id="set-1", instance=instances[1])
    assert promote.request() == ("PATCH", "/v1/instance-sets/set-1/primary", {"primaryId": "id-cache-set-2"})
    assert not promote.shows((resource, instances))

    remove = sets.DeleteInstance("", set_id="set-1", instance=instances[1])
    assert remove.request() == ("DELETE", "/v1/instance-sets/set-1/instances/id-cache-set-2", None)
    assert remove.shows((resource, instances[:1]))

    recovery = sets.SetRecovery("", set_id="set-1", enabled=True)
    assert recovery.request()[2] == {"enabled": True}
    assert not recovery.shows((resource, instances)) and recovery.shows((dict(resource, recoveryEnabled=True), instances))

    update = sets.UpdateSet("", set_id="set-1", body={"description": "x", "backupSchedule": {"cron": ""}})
    assert not update.shows((resource, instances))
    assert update.shows((dict(resource, description="x"), instances))


def test_steps_are_immutable_and_planned_with_their_counts():
    resource, view = live(nodes=1)
    steps, _after = plan((resource, view), node_count=3, subnet_assignment={"primary": "subnet-1", "replicas": ["subnet-2"]})
    assert [step.count_before for step in steps] == [1, 2]
    with pytest.raises(AttributeError):
        steps[0].count_before = 5


# --- look-up: the list item is used when it holds the compared fields -------------------------------------------------
class ListedApi(MemStoreClient):
    """A MemStoreClient whose GETs answer from a dict of path -> (status, body)."""

    def __init__(self, answers):  # pylint: disable=super-init-not-called
        self.answers = answers
        self.calls = []

    def get(self, path, **_kwargs):
        self.calls.append(path)
        status, body = self.answers.get(path, (404, None))
        return Response(status, body, {})


def _listed_set(**fields):
    resource, _view = live(**fields)
    item = dict(resource, instanceSetName=resource["name"])
    instances = {"size": 1, "data": [{"objectId": "i1", "instanceName": "cache-set-1", "role": "primary", "status": "Running"}]}
    return item, instances


def test_lookup_uses_a_complete_list_item_without_the_detail():
    item, instances = _listed_set()
    api = ListedApi({"/v1/clusters": (200, {"clusters": [item]}), "/v1/instance-sets/set-1/instances": (200, instances)})
    resource, found = InstanceSet.lookup(api, name="cache-set")
    assert resource["id"] == "set-1" and [i["name"] for i in found] == ["cache-set-1"]
    assert api.calls == ["/v1/clusters", "/v1/instance-sets/set-1/instances"]


def test_lookup_reads_the_detail_when_the_list_item_is_short():
    item, instances = _listed_set()
    short = {"objectId": "set-1", "instanceSetName": "cache-set", "clusterMode": "disabled"}
    api = ListedApi({"/v1/clusters": (200, [short]), "/v1/clusters/set-1": (200, {"data": item}),
                     "/v1/instance-sets/set-1/instances": (200, instances)})
    resource, _found = InstanceSet.lookup(api, name="cache-set")
    assert resource["version"] == "7.2.7"
    assert api.calls == ["/v1/clusters", "/v1/clusters/set-1", "/v1/instance-sets/set-1/instances"]


def test_lookup_by_id_of_a_cluster_is_a_clear_error_and_absent_is_none():
    item, _instances = _listed_set(clusterMode="enabled")
    api = ListedApi({"/v1/clusters/set-1": (200, item)})
    with pytest.raises(ClientError, match="cluster mode enabled, not an instance set"):
        InstanceSet.lookup(api, resource_id="set-1")
    assert InstanceSet.lookup(ListedApi({"/v1/clusters": (200, {"clusters": []})}), name="cache-set") is None
