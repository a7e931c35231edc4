"""Tolerant readers of what the APIs return: statuses, lists, node information."""

import pytest

from ansible_collections.redisops.platform.plugins.module_utils import _http, _memstore, _redis_enterprise


@pytest.mark.parametrize("status, expected", [
    ("Running", _memstore.RUNNING),
    ("RUNNING", _memstore.RUNNING),
    ("Failed", _memstore.FAILED),
    ("FAILED", _memstore.FAILED),
    ("Scaling(horizontal)", _memstore.BUSY),
    ("PROVISIONING", _memstore.BUSY),
    ("Init", _memstore.BUSY),
    ("SomethingNew", _memstore.BUSY),
    (None, _memstore.BUSY),
])
def test_status_class(status, expected):
    assert _memstore.status_class(status) == expected


def test_normalize_status_ignores_case_and_punctuation():
    assert _memstore.normalize_status("Scaling(horizontal)") == _memstore.normalize_status("SCALING_HORIZONTAL")


@pytest.mark.parametrize("body", [
    [{"id": "a", "name": "one"}],
    {"clusters": [{"id": "a", "name": "one"}]},
    {"data": [{"objectId": "a", "instanceSetName": "one"}]},
])
def test_list_shapes_are_read_alike(body):
    items = [_memstore.normalize_item(item) for item in _memstore._items(body)]  # pylint: disable=protected-access
    assert [(item["id"], item["name"]) for item in items] == [("a", "one")]


@pytest.mark.parametrize("value, expected", [
    (True, _memstore.MODE_ENABLED), ("ENABLED", _memstore.MODE_ENABLED), ("disabled", _memstore.MODE_DISABLED),
    (False, _memstore.MODE_DISABLED), (None, None), ("weird", None),
])
def test_cluster_mode(value, expected):
    assert _memstore.normalize_mode(value) == expected


def test_node_info_reads_both_address_spellings_and_uid_types():
    documented = _redis_enterprise.normalize_node_info({"uid": 3, "available_addrs": [{"address": "10.0.0.1"}]})
    real = _redis_enterprise.normalize_node_info({"uid": "3", "available_addresses": [{"address": "10.0.0.1"}]})
    assert documented == real
    assert documented["uid"] == "3"
    assert documented["available_addresses"] == [{"address": "10.0.0.1"}]


def test_bootstrap_without_status_is_unknown_not_a_crash():
    assert _redis_enterprise.normalize_bootstrap(None)["bootstrap_status"]["state"] == "unknown"


@pytest.mark.parametrize("value, expected", [("10", 10), (10, 10), ("10.0", 10), (None, None), ("", None), ("n/a", None)])
def test_to_int(value, expected):
    assert _http.to_int(value) == expected


def test_action_lists_bare_or_wrapped():
    action = {"name": "remove", "status": "running"}
    assert _redis_enterprise.read_action_list([action]) == [action]
    assert _redis_enterprise.read_action_list({"actions": [action]}) == [action]
    assert _redis_enterprise.read_action_list({}) == []
