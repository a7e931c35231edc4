# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one way an API client is built: modules, inventory plugins, the lookup and the event
sources all call :func:`build_client`.

What bounds the retries of the client's requests (the deadline), where its retry warnings
go and whether its requests are logged are decided when it is built, and handed down to
every :class:`HttpClient` it makes: nothing changes a client afterwards.

The contract of a ``client_class`` (an API client, or a wrapper around one):

- ``client_class(options, wiring=wiring)`` builds it from the connection options (the
  resolved ``ConnectionSpec`` values) and a :class:`Wiring`; ``wiring`` may be left out
  (tests), which gives plain clients;
- it makes each of its HTTP clients with ``wiring.http_client(base_url, **settings)``,
  or passes ``wiring`` to the API clients it wraps;
- ``close()`` closes every HTTP client it made;
- ``http_clients()`` lists them (their ``secrets`` are what event sources scrub).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import FROM_NOW, HttpClient

# build_client's ``deadline`` for a client whose requests come and go (an inventory read by
# several threads): each request is bounded by its own budget, from its own start.
EACH_REQUEST = "each request's own budget"


class Wiring:
    """What every HTTP client of one API client is built with (see :class:`HttpClient`)."""

    def __init__(self, deadline=None, deadline_option="wait_timeout", on_retry=None, request_log=None, fail_fast=False):
        self.deadline = deadline
        self.deadline_option = deadline_option
        self.on_retry = on_retry
        self.request_log = request_log
        self.fail_fast = fail_fast

    def warn(self, message):
        """A warning to the client's user (a module's warnings, the inventory's display), where its retries go."""
        if self.on_retry:
            self.on_retry(message)

    def http_client(self, base_url, **settings):
        """An :class:`HttpClient` for ``base_url`` (``settings``: its TLS, timeout, auth and secrets)."""
        return HttpClient(base_url, deadline=self.deadline, deadline_option=self.deadline_option,
                          on_retry=self.on_retry, request_log=self.request_log, fail_fast=self.fail_fast, **settings)


def build_client(client_class, options, deadline=None, on_retry=None, deadline_option="wait_timeout", request_log=None):
    """``client_class`` built from the connection ``options`` and wired to its user.

    ``deadline`` bounds every retry wait: monotonic seconds, or a callable returning them (an
    event source's next poll), named ``deadline_option`` in messages; a connection refused
    (a node restarting) is retried until then. None is a task that does not wait: one
    request's budget (``request_timeout`` x tries) from now bounds its retries, and an API that
    cannot be reached (connection refused, name not resolved, no route) fails it at once with
    one message, no retry and no warning (a task that must read through a node that may be
    restarting passes a deadline). :data:`EACH_REQUEST` (an inventory) bounds each request by
    its own budget, and fails as fast on an unreachable API.
    ``on_retry(message)`` gets one sentence per retry (already redacted); ``request_log``
    (a list) gets ``(method, path, status, seconds)`` per request.
    """
    waits = deadline is not None and deadline is not EACH_REQUEST
    if deadline is None:
        deadline = FROM_NOW
    elif deadline is EACH_REQUEST:
        deadline = None
    return client_class(options, wiring=Wiring(deadline, deadline_option, on_retry, request_log, fail_fast=not waits))
