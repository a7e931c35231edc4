"""The bench's own arithmetic for memstore_resources: requests per poll while waiting, the targets
against both baseline forms, and the time a part is said to take (``make bench`` runs for an hour,
so what it checks is checked here on made-up runs)."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench"))

import bench  # noqa: E402  pylint: disable=wrong-import-position


def entries(*requests):
    return [{"seq": seq, "method": method, "path": path, "server": "memstore"} for seq, (method, path) in enumerate(requests, 1)]


def run(*requests):
    return bench.Run("ours", "workflows/memstore_resources.yml", 0.0, 60.0, entries(*requests), [], 0, "")


TOKEN = ("POST", "/identity/v3/auth/tokens")
LIST = ("GET", "/v1/clusters")
CREATE = ("POST", "/v1/instance-sets")


def test_one_list_read_per_poll_is_one_request_per_poll_whatever_comes_before_or_after():
    measured = run(TOKEN, ("GET", "/v1/redis/versions"), LIST, CREATE, CREATE, CREATE, LIST, LIST, LIST,
                   ("GET", "/v1/instance-sets/a/instances"), ("GET", "/v1/instance-sets/b/instances"))
    assert bench.waiting_requests_per_poll(measured) == 1.0


def test_a_read_per_resource_between_polls_counts_against_the_poll():
    measured = run(TOKEN, LIST, CREATE, CREATE, LIST, ("GET", "/v1/clusters/a"), ("GET", "/v1/clusters/b"), LIST)
    assert bench.waiting_requests_per_poll(measured) == 2.0  # 4 requests from the first poll to the last, 2 polls


def test_a_run_that_writes_nothing_or_polls_no_list_has_no_figure():
    assert bench.waiting_requests_per_poll(run(TOKEN, LIST, ("GET", "/v1/instance-sets/a/instances"))) is None
    assert bench.waiting_requests_per_poll(run(TOKEN, LIST, CREATE, ("GET", "/v1/clusters/a"))) is None


class Recorder:
    """What check_batch needs of the Bench: its target()."""

    def __init__(self):
        self.targets = {}

    def target(self, name, value, goal, ok):
        self.targets[name] = (value, goal, ok)


def stat(value):
    return {"median": value, "min": value, "max": value, "spread": 0, "values": [value]}


def side(wall, convergence=1.05, per_poll=1.0, rerun_requests=None, rerun_writes=0):
    data = {"wall": stat(wall), "total_over_slowest": stat(convergence), "waiting": stat(per_poll) if per_poll else None,
            "rerun": None}
    if rerun_requests is not None:
        data["rerun"] = {"requests": stat(rerun_requests), "writes": stat(rerun_writes)}
    return data


def checked(size, sides):
    recorder = Recorder()
    bench.check_batch(recorder, {"name": "memstore_resources, N=%d" % size, "resources": size, "sides": sides, "batch": True})
    return dict((name.split(": ", 1)[1], ok) for name, (_value, _goal, ok) in recorder.targets.items())


def test_every_batch_target_is_met_by_a_run_that_meets_it():
    states = checked(20, {"ours": side(70, rerun_requests=22), "baseline": side(73, per_poll=None), "serial": side(1320, per_poll=None)})
    assert states == {
        "idempotent re-run, requests per resource (auth included)": True,
        "idempotent re-run, writes": True,
        "total / slowest operation": True,
        "wall time vs the competent baseline": True,
        "wall time vs the serial baseline": True,
        "requests per poll while waiting": True,
    }


@pytest.mark.parametrize("size, ours, baseline, serial, missed", [
    (5, side(66, convergence=1.25), side(70), side(330), "total / slowest operation"),
    (5, side(66), side(64), side(330), "wall time vs the competent baseline"),
    (5, side(66), side(70), side(190), "wall time vs the serial baseline"),  # 2.9x, 3x wanted for N = 5
    (20, side(70), side(73), side(650), "wall time vs the serial baseline"),  # 9.3x, 10x wanted for N = 20
    (100, side(80, per_poll=1.5), side(90), None, "requests per poll while waiting"),
    (100, side(80, per_poll=None), side(90), None, "requests per poll while waiting"),  # no list poll seen
    (5, side(60, rerun_requests=11), side(64), None, "idempotent re-run, requests per resource (auth included)"),
    (5, side(60, rerun_requests=7, rerun_writes=1), side(64), None, "idempotent re-run, writes"),
])
def test_each_missed_batch_target_is_missed_alone(size, ours, baseline, serial, missed):
    sides = {"ours": ours, "baseline": baseline}
    if serial:
        sides["serial"] = serial
    states = checked(size, sides)
    assert [name for name, ok in states.items() if ok is False] == [missed]


def test_a_serial_target_without_its_run_and_a_missing_module_are_said():
    states = checked(5, {"ours": side(60), "baseline": side(64)})
    assert states["wall time vs the serial baseline"] is None  # not run (--serial-sizes): reported, not passed
    assert checked(5, {"baseline": side(64), "serial": side(330)}) == {"measured": False}


def test_a_part_is_said_to_take_as_long_as_its_slowest_side_in_each_repeat():
    args = bench.parse_args(["--repeats", "3", "--serial-repeats", "1"])
    one = (60 + 5) + 10  # a create, a poll, ansible-playbook and the re-run, at speed 1
    assert bench.batch_seconds(args, 100, serial=False) == 3 * one
    assert bench.batch_seconds(args, 20, serial=True) == 20 * 66 + 10 + 2 * one
    assert bench.minutes(bench.batch_seconds(args, 20, serial=True)) == "25 min"
