# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One chaos round: every workflow, with real ``ansible-playbook``, against the emulator in chaos
mode (a seeded random fault on a share of the API requests), then the end state checked from the
emulator's own state and request log.

The workflows, in order: ``memstore_resources`` creates two instance sets and a cluster, scales
them (a replica, a shard), runs the scale again (nothing changes, no write is sent, chaos still
on) and deletes them; then the ``re_cluster_bootstrap`` role makes three nodes a cluster, the
``re_node_maintenance`` role maintains two nodes in turn and the ``re_certificate_rotation`` role
replaces the proxy certificate. The checks: every task ends well (none failed), each resource
exists exactly once as asked (no duplicate create), no node action is stacked (each node put into
maintenance and taken out exactly once, no snapshot left), and the re-run writes nothing.

Used by the chaos test in the normal test run (``tests/integration/test_chaos.py``, a fixed seed)
and by ``make chaos`` (``tests/tools/chaos.py``, many seeds).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from certfactory import Pki, key_pem, pem
from emulator import re_certificates
from emulator_calls import control
from memstore_plays import conn
from playbook_runner import Ansible

WRITES = ("POST", "PUT", "PATCH", "DELETE")
RATE = 0.2
# Emulated seconds per real second during a round: a MemStore create (60 s) takes 0.3 s.
SPEED = 200.0
RETRY_AFTER = 1
SLOW_SECONDS = 0.5
RE_ADMIN = "admin@re.test"
RE_PASSWORD = "Chaos-Admin-Passw0rd"
CLUSTER_NAME = "chaos.re.test"
MEMSTORE = "redisops.platform.memstore_resources"
RE_GROUP = "group/redisops.platform.redis_enterprise"
SETS = ("chaos-set-a", "chaos-set-b")
# The nodes the rolling maintenance maintains, one at a time: node 1 (whose URL the role is given, so
# the requests go through another node's API while it is in maintenance) and node 2.
MAINTAINED = [1, 2]
CLUSTER = "chaos-cluster"


class RoundResult:
    """What one round did: ``problems`` (empty: it passed), the stage it stopped at, the requests
    the emulator saw and the faults chaos mode injected, by kind."""

    def __init__(self, seed):
        self.seed = seed
        self.problems = []
        self.stage = None
        self.requests = 0
        self.counts = {}
        self.seconds = 0.0
        self.stage_seconds = {}
        self.outputs = {}

    @property
    def passed(self):
        return not self.problems


def _applied(entry):
    """Whether the emulator applied a request: answered 2xx, or its 2xx answer lost (drop_after)."""
    status = entry["status"]
    if isinstance(status, int):
        return 200 <= status < 300
    return isinstance(status, str) and status.startswith("dropped after 2")


def _api_writes(entries):
    """Writes to the APIs (the IAM token request changes nothing: it is not one)."""
    return [entry for entry in entries if entry["method"] in WRITES and not entry["path"].startswith("/identity")]


def instance_set(name, **overrides):
    item = dict(name=name, version="7.2.7", port=6379, flavor_id="flavor-1", parameter_group_id="pg-1", node_count=1,
                subnet_assignment={"primary": "subnet-1"}, subnets=["subnet-1", "subnet-2"], security_groups=["sg-1"])
    item.update(overrides)
    return item


def cluster(name, **overrides):
    item = dict(name=name, version="7.2.6", port=6379, flavor_id="flavor-1", parameter_group_id="pg-1", shard_count=1,
                nodes_per_shard=1, subnet_assignments=[{"primary": "subnet-1"}], security_groups=["sg-1"])
    item.update(overrides)
    return item


class ChaosRound:
    """Runs the workflows once under chaos mode with ``seed`` on ``emulator`` (a running
    :class:`emulator.Emulator`, reset first), Ansible's files in ``workdir``."""

    def __init__(self, emulator, workdir, seed, rate=RATE, retry_after=RETRY_AFTER, slow_seconds=SLOW_SECONDS, speed=SPEED):
        self.emu = emulator
        self.ansible = Ansible(emulator, workdir)
        self.seed = seed
        self.chaos = {"seed": seed, "rate": rate, "retry_after": retry_after, "slow_seconds": slow_seconds}
        self.speed = speed
        self.result = RoundResult(seed)

    # --- the round ---------------------------------------------------------------------------------
    def run(self):
        started = time.monotonic()
        self._control("POST", "/reset")
        self._control("POST", "/clock", json={"speed": self.speed})
        self._control("PUT", "/chaos", json=self.chaos)
        stages = [("memstore create", self.create), ("memstore scale", self.scale), ("memstore re-run", self.rerun),
                  ("memstore delete", self.delete), ("re bootstrap", self.bootstrap), ("re maintenance", self.maintenance),
                  ("re certificate rotation", self.rotation)]
        try:
            for name, stage in stages:
                self.result.stage = name
                stage_started = time.monotonic()
                stage()
                self.result.stage_seconds[name] = round(time.monotonic() - stage_started, 1)
                if self.result.problems:
                    break
            else:
                self.result.stage = None
        finally:
            report = self._control("DELETE", "/chaos").json()
            self.result.requests = report["requests"]
            self.result.counts = report["counts"]
            self.result.seconds = time.monotonic() - started
        return self.result

    def _control(self, method, path, **kwargs):
        answer = control(self.emu, method, path, **kwargs)
        answer.raise_for_status()
        return answer

    def _problem(self, text):
        self.result.problems.append("%s: %s" % (self.result.stage, text))

    def _play(self, tasks, **kwargs):
        """Run ``tasks``; a failed task (or a failed run) is a problem. Returns the play's result."""
        play = self.ansible.run(tasks, **kwargs)
        self.result.outputs[self.result.stage] = play.output
        failed = [task for task in play.tasks if task["status"] == "failed"]
        for task in failed:
            self._problem("task %r failed: %s" % (task["name"], task["result"].get("msg")))
        if play.rc != 0 and not failed:
            self._problem("ansible-playbook exited %d: %s" % (play.rc, play.output[-1500:]))
        return play

    # --- MemStore ----------------------------------------------------------------------------------
    def _memstore(self, instance_sets, clusters):
        args = dict(conn(self.emu), instance_sets=instance_sets, clusters=clusters, wait_timeout=300)
        return [{"name": "memstore_resources", MEMSTORE: args}]

    def _resources(self):
        with self.emu.lock:
            return [dict(r) for r in self.emu.memstore.resources.values()]

    def _check_memstore(self, nodes, shards):
        """Each resource exactly once, Running, with ``nodes`` (name -> instance count) and ``shards``."""
        resources = self._resources()
        for name in SETS + (CLUSTER,):
            found = [r for r in resources if r["name"] == name]
            if len(found) != 1:
                self._problem("%d resources named %s (expected exactly one)" % (len(found), name))
                continue
            resource = found[0]
            if resource["status"] != "Running":
                self._problem("%s is %s, not Running" % (name, resource["status"]))
            if name in nodes and len(resource["_instances"]) != nodes[name]:
                self._problem("%s has %d instances, not %d" % (name, len(resource["_instances"]), nodes[name]))
            if name == CLUSTER and len(resource["_shards"]) != shards:
                self._problem("%s has %d shards, not %d" % (name, len(resource["_shards"]), shards))
        creates = [e for e in self.emu.log.entries() if e["method"] == "POST" and e["path"] in ("/v1/instance-sets", "/v1/clusters")
                   and _applied(e)]
        if len(creates) != 3:
            self._problem("%d creates applied (expected 3, one per resource)" % len(creates))

    def _scaled(self):
        return self._memstore([instance_set(SETS[0], node_count=2, subnet_assignment={"primary": "subnet-1", "replicas": ["subnet-2"]}),
                               instance_set(SETS[1])], [cluster(CLUSTER, shard_count=2)])

    def create(self):
        self._play(self._memstore([instance_set(SETS[0]), instance_set(SETS[1])], [cluster(CLUSTER)]))
        if not self.result.problems:
            self._check_memstore({SETS[0]: 1, SETS[1]: 1}, shards=1)

    def scale(self):
        self._play(self._scaled())
        if not self.result.problems:
            self._check_memstore({SETS[0]: 2, SETS[1]: 1}, shards=2)

    def rerun(self):
        since = self.emu.log.last_seq()
        play = self._play(self._scaled())
        if self.result.problems:
            return
        if play.results[0]["changed"]:
            self._problem("the re-run changed something: %s" % [r["actions"] for r in play.results[0]["resources"]])
        sent = _api_writes(self.emu.log.entries(since))
        if sent:
            self._problem("the re-run sent writes: %s" % [(e["method"], e["path"], e["status"]) for e in sent])

    def delete(self):
        absent = [dict(name=name, state="absent") for name in SETS]
        self._play(self._memstore(absent, [dict(name=CLUSTER, state="absent")]))
        if not self.result.problems:
            left = [(r["name"], r["status"]) for r in self._resources()]
            if left:
                self._problem("resources left after the delete: %s" % left)

    # --- Redis Enterprise --------------------------------------------------------------------------
    def _re_defaults(self):
        return {RE_GROUP: {"ca_path": self.emu.tls["ca"], "username": RE_ADMIN, "password": RE_PASSWORD}}

    def _role(self, name, variables):
        return self._play([{"name": name, "ansible.builtin.include_role": {"name": "redisops.platform." + name}}],
                          play_vars=variables, module_defaults=self._re_defaults())

    def _node_urls(self):
        return [self.emu.node_url(node.index) for node in self.emu.re_nodes]

    def _action_posts(self, action):
        """node uid -> how many of its ``action`` POSTs the emulator applied."""
        applied = {}
        for entry in self.emu.log.entries():
            parts = entry["path"].split("/")
            if entry["method"] == "POST" and len(parts) == 6 and parts[2] == "nodes" and parts[5] == action and _applied(entry):
                applied[int(parts[3])] = applied.get(int(parts[3]), 0) + 1
        return applied

    def bootstrap(self):
        self._role("re_cluster_bootstrap", {"re_cluster_bootstrap_cluster_name": CLUSTER_NAME,
                                            "re_cluster_bootstrap_nodes": self._node_urls()})
        if self.result.problems:
            return
        for node in self.emu.re_nodes:
            if node.bootstrap["state"] != "completed" or node.cluster is None or node.cluster.name != CLUSTER_NAME:
                cluster_name = node.cluster.name if node.cluster else None
                self._problem("node %d: bootstrap %s, cluster %s" % (node.index, node.bootstrap["state"], cluster_name))
        starts = [(e["server"], e["path"]) for e in self.emu.log.entries()
                  if e["method"] == "POST" and e["path"] in ("/v1/bootstrap/create_cluster", "/v1/bootstrap/join_cluster") and _applied(e)]
        if sorted(starts) != [("node1", "/v1/bootstrap/create_cluster"), ("node2", "/v1/bootstrap/join_cluster"),
                              ("node3", "/v1/bootstrap/join_cluster")]:
            self._problem("bootstraps applied: %s (expected one create on node1, one join on each other node)" % starts)

    def maintenance(self):
        self._role("re_node_maintenance", {"re_node_maintenance_url": self.emu.node_url(1), "re_node_maintenance_nodes": MAINTAINED})
        if self.result.problems:
            return
        uids = MAINTAINED
        for action in ("maintenance_on", "maintenance_off"):
            applied = self._action_posts(action)
            if applied != dict((uid, 1) for uid in uids):
                self._problem("%s applied per node uid: %s (expected exactly one on each)" % (action, applied))
        for node in self.emu.re_nodes:
            if node.maintenance_snapshots:
                self._problem("node uid %s holds %d maintenance snapshots" % (node.uid, len(node.maintenance_snapshots)))

    def rotation(self):
        certificate, key, _text = Pki("Chaos").leaf_cert("proxy.%s" % CLUSTER_NAME)
        self._role("re_certificate_rotation", {
            "re_certificate_rotation_url": self.emu.node_url(1),
            "re_certificate_rotation_certificates": [{"name": "proxy", "certificate": pem(certificate), "key": key_pem(key)}]})
        if self.result.problems:
            return
        served = re_certificates.store_of(self.emu, self.emu.node(1).cluster).certificates["proxy"]["cert"]
        if pem(certificate).strip() not in served:
            self._problem("the cluster does not hold the new proxy certificate")
