"""Real modules through ansible-playbook against a server whose answers cannot be trusted:
one that never finishes its body, one whose 200 is not the API's answer."""

import time

from test_re_node_info import connection_defaults, info_task


def test_re_node_info_gives_up_on_a_body_sent_a_byte_every_2_s(ansible, emulator):
    emulator.seed_re_cluster()
    emulator.faults.add_http(server="node1", method="GET", path="/v1/nodes", dribble=2, times=-1)
    started = time.monotonic()
    play = ansible.run([info_task("Read the nodes", request_timeout=5)], module_defaults=connection_defaults(emulator))
    took = time.monotonic() - started
    assert play.rc != 0
    assert "GET /v1/nodes failed: no complete answer within 5 s (request_timeout) from 127.0.0.2" in play.last["msg"]
    assert took < 20, took
