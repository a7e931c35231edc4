"""re_node_action and re_node_action_info against a scripted API: the decisions the
emulator cannot easily provoke (races, unknown statuses, vanished statuses)."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, HttpClient, Response, parse_error_body
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils._wait import Waiter
from ansible_collections.redisops.platform.plugins.modules import re_node_action, re_node_action_info

CONNECTION = dict(url="https://node1.example.com:9443", username="admin@example.com", password="Secret-Passw0rd")
STATUS = "/v1/nodes/2/status"
MAINTENANCE_ON = "/v1/nodes/2/actions/maintenance_on"
SNAPSHOT = {"name": "maintenance_mode_2024-09-06_20-47-23", "created_time": "2024-09-06 20:47:23", "node_uid": "2"}
NOT_FOUND = (404, {"error_code": "action_not_found", "description": "no such action"})
CLUSTER = "/v1/cluster"  # every module reads the cluster's name once (its result's cluster_name)


class ScriptedApi:
    """Answers (method, path) from a script: a list of (status, body), the last one repeated."""

    def __init__(self, script):
        self.script = dict((key, list(answers)) for key, answers in script.items())
        self.script.setdefault(("GET", CLUSTER), [(200, {"name": "cluster.example.com"})])
        self.calls = []

    def request(self, method, path, json_body=None, **_kwargs):
        self.calls.append((method, path, json_body))
        answers = self.script.get((method, path))
        assert answers, "unexpected request %s %s" % (method, path)
        status, body = answers.pop(0) if len(answers) > 1 else answers[0]
        if callable(status):  # an answer computed when asked: (callable, None)
            status, body = status()
        if 200 <= status < 300:
            return Response(status, body, {})
        code, message = parse_error_body(body)
        raise ApiError(method, path, status=status, code=code, message=message)

    @property
    def writes(self):
        return [call for call in self.calls if call[0] != "GET"]


@pytest.fixture
def run(monkeypatch, capsys):
    """run(module, script, **args) -> (result, api): one module run against the script, waits on a fake clock."""

    def waiter(module):
        clock = [0.0]

        def sleep(seconds):
            clock[0] += seconds

        return Waiter(module.params["wait_timeout"], check_mode=module.check_mode, clock=lambda: clock[0], sleep=sleep)

    monkeypatch.setattr(RedisOpsModule, "waiter", waiter)

    def run_module(module, script, **args):
        api = ScriptedApi(script)
        monkeypatch.setattr(HttpClient, "request", lambda _self, method, path, **kwargs: api.request(method, path, **kwargs))
        with patch_module_args(dict(CONNECTION, **args)):
            with pytest.raises(SystemExit):
                module.main()
        return json.loads(capsys.readouterr().out), api

    return run_module


def status(**extra):
    body = {"role": "slave", "node_status": "active", "shard_count": 2}
    body.update(extra)
    return (200, body)


def action(state, progress, **extra):
    body = {"name": "maintenance_on", "node_uid": "2", "status": state, "progress": progress, "task_id": "t-1"}
    body.update(extra)
    return (200, body)


# --- the module ---------------------------------------------------------------------------
def test_an_option_of_another_action_is_rejected_before_any_request(run):
    result, api = run(re_node_action, {}, node_uid=2, action="maintenance_on", skip_shards_restore=True, wait_for_persistence=True)
    assert result["failed"]
    assert "option skip_shards_restore does not apply to action maintenance_on (it belongs to maintenance_off)" in result["msg"]
    assert "option wait_for_persistence does not apply to action maintenance_on (it belongs to remove)" in result["msg"]
    assert api.calls == []


def test_maintenance_on_posts_an_empty_object_and_follows_string_progress(run):
    result, api = run(re_node_action, {
        ("GET", STATUS): [status(), status(maintenance_snapshot=SNAPSHOT)],
        ("GET", MAINTENANCE_ON): [NOT_FOUND, action("starting", "0"), action("running", "40"), action("completed", "100")],
        ("POST", MAINTENANCE_ON): [(200, {"status": "queued", "task_id": "t-1"})],
    }, node_uid=2, action="maintenance_on")
    assert result["changed"] is True
    assert result["action"] == dict(name="maintenance_on", node_uid="2", status="completed", progress=100, task_id="t-1", adopted=False)
    assert result["node_status"]["has_maintenance_snapshot"] is True
    assert result["node_status"]["maintenance_snapshot"] == SNAPSHOT
    assert api.writes == [("POST", MAINTENANCE_ON, {})]  # always a JSON object
    assert result["duration"] > 0


def test_progress_lets_the_module_poll_less_and_notice_the_end_no_later(run, monkeypatch):
    """An action that runs 1% per second after 3 s (completed at 103 s): with its progress the
    module polls far less than by time alone, and still returns within 1 s of the end."""
    clock = [0.0]
    monkeypatch.setattr(RedisOpsModule, "waiter", lambda module: Waiter(
        module.params["wait_timeout"], clock=lambda: clock[0], sleep=lambda seconds: clock.__setitem__(0, clock[0] + seconds)))

    def progress_now():
        done = int(max(0.0, clock[0] - 3.0))
        return action("completed", "100") if done >= 100 else action("running", str(done))

    polls, late = {}, {}
    for with_progress in (True, False):
        clock[0] = 0.0
        if not with_progress:
            monkeypatch.setattr(re_node_action.NodeAction, "progress", lambda _self, _state: None)
        script = {("GET", STATUS): [status(), status(maintenance_snapshot=SNAPSHOT)],
                  ("GET", MAINTENANCE_ON): [NOT_FOUND] + [(progress_now, None)] * 1000,
                  ("POST", MAINTENANCE_ON): [(200, {"status": "queued", "task_id": "t-1"})]}
        result, api = run(re_node_action, script, node_uid=2, action="maintenance_on")
        assert result["changed"] is True and result["action"]["status"] == "completed"
        polls[with_progress] = len([c for c in api.calls if c[:2] == ("GET", MAINTENANCE_ON)])
        late[with_progress] = clock[0] - 103.0
    assert polls[True] < polls[False] / 2
    assert 0 <= late[True] <= 1.0 and late[True] <= late[False] <= max(1.0, 103.0 / 10.0)


def test_a_node_in_maintenance_is_left_alone_with_one_read_and_the_cluster_named(run):
    result, api = run(re_node_action, {("GET", STATUS): [status(maintenance_snapshot=SNAPSHOT)]},
                      node_uid=2, action="maintenance_on", overwrite_snapshot=True)
    assert result["changed"] is False and result["action"] == {}
    assert result["cluster_name"] == "cluster.example.com"
    assert sorted(api.calls) == [("GET", CLUSTER, None), ("GET", STATUS, None)]  # read at once, in either order


def test_a_cluster_name_the_node_cannot_tell_does_not_fail_the_task(run):
    result, api = run(re_node_action, {("GET", STATUS): [status(maintenance_snapshot=SNAPSHOT)],
                                       ("GET", CLUSTER): [(503, {"error_code": "node_not_in_cluster"})]},
                      node_uid=2, action="maintenance_on")
    assert result.get("failed") is not True and result["cluster_name"] is None
    assert sorted(api.calls) == [("GET", CLUSTER, None), ("GET", STATUS, None)]  # read at once, in either order


@pytest.mark.parametrize("name, node, args, body", [
    ("maintenance_off", status(maintenance_snapshot=SNAPSHOT), dict(snapshot_name="snap1", skip_shards_restore=True),
     {"snapshot_name": "snap1", "skip_shards_restore": True}),
    ("maintenance_on", status(), dict(overwrite_snapshot=True, evict_dbs=["1", "3"]), {"overwrite_snapshot": True, "evict_dbs": ["1", "3"]}),
    ("remove", (200, {"uid": 2, "status": "active"}), {}, {}),
    ("remove", (200, {"uid": 2, "status": "active"}), dict(wait_for_persistence=False), {"wait_for_persistence": False}),
])
def test_the_body_carries_the_options_set(run, name, node, args, body):
    path = "/v1/nodes/2/actions/%s" % name
    node_path = "/v1/nodes/2" if name == "remove" else STATUS
    result, api = run(re_node_action, {
        ("GET", node_path): [node],
        ("GET", path): [NOT_FOUND],
        ("POST", path): [(200, {"status": "queued", "task_id": "t-9"})],
    }, node_uid=2, action=name, wait=False, **args)
    assert result["changed"] is True
    assert result["action"]["status"] == "queued" and result["action"]["task_id"] == "t-9"
    assert api.writes == [("POST", path, body)]
    assert len(api.calls) == 4  # the cluster's name, the node, the action, the POST (wait=false: nothing polled)


def test_remove_counts_a_vanished_status_of_a_vanished_node_as_completed(run):
    result, api = run(re_node_action, {
        ("GET", "/v1/nodes/3"): [(200, {"uid": 3, "status": "active"}), (404, {"error_code": "node_not_found"})],
        ("GET", "/v1/nodes/3/actions/remove"): [NOT_FOUND, (200, {"status": "running", "progress": 90}), NOT_FOUND],
        ("POST", "/v1/nodes/3/actions/remove"): [(200, {"status": "queued", "task_id": "t-3"})],
    }, node_uid=3, action="remove")
    assert result["changed"] is True
    assert result["action"]["status"] == "completed"
    assert result["node_status"]["removed"] is True and result["node_status"]["uid"] == "3"


ABSENT_NODE_WARNING = ("node 42 is not a member of the cluster (GET /v1/nodes/42 answered 404): it was either already removed or "
                       "never a member; nothing was sent. Check node_uid if you expected node 42 in the cluster")


@pytest.fixture
def module_warnings(monkeypatch):
    """The warnings of the module runs of a test (Ansible keeps its own list for the whole process)."""
    said = []
    monkeypatch.setattr(RedisOpsModule, "warn", lambda _self, text: said.append(text))
    return said


@pytest.mark.parametrize("check_mode", [False, True])
def test_remove_of_a_node_the_cluster_does_not_have_changes_nothing_and_says_why(run, module_warnings, check_mode):
    result, api = run(re_node_action, {("GET", "/v1/nodes/42"): [(404, {"error_code": "node_not_found"})]},
                      node_uid=42, action="remove", _ansible_check_mode=check_mode)
    assert (result["changed"], result["actions"], result["action"]) == (False, [], {})
    assert module_warnings == [ABSENT_NODE_WARNING]
    assert result["node_status"]["removed"] is True and result["node_status"]["uid"] == "42"
    assert api.writes == []


def test_a_node_removed_by_the_task_itself_is_not_warned_about(run, module_warnings):
    result, _api = run(re_node_action, {
        ("GET", "/v1/nodes/3"): [(200, {"uid": 3, "status": "active"}), (404, {"error_code": "node_not_found"})],
        ("GET", "/v1/nodes/3/actions/remove"): [NOT_FOUND, (200, {"status": "completed", "progress": 100})],
        ("POST", "/v1/nodes/3/actions/remove"): [(200, {"status": "queued", "task_id": "t-3"})],
    }, node_uid=3, action="remove")
    assert result["changed"] is True and result["node_status"]["removed"] is True
    assert module_warnings == []


def test_an_already_replica_node_is_not_enslaved(run):
    result, api = run(re_node_action, {("GET", "/v1/nodes/1/status"): [status(role="slave")]}, node_uid=1, action="enslave_node")
    assert result["changed"] is False and api.writes == []


def test_a_409_adopts_the_running_action(run):
    result, api = run(re_node_action, {
        ("GET", STATUS): [status(), status(maintenance_snapshot=SNAPSHOT)],
        ("GET", MAINTENANCE_ON): [NOT_FOUND, action("running", 70), action("completed", 100)],
        ("POST", MAINTENANCE_ON): [(409, {"error_code": "conflict", "description": "already running"})],
    }, node_uid=2, action="maintenance_on")
    assert result["changed"] is False
    assert result["action"]["adopted"] is True and result["action"]["status"] == "completed"
    assert len(api.writes) == 1


def test_check_mode_adopts_without_waiting_or_writing(run):
    result, api = run(re_node_action, {
        ("GET", STATUS): [status()],
        ("GET", MAINTENANCE_ON): [action("running", "20")],
    }, node_uid=2, action="maintenance_on", _ansible_check_mode=True)
    assert result["changed"] is False and result["action"]["adopted"] is True and result["action"]["progress"] == 20
    assert api.writes == [] and len(api.calls) == 3  # the cluster's name, the node, the action


def test_an_unknown_status_is_polled_until_the_timeout(run):
    result, _api = run(re_node_action, {
        ("GET", STATUS): [status()],
        ("GET", MAINTENANCE_ON): [NOT_FOUND, action("migrating_shards", "70")],
        ("POST", MAINTENANCE_ON): [(200, {"status": "queued"})],
    }, node_uid=2, action="maintenance_on", wait_timeout=30)
    assert result["failed"]
    assert result["msg"] == ("timed out after 30s (wait_timeout) waiting for maintenance_on on node 2 "
                             "(last seen: status migrating_shards, progress 70%); done so far: started maintenance_on on node 2")
    assert result["changed"] is True  # the action was started: something changed
    assert result["action"]["status"] == "migrating_shards" and result["duration"] >= 30
    assert "error_code" not in result


def test_a_cancelled_action_fails_with_its_error(run):
    result, _api = run(re_node_action, {
        ("GET", STATUS): [status()],
        ("GET", MAINTENANCE_ON): [NOT_FOUND, action("cancelled", 30, error={"code": "cancelled_by_user", "message": "stopped"})],
        ("POST", MAINTENANCE_ON): [(200, {"status": "queued"})],
    }, node_uid=2, action="maintenance_on")
    assert result["failed"]
    assert result["error_code"] == "cancelled_by_user" and result["error_message"] == "stopped"
    assert "status cancelled, progress 30%, error_code cancelled_by_user: stopped" in result["msg"]


def test_a_cancelling_action_is_let_stop_before_starting_anew(run):
    result, api = run(re_node_action, {
        ("GET", STATUS): [status(), status(maintenance_snapshot=SNAPSHOT)],
        ("GET", MAINTENANCE_ON): [action("cancelling", 30), action("cancelled", 30), action("completed", 100)],
        ("POST", MAINTENANCE_ON): [(200, {"status": "queued"})],
    }, node_uid=2, action="maintenance_on")
    assert result["changed"] is True and result["action"]["status"] == "completed"
    assert [call[0] for call in api.writes] == ["POST"]


def test_a_missing_node_is_a_clear_failure(run):
    result, api = run(re_node_action, {("GET", STATUS): [(404, {"error_code": "node_not_found"})]}, node_uid=2, action="maintenance_off")
    assert result["failed"] and result["msg"].startswith("node 2 does not exist in the cluster")
    assert api.writes == []


def test_cancel_that_loses_the_race_changes_nothing(run, monkeypatch):
    warnings = []
    monkeypatch.setattr(RedisOpsModule, "warn", lambda _self, text: warnings.append(text))
    result, api = run(re_node_action, {
        ("GET", MAINTENANCE_ON): [action("running", 90), action("completed", 100)],
        ("DELETE", MAINTENANCE_ON): [NOT_FOUND],
        ("GET", STATUS): [status(maintenance_snapshot=SNAPSHOT)],
    }, node_uid=2, action="maintenance_on", state="absent")
    assert result["changed"] is False and result["action"]["status"] == "completed"
    assert result["actions"] == ["found maintenance_on on node 2 already finished: nothing to cancel"]
    assert warnings == []  # nothing was cancelled, so nothing "ended before it could be cancelled"


def test_cancel_adopts_a_cancellation_under_way(run):
    result, api = run(re_node_action, {
        ("GET", MAINTENANCE_ON): [action("cancelling", 50), action("cancelled", 50)],
        ("GET", STATUS): [status()],
    }, node_uid=2, action="maintenance_on", state="absent")
    assert result["changed"] is False and result["action"]["adopted"] is True and result["action"]["status"] == "cancelled"
    assert api.writes == []


def test_cancel_warns_when_the_action_finished_first(run, monkeypatch):
    # Collected here: how AnsibleModule reports warnings depends on what else the test process imported.
    warnings = []
    monkeypatch.setattr(RedisOpsModule, "warn", lambda _self, text: warnings.append(text))
    result, api = run(re_node_action, {
        ("GET", MAINTENANCE_ON): [action("running", 90), action("completed", 100)],
        ("DELETE", MAINTENANCE_ON): [(200, {})],
        ("GET", STATUS): [status(maintenance_snapshot=SNAPSHOT)],
    }, node_uid=2, action="maintenance_on", state="absent")
    assert result["changed"] is True
    assert warnings == ["maintenance_on on node 2 ended completed before it could be cancelled"]


def test_cancel_as_a_read_only_user_names_the_admin_role(run):
    result, api = run(re_node_action, {
        ("GET", MAINTENANCE_ON): [action("running", 10)],
        ("DELETE", MAINTENANCE_ON): [(403, {"error_code": "forbidden", "description": "role does not allow"})],
    }, node_uid=2, action="maintenance_on", state="absent")
    assert result["failed"]
    assert result["msg"].startswith("cancelling maintenance_on on node 2 needs a user with the admin role (user 'admin@example.com' was refused)")
    assert "Secret-Passw0rd" not in json.dumps(result)


@pytest.mark.parametrize("args, path, body, expected", [
    ({}, "/v1/nodes/actions", [{"name": "remove", "node_uid": 1, "status": "running", "progress": "10"}],
     [("remove", "1", 10)]),
    (dict(node_uid=1), "/v1/nodes/1/actions", {"actions": [{"name": "remove", "node_uid": "1", "status": "running", "progress": 10}]},
     [("remove", "1", 10)]),
    (dict(node_uid=1, action="remove"), "/v1/nodes/1/actions/remove", {"status": "completed", "progress": "100"},
     [("remove", "1", 100)]),
    (dict(node_uid=1, action="remove"), "/v1/nodes/1/actions/remove", None, []),
    (dict(node_uid=7), "/v1/nodes/7/actions", None, []),
])
def test_info_reads_every_shape(run, args, path, body, expected):
    answer = NOT_FOUND if body is None else (200, body)
    result, api = run(re_node_action_info, {("GET", path): [answer]}, **args)
    assert result["changed"] is False
    assert [(a["name"], a["node_uid"], a["progress"]) for a in result["actions"]] == expected
    assert result["cluster_name"] == "cluster.example.com"
    assert sorted(api.calls) == sorted([("GET", path, None), ("GET", CLUSTER, None)])  # read at once, in either order


@pytest.mark.parametrize("module, args, fragment", [
    (re_node_action, dict(node_uid=-1, action="remove"), "node_uid must be a positive integer, the uid of a node of the cluster (got -1)"),
    (re_node_action, dict(node_uid=0, action="maintenance_on"), "node_uid must be a positive integer"),
    (re_node_action_info, dict(node_uid=0), "node_uid must be a positive integer"),
    (re_node_action_info, dict(node_uid=2, action="reboot"), "value of action must be one of: remove, maintenance_on, maintenance_off, enslave_node"),
])
def test_read_paths_refuse_what_cannot_exist_before_any_request(run, module, args, fragment):
    result, api = run(module, {}, **args)
    assert result["failed"] and fragment in result["msg"]
    assert api.calls == []
