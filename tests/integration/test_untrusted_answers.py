"""Real modules through ansible-playbook against a server whose answers cannot be trusted:
one that never finishes its body, one whose 200 is not the API's answer."""

import socket
import time

from emulator.memstore_instance_sets import seed_instance_set
from memstore_plays import conn, writes
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


def test_memstore_instance_set_absent_is_not_fooled_by_a_proxy_page(ansible, emulator):
    seed_instance_set(emulator, "still-here", nodes=1)
    emulator.faults.add_http(server="memstore", method="GET", path="/v1/clusters", status=200, times=-1,
                             body="<html><body>Gateway sign-in</body></html>", content_type="text/html")
    delete = dict(conn(emulator), name="still-here", state="absent")
    play = ansible.run([{"name": "Delete", "redisops.platform.memstore_instance_set": delete}])
    assert play.rc != 0
    result = play.last
    assert result.get("changed") is not True
    assert "GET /v1/clusters on 127.0.0.1:%d (api_url) answered HTTP 200 with a body that is not JSON (text/html: " \
        "<html><body>Gateway sign-in</body></html>): is api_url the API's address, or did a proxy answer?" % emulator.memstore_port \
        in result["msg"]
    assert [entry for entry in writes(emulator) if entry["method"] == "DELETE"] == []


def test_a_proxy_that_would_read_a_plain_http_request_is_refused_before_any_request(ansible, emulator):
    play = ansible.run([{"name": "Read", "redisops.platform.memstore_instance_set_info": conn(emulator)}],
                       env={"HTTP_PROXY": "http://proxy.invalid:3128", "NO_PROXY": ""})
    assert play.rc != 0
    assert play.last["msg"] == ("api_url uses http:// and the proxy proxy.invalid set by HTTP_PROXY, which would receive the "
                                "credentials in clear: use https:// (a proxy then relays TLS it cannot read), or add 127.0.0.1 "
                                "to NO_PROXY")
    assert emulator.log.entries() == []


def test_a_region_that_would_steer_the_request_is_refused_before_any_request(ansible, emulator):
    options = dict(conn(emulator), region="@127.0.0.1:%d/#" % emulator.memstore_port)
    del options["api_url"]
    play = ansible.run([{"name": "Read", "redisops.platform.memstore_instance_set_info": options}])
    assert play.rc != 0
    assert play.last["msg"] == "region must be a region name such as kr-central-2 (lowercase letters, digits and hyphens)"
    assert emulator.log.entries() == []


# --- an unreachable API: a task that does not wait fails at once -------------------------------------------
def _unused_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_read_only_tasks_give_up_at_once_on_an_unreachable_api(ansible, emulator):
    stopped = "https://127.0.0.1:%d" % _unused_port()
    started = time.monotonic()
    play = ansible.run([
        {"name": "Redis Enterprise", "ignore_errors": True, "redisops.platform.re_node_info": dict(
            url=stopped, ca_path=emulator.tls["ca"], request_timeout=2, **emulator.info()["re_viewer"])},
        {"name": "MemStore", "ignore_errors": True, "redisops.platform.memstore_instance_set_info": dict(
            conn(emulator), api_url="http://127.0.0.1:%d" % _unused_port(), request_timeout=2)},
        {"name": "Unresolvable", "ignore_errors": True, "redisops.platform.re_node_info": dict(
            url="https://re.nowhere.invalid:9443", **emulator.info()["re_viewer"])},
    ])
    took = time.monotonic() - started
    assert took < 30, took  # three tasks (ansible-playbook's own start included), not 3 x 125 s
    refused, memstore, unresolvable = play.results
    assert refused["failed"] and refused["msg"] == (
        "GET /v1/nodes failed: connection refused by %s (url): is the API reachable at this address?" % stopped[len("https://"):])
    assert memstore["failed"] and "connection refused by 127.0.0.1:" in memstore["msg"]
    assert unresolvable["failed"] and "the host name re.nowhere.invalid:9443 (url) could not be resolved" in unresolvable["msg"]
    # A refused connection is given request_timeout (2 s), said once; an unresolvable name is not retried.
    assert play.output.count("nothing was sent, retried for up to 2 s (request_timeout)") == 2
    assert "retry 1 of" not in play.output and "retry 2" not in play.output
