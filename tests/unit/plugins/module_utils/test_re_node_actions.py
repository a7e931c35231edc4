"""The node actions' module_utils: each action's options, effect, predicted state and state
path, the shapes of action objects, and the resource's waits."""

import pytest
import yaml

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, Response
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise import node_actions as actions
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise import nodes
from ansible_collections.redisops.platform.plugins.modules import re_node_action

CONNECTION = dict(url="https://node1.example.com:9443", username="admin@example.com", password="Secret-Passw0rd",
                  validate_certs=True, request_timeout=30)
SNAPSHOT = {"name": "maintenance_mode_2024-09-06_20-47-23", "created_time": "2024-09-06 20:47:23", "node_uid": "2"}


@pytest.mark.parametrize("state, ready, failed", [
    ("completed", True, False), ("failed", True, True), ("aborted", True, True), ("cancelled", True, True),
    ("queued", False, False), ("starting", False, False), ("running", False, False), ("cancelling", False, False),
    ("rebalancing", True, False),
])
def test_the_resource_waits_for_an_action_of_its_own_and_fails_on_its_failure(state, ready, failed):
    module = type("Module", (), dict(params=dict(CONNECTION, node_uid=2, action="maintenance_on", state="present"), check_mode=False))()
    resource = actions.NodeAction(module, None)
    resource.journal.plan = resource.plan(dict(action=None, node={"has_maintenance_snapshot": False}))
    action = actions.normalize_action({"status": state, "task_id": "t-1"})
    assert (resource.ready(dict(action=action)), resource.failed(dict(action=action))) == (ready, failed)
    # The same action as read before the task (a leftover) is not this task's: its failure is not ours.
    leftover = actions.NodeAction(module, None)
    leftover.journal.plan = leftover.plan(dict(action=action, node={"has_maintenance_snapshot": False}))
    assert not leftover.failed(dict(action=action))


def test_normalize_action_fills_in_and_reads_strings():
    normalized = actions.normalize_action({"status": "Running", "progress": "42.0", "node_uid": 3}, name="remove")
    assert normalized == dict(name="remove", node_uid="3", status="running", progress=42, task_id=None)
    assert actions.normalize_action({}, name="remove", node_uid=5)["node_uid"] == "5"


@pytest.mark.parametrize("body, expected", [
    ({"error_code": "a", "error_message": "b"}, ("a", "b")),
    ({"error": {"code": "a", "message": "b"}}, ("a", "b")),
    ({"error": "b"}, (None, "b")),
    ({"description": "b"}, (None, "b")),
    ({}, (None, None)),
])
def test_action_error_shapes(body, expected):
    assert actions.action_error(body) == expected


@pytest.mark.parametrize("name, node, expected", [
    ("maintenance_on", {"maintenance_snapshot": SNAPSHOT}, True),
    ("maintenance_on", {}, False),
    ("maintenance_on", {"maintenance_snapshot": {}}, False),
    ("maintenance_off", {}, True),
    ("maintenance_off", {"maintenance_snapshot": SNAPSHOT}, False),
    ("enslave_node", {"role": "slave"}, True),
    ("enslave_node", {"role": "replica"}, True),
    ("enslave_node", {"role": "master"}, False),
    ("remove", {"status": "active"}, False),
])
def test_each_action_knows_its_effect(name, node, expected):
    assert actions.NODE_ACTIONS[name].done(nodes.normalize_node_status(node, 2)) is expected


def test_a_missing_node_is_removed_and_nothing_else():
    assert actions.NODE_ACTIONS["remove"].done(None) is True
    for name in ("maintenance_on", "maintenance_off", "enslave_node"):
        assert actions.NODE_ACTIONS[name].done(None) is False


def test_option_ownership():
    assert actions.misplaced_options("remove", dict(wait_for_persistence=True, evict_dbs=None, snapshot_name="x")) == ["snapshot_name"]
    assert set(actions.ALL_ACTION_OPTIONS) == set(re_node_action_options()) - {"node_uid", "action", "state"}


def re_node_action_options():
    """The module's own options, read from its DOCUMENTATION (the shared fragments' are not there)."""
    documented = yaml.safe_load(re_node_action.DOCUMENTATION)["options"]
    return [name for name in documented if name != "wait_timeout"]


@pytest.mark.parametrize("name, path", [
    ("remove", "/v1/nodes/2"),
    ("maintenance_on", "/v1/nodes/2/status"),
    ("maintenance_off", "/v1/nodes/2/status"),
    ("enslave_node", "/v1/nodes/2/status"),
])
def test_each_action_reads_the_node_where_its_effect_shows(name, path):
    assert actions.NODE_ACTIONS[name].state_path(2) == path


@pytest.mark.parametrize("name, changed", [
    ("maintenance_on", dict(has_maintenance_snapshot=True)),
    ("maintenance_off", dict(has_maintenance_snapshot=False)),
    ("enslave_node", dict(role="slave")),
    ("remove", dict(role=None, node_status=None, has_maintenance_snapshot=False, removed=True)),
])
def test_each_action_predicts_the_node_it_leaves(name, changed):
    node = nodes.normalize_node_status({"role": "master", "node_status": "active", "maintenance_snapshot": SNAPSHOT}, 2)
    before = actions.node_summary(node)
    assert actions.NODE_ACTIONS[name].predicted(node) == dict(before, **changed)


def test_each_action_sends_only_its_own_options_and_always_an_object():
    params = dict(overwrite_snapshot=True, evict_dbs=["1"], evict_ha_replica=None, snapshot_name="s", wait_for_persistence=False)
    bodies = dict((name, kind.body(params)) for name, kind in actions.NODE_ACTIONS.items())
    assert bodies == {"maintenance_on": {"overwrite_snapshot": True, "evict_dbs": ["1"]}, "maintenance_off": {"snapshot_name": "s"},
                      "remove": {"wait_for_persistence": False}, "enslave_node": {}}


class ScriptedGets:
    """GET answers by path (a path not listed answers 404)."""

    def __init__(self, answers):
        self.answers = answers

    def get(self, path, **_kwargs):
        if path not in self.answers:
            raise ApiError("GET", path, status=404, code="not_found", message="no such thing")
        return Response(200, self.answers[path], {})


@pytest.mark.parametrize("name, answers, expected", [
    ("remove", {"/v1/nodes/2": {"uid": "2", "status": "active"}}, ("2", False)),
    ("remove", {}, None),
    ("maintenance_on", {"/v1/nodes/2/status": {"role": "master", "maintenance_snapshot": SNAPSHOT}}, ("2", True)),
    ("maintenance_on", {}, None),
])
def test_the_client_reads_the_node_state_an_action_needs(monkeypatch, name, answers, expected):
    client = actions.NodeActionsClient(CONNECTION)
    monkeypatch.setattr(client, "get", ScriptedGets(answers).get)
    state = client.node_state(2, actions.NODE_ACTIONS[name])
    assert (state if state is None else (state["uid"], state["has_maintenance_snapshot"])) == expected
