# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the collection's Event-Driven Ansible event sources share.

- Their arguments: the modules' connection options with the same environment
  variables (:func:`source_args`, through ``_connection.resolve``), checked before
  any request, each error naming the argument.
- The polling loop (:func:`poll_forever`): the blocking API clients run in a
  daemon thread (so a cancelled source returns at once, and a request still in
  flight never holds the process at exit), a poll starts every ``interval`` seconds
  and its retries end before the next one is due, a failed poll is an outage
  (one ``unreachable`` event, one ``reachable`` when a poll succeeds again),
  never the end of the source. Credentials the API keeps refusing (401) space the
  polls out (doubling, up to :data:`MAX_AUTH_BACKOFF`), so a rejected credential is
  not exchanged for a new token every poll, nor a locked-out user retried.
- Redaction: every event and log line is scrubbed of the connection's secrets
  (and of tokens issued on the way) in every form the HTTP client knows.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import logging
import math
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from ansible_collections.redisops.platform.plugins.module_utils._connection import resolve
from ansible_collections.redisops.platform.plugins.module_utils._factory import build_client
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, redact

# What ansible-rulebook adds to a source's arguments by itself.
_RULEBOOK_ARGS = frozenset(["eda_feedback_queue"])
# The longest pause between two polls while the API rejects the credentials (seconds), unless
# ``interval`` is longer.
MAX_AUTH_BACKOFF = 900


def number_arg(source, name, value, integer=False, minimum=0.0, above=True):
    """``value`` as a finite number (an int with ``integer``), > ``minimum`` (>= unless ``above``).

    Rulebook arguments often arrive as strings (templated from variables): "60" is 60.
    Raises ValueError naming the source and the argument.
    """
    rule = "%s %s" % (">" if above else ">=", "%g" % minimum)
    kind = "an integer" if integer else "a number"
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or not math.isfinite(number) or (integer and not number.is_integer()):
        raise ValueError("%s: %s must be %s %s (got %r)" % (source, name, kind, rule, value))
    if number < minimum or (above and number == minimum):
        raise ValueError("%s: %s must be %s %s (got %r)" % (source, name, kind, rule, value))
    return int(number) if integer else number


def names_arg(source, name, value):
    """``value`` as a list of names: a list of strings, or one comma-separated string (as a rulebook
    templates it from a variable); ``[]`` or ``""`` is no name. Raises ValueError naming the argument."""
    if isinstance(value, str):
        value = [item.strip() for item in value.split(",") if item.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError("%s: %s must be a list of names (got %r)" % (source, name, value))
    return [item.strip() for item in value]


def source_args(source, args, connection, own):
    """(connection options, own arguments) from a source's ``args``.

    ``own`` maps each argument of the source that is not a connection option to its
    default. Connection options take their environment variable, then their default,
    as in the modules; an empty string counts as unset, so a rulebook can pass
    ``"{{ some_variable | default('') }}"`` and leave the option to the environment when
    the variable is not set. An argument the source does not know is refused, so a typo
    never silently falls back to a default. Raises ValueError naming the source and the argument.
    """
    args = dict(args or {})
    known = set(connection.argument_spec) | set(own)
    unknown = sorted(set(args) - known - _RULEBOOK_ARGS)
    if unknown:
        raise ValueError("%s: unknown argument %s (known: %s)" % (source, unknown[0], ", ".join(sorted(known))))
    try:
        params = resolve(connection, dict((name, None if args.get(name) == "" else args.get(name)) for name in connection.argument_spec),
                         "in the source's arguments")
    except ValueError as error:
        raise ValueError("%s: %s" % (source, error))
    values = dict((name, default if args.get(name) is None else args[name]) for name, default in own.items())
    return params, values


def public_url(url):
    """``url`` without any ``user:password@`` part, for events and logs."""
    parts = urlsplit(url or "")
    if not parts.username and not parts.password:
        return url
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = "[%s]" % netloc
    if parts.port:
        netloc = "%s:%d" % (netloc, parts.port)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _scrub(value, secrets):
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return dict((key, _scrub(item, secrets)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_scrub(item, secrets) for item in value]
    return value


class Watcher:
    """One API watched by an event source.

    A subclass builds its API clients with :meth:`build` (which keeps them in ``clients``),
    sets ``url`` (where it polls, for ``unreachable`` events) and ``secrets`` (the
    connection's secret values), and implements :meth:`poll` (blocking: run in a worker
    thread) and, when every event carries more than its type, :meth:`context`.
    ``source`` (the source's FQCN) names the logger of its retry messages.
    """

    url = None
    secrets = ()

    def __init__(self, source):
        self.clients = []
        self.logger = logging.getLogger(source)
        self.poll_deadline = None  # when the coming poll's retries must end (monotonic seconds)

    def build(self, client_class, params):
        """An API client whose retries log at INFO (already redacted) and end before the next poll is due."""
        client = build_client(client_class, params, deadline=lambda: self.poll_deadline, deadline_option="interval",
                              on_retry=self.logger.info)
        self.clients.append(client)
        return client

    def http_clients(self):
        return [http for client in self.clients for http in client.http_clients()]

    def poll(self):
        """The events of one poll: a list of dicts with ``type`` and the event's fields."""
        raise NotImplementedError

    def context(self):
        """Fields every event carries besides ``type`` (e.g. the cluster's name)."""
        return {}

    def all_secrets(self):
        """The connection's secrets and what the clients learnt since (an issued token)."""
        found = [secret for secret in self.secrets if secret]
        for http in self.http_clients():
            found.extend(secret for secret in http.secrets if secret not in found)
        return found

    def scrub(self, value):
        return _scrub(value, self.all_secrets())

    def event(self, fields):
        """``{"redisops": {<context>, <fields>}}``, scrubbed."""
        payload = self.context()
        payload.update(fields)
        return {"redisops": self.scrub(payload)}

    def set_deadline(self, deadline):
        """Retries of the coming poll end by ``deadline`` (monotonic seconds)."""
        self.poll_deadline = deadline

    def close(self):
        for client in self.clients:
            client.close()


async def in_thread(function):
    """``function()`` run in a daemon thread of its own.

    Cancelling the awaiting task returns at once; the thread finishes its request by itself, and,
    unlike ``asyncio.to_thread`` (whose executor ``asyncio.run`` waits for at exit), never keeps
    the process alive once the source has stopped.
    """
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(result, error):
        if not future.done():
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    def run():
        try:
            outcome = (function(), None)
        except Exception as error:  # pylint: disable=broad-exception-caught  # handed to the awaiting task
            outcome = (None, error)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:  # the loop is closed: nobody waits any more
            pass

    threading.Thread(target=run, name="redisops-poll", daemon=True).start()
    return await future


def _rejected(error):
    """Whether a failed poll means the API refuses the credentials (more polls will not help)."""
    return isinstance(error, ApiError) and error.status == 401


async def poll_forever(queue, watcher, interval, source):
    """Put ``watcher``'s events on ``queue``, polling every ``interval`` seconds, until cancelled.

    While the API answers 401, each pause doubles (up to :data:`MAX_AUTH_BACKOFF`, or
    ``interval`` when longer): at most one new token is asked for per pause. Log lines go to
    the logger named after the ``source`` (its FQCN).
    """
    logger = logging.getLogger(source)
    outage = False
    pause = interval
    try:
        while True:
            started = time.monotonic()
            watcher.set_deadline(started + interval)
            try:
                events = await in_thread(watcher.poll)
            except Exception as error:  # pylint: disable=broad-exception-caught  # a failed poll is an outage, not the end
                if not outage:
                    message = watcher.scrub(str(error) or type(error).__name__)
                    logger.warning("%s is unreachable: %s", public_url(watcher.url), message)
                    await queue.put(watcher.event(dict(type="unreachable", url=public_url(watcher.url), error=message)))
                    outage = True
                pause = min(pause * 2, max(interval, MAX_AUTH_BACKOFF)) if _rejected(error) else interval
                if pause > interval:
                    logger.info("%s rejects the credentials: next poll in %g s", public_url(watcher.url), pause)
            else:
                pause = interval
                if outage:
                    logger.info("%s is reachable again", public_url(watcher.url))
                    await queue.put(watcher.event(dict(type="reachable", url=public_url(watcher.url), error=None)))
                    outage = False
                for found in events:
                    await queue.put(watcher.event(found))
            await asyncio.sleep(max(0.0, pause - (time.monotonic() - started)))
    finally:
        watcher.close()


class _PrintQueue:
    @staticmethod
    async def put(event):
        print(event)


def print_events(main, args):
    """Run a source's ``main`` from a terminal, printing its events (connection from the environment)."""
    asyncio.run(main(_PrintQueue(), args))
