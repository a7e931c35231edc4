"""The event sources against answers that cannot be trusted, and a credential that keeps being
refused: no event made of a page that is not the API's answer, no IAM request every poll, and
a prompt stop when cancelled in the middle of a request."""

import asyncio
import fnmatch
import threading
import time

import pytest
import requests

from emulator.memstore_instance_sets import seed_instance_set
from test_event_sources import INTERVAL, Source, control, memstore_args, polls, re_args


def requests_delete(emu):
    requests.delete(emu.memstore_url + "/_emulator/faults", timeout=10)


def test_memstore_a_proxy_page_is_an_outage_not_every_resource_removed(emulator):
    seed_instance_set(emulator, "sessions-a")

    async def scenario():
        async with Source("memstore_events", memstore_args(emulator)) as source:
            await polls(2)
            control(emulator, "/faults", {"server": "memstore", "path": "/v1/clusters", "status": 200, "times": 3,
                                          "body": "<html>Sign in to the gateway</html>", "content_type": "text/html"})
            down = await source.wait_for(lambda e: e["type"] == "unreachable")
            await source.wait_for(lambda e: e["type"] == "reachable")
            await polls(2)
            return down, [event["type"] for event in source.drain()]

    down, kinds = asyncio.run(scenario())
    assert kinds == ["unreachable", "reachable"]  # never resource_removed, then resource_added again
    assert "answered HTTP 200 with a body that is not JSON (text/html: <html>Sign in to the gateway</html>)" in down["error"]


# --- a credential the API keeps refusing ----------------------------------------------------------------
def token_requests(emu):
    return [entry["time"] for entry in emu.log.entries() if entry["path"].endswith("/auth/tokens")]


def test_memstore_a_persistent_401_backs_off_instead_of_issuing_a_token_every_poll(emulator):
    seed_instance_set(emulator, "sessions-a")

    async def scenario():
        async with Source("memstore_events", memstore_args(emulator)) as source:
            await polls(2)
            control(emulator, "/faults", {"server": "memstore", "path": "/v1/clusters", "status": 401, "times": -1,
                                          "code": "Unauthorized", "message": "token rejected"})
            await source.wait_for(lambda e: e["type"] == "unreachable")
            since = len(token_requests(emulator))
            await asyncio.sleep(INTERVAL * 14)  # 14 polls' time
            issued = token_requests(emulator)[since - 1:]
            requests_delete(emulator)
            await source.wait_for(lambda e: e["type"] == "reachable", timeout=INTERVAL * 40)
            return issued, [event["type"] for event in source.drain()]

    issued, kinds = asyncio.run(scenario())
    assert kinds == ["unreachable", "reachable"]
    # Without back-off: one new token per poll (about 14); with it, pauses of 2, 4, 8... intervals.
    assert len(issued) <= 4, issued
    gaps = [later - earlier for earlier, later in zip(issued, issued[1:])]
    assert all(gap >= INTERVAL * 1.5 for gap in gaps), gaps
    assert gaps == sorted(gaps), gaps


# --- cancellation while a request is in flight -------------------------------------------------------------
@pytest.mark.parametrize("name, make_args, server, path", [
    ("re_events", re_args, "node1", "/v1/*"),
    ("memstore_events", memstore_args, "memstore", "/v1/clusters"),
])
def test_cancelled_in_the_middle_of_a_request_the_source_stops_at_once(emulator, name, make_args, server, path):
    emulator.seed_re_cluster()
    control(emulator, "/faults", {"server": server, "path": path, "delay": 8, "times": -1})

    async def scenario():
        source = Source(name, make_args(emulator, request_timeout=20, interval=30))
        await source.__aenter__()
        while not [entry for entry in emulator.log.entries() if fnmatch.fnmatchcase(entry["path"], path)]:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # the request is in flight, its answer 8 s away
        started = time.monotonic()
        source.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await source.task
        return started

    started = asyncio.run(scenario())  # asyncio.run returns once the loop and its executor are done
    assert time.monotonic() - started < 1.5
    # The poll in flight ends by itself in its thread: waited for here, so that its requests do not
    # land in the next tests, which share the emulator.
    for thread in threading.enumerate():
        if thread.name == "redisops-poll":
            thread.join(60)
