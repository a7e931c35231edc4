"""The bench's own arithmetic: for memstore_resources, requests per poll while waiting, the targets
against both baseline forms and the time a part is said to take; for the per-task cost parts
(read_only, health), each task's cost and the targets; and the parts themselves (``make bench``
runs for an hour, so what it checks is checked here on made-up runs)."""

import json
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


# --- the per-task cost parts: read_only and health ---------------------------------------------------------
def cost_row(ours, baseline, latency=None, ours_requests=22):
    row = {"name": "re_cluster_health", "tasks": 10, "nodes": 3, "databases": 10,
           "ours": {"per_task": stat(ours), "requests_per_task": stat(ours_requests), "request_span": stat(0.07)},
           "baseline": {"per_task": stat(baseline), "requests_per_task": stat(1), "request_span": stat(0.0)}}
    if latency is not None:
        row["latency"] = latency
    return row


HEALTH_TARGET = "8. re_cluster_health of a 3-node cluster with 10 databases vs one uri GET task"


@pytest.mark.parametrize("ours, ok", [(0.42, True), (0.45, True), (0.46, False)])
def test_the_health_read_may_cost_one_and_a_half_uri_get_tasks(ours, ok):
    recorder = Recorder()
    bench.check_health(recorder, cost_row(ours, 0.30))
    value, goal, state = recorder.targets[HEALTH_TARGET]
    assert (goal, state) == ("<= 1.5x", ok)
    assert value.startswith("%.2fx" % (ours / 0.30)) and "(22 vs 1 req)" in value


def test_the_health_read_with_latency_added_is_informative_whatever_it_costs():
    recorder = Recorder()
    bench.check_health(recorder, cost_row(0.9, 0.3, latency=0.02))
    assert recorder.targets == {HEALTH_TARGET + ", 20 ms added per request": ("3.00x (22 vs 1 req)", "informative", None)}


def test_every_health_row_and_read_only_row_is_judged_with_its_own_goal():
    recorder = Recorder()
    recorder.results = {"workflows": [], "notice": [], "inventory": [],
                        "read_only": [dict(cost_row(0.34, 0.30, ours_requests=2), name="re_bootstrap_info")],
                        "health": [cost_row(0.44, 0.30), cost_row(0.9, 0.3, latency=0.02)]}
    bench.check_targets(recorder)
    states = dict((name, ok) for name, (_value, _goal, ok) in recorder.targets.items())
    assert states == {"5. read-only task cost (re_bootstrap_info vs uri GET)": False,  # 1.13x: 1.1x wanted
                      HEALTH_TARGET: True, HEALTH_TARGET + ", 20 ms added per request": None}


def timed_run(tasks, entries):
    """A run of looped tasks ``[(started, returned)]`` whose requests arrived at ``entries`` times."""
    records = [{"task": "Read", "item": str(index), "status": "ok", "started": started, "returned": returned}
               for index, (started, returned) in enumerate(tasks)]
    records.append({"task": "Not looped", "item": None, "status": "ok", "started": 10.0, "returned": 11.0})
    log = [{"seq": seq, "method": "GET", "path": "/v1/nodes/%d" % seq, "server": "node1", "time": at} for seq, at in enumerate(entries, 1)]
    return bench.Run("ours", "workflows/health.yml", 0.0, 12.0, log, records, 0, "")


def test_a_task_costs_its_median_time_every_request_of_the_run_the_span_of_its_requests_and_its_cpu():
    measured = timed_run([(0.0, 0.4), (0.4, 0.9), (0.9, 1.2)], [0.1, 0.15, 0.5, 0.52, 0.56, 1.0, 10.5])
    costs = bench.task_costs(measured, 3, cpu=(1.5, 0.3))
    assert costs["per_task"] == pytest.approx(0.4)  # 0.4, 0.5 and 0.3
    assert costs["cpu_per_task"] == pytest.approx(0.5) and costs["emulator_cpu_per_task"] == pytest.approx(0.1)
    assert bench.task_costs(measured, 3)["cpu_per_task"] is None  # not measured: no figure
    assert costs["requests_per_task"] == pytest.approx(7 / 3.0)  # a request outside the loop counts too
    assert costs["request_span"] == pytest.approx(0.05)  # 0.05, 0.06 and 0 (one request)
    assert bench.task_requests(measured) == ["GET /v1/nodes/1", "GET /v1/nodes/2"]


def test_a_run_with_another_number_of_looped_tasks_stops_the_bench():
    with pytest.raises(SystemExit, match="ran 2 looped tasks, not 3"):
        bench.task_costs(timed_run([(0.0, 0.4), (0.4, 0.9)], [0.1]), 3)


def test_the_plot_marks_the_targets_of_the_costs_and_none_for_an_informative_one():
    results = {"read_only": [dict(cost_row(0.34, 0.30, ours_requests=2), name="re_bootstrap_info")],
               "health": [cost_row(0.44, 0.30), cost_row(0.9, 0.3, latency=0.02)]}
    goals = [(label.replace("\n", " | "), goal) for label, _row, goal in bench.cost_bars(results)]
    assert goals == [("re_bootstrap_info", 1.1), ("re_cluster_health | 3 nodes, 10 databases", 1.5),
                     ("re_cluster_health | 3 nodes, 10 databases | +20 ms per request", None)]


def test_the_plot_is_drawn_when_only_costs_were_measured(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "bench.png"
    bench.plot({"speed": 1, "workflows": [], "read_only": [], "health": [cost_row(0.44, 0.30), cost_row(0.9, 0.3, latency=0.02)]},
               str(path))
    assert path.stat().st_size > 0


# --- the parts ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("part", ["health", "maintenance_gated"])
def test_the_health_parts_run_alone(part):
    assert part in bench.PARTS
    assert bench.parse_args(["--only", part]).only == part


def test_a_part_that_does_not_exist_is_refused(capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(["--only", "health,healthy"])
    assert "--only: no part healthy" in capsys.readouterr().err


@pytest.mark.parametrize("health_gate, suffix", [(True, "-gated"), (False, "-ungated")])
def test_the_maintenance_role_runs_with_its_gate_on_or_off_as_its_baseline_checks_health_or_not(tmp_path, health_gate, suffix):
    path = bench.role_playbook(str(tmp_path), "re_node_maintenance", health_gate=health_gate)
    assert path.endswith("re_node_maintenance%s.yml" % suffix)
    with open(path) as handle:
        role = json.load(handle)[0]["roles"][0]
    assert role["role"] == "redisops.platform.re_node_maintenance"
    assert role["re_node_maintenance_health_gate"] is health_gate
    assert role["re_node_maintenance_nodes"] == "{{ re_node_uids }}"
