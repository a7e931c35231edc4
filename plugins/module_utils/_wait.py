# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The poller behind every ``wait``: a monotonic deadline, polls that start fast
and back off to a cap, transient errors tolerated until the deadline."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError

DONE = "done"
FAILED = "failed"
PENDING = "pending"


class WaitError(Exception):
    """A wait that ended without success: the outcome's state failed, or time ran out.

    ``last`` is the last value polled (None if no poll succeeded), ``last_error``
    the last transient error tolerated, ``duration`` the seconds waited.
    """

    def __init__(self, message, last=None, last_error=None, duration=0.0, timed_out=False):
        super(WaitError, self).__init__(message)
        self.message = message
        self.last = last
        self.last_error = last_error
        self.duration = duration
        self.timed_out = timed_out


class WaitResult:
    def __init__(self, value, duration, polls):
        self.value = value
        self.duration = duration
        self.polls = polls


class Waiter:
    """Poll until a predicate says done or failed, or a deadline passes.

    The deadline is set when the Waiter is made, ``timeout`` seconds later:
    one Waiter serves every wait of a task, so together they stay within
    ``wait_timeout``. The delay between polls doubles from ``initial_delay`` and never exceeds
    the larger of 1 s and 10% of the time already waited, nor ``max_delay``:
    a finished operation is noticed within 1 s, or 10% of the wait.
    ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(self, timeout, check_mode=False, initial_delay=0.1, max_delay=30.0, clock=time.monotonic, sleep=time.sleep):
        self.timeout = float(timeout)
        self.check_mode = check_mode
        self.initial_delay = initial_delay
        self.max_delay = max_delay
        self.clock = clock
        self.sleep = sleep
        self.deadline = clock() + self.timeout

    def next_delay(self, poll_index, elapsed):
        return min(self.initial_delay * (2 ** poll_index), max(1.0, elapsed / 10.0), self.max_delay)

    def until(self, fetch, classify, describe=repr, what="the operation"):
        """Call ``fetch()`` until ``classify(value)`` returns DONE or FAILED.

        ``describe(value)`` renders a value for messages (e.g. "status Creating").
        Transient :class:`ApiError` (no answer, 429, 5xx) are tolerated until the
        deadline; other errors propagate. In check mode nothing is polled.
        """
        if self.check_mode:
            return WaitResult(None, 0.0, 0)
        start = self.clock()
        deadline = self.deadline
        last = None
        seen = False
        last_error = None
        polls = 0
        while True:
            try:
                value = fetch()
                seen, last, last_error = True, value, None
                outcome = classify(value)
                polls += 1
                if outcome == DONE:
                    return WaitResult(value, round(self.clock() - start, 3), polls)
                if outcome == FAILED:
                    duration = round(self.clock() - start, 3)
                    raise WaitError("%s failed: %s" % (what, describe(value)), last=value, duration=duration)
            except ApiError as exc:
                if not exc.is_transient:
                    raise
                polls += 1
                last_error = exc
            now = self.clock()
            elapsed = now - start
            if now >= deadline:
                duration = round(elapsed, 3)
                if seen:
                    seen_text = "last seen: %s" % describe(last)
                else:
                    seen_text = "no successful read"
                if last_error is not None:
                    seen_text += "; last error: %s" % last_error
                raise WaitError("timed out after %ss (wait_timeout) waiting for %s (%s)" % (int(self.timeout), what, seen_text),
                                last=last, last_error=last_error, duration=duration, timed_out=True)
            self.sleep(max(0.0, min(self.next_delay(polls - 1, elapsed), deadline - now)))
