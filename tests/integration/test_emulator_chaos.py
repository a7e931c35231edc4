"""The emulator's chaos mode: switched through the control API (and the command line), each kind of
fault doing what it says, every fault logged with its kind, the same seed giving the same faults."""

import json
import os
import subprocess
import sys

import pytest
import requests

from emulator.chaos import KINDS, path_shape
from emulator_calls import control

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def chaos(emulator, **body):
    answer = control(emulator, "PUT", "/chaos", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def bootstrap_reads(emulator, count, node=1):
    """``count`` GETs of a node's bootstrap status: each answer's status, or ``dropped``."""
    seen = []
    for _number in range(count):
        try:
            seen.append(requests.get(emulator.node_url(node) + "/v1/bootstrap", verify=emulator.tls["ca"], timeout=10).status_code)
        except requests.ConnectionError:
            seen.append("dropped")
    return seen


@pytest.mark.parametrize("body, message", [
    ({}, "seed is required"),
    ({"seed": "one"}, "seed must be an integer"),
    ({"seed": 1, "rate": 1.5}, "rate must be from 0 to 1"),
    ({"seed": 1, "kinds": ["503", "fire"]}, "kinds must be a non-empty array of distinct kinds among 503, 429, drop_before, "
                                            "drop_after, slow"),
    ({"seed": 1, "kinds": []}, "kinds must be a non-empty array"),
    ({"seed": 1, "retry_after": -1}, "retry_after must be >= 0"),
    ({"seed": 1, "colour": "red"}, "unknown field colour"),
])
def test_a_bad_chaos_body_is_refused_naming_the_field(emulator, body, message):
    answer = control(emulator, "PUT", "/chaos", json=body)
    assert answer.status_code == 400 and answer.json()["error"].startswith(message), answer.text
    assert emulator.chaos is None


def test_chaos_is_switched_on_reported_and_off_and_never_touches_the_control_api(emulator):
    assert control(emulator, "GET", "/chaos").json() == {"enabled": False}
    started = chaos(emulator, seed=5, rate=1.0, kinds=["503"])
    assert started["enabled"] is True and started["seed"] == 5 and started["requests"] == 0 and started["faulted"] == 0
    assert bootstrap_reads(emulator, 3) == [503, 503, 503]
    for _number in range(3):  # the control API is never faulted, nor counted
        assert control(emulator, "GET", "/info").status_code == 200
    report = control(emulator, "GET", "/chaos").json()
    expected_counts = dict((kind, 3 if kind == "503" else 0) for kind in KINDS)
    assert report["requests"] == 3 and report["faulted"] == 3 and report["counts"] == expected_counts
    assert [(f["server"], f["method"], f["path"], f["kind"]) for f in report["faults"]] == [("node1", "GET", "/v1/bootstrap", "503")] * 3
    # Every fault is in the request log too, with its kind, at the request's sequence number.
    logged = emulator.log.entries()
    assert [(e["seq"], e["chaos"], e["status"]) for e in logged] == [(f["seq"], "503", 503) for f in report["faults"]]
    stopped = control(emulator, "DELETE", "/chaos").json()
    assert stopped["enabled"] is False and stopped["faulted"] == 3
    assert bootstrap_reads(emulator, 2) == [200, 200] and "chaos" not in emulator.log.entries()[-1]
    chaos(emulator, seed=5)
    control(emulator, "POST", "/reset")
    assert emulator.chaos is None  # a reset ends it (unless the command line started it)


def test_503_and_429_carry_the_api_error_body_and_retry_after(emulator):
    chaos(emulator, seed=1, rate=1.0, kinds=["503"], retry_after=3)
    answer = requests.get(emulator.node_url(1) + "/v1/bootstrap", verify=emulator.tls["ca"], timeout=10)
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "3"
    assert answer.json() == {"error_code": "chaos_503", "description": "chaos mode: the API is overloaded"}
    chaos(emulator, seed=1, rate=1.0, kinds=["429"])
    answer = requests.get(emulator.memstore_url + "/v1/instance-sets", timeout=10)
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "1"
    assert answer.json() == {"error": {"code": "chaos_429", "message": "chaos mode: too many requests"}}


def test_a_request_dropped_before_is_not_applied_and_one_dropped_after_is(emulator):
    body = {"auth": {"identity": {"methods": ["application_credential"], "application_credential": {
        "id": emulator.info()["application_credential_id"], "secret": emulator.info()["application_credential_secret"]}}}}
    issued = emulator.memstore.tokens_issued
    for kind, applied in (("drop_before", 0), ("drop_after", 1)):
        chaos(emulator, seed=1, rate=1.0, kinds=[kind])
        with pytest.raises(requests.ConnectionError):
            requests.post(emulator.identity_url + "/auth/tokens", json=body, timeout=10)
        assert emulator.memstore.tokens_issued == issued + applied, kind
        issued = emulator.memstore.tokens_issued
    assert [e["status"] for e in emulator.log.entries()][-2:] == ["dropped", "dropped after 201"]


def test_a_slow_answer_comes_late_and_whole(emulator):
    chaos(emulator, seed=1, rate=1.0, kinds=["slow"], slow_seconds=0.5)
    answer = requests.get(emulator.node_url(1) + "/v1/bootstrap", verify=emulator.tls["ca"], timeout=10)
    assert answer.status_code == 200 and answer.json()["bootstrap_status"]["state"] == "idle"
    assert answer.elapsed.total_seconds() >= 0.5


def test_the_same_seed_gives_the_same_faults_whatever_else_came_between(emulator):
    def run(seed, extra_polls):
        control(emulator, "POST", "/reset")
        chaos(emulator, seed=seed, rate=0.5, kinds=["503", "429", "slow"], slow_seconds=0.01)
        for number in range(12):
            bootstrap_reads(emulator, extra_polls, node=2)  # polls of another shape and server
            bootstrap_reads(emulator, 1)
        return [(f["server"], f["kind"]) for f in control(emulator, "GET", "/chaos").json()["faults"] if f["server"] == "node1"]

    first = run(11, 0)
    assert first and len(first) < 12
    assert run(11, 2) == first
    assert run(12, 0) != first
    assert path_shape("/v1/nodes/2/actions/maintenance_on") == "/v1/nodes/*/actions/maintenance_on"
    assert path_shape("/v1/instance-sets/0c1f2e5a-8a3b-4c6d-9e0f-1a2b3c4d5e6f/instances") == "/v1/instance-sets/*/instances"


def test_the_command_line_starts_in_chaos_mode_and_a_reset_keeps_it(tmp_path):
    info_file = tmp_path / "info.json"
    command = [sys.executable, "-m", "emulator", "--memstore-port", "0", "--re-port", "0", "--nodes", "1",
               "--state-dir", str(tmp_path / "state"), "--info-file", str(info_file), "--chaos-seed", "7", "--chaos-rate", "1"]
    proc = subprocess.Popen(command, cwd=TESTS, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("MemStore API"), line + proc.stdout.read()
        with open(str(info_file)) as handle:
            info = json.load(handle)
        assert info["chaos"] is True
        control_url = info["control_url"]
        requests.post(control_url + "/reset", timeout=10)
        report = requests.get(control_url + "/chaos", timeout=10).json()
        assert (report["enabled"], report["seed"], report["rate"]) == (True, 7, 1.0)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    bad = subprocess.run([sys.executable, "-m", "emulator", "--chaos-seed", "1", "--chaos-rate", "2"], cwd=TESTS, capture_output=True,
                         text=True, check=False)
    assert bad.returncode == 2 and "--chaos-rate must be from 0 to 1" in bad.stderr
