# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The health of a Redis Enterprise cluster, read through any node's API: one poll reads the
quorum, the nodes and their status, the databases, their availability, the shards, the alerts
and the running actions concurrently, on one shared client; :func:`judge` turns a reading into
``blockers`` (each naming its check, subject and state) and the report ``re_cluster_health``
returns. Nothing here needs ``AnsibleModule``: the ``re_events`` event source can read the same way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, parse_error_body, to_int
from ansible_collections.redisops.platform.plugins.module_utils._wait import DONE, WaitError
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import (
    RedisEnterpriseClient,
    read_action_list,
    to_uid,
)
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.identity import ClusterNameRead
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.nodes import node_path, read_node_list

CHECKS = ("quorum", "nodes", "maintenance", "databases", "shards", "alerts", "actions")
#: Alerts that fire during any upgrade: not blockers unless the task says otherwise.
DEFAULT_IGNORED_ALERTS = ("cluster_inconsistent_rl_sw", "cluster_inconsistent_redis_sw")
SECRET_FIELDS = ("authentication_admin_pass", "authentication_redis_pass", "authentication_sasl_pass")
#: Statuses of a cluster action or state machine that has ended; any other one is under way.
ENDED_ACTION_STATUSES = ("completed", "failed", "aborted", "cancelled", "done", "finished", "error")
IDLE = "idle"
IGNORED = "ignored"  # the outcome of a check the task does not judge (option checks)
IN_PROGRESS = "in_progress"

# The cluster-wide reads of one poll (key -> path); node status and availability follow the lists,
# so the lists are sent first.
CLUSTER_READS = (
    ("nodes", "/v1/nodes"),
    ("databases", "/v1/bdbs"),
    ("quorum", "/v1/local/node/master_healthcheck"),
    ("shards", "/v1/shards"),
    ("cluster_alerts", "/v1/cluster/alerts"),
    ("node_alerts", "/v1/nodes/alerts"),
    ("database_alerts", "/v1/bdbs/alerts"),
    ("actions", "/v1/actions"),
)
AVAILABILITY_PATH = "/v1/bdbs/%s/availability"
# Why a database may be unavailable (GET /v1/bdbs/{uid}/availability answers 503 with one of these).
_UNAVAILABLE_CODES = re.compile(r"(?i)^(no_quorum|bdb_unavailable.*)$")
#: What a read answered 404 to: the server does not serve it (an older version).
NOT_SERVED = "not served"
DEFAULT_WORKERS = 8


class HealthClient(RedisEnterpriseClient):
    """The Redis Enterprise client whose availability reads answer at once: a poll re-reads
    a database that is unavailable, a request does not retry it."""

    def is_permanent(self, status, body):
        code = parse_error_body(body)[0] if status == 503 else None
        return bool(code and _UNAVAILABLE_CODES.match(code)) or super(HealthClient, self).is_permanent(status, body)


class Reading:
    """What one poll read, as the server answered it (``NOT_SERVED`` where it answered 404).

    ``statuses`` maps node uid (a string) to its status (None: removed between the reads);
    ``availability`` maps database uid (a string) to ``(True, None)``, ``(False, (code, message))``
    or ``NOT_SERVED``; ``alerts`` maps scope (cluster, node, database) to what it read;
    ``secrets`` are the passwords every database object read carries, judged or not.
    """

    def __init__(self, quorum=None, nodes=(), statuses=None, databases=(), availability=None, shards=(), alerts=None,
                 actions=None, secrets=()):
        self.quorum = quorum if quorum is not None else {"status": "active"}
        self.nodes = list(nodes)
        self.statuses = dict(statuses or {})
        self.databases = list(databases)
        self.availability = dict(availability or {})
        self.shards = shards
        self.alerts = dict(alerts or {})
        self.actions = actions if actions is not None else {"actions": [], "state-machines": []}
        self.secrets = list(secrets)


def database_secrets(databases):
    """The secret values the database objects carry (to mask them wherever they could show)."""
    return [item[key] for item in databases for key in SECRET_FIELDS if isinstance(item.get(key), str) and item[key]]


def select_databases(databases, wanted):
    """``(the databases to judge, the wanted names or uids that match none)``; ``wanted`` None: all.
    A wanted item matches a database by uid first, then by name."""
    if wanted is None:
        return list(databases), []
    selected, unknown = [], []
    for item in wanted:
        text = str(item)
        match = [d for d in databases if to_uid(d.get("uid")) == text] or [d for d in databases if d.get("name") == text]
        if not match:
            unknown.append(text)
        for database in match:
            if database not in selected:
                selected.append(database)
    return selected, unknown


class HealthReader:
    """Reads the health of the cluster of ``client``'s node; ``databases`` (uids or names, None:
    all) are the ones whose availability is read."""

    def __init__(self, client, workers=DEFAULT_WORKERS):
        self.client = client
        self.workers = workers

    def _get(self, path):
        try:
            return self.client.get(path).data
        except ApiError as error:
            if error.status == 404:
                return NOT_SERVED
            raise

    def _availability(self, uid):
        try:
            self.client.get(AVAILABILITY_PATH % uid)
        except ApiError as error:
            if error.status == 404:
                return NOT_SERVED
            if error.status == 503:
                return False, (error.code or "unavailable", error.message)
            raise
        return True, None

    def read(self, databases=None):
        """One poll: a :class:`Reading`. Raises :class:`ValueError` naming wanted databases that
        do not exist."""
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            pending = dict((key, pool.submit(self._get, path)) for key, path in CLUSTER_READS)
            nodes = read_node_list(_served(pending["nodes"].result(), []))
            statuses = dict((to_uid(node.get("uid")), pool.submit(self._get, node_path(node.get("uid")) + "/status")) for node in nodes)
            listed = [item for item in _served(pending["databases"].result(), []) if isinstance(item, dict)]
            selected, unknown = select_databases(listed, databases)
            if unknown:
                raise ValueError("databases: %s match no database of the cluster (it has: %s)" % (
                    ", ".join(unknown), ", ".join("%s (uid %s)" % (d.get("name"), d.get("uid")) for d in listed) or "none"))
            availability = dict((to_uid(item.get("uid")), pool.submit(self._availability, to_uid(item.get("uid")))) for item in selected)
            answers = dict((key, future.result()) for key, future in pending.items())
        return Reading(
            quorum=answers["quorum"], nodes=nodes,
            statuses=dict((uid, _served(future.result(), None)) for uid, future in statuses.items()),
            databases=selected, availability=dict((uid, future.result()) for uid, future in availability.items()),
            shards=answers["shards"],
            alerts={"cluster": answers["cluster_alerts"], "node": answers["node_alerts"], "database": answers["database_alerts"]},
            actions=answers["actions"], secrets=database_secrets(listed))


def _served(answer, default):
    return default if answer == NOT_SERVED or answer is None else answer


def _status_of(value):
    """``loading``/``sync`` come as ``{"status": ...}`` objects (or a bare string); absent is idle."""
    if isinstance(value, dict):
        value = value.get("status")
    return value if value else IDLE


def _is_true(value):
    return value is True or (isinstance(value, str) and value.lower() == "true")


class Judgement:
    """Blockers and skipped checks as :func:`judge` finds them."""

    def __init__(self):
        self.blockers = []
        self.skipped = []
        self.unanswered = set()  # checks no read could answer at all

    def block(self, check, subject, state, message):
        self.blockers.append(dict(check=check, subject=subject, state=state, message=message))

    def skip(self, check, subject, reason, whole=False):
        self.skipped.append(dict(check=check, subject=subject, reason=reason))
        if whole:
            self.unanswered.add(check)

    def checks(self):
        failed = set(b["check"] for b in self.blockers)
        return dict((name, "failed" if name in failed else "skipped" if name in self.unanswered else "passed") for name in CHECKS)


def judge(reading, ignore_alerts=DEFAULT_IGNORED_ALERTS, allow_maintenance=(), checks=CHECKS):
    """The health report of a :class:`Reading`: ``healthy``, ``blockers``, ``nodes``,
    ``databases``, ``alerts``, ``checks`` and ``skipped_checks``. Only ``checks`` are judged: the
    others' blockers are dropped and their outcome is ``ignored`` (a recovery waits for its nodes
    while its databases are known to be down)."""
    found = Judgement()
    _judge_quorum(reading, found)
    nodes = _judge_nodes(reading, found, set(str(uid) for uid in allow_maintenance))
    shards = _judge_shards(reading, found)
    databases = _judge_databases(reading, found, shards)
    alerts = _judge_alerts(reading, found, set(ignore_alerts), set(to_uid(d.get("uid")) for d in reading.databases))
    _judge_actions(reading, found)
    blockers = [blocker for blocker in found.blockers if blocker["check"] in checks]
    outcomes = dict((name, outcome if name in checks else IGNORED) for name, outcome in found.checks().items())
    return dict(healthy=not blockers, blockers=blockers, nodes=nodes, databases=databases, alerts=alerts,
                checks=outcomes, skipped_checks=[skip for skip in found.skipped if skip["check"] in checks])


def _judge_quorum(reading, found):
    if reading.quorum == NOT_SERVED:
        found.skip("quorum", "cluster", "master_healthcheck not served (404)", whole=True)
        return
    status = (reading.quorum or {}).get("status") if isinstance(reading.quorum, dict) else None
    if status != "active":
        found.block("quorum", "cluster", status or "unknown", "the node read has no quorum: its master_healthcheck is %s, not active "
                    "(no link to the cluster's primary node and configuration store)" % (status or "unknown"))


def _judge_nodes(reading, found, allowed):
    views = []
    for node in reading.nodes:
        uid = to_uid(node.get("uid"))
        status = reading.statuses.get(uid, {})
        if status is None:
            continue  # removed between the list and its status
        state = status.get("node_status") or node.get("status") or "unknown"
        snapshot = status.get("maintenance_snapshot") or None
        subject = "node:%s" % uid
        views.append(dict(uid=to_int(uid), addr=node.get("addr"), status=state, in_maintenance=bool(snapshot),
                          shard_count=to_int(status.get("shard_count", node.get("shard_count")))))
        if state != "active":
            found.block("nodes", subject, state, "node %s (%s) is %s, not active" % (uid, node.get("addr"), state))
        if snapshot and uid not in allowed:
            name = snapshot.get("name") if isinstance(snapshot, dict) else snapshot
            found.block("maintenance", subject, "in_maintenance", "node %s (%s) is in maintenance (snapshot %s): its shards were "
                        "moved to the other nodes; end it with maintenance_off, or allow it" % (uid, node.get("addr"), name))
    return sorted(views, key=lambda view: (view["uid"] is None, view["uid"] or 0))


def _shard_problems(shard):
    """``[(field, value)]`` of what keeps a shard from being healthy, the most telling first."""
    problems = []
    for field, value, good in (("status", shard.get("status"), "active"), ("detailed_status", shard.get("detailed_status"), "ok"),
                               ("sync", _status_of(shard.get("sync")), IDLE), ("loading", _status_of(shard.get("loading")), IDLE)):
        if value != good:
            problems.append((field, value or "unknown"))
    return problems


def _judge_shards(reading, found):
    """Per judged database uid: ``(shards_total, shards_syncing)``."""
    if reading.shards == NOT_SERVED:
        found.skip("shards", "cluster", "GET /v1/shards not served (404)", whole=True)
        return {}
    counted = {}
    for database in reading.databases:
        uid = to_uid(database.get("uid"))
        name = database.get("name")
        shards = sorted((s for s in reading.shards or [] if isinstance(s, dict) and to_uid(s.get("bdb_uid")) == uid),
                        key=lambda s: to_int(s.get("uid"), 0))
        replication = _is_true(database.get("replication"))
        expected = (to_int(database.get("shards_count"), 0) or 0) * (2 if replication else 1)
        syncing = 0
        if len(shards) != expected:
            found.block("shards", "db:%s" % uid, "wrong_shard_count", "database %s (%s) has %d shards, expected %d (shards_count %s%s)"
                        % (uid, name, len(shards), expected, database.get("shards_count"), " x 2 with replication" if replication else ""))
        for shard in shards:
            if IN_PROGRESS in (_status_of(shard.get("sync")), _status_of(shard.get("loading"))):
                syncing += 1
            problems = _shard_problems(shard)
            if problems:
                found.block("shards", "db:%s shard:%s" % (uid, to_uid(shard.get("uid"))), problems[0][1],
                            "shard %s (%s) of database %s (%s) on node %s: %s" % (
                                to_uid(shard.get("uid")), shard.get("role"), uid, name, to_uid(shard.get("node_uid")),
                                ", ".join("%s %s" % problem for problem in problems)))
        counted[uid] = (len(shards), syncing)
    return counted


def _judge_databases(reading, found, shards):
    views = []
    for database in reading.databases:
        uid = to_uid(database.get("uid"))
        name = database.get("name")
        status = database.get("status") or "unknown"
        subject = "db:%s" % uid
        if status != "active":
            found.block("databases", subject, status, "database %s (%s) is %s, not active" % (uid, name, status))
        answer = reading.availability.get(uid, NOT_SERVED)
        available = None
        if answer == NOT_SERVED:
            found.skip("databases", subject, "availability not served (404): server before 7.8.2")
        else:
            available, problem = answer
            if not available:
                found.block("databases", subject, problem[0], "database %s (%s) is not available: %s" % (uid, name, problem[1] or problem[0]))
        total, syncing = shards.get(uid, (None, None))
        views.append(dict(uid=to_int(uid), name=name, status=status, available=available, shards_count=to_int(database.get("shards_count")),
                          replication=_is_true(database.get("replication")), shards_total=total, shards_syncing=syncing))
    return sorted(views, key=lambda view: (view["uid"] is None, view["uid"] or 0))


def _judge_alerts(reading, found, ignored, judged_databases):
    views = []
    for scope, prefix in (("cluster", None), ("node", "node"), ("database", "db")):
        answer = reading.alerts.get(scope)
        if answer == NOT_SERVED:
            found.skip("alerts", scope, "%s alerts not served (404)" % scope)
            continue
        if scope == "cluster":
            owners = [("cluster", answer or {})]
        else:
            owners = [("%s:%s" % (prefix, to_uid(uid)), alerts) for uid, alerts in sorted((answer or {}).items())
                      if scope == "node" or to_uid(uid) in judged_databases]
        for subject, alerts in owners:
            for name, alert in sorted((alerts or {}).items()):
                if not isinstance(alert, dict) or not (_is_true(alert.get("enabled")) and _is_true(alert.get("state"))):
                    continue
                views.append(dict(scope=scope, subject=subject, name=name, severity=alert.get("severity"), ignored=name in ignored))
                if name not in ignored:
                    found.block("alerts", "%s alert:%s" % (subject, name), "raised", "alert %s (%s) is raised on %s since %s"
                                % (name, alert.get("severity") or "no severity", subject, alert.get("change_time") or "an unknown time"))
    if all(reading.alerts.get(scope) == NOT_SERVED for scope in ("cluster", "node", "database")):
        found.unanswered.add("alerts")
    return views


def _judge_actions(reading, found):
    if reading.actions == NOT_SERVED:
        found.skip("actions", "cluster", "GET /v1/actions not served (404)", whole=True)
        return
    entries = read_action_list(reading.actions)
    if isinstance(reading.actions, dict):
        entries += list(reading.actions.get("state-machines") or [])
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        status = entry.get("status") or "unknown"
        if status in ENDED_ACTION_STATUSES:
            continue
        uid = entry.get("action_uid") or entry.get("task_id") or entry.get("name")
        target = entry.get("object_name") or ("node %s" % entry.get("node_uid") if entry.get("node_uid") is not None else "the cluster")
        progress = entry.get("progress")
        found.block("actions", "action:%s" % uid, status, "%s on %s is %s%s" % (
            entry.get("name") or "an action", target, status, " (progress %s%%)" % progress if progress not in (None, "") else ""))


def describe(report):
    """A report in one line: healthy, or each blocker's check, subject and state."""
    if report is None:
        return "no reading"
    if report["healthy"]:
        return "healthy"
    return "%d blocker(s): %s" % (len(report["blockers"]), "; ".join(
        "%s %s %s" % (blocker["check"], blocker["subject"], blocker["state"]) for blocker in report["blockers"]))


def option_errors(params):
    """What is wrong with ``re_cluster_health``'s own options, before any request."""
    errors = []
    if params.get("databases") is not None:
        if not params["databases"]:
            errors.append("databases must name at least one database (omit it to judge every database)")
        elif not all(str(item).strip() for item in params["databases"]):
            errors.append("databases must not hold an empty name")
    if params.get("checks") is not None and not params["checks"]:
        errors.append("checks must name at least one check (omit it to judge every check: %s)" % ", ".join(CHECKS))
    if any(uid is None or uid < 1 for uid in params.get("allow_maintenance") or []):
        errors.append("allow_maintenance must hold node uids (integers >= 1)")
    return errors


class HealthGate:
    """``re_cluster_health``'s task: read once, or with ``wait`` poll with the task's waiter until
    healthy, failing at its deadline with the blockers last seen.

    ``hide(values)`` masks secrets the reads met (the databases' passwords) in whatever the task
    shows. Check mode changes nothing here but waiting: a check-mode run reads once and warns.
    """

    def __init__(self, task, hide, clock=time.monotonic):
        self.task = task
        self.hide = hide
        self.clock = clock
        self.started = clock()
        self.polls = 0
        self.reader = None

    def poll(self):
        self.polls += 1
        params = self.task.params
        reading = self.reader.read(params["databases"])
        self.hide(reading.secrets)
        return judge(reading, params["ignore_alerts"], params["allow_maintenance"] or (), params.get("checks") or CHECKS)

    def result(self, report, cluster_name):
        result = dict(changed=False, polls=self.polls, cluster_name=cluster_name, duration=round(self.clock() - self.started, 3))
        result.update(report or dict(healthy=False, blockers=[], nodes=[], databases=[], alerts=[],
                                     checks=dict((name, "skipped") for name in CHECKS), skipped_checks=[]))
        return result

    def run(self):
        params = self.task.params
        waits = params["wait"] and not self.task.check_mode
        waiter = self.task.waiter()
        client = self.task.client(HealthClient, deadline=waiter.deadline if waits else None)
        self.reader = HealthReader(client)
        # The cluster's name is read beside the first poll, not one round trip before it.
        cluster_name = ClusterNameRead(client)
        try:
            if not waits:
                report = self.poll()
                if params["wait"] and not report["healthy"]:
                    self.task.warn("check mode does not wait: the cluster is not healthy now (%s); a real run waits up to "
                                   "wait_timeout for it" % describe(report))
            else:
                report = waiter.until(self.poll, lambda found: DONE if found["healthy"] else None, describe=describe,
                                      what="the cluster to be healthy").value
        except ValueError as error:
            self.task.fail(str(error), **self.result(None, cluster_name.result()))
        except WaitError as error:
            self.task.fail(error.message, **self.result(error.last, cluster_name.result()))
        self.task.exit(**self.result(report, cluster_name.result()))
