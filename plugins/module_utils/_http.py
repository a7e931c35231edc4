# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP client every module of this collection uses.

A ``requests.Session`` with bounded ``urllib3`` retries (429 honouring
Retry-After, 502/503/504 and connection errors, jittered exponential backoff),
a per-request timeout, TLS options passed on every request, and one error type
(:class:`ApiError`) that never carries request bodies or credentials.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import time
import traceback

REQUESTS_IMPORT_ERROR = None
try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry
except ImportError:  # pragma: no cover - reported through missing_required_lib
    requests = None
    HTTPAdapter = object
    Retry = object
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

COLLECTION_VERSION = "1.0.0"
USER_AGENT = "redisops.platform/%s" % COLLECTION_VERSION

# Statuses the server uses to say "not now": safe to repeat for idempotent methods.
RETRY_STATUSES = (429, 502, 503, 504)
IDEMPOTENT_METHODS = frozenset(["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"])
SAFE_METHODS = frozenset(["GET", "HEAD", "OPTIONS"])
REDACTED = "********"
_MAX_MESSAGE = 300


class ApiError(Exception):
    """A failed API call: method, path, HTTP status, API error code and message.

    ``status`` is None when no HTTP answer arrived (connection refused, TLS
    failure, timeout); ``transport`` then says which kind of failure it was.
    """

    def __init__(self, method, path, status=None, code=None, message=None, transport=None, retry_after=None):
        self.method = method
        self.path = path
        self.status = status
        self.code = code
        self.message = message or ""
        self.transport = transport
        self.retry_after = retry_after
        super(ApiError, self).__init__(self.__str__())

    @property
    def is_transient(self):
        """True for failures a waiter may poll through (no answer, or 'not now' statuses)."""
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


class _Retry(Retry):
    """urllib3 Retry that also repeats any request answered 429.

    A 429 means the server refused the request before doing anything, so even a
    create can be sent again. Any other failure of a non-idempotent request is
    never retried blindly: the module re-reads state before deciding.
    """

    def is_retry(self, method, status_code, has_retry_after=False):
        if status_code == 429:
            return self.total is not False and bool(self.total)
        return super(_Retry, self).is_retry(method, status_code, has_retry_after)


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
        retry = _Retry(allowed_methods=methods, backoff_jitter=jitter, backoff_max=backoff_max, **kwargs)
    except TypeError:  # urllib3 < 2: no jitter/backoff_max arguments
        try:
            retry = _Retry(allowed_methods=methods, **kwargs)
        except TypeError:  # urllib3 < 1.26
            retry = _Retry(method_whitelist=methods, **kwargs)
        retry.BACKOFF_MAX = backoff_max
    return retry


def redact(text, secrets):
    """Replace every secret (and its obvious encodings) found in ``text``."""
    if not text:
        return text
    text = str(text)
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, REDACTED)
    # An Authorization header value must never survive, whatever it holds.
    return re.sub(r"(?i)(authorization|x-auth-token|x-subject-token)(['\"]?\s*[:=]\s*['\"]?)(?:(?:basic|bearer)\s+)?[^'\",}\s]+", r"\1\2" + REDACTED, text)


def parse_error_body(body, text=None):
    """Return (code, message) from any error body shape the APIs are known to use."""
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
    if message and len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "..."
    if code is not None:
        code = str(code)
    return code, message


def to_int(value, default=None):
    """A number that an API sent as a string ("10", "10.0") or a number (10)."""
    if value is None or value == "":
        return default
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _transport_message(exc):
    """A short human reason for a requests exception, without URLs' noise."""
    if isinstance(exc, requests.exceptions.SSLError):
        reason = str(exc)
        found = re.search(r"(certificate verify failed[^'\")]*|hostname .* doesn't match[^'\")]*|CERTIFICATE_VERIFY_FAILED[^'\")]*)", reason)
        detail = found.group(1).strip() if found else "TLS handshake failed"
        return "tls", "TLS error: %s (check ca_path, or validate_certs)" % detail
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "timeout", "connection timed out"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "timeout", "no answer within the request timeout"
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = str(exc)
        if "Connection refused" in reason:
            return "connection", "connection refused (is the API reachable at this address?)"
        if "Name or service not known" in reason or "nodename nor servname" in reason or "Failed to resolve" in reason:
            return "connection", "host name could not be resolved"
        if "RemoteDisconnected" in reason or "Connection aborted" in reason or "closed connection" in reason:
            return "connection", "the server closed the connection without answering"
        return "connection", "connection failed"
    return "request", exc.__class__.__name__


class Response:
    """What a call returned: status, decoded JSON (or None), headers."""

    def __init__(self, status, data, headers):
        self.status = status
        self.data = data
        self.headers = headers

    def __repr__(self):
        return "Response(status=%r)" % self.status


class HttpClient:
    """A session bound to one API base URL.

    ``secrets`` lists the values (passwords, tokens, keys) that are scrubbed
    from any error text the client produces.
    """

    def __init__(self, base_url, validate_certs=True, ca_path=None, client_cert=None, client_key=None,
                 timeout=30, retries=4, backoff_factor=0.5, backoff_max=30.0, headers=None, auth=None,
                 secrets=None, on_retry=None):
        if requests is None:
            raise RuntimeError("requests is required")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.auth = auth
        self.secrets = [s for s in (secrets or []) if s]
        self.on_retry = on_retry
        self.request_log = None  # a list to append (method, path, status, seconds) to, for tests and bench
        # Passed on every request: with trust_env, REQUESTS_CA_BUNDLE would otherwise win over Session.verify.
        self.verify = (ca_path or True) if validate_certs else False
        self.cert = None
        if client_cert:
            self.cert = (client_cert, client_key) if client_key else client_cert
        self.session = self._session(make_retry(retries, backoff_factor, backoff_max), headers)
        # For calls the caller marks non-idempotent (retry=False): POST's policy for any method.
        self.single_shot_session = self._session(make_retry(retries, backoff_factor, backoff_max, methods=SAFE_METHODS), headers)

    @staticmethod
    def _session(retry, headers):
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        if headers:
            session.headers.update(headers)
        return session

    def add_secret(self, value):
        if value and value not in self.secrets:
            self.secrets.append(value)

    def url(self, path):
        if path.startswith("http://") or path.startswith("https://"):
            return path
        return "%s/%s" % (self.base_url, path.lstrip("/"))

    def request(self, method, path, json_body=None, params=None, ok=None, timeout=None, headers=None, auth=None, retry=True):
        """Send one request and return a :class:`Response`.

        ``ok`` lists the HTTP statuses returned rather than raised (default:
        any 2xx). Anything else raises :class:`ApiError`. ``retry=False`` marks
        a call that must not be repeated once it may have reached the server
        (a PATCH that adds a replica): like a POST, it is retried only after a
        connection error or a 429.
        """
        method = method.upper()
        kwargs = dict(params=params, timeout=timeout or self.timeout, verify=self.verify, cert=self.cert,
                      headers=headers, auth=auth if auth is not None else self.auth, allow_redirects=False)
        if json_body is not None:
            kwargs["data"] = json.dumps(json_body)
            kwargs["headers"] = dict(headers or {}, **{"Content-Type": "application/json"})
        started = time.monotonic()
        try:
            session = self.session if retry and method != "POST" else self.single_shot_session
            resp = session.request(method, self.url(path), **kwargs)
        except requests.exceptions.RequestException as exc:
            self._log(method, path, None, started)
            kind, message = _transport_message(exc)
            raise ApiError(method, path, message=redact(message, self.secrets), transport=kind)
        self._log(method, path, resp.status_code, started)
        data = None
        if resp.content:
            try:
                data = resp.json()
            except ValueError:
                data = None
        if (ok is None and 200 <= resp.status_code < 300) or (ok is not None and resp.status_code in ok):
            return Response(resp.status_code, data, resp.headers)
        code, message = parse_error_body(data, None if data is not None else resp.text)
        retry_after = resp.headers.get("Retry-After")
        raise ApiError(method, path, status=resp.status_code, code=redact(code, self.secrets),
                       message=redact(message, self.secrets), retry_after=retry_after)

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
