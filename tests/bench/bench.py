# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make bench``: every workflow of the collection against the same workflow written with
``ansible.builtin.uri`` + ``until`` (``tests/bench/baselines/``), on the emulator.

Baselines come in two forms: competent (reads first, writes only what is missing, sends every
create before waiting, one token per play, polls every 5 s) and, for the batch module
``memstore_resources``, also serial (a loop that creates one resource and waits for it before
the next).

Honest by construction:

- one clock: the emulator runs at ``--speed`` emulated seconds per real second (default 1),
  the baselines poll every 5 *emulated* seconds (``delay`` = 5 / speed real seconds), and
  every operation lasts the emulator's documented default (printed). The modules' own polling
  runs on real time, so only speed 1 compares them fairly: other speeds are for trying the
  bench out, and the output says so;
- every comparison runs ``--repeats`` times (default 3); ours and the baseline run side by side,
  each against its own emulator, so machine load hits both alike; medians and spread (max - min);
- every request counts, IAM token requests included;
- "noticed within" is measured per operation: from when the emulator finished it (the due time
  of the scheduler step that finished it, exact whatever the polling) to when the task that
  waited for it returned, for operations of about 5, 30, 120 and 600 emulated seconds.

Part ``health`` (``--only health``) measures what one ``re_cluster_health`` task costs on a
3-node cluster with 10 databases against one ``ansible.builtin.uri`` GET task, as part
``read_only`` does for ``re_bootstrap_info``. Part ``maintenance_gated`` (informative) runs the
``re_node_maintenance`` role with its health gate against a ``uri`` playbook that checks the
same facts between nodes.

Part ``inventory`` (``--only inventory``) is no comparison: it measures what the memstore inventory
of ``--inventory-size`` instance sets costs in requests and time, read one after another and
concurrently, with and without 50 ms added to every MemStore request.

Writes a table to stdout, ``build/bench.json`` and ``build/bench.png``; exits 1 when a target is
missed, naming it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import functools
import heapq
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
ROOT = os.path.dirname(TESTS)
sys.path.insert(0, os.path.join(TESTS, "tools"))
sys.path.insert(0, TESTS)

from collection_link import link_collection  # noqa: E402  pylint: disable=wrong-import-position
from inventory_runner import run_inventory  # noqa: E402  pylint: disable=wrong-import-position
from playbook_runner import Ansible  # noqa: E402  pylint: disable=wrong-import-position

sys.path.insert(0, link_collection())

from emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from emulator import memstore_instance_sets, re_bootstrap, re_nodes  # noqa: E402  pylint: disable=wrong-import-position

WRITES = ("POST", "PUT", "PATCH", "DELETE")
BASELINE_DELAY = 5.0  # emulated seconds between two polls of a uri + until loop
CLUSTER_NAME = "cluster.re.test"
RE_ADMIN = ("admin@re.test", "Bench-Passw0rd")
NOTICE_WAITS = (5, 30, 120, 600)
LONG_WAIT = 300  # waits this long or longer must poll less than the 5-second loop
SIDES = ("ours", "baseline")  # baseline: the competent form
SERIAL = "serial"  # the serial form of a baseline
SIDE_STYLES = {"ours": "o-", "baseline": "s--", SERIAL: "^:"}
PARTS = ("bootstrap", "bootstrap_role", "maintenance", "maintenance_role", "maintenance_gated", "certificates", "certificates_role",
         "memstore", "memstore_role", "memstore_resources", "notice", "read_only", "health", "inventory")
MEMSTORE_SIZES = "1,5,20"
BATCH_SIZES = "5,20,100"
BATCH_MODULE = "memstore_resources"
BATCH_CONVERGENCE = 1.2  # total / slowest for the batch module
SERIAL_GOALS = {5: 3, 20: 10}  # N -> how many times less wall time than the serial baseline
READ_ONLY_COST = 1.1  # a read-only task / one uri GET task
HEALTH_COST = 1.5  # one re_cluster_health task / one uri GET task
HEALTH_DATABASES = 10  # the databases of the cluster whose health is read (its default one included)
COST_TASKS = 10  # tasks per run in the per-task cost parts
HEALTH_LATENCY = 0.02  # real s added to every request in the health part's informative run
LIST_PATH = "/v1/clusters"  # the MemStore list: one read of it per poll covers every resource
RUN_TIMEOUT = 6 * 3600  # the serial baseline at N = 100 runs for about two hours at speed 1
GATE_TASKS = "roles/re_node_maintenance/tasks/gate.yml"  # the role's health gate
ROLES = ("re_cluster_bootstrap", "re_node_maintenance", "re_certificate_rotation", "memstore_provision")
TERMINAL = {"bootstrap": ("completed", "error"), "action": ("completed", "failed", "aborted", "cancelled"),
            "memstore": ("Running", "Failed")}


def is_auth(entry):
    return entry["path"].startswith("/identity")


def is_write(entry):
    """A request that changes something (an IAM token request or a validation changes nothing)."""
    return entry["method"] in WRITES and not is_auth(entry) and "/validate/" not in entry["path"]


# --- finish times, from the emulator ------------------------------------------------------------
class FinishLog:
    """When each emulated operation finished: the emulated due time of the scheduler step that
    moved it to a terminal status, turned into wall-clock time.

    The emulator runs due steps lazily (when a request arrives), so the moment a step *ran* says
    when someone looked; its due time says when the operation really finished.
    """

    def __init__(self, emulator):
        self.emulator = emulator
        self.events = []
        self.lock = threading.Lock()
        self.install()

    def install(self):
        """Wrap the (new, after each reset) scheduler's run_due to record finishing steps."""
        scheduler = self.emulator.scheduler
        if getattr(scheduler, "bench_finish_log", None) is self:
            return
        scheduler.bench_finish_log = self

        def run_due():
            now = scheduler.clock.now()
            while scheduler._heap and scheduler._heap[0][0] <= now:  # pylint: disable=protected-access
                at, _seq, callback, handle = heapq.heappop(scheduler._heap)  # pylint: disable=protected-access
                if handle["cancelled"]:
                    continue
                before = self.signature()
                callback()
                after = self.signature()
                for key, status in after.items():
                    if before.get(key) != status and status in TERMINAL[key[0]]:
                        with self.lock:
                            self.events.append({"key": key, "status": status, "emulated": at, "time": self.wall_time(at)})

        scheduler.run_due = run_due

    def wall_time(self, emulated):
        clock = self.emulator.clock
        real = clock._real_start + (emulated - clock._base) / clock.speed  # pylint: disable=protected-access
        return time.time() - time.monotonic() + real

    def signature(self):
        state = {}
        for node in self.emulator.re_nodes:
            state[("bootstrap", node.index)] = node.bootstrap.get("state")
            for name, action in node.actions.items():
                state[("action", node.index, name, getattr(action, "task_id", None))] = getattr(action, "status", None)
        for resource in list(self.emulator.memstore.resources.values()):
            state[("memstore", resource["id"], resource.get("name"))] = resource.get("status")
        return state

    def since(self, started):
        with self.lock:
            return [event for event in self.events if event["time"] >= started]


# --- one playbook run ----------------------------------------------------------------------------
class Run:
    """One ansible-playbook run: wall time, the requests it sent, its tasks' times."""

    def __init__(self, side, playbook, started, ended, entries, tasks, rc, output):
        self.side = side
        self.playbook = playbook
        self.started = started
        self.ended = ended
        self.entries = entries
        self.tasks = tasks
        self.rc = rc
        self.output = output

    @property
    def wall(self):
        return self.ended - self.started

    @property
    def requests(self):
        return len(self.entries)

    @property
    def auth(self):
        return sum(1 for e in self.entries if is_auth(e))

    @property
    def writes(self):
        return sum(1 for e in self.entries if is_write(e))


class Runner:
    def __init__(self, workdir, speed):
        self.workdir = workdir
        self.speed = speed
        self.count = 0
        self.lock = threading.Lock()

    def run(self, emulator, side, playbook, extra_vars, server=None):
        """Run ``playbook`` (relative to tests/bench) against ``emulator``; ``server`` keeps only
        the requests to that server (when several runs share one emulator)."""
        with self.lock:
            self.count += 1
            number = self.count
        vars_file = os.path.join(self.workdir, "vars%d.json" % number)
        timing_file = os.path.join(self.workdir, "timing%d.json" % number)
        variables = dict(extra_vars, bench_delay=BASELINE_DELAY / self.speed)
        with open(vars_file, "w") as handle:
            json.dump(variables, handle)
        ansible = Ansible(emulator, os.path.join(self.workdir, "ansible%d" % number))
        env = ansible.env({
            "ANSIBLE_CALLBACK_PLUGINS": os.path.join(HERE, "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "bench_timing",
            "BENCH_TIMING_FILE": timing_file,
        })
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
                   os.path.join(HERE, playbook), "-e", "@" + vars_file]
        seq = emulator.log.last_seq()
        started = time.time()
        proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=RUN_TIMEOUT)
        ended = time.time()
        entries = [e for e in emulator.log.entries(seq) if server is None or e["server"] in (server if isinstance(server, tuple) else (server,))]
        tasks = []
        if os.path.exists(timing_file):
            with open(timing_file) as handle:
                tasks = json.load(handle)
        os.remove(vars_file)  # it holds credentials
        run = Run(side, playbook, started, ended, entries, tasks, proc.returncode, proc.stdout + proc.stderr)
        if proc.returncode != 0:
            raise SystemExit("bench: %s (%s) failed:\n%s" % (playbook, side, run.output[-6000:]))
        return run


def side_by_side(jobs):
    """Run ``{side: callable}`` at the same time; return ``{side: result}``."""
    results, errors = {}, []

    def call(side, job):
        try:
            results[side] = job()
        except BaseException as error:  # pylint: disable=broad-except  # re-raised below
            errors.append(error)

    threads = [threading.Thread(target=call, args=(side, job)) for side, job in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "spread": max(values) - min(values),
            "values": values}


# --- emulators and variables -------------------------------------------------------------------------
def re_vars(emulator, indexes):
    return {"re_urls": [emulator.node_url(i) for i in indexes], "re_addresses": [emulator.node(i).address for i in indexes],
            "re_ca_path": emulator.tls["ca"], "re_username": RE_ADMIN[0], "re_password": RE_ADMIN[1],
            "re_cluster_name": CLUSTER_NAME}


def memstore_vars(emulator, names):
    info = emulator.info()
    return {"memstore_api_url": emulator.memstore_url, "memstore_identity_url": emulator.identity_url,
            "memstore_credential_id": info["application_credential_id"],
            "memstore_credential_secret": info["application_credential_secret"],
            "memstore_project_id": info["project_id"], "memstore_sets": names}


def nothing(_emulator):
    """No preparation: the workflow starts from a reset emulator."""


def re_all(emulator):
    return re_vars(emulator, [1, 2, 3])


def seeded(emulator):
    """A completed cluster of the three nodes, with the bench's admin."""
    emulator.seed_re_cluster(username=RE_ADMIN[0], password=RE_ADMIN[1])


def with_databases(emulator, count=HEALTH_DATABASES):
    """A completed cluster of the three nodes holding ``count`` databases, created through the
    emulator's control API: the first request places the cluster's default database too."""
    seeded(emulator)
    control = emulator.info()["control_url"] + "/re/databases"
    for number in range(2, count + 1):
        answer = requests.post(control, json={"name": "bench-db-%02d" % number, "shards_count": 2}, timeout=30)
        if answer.status_code != 201:
            raise SystemExit("bench: the emulator did not create database %d: %s %s" % (number, answer.status_code, answer.text))
    held = len(emulator.node(1).cluster.databases)
    if held != count:
        raise SystemExit("bench: the cluster holds %d databases, not %d" % (held, count))


def uids(emulator):
    return dict(re_vars(emulator, [1, 2, 3]), re_node_uids=[1, 2, 3])


def certificate_vars(files, emulator):
    return dict(re_vars(emulator, [1, 2, 3]), **files)


def instance_set_vars(names, emulator):
    return dict(memstore_vars(emulator, names), memstore_set_items=set_items(names))


def cluster_vars(names, emulator):
    return memstore_vars(emulator, names)


def fresh(emulator, speed, finish_log):
    emulator.reset()
    emulator.clock.set_speed(speed)
    finish_log.install()


# --- operations: when each started, finished and was noticed --------------------------------------
def is_poll(entry, target):
    """Whether ``entry`` reads the status of the operation ``target`` describes."""
    if entry["method"] != "GET":
        return False
    if target["kind"] == "bootstrap":
        return entry["server"] == target["server"] and entry["path"] == "/v1/bootstrap"
    if target["kind"] == "action":
        return entry["path"].startswith(target["prefix"])
    return target["id"] in entry["path"] or entry["path"] == "/v1/clusters"


def operations(run, emulator, events):
    """The operations ``run`` started, each with its start (the write), finish (the emulator's
    log), the task that returned after it, and the polls sent for it."""
    ops = []
    uid_index = dict((node.uid, node.index) for node in emulator.re_nodes if node.uid is not None)
    for event in events:
        kind = event["key"][0]
        if kind == "bootstrap":
            server = "node%d" % event["key"][1]
            start = [e for e in run.entries if e["server"] == server and e["method"] == "POST"
                     and e["path"].startswith("/v1/bootstrap/") and "/validate/" not in e["path"]]
            target = {"kind": kind, "server": server}
            name = "bootstrap node%d" % event["key"][1]
        elif kind == "action":
            index, action = event["key"][1], event["key"][2]
            uid = next((u for u, i in uid_index.items() if i == index), None)
            prefix = "/v1/nodes/%s/actions" % uid
            start = [e for e in run.entries if e["method"] == "POST" and e["path"] == "%s/%s" % (prefix, action)]
            target = {"kind": kind, "prefix": prefix}
            name = "%s node %s" % (action, uid)
        else:
            resource_id, set_name = event["key"][1], event["key"][2]
            start = [e for e in run.entries if e["method"] == "POST" and e["path"] in ("/v1/instance-sets", "/v1/clusters")
                     and isinstance(e.get("body"), dict)
                     and set_name in (e["body"].get("instanceSetName"), e["body"].get("name"))]
            target = {"kind": kind, "id": resource_id}
            name = "create %s" % set_name
        start = [e for e in start if e["time"] <= event["time"]]
        if not start:
            continue
        began = start[-1]["time"]
        # Noticed by the first poll after the finish; the task that sent it returned then.
        seen = next((e["time"] for e in run.entries if is_poll(e, target) and e["time"] >= event["time"]), event["time"])
        waiting = [t for t in run.tasks if t["started"] <= seen <= t["returned"]]
        returned = min((t["returned"] for t in waiting), default=None)
        sent = [e["seq"] for e in run.entries if is_poll(e, target) and began < e["time"] <= seen]
        ops.append({"name": name, "started": began, "finished": event["time"], "returned": returned,
                    "duration": event["time"] - began, "polls": len(sent), "poll_seqs": sent})
    return ops


def waiting_requests_per_poll(run):
    """Requests per poll while ``run`` waited for MemStore resources: every request from the first
    read of the list after the last write to the last one, over the number of list reads in that
    span (1.0 when each poll is that one read, whatever N); None when it polled no list."""
    writes = [e["seq"] for e in run.entries if is_write(e)]
    after = [e for e in run.entries if writes and e["seq"] > writes[-1]]
    polls = [index for index, e in enumerate(after) if e["method"] == "GET" and e["path"] == LIST_PATH]
    if not polls:
        return None
    return (polls[-1] - polls[0] + 1) / float(len(polls))


# --- the bench ------------------------------------------------------------------------------------------
class Bench:
    def __init__(self, args, workdir):
        self.args = args
        self.speed = args.speed
        self.runner = Runner(workdir, args.speed)
        self.emulators = {}
        self.logs = {}
        for side in SIDES:
            self.side_emulator(side)
        self.results = {"speed": args.speed, "repeats": args.repeats, "baseline_delay_emulated": BASELINE_DELAY,
                        "durations": emulator_durations(), "workflows": [], "notice": [], "read_only": [], "health": [], "inventory": [],
                        "targets": []}
        self.missed = []

    def side_emulator(self, side):
        """The emulator of ``side``, started the first time: each side has its own."""
        if side not in self.emulators:
            emulator = Emulator(nodes=3, speed=self.speed, state_dir=os.path.join(self.runner.workdir, "emulator-" + side)).start()
            self.emulators[side] = emulator
            self.logs[side] = FinishLog(emulator)
        return self.emulators[side]

    def stop(self):
        for emulator in self.emulators.values():
            emulator.stop()

    def target(self, name, value, goal, ok):
        """Record one target: ok True/False, or None for a figure no target applies to (said why)."""
        state = "ok" if ok else ("info" if ok is None else "MISSED")
        self.results["targets"].append({"name": name, "value": value, "target": goal, "state": state})
        if ok is False:
            self.missed.append(name)

    # --- workflows -------------------------------------------------------------------------------
    def workflow(self, name, playbooks, prepare, variables, resources, rerun=True, repeats=None):
        """Run ``playbooks[side]`` ``repeats`` times side by side (+ a re-run of each) and record it.

        ``repeats`` maps a side to its own count (default ``--repeats``): a side with fewer runs
        only in the first repeats."""
        sides = list(playbooks)
        counts = dict((side, (repeats or {}).get(side, self.args.repeats)) for side in sides)
        for side in sides:
            self.side_emulator(side)
        record = {"name": name, "resources": resources, "sides": {}, "repeats": counts}
        runs = {side: [] for side in sides}
        reruns = {side: [] for side in sides}
        ops = {side: [] for side in sides}
        for repeat in range(max(counts.values())):
            def job(side, cache):
                def go():
                    emulator = self.emulators[side]
                    fresh(emulator, self.speed, self.logs[side])
                    prepare(emulator)
                    run_vars = dict(variables(emulator), memstore_token_cache=cache)
                    first = self.runner.run(emulator, side, playbooks[side], run_vars)
                    found = operations(first, emulator, self.logs[side].since(first.started))
                    second = self.runner.run(emulator, side, playbooks[side], run_vars) if rerun else None
                    return first, found, second
                return go
            # Each first run starts with an empty token cache (ours: token_cache); its re-run finds the token.
            now = [side for side in sides if repeat < counts[side]]
            caches = dict((side, os.path.join(self.runner.workdir, "tokens-%d-%s-%d" % (len(self.results["workflows"]), side, repeat)))
                          for side in now)
            done = side_by_side(dict((side, job(side, caches[side])) for side in now))
            for side in now:
                first, found, second = done[side]
                runs[side].append(first)
                ops[side].append(found)
                if second is not None:
                    reruns[side].append(second)
            print("  %s: repeat %d of %d: %s" % (name, repeat + 1, max(counts.values()),
                                                 ", ".join("%s %.1f s" % (side, runs[side][-1].wall) for side in now)))
            sys.stdout.flush()
        for side in sides:
            slowest = [max((o["duration"] for o in found), default=None) for found in ops[side]]
            record["sides"][side] = {
                "playbook": playbooks[side],
                "wall": stats([r.wall for r in runs[side]]),
                "requests": stats([r.requests for r in runs[side]]),
                "auth_requests": stats([r.auth for r in runs[side]]),
                "writes": stats([r.writes for r in runs[side]]),
                "polls": stats([len(set(seq for o in found for seq in o["poll_seqs"])) for found in ops[side]]),
                "waiting": stats([waiting_requests_per_poll(r) for r in runs[side]]),
                "operations": len(ops[side][0]) if ops[side] else 0,
                "slowest_operation": stats(slowest),
                "total_over_slowest": stats([r.wall / s for r, s in zip(runs[side], slowest) if s]),
                "noticed_within": stats([max((o["returned"] - o["finished"]) for o in found if o["returned"]) if any(
                    o["returned"] for o in found) else None for found in ops[side]]),
                "operation_samples": [dict((k, round(v, 3) if isinstance(v, float) else v) for k, v in o.items()
                                           if k != "poll_seqs") for o in ops[side][0]] if ops[side] else [],
                "rerun": {
                    "requests": stats([r.requests for r in reruns[side]]),
                    "auth_requests": stats([r.auth for r in reruns[side]]),
                    "writes": stats([r.writes for r in reruns[side]]),
                    "wall": stats([r.wall for r in reruns[side]]),
                    "sample": ["%s %s" % (e["method"], e["path"]) for e in reruns[side][0].entries],
                } if reruns[side] else None,
            }
        self.results["workflows"].append(record)
        return record

    # --- noticed within -------------------------------------------------------------------------
    def notice(self, waits, repeats_long):
        """One bootstrap (create_cluster) per run, on a node of its own in a dedicated emulator, made
        to last ``wait`` emulated seconds with the emulator's documented slow-bootstrap fault. Ours and
        the baseline run side by side; the short waits one after another, each long wait beside them."""
        plan = [(wait, repeats_long if wait >= LONG_WAIT else self.args.repeats) for wait in waits]
        nodes = 2 * sum(repeats for _wait, repeats in plan)
        emulator = Emulator(nodes=nodes, speed=self.speed, state_dir=os.path.join(self.runner.workdir, "emulator-notice")).start()
        finish_log = FinishLog(emulator)
        emulator.clock.set_speed(self.speed)
        measured = []
        lock = threading.Lock()
        slots = []
        index = 1
        for wait, repeats in plan:
            pairs = []
            for _repeat in range(repeats):
                pairs.append({"ours": index, "baseline": index + 1})
                for node in (index, index + 1):
                    # Initiated for INITIATED_SECONDS, then working for the rest of the wait.
                    emulator.faults.add_operation("bootstrap", "stuck", target="node%d" % node,
                                                  details={"seconds": max(0.0, wait - re_bootstrap.INITIATED_SECONDS)})
                index += 2
            slots.append((wait, pairs))

        def one(wait, side, node):
            playbook = "workflows/bootstrap.yml" if side == "ours" else "baselines/bootstrap.yml"
            run = self.runner.run(emulator, side, playbook, re_vars(emulator, [node]), server="node%d" % node)
            events = [e for e in finish_log.since(run.started) if e["key"] == ("bootstrap", node)]
            for op in operations(run, emulator, events):
                op.update(wait=wait, side=side, waited=op["duration"] * self.speed,
                          noticed=(op["returned"] - op["finished"]) * self.speed if op["returned"] else None)
                with lock:
                    measured.append(op)

        def series(chosen):
            for wait, pairs in chosen:
                for pair in pairs:
                    side_by_side(dict((side, lambda side=side, node=node: one(wait, side, node)) for side, node in pair.items()))

        threads = [threading.Thread(target=series, args=([slot],)) for slot in slots if slot[0] >= LONG_WAIT]
        threads.append(threading.Thread(target=series, args=([slot for slot in slots if slot[0] < LONG_WAIT],)))
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            emulator.stop()
        for wait in waits:
            row = {"wait": wait}
            for side in SIDES:
                mine = [op for op in measured if op["wait"] == wait and op["side"] == side]
                row[side] = {"waited": stats([op["waited"] for op in mine]), "noticed": stats([op["noticed"] for op in mine]),
                             "polls": stats([op["polls"] for op in mine]), "runs": len(mine)}
            self.results["notice"].append(row)

    # --- per-task cost: read-only tasks and the health read ----------------------------------------
    def read_only(self):
        """Per-task time of read-only tasks: ours vs an ansible.builtin.uri GET of the same endpoint."""
        emulator = self.emulators["ours"]
        fresh(emulator, self.speed, self.logs["ours"])
        seeded(emulator)
        self.results["read_only"].append(self.per_task_cost(
            "re_bootstrap_info", {"ours": "workflows/read_only.yml", "baseline": "baselines/read_only.yml"},
            dict(re_vars(emulator, [1, 2, 3]), read_only_tasks=list(range(COST_TASKS)))))

    def health(self, latencies=(0.0, HEALTH_LATENCY)):
        """Per-task time of re_cluster_health on a 3-node cluster with HEALTH_DATABASES databases
        (read once, no wait) vs one ansible.builtin.uri GET task; then again with each latency
        (real seconds added to every Redis Enterprise request by an emulator fault: a real
        network's round trip), which shows how many round trips the health read waits for."""
        emulator = self.emulators["ours"]
        fresh(emulator, self.speed, self.logs["ours"])
        with_databases(emulator)
        try:
            for latency in latencies:
                emulator.faults.http.clear()
                if latency:
                    emulator.faults.add_http(server="re", path="/v1/*", delay=latency, times=-1)
                row = self.per_task_cost("re_cluster_health", {"ours": "workflows/health.yml", "baseline": "baselines/health.yml"},
                                         dict(re_vars(emulator, [1, 2, 3]), health_tasks=list(range(COST_TASKS))))
                row.update(nodes=len(emulator.node(1).cluster.members(emulator)), databases=HEALTH_DATABASES, latency=latency)
                self.results["health"].append(row)
        finally:
            emulator.faults.http.clear()

    def per_task_cost(self, name, playbooks, variables, tasks=COST_TASKS):
        """Per-task time and requests of ``tasks`` looped tasks of each side, on one emulator, the
        sides one after the other (the first alternating) ``--repeats`` times: medians over the
        repeats of each run's median task."""
        emulator = self.emulators["ours"]
        measured = dict((side, {"per_task": [], "requests_per_task": [], "request_span": [], "cpu_per_task": [],
                                "emulator_cpu_per_task": []}) for side in SIDES)
        sample = []
        for repeat in range(self.args.repeats):
            order = SIDES if repeat % 2 == 0 else tuple(reversed(SIDES))  # interleaved
            for side in order:
                # Nothing else runs meanwhile: the children's CPU is this run's, our own the emulator's.
                before = cpu_seconds()
                run = self.runner.run(emulator, side, playbooks[side], variables)
                figures = task_costs(run, tasks, cpu=[after - first for first, after in zip(before, cpu_seconds())])
                for key, value in figures.items():
                    measured[side][key].append(value)
                if side == "ours" and not sample:
                    sample = task_requests(run)
        row = {"name": name, "tasks": tasks, "playbooks": playbooks, "ours_task_requests": sample}
        for side in SIDES:
            row[side] = dict((key, stats(values)) for key, values in measured[side].items())
        return row

    # --- inventory of a fleet -----------------------------------------------------------------------
    def inventory(self, resources, latencies=(0.0, 0.05), concurrencies=(1, 4)):
        """What the memstore inventory of ``resources`` instance sets (two nodes each) costs, in
        requests and wall time (ansible-inventory's start included), its members read one after
        another and ``concurrency`` at a time; with each latency (real seconds added to every
        MemStore API request by an emulator fault: a real API's round trip). One run each: the
        requests do not vary and the times are far apart."""
        emulator = self.emulators["ours"]
        fresh(emulator, self.speed, self.logs["ours"])
        for index in range(resources):
            memstore_instance_sets.seed_instance_set(emulator, "fleet-%04d" % index, nodes=2)
        info = emulator.info()
        env = {"KAKAOCLOUD_MEMSTORE_URL": emulator.memstore_url, "KAKAOCLOUD_IDENTITY_URL": emulator.identity_url,
               "KAKAOCLOUD_APPLICATION_CREDENTIAL_ID": info["application_credential_id"],
               "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET": info["application_credential_secret"]}
        ansible = Ansible(emulator, self.runner.workdir)
        for latency in latencies:
            emulator.faults.http.clear()
            if latency:
                emulator.faults.add_http(server="memstore", path="/v1/*", delay=latency, times=-1)
            for concurrency in concurrencies:
                since = emulator.log.last_seq()
                started = time.monotonic()
                found = run_inventory(ansible, "bench.memstore.yml",
                                      {"plugin": "redisops.platform.memstore", "concurrency": concurrency}, env=env)
                wall = time.monotonic() - started
                if found.rc != 0:
                    raise SystemExit("bench: the inventory failed: %s" % found.output)
                entries = emulator.log.entries(since)
                self.results["inventory"].append({
                    "resources": resources, "hosts": len(found.hosts("memstore")), "latency": latency,
                    "concurrency": concurrency, "wall": wall, "requests": len(entries),
                    "auth_requests": len([entry for entry in entries if is_auth(entry)])})
        emulator.faults.http.clear()

    # --- memstore_resources: one task for N resources, against both baseline forms ----------------
    def batch(self, sizes, serial_sizes, landed):
        """memstore_resources creating N instance sets in one task, against the competent baseline
        and, for the N in ``serial_sizes``, the serial one (``--serial-repeats`` runs)."""
        for size in sizes:
            names = ["bench-set-%03d" % i for i in range(1, size + 1)]
            playbooks = {"ours": "workflows/memstore_resources.yml"} if landed else {}
            playbooks["baseline"] = "baselines/memstore_sets.yml"
            if size in serial_sizes:
                playbooks[SERIAL] = "baselines/memstore_sets_serial.yml"
            print("  %s, N=%d: about %s" % (BATCH_MODULE, size, minutes(batch_seconds(self.args, size, size in serial_sizes))))
            sys.stdout.flush()
            record = self.workflow("%s, N=%d" % (BATCH_MODULE, size), playbooks, nothing, functools.partial(instance_set_vars, names),
                                   size, repeats={SERIAL: self.args.serial_repeats})
            record.update(series="instance sets (%s)" % BATCH_MODULE, batch=True)


def item_tasks(run):
    """The looped tasks of ``run`` (one record per loop item), in order."""
    return [task for task in run.tasks if task["item"] is not None]


def task_requests(run):
    """``"METHOD path"`` of each request the first looped task of ``run`` sent, in order."""
    items = item_tasks(run)
    if not items:
        return []
    first = items[0]
    return ["%s %s" % (e["method"], e["path"]) for e in run.entries if first["started"] <= e["time"] <= first["returned"]]


def cpu_seconds():
    """``(CPU seconds of the finished children, of this process)``, user and system."""
    children, own = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    return children.ru_utime + children.ru_stime, own.ru_utime + own.ru_stime


def task_costs(run, tasks, cpu=None):
    """A run of ``tasks`` looped tasks: its median task's time, its requests per task (every
    request of the run, authentication included), the median time from a task's first request
    to its last (how long its requests kept it: about one round trip when they are concurrent)
    and, from ``cpu`` (the run's CPU seconds: ``ansible-playbook`` with its modules, the
    emulator), CPU seconds per task, which load on the machine does not stretch."""
    items = item_tasks(run)
    if len(items) != tasks:
        raise SystemExit("bench: %s ran %d looped tasks, not %d" % (run.playbook, len(items), tasks))
    spans = []
    for task in items:
        times = [e["time"] for e in run.entries if task["started"] <= e["time"] <= task["returned"]]
        spans.append(max(times) - min(times) if times else 0.0)
    playbook_cpu, emulator_cpu = cpu if cpu else (None, None)
    return {"per_task": statistics.median(t["returned"] - t["started"] for t in items),
            "requests_per_task": run.requests / float(tasks), "request_span": statistics.median(spans),
            "cpu_per_task": playbook_cpu / tasks if cpu else None, "emulator_cpu_per_task": emulator_cpu / tasks if cpu else None}


def batch_seconds(args, size, serial):
    """About how long the memstore_resources part runs for ``size`` (real seconds): each repeat
    lasts as long as its slowest side; one create lasts CREATE_SECONDS plus a poll, each run adds
    ansible-playbook's start and a re-run."""
    one = (memstore_instance_sets.CREATE_SECONDS + BASELINE_DELAY) / args.speed + 10
    serial_run = size * ((memstore_instance_sets.CREATE_SECONDS + BASELINE_DELAY) / args.speed + 1) + 10 if serial else 0
    return sum(max(one if repeat < args.repeats else 0, serial_run if repeat < args.serial_repeats else 0)
               for repeat in range(max(args.repeats, args.serial_repeats if serial else 0)))


def minutes(seconds):
    return "%.0f min" % (seconds / 60.0) if seconds >= 90 else "%.0f s" % seconds


RE_DEFAULTS = {"group/redisops.platform.redis_enterprise": {
    "username": "{{ re_username }}", "password": "{{ re_password }}", "ca_path": "{{ re_ca_path }}"}}
# The MemStore workflows' connection: one token shared through the opt-in cache (a directory per
# run pair, so each first run starts with none).
MEMSTORE_DEFAULTS = {"group/redisops.platform.memstore": {
    "api_url": "{{ memstore_api_url }}", "identity_url": "{{ memstore_identity_url }}",
    "application_credential_id": "{{ memstore_credential_id }}",
    "application_credential_secret": "{{ memstore_credential_secret }}",
    "project_id": "{{ memstore_project_id }}", "token_cache": "{{ memstore_token_cache }}"}}
# Ours with the roles, written when each role is committed (a playbook naming a role that is not
# there yet would fail the linters). Same variables as the module workflows.
ROLE_PLAYS = {
    "re_cluster_bootstrap": {"module_defaults": RE_DEFAULTS, "roles": [{
        "role": "redisops.platform.re_cluster_bootstrap", "re_cluster_bootstrap_cluster_name": "{{ re_cluster_name }}",
        "re_cluster_bootstrap_nodes": "{{ re_urls }}", "re_cluster_bootstrap_wait_timeout": 1800}]},
    "re_node_maintenance": {"module_defaults": RE_DEFAULTS, "roles": [{
        "role": "redisops.platform.re_node_maintenance", "re_node_maintenance_url": "{{ re_urls[0] }}",
        "re_node_maintenance_nodes": "{{ re_node_uids }}", "re_node_maintenance_wait_timeout": 1800}]},
    "re_certificate_rotation": {"module_defaults": RE_DEFAULTS, "roles": [{
        "role": "redisops.platform.re_certificate_rotation", "re_certificate_rotation_url": "{{ re_urls[0] }}",
        "re_certificate_rotation_certificates": [{"name": "proxy", "certificate_file": "{{ re_certificate_file }}",
                                                  "key_file": "{{ re_key_file }}"}]}]},
    "memstore_provision": {"module_defaults": MEMSTORE_DEFAULTS, "roles": [{
        "role": "redisops.platform.memstore_provision", "memstore_provision_instance_sets": "{{ memstore_set_items }}",
        "memstore_provision_wait_timeout": 1800}]},
}


def role_playbook(workdir, role, health_gate=None):
    """The play of ROLE_PLAYS[role]; ``health_gate`` (re_node_maintenance only) sets its health gate
    on or off: off against the baseline that checks no health, on against the one that does."""
    play = dict({"name": "Ours with the %s role" % role, "hosts": "localhost", "gather_facts": False}, **ROLE_PLAYS[role])
    suffix = ""
    if health_gate is not None:
        play["roles"] = [dict(play["roles"][0], re_node_maintenance_health_gate=health_gate)]
        suffix = "-gated" if health_gate else "-ungated"
    path = os.path.join(workdir, "%s%s.yml" % (role, suffix))
    with open(path, "w") as handle:
        json.dump([play], handle, indent=2)
    return path


def committed(path):
    """Whether ``path`` is committed (another engineer may be writing it in this work tree)."""
    listed = subprocess.run(["git", "ls-files", path], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()
    return bool(listed)


def role_landed(name):
    return committed("roles/%s/tasks/main.yml" % name)


def set_items(names):
    """memstore_provision's and memstore_resources' list: the options of workflows/memstore_sets.yml,
    one dict per set."""
    return [{"name": name, "state": "present", "version": "7.2.7", "port": 6379, "flavor_id": "bench-flavor",
             "parameter_group_id": "bench-parameter-group", "node_count": 2, "high_availability": False,
             "subnet_assignment": {"primary": "subnet-a", "replicas": ["subnet-b"]}, "security_groups": ["sg-a"]}
            for name in names]


def certificate_files(workdir):
    """A new proxy certificate and its key, in the bench's private directory."""
    from certfactory import Pki  # pylint: disable=import-outside-toplevel

    certificate, key = Pki("Bench").leaf("proxy.cluster.re.test")
    files = {"re_certificate_file": os.path.join(workdir, "proxy.pem"), "re_key_file": os.path.join(workdir, "proxy-key.pem")}
    for name, text in (("re_certificate_file", certificate), ("re_key_file", key)):
        with open(files[name], "w") as handle:
            handle.write(text)
        os.chmod(files[name], 0o600)
    return files


def emulator_durations():
    """The emulator's documented operation durations (emulated seconds), as the bench used them."""
    return {
        "re_bootstrap": re_bootstrap.INITIATED_SECONDS + re_bootstrap.WORKING_SECONDS,
        "re_node_action": re_nodes.QUEUED_SECONDS + re_nodes.STARTING_SECONDS
        + re_nodes.STEP_SECONDS * (100 // re_nodes.PROGRESS_STEP),
        "memstore_instance_set_create": memstore_instance_sets.CREATE_SECONDS,
    }


# --- targets -----------------------------------------------------------------------------------------
def check_rerun(bench, name, ours, resources):
    if ours["rerun"]:
        per = ours["rerun"]["requests"]["max"] / float(resources)
        bench.target("1. %s: idempotent re-run, requests per resource (auth included)" % name, "%.2f" % per, "<= 2", per <= 2)
        writes = ours["rerun"]["writes"]["max"]
        bench.target("1. %s: idempotent re-run, writes" % name, "%d" % writes, "0", writes == 0)


def check_batch(bench, record):
    """memstore_resources: convergence, wall time against both baselines, requests per poll."""
    name, sides, size = record["name"], record["sides"], record["resources"]
    ours = sides.get("ours")
    if ours is None:
        bench.target("%s: measured" % name, "not measured", "the %s module committed" % BATCH_MODULE, False)
        return
    check_rerun(bench, name, ours, size)
    ratio = ours["total_over_slowest"]["median"] if ours["total_over_slowest"] else None
    bench.target("3. %s: total / slowest operation" % name, "%.2f" % ratio if ratio else "-", "<= %g" % BATCH_CONVERGENCE,
                 ratio <= BATCH_CONVERGENCE if ratio else None)
    speedup = sides["baseline"]["wall"]["median"] / ours["wall"]["median"]
    bench.target("4. %s: wall time vs the competent baseline" % name, "%.2fx" % speedup, "no worse (>= 1x)", speedup >= 1.0)
    goal = SERIAL_GOALS.get(size)
    if SERIAL in sides:
        speedup = sides[SERIAL]["wall"]["median"] / ours["wall"]["median"]
        bench.target("4. %s: wall time vs the serial baseline" % name, "%.2fx" % speedup,
                     ">= %gx less" % goal if goal else "informative", speedup >= goal if goal else None)
    elif goal:
        bench.target("4. %s: wall time vs the serial baseline" % name, "not run", ">= %gx less (see --serial-sizes)" % goal, None)
    per_poll = ours["waiting"]["max"] if ours["waiting"] else None
    bench.target("6. %s: requests per poll while waiting" % name, "%.2f" % per_poll if per_poll is not None else "no list poll",
                 "1 (one list read for all)", per_poll == 1.0)


def check_targets(bench):
    results = bench.results
    for record in results["workflows"]:
        if record.get("batch"):
            check_batch(bench, record)
            continue
        ours, base = record["sides"]["ours"], record["sides"]["baseline"]
        name = record["name"]
        check_rerun(bench, name, ours, record["resources"])
        if record.get("concurrent") and record["resources"] in (5, 20):
            ratio = ours["total_over_slowest"]["median"] if ours["total_over_slowest"] else None
            bench.target("3. %s: total / slowest operation" % name, "%.2f" % ratio if ratio else "-", "<= 1.5",
                         ratio <= 1.5 if ratio else None)
        speedup = base["wall"]["median"] / ours["wall"]["median"]
        if record.get("no_worse"):
            bench.target("4. %s: wall time vs baseline" % name, "%.2fx" % speedup, "no worse (>= 1x)", speedup >= 1.0)
        elif record.get("speedup_note"):
            bench.target("4. %s: wall time vs baseline" % name, "%.2fx" % speedup, record["speedup_note"], None)
    for row in results["notice"]:
        ours, base = row["ours"], row["baseline"]
        if not ours["noticed"]:
            continue
        waited = ours["waited"]["median"]
        allowance = max(1.0, waited / 10.0)
        worst = ours["noticed"]["max"]
        bench.target("2. noticed within, %d s wait" % row["wait"], "%.2f s (worst of %d)" % (worst, ours["runs"]),
                     "<= %.1f s" % allowance, worst <= allowance)
        if row["wait"] >= LONG_WAIT and base["polls"]:
            bench.target("2. polls, %d s wait" % row["wait"], "%d vs %d" % (ours["polls"]["max"], base["polls"]["min"]),
                         "fewer than the 5 s loop", ours["polls"]["max"] < base["polls"]["min"])
            requests_ok = ours["polls"]["max"] <= base["polls"]["min"]
            bench.target("4. requests, %d s wait" % row["wait"], "%d vs %d polls" % (ours["polls"]["max"], base["polls"]["min"]),
                         "no more than the baseline", requests_ok)
    for row in results["read_only"]:
        ratio = cost_ratio(row)
        bench.target("5. read-only task cost (%s vs uri GET)" % row["name"], "%.2fx" % ratio, "<= %gx" % READ_ONLY_COST,
                     ratio <= READ_ONLY_COST)
    for row in results["health"]:
        check_health(bench, row)


def cost_ratio(row):
    """Our median task's time over the uri GET's (medians over the repeats)."""
    return row["ours"]["per_task"]["median"] / row["baseline"]["per_task"]["median"]


def check_health(bench, row):
    """re_cluster_health of a 3-node cluster with 10 databases: at most HEALTH_COST times one uri GET
    task, on the emulator as it answers; with latency added the figure is informative."""
    ratio = cost_ratio(row)
    name = "8. re_cluster_health of a %d-node cluster with %d databases vs one uri GET task" % (row["nodes"], row["databases"])
    value = "%.2fx (%s vs %s req)" % (ratio, fmt(row["ours"]["requests_per_task"], digits=0), fmt(row["baseline"]["requests_per_task"], digits=0))
    if row.get("latency"):
        bench.target("%s, %d ms added per request" % (name, row["latency"] * 1000), value, "informative", None)
        return
    bench.target(name, value, "<= %gx" % HEALTH_COST, ratio <= HEALTH_COST)


# --- output ------------------------------------------------------------------------------------------
def check_inventory_targets(bench):
    rows = bench.results["inventory"]
    for latency in sorted(set(row["latency"] for row in rows)):
        sequential = next((row for row in rows if row["latency"] == latency and row["concurrency"] == 1), None)
        for row in rows:
            if row["latency"] != latency or row["concurrency"] == 1 or sequential is None:
                continue
            name = "7. inventory, %d sets, %d ms: concurrency %d vs 1" % (row["resources"], latency * 1000, row["concurrency"])
            ratio = row["wall"] / sequential["wall"]
            # Without latency the local emulator answers faster than threads help, and for a few sets
            # ansible-inventory's start outweighs the reads: the time is then informative only.
            timed = latency and row["resources"] >= 100
            bench.target(name, "%.2fx time, %d vs %d req" % (ratio, row["requests"], sequential["requests"]),
                         "<= 0.5x time, same requests" if timed else "same requests",
                         row["requests"] == sequential["requests"] and (ratio <= 0.5 if timed else True))


def fmt(stat, unit="", digits=1):
    if not stat:
        return "-"
    text = "%.*f%s" % (digits, stat["median"], unit)
    if stat["spread"]:
        text += " ±%.*f" % (digits, stat["spread"] / 2.0)
    return text


def print_header(layout, *names):
    """A blank line, a table's column names laid out by ``layout``, and a rule under them."""
    header = layout % names
    print()
    print(header)
    print("-" * len(header))


def print_table(results):
    print()
    print("Emulator speed %g (emulated seconds per real second); baselines poll every %g emulated s; %d repeats"
          % (results["speed"], results["baseline_delay_emulated"], results["repeats"]))
    print("Operation durations (emulator defaults, emulated s): %s"
          % ", ".join("%s %g" % item for item in sorted(results["durations"].items())))
    if results["speed"] != 1:
        print("WARNING: speed %g: the modules poll on real time, the emulator does not; compare only at speed 1."
              % results["speed"])
    print("Times are real seconds: median ±half the spread (max - min) over the repeats. Requests include IAM tokens.")
    print("MemStore: ours shares one IAM token through the opt-in token_cache (the first run issues it, the re-run reuses it);"
          " the baselines issue one per run.")
    print("%s: one task for N sets, no opt-in option (one token per run, re-run included); baseline is the competent form,"
          " serial creates one set and waits for it before the next (--serial-repeats runs)." % BATCH_MODULE)
    print()
    header = "%-30s %-8s %-15s %-11s %-7s %-6s %-8s %-16s %-12s" % (
        "workflow", "side", "wall s", "requests", "writes", "polls", "tot/slow", "re-run req(auth)", "re-run writes")
    print(header)
    print("-" * len(header))
    for record in results["workflows"]:
        sides = record["sides"]
        if "ours" not in sides:
            print("%-30s %-8s not measured: %s is not committed" % (record["name"], "ours", BATCH_MODULE))
        for side, data in sides.items():
            rerun = data["rerun"]
            print("%-30s %-8s %-15s %-11s %-7s %-6s %-8s %-16s %-12s" % (
                record["name"] if side == next(iter(sides)) and "ours" in sides else "", side, fmt(data["wall"]),
                fmt(data["requests"], digits=0), fmt(data["writes"], digits=0), fmt(data["polls"], digits=0),
                fmt(data["total_over_slowest"], digits=2),
                ("%s(%s)" % (fmt(rerun["requests"], digits=0), fmt(rerun["auth_requests"], digits=0))) if rerun else "-",
                fmt(rerun["writes"], digits=0) if rerun else "-"))
            if side == SERIAL:
                print("%-30s %-8s %d run(s)" % ("", "", len(data["wall"]["values"])))
        if "ours" not in sides:
            continue
        for side, label in (("baseline", "speed-up"), (SERIAL, "vs serial")):
            if side in sides:
                print("%-30s %-9s %.2fx" % ("", label, sides[side]["wall"]["median"] / sides["ours"]["wall"]["median"]))
        if record.get("batch"):
            print("%-30s %-9s %s requests per poll" % ("", "waiting", fmt(sides["ours"]["waiting"], digits=2)))
    if results["notice"]:
        print_header("%-10s %-8s %-14s %-16s %-8s %s", "wait", "side", "waited (em. s)", "noticed (em. s)", "polls", "runs")
        for row in results["notice"]:
            for side in SIDES:
                data = row[side]
                print("%-10s %-8s %-14s %-16s %-8s %d" % (
                    "~%d s" % row["wait"] if side == "ours" else "", side, fmt(data["waited"]),
                    fmt(data["noticed"], digits=2), fmt(data["polls"], digits=0), data["runs"]))
    for kind, row in [("read-only task", row) for row in results["read_only"]] + [
            ("health read, %d nodes, %d databases%s" % (row["nodes"], row["databases"], latency_note(row)), row)
            for row in results["health"]]:
        print()
        print("%s (%s vs ansible.builtin.uri GET, %d tasks): %s s vs %s s per task, %s vs %s requests per task, "
              "%s s vs %s s from a task's first request to its last; CPU s per task: %s vs %s (ansible-playbook and its modules), "
              "%s vs %s (the emulator)" % (
                  kind, row["name"], row["tasks"], fmt(row["ours"]["per_task"], digits=3), fmt(row["baseline"]["per_task"], digits=3),
                  fmt(row["ours"]["requests_per_task"], digits=1), fmt(row["baseline"]["requests_per_task"], digits=1),
                  fmt(row["ours"].get("request_span"), digits=3), fmt(row["baseline"].get("request_span"), digits=3),
                  fmt(row["ours"].get("cpu_per_task"), digits=3), fmt(row["baseline"].get("cpu_per_task"), digits=3),
                  fmt(row["ours"].get("emulator_cpu_per_task"), digits=3), fmt(row["baseline"].get("emulator_cpu_per_task"), digits=3)))
    if results["inventory"]:
        print_header("%-32s %-8s %-12s %-10s %-9s %s", "memstore inventory", "latency", "concurrency", "requests", "(IAM)", "wall s")
        for row in results["inventory"]:
            print("%-32s %-8s %-12d %-10d %-9d %.1f" % (
                "%d sets, %d hosts" % (row["resources"], row["hosts"]), "%d ms" % (row["latency"] * 1000), row["concurrency"],
                row["requests"], row["auth_requests"], row["wall"]))
    print()
    print("Targets")
    for target in results["targets"]:
        print("  %-70s %-22s target %-26s %s" % (target["name"], target["value"], target["target"], target["state"]))


def plot(results, path):
    """Time and requests vs N (ours vs the baselines), and each per-task cost against one uri GET
    task with its target; no file when nothing of either was measured."""
    try:
        import matplotlib  # pylint: disable=import-outside-toplevel
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    except ImportError:
        print("bench: matplotlib is missing: no plot (install tests/requirements.txt)")
        return
    series = [r for r in results["workflows"] if r.get("series")]
    costs = cost_bars(results)
    panels = (2 if series else 0) + (1 if costs else 0)
    if not panels:
        return
    fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 5), squeeze=False)
    axes = list(axes[0])
    if series:
        plot_series(series, results["speed"], axes[:2])
    if costs:
        plot_costs(costs, axes[-1])
    fig.suptitle("redisops.platform vs ansible.builtin.uri (median, min-max bars)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_series(series, speed, axes):
    kinds = sorted(set(r["series"] for r in series))
    labels = {"ours": "ours", "baseline": "competent baseline", SERIAL: "serial baseline"}
    plotted = {0: [], 1: []}
    sizes_seen = set()
    for kind in kinds:
        rows = sorted((r for r in series if r["series"] == kind), key=lambda r: r["resources"])
        for side, style in SIDE_STYLES.items():
            mine = [r for r in rows if side in r["sides"]]
            if not mine:
                continue
            sizes = [r["resources"] for r in mine]
            sizes_seen.update(sizes)
            for index, key in ((0, "wall"), (1, "requests")):
                axis = axes[index]
                data = [r["sides"][side][key] for r in mine]
                medians = [d["median"] for d in data]
                plotted[index].extend(medians)
                errors = [[d["median"] - d["min"] for d in data], [d["max"] - d["median"] for d in data]]
                axis.errorbar(sizes, medians, yerr=errors, fmt=style, capsize=3, label="%s, %s" % (kind, labels[side]))
    axes[0].set_title("Wall time (real s; emulator speed %g)" % speed)
    axes[1].set_title("Requests (IAM tokens included)")
    for index, axis in enumerate(axes):
        if plotted[index] and min(plotted[index]) > 0 and max(plotted[index]) / min(plotted[index]) > 50:
            axis.set_yscale("log")  # the serial baseline grows with N: a log scale keeps the others readable
        if min(sizes_seen) > 0 and max(sizes_seen) / min(sizes_seen) > 10:
            axis.set_xscale("log")  # N = 1 to 100
        axis.set_xlabel("N resources")
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=7)


def latency_note(row):
    return ", %d ms added per request" % (row["latency"] * 1000) if row.get("latency") else ""


def cost_bars(results):
    """``[(label, row, goal)]``: each per-task cost measured, with its target (times one uri GET
    task; None for an informative figure)."""
    bars = [(row["name"], row, READ_ONLY_COST) for row in results["read_only"]]
    for row in results["health"]:
        label = "%s\n%d nodes, %d databases" % (row["name"], row["nodes"], row["databases"])
        if row.get("latency"):
            bars.append((label + "\n+%d ms per request" % (row["latency"] * 1000), row, None))
        else:
            bars.append((label, row, HEALTH_COST))
    return bars


def plot_costs(bars, axis):
    """Per task: ours and the uri GET side by side, a line at the target (goal x the uri GET)."""
    width = 0.35
    for offset, side, label in ((-width / 2, "ours", "ours"), (width / 2, "baseline", "one uri GET task")):
        data = [row[side]["per_task"] for _label, row, _goal in bars]
        errors = [[d["median"] - d["min"] for d in data], [d["max"] - d["median"] for d in data]]
        axis.bar([index + offset for index in range(len(bars))], [d["median"] for d in data], width, yerr=errors, capsize=3,
                 label=label)
    marked = False
    for index, (_label, row, goal) in enumerate(bars):
        base = row["baseline"]["per_task"]["median"]
        top = max(row["ours"]["per_task"]["max"], row["baseline"]["per_task"]["max"])
        text = "%.2fx" % cost_ratio(row)
        if goal:  # a figure with a target: a line at goal x the uri GET
            axis.hlines(goal * base, index - width, index + width, colors="red", linestyles="dashed", label=None if marked else "target")
            marked = True
            top = max(top, goal * base)
            text = "target <= %gx: %s" % (goal, text)
        else:
            text = "informative: %s" % text
        axis.annotate("%s\n%s vs %s req" % (text, fmt(row["ours"]["requests_per_task"], digits=0),
                                            fmt(row["baseline"]["requests_per_task"], digits=0)),
                      (index, top), textcoords="offset points", xytext=(0, 4), ha="center", fontsize=7)
    axis.set_xticks(range(len(bars)))
    axis.set_xticklabels([label for label, _row, _goal in bars], fontsize=7)
    axis.set_title("Per-task cost (real s)")
    axis.set_ylabel("s per task")
    axis.set_ylim(0, 1.3 * max(max((goal or 0) * row["baseline"]["per_task"]["median"], row["ours"]["per_task"]["max"],
                                   row["baseline"]["per_task"]["max"]) for _label, row, goal in bars))
    axis.grid(True, axis="y", alpha=0.3)
    axis.legend(fontsize=7)


# --- main ---------------------------------------------------------------------------------------------
def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="bench.py", description=__doc__.split("\n\n", maxsplit=1)[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--speed", type=float, default=1.0, help="emulated seconds per real second (compare only at 1)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each comparison")
    parser.add_argument("--long-repeats", type=int, default=1, help="runs of each 'noticed within' wait of 5 minutes or more")
    parser.add_argument("--sizes", default=None,
                        help="N for MemStore provisioning; None: %s for memstore and memstore_role, %s for memstore_resources"
                        % (MEMSTORE_SIZES, BATCH_SIZES))
    parser.add_argument("--serial-sizes", default="5,20",
                        help="the N of memstore_resources that also run the serial baseline (about N x 65 s / speed per run: "
                             "N = 100 adds about 2 hours at speed 1)")
    parser.add_argument("--serial-repeats", type=int, default=1,
                        help="runs of the serial baseline at each N (its wall time is N creates one after another: "
                             "the spread is small against the 3x and 10x targets)")
    parser.add_argument("--cluster-sizes", default="1,5", help="N for MemStore cluster provisioning")
    parser.add_argument("--waits", default=",".join(str(w) for w in NOTICE_WAITS), help="'noticed within' waits, emulated s")
    parser.add_argument("--only", default=None,
                        help="comma-separated parts: %s (a role's part runs once the role is committed; each part's duration "
                             "at speed 1 is in docs/benchmark.md)" % ",".join(PARTS))
    parser.add_argument("--inventory-size", type=int, default=1000, help="instance sets in the memstore inventory part")
    parser.add_argument("--output", default=os.path.join(ROOT, "build"), help="directory for bench.json and bench.png")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.long_repeats < 1 or args.serial_repeats < 1 or args.speed <= 0:
        parser.error("--repeats, --long-repeats and --serial-repeats must be >= 1, --speed > 0")
    unknown = sorted(set((args.only or ",".join(PARTS)).split(",")) - set(PARTS))
    if unknown:
        parser.error("--only: no part %s (parts: %s)" % (", ".join(unknown), ",".join(PARTS)))
    return args


def main(argv=None):
    args = parse_args(argv)
    parts = set((args.only or ",".join(PARTS)).split(","))
    workdir = tempfile.mkdtemp(prefix="redisops-bench-")
    os.chmod(workdir, 0o700)
    bench = Bench(args, workdir)
    print("bench: emulator speed %g, %d repeats, baselines poll every %g emulated s (%g real s)"
          % (args.speed, args.repeats, BASELINE_DELAY, BASELINE_DELAY / args.speed))
    try:
        if "read_only" in parts:  # alone: a per-task cost is sensitive to load
            bench.read_only()
        if "health" in parts:  # alone too, for the same reason
            bench.health()
        if "inventory" in parts:  # alone too: it measures concurrency
            bench.inventory(args.inventory_size)
        notice = None
        if "notice" in parts:
            # The 'noticed within' runs mostly sleep: they run beside the workflows.
            waits = [int(w) for w in args.waits.split(",") if w]
            notice = threading.Thread(target=bench.notice, args=(waits, args.long_repeats))
            notice.start()
        roles = dict((name, role_landed(name)) for name in ROLES)
        bench.results["roles"] = roles
        print("bench: roles committed: %s" % (", ".join(n for n, ok in sorted(roles.items()) if ok) or "none"))
        three = "3x less when the role overlaps or removes waiting"
        cert_vars = functools.partial(certificate_vars, certificate_files(workdir))
        if "bootstrap" in parts:
            record = bench.workflow("re_bootstrap, 3 nodes", {"ours": "workflows/bootstrap.yml", "baseline": "baselines/bootstrap.yml"},
                                    nothing, re_all, 3)
            record["speedup_note"] = "informative (modules: joins are sequential)"
        if "bootstrap_role" in parts:
            if roles["re_cluster_bootstrap"]:
                record = bench.workflow("re_cluster_bootstrap role, 3 nodes",
                                        {"ours": role_playbook(workdir, "re_cluster_bootstrap"), "baseline": "baselines/bootstrap.yml"},
                                        nothing, re_all, 3)
                record["speedup_note"] = three + " (Redis Enterprise joins one node at a time)"
        if "maintenance" in parts:
            record = bench.workflow("re_node_action, rolling, 3 nodes",
                                    {"ours": "workflows/maintenance.yml", "baseline": "baselines/maintenance.yml"},
                                    seeded, uids, 3, rerun=False)
            record["speedup_note"] = "informative (modules: one node at a time)"
        if "maintenance_role" in parts:
            if roles["re_node_maintenance"]:
                record = bench.workflow("re_node_maintenance role, gate off, 3 nodes",
                                        {"ours": role_playbook(workdir, "re_node_maintenance", health_gate=False),
                                         "baseline": "baselines/maintenance.yml"},
                                        seeded, uids, 3, rerun=False)
                record["speedup_note"] = three + " (never two nodes in maintenance)"
        if "maintenance_gated" in parts:
            if committed(GATE_TASKS):
                record = bench.workflow("re_node_maintenance role, health-gated, 3 nodes, %d databases" % HEALTH_DATABASES,
                                        {"ours": role_playbook(workdir, "re_node_maintenance", health_gate=True),
                                         "baseline": "baselines/maintenance_gated.yml"},
                                        with_databases, uids, 3, rerun=False)
                record["speedup_note"] = "informative (both wait for the same resyncs between nodes)"
            else:
                print("bench: %s is not committed: no maintenance_gated part" % GATE_TASKS)
        if "certificates" in parts:
            record = bench.workflow("re_certificates, proxy rotation", {"ours": "workflows/certificates.yml",
                                                                        "baseline": "baselines/certificates.yml"},
                                    seeded, cert_vars, 1)
            record.update(no_worse=True)
        if "certificates_role" in parts:
            if roles["re_certificate_rotation"]:
                record = bench.workflow("re_certificate_rotation role", {"ours": role_playbook(workdir, "re_certificate_rotation"),
                                                                         "baseline": "baselines/certificates.yml"},
                                        seeded, cert_vars, 1)
                record.update(no_worse=True)
        if parts & set(["memstore", "memstore_role"]):
            role = roles["memstore_provision"]
            for size in [int(n) for n in (args.sizes or MEMSTORE_SIZES).split(",") if n]:
                names = ["bench-set-%02d" % i for i in range(1, size + 1)]
                sets_vars = functools.partial(instance_set_vars, names)
                if "memstore" in parts:
                    record = bench.workflow("memstore_instance_set, N=%d" % size,
                                            {"ours": "workflows/memstore_sets.yml", "baseline": "baselines/memstore_sets.yml"},
                                            nothing, sets_vars, size)
                    record.update(series="instance sets (modules)", concurrent=not role, no_worse=True)
                if role and "memstore_role" in parts:
                    record = bench.workflow("memstore_provision role, N=%d" % size,
                                            {"ours": role_playbook(workdir, "memstore_provision"), "baseline": "baselines/memstore_sets.yml"},
                                            nothing, sets_vars, size)
                    record.update(series="instance sets (role)", concurrent=True, no_worse=True)
            for size in [int(n) for n in args.cluster_sizes.split(",") if n and "memstore" in parts]:
                names = ["bench-cluster-%02d" % i for i in range(1, size + 1)]
                record = bench.workflow("memstore_cluster, N=%d" % size,
                                        {"ours": "workflows/memstore_clusters.yml", "baseline": "baselines/memstore_clusters.yml"},
                                        nothing, functools.partial(cluster_vars, names), size)
                record.update(series="clusters (modules)", concurrent=True, no_worse=True)
        if "memstore_resources" in parts:
            landed = committed("plugins/modules/%s.py" % BATCH_MODULE)
            if not landed:
                print("bench: %s is not committed: only its baselines run" % BATCH_MODULE)
            sizes = [int(n) for n in (args.sizes or BATCH_SIZES).split(",") if n]
            serial_sizes = [int(n) for n in args.serial_sizes.split(",") if n]
            print("bench: %s part: about %s (serial baseline at N = %s)" % (
                BATCH_MODULE, minutes(sum(batch_seconds(args, n, n in serial_sizes) for n in sizes)),
                ", ".join(str(n) for n in sizes if n in serial_sizes) or "none"))
            bench.batch(sizes, serial_sizes, landed)
        if notice is not None:
            notice.join()
    finally:
        bench.stop()
        shutil.rmtree(workdir, ignore_errors=True)  # it held the emulators' private keys
    check_targets(bench)
    check_inventory_targets(bench)
    print_table(bench.results)
    if not os.path.isdir(args.output):
        os.makedirs(args.output)
    with open(os.path.join(args.output, "bench.json"), "w") as handle:
        json.dump(bench.results, handle, indent=2, default=str)
    plot(bench.results, os.path.join(args.output, "bench.png"))
    print()
    print("bench: wrote %s and %s" % (os.path.join(args.output, "bench.json"), os.path.join(args.output, "bench.png")))
    print("bench: %d target(s) missed%s" % (len(bench.missed), (": " + "; ".join(bench.missed)) if bench.missed else ""))
    return 1 if bench.missed else 0


if __name__ == "__main__":
    sys.exit(main())
