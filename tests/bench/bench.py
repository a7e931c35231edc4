# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make bench``: the collection's speed targets, measured on the emulator.

- an idempotent re-run sends at most 2 requests per resource and no write;
- a finished operation is noticed within 1 s, or 10% of the time waited;
- against the same workflow written with ansible.builtin.uri + until loops:
  fewer requests and at least 2x less wall time.

Prints one line per measurement and exits 1 when a target is missed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from collection_link import link_collection  # noqa: E402  pylint: disable=wrong-import-position
from playbook_runner import Ansible  # noqa: E402  pylint: disable=wrong-import-position

sys.path.insert(0, link_collection())

from emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position

WRITES = ("POST", "PUT", "PATCH", "DELETE")
URI_COMPARISON_SPEED = 10.0
URI_DELAYS = (2, 10)
CLUSTER_NAME = "cluster.re.test"


class Bench:
    def __init__(self, emulator, workdir):
        self.emulator = emulator
        self.ansible = Ansible(emulator, workdir)
        self.missed = []

    def report(self, name, value, target, ok):
        print("%-58s %-26s target %-22s %s" % (name, value, target, "ok" if ok else "MISSED"))
        if not ok:
            self.missed.append(name)

    def run(self, tasks, **kwargs):
        started = time.monotonic()
        play = self.ansible.run(tasks, **kwargs)
        if play.rc != 0:
            raise SystemExit("bench playbook failed:\n%s" % play.output)
        return play, time.monotonic() - started

    def requests_since(self, seq):
        return [e for e in self.emulator.log.entries(seq) if e["server"] != "memstore" or not e["path"].startswith("/identity")]

    def idempotent_rerun(self, name, tasks, resources):
        self.run(tasks)
        seq = self.emulator.log.last_seq()
        self.run(tasks)
        requests = self.requests_since(seq)
        writes = [e for e in requests if e["method"] in WRITES]
        per_resource = len(requests) / float(resources)
        self.report("%s: re-run requests per resource" % name, "%.1f" % per_resource, "<= 2", per_resource <= 2)
        self.report("%s: re-run write requests" % name, str(len(writes)), "0", not writes)

    def notice_latency(self, name, seq, path_fragment):
        """Largest gap between the last two polls of a wait vs the allowance for its length."""
        polls = [e for e in self.emulator.log.entries(seq) if e["method"] == "GET" and path_fragment in e["path"]]
        if len(polls) < 2:
            self.report("%s: finished operation noticed" % name, "first poll", "<= max(1 s, 10%)", True)
            return
        waited = polls[-1]["time"] - polls[0]["time"]
        gap = polls[-1]["time"] - polls[-2]["time"]
        allowance = max(1.0, waited / 10.0)
        self.report("%s: finished operation noticed" % name, "%.2f s after %.1f s" % (gap, waited),
                    "<= %.2f s" % allowance, gap <= allowance)


def re_connection(emulator, index):
    return {"url": emulator.node_url(index), "ca_path": emulator.tls["ca"], "username": "admin@re.test",
            "password": "Bench-Passw0rd"}


def bootstrap_tasks(emulator):
    tasks = [{"name": "Create", "redisops.platform.re_bootstrap": dict(
        re_connection(emulator, 1), action="create_cluster", cluster_name=CLUSTER_NAME)}]
    for index in (2, 3):
        tasks.append({"name": "Join %d" % index, "redisops.platform.re_bootstrap": dict(
            re_connection(emulator, index), action="join_cluster", cluster_nodes=[emulator.re_nodes[0].address])})
    return tasks


def uri_bootstrap_tasks(emulator, delay):
    """What users write today, made idempotent: read the state, POST when idle, poll with until."""
    tasks = []
    for index, action in ((1, "create_cluster"), (2, "join_cluster"), (3, "join_cluster")):
        body = {"action": action, "cluster": {"name": CLUSTER_NAME, "nodes": [] if index == 1 else [emulator.re_nodes[0].address]},
                "credentials": {"username": "admin@re.test", "password": "Bench-Passw0rd"}}
        common = {"ca_path": emulator.tls["ca"], "force_basic_auth": True, "url_username": "admin@re.test",
                  "url_password": "Bench-Passw0rd"}
        status_url = "%s/v1/bootstrap" % emulator.node_url(index)
        tasks.append({"name": "Read %d" % index, "ansible.builtin.uri": dict(common, url=status_url), "register": "before"})
        tasks.append({"name": "POST %d" % index, "ansible.builtin.uri": dict(
            common, url="%s/v1/bootstrap/%s" % (emulator.node_url(index), action), method="POST", body=body, body_format="json"),
            "when": "before.json.bootstrap_status.state in ['idle', 'error']"})
        tasks.append({"name": "Wait %d" % index, "ansible.builtin.uri": dict(common, url=status_url),
                      "register": "status", "until": "status.json.bootstrap_status.state == 'completed'",
                      "retries": 120, "delay": delay})
    return tasks


def bench_bootstrap(bench):
    emulator = bench.emulator
    emulator.reset()
    seq = emulator.log.last_seq()
    bench.run(bootstrap_tasks(emulator))
    bench.notice_latency("re_bootstrap join", seq, "/v1/bootstrap")
    seq = emulator.log.last_seq()
    bench.run(bootstrap_tasks(emulator))
    rerun = bench.requests_since(seq)
    bench.report("re_bootstrap: re-run requests per node", "%.1f" % (len(rerun) / 3.0), "<= 2", len(rerun) <= 6)
    bench.report("re_bootstrap: re-run write requests", str(sum(e["method"] in WRITES for e in rerun)), "0",
                 not any(e["method"] in WRITES for e in rerun))

    # The comparison runs 10x slower than the default, so a bootstrap takes seconds, as the
    # uri loop's delay assumes (at full speed it would finish before the loop's first poll).
    emulator.clock.set_speed(URI_COMPARISON_SPEED)
    try:
        for delay in URI_DELAYS:
            emulator.reset()
            emulator.clock.set_speed(URI_COMPARISON_SPEED)
            seq = emulator.log.last_seq()
            _play, module_time = bench.run(bootstrap_tasks(emulator))
            module_requests = len(bench.requests_since(seq))
            emulator.reset()
            emulator.clock.set_speed(URI_COMPARISON_SPEED)
            seq = emulator.log.last_seq()
            _play, uri_time = bench.run(uri_bootstrap_tasks(emulator, delay))
            uri_requests = len(bench.requests_since(seq))
            name = "re_bootstrap vs uri+until (delay %d s)" % delay
            bench.report(name + ": requests", "%d vs %d" % (module_requests, uri_requests), "fewer", module_requests < uri_requests)
            bench.report(name + ": wall time", "%.1f s vs %.1f s" % (module_time, uri_time), ">= 2x less", module_time * 2 <= uri_time)
    finally:
        emulator.clock.set_speed(emulator.default_speed)


def bench_node_action(bench):
    emulator = bench.emulator
    emulator.reset()
    emulator.seed_re_cluster(username="admin@re.test", password="Bench-Passw0rd")
    tasks = [{"name": "Maintenance on", "redisops.platform.re_node_action": dict(
        re_connection(emulator, 1), node_uid=2, action="maintenance_on")}]
    seq = emulator.log.last_seq()
    bench.idempotent_rerun("re_node_action maintenance_on", tasks, 1)
    bench.notice_latency("re_node_action maintenance_on", seq, "/actions/maintenance_on")


def bench_instance_set(bench):
    emulator = bench.emulator
    emulator.reset()
    info = emulator.info()
    task = {"name": "Instance set", "redisops.platform.memstore_instance_set": {
        "api_url": emulator.memstore_url, "identity_url": emulator.identity_url,
        "application_credential_id": info["application_credential_id"],
        "application_credential_secret": info["application_credential_secret"],
        "name": "bench-set", "version": "7.2.7", "port": 6379, "flavor_id": "bench-flavor",
        "parameter_group_id": "bench-parameter-group", "node_count": 2, "high_availability": False,
        "subnet_assignment": {"primary": "subnet-a", "replicas": ["subnet-b"]}, "security_groups": ["sg-a"]}}
    seq = emulator.log.last_seq()
    bench.idempotent_rerun("memstore_instance_set", [task], 1)
    bench.notice_latency("memstore_instance_set create", seq, "/v1/")


def main():
    workdir = tempfile.mkdtemp(prefix="redisops-bench-")
    emulator = Emulator(nodes=3, state_dir=os.path.join(workdir, "emulator")).start()
    bench = Bench(emulator, workdir)
    try:
        bench_bootstrap(bench)
        bench_node_action(bench)
        bench_instance_set(bench)
    finally:
        emulator.stop()
        shutil.rmtree(workdir, ignore_errors=True)  # it holds the emulator's private keys
    print("bench: %d target(s) missed%s" % (len(bench.missed), (": " + ", ".join(bench.missed)) if bench.missed else ""))
    return 1 if bench.missed else 0


if __name__ == "__main__":
    sys.exit(main())
