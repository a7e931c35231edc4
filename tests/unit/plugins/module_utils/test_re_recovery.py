"""The database recovery resource (re_database_recovery) driven by the runner against a scripted
cluster and a fake clock: plans read before any write, missing files refused before any write
unless recover_without_data (which applies to those only), one request when nothing is in
recovery, check mode, a busy answer, a lost answer, a recovery found under way, a failed recovery,
and no database password in the result."""

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, Response
from ansible_collections.redisops.platform.plugins.module_utils._resource import Runner
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.recovery import DatabaseRecovery, RecoverDatabase
from test_runner import Exited, FakeTask as RunnerTask

#: Polls a recovery takes from its start to completed.
POLLS_TO_COMPLETE = 2
SECRET = "redis-Secret-123"


class FakeCluster:
    """What the resource reads and writes of a cluster; ``requests`` records every call."""

    def __init__(self, statuses, lost=()):
        self.databases = [{"uid": uid, "name": "db%d" % uid, "status": status, "shard_list": [uid * 10, uid * 10 + 1],
                           "authentication_redis_pass": SECRET} for uid, status in enumerate(statuses, 1)]
        self.lost = set(lost)
        self.actions = {}  # action uid -> the state machine
        self.left = {}  # action uid -> polls until it completes
        self.answers = []  # what the next recovery POSTs meet: "busy", "lost after", "fails"
        self.requests = []

    def database(self, uid):
        return next(d for d in self.databases if str(d["uid"]) == str(uid))

    def tick(self):
        for action_uid, left in list(self.left.items()):
            self.left[action_uid] = left - 1
            if left - 1 <= 0:
                action = self.actions[action_uid]
                del self.left[action_uid]
                if action.get("will_fail"):
                    action["status"] = "failed"
                    action["error"] = "shard 10 could not load"
                else:
                    action["status"] = "completed"
                    self.database(action["object_name"][4:])["status"] = "active"

    def start(self, uid):
        action_uid = "sm-%s-%d" % (uid, len(self.actions) + 1)
        self.actions[action_uid] = {"action_uid": action_uid, "name": "SMRecoverBDB", "object_name": "bdb:%s" % uid, "status": "running"}
        self.left[action_uid] = POLLS_TO_COMPLETE
        return action_uid

    # --- the client's calls ----------------------------------------------------------------------
    def get(self, path):
        self.requests.append("GET " + path)
        if path == "/v1/bdbs":
            self.tick()
            return Response(200, [dict(d) for d in self.databases], {})
        if path == "/v1/actions":
            return Response(200, {"actions": [], "state-machines": [dict(a) for a in self.actions.values()]}, {})
        if path.startswith("/v1/actions/"):
            return Response(200, dict(self.actions[path.split("/")[-1]]), {})
        uid = path.split("/")[3]
        if int(uid) in self.lost:
            return Response(200, {"status": "missing-files", "data_files": []}, {})
        files = [{"filename": "redis-%d.rdb" % s, "shard_uid": str(s), "node_uid": "1"} for s in self.database(uid)["shard_list"]]
        return Response(200, {"status": "ready", "data_files": files}, {})

    def post(self, path, json_body=None):
        self.requests.append("POST " + path)
        uid = path.split("/")[3]
        answer = self.answers.pop(0) if self.answers else "ok"
        if answer == "busy":
            self.start(uid)  # someone else's recovery got there first
            raise ApiError("POST", path, status=409, code="bdb_recovery_in_progress", message="a recovery is running")
        action_uid = self.start(uid)
        self.actions[action_uid]["body"] = json_body
        if answer == "fails":
            self.actions[action_uid]["will_fail"] = True
        if answer == "lost after":
            raise ApiError("POST", path, message="connection reset")
        return Response(200, {"action_uid": action_uid}, {})

    def cluster_name_if_known(self):
        self.requests.append("GET /v1/cluster")
        return "cluster.example.com"

    def writes(self):
        return [r for r in self.requests if not r.startswith("GET")]


class FakeTask(RunnerTask):
    def __init__(self, cluster, check_mode=False, **params):
        options = dict(databases=None, recover_without_data=False, ignore_errors=None, wait=True, wait_timeout=600.0)
        options.update(params)
        super(FakeTask, self).__init__(check_mode=check_mode, diff=True, **options)
        self.cluster = cluster

    def client(self, client_class, deadline=None):
        return self.cluster


def converge(cluster, **params):
    task = FakeTask(cluster, **params)
    with pytest.raises(Exited) as exited:
        Runner(task, DatabaseRecovery).run()
    return exited.value.failed, exited.value.result, task


def test_databases_in_recovery_are_recovered_one_after_the_other_and_waited_for():
    cluster = FakeCluster(["recovery", "active", "recovery"])
    failed, result, _task = converge(cluster)
    assert not failed, result["msg"] if failed else None
    assert [(d["uid"], d["status_before"], d["plan_status"], d["changed"], d["status"]) for d in result["databases"]] == [
        (1, "recovery", "ready", True, "active"), (3, "recovery", "ready", True, "active")]
    assert result["cluster_name"] == "cluster.example.com" and result["changed"]
    assert cluster.writes() == ["POST /v1/bdbs/1/actions/recover", "POST /v1/bdbs/3/actions/recover"]
    assert [a["body"] for a in cluster.actions.values()] == [{}, {}]
    # every plan read before the first write; each recovery awaited through its own action
    first_write = cluster.requests.index("POST /v1/bdbs/1/actions/recover")
    assert {"GET /v1/bdbs/1/actions/recover", "GET /v1/bdbs/3/actions/recover"} <= set(cluster.requests[:first_write])
    assert "GET /v1/actions/sm-1-1" in cluster.requests and "GET /v1/actions/sm-3-2" in cluster.requests
    assert result["diff"]["before"]["databases"][0]["status"] == "recovery" and result["diff"]["after"]["databases"][0]["status"] == "active"
    assert SECRET not in str(result)


def test_without_wait_each_recovery_is_started_and_seen_under_way_only():
    cluster = FakeCluster(["recovery", "recovery"])
    failed, result, _task = converge(cluster, wait=False)
    assert not failed and cluster.writes() == ["POST /v1/bdbs/1/actions/recover", "POST /v1/bdbs/2/actions/recover"]
    assert result["changed"] and [d["changed"] for d in result["databases"]] == [True, True]
    assert list(cluster.actions.values())[-1]["status"] == "running"  # the task did not wait for it to end


def test_nothing_in_recovery_is_one_request_and_no_change():
    cluster = FakeCluster(["active", "active"])
    failed, result, _task = converge(cluster)
    assert not failed and result["changed"] is False and result["databases"] == [] and result["actions"] == []
    assert cluster.requests == ["GET /v1/bdbs"]


def test_missing_files_fail_before_any_write_naming_the_database_and_its_shards():
    cluster = FakeCluster(["recovery", "recovery"], lost=[2])
    failed, result, _task = converge(cluster)
    assert failed and result["changed"] is False and cluster.writes() == []
    assert result["msg"].startswith("Refusing to recover (nothing was changed): database 'db2' (uid 2): its recovery plan is "
                                    "missing-files; the files of shards 20, 21 are missing")


def test_recover_without_data_applies_only_to_the_databases_without_their_files():
    cluster = FakeCluster(["recovery", "recovery"], lost=[2])
    failed, result, _task = converge(cluster, recover_without_data=True, ignore_errors=True)
    assert not failed
    assert [a["body"] for a in cluster.actions.values()] == [{"ignore_errors": True}, {"recover_without_data": True, "ignore_errors": True}]
    assert result["actions"][1] == "recovered database 'db2' (uid 2) without its data (its recovery plan was missing-files)"


def test_check_mode_returns_every_plan_fails_nothing_and_writes_nothing():
    cluster = FakeCluster(["recovery", "recovery"], lost=[2])
    failed, result, task = converge(cluster, check_mode=True)
    assert not failed and cluster.writes() == []
    assert [(d["plan_status"], d["changed"], d["status"]) for d in result["databases"]] == [
        ("ready", True, "active"), ("missing-files", False, "recovery")]
    assert result["databases"][0]["data_files"][0]["filename"] == "redis-10.rdb"
    assert any("db2" in warning for warning in task.warnings)


def test_a_busy_answer_is_read_again_and_the_recovery_under_way_adopted():
    cluster = FakeCluster(["recovery"])
    cluster.answers = ["busy"]
    failed, result, _task = converge(cluster)
    assert not failed
    assert result["actions"] == ["recovered database 'db1' (uid 1) with its data (already under way: adopted)"]
    assert result["databases"][0]["status"] == "active" and cluster.writes() == ["POST /v1/bdbs/1/actions/recover"]


def test_a_lost_answer_is_found_under_way_never_sent_twice():
    cluster = FakeCluster(["recovery"])
    cluster.answers = ["lost after"]
    failed, result, _task = converge(cluster)
    assert not failed and cluster.writes() == ["POST /v1/bdbs/1/actions/recover"]
    assert result["actions"] == ["recovered database 'db1' (uid 1) with its data (its answer was lost: found it under way)"]


def test_a_recovery_found_under_way_is_followed():
    cluster = FakeCluster(["recovery"])
    cluster.start(1)
    failed, result, _task = converge(cluster)
    assert not failed and cluster.writes() == [] and result["databases"][0]["status"] == "active"


def test_a_failed_recovery_fails_the_task_with_its_error():
    cluster = FakeCluster(["recovery"])
    cluster.answers = ["fails"]
    failed, result, _task = converge(cluster)
    assert failed and "the recovery of database 'db1' (uid 1) ended failed: shard 10 could not load" in result["msg"]


def test_named_databases_and_bad_options():
    cluster = FakeCluster(["recovery", "active"])
    failed, result, _task = converge(cluster, databases=["db2"])
    assert not failed and result["changed"] is False
    assert [(d["uid"], d["status_before"], d["plan_status"]) for d in result["databases"]] == [(2, "active", None)]
    failed, result, _task = converge(FakeCluster(["recovery"]), databases=["nope"])
    assert failed and "nope match no database" in result["msg"]
    assert DatabaseRecovery.validate(dict(databases=[], wait_timeout=10)) == [
        "databases must name at least one database (uid or name); omit it for every database in recovery"]


def test_steps_declare_their_fields():
    with pytest.raises(TypeError):
        RecoverDatabase(text="x", uid="1", body={}, force=True)  # pylint: disable=unexpected-keyword-arg
