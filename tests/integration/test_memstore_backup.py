"""memstore_backup and memstore_backup_info through real ansible-playbook against the emulator:
check mode -> apply -> check mode -> apply, the preconditions refused before any write, a backup
asked for while another one runs (409: busy), a Failed backup, a lost answer, delete, and a
backup restored into a new instance set. Requests are counted from the emulator's log (IAM
token requests excluded)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from collection_link import ROOT
from emulator.memstore_backups import AVAILABLE, CREATING
from emulator.memstore_clusters import seed_cluster
from emulator.memstore_instance_sets import seed_instance_set
from memstore_plays import api, calls, conn, writes

MODULE = "redisops.platform.memstore_backup"
INFO = "redisops.platform.memstore_backup_info"


def backup(emulator, name, **options):
    return dict(conn(emulator), name=name, wait_timeout=120, **options)


def task(name, args, **keywords):
    return dict({"name": name, MODULE: args}, **keywords)


def take_directly(emulator, resource, name):
    """Another client's backup of ``resource``, being taken from now (put into the emulator's state)."""
    with emulator.lock:
        emulator.memstore.backups[name] = {"id": "other-%s" % name, "name": name, "clusterId": resource["id"],
                                           "clusterName": resource["name"], "clusterMode": resource["clusterMode"],
                                           "status": CREATING, "version": resource.get("version"), "automatic": False}

        def finish():
            emulator.memstore.backups[name]["status"] = AVAILABLE

        emulator.scheduler.schedule(emulator.memstore_backup_seconds, finish)


def test_backup_check_apply_rerun_then_restore_and_delete(ansible, emulator):
    resource = seed_instance_set(emulator, "cache-a", nodes=2)
    args = backup(emulator, "cache-a-first", instance_set="cache-a")
    play = ansible.run([task("check", args, check_mode=True), task("take", args), task("check again", args, check_mode=True),
                        task("again", args)], diff=True)
    assert play.rc == 0, play.output
    predicted, taken, checked, again = play.results
    assert predicted["changed"] is True and predicted["actions"] == ["backed up instance set 'cache-a'"]
    assert predicted["diff"] == {"before": {}, "after": {"name": "cache-a-first", "kind": "instance_set", "resource_name": "cache-a"}}
    assert predicted["backup"]["id"] is None and predicted["backup"]["resource_id"] == resource["id"]
    assert taken["changed"] is True and taken["backup"]["status"] == "Available" and taken["backup"]["kind"] == "instance_set"
    assert taken["backup"]["resource_name"] == "cache-a" and taken["backup"]["created_at"]
    assert taken["diff"]["after"] == predicted["diff"]["after"]
    assert checked["changed"] is False and again["changed"] is False and again["backup"] == taken["backup"]
    assert calls(writes(emulator)) == [("POST", "/v1/backups")]
    assert writes(emulator)[0]["body"] == {"clusterId": resource["id"], "name": "cache-a-first"}

    # The re-run is one list and no write.
    since = emulator.log.last_seq()
    play = ansible.run([task("re-run", args)])
    assert play.rc == 0 and play.last["changed"] is False, play.output
    assert calls(api(emulator, since)) == [("GET", "/v1/backups")]

    restore = dict(conn(emulator), name="cache-restored", version="7.2.7", port=6379, flavor_id="flavor-1", parameter_group_id="pg-1",
                   node_count=1, subnet_assignment={"primary": "subnet-1"}, security_groups=["sg-1"],
                   restore_from={"backup_name": "cache-a-first"}, wait_timeout=120)
    gone = backup(emulator, "cache-a-first", instance_set="cache-a", state="absent")
    play = ansible.run([{"name": "restore", "redisops.platform.memstore_instance_set": restore},
                        {"name": "info", INFO: dict(conn(emulator), instance_set="cache-a")},
                        task("delete (check)", gone, check_mode=True), task("delete", gone), task("delete again", gone)])
    assert play.rc == 0, play.output
    restored, info, delete_check, deleted, deleted_again = play.results
    assert restored["changed"] is True and restored["actions"] == ["created from backup 'cache-a-first'"]
    assert info["backups"] == [taken["backup"]]
    assert delete_check["changed"] is True and delete_check["backup"] == {}
    assert deleted["changed"] is True and deleted["actions"] == ["deleted"] and deleted["backup"] == {}
    assert deleted_again["changed"] is False
    assert emulator.memstore.backups == {}


def test_a_cluster_by_id_and_the_info_filters(ansible, emulator):
    cluster = seed_cluster(emulator, "orders-c", shards=2, nodes_per_shard=2)
    seed_instance_set(emulator, "cache-b", nodes=2)
    play = ansible.run([task("cluster by id", backup(emulator, "orders-nightly", cluster=cluster["id"])),
                        task("set", backup(emulator, "cache-b-1", instance_set="cache-b")),
                        {"name": "all", INFO: conn(emulator)},
                        {"name": "clusters", INFO: dict(conn(emulator), cluster="orders-c")},
                        {"name": "by name", INFO: dict(conn(emulator), name="cache-b-1")},
                        {"name": "none", INFO: dict(conn(emulator), instance_set="orders-c")}])
    assert play.rc == 0, play.output
    taken, _set, every, clusters, named, none = play.results
    assert taken["backup"]["kind"] == "cluster" and taken["backup"]["resource_name"] == "orders-c"
    assert sorted(item["name"] for item in every["backups"]) == ["cache-b-1", "orders-nightly"]
    assert [item["name"] for item in clusters["backups"]] == ["orders-nightly"]
    assert [item["resource_name"] for item in named["backups"]] == ["cache-b"]
    assert none["backups"] == []


@pytest.mark.parametrize("seed, option, message", [
    (lambda emu: seed_instance_set(emu, "cache-one", nodes=1), dict(instance_set="cache-one"),
     "instance set 'cache-one' has 1 node: a manual backup needs at least 2 nodes, one of them a replica"),
    (lambda emu: seed_cluster(emu, "orders-bare", shards=2, nodes_per_shard=1), dict(cluster="orders-bare"),
     "shard orders-bare-001, orders-bare-002 of cluster 'orders-bare' has no replica: a manual backup is taken from a replica"),
    (lambda emu: seed_instance_set(emu, "cache-dead", nodes=2, status="Failed"), dict(instance_set="cache-dead"),
     "instance set 'cache-dead' is Failed: a backup needs it Running"),
    (lambda emu: None, dict(instance_set="cache-none"), "instance_set: no instance set is named or has the id 'cache-none': nothing to back up"),
    (lambda emu: seed_cluster(emu, "orders-kind"), dict(instance_set="orders-kind"),
     "instance_set: 'orders-kind' is a cluster (cluster mode enabled), not an instance set (cluster mode disabled): name it with option cluster"),
])
def test_preconditions_are_refused_before_any_write(ansible, emulator, seed, option, message):
    seed(emulator)
    play = ansible.run([task("refused", backup(emulator, "refused-1", **option))])
    assert play.rc != 0
    assert play.last["msg"] == message, play.output
    assert writes(emulator) == []


def test_bad_input_is_refused_before_any_request(ansible, emulator):
    play = ansible.run([task("bad name", backup(emulator, "no spaces allowed", instance_set="cache-a"), ignore_errors=True),
                        task("both", backup(emulator, "ok", instance_set="cache-a", cluster="orders-c"), ignore_errors=True),
                        task("neither", backup(emulator, "ok"), ignore_errors=True)])
    bad, both, neither = play.results
    assert bad["msg"] == "name must be 1 to 64 letters, digits, '.', '-' and '_' (got 'no spaces allowed')"
    assert "mutually exclusive: instance_set|cluster" in both["msg"]
    assert "one of the following is required: instance_set, cluster" in neither["msg"]
    assert api(emulator) == []


def test_a_name_taken_by_another_resource_is_refused_before_any_write(ansible, emulator):
    seed_instance_set(emulator, "cache-a", nodes=2)
    other = seed_instance_set(emulator, "cache-b", nodes=2)
    take_directly(emulator, other, "shared-name")
    play = ansible.run([task("taken", backup(emulator, "shared-name", instance_set="cache-a"))])
    assert play.rc != 0
    assert play.last["msg"] == ("name: 'shared-name' is already the name of a backup of instance set 'cache-b'; "
                                "backup names are unique in a project"), play.output
    assert writes(emulator) == []


def test_a_backup_in_progress_is_waited_for_then_the_backup_is_sent(ansible, emulator):
    resource = seed_instance_set(emulator, "cache-a", nodes=2)
    emulator.memstore_backup_seconds = 150  # 1.5 s at the tests' speed
    take_directly(emulator, resource, "someone-elses")
    play = ansible.run([task("take", backup(emulator, "mine", instance_set="cache-a"))])
    assert play.rc == 0, play.output
    assert play.last["backup"]["status"] == "Available" and play.last["actions"] == ["backed up instance set 'cache-a'"]
    assert calls(writes(emulator)) == [("POST", "/v1/backups")]  # waited for, never refused
    assert emulator.memstore.backups["someone-elses"]["status"] == "Available"


def test_a_409_because_another_backup_started_meanwhile_is_busy(ansible, emulator):
    resource = seed_instance_set(emulator, "cache-a", nodes=2)
    emulator.memstore_backup_seconds = 100
    take_http = emulator.faults.take_http

    def take(server, method, path):  # another client starts a backup just before ours reaches the server
        if method == "POST" and path == "/v1/backups" and "theirs" not in emulator.memstore.backups:
            take_directly(emulator, resource, "theirs")
        return take_http(server, method, path)

    emulator.faults.take_http = take
    play = ansible.run([task("take", backup(emulator, "ours", instance_set="cache-a"))])
    assert play.rc == 0, play.output
    posts = [(entry["method"], entry["status"]) for entry in writes(emulator)]
    assert posts == [("POST", 409), ("POST", 201)]
    assert play.last["changed"] is True and emulator.memstore.backups["ours"]["status"] == "Available"


def test_a_backup_that_fails_fails_the_task_and_a_rerun_says_what_to_do(ansible, emulator):
    seed_instance_set(emulator, "cache-a", nodes=2)
    emulator.faults.add_operation("backup", "failed", target="cache-a")
    args = backup(emulator, "doomed", instance_set="cache-a")
    play = ansible.run([task("take", args, ignore_errors=True), task("again", args, ignore_errors=True)])
    failed, again = play.results
    assert failed["failed"] is True and failed["changed"] is True
    assert failed["msg"].startswith("backup 'doomed' of instance set 'cache-a' ended Failed: delete it (state: absent) and take it again")
    assert failed["backup"]["status"] == "Failed"
    assert again["failed"] is True and again["msg"].startswith("backup 'doomed' of instance set 'cache-a' is Failed (taken ")
    assert len(writes(emulator)) == 1


def test_a_lost_answer_is_followed_by_a_read_and_never_a_second_create(ansible, emulator):
    seed_instance_set(emulator, "cache-a", nodes=2)
    emulator.faults.add_http(server="memstore", method="POST", path="/v1/backups", drop="after")
    play = ansible.run([task("take", backup(emulator, "lost-one", instance_set="cache-a"))])
    assert play.rc == 0, play.output
    assert play.last["actions"] == ["backed up instance set 'cache-a' (its answer was lost: found the backup by name)"]
    assert len(writes(emulator)) == 1 and list(emulator.memstore.backups) == ["lost-one"]


def test_a_timeout_says_what_was_last_seen(ansible, emulator):
    seed_instance_set(emulator, "cache-a", nodes=2)
    emulator.faults.add_operation("backup", "stuck", target="cache-a")
    play = ansible.run([task("take", dict(backup(emulator, "slow", instance_set="cache-a"), wait_timeout=2))])
    assert play.rc != 0
    assert "backup 'slow' of instance set 'cache-a'" in play.last["msg"] and "backup status Creating" in play.last["msg"], play.last["msg"]


# --- playbooks/memstore_backup.yml: back up, scale down, restore into a new set if that fails ------------------------
PLAYBOOK = Path(ROOT) / "playbooks" / "memstore_backup.yml"


def run_example(ansible, emulator, **extra_vars):
    info = emulator.info()
    env = ansible.env({"KAKAOCLOUD_MEMSTORE_URL": emulator.memstore_url, "KAKAOCLOUD_IDENTITY_URL": emulator.identity_url,
                       "KAKAOCLOUD_APPLICATION_CREDENTIAL_ID": info["application_credential_id"],
                       "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET": info["application_credential_secret"]})
    return subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(PLAYBOOK),
                           "-e", json.dumps(extra_vars)], capture_output=True, text=True, timeout=600, env=env, check=False)


def test_example_playbook_backs_up_then_scales_down_and_changes_nothing_again(ansible, emulator):
    resource = seed_instance_set(emulator, "cache-a", nodes=3)
    first = run_example(ansible, emulator, memstore_set_name="cache-a")
    assert first.returncode == 0, first.stdout + first.stderr
    assert len(resource["_instances"]) == 2 and emulator.memstore.backups["cache-a-before-scale-down"]["status"] == "Available"
    assert "WARNING" not in first.stdout + first.stderr
    since = emulator.log.last_seq()
    again = run_example(ansible, emulator, memstore_set_name="cache-a")
    assert again.returncode == 0 and "changed=0" in again.stdout, again.stdout
    assert writes(emulator, since) == []


def test_example_playbook_restores_the_backup_into_a_new_set_when_the_scale_down_fails(ansible, emulator):
    resource = seed_instance_set(emulator, "cache-a", nodes=3, version="7.0.15", subnets=[{"id": "subnet-1"}, {"id": "subnet-2"}])
    emulator.faults.add_operation("scale", "failed", target="cache-a")  # the scale-down ends with the set Failed
    proc = run_example(ansible, emulator, memstore_set_name="cache-a", memstore_node_count=1)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert resource["status"] == "Failed"
    restored = next(r for r in emulator.memstore.resources.values() if r["name"] == "cache-a-restored")
    assert restored["status"] == "Running" and restored["restoreSource"] == {"backupName": "cache-a-before-scale-down"}
    assert len(restored["_instances"]) == 3 and restored["version"] == "7.0.15"
    assert [s["id"] for s in restored["subnets"]] == ["subnet-1", "subnet-2"]
    assert "The scale-down of cache-a failed" in output and "was restored into cache-a-restored (primary " in output
    assert "rescued=1" in output
