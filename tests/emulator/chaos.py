"""Chaos mode: a seeded random fault on a share of the API requests, so a test can run a whole
workflow the way a flaky network or an overloaded API treats it and then check the end state.

Kinds of fault (``KINDS``):

  503          answered 503 with the API's error body and ``Retry-After``: not taken
  429          answered 429 with ``Retry-After``: not taken
  drop_before  the connection is closed without an answer; the request is not applied
  drop_after   the request is applied, then the connection is closed: the answer is lost
  slow         the real answer, after ``slow_seconds`` real seconds (well under any request_timeout)

Whether a request is faulted, and how, depends only on the seed and on the request's place
among the requests of the same server, method and path shape (a path whose numeric and
UUID segments are replaced by ``*``): the third ``POST /v1/nodes/*/actions/maintenance_on``
to node1 meets the same fate in every run with that seed, however many polls came between.
So a run is repeatable for a seed and the same requests, and a failure can be replayed.
Control requests (``/_emulator/...``) are never faulted.
"""

import random
import re
import threading

KINDS = ("503", "429", "drop_before", "drop_after", "slow")
DEFAULT_RATE = 0.2
DEFAULT_RETRY_AFTER = 1
DEFAULT_SLOW_SECONDS = 1.0
_VARIABLE_SEGMENT = re.compile(r"^(\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$")


def path_shape(path):
    """``/v1/instance-sets/<uuid>/instances`` -> ``/v1/instance-sets/*/instances``."""
    return "/".join("*" if _VARIABLE_SEGMENT.match(segment) else segment for segment in path.split("/"))


class Chaos:
    """One chaos run: its settings, what it did (counts by kind, every fault) and the request
    counters that make each request's draw independent of the others."""

    def __init__(self, seed, rate, kinds=KINDS, retry_after=DEFAULT_RETRY_AFTER, slow_seconds=DEFAULT_SLOW_SECONDS):
        if not 0 <= rate <= 1:
            raise ValueError("rate must be from 0 to 1")
        unknown = [kind for kind in kinds if kind not in KINDS]
        if unknown or not kinds:
            raise ValueError("kinds must be a non-empty list of %s" % ", ".join(KINDS))
        self.seed = seed
        self.rate = float(rate)
        self.kinds = tuple(kinds)
        self.retry_after = retry_after
        self.slow_seconds = float(slow_seconds)
        self._lock = threading.Lock()
        self._seen = {}
        self.requests = 0
        self.faults = []

    def draw(self, server, method, path, seq):
        """The kind of fault for this request (None: none), recorded with the request's ``seq``."""
        shape = path_shape(path)
        with self._lock:
            key = (server, method, shape)
            count = self._seen.get(key, 0)
            self._seen[key] = count + 1
            self.requests += 1
            # A string seed is hashed with SHA-512: the same in every process, whatever PYTHONHASHSEED.
            rng = random.Random("%s|%s|%s|%s|%d" % (self.seed, server, method, shape, count))
            if rng.random() >= self.rate:
                return None
            kind = self.kinds[rng.randrange(len(self.kinds))]
            self.faults.append({"seq": seq, "server": server, "method": method, "path": path, "kind": kind})
            return kind

    def fault(self, kind):
        """What the middleware does for ``kind``: the arguments of a one-shot fault (core.HttpFault)."""
        if kind in ("503", "429"):
            message = "chaos mode: the API is overloaded" if kind == "503" else "chaos mode: too many requests"
            return dict(status=int(kind), retry_after=self.retry_after, code="chaos_%s" % kind, message=message)
        if kind == "slow":
            return dict(delay=self.slow_seconds)
        return dict(drop=kind[len("drop_"):])

    def report(self):
        with self._lock:
            counts = dict((kind, 0) for kind in KINDS)
            for fault in self.faults:
                counts[fault["kind"]] += 1
            return {"enabled": True, "seed": self.seed, "rate": self.rate, "kinds": list(self.kinds),
                    "retry_after": self.retry_after, "slow_seconds": self.slow_seconds, "requests": self.requests,
                    "faulted": len(self.faults), "counts": counts, "faults": [dict(fault) for fault in self.faults]}
