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
- ``unreachable``: ``url``, ``error``, once when a poll fails; ``reachable`` (``url``, ``error``
  null) once when a poll succeeds again. While the API rejects the credentials (HTTP 401), the
  pause between polls doubles, up to 15 minutes (or ``interval`` when longer), so a rejected
  credential is not tried every poll.

The first poll reports only conditions that hold (expiring certificates, an unreachable
API); changes are reported from the second poll on. No event and no log line carries the
password (or any form of it).

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
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.nodes import NodeReader

SOURCE = "redisops.platform.re_events"
DEFAULTS = dict(interval=60, certificate_days=30)


class ClusterWatcher(_event_source.Watcher):
    """A Redis Enterprise cluster: its certificates and its nodes."""

    def __init__(self, params, certificate_days):
        super(ClusterWatcher, self).__init__(SOURCE)
        client = self.build(RedisEnterpriseClient, params)
        self.url = params["url"]
        self.secrets = [params.get(name) for name in REDIS_ENTERPRISE_CONNECTION.secret_options()]
        self.certificate_days = certificate_days
        self.client = client
        self.nodes = NodeReader(client)
        self.cluster = None
        self.known_nodes = None  # {uid: node} of the last successful poll; None before the first
        self.reported = set()  # (name, fingerprint) of the expiring certificates already reported

    def context(self):
        return {"cluster": self.cluster}

    def poll(self):
        if self.cluster is None:
            self.cluster = self.client.cluster_name()
        described = certificates.describe_all(certificates.read_live(self.client))
        nodes = dict((node["uid"], node) for node in self.nodes.nodes())
        # Every read succeeded: only now does the state move on.
        events = self._certificate_events(described) + self._node_events(nodes)
        self.known_nodes = nodes
        return events

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
    return ClusterWatcher(params, days), interval


async def main(queue, args):
    """Put the cluster's events on ``queue`` until cancelled."""
    watcher, interval = watcher_from_args(args)
    await _event_source.poll_forever(queue, watcher, interval, SOURCE)


if __name__ == "__main__":
    # A quick look at a cluster: the connection comes from the REDIS_ENTERPRISE_* variables.
    _event_source.print_events(main, {"interval": 10})
