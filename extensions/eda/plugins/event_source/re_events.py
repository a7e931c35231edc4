# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""redisops.platform.re_events: an ansible-rulebook event source that watches a Redis
Enterprise cluster through one node's REST API.

Every ``interval`` seconds it reads the cluster's name (once), its certificates
(``GET /v1/cluster/certificates``, keys dropped at once) and its nodes (``GET /v1/nodes``
and each node's ``/status``), and puts events ``{"redisops": {"type": ..., "cluster": <name>, ...}}``:

- ``certificate_expiring``: ``name``, ``days_left``, ``not_after``, ``fingerprint`` (SHA-256),
  when fewer than ``certificate_days`` days are left (or the certificate does not parse:
  ``days_left`` null and ``error``); once per certificate and fingerprint, so a rotated
  certificate that expires soon again is reported again.
- ``node_status_changed``: ``uid``, ``old``, ``new`` (a node that joined has ``old`` null, one
  that was removed ``new`` null).
- ``node_maintenance_changed``: ``uid``, ``in_maintenance``.
- ``health_changed``: ``old``, ``new`` (the cluster's ``healthy``, before and now) and ``blockers``
  (what keeps it from being healthy now, as ``re_cluster_health`` returns them: ``check``,
  ``subject``, ``state``, ``message``; empty when it turned healthy), when the cluster turns
  unhealthy or healthy again. Read as ``re_cluster_health`` reads it (the same reader: quorum,
  nodes, maintenance, databases and their availability, shards, alerts, actions), every database
  judged and ``ignore_alerts`` ignored.
- ``unreachable``: ``url``, ``error``, once when a poll fails; ``reachable`` (``url``, ``error``
  null) once when a poll succeeds again. While the API rejects the credentials (HTTP 401), the
  pause between polls doubles, up to 15 minutes (or ``interval`` when longer), so a rejected
  credential is not tried every poll.

The first poll reports only conditions that hold (expiring certificates, an unreachable
API); changes (a node's status or maintenance, the cluster's health) are reported from the
second poll on. No event and no log line carries the password (or any form of it), nor the
databases' passwords that the database objects read for the health carry.

Arguments (connection options as the modules', with the same environment variables):

- ``url``: the REST API of any node, e.g. ``https://node1.example.com:9443``; required, else
  ``REDIS_ENTERPRISE_URL``.
- ``username`` / ``password``: the cluster user (read-only roles are enough); else
  ``REDIS_ENTERPRISE_USERNAME`` / ``REDIS_ENTERPRISE_PASSWORD``; no default.
- ``validate_certs``: verify the node's TLS certificate; else ``REDIS_ENTERPRISE_VALIDATE_CERTS``;
  default true.
- ``ca_path``: CA bundle that signed the node's certificate; else ``REDIS_ENTERPRISE_CA_PATH``;
  default: the system's trust store.
- ``client_cert`` / ``client_key``: client certificate authentication; else
  ``REDIS_ENTERPRISE_CLIENT_CERT`` / ``REDIS_ENTERPRISE_CLIENT_KEY``; no default.
- ``request_timeout``: seconds one request may take; else ``REDIS_ENTERPRISE_REQUEST_TIMEOUT``;
  default 30.
- ``interval``: seconds between the starts of two polls (a poll's retries end before the
  next one is due); default 60.
- ``certificate_days``: report certificates with fewer days left than this; default 30.
- ``ignore_alerts``: names of alerts that do not make the cluster unhealthy (a list, or one
  comma-separated string); default ``re_cluster_health``'s: ``cluster_inconsistent_rl_sw``,
  ``cluster_inconsistent_redis_sw``.

Example:

    - name: Watch the production cluster
      hosts: localhost
      sources:
        - redisops.platform.re_events:
            url: https://node1.example.com:9443
            interval: 300
            certificate_days: 21
      rules:
        - name: Rotate a certificate that expires soon
          condition: event.redisops.type == "certificate_expiring"
          action:
            run_playbook:
              name: redisops.platform.eda_rotate_certificate
        - name: Record why the cluster turned unhealthy
          condition: event.redisops.type == "health_changed" and event.redisops.new == false
          action:
            run_playbook:
              name: redisops.platform.eda_health_report
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys

try:
    from ansible_collections.redisops.platform.plugins.plugin_utils import _event_source
except ImportError:
    # ansible-rulebook runs this file by path, outside Ansible's collection loader: import the
    # collection from the collections directory this file is installed in.
    sys.path.append(os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 7)))
    from ansible_collections.redisops.platform.plugins.plugin_utils import _event_source
# pylint: disable=wrong-import-position
from ansible_collections.redisops.platform.plugins.module_utils._connection import REDIS_ENTERPRISE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise import certificates
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.health import (
    DEFAULT_IGNORED_ALERTS,
    HealthClient,
    HealthReader,
    judge,
)
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.nodes import NodeReader

SOURCE = "redisops.platform.re_events"
DEFAULTS = dict(interval=60, certificate_days=30, ignore_alerts=list(DEFAULT_IGNORED_ALERTS))


class ClusterWatcher(_event_source.Watcher):
    """A Redis Enterprise cluster: its certificates and its nodes."""

    def __init__(self, params, certificate_days, ignore_alerts=DEFAULT_IGNORED_ALERTS):
        super(ClusterWatcher, self).__init__(SOURCE)
        # re_cluster_health's client: an unavailable database is an answer, not a request to retry.
        client = self.build(HealthClient, params)
        self.url = params["url"]
        self.connection_secrets = [params.get(name) for name in REDIS_ENTERPRISE_CONNECTION.secret_options()]
        self.secrets = list(self.connection_secrets)
        self.certificate_days = certificate_days
        self.ignore_alerts = list(ignore_alerts)
        self.client = client
        self.nodes = NodeReader(client)
        self.health = HealthReader(client)
        self.cluster = None
        self.known_nodes = None  # {uid: node} of the last successful poll; None before the first
        self.healthy = None  # the cluster's health at the last successful poll; None before the first
        self.reported = set()  # (name, fingerprint) of the expiring certificates already reported

    def context(self):
        return {"cluster": self.cluster}

    def poll(self):
        if self.cluster is None:
            self.cluster = self.client.cluster_name()
        described = certificates.describe_all(certificates.read_live(self.client))
        nodes = dict((node["uid"], node) for node in self.nodes.nodes())
        reading = self.health.read()
        # The database objects carry their passwords: scrubbed from whatever the events hold.
        self.secrets = self.connection_secrets + reading.secrets
        report = judge(reading, self.ignore_alerts)
        # Every read succeeded: only now does the state move on.
        events = self._certificate_events(described) + self._node_events(nodes) + self._health_events(report)
        self.known_nodes = nodes
        self.healthy = report["healthy"]
        return events

    def _health_events(self, report):
        if self.healthy is None or self.healthy == report["healthy"]:
            return []
        return [dict(type="health_changed", old=self.healthy, new=report["healthy"], blockers=report["blockers"])]

    def _certificate_events(self, described):
        events, expiring = [], set()
        names = set(certificates.expiring(described, self.certificate_days))
        for cert in described:
            if cert["name"] not in names:
                continue
            key = (cert["name"], cert.get("sha256_fingerprint"))
            expiring.add(key)
            if key in self.reported:
                continue
            event = dict(type="certificate_expiring", name=cert["name"], days_left=cert.get("days_left"),
                         not_after=cert.get("not_after"), fingerprint=cert.get("sha256_fingerprint"))
            if cert.get("error"):
                event["error"] = cert["error"]
            events.append(event)
        self.reported = expiring  # a rotated certificate leaves the set; its successor is new
        return events

    def _node_events(self, nodes):
        if self.known_nodes is None:
            return []
        events = []
        for uid in sorted(set(nodes) | set(self.known_nodes), key=lambda value: (value is None, value or 0)):
            old, new = self.known_nodes.get(uid), nodes.get(uid)
            old_status = old["status"] if old else None
            new_status = new["status"] if new else None
            if old_status != new_status:
                events.append(dict(type="node_status_changed", uid=uid, old=old_status, new=new_status))
            if old and new and old["has_maintenance_snapshot"] != new["has_maintenance_snapshot"]:
                events.append(dict(type="node_maintenance_changed", uid=uid, in_maintenance=bool(new["has_maintenance_snapshot"])))
        return events


def watcher_from_args(args):
    """The watcher and its interval from the source's arguments (ValueError naming a bad one)."""
    params, own = _event_source.source_args(SOURCE, args, REDIS_ENTERPRISE_CONNECTION, DEFAULTS)
    interval = _event_source.number_arg(SOURCE, "interval", own["interval"])
    days = _event_source.number_arg(SOURCE, "certificate_days", own["certificate_days"], integer=True, above=False)
    return ClusterWatcher(params, days, _event_source.names_arg(SOURCE, "ignore_alerts", own["ignore_alerts"])), interval


async def main(queue, args):
    """Put the cluster's events on ``queue`` until cancelled."""
    watcher, interval = watcher_from_args(args)
    await _event_source.poll_forever(queue, watcher, interval, SOURCE)


if __name__ == "__main__":
    # A quick look at a cluster: the connection comes from the REDIS_ENTERPRISE_* variables.
    _event_source.print_events(main, {"interval": 10})
