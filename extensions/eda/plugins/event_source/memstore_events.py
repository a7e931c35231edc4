# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""redisops.platform.memstore_events: an ansible-rulebook event source that watches the
KakaoCloud MemStore instance sets (cluster mode disabled) and clusters (cluster mode
enabled) of a project.

Every ``interval`` seconds it lists them and their backups, in two concurrent requests (``GET
/v1/clusters`` and ``GET /v1/backups``, plus an IAM token request when one is needed), and puts
events ``{"redisops": {"type": ..., ...}}``:

- ``status_changed``: ``kind`` (``instance_set`` or ``cluster``), ``id``, ``name``, ``old``,
  ``new`` (the statuses as the API writes them) and ``failed`` (true when ``new`` is a failure
  status, whatever its spelling: ``Failed``, ``FAILED``, ``Error``).
- ``resource_added``: ``kind``, ``id``, ``name``, ``status``, ``failed``.
- ``resource_removed``: ``kind``, ``id``, ``name``, ``old`` (its last status seen).
- ``backup_completed``: a backup turned ``Available`` (or appeared so): ``id`` and ``name`` (the
  backup's), ``kind`` (``instance_set`` or ``cluster``), ``resource_id`` and ``resource_name`` (the
  resource backed up), ``status``, ``created_at``.
- ``backup_failed``: a backup turned ``Failed`` (or appeared so), with the same fields. Backup events
  carry no ``failed`` field: a rule on ``event.redisops.failed`` (a resource that failed) does not
  match them; match ``event.redisops.type == "backup_failed"``.
- ``unreachable``: ``url``, ``error``, once when a poll fails; ``reachable`` (``url``, ``error``
  null) once when a poll succeeds again. While the API rejects the credentials (HTTP 401), the
  pause between polls doubles, up to 15 minutes (or ``interval`` when longer), so a rejected
  credential is not tried every poll.

The first poll records what exists and reports nothing (only an unreachable API): a backup already
complete then is no event. Changes are reported from the second poll on, including those made while
the API was unreachable.
Statuses are compared case- and punctuation-insensitively (``Scaling(horizontal)`` and
``SCALING_HORIZONTAL`` are one status). No event and no log line carries the token or the
credential secret (or any form of them).

Arguments (connection options as the modules', with the same environment variables):

- ``api_url``: the MemStore API; else ``KAKAOCLOUD_MEMSTORE_URL``; default
  ``https://redis.{region}.kakaocloud.com``.
- ``region``: else ``KAKAOCLOUD_REGION``; default ``kr-central-2``.
- ``auth_token``: an IAM token; else ``KAKAOCLOUD_AUTH_TOKEN``; no default. Tokens expire:
  for a long-running source prefer an application credential, re-issued when it expires.
- ``application_credential_id`` / ``application_credential_secret``: an IAM application
  credential exchanged for a token; else ``KAKAOCLOUD_APPLICATION_CREDENTIAL_ID`` /
  ``KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET``; no default. One of ``auth_token`` and
  ``application_credential_id`` is required.
- ``identity_url``: the IAM identity v3 endpoint; else ``KAKAOCLOUD_IDENTITY_URL``; default
  ``https://iam.kakaocloud.com/identity/v3``.
- ``project_id``: else ``KAKAOCLOUD_PROJECT_ID``; default: the token's project.
- ``token_cache``: a directory where issued tokens are kept encrypted for the next runs; else
  ``KAKAOCLOUD_TOKEN_CACHE``; default: none (one token per source run, re-issued on expiry).
- ``validate_certs``: else ``KAKAOCLOUD_VALIDATE_CERTS``; default true.
- ``ca_path``: else ``KAKAOCLOUD_CA_PATH``; default: the system's trust store.
- ``request_timeout``: seconds one request may take; else ``KAKAOCLOUD_REQUEST_TIMEOUT``;
  default 30.
- ``interval``: seconds between the starts of two polls (a poll's retries end before the
  next one is due); default 60.

Example:

    - name: Watch MemStore
      hosts: localhost
      sources:
        - redisops.platform.memstore_events:
            interval: 120
      rules:
        - name: Report a resource that failed
          condition: event.redisops.failed == true
          action:
            run_playbook:
              name: redisops.platform.eda_memstore_failed
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys
from concurrent.futures import ThreadPoolExecutor

try:
    from ansible_collections.redisops.platform.plugins.plugin_utils import _event_source
except ImportError:
    # ansible-rulebook runs this file by path, outside Ansible's collection loader: import the
    # collection from the collections directory this file is installed in.
    sys.path.append(os.path.abspath(os.path.join(os.path.dirname(__file__), *[os.pardir] * 7)))
    from ansible_collections.redisops.platform.plugins.plugin_utils import _event_source
# pylint: disable=wrong-import-position
from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils.memstore.backups import is_available, list_backups, present_backup
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import (
    MODE_DISABLED,
    MODE_ENABLED,
    MemStoreClient,
    is_failed,
    normalize_status,
)

SOURCE = "redisops.platform.memstore_events"
DEFAULTS = dict(interval=60)
KINDS = {MODE_DISABLED: "instance_set", MODE_ENABLED: "cluster"}


class ProjectWatcher(_event_source.Watcher):
    """The instance sets and clusters of one project and their backups, from two concurrent lists per poll."""

    def __init__(self, params):
        super(ProjectWatcher, self).__init__(SOURCE)
        client = self.build(MemStoreClient, params)
        self.url = client.http.base_url
        self.secrets = [params.get(name) for name in MEMSTORE_CONNECTION.secret_options()]
        self.client = client
        self.known = None  # {id: item} of the last successful poll; None before the first
        self.known_backups = None  # {id: backup} of the last successful poll

    def poll(self):
        # The two lists at once, on the one client (it is safe to share between threads).
        with ThreadPoolExecutor(max_workers=2) as pool:
            listing = pool.submit(self.client.list_resources)
            backups = pool.submit(list_backups, self.client)
            items = dict((item["id"], item) for item in listing.result())
            backed = dict((item["id"] or item["name"], item) for item in backups.result())
        known, self.known = self.known, items
        known_backups, self.known_backups = self.known_backups, backed
        if known is None:
            return []
        events = self._resource_events(known, items)
        events.extend(self._backup_events(known_backups, backed))
        return events

    def _resource_events(self, known, items):
        events = []
        for resource_id in sorted(set(items) - set(known)):
            item = items[resource_id]
            events.append(dict(self._describe(item), type="resource_added", status=item.get("status"),
                               failed=is_failed(item.get("status"))))
        for resource_id in sorted(set(known) - set(items)):
            item = known[resource_id]
            events.append(dict(self._describe(item), type="resource_removed", old=item.get("status")))
        for resource_id in sorted(set(items) & set(known)):
            old, new = known[resource_id].get("status"), items[resource_id].get("status")
            if normalize_status(old) != normalize_status(new):
                events.append(dict(self._describe(items[resource_id]), type="status_changed", old=old, new=new,
                                   failed=is_failed(new)))
        return events

    @staticmethod
    def _backup_events(known, backed):
        """A backup that turned (or appeared) Available is completed, Failed is failed."""
        events = []
        for key in sorted(backed):
            item, before = backed[key], (known.get(key) or {})
            status = item.get("status")
            for kind, reached in (("backup_completed", is_available), ("backup_failed", is_failed)):
                if reached(status) and not reached(before.get("status")):
                    shown = present_backup(item)
                    events.append(dict(type=kind, id=shown["id"], name=shown["name"], kind=shown["kind"], resource_id=shown["resource_id"],
                                       resource_name=shown["resource_name"], status=status, created_at=shown["created_at"]))
        return events

    @staticmethod
    def _describe(item):
        return dict(kind=KINDS.get(item.get("clusterMode")), id=item["id"], name=item.get("name"))


def watcher_from_args(args):
    """The watcher and its interval from the source's arguments (ValueError naming a bad one)."""
    params, own = _event_source.source_args(SOURCE, args, MEMSTORE_CONNECTION, DEFAULTS)
    return ProjectWatcher(params), _event_source.number_arg(SOURCE, "interval", own["interval"])


async def main(queue, args):
    """Put the project's events on ``queue`` until cancelled."""
    watcher, interval = watcher_from_args(args)
    await _event_source.poll_forever(queue, watcher, interval, SOURCE)


if __name__ == "__main__":
    # A quick look at a project: the connection comes from the KAKAOCLOUD_* variables.
    _event_source.print_events(main, {"interval": 10})
