"""A MemStore instance set that turns busy between the module's read and its write, and an
instance set or a cluster whose nodes or shards change while its backup runs.

The documents list 400 for a write on a busy set where the emulator answers 409 by
default; the emulator answers either way on request (``memstore_busy_status``). In both
modes memstore_instance_set must re-read, wait until the set is Running, decide again,
send its write once more and succeed, through real ansible-playbook.
"""

import pytest
import requests

from emulator.memstore_clusters import seed_cluster
from emulator.memstore_instance_sets import SCALING, seed_instance_set, start_adding_replica

MODULE = "redisops.platform.memstore_instance_set"


def connection(emulator):
    info = emulator.info()
    return {"api_url": emulator.memstore_url, "identity_url": emulator.identity_url,
            "application_credential_id": info["application_credential_id"],
            "application_credential_secret": info["application_credential_secret"]}


def scale_out_before_the_first(emulator, method, path):
    """Another client adds a replica just before the module's first ``method path`` reaches
    the set: the module read a Running set, and its write meets a Scaling one."""
    take_http = emulator.faults.take_http  # reset() brings a fresh Faults
    started = []

    def take(server, request_method, request_path):
        if not started and request_method == method and request_path == path:
            resource = next(r for r in emulator.memstore.resources.values() if path.endswith(r["id"]))
            started.append(start_adding_replica(emulator, resource, "subnet-2"))
        return take_http(server, request_method, request_path)

    emulator.faults.take_http = take
    return started


def api_calls(emulator):
    return [(e["method"], e["path"], e["status"]) for e in emulator.log.entries() if not e["path"].startswith("/identity")]


@pytest.mark.parametrize("busy_status", [409, 400])
def test_a_write_on_a_set_that_turned_busy_is_sent_again_once_it_is_running(ansible, emulator, busy_status):
    emulator.memstore_busy_status = busy_status
    resource = seed_instance_set(emulator, "cache-busy", nodes=1, description="old")
    path = "/v1/instance-sets/%s" % resource["id"]
    started = scale_out_before_the_first(emulator, "PATCH", path)
    args = dict(connection(emulator), name="cache-busy", description="new", wait_timeout=120)
    play = ansible.run([{"name": "update while another client scales", MODULE: args}])
    assert play.rc == 0, play.output
    result = play.last
    assert started, "the other client's scale never started"

    calls = api_calls(emulator)
    writes = [call for call in calls if call[0] != "GET"]
    assert writes == [("PATCH", path, busy_status), ("PATCH", path, 200)]  # refused once, then one write
    refused = calls.index(writes[0])
    sent = calls.index(writes[1], refused + 1)
    # Between the two: re-read, polled while the set was Scaling, decided again on a Running set.
    reads = [call for call in calls[refused + 1:sent] if call[0] == "GET"]
    assert len(reads) >= 2 and all(status == 200 for _m, _p, status in reads)
    assert result["changed"] is True and result["failed"] is False
    assert result["instance_set"]["status"] == "Running" and result["instance_set"]["description"] == "new"
    assert result["instance_set"]["node_count"] == 2  # the other client's replica, left alone
    assert resource["description"] == "new" and resource["status"] == "Running"
    assert result["actions"] == ["updated description"]


def test_the_busy_answer_is_chosen_through_the_control_api(emulator):
    control = emulator.info()["control_url"]
    resource = seed_instance_set(emulator, "cache-mode", nodes=1)
    with emulator.lock:
        start_adding_replica(emulator, resource, "subnet-2")
    assert resource["status"] == SCALING
    body = {"auth": {"identity": {"methods": ["application_credential"], "application_credential": {
        "id": emulator.info()["application_credential_id"], "secret": emulator.info()["application_credential_secret"]}}}}
    token = requests.post(emulator.identity_url + "/auth/tokens", json=body, timeout=10).headers["X-Subject-Token"]

    def update():
        answer = requests.patch("%s/v1/instance-sets/%s" % (emulator.memstore_url, resource["id"]), json={"description": "x"},
                                headers={"X-Auth-Token": token}, timeout=10)
        return answer.status_code, answer.json()["error"]

    assert update()[0] == 409
    assert requests.post(control + "/memstore/busy", json={"status": 400}, timeout=10).json() == {"status": 400}
    status, error = update()
    assert status == 400 and error["code"] == "InvalidState" and "invalid state" in error["message"]
    bad = requests.post(control + "/memstore/busy", json={"status": 500}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"] == "status must be 409 or 400" and "status" in bad.json()["expected"]
    requests.post(control + "/reset", timeout=10)
    assert emulator.memstore_busy_status == 409  # reset restores the command line's choice


# --- a resource whose backup runs: Running, yet its nodes and shards cannot change -------------------------------------
def refused_then_taken(emulator, method, path):
    """The writes ``method path``: refused while the backup ran, then the one taken; and the gaps between them."""
    sent = [entry for entry in emulator.log.entries() if entry["method"] == method and entry["path"] == path]
    return [entry["status"] for entry in sent], [round(later["time"] - earlier["time"], 3) for earlier, later in zip(sent, sent[1:])]


@pytest.mark.parametrize("busy_status", [409, 400])
def test_an_instance_set_scaled_while_its_backup_runs_is_scaled_once_the_backup_is_done(ansible, emulator, busy_status):
    emulator.memstore_busy_status = busy_status
    emulator.memstore_backup_seconds = 400  # 4 s at the tests' speed: longer than the play's second task takes to start
    resource = seed_instance_set(emulator, "cache-backed", nodes=2)
    backup = dict(connection(emulator), name="before-scale", instance_set="cache-backed", wait=False)
    scale = dict(connection(emulator), name="cache-backed", node_count=3, subnet_assignment={"primary": "subnet-1", "replicas": ["subnet-2"]},
                 wait_timeout=120)
    play = ansible.run([{"name": "back up, not waiting", "redisops.platform.memstore_backup": backup},
                        {"name": "scale while the backup runs", MODULE: scale}])
    assert play.rc == 0, play.output
    statuses, gaps = refused_then_taken(emulator, "PATCH", "/v1/instance-sets/%s/replicas" % resource["id"])
    assert statuses[-1] == 200 and set(statuses[:-1]) == {busy_status}, statuses
    # Refused while the set read Running: read again and sent again at once, then at a slowing pace, never
    # hundreds of times.
    assert 1 <= len(statuses) - 1 <= 12 and min(gaps[1:] or [1]) >= 0.05 and max(gaps) >= 0.3, (statuses, gaps)
    assert play.last["instance_set"]["node_count"] == 3 and play.last["actions"] == ["added a replica in subnet subnet-2"]
    assert emulator.memstore.backups["before-scale"]["status"] == "Available"


def test_a_cluster_given_a_shard_while_its_backup_runs_gets_it_once_the_backup_is_done(ansible, emulator):
    emulator.memstore_backup_seconds = 400
    cluster = seed_cluster(emulator, "orders-backed", shards=1, nodes_per_shard=2)
    backup = dict(connection(emulator), name="before-shard", cluster="orders-backed", wait=False)
    grow = dict(connection(emulator), name="orders-backed", shard_count=2, subnet_assignments=[{"primary": "subnet-1", "replicas": ["subnet-2"]}],
                wait_timeout=120)
    play = ansible.run([{"name": "back up, not waiting", "redisops.platform.memstore_backup": backup},
                        {"name": "add a shard while the backup runs", "redisops.platform.memstore_cluster": grow}])
    assert play.rc == 0, play.output
    statuses, gaps = refused_then_taken(emulator, "POST", "/v1/clusters/%s/shards" % cluster["id"])
    assert statuses[-1] == 201 and set(statuses[:-1]) == {400}, statuses  # the cluster API's busy answer: 400 InvalidState
    assert 1 <= len(statuses) - 1 <= 12 and min(gaps[1:] or [1]) >= 0.05 and max(gaps) >= 0.3, (statuses, gaps)
    assert play.last["cluster"]["shard_count"] == 2
