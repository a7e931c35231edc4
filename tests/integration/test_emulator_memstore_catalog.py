"""The emulator's MemStore catalogs, straight over HTTP: the flavors, the parameter groups (default
ones per offered version and cluster mode, filters), a strict create, and deletes refused for a
default group and for a group a resource links."""

import requests

from emulator.memstore_catalog import FLAVORS, stable_id

from test_emulator import token_session


def test_flavors_need_a_token_and_have_stable_ids(emulator):
    assert requests.get(emulator.memstore_url + "/v1/redis/flavors", timeout=10).status_code == 401
    answer = token_session(emulator).get(emulator.memstore_url + "/v1/redis/flavors", timeout=10)
    assert answer.status_code == 200
    flavors = answer.json()["flavors"]
    assert [flavor["name"] for flavor in flavors][:3] == ["a1-2-co", "a1-4-co", "a1-8-co"]
    assert flavors[0] == {"id": "3830ebad-ea2f-4822-8a7d-9e301c86a58d", "name": "a1-2-co", "vcpus": 2, "memory": 4}
    assert flavors == [dict(flavor) for flavor in FLAVORS]


def test_default_groups_follow_the_offered_versions_and_filters_apply(emulator):
    session, url = token_session(emulator), emulator.memstore_url + "/v1/parameter-groups"
    emulator.memstore_versions = ("7.2.7", "5.0.6")
    every = session.get(url, timeout=10).json()
    assert [group["name"] for group in every] == ["default-redis-7.2.7", "default-redis-7.2.7-cluster", "default-redis-5.0.6"]
    assert every[0]["id"] == "bbbbcccc-1234-1234-5678-e705e91db2fb" and every[0]["parameterGroupType"] == "default"
    enabled = session.get(url, params={"clusterMode": "enabled"}, timeout=10).json()
    assert [group["name"] for group in enabled] == ["default-redis-7.2.7-cluster"]
    refused = session.get(url, params={"parameterGroupType": "system"}, timeout=10)
    assert refused.status_code == 400 and "parameterGroupType must be one of default, custom" in refused.json()["error"]["message"]


def test_create_is_strict_and_names_are_unique(emulator):
    session, url = token_session(emulator), emulator.memstore_url + "/v1/parameter-groups"
    base = stable_id("default-redis-7.2.7-cluster")
    cases = [({"parameterGroupId": base, "name": "tuned", "descripton": "typo"}, 400, "unknown field descripton"),
             ({"parameterGroupId": base}, 400, "name is required"),
             ({"parameterGroupId": base, "name": 7}, 400, "name must be a string"),
             ({"parameterGroupId": "no-such-group", "name": "tuned"}, 400, "is no parameter group"),
             ({"parameterGroupId": base, "name": "default-redis-7.2.7"}, 409, "a parameter group named 'default-redis-7.2.7' exists")]
    for body, status, message in cases:
        answer = session.post(url, json=body, timeout=10)
        assert (answer.status_code, message in answer.json()["error"]["message"]) == (status, True), (body, answer.text)
    created = session.post(url, json={"parameterGroupId": base, "name": "tuned", "description": "ours"}, timeout=10)
    assert created.status_code == 201
    group_id = created.json()["objectId"]
    assert session.post(url, json={"parameterGroupId": base, "name": "tuned"}, timeout=10).status_code == 409
    [custom] = session.get(url, params={"parameterGroupType": "custom"}, timeout=10).json()
    assert custom == {"id": group_id, "name": "tuned", "description": "ours", "engineVersion": "7.2.7", "parameterGroupType": "custom",
                      "clusterMode": "enabled"}


def test_delete_refuses_a_default_group_and_a_group_in_use(emulator):
    session, url = token_session(emulator), emulator.memstore_url + "/v1/parameter-groups"
    default = session.delete(url + "/" + stable_id("default-redis-7.2.7"), timeout=10)
    assert default.status_code == 400 and default.json()["error"]["code"] == "DefaultParameterGroupNotDeletable"
    group_id = session.post(url, json={"parameterGroupId": stable_id("default-redis-7.2.7"), "name": "tuned"}, timeout=10).json()["objectId"]
    control = requests.post(emulator.info()["control_url"] + "/memstore/instance-sets", json={"name": "cache-linked",
                                                                                              "parameterGroupId": group_id}, timeout=10)
    assert control.status_code in (200, 201), control.text
    in_use = session.delete(url + "/" + group_id, timeout=10)
    assert in_use.status_code == 409 and in_use.json()["error"]["code"] == "ParameterGroupInUse"
    assert "cache-linked" in in_use.json()["error"]["message"]
    emulator.memstore.resources.clear()
    assert session.delete(url + "/" + group_id, timeout=10).status_code == 204
    assert session.delete(url + "/" + group_id, timeout=10).status_code == 404
