"""Tolerant readers of what the APIs return: statuses, lists, node information."""

import pytest

from ansible_collections.redisops.platform.plugins.module_utils import _http
from ansible_collections.redisops.platform.plugins.module_utils.memstore import client as _memstore
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise import client as _redis_enterprise


@pytest.mark.parametrize("status, running, failed, busy, deleting", [
    ("Running", True, False, False, False),
    ("RUNNING", True, False, False, False),
    ("Failed", False, True, False, False),
    ("FAILED", False, True, False, False),
    ("Scaling(horizontal)", False, False, True, False),
    ("PROVISIONING", False, False, True, False),
    ("Init", False, False, True, False),
    ("Deleting", False, False, True, True),
    ("SomethingNew", False, False, True, False),
    (None, False, False, True, False),
])
def test_status_predicates(status, running, failed, busy, deleting):
    assert (_memstore.is_running(status), _memstore.is_failed(status), _memstore.is_busy(status),
            _memstore.is_deleting(status)) == (running, failed, busy, deleting)


def test_normalize_status_ignores_case_and_punctuation():
    assert _memstore.normalize_status("Scaling(horizontal)") == _memstore.normalize_status("SCALING_HORIZONTAL")


@pytest.mark.parametrize("body", [
    [{"id": "a", "name": "one"}],
    {"clusters": [{"id": "a", "name": "one"}]},
    {"data": [{"objectId": "a", "instanceSetName": "one"}]},
])
def test_list_shapes_are_read_alike(body):
    items = [_memstore.normalize_item(item) for item in _http.listed(body, _memstore.LIST_KEYS)]
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
