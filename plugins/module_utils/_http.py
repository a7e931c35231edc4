# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP client every module of this collection uses.

A ``requests.Session`` with bounded ``urllib3`` retries (429 honouring
Retry-After, 502/503/504 and connection errors, jittered exponential backoff),
a per-request timeout, TLS options passed on every request, and one error type
(:class:`ApiError`) that never carries request bodies or credentials.

Every retry is bounded by a deadline: the task's (``HttpClient(deadline=...)``,
given by whoever owns ``wait_timeout`` when the client is built) or, without one,
``request_timeout`` times the number of tries from the start of the request. A
server that asks to be called back later than that (Retry-After) fails the request
at once, saying what it asked. Each retry is announced once through ``on_retry``.

A client keeps no state of the requests it sends (each request's record travels
with the request), so threads may share one client.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import contextvars
import html
import json
import os
import re
import socket
import ssl
import threading
import time
import traceback

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported by this collection
    urlsplit = None

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3 import exceptions as urllib3_exceptions
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.util.retry import Retry
except ImportError:  # pragma: no cover - reported through missing_required_lib
    requests = None
    urllib3_exceptions = None
    HTTPAdapter = HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = object
    Retry = object
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

# The collection's version has one source, galaxy.yml: `make version` writes it here
# (modules run on managed hosts, where galaxy.yml is not available), and a unit test
# fails when the two differ.
COLLECTION_VERSION = "1.2.0"
USER_AGENT = "redisops.platform/%s" % COLLECTION_VERSION

# Statuses the server uses to say "not now": safe to repeat for idempotent methods.
RETRY_STATUSES = (429, 502, 503, 504)
IDEMPOTENT_METHODS = frozenset(["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"])
SAFE_METHODS = frozenset(["GET", "HEAD", "OPTIONS"])
REDACTED = "********"
_MAX_MESSAGE = 300
# Lines of a multi-line secret (a PEM key, a license) shorter than this are not
# redacted one by one: they are too likely to be ordinary text.
_MIN_SECRET_LINE = 8
# urllib3 caps what it honours of Retry-After (21600 s by default); we want the
# server's real ask, to compare it with the deadline and to report it.
_RETRY_AFTER_MAX = 10 ** 9
# The largest answer a client reads: far more than any answer of these APIs (a list of a thousand
# resources is about 2 MiB), little enough that a wrong server (a file served at the API's address)
# cannot fill the memory of the host that runs the task.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
_READ_CHUNK = 64 * 1024
# HttpClient's ``deadline`` besides a time (or a callable returning one) and None (each request
# bounded by its own budget from its start): one request's budget counted from when the client
# was built, for a task that sends a few requests and does not wait.
FROM_NOW = "one request's budget from now"


class ApiError(Exception):
    """A failed API call: method, path, HTTP status, API error code and message.

    ``status`` is None when no HTTP answer arrived (connection refused, TLS
    failure, timeout); ``transport`` then says which kind of failure it was.
    ``deadline_exceeded`` is True when the server asked to be called again later
    than the deadline allows: waiting would be pointless, so it is not transient.
    ``permanent`` is True for an answer the client knows to be a state, not overload
    (the client's ``permanent(status, body)``).
    ``closed`` is True when the connection was closed before any answer came (no timeout, no
    refusal): the other end ended the exchange, so a read then tells whether the request was taken.
    """

    def __init__(self, method, path, status=None, code=None, message=None, transport=None, retry_after=None,
                 deadline_exceeded=False, permanent=False, closed=False):
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.message = message or ""
        self.transport = transport
        self.retry_after = retry_after
        self.deadline_exceeded = deadline_exceeded
        self.permanent = permanent
        self.closed = closed
        super(ApiError, self).__init__(self.__str__())

    @property
    def not_taken(self):
        """True when the API itself said it did not take the request, for now: a 429, or a 503 with
        the API's error code or a Retry-After. A 502/504, or a 503 without either (a proxy's page),
        may come from something in between that cannot tell whether the API took it."""
        if self.deadline_exceeded or self.permanent:
            return False
        return self.status == 429 or (self.status == 503 and bool(self.code or self.retry_after))

    @property
    def is_transient(self):
        """True for failures a waiter may poll through (no answer, or 'not now' statuses)."""
        if self.deadline_exceeded:
            return False
        return self.status is None or self.status in RETRY_STATUSES or self.status >= 500

    def as_dict(self):
        return dict(method=self.method, path=self.path, status=self.status, code=self.code, message=self.message)

    def __str__(self):
        where = "%s %s" % (self.method, self.path)
        if self.status is None:
            return "%s failed: %s" % (where, self.message)
        text = "%s returned HTTP %s" % (where, self.status)
        if self.code:
            text += " (%s)" % self.code
        if self.message:
            text += ": %s" % self.message
        return text


class ClientError(Exception):
    """A logic error on our side of the wire: an answer without the expected id, a
    shape the API is not known to send, a local file that cannot be used.

    Never an :class:`ApiError`, so waiters do not poll through it as if it were
    a transient failure of the server.
    """


def _seconds(value):
    """7.0 -> '7', 0.25 -> '0.25', 1.23456 -> '1.2', 1.02 -> '1'."""
    value = float(value)
    if value >= 10 or value == int(value):
        return "%d" % round(value)
    text = ("%.2f" % value) if value < 1 else ("%.1f" % value)
    return text.rstrip("0").rstrip(".") if "." in text else text


class _Retry(Retry):
    """urllib3 Retry that repeats any request answered 429, never sleeps past the
    request's deadline, and announces each retry through the request's record.

    A 429 means the server refused the request before doing anything, so even a
    create can be sent again. Any other failure of a non-idempotent request is
    never retried blindly: the module re-reads state before deciding.
    """

    planned_wait = None  # seconds to sleep before the retry this object allows

    def is_retry(self, method, status_code, has_retry_after=False):
        if status_code == 429:
            return self.total is not False and bool(self.total)
        return super(_Retry, self).is_retry(method, status_code, has_retry_after)

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        call = _IN_FLIGHT.get()
        source = self
        chain = _chain(error) if error is not None else []
        # No connection at all (refused, a name not resolved, no route, none within request_timeout): urllib3's
        # NewConnectionError, and its NameResolutionError, are ConnectTimeoutErrors. Nothing reached the server.
        unreached = bool(_first(chain, (urllib3_exceptions.ConnectTimeoutError,)))
        if call is not None and call.client.fail_fast and unreached:
            # A task that does not wait: an API it cannot reach fails it now, with one message. Retrying would
            # only make a wrong address or a stopped endpoint look like a hang.
            raise urllib3_exceptions.MaxRetryError(_pool, url, error)
        until_deadline = bool(call is not None and call.has_deadline() and unreached and _first(chain, (ConnectionRefusedError,)))
        if until_deadline:
            # A refused connection: nothing reached the server, so even a write may be sent again, and a
            # node that restarts is waited for until the task's deadline, not for a fixed number of tries.
            source = self.new(total=_one_more(self.total), connect=_one_more(self.connect))
        if call is not None and response is not None and call.permanent_answer(response):
            # A state, not overload: urllib3 returns this answer as is, and the client fails at once.
            raise urllib3_exceptions.MaxRetryError(_pool, url, urllib3_exceptions.ResponseError("a permanent answer"))
        retry = super(_Retry, source).increment(method=method, url=url, response=response, error=error,
                                                _pool=_pool, _stacktrace=_stacktrace)
        if call is None:
            return retry
        asked = None
        if response is not None and self.respect_retry_after_header:
            try:
                asked = retry.get_retry_after(response)
            except urllib3_exceptions.InvalidHeader:
                asked = None  # an unreadable Retry-After: fall back on our backoff
        wait = asked if asked is not None else retry.get_backoff_time()
        if until_deadline:
            wait = max(0.0, min(wait, call.remaining()[0]))
        if not call.may_retry(wait, asked):
            # No retry: urllib3 returns this answer as is (raise_on_status is off),
            # or re-raises the connection error; the client says why it stopped.
            reason = error or urllib3_exceptions.ResponseError("retry stopped by the deadline")
            raise urllib3_exceptions.MaxRetryError(_pool, url, reason)
        retry.planned_wait = wait
        call.announce(len(retry.history), wait, asked, response, error, until_deadline)
        return retry

    def sleep(self, response=None):
        if self.planned_wait is None:
            super(_Retry, self).sleep(response)
        elif self.planned_wait > 0:
            time.sleep(self.planned_wait)
        call = _IN_FLIGHT.get()
        if call is not None:
            call.try_started = time.monotonic()  # the next try has its own request_timeout for headers and body
        return None


def _one_more(count):
    """A retry counter given back one try (None and False mean unlimited and disabled)."""
    return count + 1 if isinstance(count, int) and not isinstance(count, bool) else count


def make_retry(retries=4, backoff_factor=0.5, backoff_max=30.0, jitter=0.5, methods=IDEMPOTENT_METHODS):
    """Build the bounded Retry policy, tolerant of urllib3 1.26 and 2.x.

    ``methods`` may be retried after a read error or a 502/503/504; every
    method is retried after a connection error (nothing was sent) or a 429.
    """
    kwargs = dict(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_factor,
        respect_retry_after_header=True,
        raise_on_status=False,  # the last answer is returned, so its status and API message reach ApiError
        raise_on_redirect=False,
    )
    try:
        retry = _Retry(allowed_methods=methods, backoff_jitter=jitter, backoff_max=backoff_max,
                       retry_after_max=_RETRY_AFTER_MAX, **kwargs)
    except TypeError:  # urllib3 < 2.5: no retry_after_max; < 2: no jitter/backoff_max arguments
        try:
            retry = _Retry(allowed_methods=methods, backoff_jitter=jitter, backoff_max=backoff_max, **kwargs)
        except TypeError:
            try:
                retry = _Retry(allowed_methods=methods, **kwargs)
            except TypeError:  # urllib3 < 1.26
                retry = _Retry(method_whitelist=methods, **kwargs)
            retry.BACKOFF_MAX = backoff_max
    return retry


# --- secrets ---------------------------------------------------------------------------------
def basic_credential(username, password):
    """The Base64 ``user:password`` an HTTP Basic Authorization header carries."""
    raw = ("%s:%s" % (username, password)).encode("utf-8")
    return base64.b64encode(raw).decode("ascii")


def _percent_pattern(value):
    """A regular expression matching ``value`` raw or URL-quoted with any ``safe`` set
    (``quote``, ``quote_plus``): each character as itself or as its percent-escaped UTF-8
    bytes (either case), a space also as ``+``."""
    parts = []
    for char in value:
        escaped = "".join("%%%02X" % byte for byte in char.encode("utf-8"))
        choices = [re.escape(char), "(?i:%s)" % re.escape(escaped)]
        if char == " ":
            choices.append(r"\+")
        parts.append("(?:%s)" % "|".join(choices))
    return "".join(parts)


def _encodings(value):
    """``value`` as it may appear in an error text, besides URL-quoted (see :func:`_percent_pattern`):
    raw, JSON-escaped (once or twice, ``\\/`` or not, ASCII-escaped or not, HTML-safe ``\\u0026``),
    HTML-escaped (``&amp;``), Base64
    (padded or not, standard or URL-safe alphabet), and its UTF-8 bytes read as latin-1
    (a body whose charset was guessed wrong)."""
    forms = set([value])
    for ensure_ascii in (True, False):
        escaped = json.dumps(value, ensure_ascii=ensure_ascii)[1:-1]
        forms.update([escaped, escaped.replace("/", "\\/"), json.dumps(escaped, ensure_ascii=ensure_ascii)[1:-1]])
        # JSON made safe for HTML: & < > as \u0026 \u003c \u003e (Go's encoder), ' too (Jinja's tojson).
        for chars in ("[&<>]", "[&<>']"):
            for case in (str.lower, str.upper):
                forms.add(re.sub(chars, lambda match, case=case: "\\u" + case("%04x" % ord(match.group())), escaped))
    # HTML-escaped (a server's error page): &amp; &lt; &gt; &quot; and the quote as &#x27;, &#39; or &apos;.
    for quote in (True, False):
        escaped = html.escape(value, quote=quote)
        forms.update([escaped, escaped.replace("&#x27;", "&#39;"), escaped.replace("&#x27;", "&apos;")])
    raw = value.encode("utf-8")
    for encoded in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        encoded = encoded.decode("ascii")
        forms.update([encoded, encoded.rstrip("=")])
    forms.add(raw.decode("latin-1"))
    return forms


def _secret_values(secrets):
    """Each secret as text, and each long enough line of a multi-line one."""
    values = set()
    for secret in secrets or ():
        if secret is None:
            continue
        secret = str(secret)
        if len(secret) < 3:
            continue
        values.add(secret)
        lines = [line.strip() for line in secret.splitlines()]
        if len(lines) > 1:
            values.update(line for line in lines if len(line) >= _MIN_SECRET_LINE)
    return values


def secret_forms(secrets):
    """Every literal form of every secret to scrub, longest first.

    A multi-line secret (a PEM key, a license) is also scrubbed line by line, so
    a server that echoes part of it, or re-wraps it, does not leak it either.
    """
    forms = set()
    for value in _secret_values(secrets):
        forms.update(_encodings(value))
    return sorted((form for form in forms if len(form) >= 3), key=len, reverse=True)


_AUTH_VALUE = re.compile(
    r"(?i)(authorization|x-auth-token|x-subject-token)(['\"]?\s*[:=]\s*['\"]?)(?:(?:basic|bearer)\s+)?[^'\",}\s]+")


def redact(text, secrets):
    """Replace every secret, in each of its forms (see :func:`secret_forms`), in ``text``.

    Redact before any truncation: a secret cut in half no longer matches.
    """
    if not text:
        return text
    text = str(text)
    for form in secret_forms(secrets):
        if form in text:
            text = text.replace(form, REDACTED)
    for value in sorted(_secret_values(secrets), key=len, reverse=True):
        text = re.sub(_percent_pattern(value), REDACTED, text)
    # An Authorization header value must never survive, whatever it holds.
    return _AUTH_VALUE.sub(r"\1\2" + REDACTED, text)


def response_text(resp, content=None):
    """The body of ``resp`` (or ``content``, its bytes) as text: its declared charset, else
    UTF-8, else latin-1.

    requests reads a ``text/*`` body without a charset as latin-1, which turns a
    non-ASCII secret into a form redaction would not recognise.
    """
    content = (resp.content if content is None else content) or b""
    if "charset=" in (resp.headers.get("Content-Type") or "").lower() and resp.encoding:
        try:
            return content.decode(resp.encoding, "replace")
        except LookupError:
            pass
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")


# Control characters but tab and newline: ESC starts the ANSI sequences that recolour, move the
# cursor or retitle a terminal, CR overwrites a line.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(value):
    """``value`` as text safe to print on a terminal: control characters (and so ANSI escape
    sequences) a server sent are shown escaped (``\x1b``), never interpreted."""
    text = "%s" % (value,)
    return _CONTROL.sub(lambda match: "\\x%02x" % ord(match.group()), text)


def _excerpt(text, length=80):
    """The start of ``text`` on one line, for a message that shows what a server sent."""
    text = " ".join(text.split())
    return text[:length] + "..." if len(text) > length else text


def _truncate(message):
    if message and len(message) > _MAX_MESSAGE:
        return message[:_MAX_MESSAGE] + "..."
    return message


def parse_error_body(body, text=None, secrets=None):
    """Return (code, message) from any error body shape the APIs are known to use.

    ``secrets`` are redacted from both, before the message is truncated.
    """
    code = message = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            code = error.get("code") or error.get("error_code")
            message = error.get("message") or error.get("description") or error.get("detail")
        elif isinstance(error, str):
            message = error
        code = code or body.get("error_code") or body.get("code")
        message = message or body.get("description") or body.get("message") or body.get("detail")
        if isinstance(message, (dict, list)):
            message = json.dumps(message, sort_keys=True)
    elif isinstance(body, list) and body:
        message = json.dumps(body, sort_keys=True)
    if message is None and text:
        message = text.strip()
    # Redacted first (an escaped secret would no longer match), then made printable: a server's
    # terminal escapes (colours, a cleared screen, a rewritten line) reach no one's terminal.
    if message is not None:
        message = _truncate(printable(redact(str(message), secrets)))
    if code is not None:
        code = _truncate(printable(redact(str(code), secrets)))
    return code, message


def to_int(value, default=None):
    """A number that an API sent as a string ("10", "10.0") or a number (10)."""
    if value is None or value == "":
        return default
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


# --- transport errors --------------------------------------------------------------------------
def _chain(exc):
    """``exc`` and every exception it wraps (requests -> MaxRetryError -> urllib3 -> socket/ssl)."""
    found = []
    pending = [exc]
    while pending:
        current = pending.pop(0)
        if not isinstance(current, BaseException) or any(current is seen for seen in found):
            continue
        found.append(current)
        pending.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))
        pending.extend([getattr(current, "reason", None), current.__cause__, current.__context__])
    return found


def _first(chain, types):
    for exc in chain:
        if types and isinstance(exc, types):
            return exc
    return None


def _ssl_reason(chain):
    verify = _first(chain, (ssl.SSLCertVerificationError,))
    if verify is not None and getattr(verify, "verify_message", None):
        return "certificate verify failed: %s" % verify.verify_message
    error = _first(chain, (ssl.SSLError,))
    text = str(error.args[1] if error is not None and len(error.args) > 1 else (error or chain[-1]))
    text = re.sub(r"\[SSL(: [A-Z0-9_]+)?\]\s*", "", text)
    text = re.sub(r"\s*\(_ssl\.c:\d+\)", "", text).strip(" ()'\"")
    return text or "handshake failed"


def transport_message(exc, where, timeout):
    """(kind, one sentence) for a failure to get an answer.

    ``where`` names the server and the option it came from, e.g.
    ``"127.0.0.2:9443 (url)"``; ``timeout`` is the request timeout in seconds.
    """
    chain = _chain(exc)
    u3 = urllib3_exceptions
    if _first(chain, (requests.exceptions.SSLError, u3.SSLError, ssl.SSLError)) is not None:
        return "tls", ("TLS error with %s: %s; set ca_path to the CA that signed the server's certificate, "
                       "or validate_certs to false" % (where, _ssl_reason(chain)))
    if _first(chain, (getattr(u3, "NameResolutionError", ()), socket.gaierror)) is not None:
        return "connection", "the host name %s could not be resolved" % where
    if _first(chain, (ConnectionRefusedError,)) is not None:
        return "connection", "connection refused by %s: is the API reachable at this address?" % where
    if _first(chain, (u3.ReadTimeoutError, requests.exceptions.ReadTimeout)) is not None:
        return "timeout", "no answer within %s s (request_timeout) from %s" % (_seconds(timeout), where)
    new_connection = _first(chain, (u3.NewConnectionError,))
    if new_connection is None and _first(chain, (u3.ConnectTimeoutError, requests.exceptions.ConnectTimeout)) is not None:
        return "timeout", "no connection within %s s (request_timeout) to %s" % (_seconds(timeout), where)
    if _first(chain, (u3.ProtocolError, ConnectionResetError, ConnectionAbortedError)) is not None:
        return "connection", "%s closed the connection without answering" % where
    if new_connection is not None:
        # The socket's own error ("No route to host"): requests' and urllib3's wrappers are OSErrors without one.
        detail = next((exc.strerror for exc in chain if isinstance(exc, OSError) and exc.strerror), None)
        return "connection", "could not connect to %s%s" % (where, ": %s" % detail.lower() if detail else "")
    return "connection", "the request to %s failed (%s)" % (where, exc.__class__.__name__)


def closed_unanswered(exc):
    """Whether ``exc`` is a connection closed (or reset) before any answer came: not a timeout, not a
    refused connection, not a TLS or name failure (the cases :func:`transport_message` tells apart first)."""
    chain = _chain(exc)
    u3 = urllib3_exceptions
    before = (requests.exceptions.SSLError, u3.SSLError, ssl.SSLError, getattr(u3, "NameResolutionError", ()), socket.gaierror,
              ConnectionRefusedError, u3.ReadTimeoutError, requests.exceptions.ReadTimeout, u3.ConnectTimeoutError,
              requests.exceptions.ConnectTimeout)
    if _first(chain, before) is not None:
        return False
    return _first(chain, (u3.ProtocolError, ConnectionResetError, ConnectionAbortedError)) is not None


def listed(body, keys):
    """The list an answer holds: ``body`` itself when it is a list, else its first entry under ``keys``
    that is a list; None for any other shape, or when an item is not a JSON object."""
    found = body if isinstance(body, list) else None
    if isinstance(body, dict):
        found = next((body[key] for key in keys if isinstance(body.get(key), list)), None)
    if found is None or not all(isinstance(item, dict) for item in found):
        return None
    return found


class Response:
    """What a call returned: status, decoded JSON (or None), headers; ``request`` says which
    request (method, path) got it and ``source`` which server and option (``"host:port (url)"``)."""

    def __init__(self, status, data, headers, request=None, source=None):
        self.status = status
        self.data = data
        self.headers = headers
        self.request = request
        self.source = source

    def list_of(self, keys, what):
        """The list of ``what`` (e.g. "nodes") the answer holds (see :func:`listed`).

        Any other shape is a :class:`ClientError`, never an empty list: "nothing exists" read from
        a proxy's page or a changed API would make a module create again or report everything gone.
        """
        found = listed(self.data, keys)
        if found is None:
            raise ClientError("%s on %s answered HTTP %s with something that is not a list of %s (a JSON array of objects, or an "
                              "object holding one under %s): is that the API's address?"
                              % (self.request or "the request", self.source or "the server", self.status, what, " or ".join(keys)))
        return found

    def __repr__(self):
        return "Response(status=%r)" % self.status


def request_budget(timeout, retries):
    """``(seconds, name)``: what one request may take with its retries (``timeout`` x tries)."""
    tries = max(0, retries) + 1
    budget = float(timeout) * tries
    return budget, "the %s s a request may take with its retries (request_timeout x %d tries)" % (_seconds(budget), tries)


# The request in flight in this thread (or asyncio task): urllib3 gives a Retry no handle on the
# request it retries, and keeping it on the client would mix up the requests of threads sharing it.
_IN_FLIGHT = contextvars.ContextVar("redisops_request_in_flight", default=None)


class _Call:
    """One request of an :class:`HttpClient` while it is sent: what its retries are bounded by and
    announced with, and what they learnt (why they stopped, a body read to judge an answer)."""

    def __init__(self, client, method, path, url, started, request_timeout):
        self.client = client
        self.method = method
        self.path = path
        self.url = url
        self.started = started
        self.request_timeout = request_timeout
        self.try_started = started  # when the try whose answer is read was sent
        self.headers_expired = False  # the answer's headers did not arrive within request_timeout
        self.stopped = None  # why retries stopped early: {"deadline_exceeded", "note"}
        self.peeked = None  # (urllib3 response, body) that permanent_answer() read

    def has_deadline(self):
        return self.client.deadline is not None

    def expire(self, sock):
        """The try's request_timeout passed before its answer's headers arrived: the socket is shut, so
        the read waiting for them returns now (a server sending a byte now and then never times out a
        read of the socket)."""
        self.headers_expired = True
        try:
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's: a TLS socket's would drop its TLS state
        except (OSError, TypeError):
            pass  # already closed

    def remaining(self):
        """(seconds left before the deadline, the deadline's name)."""
        client = self.client
        deadline = client.deadline() if callable(client.deadline) else client.deadline
        if deadline is not None:
            return deadline - time.monotonic(), client.deadline_option
        budget, name = client.request_budget()
        return self.started + budget - time.monotonic(), name

    def permanent_answer(self, response):
        """Whether a 'not now' answer is in fact a state that retrying cannot change
        (the client's ``permanent(status, body)`` says so); its body is kept for the error."""
        permanent = self.client.permanent
        if permanent is None or response.status not in RETRY_STATUSES:
            return False
        content = response.data or b""
        self.peeked = (response, content)  # read here, so requests finds the body empty if this answer is the last
        if not permanent(response.status, _json_or_none(content)):
            return False
        self.stopped = dict(deadline_exceeded=False, note=None)
        return True

    def may_retry(self, wait, asked):
        left, name = self.remaining()
        if wait <= left:
            return True
        if asked is not None:
            self.stopped = dict(deadline_exceeded=True, note=(
                "the server asked to be called again in %s s (Retry-After), later than the %s s left of %s"
                % (_seconds(asked), _seconds(max(0.0, left)), name)))
        else:
            self.stopped = dict(deadline_exceeded=False, note=(
                "not retried: the next try would start after the deadline (%s)" % name))
        return False

    def announce(self, number, wait, asked, response, error, until_deadline=False):
        client = self.client
        if not client.on_retry:
            return
        if response is not None:
            what = "%s %s on %s answered HTTP %s" % (self.method, self.path, client.where(self.url), response.status)
        else:
            _kind, reason = transport_message(error, client.where(self.url), client.timeout)
            what = "%s %s failed: %s" % (self.method, self.path, reason)
        why = " as the server asked (Retry-After)" if asked is not None else ""
        if until_deadline:
            message = "%s; nothing was sent, retry %d in %s s (retried until %s)" % (what, number, _seconds(wait), client.deadline_option)
        else:
            message = "%s; retry %d of %d in %s s%s" % (what, number, client.retries, _seconds(wait), why)
        client.on_retry(redact(message, client.secrets))


def _json_or_none(content):
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:  # UnicodeDecodeError included
        return None


class _AnswerByDeadline:
    """A connection whose answer's headers must arrive within the try's request_timeout (the body's
    reading has the same deadline, see HttpClient._read_body): a timer shuts the socket at the
    deadline. urllib3's own timeout bounds each read of the socket only."""

    def getresponse(self, *args, **kwargs):
        call = _IN_FLIGHT.get()
        if call is None or self.sock is None:
            return super(_AnswerByDeadline, self).getresponse(*args, **kwargs)
        timer = threading.Timer(max(call.try_started + call.request_timeout - time.monotonic(), 0), call.expire, args=(self.sock,))
        timer.daemon = True
        timer.start()
        try:
            return super(_AnswerByDeadline, self).getresponse(*args, **kwargs)
        finally:
            timer.cancel()


class _HTTPConnectionByDeadline(_AnswerByDeadline, HTTPConnection):
    pass


class _HTTPSConnectionByDeadline(_AnswerByDeadline, HTTPSConnection):
    pass


class _HTTPPoolByDeadline(HTTPConnectionPool):
    ConnectionCls = _HTTPConnectionByDeadline


class _HTTPSPoolByDeadline(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnectionByDeadline


class _DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections answer within the try's request_timeout, proxied or not."""

    _POOLS = {"http": _HTTPPoolByDeadline, "https": _HTTPSPoolByDeadline}

    def init_poolmanager(self, *args, **kwargs):
        super(_DeadlineAdapter, self).init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(self._POOLS)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super(_DeadlineAdapter, self).proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = dict(self._POOLS)
        return manager


class HttpClient:
    """A session bound to one API base URL.

    ``option_name`` is the module option the base URL comes from (``url``,
    ``api_url``, ``identity_url``): errors name it with the host.
    ``secrets`` lists the values (passwords, tokens, keys) that are scrubbed
    from any error text the client produces; a Basic ``auth`` pair is added.
    ``deadline`` (monotonic seconds, or a callable returning them) bounds every
    retry wait; ``deadline_option`` names what set it. Without a deadline (None) a
    request's retries stop ``timeout`` x (``retries`` + 1) seconds after it started;
    with :data:`FROM_NOW`, that long after the client was built. ``on_retry(message)``
    is called once per retry with one sentence (a module passes ``module.warn``).
    ``request_log`` (a list) gets ``(method, path, status, seconds)`` for every call
    (tests and the benchmark count requests with it). With ``fail_fast`` (a task that does not
    wait) a server that cannot be reached (connection refused, name not resolved, no route, no
    connection within ``timeout``) fails the request at once, without a retry or its warning; a
    task that waits retries a refused connection until its deadline (a node that restarts).

    The client owns its sessions (:meth:`close`) and keeps nothing of a request on
    itself: threads may share it.
    """

    def __init__(self, base_url, validate_certs=True, ca_path=None, client_cert=None, client_key=None,
                 timeout=30, retries=4, backoff_factor=0.5, backoff_max=30.0, headers=None, auth=None,
                 secrets=None, on_retry=None, option_name="url", deadline=None, deadline_option="wait_timeout",
                 permanent=None, request_log=None, fail_fast=False):
        if requests is None:
            raise RuntimeError("requests is required")
        self.base_url = base_url.rstrip("/")
        self.option_name = option_name
        self.timeout = timeout
        self.retries = retries
        self.auth = auth
        self.secrets = []
        for secret in secrets or []:
            self.add_secret(secret)
        self._add_auth_secrets(auth)
        self.on_retry = on_retry
        self.permanent = permanent
        self.fail_fast = fail_fast
        if deadline is FROM_NOW:
            budget, deadline_option = self.request_budget()
            deadline = time.monotonic() + budget
        self.deadline = deadline
        self.deadline_option = deadline_option
        self.request_log = request_log
        # Checked before the first request, not here: a module builds its clients before the code
        # that turns errors into clean failures runs, and a ClientError must end as one sentence.
        self._tls_files = [("ca_path", ca_path, True)] if validate_certs else []
        self._tls_files += [("client_cert", client_cert, False), ("client_key", client_key, False)]
        self._tls_checked = False
        # Passed on every request: with trust_env, REQUESTS_CA_BUNDLE would otherwise win over Session.verify.
        self.verify = (ca_path or True) if validate_certs else False
        self.cert = None
        if client_cert:
            self.cert = (client_cert, client_key) if client_key else client_cert
        # For repeatable calls: idempotent methods, and POSTs marked idempotent (only those are sent here).
        self.session = self._session(
            make_retry(retries, backoff_factor, backoff_max, methods=IDEMPOTENT_METHODS | frozenset(["POST"])), headers)
        # For POSTs and calls marked non-idempotent (retry=False): retried only when nothing was processed.
        self.single_shot_session = self._session(make_retry(retries, backoff_factor, backoff_max, methods=SAFE_METHODS), headers)

    @staticmethod
    def _session(retry, headers):
        session = requests.Session()
        adapter = _DeadlineAdapter(max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        if headers:
            session.headers.update(headers)
        return session

    def close(self):
        """Close the connections the client keeps open; a later request opens new ones (after a
        server replaced its certificate, the next request verifies the new one)."""
        for session in (self.session, self.single_shot_session):
            session.close()

    def trust(self, ca_file):
        """Verify the server against ``ca_file`` from the next request on (a server that replaced its
        certificate is trusted through the chain that came with the new one)."""
        self.verify = ca_file

    def add_secret(self, value):
        if value and value not in self.secrets:
            self.secrets.append(value)

    def _add_auth_secrets(self, auth):
        if isinstance(auth, (tuple, list)) and len(auth) == 2 and auth[1]:
            self.add_secret(auth[1])
            self.add_secret(basic_credential(auth[0], auth[1]))

    def url(self, path):
        if path.startswith("http://") or path.startswith("https://"):
            return path
        return "%s/%s" % (self.base_url, path.lstrip("/"))

    def where(self, url=None):
        """``"host:port (option)"`` for messages: which server, set by which option."""
        parts = urlsplit(url or self.base_url)
        host = parts.hostname or url or self.base_url
        if ":" in host:
            host = "[%s]" % host
        if parts.port:
            host = "%s:%s" % (host, parts.port)
        return "%s (%s)" % (host, self.option_name)

    def request_budget(self):
        """``(seconds, name)``: what a request may take with its retries (``request_timeout`` x tries)."""
        return request_budget(self.timeout, self.retries)

    def _check_tls_files(self):
        # Every time until they pass, so a bad file fails each request with the same sentence.
        if not self._tls_checked:
            for option, path_value, directory_ok in self._tls_files:
                _check_file(option, path_value, directory_ok=directory_ok)
            self._tls_checked = True

    # --- requests --------------------------------------------------------------------------
    def request(self, method, path, json_body=None, params=None, ok=None, timeout=None, headers=None, auth=None,
                retry=True, idempotent=False):
        """Send one request and return a :class:`Response`.

        ``ok`` lists the HTTP statuses returned rather than raised (default:
        any 2xx). Anything else raises :class:`ApiError`. ``retry=False`` marks
        a call that must not be repeated once it may have reached the server
        (a PATCH that adds a replica): like a POST, it is retried only after a
        connection error or a 429. ``idempotent=True`` marks a POST without side
        effects (an IAM token request, a bootstrap validation): it is retried like a GET.
        """
        method = method.upper()
        self._check_tls_files()
        auth = auth if auth is not None else self.auth
        self._add_auth_secrets(auth)
        url = self.url(path)
        request_timeout = timeout or self.timeout
        kwargs = dict(params=params, timeout=request_timeout, verify=self.verify, cert=self.cert,
                      headers=headers, auth=auth, allow_redirects=False)
        if json_body is not None:
            kwargs["data"] = json.dumps(json_body)
            kwargs["headers"] = dict(headers or {}, **{"Content-Type": "application/json"})
        started = time.monotonic()
        call = _Call(self, method, path, url, started, request_timeout)
        repeatable = idempotent or (retry and method != "POST")
        in_flight = _IN_FLIGHT.set(call)
        try:
            session = self.session if repeatable else self.single_shot_session
            # stream: the body is read here, within request_timeout of the try and at most MAX_RESPONSE_BYTES.
            resp = session.request(method, url, stream=True, **kwargs)
        except requests.exceptions.RequestException as exc:
            self._log(method, path, None, started)
            kind, message = transport_message(exc, self.where(url), request_timeout)
            if call.headers_expired:
                # The same words as the socket's own timeout, which races with the timer for a silent server.
                kind, message = "timeout", "no answer within %s s (request_timeout) from %s" % (_seconds(request_timeout), self.where(url))
            if call.stopped and call.stopped.get("note"):
                message = "%s; %s" % (message, call.stopped["note"])
            raise ApiError(method, path, message=redact(message, self.secrets), transport=kind,
                           closed=closed_unanswered(exc) and not call.headers_expired)
        except (OSError, ValueError) as exc:  # a local file requests could not use (a CA bundle...)
            self._log(method, path, None, started)
            raise ClientError("%s %s could not be sent: %s" % (method, path, redact(str(exc), self.secrets)))
        finally:
            _IN_FLIGHT.reset(in_flight)
        try:
            content = self._read_body(method, path, url, resp, call.try_started + request_timeout, request_timeout)
        except (ApiError, ClientError):
            self._log(method, path, None, started)
            raise
        finally:
            resp.close()
        self._log(method, path, resp.status_code, started)
        stopped = call.stopped or {}
        if not content and call.peeked and call.peeked[0] is resp.raw:
            content = call.peeked[1]  # read by permanent_answer() before requests could
        data = _json_or_none(content)
        if (ok is None and 200 <= resp.status_code < 300) or (ok is not None and resp.status_code in ok):
            if data is None and content.strip() not in (b"", b"null") and 200 <= resp.status_code < 300:
                # An HTML page from a proxy or a portal is not an answer of the API: never read it as "nothing".
                raise ClientError("%s %s on %s answered HTTP %s with a body that is not JSON (%s: %s): is %s the API's address, "
                                  "or did a proxy answer?" % (method, path, self.where(url), resp.status_code,
                                                              resp.headers.get("Content-Type") or "no Content-Type",
                                                              _excerpt(printable(redact(response_text(resp, content), self.secrets))),
                                                              self.option_name))
            return Response(resp.status_code, data, resp.headers, request="%s %s" % (method, path), source=self.where(url))
        code, message = parse_error_body(data, None if data is not None else response_text(resp, content), self.secrets)
        if stopped.get("note"):
            message = "%s; %s" % (message, stopped["note"]) if message else stopped["note"]
        raise ApiError(method, path, status=resp.status_code, code=code, message=message,
                       retry_after=resp.headers.get("Retry-After"), deadline_exceeded=stopped.get("deadline_exceeded", False),
                       permanent=bool(self.permanent and self.permanent(resp.status_code, data)))

    def _read_body(self, method, path, url, resp, deadline, request_timeout):
        """The body of ``resp``, read by the ``deadline`` (a server that sends a byte now and then
        must not hold a task for ever) and at most :data:`MAX_RESPONSE_BYTES` long."""
        declared = to_int(resp.headers.get("Content-Length"))
        if declared is not None and declared > MAX_RESPONSE_BYTES:
            raise self._too_large(method, path, url, " (it announced %d bytes)" % declared)
        raw = resp.raw
        # urllib3 2's read1 returns after one read of the socket, so the deadline is checked that often.
        read = getattr(raw, "read1", None) or raw.read
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        chunks, size = [], 0
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise urllib3_exceptions.ReadTimeoutError(None, url, "the answer's body was still arriving")
                if sock is not None:
                    sock.settimeout(min(left, request_timeout))
                chunk = read(_READ_CHUNK, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise self._too_large(method, path, url, "")
                chunks.append(chunk)
        except (urllib3_exceptions.HTTPError, requests.exceptions.RequestException, OSError) as exc:
            transport, message = transport_message(exc, self.where(url), request_timeout)
            if transport == "timeout":
                message = "no complete answer within %s s (request_timeout) from %s: the body was still arriving" % (
                    _seconds(request_timeout), self.where(url))
            raise ApiError(method, path, message=redact(message, self.secrets), transport=transport)
        return b"".join(chunks)

    def _too_large(self, method, path, url, announced):
        return ClientError("%s %s: the answer of %s is larger than %d MiB%s, the most this collection reads: is %s the API's address?"
                           % (method, path, self.where(url), MAX_RESPONSE_BYTES // (1024 * 1024), announced, self.option_name))

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json_body=None, **kwargs):
        return self.request("POST", path, json_body=json_body, **kwargs)

    def put(self, path, json_body=None, **kwargs):
        return self.request("PUT", path, json_body=json_body, **kwargs)

    def patch(self, path, json_body=None, **kwargs):
        return self.request("PATCH", path, json_body=json_body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def _log(self, method, path, status, started):
        if self.request_log is not None:
            self.request_log.append((method, path, status, round(time.monotonic() - started, 4)))


def _check_file(option, path, directory_ok=False):
    """Fail before any request, naming the option, when a file the TLS options name cannot be used."""
    if not path:
        return
    if not os.path.exists(path):
        raise ClientError("%s %s does not exist" % (option, path))
    if os.path.isdir(path) and not directory_ok:
        raise ClientError("%s %s is a directory, not a PEM file" % (option, path))
    if not os.access(path, os.R_OK):
        raise ClientError("%s %s cannot be read by this user" % (option, path))
