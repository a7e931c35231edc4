"""The event sources against answers that cannot be trusted, and a credential that keeps being
refused: no event made of a page that is not the API's answer, no IAM request every poll, and
a prompt stop when cancelled in the middle of a request."""

import asyncio

from emulator.memstore_instance_sets import seed_instance_set
from test_event_sources import Source, control, memstore_args, polls


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
