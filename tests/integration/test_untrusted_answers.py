"""Real modules through ansible-playbook against a server whose answers cannot be trusted:
one that never finishes its body, one whose 200 is not the API's answer."""

import socket
import subprocess
import sys
import time
from pathlib import Path

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


# --- an unreachable API: a task that does not wait fails at once; one that waits gets through a restart ----------
def _unused_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _refused(url):
    return "connection refused by %s (url): is the API reachable at this address?" % url[len("https://"):]


def test_tasks_that_do_not_wait_give_up_at_once_on_an_unreachable_api(ansible, emulator):
    stopped = "https://127.0.0.1:%d" % _unused_port()
    admin = dict(url=stopped, ca_path=emulator.tls["ca"], **emulator.info()["re_admin"])  # request_timeout: the default 30 s
    memstore = dict(conn(emulator), api_url="http://127.0.0.1:%d" % _unused_port())
    started = time.monotonic()
    play = ansible.run([dict(task, ignore_errors=True) for task in [
        {"name": "Redis Enterprise info", "redisops.platform.re_node_info": admin},
        {"name": "MemStore info", "redisops.platform.memstore_instance_set_info": memstore},
        {"name": "Unresolvable", "redisops.platform.re_node_info": dict(admin, url="https://re.nowhere.invalid:9443")},
        {"name": "A node action without wait",
         "redisops.platform.re_node_action": dict(admin, node_uid=2, action="maintenance_on", wait=False)},
        {"name": "A delete without wait",
         "redisops.platform.memstore_instance_set": dict(memstore, name="gone", state="absent", wait=False)},
        {"name": "A node action in check mode", "check_mode": True,
         "redisops.platform.re_node_action": dict(admin, node_uid=2, action="maintenance_on")},
    ]])
    took = time.monotonic() - started
    assert took < 40, took  # six tasks (ansible-playbook's own start included), not 6 x 30 s and their retries
    re_info, memstore_info, unresolvable, action, delete, predicted = play.results
    assert re_info["msg"] == "GET /v1/nodes failed: " + _refused(stopped)
    assert memstore_info["failed"] and "connection refused by 127.0.0.1:" in memstore_info["msg"]
    assert unresolvable["msg"] == "GET /v1/nodes failed: the host name re.nowhere.invalid:9443 (url) could not be resolved"
    assert action["failed"] and _refused(stopped) in action["msg"] and predicted["failed"] and _refused(stopped) in predicted["msg"]
    assert delete["failed"] and "connection refused by 127.0.0.1:" in delete["msg"]
    # One message each, the failure: no retry announced.
    assert [result.get("warnings", []) for result in play.results] == [[]] * 6
    assert "retry" not in play.output and "nothing was sent" not in play.output


def test_an_ad_hoc_read_of_a_stopped_endpoint_fails_in_seconds_with_one_message(ansible, emulator):
    stopped = "https://127.0.0.1:%d" % _unused_port()
    viewer = emulator.info()["re_viewer"]
    command = [str(Path(sys.executable).parent / "ansible"), "localhost", "-m", "redisops.platform.re_node_info", "-a",
               "url=%s username=%s password=%s" % (stopped, viewer["username"], viewer["password"])]
    started = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300, env=ansible.env(), check=False)
    took = time.monotonic() - started
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert took < 10, took  # ansible's own start included; request_timeout is 30 s
    assert '"msg": "GET /v1/nodes failed: %s"' % _refused(stopped) in output
    assert "[WARNING]" not in output and "retry" not in output


def test_a_read_that_waits_gets_through_a_node_that_restarts(ansible, emulator):
    emulator.seed_re_cluster()
    # Long enough for the two reads to start while it is down, whatever the machine's load.
    restart = {"name": "Restart node 1's REST API (it refuses connections for 10 s)", "ansible.builtin.uri": {
        "url": emulator.info()["control_url"] + "/re/nodes/1/down", "method": "POST", "body_format": "json",
        "body": {"seconds": 10}}}
    play = ansible.run([
        restart,
        dict(info_task("Read without waiting"), ignore_errors=True),
        info_task("Read, waiting for the node", wait_timeout=60),
    ], module_defaults=connection_defaults(emulator))
    assert play.rc == 0, play.output
    _restarted, at_once, waited = play.results
    assert at_once["failed"] and at_once["msg"] == "GET /v1/nodes failed: " + _refused(emulator.node_url(1))
    assert "warnings" not in at_once
    assert [node["uid"] for node in waited["nodes"]] == [1, 2, 3] and waited["cluster_name"] == "cluster.re.test"
    assert waited.get("warnings"), play.output
    assert all("connection refused" in text and text.endswith("(retried until wait_timeout)") for text in waited["warnings"])
