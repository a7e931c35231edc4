# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The poller behind every ``wait``: a monotonic deadline, polls that start fast
and back off to a cap, fewer polls while reported progress says the end is far,
transient errors tolerated until the deadline."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError

#: What ``Waiter.until``'s classify returns to end a wait (anything else: keep polling).
DONE = "done"
FAILED = "failed"

#: What a finished wait still takes to reach the playbook (the task's last read, the module's
#: exit, Ansible's result handling): the gap between polls leaves room for it, so the task
#: returns within 1 s (or 10% of the wait) of the operation's end, not merely polls.
NOTICE_MARGIN = 0.4
#: The shortest gap between two polls once the first fast ones are sent.
MIN_GAP = 0.5


class WaitError(Exception):
    """A wait that ended without success: the outcome's state failed, or time ran out.

    ``last`` is the last value polled (None if no poll succeeded), ``last_error`` the last
    transient error tolerated (a resource may name what could not be read), ``duration`` the
    seconds waited; the message names the last transient error too, if any.
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
    the larger of 1 s and 10% of the time already waited, less :data:`NOTICE_MARGIN`
    (at least :data:`MIN_GAP`), nor ``max_delay``: a finished operation is noticed, and
    its task returns, within 1 s or 10% of the wait.

    Where the API reports progress, ``until(progress=...)`` estimates the time left from
    the rate seen between two progress readings and sleeps up to half of it: the
    operation would have to run twice as fast as so far to end before the next poll,
    so waiting less often does not notice the end later.
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

    def next_delay(self, poll_index, elapsed, time_left=None):
        """Seconds to sleep before the next poll; ``time_left`` is the estimated time until
        the operation ends (from its progress), None when unknown."""
        cap = max(MIN_GAP, max(1.0, elapsed / 10.0) - NOTICE_MARGIN)
        delay = min(self.initial_delay * (2 ** poll_index), cap)
        if time_left is not None:
            delay = max(delay, time_left / 2.0)
        return min(delay, self.max_delay)

    def timed_out(self, what, seen, last_error, last, duration):
        """The WaitError of a wait for ``what`` that reached the deadline; ``seen`` says what was last
        seen, ``last_error`` is the last transient error tolerated (None: the last poll answered)."""
        if last_error is not None:
            seen += "; last error: %s" % last_error
        return WaitError("timed out after %ss (wait_timeout) waiting for %s (%s)" % (int(self.timeout), what, seen),
                         last=last, last_error=last_error, duration=duration, timed_out=True)

    def until(self, fetch, classify, describe=repr, what="the operation", progress=None):
        """Call ``fetch()`` until ``classify(value)`` returns DONE or FAILED.

        ``describe(value)`` renders a value for messages (e.g. "status Creating").
        ``progress(value)``, when given, is the share done (0 to 1) or None when the value
        tells none; it lets long operations be polled less (see the class).
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
        rate = ProgressRate(self.clock)
        while True:
            try:
                value = fetch()
                seen, last, last_error = True, value, None
                outcome = classify(value)
                polls += 1
                if progress is not None:
                    rate.observe(progress(value))
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
                raise self.timed_out(what, "last seen: %s" % describe(last) if seen else "no successful read", last_error,
                                     last=last, duration=round(elapsed, 3))
            self.sleep(max(0.0, min(self.next_delay(polls - 1, elapsed, rate.time_left()), deadline - now)))


class ProgressRate:
    """The time an operation has left, from the progress readings of one wait.

    The rate is measured from the first reading above zero (a queued or starting
    operation reports 0 for a while, which says nothing about its speed) to the
    latest one that moved; until progress has moved twice there is no estimate.
    A share that moved back is ignored.
    """

    def __init__(self, clock):
        self.clock = clock
        self.first = None
        self.latest = None

    def observe(self, share):
        if share is None or share <= 0:
            return
        reading = (self.clock(), min(float(share), 1.0))
        if self.first is None:
            self.first = self.latest = reading
        elif reading[1] > self.latest[1]:
            self.latest = reading

    def time_left(self):
        if self.first is None or self.latest[1] <= self.first[1]:
            return None
        per_second = (self.latest[1] - self.first[1]) / (self.latest[0] - self.first[0])
        # Time left counted from the latest reading's move, less what has passed since.
        return max(0.0, (1.0 - self.latest[1]) / per_second - (self.clock() - self.latest[0]))
