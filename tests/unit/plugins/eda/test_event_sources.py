"""The Event-Driven Ansible event sources (extensions/eda/plugins/event_source/) against the
emulator, loaded by path as ansible-rulebook loads them, each run as a task putting its
events on a queue: the first poll, changes, an expiring certificate, an outage and its
recovery, a secret echoed by the server, bad arguments, and cancellation."""

import asyncio
import logging
import os
import runpy
import time
from pathlib import Path

import pytest
import requests

from emulator.memstore_clusters import seed_cluster
from emulator.memstore_instance_sets import seed_instance_set

SOURCES = Path(__file__).resolve().parents[4] / "extensions" / "eda" / "plugins" / "event_source"
INTERVAL = 0.3
CREDENTIAL_SECRET_ENV = "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET"


def load(name):
    return runpy.run_path(str(SOURCES / ("%s.py" % name)))


@pytest.fixture(autouse=True)
def no_connection_env(monkeypatch):
    """Arguments come from each test: none from the environment of whoever runs the tests."""
    for prefix in ("REDIS_ENTERPRISE_", "KAKAOCLOUD_"):
        for name in [key for key in os.environ if key.startswith(prefix)]:
            monkeypatch.delenv(name)


@pytest.fixture
def cluster(emulator):
    emulator.seed_re_cluster()
    return emulator


def re_args(emu, **extra):
    args = dict(url=emu.node_url(1), ca_path=emu.tls["ca"], interval=INTERVAL, **emu.info()["re_admin"])
    args.update(extra)
    return args


def memstore_args(emu, **extra):
    info = emu.info()
    args = dict(api_url=emu.memstore_url, identity_url=emu.identity_url, interval=INTERVAL,
                application_credential_id=info["application_credential_id"],
                application_credential_secret=info["application_credential_secret"])
    args.update(extra)
    return args


class Source:
    """A source's ``main`` running as a task, with the events it put so far."""

    def __init__(self, name, args):
        self.main = load(name)["main"]
        self.args = args
        self.queue = asyncio.Queue()
        self.events = []
        self.task = None

    async def __aenter__(self):
        self.task = asyncio.ensure_future(self.main(self.queue, self.args))
        return self

    async def __aexit__(self, *exc):
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task

    def drain(self):
        while not self.queue.empty():
            self.events.append(self.queue.get_nowait()["redisops"])
        return self.events

    async def wait_for(self, predicate, timeout=10.0):
        """The first event (since the start) that ``predicate`` accepts; fails after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.drain():
                if predicate(event):
                    return event
            await asyncio.sleep(0.05)
        raise AssertionError("no such event within %s s; events: %r" % (timeout, self.drain()))

    def of_type(self, kind):
        return [event for event in self.drain() if event["type"] == kind]


def api_requests(emu):
    return [entry for entry in emu.log.entries() if not entry["path"].startswith("/_emulator")]


async def polls(count=3):
    await asyncio.sleep(INTERVAL * count)


def control(emu, path, body, node=None):
    base = emu.node_url(node) if node else emu.memstore_url
    response = requests.post(base + "/_emulator" + path, json=body, verify=emu.tls["ca"], timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()


# --- redisops.platform.re_events ---------------------------------------------------------------------
def test_re_first_poll_reports_only_expiring_certificates_once(cluster):
    installed = control(cluster, "/re/certificates/proxy", {"days": 5}, node=1)

    async def scenario():
        async with Source("re_events", re_args(cluster, certificate_days=30)) as source:
            await source.wait_for(lambda e: e["type"] == "certificate_expiring")
            await polls(4)  # later polls see the same certificate: no second event
            return source.drain()

    events = asyncio.run(scenario())
    assert events == [{"type": "certificate_expiring", "cluster": "cluster.re.test", "name": "proxy", "days_left": 5,
                       "not_after": installed["not_after"], "fingerprint": installed["sha256_fingerprint"]}]


def test_re_a_read_only_user_is_enough(cluster):
    control(cluster, "/re/certificates/api", {"days": 2}, node=1)
    viewer = cluster.info()["re_viewer"]

    async def scenario():
        async with Source("re_events", re_args(cluster, **viewer)) as source:
            return await source.wait_for(lambda e: e["type"] != "unreachable" or pytest.fail(e["error"]))

    assert asyncio.run(scenario())["name"] == "api"


def test_re_certificate_days_bounds_what_is_expiring(cluster):
    control(cluster, "/re/certificates/proxy", {"days": 5}, node=1)

    async def scenario():
        async with Source("re_events", re_args(cluster, certificate_days=5)) as source:
            await polls(3)
            return source.drain()

    assert asyncio.run(scenario()) == []  # 5 days left is not fewer than 5


def test_re_rotated_certificate_that_expires_again_is_reported_again(cluster):
    async def scenario():
        async with Source("re_events", re_args(cluster)) as source:
            await polls(2)
            assert source.drain() == []  # the seeded cluster's certificates are valid for months
            first = control(cluster, "/re/certificates/syncer", {"days": 3}, node=1)
            await source.wait_for(lambda e: e.get("fingerprint") == first["sha256_fingerprint"])
            second = control(cluster, "/re/certificates/syncer", {"days": 2}, node=1)
            await source.wait_for(lambda e: e.get("fingerprint") == second["sha256_fingerprint"])
            return [(e["name"], e["days_left"]) for e in source.of_type("certificate_expiring")]

    assert asyncio.run(scenario()) == [("syncer", 3), ("syncer", 2)]


def test_re_node_maintenance_change_is_an_event(cluster):
    async def scenario():
        async with Source("re_events", re_args(cluster)) as source:
            await polls(2)
            assert source.drain() == []
            response = requests.post(cluster.node_url(1) + "/v1/nodes/2/actions/maintenance_on", json={},
                                     auth=tuple(cluster.info()["re_admin"].values()), verify=cluster.tls["ca"], timeout=10)
            assert response.status_code == 200, response.text
            event = await source.wait_for(lambda e: e["type"] == "node_maintenance_changed")
            return event

    assert asyncio.run(scenario()) == {"type": "node_maintenance_changed", "cluster": "cluster.re.test", "uid": 2,
                                       "in_maintenance": True}


def test_re_health_changes_are_events_through_the_health_reader(cluster):
    """A replica losing its link turns the cluster unhealthy (its blocker named as re_cluster_health
    names it), mending it turns it healthy again; the databases' passwords never reach an event."""
    database = control(cluster, "/re/databases", {"name": "watched", "shards_count": 1})
    shard = database["shard_list"][0]
    admin = tuple(cluster.info()["re_admin"].values())
    secrets = [value for item in requests.get(cluster.node_url(1) + "/v1/bdbs", auth=admin, verify=cluster.tls["ca"], timeout=10).json()
               for key, value in item.items() if key.startswith("authentication_") and value]
    assert secrets

    async def scenario():
        async with Source("re_events", re_args(cluster)) as source:
            await polls(2)
            assert source.drain() == []  # healthy at the start: no event
            control(cluster, "/re/shards/%s/sync" % shard, {"status": "link_down"})
            down = await source.wait_for(lambda e: e["type"] == "health_changed")
            control(cluster, "/re/shards/%s/sync" % shard, {"status": "idle"})
            up = await source.wait_for(lambda e: e["type"] == "health_changed" and e["new"])
            await polls(2)
            return down, up, source.of_type("health_changed")

    down, up, changes = asyncio.run(scenario())
    assert down == {"type": "health_changed", "cluster": "cluster.re.test", "old": True, "new": False,
                    "blockers": [{"check": "shards", "subject": "db:%s shard:%s" % (database["uid"], shard), "state": "link_down",
                                  "message": down["blockers"][0]["message"]}]}
    assert "watched" in down["blockers"][0]["message"]
    assert up == {"type": "health_changed", "cluster": "cluster.re.test", "old": False, "new": True, "blockers": []}
    assert len(changes) == 2  # one event per change, none while the state holds
    assert not any(secret in repr(changes) for secret in secrets)


def test_re_unhealthy_at_start_is_no_event_and_ignore_alerts_is_the_modules(cluster):
    control(cluster, "/re/alerts", {"scope": "node", "subject": 2, "name": "node_memory"})

    async def scenario():
        async with Source("re_events", re_args(cluster, ignore_alerts="node_memory, cluster_inconsistent_rl_sw")) as ignoring:
            async with Source("re_events", re_args(cluster)) as watching:
                await polls(2)
                control(cluster, "/re/alerts", {"scope": "node", "subject": 2, "name": "node_memory", "state": False})
                await watching.wait_for(lambda e: e["type"] == "health_changed")
                await polls(2)
                return ignoring.drain(), watching.drain()

    ignored, watched = asyncio.run(scenario())
    assert ignored == []  # the alert is ignored: the cluster was healthy all along
    assert watched == [{"type": "health_changed", "cluster": "cluster.re.test", "old": False, "new": True, "blockers": []}]


def test_re_outage_gives_one_unreachable_then_one_reachable(cluster):
    async def scenario():
        async with Source("re_events", re_args(cluster)) as source:
            await polls(2)
            cluster.node_down(1, 4 * INTERVAL + 0.5)  # several polls fail
            down = await source.wait_for(lambda e: e["type"] == "unreachable")
            await source.wait_for(lambda e: e["type"] == "reachable")
            await polls(2)
            return down, [event["type"] for event in source.drain()]

    down, kinds = asyncio.run(scenario())
    assert kinds == ["unreachable", "reachable"]
    assert down["url"] == cluster.node_url(1)
    assert "connection refused" in down["error"]
    assert down["cluster"] == "cluster.re.test"


def test_re_unreachable_at_start_is_reported_and_the_source_keeps_polling(emulator):
    # The node is in no cluster: every read is refused (503), and the first poll says so.
    async def scenario():
        async with Source("re_events", re_args(emulator)) as source:
            started = time.monotonic()
            down = await source.wait_for(lambda e: e["type"] == "unreachable")
            # The client's retries of the 503 (backoff 0.5, 1, 2, 4 s) stop when the next poll is due.
            assert time.monotonic() - started < INTERVAL + 1.0
            emulator.seed_re_cluster()
            await source.wait_for(lambda e: e["type"] == "reachable")
            assert not source.task.done()
            return down

    down = asyncio.run(scenario())
    assert down["cluster"] is None and "503" in down["error"]


@pytest.mark.parametrize("args, message", [
    ({"intervall": 5}, "unknown argument intervall"),
    ({"interval": 0}, "interval must be a number > 0"),
    ({"interval": "soon"}, "interval must be a number > 0"),
    ({"certificate_days": 2.5}, "certificate_days must be an integer >= 0"),
    ({"certificate_days": -1}, "certificate_days must be an integer >= 0"),
    ({"ignore_alerts": [""]}, "ignore_alerts must be a list of names"),
    ({"ignore_alerts": 3}, "ignore_alerts must be a list of names"),
    ({"username": "admin@re.test", "password": None}, "username and password are required together"),
])
def test_re_bad_arguments_fail_before_any_request(cluster, args, message):
    arguments = re_args(cluster)
    arguments.update(args)
    arguments = dict((key, value) for key, value in arguments.items() if value is not None)
    with pytest.raises(ValueError, match=message) as raised:
        asyncio.run(load("re_events")["main"](asyncio.Queue(), arguments))
    assert "redisops.platform.re_events" in str(raised.value)
    assert api_requests(cluster) == []


def test_re_url_from_the_environment_when_unset_or_empty(cluster, monkeypatch):
    monkeypatch.setenv("REDIS_ENTERPRISE_URL", cluster.node_url(1))
    monkeypatch.setenv("REDIS_ENTERPRISE_CA_PATH", cluster.tls["ca"])
    control(cluster, "/re/certificates/cm", {"days": 1}, node=1)
    args = re_args(cluster, url="")  # what a rulebook's "{{ redis_enterprise_url | default('') }}" gives when unset
    del args["ca_path"]

    async def scenario():
        async with Source("re_events", args) as source:
            return await source.wait_for(lambda e: e["type"] == "certificate_expiring")

    assert asyncio.run(scenario())["name"] == "cm"


# --- redisops.platform.memstore_events -----------------------------------------------------------------
def test_memstore_first_poll_is_silent_then_changes_are_events(emulator):
    first = seed_instance_set(emulator, "sessions-a", nodes=2)
    doomed = seed_cluster(emulator, "orders-c", shards=1, nodes_per_shard=1)

    async def scenario():
        async with Source("memstore_events", memstore_args(emulator)) as source:
            await polls(3)
            assert source.drain() == []
            instance = first["_instances"][0]["objectId"]
            control(emulator, "/memstore/instances/%s/status" % instance, {"status": "Failed", "instance_set_status": "Failed"})
            await source.wait_for(lambda e: e["type"] == "status_changed")
            added = seed_instance_set(emulator, "cache-b", nodes=1)
            await source.wait_for(lambda e: e["type"] == "resource_added")
            with emulator.lock:
                del emulator.memstore.resources[doomed["id"]]
            await source.wait_for(lambda e: e["type"] == "resource_removed")
            await polls(2)
            return source.drain(), added

    events, added = asyncio.run(scenario())
    assert events == [
        {"type": "status_changed", "kind": "instance_set", "id": first["id"], "name": "sessions-a", "old": "Running",
         "new": "Failed", "failed": True},
        {"type": "resource_added", "kind": "instance_set", "id": added["id"], "name": "cache-b", "status": "Running",
         "failed": False},
        {"type": "resource_removed", "kind": "cluster", "id": doomed["id"], "name": "orders-c", "old": "Running"},
    ]


def test_memstore_secret_in_listed_data_is_redacted(emulator):
    secret = emulator.info()["application_credential_secret"]

    async def scenario():
        async with Source("memstore_events", memstore_args(emulator)) as source:
            await polls(2)
            seed_instance_set(emulator, "echo-%s" % secret)  # a server that echoes the secret in its answers
            return await source.wait_for(lambda e: e["type"] == "resource_added")

    assert asyncio.run(scenario())["name"] == "echo-********"


def test_memstore_two_concurrent_lists_per_poll(emulator):
    seed_instance_set(emulator, "sessions-a", nodes=2)
    seed_cluster(emulator, "orders-c")
    # Each list answers 0.2 s late: read one after the other, a poll would take 0.4 s.
    for path in ("/v1/clusters", "/v1/backups"):
        control(emulator, "/faults", {"server": "memstore", "path": path, "delay": 0.2, "times": -1})

    async def scenario():
        async with Source("memstore_events", memstore_args(emulator)) as source:
            await polls(4)
            return source.drain()

    assert asyncio.run(scenario()) == []
    entries = api_requests(emulator)
    paths = [(entry["method"], entry["path"]) for entry in entries]
    assert paths[0] == ("POST", "/identity/v3/auth/tokens")
    assert set(paths[1:]) == {("GET", "/v1/clusters"), ("GET", "/v1/backups")} and len(paths) >= 5
    lists = entries[1:len(entries) - len(entries[1:]) % 2]
    assert abs(paths[1:].count(("GET", "/v1/clusters")) - paths[1:].count(("GET", "/v1/backups"))) <= 1  # one of each per poll
    for first, second in zip(lists[::2], lists[1::2]):
        assert {first["path"], second["path"]} == {"/v1/clusters", "/v1/backups"}
        assert abs(second["time"] - first["time"]) < 0.15  # sent together, not after the other's answer


def test_memstore_backups_completed_and_failed_are_events_and_none_at_the_first_poll(emulator):
    cache = seed_instance_set(emulator, "cache-a", nodes=2)
    orders = seed_cluster(emulator, "orders-c", shards=1, nodes_per_shard=2)
    emulator.memstore_backup_seconds = 30  # 0.3 s
    control(emulator, "/memstore/backups", {"name": "old-one", "instanceSetId": cache["id"]})  # complete before the source starts
    session = requests.Session()
    info = emulator.info()
    token = requests.post(emulator.identity_url + "/auth/tokens", timeout=10, json={"auth": {"identity": {
        "methods": ["application_credential"], "application_credential": {
            "id": info["application_credential_id"], "secret": info["application_credential_secret"]}}}})
    session.headers["X-Auth-Token"] = token.headers["X-Subject-Token"]

    def take(resource, name):
        answer = session.post(emulator.memstore_url + "/v1/backups", json={"clusterId": resource["id"], "name": name}, timeout=10)
        assert answer.status_code == 201, answer.text
        return answer.json()["objectId"]

    async def scenario():
        async with Source("memstore_events", memstore_args(emulator)) as source:
            await polls(2)
            assert source.drain() == []
            taken = take(cache, "cache-nightly")
            await source.wait_for(lambda e: e["type"] == "backup_completed")
            control(emulator, "/faults/operation", {"operation": "backup", "outcome": "failed", "target": "orders-c"})
            doomed = take(orders, "orders-nightly")
            await source.wait_for(lambda e: e["type"] == "backup_failed")
            await polls(2)
            return source.drain(), taken, doomed

    events, taken, doomed = asyncio.run(scenario())
    stored = emulator.memstore.backups
    assert events == [
        {"type": "backup_completed", "id": taken, "name": "cache-nightly", "kind": "instance_set", "resource_id": cache["id"],
         "resource_name": "cache-a", "status": "Available", "created_at": stored["cache-nightly"]["createdAt"]},
        {"type": "backup_failed", "id": doomed, "name": "orders-nightly", "kind": "cluster", "resource_id": orders["id"],
         "resource_name": "orders-c", "status": "Failed", "created_at": stored["orders-nightly"]["createdAt"]},
    ]


def test_memstore_outage_and_recovery(emulator):
    seed_instance_set(emulator, "sessions-a")

    async def scenario():
        async with Source("memstore_events", memstore_args(emulator)) as source:
            await polls(2)
            control(emulator, "/faults", {"server": "memstore", "path": "/v1/clusters", "status": 503, "times": -1})
            down = await source.wait_for(lambda e: e["type"] == "unreachable")
            await polls(3)
            requests.delete(emulator.memstore_url + "/_emulator/faults", timeout=10)
            await source.wait_for(lambda e: e["type"] == "reachable")
            return down, [event["type"] for event in source.drain()]

    down, kinds = asyncio.run(scenario())
    assert kinds == ["unreachable", "reachable"]
    assert down["url"] == emulator.memstore_url and "HTTP 503" in down["error"]


def test_memstore_needs_a_credential_before_any_request(emulator):
    args = memstore_args(emulator)
    del args["application_credential_id"], args["application_credential_secret"]
    with pytest.raises(ValueError, match="memstore_events: one of auth_token, application_credential_id is required"):
        asyncio.run(load("memstore_events")["main"](asyncio.Queue(), args))
    assert api_requests(emulator) == []


# --- both ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, make_args", [("re_events", re_args), ("memstore_events", memstore_args)])
def test_cancellation_stops_polling(emulator, name, make_args):
    emulator.seed_re_cluster()

    async def scenario():
        source = Source(name, make_args(emulator))
        async with source:  # leaving it cancels the task, and checks that it ends with CancelledError
            await polls(2)
        return source

    source = asyncio.run(scenario())
    assert source.task.cancelled()
    seen = len(api_requests(emulator))
    assert seen > 0
    time.sleep(3 * INTERVAL)
    assert len(api_requests(emulator)) == seen  # no poll after the task ended


@pytest.mark.parametrize("name, make_args, fault, secret_key", [
    ("re_events", re_args, {"server": "node1", "status": 500, "message": "user admin@re.test with password %s is locked"},
     "password"),
    ("memstore_events", memstore_args, {"server": "memstore", "path": "/identity/*", "status": 400,
                                        "message": "credential secret %s is locked"}, "application_credential_secret"),
])
def test_secret_echoed_by_the_server_never_reaches_events_or_logs(emulator, caplog, name, make_args, fault, secret_key):
    emulator.seed_re_cluster()
    args = make_args(emulator)
    secret = args[secret_key]
    control(emulator, "/faults", dict(fault, times=-1, message=fault["message"] % secret))
    caplog.set_level(logging.DEBUG)

    async def scenario():
        async with Source(name, args) as source:
            return await source.wait_for(lambda e: e["type"] == "unreachable")

    event = asyncio.run(scenario())
    assert "is locked" in event["error"] and "********" in event["error"]
    assert secret not in repr(event)
    assert "is locked" in caplog.text and secret not in caplog.text
