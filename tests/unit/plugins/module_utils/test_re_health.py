"""The health rules of re_cluster_health (module_utils/redis_enterprise/health.py) on readings
shaped as real servers answer (string shard and node uids, a database without a sync object,
alerts configured off yet raised), and one poll's reads, concurrent on one client."""

import threading

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, Response
from ansible_collections.redisops.platform.plugins.module_utils._task import Task
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise import health
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.health import NOT_SERVED, Reading, judge


def node(uid, status="active"):
    return {"uid": uid, "addr": "10.0.0.%d" % uid, "status": status, "shard_count": 2}


def shard(uid, bdb, node_uid, role="master", sync="idle", **fields):
    body = {"uid": str(uid), "bdb_uid": bdb, "node_uid": str(node_uid), "role": role, "status": "active", "detailed_status": "ok",
            "loading": {"status": "idle"}}
    if sync is not None:
        body["sync"] = {"status": sync, "progress": 0}
    body.update(fields)
    return body


def database(uid, name, shards_count=1, replication=True, status="active"):
    return {"uid": uid, "name": name, "status": status, "shards_count": shards_count, "replication": replication,
            "authentication_redis_pass": "redis-secret-%d" % uid, "authentication_admin_pass": "", "authentication_sasl_pass": None}


def alert(enabled=True, state=True, severity="WARNING"):
    return {"enabled": enabled, "state": state, "severity": severity, "change_time": "2026-12-04T10:00:00Z", "change_value": {}}


def reading(**changes):
    """A healthy 3-node cluster with two databases: orders (replicated) and cache (no replication)."""
    values = dict(
        nodes=[node(1), node(2), node(3)],
        statuses={"1": {"node_status": "active", "shard_count": 2}, "2": {"node_status": "active", "shard_count": 2},
                  "3": {"node_status": "active", "shard_count": 1}},
        databases=[database(1, "orders"), database(2, "cache", replication=False)],
        availability={"1": (True, None), "2": (True, None)},
        shards=[shard(1, 1, 1), shard(2, 1, 2, role="slave"), shard(3, 2, 3, sync=None)],
        alerts={"cluster": {"cluster_license_about_to_expire": alert(enabled=False)}, "node": {"1": {"node_memory": alert(state=False)}},
                "database": {"1": {}, "2": {}}},
    )
    values.update(changes)
    return Reading(**values)


def blockers(report):
    return [(b["check"], b["subject"], b["state"]) for b in report["blockers"]]


def test_a_healthy_cluster():
    report = judge(reading())
    assert report["healthy"] is True and report["blockers"] == [] and report["skipped_checks"] == []
    assert report["checks"] == dict((name, "passed") for name in health.CHECKS)
    assert report["alerts"] == []  # configured off, yet raised: not active
    assert report["nodes"][0] == {"uid": 1, "addr": "10.0.0.1", "status": "active", "in_maintenance": False, "shard_count": 2}
    assert report["databases"] == [
        {"uid": 1, "name": "orders", "status": "active", "available": True, "shards_count": 1, "replication": True, "shards_total": 2,
         "shards_syncing": 0},
        {"uid": 2, "name": "cache", "status": "active", "available": True, "shards_count": 1, "replication": False, "shards_total": 1,
         "shards_syncing": 0}]


def test_no_quorum():
    report = judge(reading(quorum={"status": "inactive"}))
    assert blockers(report) == [("quorum", "cluster", "inactive")]
    assert report["checks"]["quorum"] == "failed" and report["healthy"] is False


def test_a_node_down_and_a_node_in_maintenance_unless_allowed():
    statuses = reading().statuses
    statuses["2"] = {"node_status": "down"}
    statuses["3"] = {"node_status": "active", "maintenance_snapshot": {"name": "maintenance_mode_1", "node_uid": "3"}}
    report = judge(reading(statuses=statuses))
    assert blockers(report) == [("nodes", "node:2", "down"), ("maintenance", "node:3", "in_maintenance")]
    assert "maintenance_mode_1" in report["blockers"][1]["message"]
    assert [n["in_maintenance"] for n in report["nodes"]] == [False, False, True]
    assert blockers(judge(reading(statuses=statuses), allow_maintenance=[3])) == [("nodes", "node:2", "down")]


def test_a_node_removed_between_the_list_and_its_status_is_left_out():
    statuses = reading().statuses
    statuses["3"] = None
    report = judge(reading(statuses=statuses))
    assert [n["uid"] for n in report["nodes"]] == [1, 2] and report["healthy"]


@pytest.mark.parametrize("status", ["pending", "active-change-pending", "recovery", "creation-failed"])
def test_a_database_that_is_not_active(status):
    report = judge(reading(databases=[database(1, "orders", status=status), database(2, "cache", replication=False)]))
    assert blockers(report) == [("databases", "db:1", status)]
    assert "database 1 (orders) is %s" % status in report["blockers"][0]["message"]


def test_only_the_checks_asked_for_are_judged():
    statuses = reading().statuses
    statuses["2"] = {"node_status": "down"}
    recovering = reading(databases=[database(1, "orders", status="recovery"), database(2, "cache", replication=False)])
    report = judge(recovering, checks=("quorum", "nodes"))
    assert report["healthy"] is True and report["blockers"] == []
    assert report["checks"] == dict(quorum="passed", nodes="passed", maintenance="ignored", databases="ignored", shards="ignored",
                                    alerts="ignored", actions="ignored")
    assert blockers(judge(reading(statuses=statuses, databases=recovering.databases), checks=("quorum", "nodes"))) == [
        ("nodes", "node:2", "down")]


def test_an_unavailable_database_names_the_error_code_and_a_404_is_skipped():
    availability = {"1": (False, ("bdb_unavailable_shard_unreachable", "no primary for slots 0-8191")), "2": NOT_SERVED}
    report = judge(reading(availability=availability))
    assert blockers(report) == [("databases", "db:1", "bdb_unavailable_shard_unreachable")]
    assert "no primary for slots 0-8191" in report["blockers"][0]["message"]
    assert report["skipped_checks"] == [{"check": "databases", "subject": "db:2", "reason": "availability not served (404): server before 7.8.2"}]
    assert [d["available"] for d in report["databases"]] == [False, None]


@pytest.mark.parametrize("changed, state", [
    (dict(sync="link_down"), "link_down"),
    (dict(sync="in_progress"), "in_progress"),
    (dict(status="inactive", detailed_status="down"), "inactive"),
    (dict(detailed_status="loading", loading={"status": "in_progress"}), "loading"),
])
def test_a_shard_that_is_not_idle_and_ok_is_a_blocker_named_by_database_and_shard(changed, state):
    sync = changed.pop("sync", "idle")
    shards = [shard(1, 1, 1), shard(2, 1, 2, role="slave", sync=sync, **changed), shard(3, 2, 3, sync=None)]
    report = judge(reading(shards=shards))
    assert blockers(report) == [("shards", "db:1 shard:2", state)]
    assert report["blockers"][0]["message"].startswith("shard 2 (slave) of database 1 (orders) on node 2: ")
    syncing = 1 if "in_progress" in (sync, changed.get("loading", {}).get("status")) else 0
    assert report["databases"][0]["shards_syncing"] == syncing


def test_shard_counts_follow_shards_count_and_replication():
    report = judge(reading(shards=[shard(1, 1, 1), shard(3, 2, 3, sync=None), shard(4, 2, 1, sync=None)]))
    assert blockers(report) == [("shards", "db:1", "wrong_shard_count"), ("shards", "db:2", "wrong_shard_count")]
    assert "has 1 shards, expected 2 (shards_count 1 x 2 with replication)" in report["blockers"][0]["message"]
    assert "has 2 shards, expected 1 (shards_count 1)" in report["blockers"][1]["message"]


def test_shards_not_served_are_skipped_and_their_counts_unknown():
    report = judge(reading(shards=NOT_SERVED))
    assert report["checks"]["shards"] == "skipped" and report["healthy"]
    assert report["databases"][0]["shards_total"] is None


def test_raised_alerts_are_blockers_unless_ignored():
    alerts = {"cluster": {"cluster_inconsistent_rl_sw": alert(), "cluster_ram_overcommit": alert(severity="ERROR")},
              "node": {"2": {"node_memory": alert(), "node_cpu_utilization": alert(enabled=False)}},
              "database": {"1": {"bdb_size": alert()}, "9": {"bdb_size": alert()}}}
    report = judge(reading(alerts=alerts))
    assert blockers(report) == [("alerts", "cluster alert:cluster_ram_overcommit", "raised"), ("alerts", "node:2 alert:node_memory", "raised"),
                                ("alerts", "db:1 alert:bdb_size", "raised")]  # database 9 is not judged
    assert [(a["scope"], a["subject"], a["name"], a["ignored"]) for a in report["alerts"]] == [
        ("cluster", "cluster", "cluster_inconsistent_rl_sw", True), ("cluster", "cluster", "cluster_ram_overcommit", False),
        ("node", "node:2", "node_memory", False), ("database", "db:1", "bdb_size", False)]
    only = judge(reading(alerts=alerts), ignore_alerts=["node_memory", "bdb_size", "cluster_ram_overcommit"])
    assert blockers(only) == [("alerts", "cluster alert:cluster_inconsistent_rl_sw", "raised")]  # the given list replaces the default


def test_running_actions_and_state_machines_are_blockers_finished_ones_are_not():
    actions = {"actions": [{"action_uid": "a1", "name": "maintenance_on", "node_uid": "2", "progress": "40", "status": "running"},
                           {"action_uid": "a2", "name": "remove", "node_uid": "3", "progress": "100", "status": "completed"}],
               "state-machines": [{"action_uid": "s1", "name": "SMUpdateBDB", "object_name": "bdb:1", "status": "pending"}]}
    report = judge(reading(actions=actions))
    assert blockers(report) == [("actions", "action:a1", "running"), ("actions", "action:s1", "pending")]
    assert report["blockers"][0]["message"] == "maintenance_on on node 2 is running (progress 40%)"
    assert report["blockers"][1]["message"] == "SMUpdateBDB on bdb:1 is pending"
    assert judge(reading(actions=[{"action_uid": "a1", "status": "queued"}]))["blockers"][0]["state"] == "queued"  # a bare list


def test_what_the_server_does_not_serve_is_skipped_never_passed():
    report = judge(reading(quorum=NOT_SERVED, actions=NOT_SERVED,
                           alerts={"cluster": NOT_SERVED, "node": NOT_SERVED, "database": NOT_SERVED}))
    assert report["healthy"] is True
    assert {k: v for k, v in report["checks"].items() if v == "skipped"} == {"quorum": "skipped", "alerts": "skipped",
                                                                             "actions": "skipped"}
    assert [(s["check"], s["subject"]) for s in report["skipped_checks"]] == [
        ("quorum", "cluster"), ("alerts", "cluster"), ("alerts", "node"), ("alerts", "database"), ("actions", "cluster")]


def test_databases_are_selected_by_uid_first_then_name():
    databases = [database(1, "orders"), database(2, "1"), database(3, "cache")]
    assert [d["uid"] for d in health.select_databases(databases, ["1", "cache"])[0]] == [1, 3]
    assert [d["uid"] for d in health.select_databases(databases, None)[0]] == [1, 2, 3]
    assert health.select_databases(databases, ["orders", "nope", "7"]) == ([databases[0]], ["nope", "7"])


def test_the_secrets_a_database_carries_are_collected_to_be_masked():
    assert health.database_secrets([database(1, "orders"), database(2, "cache")]) == ["redis-secret-1", "redis-secret-2"]


@pytest.mark.parametrize("params, message", [
    (dict(databases=[]), "databases must name at least one database"),
    (dict(databases=[" "]), "databases must not hold an empty name"),
    (dict(allow_maintenance=[0]), "allow_maintenance must hold node uids"),
    (dict(checks=[]), "checks must name at least one check"),
])
def test_option_errors(params, message):
    assert message in "; ".join(health.option_errors(params))


def test_an_unavailable_answer_is_a_state_not_retried():
    client = health.HealthClient(dict(url="https://node1.invalid:9443", validate_certs=True, request_timeout=5))
    assert client.is_permanent(503, {"error_code": "bdb_unavailable_shard_unreachable", "description": "x"})
    assert client.is_permanent(503, {"error_code": "no_quorum"})
    assert client.is_permanent(503, {"error_code": "node_not_in_cluster"})  # the client's own rule still holds
    assert not client.is_permanent(503, {"error_code": "overloaded"})
    assert not client.is_permanent(502, {"error_code": "no_quorum"})


# --- one poll: every read at once, on one client -------------------------------------------------------------
class ConcurrentApi:
    """Answers GETs from a table; records the requests and how many were in flight at once."""

    def __init__(self, answers, hold=0.05):
        self.answers = answers
        self.hold = hold
        self.paths = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()
        self.release = threading.Event()

    def get(self, path):
        with self.lock:
            self.paths.append(path)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.release.wait(self.hold)
        with self.lock:
            self.in_flight -= 1
        status, body = self.answers.get(path, (404, {"error_code": "not_found"}))
        if status != 200:
            raise ApiError("GET", path, status=status, code=body.get("error_code"), message=body.get("description"))
        return Response(200, body, {})


def cluster_answers():
    return {
        "/v1/local/node/master_healthcheck": (200, {"status": "active"}),
        "/v1/nodes": (200, [node(1), node(2)]),
        "/v1/nodes/1/status": (200, {"node_status": "active"}),
        "/v1/nodes/2/status": (200, {"node_status": "active"}),
        "/v1/bdbs": (200, [database(1, "orders"), database(2, "cache", replication=False)]),
        "/v1/bdbs/1/availability": (200, {}),
        "/v1/bdbs/2/availability": (503, {"error_code": "no_quorum", "description": "the cluster has no quorum"}),
        "/v1/shards": (200, [shard(1, 1, 1), shard(2, 1, 2, role="slave"), shard(3, 2, 1, sync=None)]),
        "/v1/cluster/alerts": (200, {}),
        "/v1/nodes/alerts": (200, {"1": {}, "2": {}}),
        "/v1/bdbs/alerts": (200, {"1": {}, "2": {}}),
        "/v1/actions": (200, {"actions": [], "state-machines": []}),
    }


def test_one_poll_reads_everything_concurrently_on_one_client():
    api = ConcurrentApi(cluster_answers())
    found = health.HealthReader(api).read()
    assert sorted(api.paths) == sorted(cluster_answers())
    assert api.most_in_flight >= 8  # the cluster-wide reads went out together
    report = judge(found)
    assert blockers(report) == [("databases", "db:2", "no_quorum")]


def test_only_the_judged_databases_availability_is_read_and_an_unknown_one_fails():
    api = ConcurrentApi(cluster_answers(), hold=0)
    found = health.HealthReader(api).read(["cache"])
    assert [d["name"] for d in found.databases] == ["cache"]
    assert found.secrets == ["redis-secret-1", "redis-secret-2"]  # every database read, judged or not
    assert "/v1/bdbs/1/availability" not in api.paths
    with pytest.raises(ValueError, match=r"databases: sessions match no database of the cluster \(it has: orders \(uid 1\), cache"):
        health.HealthReader(ConcurrentApi(cluster_answers(), hold=0)).read(["sessions"])


def test_a_read_the_server_does_not_serve_is_marked_and_other_errors_raise():
    answers = cluster_answers()
    del answers["/v1/actions"]
    answers["/v1/bdbs/1/availability"] = (404, {"error_code": "not_found"})
    found = health.HealthReader(ConcurrentApi(answers, hold=0)).read()
    assert found.actions == NOT_SERVED and found.availability["1"] == NOT_SERVED
    answers["/v1/shards"] = (500, {"error_code": "internal"})
    with pytest.raises(ApiError):
        health.HealthReader(ConcurrentApi(answers, hold=0)).read()


def test_the_lists_later_reads_need_are_sent_first():
    api = ConcurrentApi(cluster_answers(), hold=0)
    health.HealthReader(api, workers=1).read()  # one worker: the reads go out in the order they were sent
    assert api.paths[:2] == ["/v1/nodes", "/v1/bdbs"]


class Ended(Exception):
    """What a task ended with: ``exit`` or ``fail``, its message and result."""

    def __init__(self, how, msg, result):
        super(Ended, self).__init__(how)
        self.how, self.msg, self.result = how, msg, result


class HealthTask(Task):
    """A re_cluster_health task (read once) on ``client``."""

    def __init__(self, client, **params):
        self.api = client
        self.params = dict(dict(wait=False, databases=None, ignore_alerts=list(health.DEFAULT_IGNORED_ALERTS), allow_maintenance=[],
                                checks=None), **params)

    def waiter(self):
        return None  # a task that does not wait never asks for it

    def client(self, client_class, deadline=None):
        return self.api

    def warn(self, message):
        raise AssertionError("no warning expected: %s" % message)

    def exit(self, **result):
        raise Ended("exit", None, result)

    def fail(self, msg, **result):
        raise Ended("fail", msg, result)


class NamedApi(ConcurrentApi):
    """A client whose cluster's name comes only while a poll's first read is in flight with it."""

    def __init__(self, answers):
        super(NamedApi, self).__init__(answers, hold=0)
        self.together = threading.Barrier(2, timeout=5)

    def cluster_name_if_known(self):
        self.together.wait()  # broken after 5 s unless a poll's read arrives meanwhile
        return "cluster.re.test"

    def get(self, path):
        if path == "/v1/nodes":
            self.together.wait()
        return super(NamedApi, self).get(path)


def test_the_cluster_name_is_read_beside_the_first_poll_not_before_it():
    api = NamedApi(cluster_answers())
    with pytest.raises(Ended) as ended:
        health.HealthGate(HealthTask(api), hide=lambda values: None).run()
    assert ended.value.how == "exit"
    assert ended.value.result["cluster_name"] == "cluster.re.test" and ended.value.result["polls"] == 1
    assert sorted(api.paths) == sorted(cluster_answers())


def test_a_poll_that_fails_still_names_the_cluster():
    api = NamedApi(cluster_answers())
    with pytest.raises(Ended) as ended:
        health.HealthGate(HealthTask(api, databases=["sessions"]), hide=lambda values: None).run()
    assert ended.value.how == "fail" and "sessions match no database" in ended.value.msg
    assert ended.value.result["cluster_name"] == "cluster.re.test" and ended.value.result["healthy"] is False
