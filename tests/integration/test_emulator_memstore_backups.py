"""The emulator's MemStore manual backups, called as any client would: the strict create, the
preconditions with their codes, emulated time, the list and its filters, delete, writes refused
while a backup runs, a backup made to fail, restores, and the control route of its duration."""

import subprocess
import sys

import pytest
import requests

from emulator.memstore_clusters import seed_cluster
from emulator.memstore_instance_sets import seed_instance_set
from emulator_calls import control
from test_emulator import TESTS, token_session


def create(session, emulator, body):
    return session.post(emulator.memstore_url + "/v1/backups", json=body, timeout=10)


def listed(session, emulator, **query):
    answer = session.get(emulator.memstore_url + "/v1/backups", params=query, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["backups"]


def error_of(answer):
    return answer.status_code, answer.json()["error"]["code"], answer.json()["error"]["message"]


@pytest.mark.parametrize("body, message", [
    ({"clusterId": "x", "name": "b", "retention": 3}, "retention is not a field of this request (known: clusterId, name)"),
    ({"clusterId": "x"}, "name is required and must be a non-empty string"),
    ({"clusterId": 7, "name": "b"}, "clusterId is required and must be a non-empty string"),
    ({"clusterId": "x", "name": "has space"}, "name must be 1 to 64 letters, digits, '.', '-' and '_' (got 'has space')"),
])
def test_the_create_body_is_strict(emulator, body, message):
    assert error_of(create(token_session(emulator), emulator, body)) == (400, "BadRequest", message)
    assert emulator.memstore.backups == {}


def test_the_preconditions_are_refused_with_their_codes(emulator):
    session = token_session(emulator)
    ready = seed_instance_set(emulator, "cache-ok", nodes=2)
    single = seed_instance_set(emulator, "cache-one", nodes=1)
    broken = seed_instance_set(emulator, "cache-dead", nodes=2, status="Failed")
    busy = seed_instance_set(emulator, "cache-busy", nodes=2, status="Modifying")
    bare = seed_cluster(emulator, "orders-bare", shards=2, nodes_per_shard=1)
    for resource, expected in [
        ({"id": "nope", "name": "x"}, (404, "NotFound", "cluster nope not found")),
        (single, (422, "UnprocessableEntity", "instance set 'cache-one' has fewer than 2 nodes: a backup needs at least 2")),
        (broken, (400, "BadRequest", "instance set 'cache-dead' is Failed: it cannot be backed up")),
        (busy, (409, "Conflict", "instance set 'cache-busy' is Modifying; a backup needs it Running")),
        (bare, (422, "UnprocessableEntity", "shard orders-bare-001 of cluster 'orders-bare' has no replica: a backup is taken from a replica")),
    ]:
        assert error_of(create(session, emulator, {"clusterId": resource["id"], "name": "b-" + resource["name"]})) == expected
    assert create(session, emulator, {"clusterId": ready["id"], "name": "first"}).status_code == 201
    # The documented 409 while another backup of the resource runs, and a name already taken.
    assert error_of(create(session, emulator, {"clusterId": ready["id"], "name": "second"})) == (
        409, "Conflict", "a backup of instance set 'cache-ok' is in progress (first)")
    assert error_of(create(session, emulator, {"clusterId": ready["id"], "name": "first"})) == (
        409, "Conflict", "a backup named 'first' already exists")


def test_a_backup_takes_emulated_time_is_listed_filtered_and_deleted(emulator):
    session = token_session(emulator)
    emulator.memstore_backup_seconds = 50  # 0.5 s
    cache = seed_instance_set(emulator, "cache-a", nodes=2)
    orders = seed_cluster(emulator, "orders-c", shards=2, nodes_per_shard=2)
    made = create(session, emulator, {"clusterId": cache["id"], "name": "cache-nightly"})
    assert made.status_code == 201
    assert create(session, emulator, {"clusterId": orders["id"], "name": "orders-nightly"}).status_code == 201
    [item] = listed(session, emulator, clusterName="cache-a")
    assert item == {"id": made.json()["objectId"], "name": "cache-nightly", "projectId": emulator.info()["project_id"],
                    "clusterName": "cache-a", "clusterId": cache["id"], "clusterMode": "disabled", "status": "Creating",
                    "createdAt": item["createdAt"], "version": "7.2.7", "type": "manual"}
    assert [b["name"] for b in listed(session, emulator, clusterId=orders["id"])] == ["orders-nightly"]
    assert listed(session, emulator, clusterName="nothing") == []
    deleting = session.delete(emulator.memstore_url + "/v1/backups/" + item["id"], timeout=10)
    assert error_of(deleting) == (409, "Conflict", "backup 'cache-nightly' is being taken; try again when it is done")
    emulator.clock.advance(50)
    assert [b["status"] for b in listed(session, emulator)] == ["Available", "Available"]
    assert session.delete(emulator.memstore_url + "/v1/backups/" + item["id"], timeout=10).json() == {"objectId": item["id"]}
    assert session.delete(emulator.memstore_url + "/v1/backups/" + item["id"], timeout=10).status_code == 404
    assert [b["name"] for b in listed(session, emulator)] == ["orders-nightly"]


def test_node_and_shard_changes_are_busy_while_a_backup_runs_and_updates_are_not(emulator):
    session = token_session(emulator)
    cache = seed_instance_set(emulator, "cache-a", nodes=2)
    orders = seed_cluster(emulator, "orders-c", shards=1, nodes_per_shard=2)
    for resource in (cache, orders):
        assert create(session, emulator, {"clusterId": resource["id"], "name": "b-" + resource["name"]}).status_code == 201
    base = emulator.memstore_url
    replica = cache["_instances"][1]["objectId"]
    assert cache["status"] == "Running"  # the set stays Running while its backup runs
    for method, path, body in [("PATCH", "/v1/instance-sets/%s/replicas" % cache["id"], {"subnet": {"id": "subnet-2"}}),
                               ("DELETE", "/v1/instance-sets/%s/instances/%s" % (cache["id"], replica), None),
                               ("DELETE", "/v1/instance-sets/%s?keepAutomaticBackups=true" % cache["id"], None)]:
        answer = session.request(method, base + path, json=body, timeout=10)
        assert error_of(answer) == (409, "Conflict", "instance set 'cache-a' has a backup in progress (b-cache-a); try again when it is done")
    emulator.memstore_busy_status = 400
    answer = session.patch(base + "/v1/instance-sets/%s/replicas" % cache["id"], json={"subnet": {"id": "subnet-2"}}, timeout=10)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "InvalidState"
    shard = orders["_shards"][0]
    new_shard = {"nodeCount": 2, "subnetAssignments": {"primary": {"id": "subnet-1"}, "replicas": [{"id": "subnet-2"}]}}
    for method, path, body in [("POST", "/v1/clusters/%s/shards" % orders["id"], new_shard),
                               ("POST", "/v1/clusters/%s/shards/%s/nodes" % (orders["id"], shard["id"]), {"subnet": {"id": "subnet-3"}}),
                               ("DELETE", "/v1/clusters/%s" % orders["id"], None)]:
        status, code, message = error_of(session.request(method, base + path, json=body, timeout=10))
        assert (status, code) == (400, "InvalidState") and "has a backup in progress (b-orders-c)" in message
    # An update is not a node change: it goes through.
    assert session.patch(base + "/v1/instance-sets/%s" % cache["id"], json={"description": "backed up"}, timeout=10).status_code == 200
    emulator.clock.advance(emulator.memstore_backup_seconds)
    assert session.post(base + "/v1/clusters/%s/shards/%s/nodes" % (orders["id"], shard["id"]), json={"subnet": {"id": "subnet-3"}},
                        timeout=10).status_code == 201


def test_a_backup_made_to_fail_is_failed_and_restores_need_an_available_one(emulator):
    session = token_session(emulator)
    cache = seed_instance_set(emulator, "cache-a", nodes=2)
    assert control(emulator, "POST", "/faults/operation", json={"operation": "backup", "outcome": "failed", "target": "cache-a"}).status_code == 201
    assert create(session, emulator, {"clusterId": cache["id"], "name": "doomed"}).status_code == 201
    emulator.clock.advance(emulator.memstore_backup_seconds)
    assert [(b["name"], b["status"]) for b in listed(session, emulator)] == [("doomed", "Failed")]
    assert cache["status"] == "Running"
    assert create(session, emulator, {"clusterId": cache["id"], "name": "good"}).status_code == 201
    body = {"instanceSetName": "cache-restored", "replicas": 1, "flavorId": "f", "recoveryEnabled": False, "subnets": [{"id": "s1"}],
            "subnetAssignments": [{"primary": {"id": "s1"}, "replicas": []}], "securityGroups": [{"id": "sg"}],
            "parameterGroupId": "pg", "port": 6379, "projectId": emulator.info()["project_id"], "version": "7.2.7"}
    for name, expected in (("doomed", "backup 'doomed' is Failed, not Available: it cannot be restored yet"),
                           ("good", "backup 'good' is Creating, not Available: it cannot be restored yet")):
        answer = session.post(emulator.memstore_url + "/v1/instance-sets", json=dict(body, restoreSource={"backupName": name}), timeout=10)
        assert error_of(answer) == (400, "BadRequest", expected)
    emulator.clock.advance(emulator.memstore_backup_seconds)
    answer = session.post(emulator.memstore_url + "/v1/instance-sets", json=dict(body, restoreSource={"backupName": "good"}), timeout=10)
    assert answer.status_code == 201, answer.text


def test_the_duration_of_a_backup_is_set_by_the_control_api_and_the_command_line(emulator):
    assert control(emulator, "POST", "/memstore/backup-time", json={"seconds": 5}).json() == {"seconds": 5.0}
    assert control(emulator, "GET", "/info").json()["memstore_backup_seconds"] == 5.0
    bad = control(emulator, "POST", "/memstore/backup-time", json={"seconds": -1})
    assert bad.status_code == 400 and bad.json()["error"] == "seconds must be >= 0" and "seconds" in bad.json()["expected"]
    control(emulator, "POST", "/reset")
    assert emulator.memstore_backup_seconds == 60.0
    shown = subprocess.run([sys.executable, "-m", "emulator", "--help"], cwd=TESTS, capture_output=True, text=True, timeout=60, check=True)
    assert "--memstore-backup-seconds" in shown.stdout
    bad = subprocess.run([sys.executable, "-m", "emulator", "--memstore-backup-seconds", "-1"], cwd=TESTS, capture_output=True,
                         text=True, timeout=60, check=False)
    assert bad.returncode == 2 and "--memstore-backup-seconds must be 0 or more" in bad.stderr


def test_seeded_backups_are_listed_and_restorable(emulator):
    session = token_session(emulator)
    assert requests.post(emulator.info()["control_url"] + "/memstore/backups", json={"name": "seeded", "version": "7.0.15"},
                         timeout=10).status_code == 201
    [item] = listed(session, emulator)
    assert item["name"] == "seeded" and item["status"] == "Available" and item["id"] and item["type"] == "manual"
