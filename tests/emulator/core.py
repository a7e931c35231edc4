"""Shared emulator machinery: the clock and its scheduler, fault injection,
the request log, and the WSGI middleware that applies them (and chaos mode's
faults, see chaos.py) to every server."""

import fnmatch
import heapq
import io
import itertools
import json
import socket
import threading
import time

from werkzeug.wrappers import Request


class Clock:
    """Emulated seconds: real time multiplied by ``speed``, plus manual advances."""

    def __init__(self, speed=100.0):
        self._lock = threading.Lock()
        self._speed = float(speed)
        self._real_start = time.monotonic()
        self._base = 0.0

    @property
    def speed(self):
        return self._speed

    def now(self):
        with self._lock:
            return self._base + (time.monotonic() - self._real_start) * self._speed

    def set_speed(self, speed):
        with self._lock:
            now = self._base + (time.monotonic() - self._real_start) * self._speed
            self._base, self._real_start, self._speed = now, time.monotonic(), float(speed)

    def advance(self, seconds):
        with self._lock:
            self._base += float(seconds)


class Scheduler:
    """Callbacks due at an emulated time; run when any request arrives.

    Resources move through their statuses this way: a handler sets
    ``status = "Creating"`` and schedules the change to ``Running``.
    """

    def __init__(self, clock):
        self.clock = clock
        self._heap = []
        self._seq = itertools.count()

    def schedule(self, delay, callback):
        """Run ``callback()`` ``delay`` emulated seconds from now; returns a handle to cancel."""
        handle = {"cancelled": False}
        heapq.heappush(self._heap, (self.clock.now() + float(delay), next(self._seq), callback, handle))
        return handle

    @staticmethod
    def cancel(handle):
        if handle:
            handle["cancelled"] = True

    def run_due(self):
        now = self.clock.now()
        while self._heap and self._heap[0][0] <= now:
            _at, _seq, callback, handle = heapq.heappop(self._heap)
            if not handle["cancelled"]:
                callback()


class HttpFault:
    """One injected HTTP fault, matched on server, method and path (a glob)."""

    FIELDS = ("server", "method", "path", "status", "times", "skip", "retry_after", "delay", "drop", "code", "message",
              "body", "content_type", "dribble", "size")

    def __init__(self, server="*", method="*", path="*", status=None, times=1, skip=0, retry_after=None,
                 delay=None, drop=None, code=None, message=None, body=None, content_type=None, dribble=None, size=None):
        if drop not in (None, "before", "after"):
            raise ValueError("drop must be 'before' or 'after'")
        if status is None and delay is None and drop is None and dribble is None:
            raise ValueError("a fault needs status, delay or drop")
        self.server, self.method, self.path = server, method.upper(), path
        self.status, self.times, self.skip = status, int(times), int(skip)
        self.retry_after, self.delay, self.drop = retry_after, delay, drop
        self.code, self.message = code, message
        self.body, self.content_type = body, content_type
        self.dribble, self.size = dribble, size

    def matches(self, server, method, path):
        server_ok = fnmatch.fnmatchcase(server, self.server) or (self.server == "re" and server.startswith("node"))
        return server_ok and self.method in ("*", method) and fnmatch.fnmatchcase(path, self.path)

    def as_dict(self):
        return {key: getattr(self, key) for key in self.FIELDS}


class Faults:
    """HTTP faults and operation outcomes (``failed``/``stuck``) waiting to fire."""

    def __init__(self):
        self.http = []
        self.operations = []

    def add_http(self, **spec):
        fault = HttpFault(**spec)
        self.http.append(fault)
        return fault

    def take_http(self, server, method, path):
        for fault in self.http:
            if fault.times == 0 or not fault.matches(server, method, path):
                continue
            if fault.skip > 0:
                fault.skip -= 1
                return None
            if fault.times > 0:
                fault.times -= 1
            return fault
        return None

    def add_operation(self, operation, outcome, target="*", times=1, details=None):
        """The next ``times`` operations named ``operation`` on ``target`` end ``outcome``.

        ``operation`` and ``target`` are globs, e.g. ``create``/``my-set`` or
        ``bootstrap``/``node2``; ``details`` is free data for the feature (an error code...).
        """
        if outcome not in ("failed", "stuck", "error", "aborted"):
            raise ValueError("outcome must be failed, stuck, error or aborted")
        self.operations.append(dict(operation=operation, target=target, outcome=outcome, times=int(times), details=details or {}))

    def take_operation(self, operation, target):
        """The injected outcome for this operation (a dict) or None for a normal run."""
        for fault in self.operations:
            if fault["times"] != 0 and fnmatch.fnmatchcase(operation, fault["operation"]) and fnmatch.fnmatchcase(str(target), fault["target"]):
                if fault["times"] > 0:
                    fault["times"] -= 1
                return fault
        return None


def _redact(value):
    if isinstance(value, dict):
        return {k: ("********" if k in ("password", "secret", "license", "key") else _redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


class RequestLog:
    """Every API request the emulator saw (control API excluded), in order."""

    def __init__(self):
        self._entries = []
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, **entry):
        with self._lock:
            entry["seq"] = next(self._seq)
            self._entries.append(entry)
            return entry

    def entries(self, since=0):
        with self._lock:
            return [dict(e) for e in self._entries if e["seq"] > since]

    def last_seq(self):
        with self._lock:
            return self._entries[-1]["seq"] if self._entries else 0

    def clear(self):
        with self._lock:
            self._entries = []


def _drop_connection(environ):
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class EmulatorMiddleware:
    """Wraps one server's app: request log, faults, the scheduler and the state lock."""

    def __init__(self, app, emulator, server_name, error_body):
        self.app = app
        self.emulator = emulator
        self.server_name = server_name
        self.error_body = error_body  # (code, message) -> dict in this API's error shape

    def __call__(self, environ, start_response):
        request = Request(environ)
        path, method = request.path, request.method
        # Read the body once and put it back, so the app can read it too.
        raw = request.get_data()
        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))
        if path.startswith("/_emulator"):
            with self.emulator.lock:
                return self.app(environ, start_response)
        state = self.emulator
        body = None
        if request.mimetype == "application/json":
            try:
                body = _redact(json.loads(raw or b"null"))
            except ValueError:
                body = "<invalid json>"
        auth = request.authorization
        entry = state.log.add(
            server=self.server_name, method=method, path=path, query=request.args.to_dict(),
            user=auth.username if auth else None, token=bool(request.headers.get("X-Auth-Token")),
            content_type=request.mimetype or None, body=body, status=None, time=round(time.time(), 4),
        )
        with state.lock:
            fault = state.faults.take_http(self.server_name, method, path)
        chaos = state.chaos
        if fault is None and chaos is not None:
            kind = chaos.draw(self.server_name, method, path, entry["seq"])
            if kind is not None:
                entry["chaos"] = kind
                fault = HttpFault(**chaos.fault(kind))
        if fault and fault.delay:
            time.sleep(float(fault.delay))
        if fault and fault.drop == "before":
            entry["status"] = "dropped"
            _drop_connection(environ)
            start_response("500 INTERNAL SERVER ERROR", [("Content-Length", "0")])
            return [b""]
        if fault and fault.status:
            entry["status"] = fault.status
            if fault.size is not None:  # a body too large for any client to hold, streamed without Content-Length
                start_response("%d INJECTED" % fault.status, [("Content-Type", fault.content_type or "application/json")])
                return _dribbled(_padding(fault.size), fault.dribble)
            if fault.body is not None:  # sent as is: a proxy's page, a server that echoes what it got
                payload = fault.body.encode("utf-8")
                content_type = fault.content_type or "text/plain"
            else:
                payload = json.dumps(self.error_body(fault.code or "injected_fault",
                                                     fault.message or "fault injected by the emulator")).encode()
                content_type = fault.content_type or "application/json"
            headers = [("Content-Type", content_type), ("Content-Length", str(len(payload)))]
            if fault.retry_after is not None:
                headers.append(("Retry-After", str(fault.retry_after)))
            start_response("%d INJECTED" % fault.status, headers)
            return _dribbled([payload], fault.dribble)

        def recording_start_response(status, headers, exc_info=None):
            entry["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        with state.lock:
            state.scheduler.run_due()
            result = list(self.app(environ, recording_start_response))
        if fault and fault.drop == "after":
            entry["status"] = "dropped after %s" % entry["status"]
            _drop_connection(environ)
        return _dribbled(result, fault.dribble if fault else None)


def _padding(size):
    """``size`` bytes of a JSON array (``[`` spaces ``]``), made as they are sent."""
    if size < 2:
        yield b"[]"[:size]
        return
    yield b"["
    left = size - 2
    while left > 0:
        yield b" " * min(left, 1 << 20)
        left -= 1 << 20
    yield b"]"


def _dribbled(chunks, seconds):
    """``chunks`` as they are, or one byte every ``seconds`` real seconds (a slow or stuck server)."""
    if not seconds:
        return chunks
    return (bytes([byte]) for chunk in chunks for byte in _paced(chunk, seconds))


def _paced(chunk, seconds):
    for byte in chunk:
        time.sleep(seconds)
        yield byte
