"""memstore_instance_set and memstore_instance_set_info through real ansible-playbook
against the emulator.

Every flow runs check mode -> apply -> check mode -> apply: the first check predicts the
change and writes nothing, the re-runs change nothing, send no write and read at most two
requests per set. Several tasks share one playbook run to keep the file fast; requests are
counted from the emulator's log (IAM token requests excluded).
"""

import json

import pytest
import requests

from emulator.memstore_instance_sets import seed_instance_set
from memstore_plays import api, assert_idempotent, calls, conn, writes

MODULE = "redisops.platform.memstore_instance_set"
INFO = "redisops.platform.memstore_instance_set_info"
PASSWORD = "EncRypted-Passw0rd-Hash"  # what the docs call an encrypted password: any opaque string


# --- helpers ---------------------------------------------------------------------------------
def new_set(emulator, name, **overrides):
    """Options that create a Running two-node set."""
    args = dict(conn(emulator), name=name, version="7.2.7", port=6379, flavor_id="flavor-1", parameter_group_id="pg-1",
                node_count=2, subnet_assignment={"primary": "subnet-1", "replicas": ["subnet-2"]},
                security_groups=["sg-1"], wait_timeout=120)
    args.update(overrides)
    return args


def existing(emulator, name, **options):
    return dict(conn(emulator), name=name, wait_timeout=120, **options)


def task(name, args, **keywords):
    return dict({"name": name, MODULE: args}, **keywords)


def check_then_apply(name, args):
    """The same task in check mode, then for real."""
    return [task("%s (check)" % name, args, check_mode=True), task(name, args)]


def instances_of(resource):
    return {instance["instanceName"]: instance for instance in resource["_instances"]}


# --- create: the three variants -----------------------------------------------------------------------
def test_create_check_apply_then_rerun_changes_nothing(ansible, emulator):
    args = new_set(emulator, "cache-new", description="Session cache", high_availability=True, tls_enabled=True,
                   backup={"hour": 3, "retention_days": 7}, user={"name": "app", "password": PASSWORD})
    play = ansible.run(check_then_apply("create", args), diff=True, verbosity=3)
    assert play.rc == 0, play.output
    predicted, created = play.results

    assert predicted["changed"] is True and predicted["actions"] == ["created"]
    assert predicted["diff"]["before"] == {}
    assert predicted["diff"]["after"]["node_count"] == 2 and predicted["diff"]["after"]["high_availability"] is True
    assert created["changed"] is True and created["actions"] == ["created"]
    assert created["duration"] > 0

    found = created["instance_set"]
    assert found["status"] == "Running" and found["name"] == "cache-new"
    assert found["node_count"] == 2 and found["high_availability"] is True and found["tls_enabled"] is True
    assert found["backup"] == {"enabled": True, "hour": 3, "retention_days": 7, "cron": "* 3 * * *"}
    assert sorted(i["role"] for i in found["instances"]) == ["primary", "replica"]
    assert all(i["status"] == "Running" and i["endpoint"] for i in found["instances"])
    replica = [i for i in found["instances"] if i["role"] == "replica"][0]
    assert found["primary_endpoint"] == found["primary"]["endpoint"]
    assert found["replica_endpoints"] == [replica["endpoint"]] and replica["subnet_id"] == "subnet-2"
    assert created["diff"]["after"]["primary_instance"] == found["primary"]["name"]

    posts = writes(emulator)
    assert calls(posts) == [("POST", "/v1/instance-sets")]  # nothing from check mode
    body = posts[0]["body"]
    assert body["instanceSetName"] == "cache-new" and body["replicas"] == 2 and body["recoveryEnabled"] is True
    assert body["subnets"] == [{"id": "subnet-1"}, {"id": "subnet-2"}]  # defaults to the assignment's subnets
    assert body["subnetAssignments"] == [{"primary": {"id": "subnet-1"}, "replicas": [{"id": "subnet-2"}]}]
    assert body["backupSchedule"] == {"cron": "* 3 * * *", "retentionLimit": 7}
    assert body["projectId"] == emulator.info()["project_id"] and body["port"] == 6379 and body["tlsEnabled"] is True
    assert body["user"] == {"name": "app", "password": "********"}  # the emulator's log redacts it

    # No secret anywhere at -vvv: user password, application credential secret, tokens.
    assert "ESTABLISH LOCAL CONNECTION" in play.output  # really -vvv
    for secret in [PASSWORD, emulator.info()["application_credential_secret"]] + list(emulator.memstore.tokens):
        assert secret not in play.output
    assert PASSWORD not in json.dumps(list(emulator.memstore.resources.values()), default=str)

    assert_idempotent(ansible, emulator, check_then_apply("create again", args))


def test_create_restored_from_a_backup_name_and_from_object_storage_files(ansible, emulator):
    backup_name = "scheduled.source.2024-02-27-16-47.KST"
    emulator.memstore.backups[backup_name] = {"name": backup_name, "version": "7.0.15", "clusterMode": "disabled"}
    single = dict(node_count=1, subnet_assignment={"primary": "subnet-1"})
    from_backup = new_set(emulator, "from-backup", restore_from={"backup_name": backup_name}, **single)
    from_files = new_set(emulator, "from-files", restore_from={"files": ["bucket/redis/dump.rdb"]}, **single)
    missing = new_set(emulator, "from-nothing", restore_from={"backup_name": "no-such-backup"}, **single)
    play = ansible.run(check_then_apply("backup", from_backup) + check_then_apply("files", from_files)
                       + [task("missing backup", missing, ignore_errors=True)])
    assert [r["changed"] for r in play.results[:4]] == [True, True, True, True], play.output
    assert play.results[1]["actions"] == ["created from backup %r" % backup_name]
    assert play.results[3]["actions"] == ["created from 1 Object Storage file(s)"]
    assert play.results[1]["instance_set"]["status"] == "Running" and play.results[3]["instance_set"]["status"] == "Running"

    rejected = play.results[4]
    assert rejected["failed"]
    assert "POST /v1/instance-sets returned HTTP 400" in rejected["msg"] and "no-such-backup" in rejected["msg"]
    assert [e["body"]["restoreSource"] for e in writes(emulator)] == [
        {"backupName": backup_name}, {"files": ["bucket/redis/dump.rdb"]}, {"backupName": "no-such-backup"}]
    assert sorted(r["name"] for r in emulator.memstore.resources.values()) == ["from-backup", "from-files"]

    assert_idempotent(ansible, emulator, check_then_apply("backup", from_backup) + check_then_apply("files", from_files))


def test_create_without_wait_then_the_next_run_waits_for_running(ansible, emulator):
    emulator.clock.set_speed(20)  # the create takes 3 s: still Creating when the second task starts
    args = new_set(emulator, "cache-nowait", node_count=1, subnet_assignment={"primary": "subnet-1"})
    play = ansible.run([task("start", dict(args, wait=False)), task("settle", args)])
    assert play.rc == 0, play.output
    started, settled = play.results
    assert started["changed"] is True and started["instance_set"]["status"] == "Creating"
    assert settled["changed"] is False and settled["instance_set"]["status"] == "Running"
    assert calls(writes(emulator)) == [("POST", "/v1/instance-sets")]
    polls = [e for e in api(emulator) if e["path"] == "/v1/clusters/%s" % started["instance_set"]["id"]]
    assert len(polls) >= 2  # the start read it once; the second task polled until Running


def test_lookup_by_id_reads_the_set_directly(ansible, emulator):
    resource = seed_instance_set(emulator, "cache-byid", nodes=2)
    args = existing(emulator, "cache-byid", id=resource["id"], node_count=2)
    play = assert_idempotent(ansible, emulator, check_then_apply("by id", args))
    assert all(not e["path"] == "/v1/clusters" for e in api(emulator))  # no list call with id
    assert play.last["instance_set"]["id"] == resource["id"]

    wrong = ansible.run([task("wrong name", existing(emulator, "other-name", id=resource["id"]), ignore_errors=True),
                         task("unknown id", existing(emulator, "cache-byid", id="no-such-id", node_count=1), ignore_errors=True)])
    assert "belongs to instance set 'cache-byid', not 'other-name'" in wrong.results[0]["msg"]
    assert "no instance set has id no-such-id" in wrong.results[1]["msg"]
    assert writes(emulator) == []


# --- update ---------------------------------------------------------------------------------------------
def test_update_sends_only_what_differs(ansible, emulator):
    resource = seed_instance_set(emulator, "cache-upd", nodes=2, description="old text",
                                 backupSchedule={"cron": "* 1 * * *", "retentionLimit": 7})
    args = existing(emulator, "cache-upd", description="new text", parameter_group_id="pg-2",
                    security_groups=["sg-2", "sg-1"], backup={"hour": 4, "retention_days": 14}, node_count=2)
    play = ansible.run(check_then_apply("update", args), diff=True)
    assert play.rc == 0, play.output
    predicted, updated = play.results
    assert predicted["changed"] and predicted["actions"] == ["updated description, parameter_group_id, security_groups, backup"]
    assert predicted["diff"]["before"]["description"] == "old text" and predicted["diff"]["after"]["description"] == "new text"
    assert predicted["diff"]["after"]["backup"] == {"enabled": True, "hour": 4, "retention_days": 14}
    assert predicted["diff"]["after"]["security_groups"] == ["sg-1", "sg-2"]
    assert updated["changed"] and updated["instance_set"]["description"] == "new text"
    assert updated["instance_set"]["parameter_group_id"] == "pg-2"
    assert updated["instance_set"]["backup"]["hour"] == 4
    patches = writes(emulator)
    assert calls(patches) == [("PATCH", "/v1/instance-sets/%s" % resource["id"])]
    assert patches[0]["body"] == {"description": "new text", "parameterGroupId": "pg-2",
                                  "securityGroups": [{"id": "sg-2"}, {"id": "sg-1"}],
                                  "backupSchedule": {"cron": "* 4 * * *", "retentionLimit": 14}}
    assert_idempotent(ansible, emulator, check_then_apply("update", args))

    # Empty the description and turn automatic backups off: only those two fields are sent.
    since = emulator.log.last_seq()
    off = existing(emulator, "cache-upd", description="", backup={"enabled": False}, parameter_group_id="pg-2")
    play = ansible.run(check_then_apply("clear", off))
    assert [r["changed"] for r in play.results] == [True, True], play.output
    patches = writes(emulator, since)
    assert len(patches) == 1 and patches[0]["body"] == {"description": "", "backupSchedule": {"cron": ""}}
    assert play.results[1]["instance_set"]["backup"] == {"enabled": False, "hour": None, "retention_days": None, "cron": ""}
    assert resource["description"] == "" and resource["backupSchedule"] is None
    assert_idempotent(ansible, emulator, check_then_apply("clear again", off))


# --- scale --------------------------------------------------------------------------------------------------
def test_scale_up_one_replica_at_a_time_round_robin_then_down(ansible, emulator):
    resource = seed_instance_set(emulator, "cache-scale", nodes=1)
    primary_id = resource["_instances"][0]["objectId"]
    up = existing(emulator, "cache-scale", node_count=4, subnet_assignment={"primary": "subnet-1", "replicas": ["subnet-2", "subnet-3"]})
    play = ansible.run(check_then_apply("scale up", up))
    assert [r["changed"] for r in play.results] == [True, True], play.output
    assert play.results[0]["actions"] == ["added a replica in subnet subnet-2", "added a replica in subnet subnet-3",
                                          "added a replica in subnet subnet-2"]
    added = writes(emulator)
    assert calls(added) == [("PATCH", "/v1/instance-sets/%s/replicas" % resource["id"])] * 3
    assert [e["body"] for e in added] == [{"subnet": {"id": s}} for s in ("subnet-2", "subnet-3", "subnet-2")]
    # The emulator answers 409 to a write on a busy set: every add waited for Running.
    assert [e["status"] for e in added] == [200, 200, 200]
    grown = play.results[1]["instance_set"]
    assert grown["node_count"] == 4 and len(grown["replica_endpoints"]) == 3 and grown["primary"]["id"] == primary_id
    assert all(i["status"] == "Running" for i in grown["instances"])
    assert_idempotent(ansible, emulator, check_then_apply("scale up again", up))

    since = emulator.log.last_seq()
    newest = [i["objectId"] for i in resource["_instances"][-2:]]
    down = existing(emulator, "cache-scale", node_count=2)
    play = ansible.run(check_then_apply("scale down", down))
    assert [r["changed"] for r in play.results] == [True, True], play.output
    removed = writes(emulator, since)
    assert calls(removed) == [("DELETE", "/v1/instance-sets/%s/instances/%s" % (resource["id"], iid)) for iid in reversed(newest)]
    shrunk = play.results[1]["instance_set"]
    assert shrunk["node_count"] == 2 and shrunk["primary"]["id"] == primary_id
    assert_idempotent(ansible, emulator, check_then_apply("scale down again", down))


# --- high availability and promotion -------------------------------------------------------------------------------
def test_failover_turns_ha_off_first_and_back_on_after_promoting(ansible, emulator):
    resource = seed_instance_set(emulator, "cache-ha", nodes=2, recoveryEnabled=True)
    primary, replica = resource["_instances"]
    failover = existing(emulator, "cache-ha", high_availability=False, primary_instance=replica["instanceName"])
    play = ansible.run([task("promote with HA on", existing(emulator, "cache-ha", primary_instance=replica["instanceName"]),
                             ignore_errors=True)]
                       + check_then_apply("failover", failover), diff=True)
    refused = play.results[0]
    assert refused["failed"] and "high availability on" in refused["msg"] and "high_availability: false" in refused["msg"]
    assert [r["changed"] for r in play.results[1:]] == [True, True], play.output
    assert play.results[1]["actions"] == ["turned high availability off", "promoted %r to primary" % replica["instanceName"]]
    assert play.results[1]["diff"]["after"]["primary_instance"] == replica["instanceName"]
    done = writes(emulator)
    assert calls(done) == [("PATCH", "/v1/instance-sets/%s/recovery" % resource["id"]),
                           ("PATCH", "/v1/instance-sets/%s/primary" % resource["id"])]
    assert [e["body"] for e in done] == [{"enabled": False}, {"primaryId": replica["objectId"]}]
    after = play.results[2]["instance_set"]
    assert after["primary"]["name"] == replica["instanceName"] and after["high_availability"] is False
    assert_idempotent(ansible, emulator, check_then_apply("failover again", failover))

    # Back to the first primary (by id) with HA on: the promotion goes first, HA after.
    since = emulator.log.last_seq()
    back = existing(emulator, "cache-ha", recovery_enabled=True, primary_instance=primary["objectId"])
    play = ansible.run(check_then_apply("fail back", back))
    assert [r["changed"] for r in play.results] == [True, True], play.output
    done = writes(emulator, since)
    assert [e["body"] for e in done] == [{"primaryId": primary["objectId"]}, {"enabled": True}]
    assert play.results[1]["instance_set"]["primary"]["id"] == primary["objectId"]
    assert play.results[1]["instance_set"]["high_availability"] is True
    assert_idempotent(ansible, emulator, check_then_apply("fail back again", back))


# --- delete --------------------------------------------------------------------------------------------------------
def test_delete_always_sends_keep_automatic_backups_and_waits_until_gone(ansible, emulator):
    keep = seed_instance_set(emulator, "cache-keep", nodes=1)
    drop = seed_instance_set(emulator, "cache-drop", nodes=1)
    for name, resource in (("auto.keep", keep), ("auto.drop", drop)):
        emulator.memstore.backups[name] = {"name": name, "instanceSetId": resource["id"], "automatic": True, "version": "7.2.7"}
    gone_keep = existing(emulator, "cache-keep", state="absent")
    gone_drop = existing(emulator, "cache-drop", state="absent", keep_automatic_backups=False)
    play = ansible.run(check_then_apply("delete keep", gone_keep) + check_then_apply("delete drop", gone_drop), diff=True)
    assert [r["changed"] for r in play.results] == [True, True, True, True], play.output
    assert play.results[0]["diff"]["before"]["name"] == "cache-keep" and play.results[0]["diff"]["after"] == {}
    deletes = writes(emulator)
    assert calls(deletes) == [("DELETE", "/v1/instance-sets/%s" % keep["id"]), ("DELETE", "/v1/instance-sets/%s" % drop["id"])]
    assert [e["query"] for e in deletes] == [{"keepAutomaticBackups": "true"}, {"keepAutomaticBackups": "false"}]
    assert emulator.memstore.resources == {}  # waited until gone
    assert sorted(emulator.memstore.backups) == ["auto.keep"]

    since = emulator.log.last_seq()
    play = ansible.run(check_then_apply("delete keep", gone_keep) + [task("never existed", existing(emulator, "cache-none", state="absent"))])
    assert [r["changed"] for r in play.results] == [False, False, False]
    assert calls(api(emulator, since)) == [("GET", "/v1/clusters")] * 3


# --- validation, refusals, immutable options ------------------------------------------------------------------------------
VALIDATION = [
    (dict(name="abc"), "name must be 4 to 20 characters long (got 3)"),
    (dict(name="a" * 21), "name must be 4 to 20 characters long (got 21)"),
    (dict(name="Cache_set"), "name may contain only lowercase letters, digits and '-'"),
    (dict(name="1cache"), "name must start with a lowercase letter"),
    (dict(name="cache-"), "name must end with a lowercase letter or a digit"),
    (dict(name="ca--che"), "name must not contain consecutive hyphens"),
    (dict(description="x" * 101), "description must be at most 100 characters (got 101)"),
    (dict(description="two\r\nlines"), "description must not contain line breaks"),
    (dict(description="rocket \U0001F680"), "description must not contain emoji (found U+1F680)"),
    (dict(description="sunny \u2600"), "description must not contain emoji (found U+2600)"),
    (dict(port=1999), "port must be between 2000 and 50000 (got 1999)"),
    (dict(port=50001), "port must be between 2000 and 50000 (got 50001)"),
    (dict(version="7.4"), "version must look like N.N.N, for example 7.2.7 (got '7.4')"),
    (dict(node_count=7), "node_count must be between 1 and 6"),
    (dict(node_count=0), "node_count must be between 1 and 6"),
    (dict(backup={"hour": 24, "retention_days": 7}), "backup.hour must be between 0 and 23 (got 24)"),
    (dict(backup={"hour": 1, "retention_days": 36}), "backup.retention_days must be between 1 and 35 (got 36)"),
    (dict(backup={"hour": 1}), "backup.retention_days required when backup.enabled is true"),
    (dict(restore_from={"backup_name": "b", "files": ["bucket/f"]}), "mutually exclusive: backup_name|files found in restore_from"),
    (dict(restore_from={"files": ["no-bucket-path"]}), "restore_from.files entries must look like bucket/folder/.../file"),
    (dict(subnets=["subnet-1"]), "subnet_assignment may use only subnets listed in subnets: subnet-2 not in [subnet-1]"),
    (dict(parameter_group_id=""), "parameter_group_id must not be empty"),
]


def test_every_validation_rule_is_checked_before_any_request(ansible, emulator):
    tasks = [task("case %d" % index, dict(new_set(emulator, "cache-valid"), **options), ignore_errors=True)
             for index, (options, _message) in enumerate(VALIDATION)]
    tasks.append(task("no restore source", new_set(emulator, "cache-valid", restore_from={}), ignore_errors=True))
    play = ansible.run(tasks)
    for (options, message), result in zip(VALIDATION, play.results):
        assert result["failed"], (options, result)
        assert message in result["msg"], (options, result["msg"])
    assert play.results[-1]["failed"] and "one of the following is required: backup_name, files" in play.results[-1]["msg"]
    assert emulator.log.entries() == []  # not even a token request


def test_rules_that_need_the_live_set_refuse_before_any_write(ansible, emulator):
    resource = seed_instance_set(emulator, "cache-rules", nodes=2, recoveryEnabled=True,
                                 backupSchedule={"cron": "* 2 * * *", "retentionLimit": 3})
    resource["_instances"][1]["status"] = "Failed"
    play = ansible.run([
        task("below two nodes with backups", existing(emulator, "cache-rules", node_count=1), ignore_errors=True),
        task("HA on, no Running replica", existing(emulator, "cache-rules", node_count=1, backup={"enabled": False}), ignore_errors=True),
        task("unknown instance", existing(emulator, "cache-rules", primary_instance="nope"), ignore_errors=True),
        task("create without options", existing(emulator, "cache-missing", node_count=1), ignore_errors=True),
    ])
    msgs = [r["msg"] for r in play.results]
    assert all(r["failed"] for r in play.results)
    assert "active automatic backup policy" in msgs[0] and "backup.enabled: false" in msgs[0]
    assert "only Running replicas can be deleted" in msgs[1]
    assert "'nope' is not an instance of instance set 'cache-rules'" in msgs[2]
    assert "creating it needs flavor_id or flavor, version, port, parameter_group_id or parameter_group, subnet_assignment, security_groups" in msgs[3]
    assert writes(emulator) == []


def test_options_fixed_at_creation_fail_naming_each_one(ansible, emulator):
    seed_instance_set(emulator, "cache-fixed", nodes=1, user={"name": "app"})
    changed = existing(emulator, "cache-fixed", version="6.2.17", port=6380, flavor_id="flavor-2", tls_enabled=True,
                       user={"name": "other", "password": PASSWORD}, restore_from={"backup_name": "b1"},
                       subnet_assignment={"primary": "subnet-2"}, description="would change")
    same_user = existing(emulator, "cache-fixed", version="7.2.7", port=6379, user={"name": "app", "password": "a-new-" + PASSWORD})
    play = ansible.run([task("change fixed options", changed, ignore_errors=True), task("same user, new password", same_user)],
                       verbosity=3)
    refused, unchanged = play.results
    assert refused["failed"]
    for part in ("version (live: 7.2.7, wanted: 6.2.17)", "port (live: 6379, wanted: 6380)",
                 "flavor_id (live: flavor-1, wanted: flavor-2)", "tls_enabled (live: false, wanted: true)",
                 "user (live: name=app, wanted: name=other)", "restore_from (live: none, wanted: backup_name=b1)",
                 "subnet_assignment.primary (live: subnet-1, wanted: subnet-2)", "cannot change after creation"):
        assert part in refused["msg"], refused["msg"]
    assert unchanged["changed"] is False  # the password is write-only: never compared
    assert writes(emulator) == []
    assert PASSWORD not in play.output


# --- failures and faults ----------------------------------------------------------------------------------------------------
def test_failed_operations_and_timeouts_are_clear_failures(ansible, emulator):
    emulator.faults.add_operation("create", "failed", target="cache-doomed")
    emulator.faults.add_operation("create", "stuck", target="cache-stuck")
    seed_instance_set(emulator, "cache-grow", nodes=1)
    emulator.faults.add_operation("scale", "failed", target="cache-grow")
    single = dict(node_count=1, subnet_assignment={"primary": "subnet-1"})
    play = ansible.run([
        task("create fails", new_set(emulator, "cache-doomed", **single), ignore_errors=True),
        task("create hangs", new_set(emulator, "cache-stuck", wait_timeout=2, **single), ignore_errors=True),
        task("scale fails", existing(emulator, "cache-grow", node_count=2), ignore_errors=True),
    ])
    doomed, stuck, grow = play.results
    assert doomed["failed"] and grow["failed"] and stuck["failed"]
    assert doomed["msg"].startswith("instance set 'cache-doomed' failed while waiting for the set to be Running (after: created): status Failed")
    assert doomed["msg"].endswith("done so far: created")
    assert doomed["instance_set"]["status"] == "Failed" and doomed["actions"] == ["created"]
    assert "timed out after 2s (wait_timeout) waiting for the set to be Running (after: created) (last seen: status Creating" in stuck["msg"]
    assert stuck["duration"] >= 2
    # No replica subnet given or recorded: the replica goes to the primary's subnet.
    assert "status Failed" in grow["msg"] and grow["msg"].endswith("done so far: added a replica in subnet subnet-1")


def test_throttling_and_unavailable_bursts_and_a_busy_answer_are_survived(ansible, emulator):
    resource = seed_instance_set(emulator, "cache-flaky", nodes=1)
    emulator.faults.add_http(server="memstore", method="PATCH", path="/v1/instance-sets/*/replicas", status=409, times=1)
    emulator.faults.add_http(server="memstore", method="GET", path="/v1/clusters/*", status=503, times=3)
    emulator.faults.add_http(server="memstore", method="GET", path="/v1/clusters/*", status=429, times=3, retry_after=1)
    play = ansible.run([task("scale through faults", existing(emulator, "cache-flaky", node_count=2))])
    assert play.rc == 0, play.output
    assert play.last["instance_set"]["node_count"] == 2 and play.last["instance_set"]["status"] == "Running"
    statuses = [e["status"] for e in api(emulator) if e["path"] == "/v1/clusters/%s" % resource["id"]]
    assert statuses.count(503) == 3 and statuses.count(429) == 3
    adds = [e["status"] for e in writes(emulator)]
    assert adds == [409, 200] and len(resource["_instances"]) == 2  # one replica added, not two


def test_token_expiry_during_a_wait_is_survived_with_one_reissue(ansible, emulator):
    take = emulator.faults.take_operation

    def expire_tokens_soon_after_create(operation, target):
        if operation == "create":
            emulator.scheduler.schedule(10, lambda: [t.update(expires_at=0) for t in emulator.memstore.tokens.values()])
        return take(operation, target)

    emulator.faults.take_operation = expire_tokens_soon_after_create  # reset() brings a fresh Faults
    play = ansible.run([task("create", new_set(emulator, "cache-token", node_count=1, subnet_assignment={"primary": "subnet-1"}))])
    assert play.rc == 0, play.output
    assert play.last["instance_set"]["status"] == "Running"
    assert emulator.memstore.tokens_issued == 2
    assert [e["status"] for e in api(emulator)].count(401) == 1


def test_a_create_whose_answer_is_lost_is_never_duplicated(ansible, emulator):
    # A dropped answer after the server created the set: found by name, not sent again. A server error
    # before it created anything: read again, nothing there, sent once more (the service refuses a second
    # set of the same name, so this can never duplicate it). Two server errors: never sent a third time.
    emulator.faults.add_http(server="memstore", method="POST", path="/v1/instance-sets", drop="after", times=1)
    emulator.faults.add_operation("create", "error", target="cache-error")
    emulator.faults.add_operation("create", "error", target="cache-errors", times=2)
    single = dict(node_count=1, subnet_assignment={"primary": "subnet-1"})
    play = ansible.run([task("create", new_set(emulator, "cache-dropped", **single)),
                        task("server error", new_set(emulator, "cache-error", **single)),
                        task("server errors", new_set(emulator, "cache-errors", **single), ignore_errors=True)])
    dropped, errored, errored_twice = play.results
    assert dropped["changed"] and dropped["instance_set"]["status"] == "Running", play.output
    assert dropped["actions"] == ["created (its answer was lost: found the set by name)"]
    assert errored["changed"] and errored["instance_set"]["status"] == "Running"
    assert errored["actions"] == ["created (its answer was lost and a read found nothing: sent once more)"]
    assert errored_twice["failed"] and "POST /v1/instance-sets returned HTTP 500" in errored_twice["msg"]
    assert "read again: not done, so it was not sent again" in errored_twice["msg"]
    posts = [e for e in writes(emulator) if e["method"] == "POST"]
    assert [e["body"]["instanceSetName"] for e in posts] == ["cache-dropped", "cache-error", "cache-error", "cache-errors", "cache-errors"]
    assert [r["name"] for r in emulator.memstore.resources.values()] == ["cache-dropped", "cache-error"]


# --- info ----------------------------------------------------------------------------------------------------------------------
def test_info_reads_one_set_or_all_and_never_writes(ansible, emulator):
    first = seed_instance_set(emulator, "cache-one", nodes=2)
    seed_instance_set(emulator, "cache-two", nodes=1)
    cluster = {"id": "cluster-x", "name": "cluster-x", "clusterMode": "enabled", "status": "Running",
               "projectId": emulator.info()["project_id"]}
    emulator.memstore.resources["cluster-x"] = cluster  # cluster mode enabled: never listed as an instance set
    info = emulator.info()
    env = {"KAKAOCLOUD_MEMSTORE_URL": info["memstore_url"], "KAKAOCLOUD_IDENTITY_URL": info["identity_url"],
           "KAKAOCLOUD_APPLICATION_CREDENTIAL_ID": info["application_credential_id"],
           "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET": info["application_credential_secret"]}
    play = ansible.run([
        {"name": "all", INFO: {}},
        {"name": "by name", INFO: {"name": "cache-one"}},
        {"name": "by id", INFO: {"id": first["id"]}},
        {"name": "missing", INFO: {"name": "cache-none"}},
    ], check=True, env=env, module_defaults={"group/redisops.platform.memstore": {"request_timeout": 20}})
    assert play.rc == 0, play.output
    everything, by_name, by_id, missing = play.results
    assert sorted(s["name"] for s in everything["instance_sets"]) == ["cache-one", "cache-two"]
    assert [s["id"] for s in by_name["instance_sets"]] == [first["id"]]
    assert by_id["instance_sets"] == by_name["instance_sets"]
    one = by_name["instance_sets"][0]
    assert one["node_count"] == 2 and one["primary"]["role"] == "primary" and len(one["replica_endpoints"]) == 1
    assert missing["instance_sets"] == []
    assert all(r["changed"] is False for r in play.results)
    assert writes(emulator) == []
    # all: list + one instance list per set; by name and by id: two requests each; missing: the list.
    assert len(api(emulator)) == 3 + 2 + 2 + 1


def test_info_without_instances_reads_only_the_list(ansible, emulator):
    seed_instance_set(emulator, "cache-one", nodes=2)
    seed_instance_set(emulator, "cache-two", nodes=3)
    play = ansible.run([{"name": "all, statuses only", INFO: dict(conn(emulator), read_instances=False)},
                        {"name": "one, statuses only", INFO: dict(conn(emulator), name="cache-two", read_instances=False)}])
    assert play.rc == 0, play.output
    everything, one = play.results
    assert [(s["name"], s["status"], s["node_count"]) for s in everything["instance_sets"]] == [
        ("cache-one", "Running", 2), ("cache-two", "Running", 3)]
    assert one["instance_sets"] == everything["instance_sets"][1:]
    for view in everything["instance_sets"]:
        assert view["instances"] is None and view["primary"] is None
        assert view["primary_endpoint"] is None and view["replica_endpoints"] is None
    assert [e["path"] for e in api(emulator)] == ["/v1/clusters", "/v1/clusters"]  # the list, once per task


# --- the emulator's own rules (plain HTTP, no playbook) -----------------------------------------------------------------------------
@pytest.fixture
def memstore(emulator):
    """A requests session with a token on the emulated MemStore API."""
    info = emulator.info()
    body = {"auth": {"identity": {"methods": ["application_credential"], "application_credential": {
        "id": info["application_credential_id"], "secret": info["application_credential_secret"]}}}}
    token = requests.post(emulator.identity_url + "/auth/tokens", json=body, timeout=10).headers["X-Subject-Token"]
    session = requests.Session()
    session.headers["X-Auth-Token"] = token
    session.base = emulator.memstore_url
    return session


def call(session, method, path, **kwargs):
    response = session.request(method, session.base + path, timeout=10, **kwargs)
    return response.status_code, (response.json() if response.content else None)


def settle(emulator, seconds=200):
    """Let every running operation finish now."""
    with emulator.lock:
        emulator.clock.advance(seconds)
        emulator.scheduler.run_due()


def test_emulator_create_rules(emulator, memstore):
    body = {"instanceSetName": "emu-set", "replicas": 2, "flavorId": "f", "recoveryEnabled": False,
            "subnets": [{"id": "s1"}, {"id": "s2"}], "subnetAssignments": [{"primary": {"id": "s1"}, "replicas": [{"id": "s2"}]}],
            "securityGroups": [{"id": "sg"}], "parameterGroupId": "pg", "port": 6379,
            "projectId": emulator.info()["project_id"], "version": "7.2.7"}
    assert call(memstore, "POST", "/v1/instance-sets", json=body)[0] == 201
    status, answer = call(memstore, "POST", "/v1/instance-sets", json=body)
    assert status == 409 and "already exists" in answer["error"]["message"]
    bad = [
        dict(body, instanceSetName="emu-2", description="\U0001F600"),
        dict(body, instanceSetName="emu-2", port="6379"),
        dict(body, instanceSetName="emu-2", version="7.4.0"),
        dict(body, instanceSetName="emu-2", subnetAssignments=[{"primary": {"id": "s9"}, "replicas": [{"id": "s2"}]}]),
        dict(body, instanceSetName="emu-2", replicas=3),  # two replicas need two placements
        dict(body, instanceSetName="emu-2", backupSchedule={"cron": "0 1 * * *", "retentionLimit": 3}),
        dict(body, instanceSetName="emu-2", restoreSource={"backupName": "nope"}),
        dict(body, instanceSetName="emu--2"),
    ]
    assert [call(memstore, "POST", "/v1/instance-sets", json=b)[0] for b in bad] == [400] * len(bad)
    assert call(memstore, "POST", "/v1/instance-sets", json=dict(body, instanceSetName="emu-3", projectId="other"))[0] == 403
    emulator.memstore.backups["newer"] = {"name": "newer", "version": "7.2.7"}
    emulator.memstore.backups["clustered"] = {"name": "clustered", "version": "6.2.5", "clusterMode": "enabled"}
    for name in ("newer", "clustered"):
        restore = dict(body, instanceSetName="emu-4", version="7.0.15", restoreSource={"backupName": name})
        assert call(memstore, "POST", "/v1/instance-sets", json=restore)[0] == 400
    assert call(memstore, "GET", "/v1/instance-sets/no-such-set/instances")[0] == 400


def test_emulator_write_rules(emulator, memstore):
    resource = seed_instance_set(emulator, "emu-rules", nodes=2, recoveryEnabled=True,
                                 backupSchedule={"cron": "* 1 * * *", "retentionLimit": 3})
    base = "/v1/instance-sets/%s" % resource["id"]
    primary, replica = [i["objectId"] for i in resource["_instances"]]
    assert call(memstore, "PATCH", base, json={"parameterGroupId": ""})[0] == 400
    assert call(memstore, "PATCH", base + "/primary", json={"primaryId": replica})[0] == 400  # HA on
    assert call(memstore, "DELETE", base + "/instances/" + primary)[0] == 400  # HA on: never the primary
    assert call(memstore, "DELETE", base + "/instances/" + replica)[0] == 400  # backups on and two nodes
    emulator.memstore.backups["auto"] = {"name": "auto", "instanceSetId": resource["id"], "automatic": True}
    assert call(memstore, "DELETE", base)[0] == 400  # keepAutomaticBackups required
    # Busy: 409 for writes, 400 for the HA switch.
    assert call(memstore, "PATCH", base, json={"description": "x"})[0] == 200
    assert call(memstore, "PATCH", base, json={"description": "y"})[0] == 409
    assert call(memstore, "PATCH", base + "/recovery", json={"enabled": False})[0] == 400
    settle(emulator)
    assert resource["description"] == "x" and resource["status"] == "Running"
    assert call(memstore, "PATCH", base, json={"backupSchedule": {"cron": ""}})[0] == 200
    settle(emulator)
    assert call(memstore, "PATCH", base + "/recovery", json={"enabled": False})[0] == 200
    settle(emulator)
    call(memstore, "GET", base + "/instances")  # runs what is due
    assert resource["recoveryEnabled"] is False
    assert call(memstore, "DELETE", base + "/instances/" + primary)[0] == 400  # HA off: only a Failed primary
    for _attempt in range(4):
        assert call(memstore, "PATCH", base + "/replicas", json={"subnet": {"id": "subnet-2"}})[0] == 200
        settle(emulator)
    status, answer = call(memstore, "PATCH", base + "/replicas", json={"subnet": {"id": "subnet-2"}})
    assert status == 400 and "at most 5 replicas" in answer["error"]["message"]
    assert call(memstore, "PATCH", base + "/replicas", json={"subnet": {"id": "elsewhere"}})[0] == 400
    assert call(memstore, "PATCH", base + "/primary", json={"primaryId": replica})[0] == 200
    settle(emulator)
    status, answer = call(memstore, "GET", base + "/instances")
    assert answer["size"] == 6 and [i["role"] for i in answer["data"]][:2] == ["replica", "primary"]
    assert call(memstore, "DELETE", base, params={"keepAutomaticBackups": "false"})[0] == 200
    settle(emulator)
    call(memstore, "GET", "/v1/clusters")
    assert emulator.memstore.resources == {} and "auto" not in emulator.memstore.backups
