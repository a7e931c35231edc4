# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One resource's way to its declared state, as the runner drives it: the plan, the step under
way, the ambiguous-write protocol, and how it ended (its view and diff, or its own failure)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from dataclasses import dataclass, field

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, ClientError
from ansible_collections.redisops.platform.plugins.module_utils._plan import (
    CLOSED_ANSWER,
    LOST_ANSWER,
    NOT_TAKEN_ANSWER,
    NOTHING_DONE,
    PlanError,
    StepOutcome,
)
from ansible_collections.redisops.platform.plugins.module_utils._wait import ProgressRate, WaitError

#: The errors that end one resource's task (in a batch, the others go on).
RESOURCE_ERRORS = (PlanError, WaitError, ApiError, ClientError)

# Phases of the step under way (Convergence.phase).
_SEND = "send"        # waiting until the resource accepts the step, then sending it
_VERIFY = "verify"    # an ambiguous answer: reading until the step shows or could be sent again
_AWAIT = "await"      # sent: waiting until the step shows and the resource is ready
_SETTLE = "settle"    # no step left (or none planned): waiting until the resource is ready
_DONE = "done"
_FAILED = "failed"


@dataclass(frozen=True, eq=False, repr=False)
class Failure:
    """Why one resource's task failed: ``msg``, or an ``api_error`` with the ``intro`` put before
    it; the state to show (``state`` when ``state_given``, else the last one read); ``result``:
    extra return keys."""

    msg: str = None
    state_given: bool = False
    state: object = None
    api_error: ApiError = None
    intro: str = None
    result: dict = field(default_factory=dict)


class Convergence:
    """One resource on its way to the declared state.

    The runner reads the resource's states (together with a batch's others) and hands each one
    over (:meth:`start`, then :meth:`observe` while :attr:`active`); the convergence plans, sends
    the resource's writes and records how it ended: :meth:`settle` gives the ``view`` and diff
    (``diff_before``, ``after``) of a resource that converged, and ``failure`` (a
    :class:`Failure`) is set, by the convergence alone, for one that did not. ``act`` False is
    check mode: plan and predict, never send.
    """

    def __init__(self, resource, waiter, wait=True, act=True):
        self.resource = resource
        self._waiter = waiter
        self._clock = waiter.clock
        self._wait = wait
        self._act = act
        self._queue = []  # steps still to send (a copy: a fallback expands here, never in the plan)
        self._step = None
        self._phase = _DONE
        self._answer = None  # the ambiguous answer under verification: (Answer, ApiError)
        self._lost_before = False  # the step under way had its answer lost once already
        self._resent = False  # ... and was sent once more after a read found nothing
        self._resend_note = None  # why the step under way was sent again (the actions log says it)
        self._not_before = None  # no read or resend before this time: the API asked so (Retry-After)
        self._state = None
        self.last = None  # the last state read, for failure reports
        self._plan = None
        self._before = None
        self.view = None  # once settled: the return keys
        self.after = None  # once settled: the diff's after
        self.failure = None
        self._waiting_for = "the operation"
        self._wait_started = 0.0
        self._polls = 0
        self._rate = None
        self._last_error = None  # a transient error of the latest poll, tolerated until the deadline
        self._waited = False

    # --- what the runner hands over ---------------------------------------------------------------
    def start(self, state):
        """Plan from the first ``state``; unless in check mode, send what can be sent now."""
        try:
            self._start(state)
        except RESOURCE_ERRORS as error:
            self.fail(error)

    def observe(self, state):
        """Advance with a freshly read ``state``."""
        try:
            self._observe(state)
        except RESOURCE_ERRORS as error:
            self.fail(error)

    def tolerate(self, error):
        """A transient error instead of a state: polled through, and named if time runs out."""
        self._last_error = error
        self._polls += 1  # a poll all the same: the next one backs off, never comes at once

    def fail(self, error, step=None):
        """End this resource's task with ``error`` (``step``: the step whose write it answered)."""
        self._phase = _FAILED
        self.failure = self._failure(error, step)

    def time_out(self):
        """The task's deadline passed while this resource was still on its way."""
        self.fail(self._timed_out())

    def settle(self):
        """Once nothing is under way: the resource's ``view`` and the diff's ``after`` (or its failure)."""
        if self.failure is not None:
            return
        try:
            state, after = self._final()
            view = self._shown(state)
        except RESOURCE_ERRORS as error:
            self.fail(error)
            return
        self.view, self.after = view, after

    # --- what the runner reads ----------------------------------------------------------------------
    @property
    def active(self):
        return self._phase not in (_DONE, _FAILED)

    @property
    def polled_step(self):
        """The step under way (None while settling): what the next poll is for."""
        return self._step if self._phase in (_SEND, _VERIFY, _AWAIT) else None

    def next_delay(self):
        now = self._clock()
        if self._polls == 0:
            delay = 0.0  # a wait starts with a read: the state right after a write, or the first look
        else:
            time_left = self._rate.time_left() if self._rate is not None else None
            delay = self._waiter.next_delay(max(0, self._polls - 1), now - self._wait_started, time_left)
        if self._phase == _VERIFY and self._not_before is not None:
            delay = max(delay, self._not_before - now)
        return delay

    @property
    def changed(self):
        if not self._act:
            return bool(self._plan and self._plan.steps)
        return self.resource.journal.changed

    @property
    def actions(self):
        if not self._act:
            return [step.text for step in self._plan.steps] if self._plan else []
        return self.resource.journal.actions

    @property
    def diff_before(self):
        """Waiting for someone else's operation is no change: with nothing planned, before is after."""
        return self._before if self._plan.steps else self.after

    # --- setting out ----------------------------------------------------------------------------
    def _start(self, state):
        resource = self.resource
        self._state = self.last = state
        self._plan = resource.journal.plan = resource.plan(state)
        self._before = resource.comparable(state)
        if not self._act:
            return
        self._queue = list(self._plan.steps)
        if not self._queue:
            self._settle_or_finish(state)
            return
        self._next_step(state)

    def _begin_wait(self, what):
        self._waiting_for = what
        self._wait_started = self._clock()
        self._polls = 0
        self._rate = ProgressRate(self._clock)

    def _settle_or_finish(self, state):
        resource = self.resource
        if self._wait and not resource.ready(state) and not resource.failed(state):
            self._phase = _SETTLE
            self._waited = True
            self._begin_wait(resource.settling)
        else:
            self._phase = _DONE

    def _next_step(self, state):
        if not self._queue:
            if self._wait:
                self._waited = True
            self._phase = _DONE
            return
        self._step = self._queue.pop(0)
        self._lost_before = self._resent = False
        self._answer = self._resend_note = self._not_before = None
        self._phase = _SEND
        self._try_send(state)

    def _try_send(self, state):
        resource, step = self.resource, self._step
        if not resource.writable(step, state):
            self._begin_wait(step.settle_text or "%s to accept %s" % (resource.label or "the resource", step.text))
            return
        self._send(state)

    def _send(self, state):
        resource, step = self.resource, self._step
        try:
            result = step.send(resource.api)
        except ApiError as error:
            replacement = step.fallback(error)
            if replacement is not None:
                text, steps = replacement
                self._record(StepOutcome(step, changed=False, text=text))
                self._queue[0:0] = list(steps)
                self._next_step(state)
                return
            # The API's own "not now" means the same for every resource: it is not the resource's to judge.
            answer = NOT_TAKEN_ANSWER if error.not_taken else resource.ambiguity(error)
            if answer is LOST_ANSWER and error.closed:
                answer = CLOSED_ANSWER  # lost, but the other end ended the exchange: a read tells whether it was taken
            if answer is None:
                self.fail(error, step)
                return
            self._verify_answer(answer, error)
            return
        if result is NOTHING_DONE:
            self._record(StepOutcome(step, changed=False, text=step.nothing_done_text()))
        else:
            note = " (%s)" % self._resend_note if self._resend_note else ""
            self._record(StepOutcome(step, result=result, text=step.text + note))
        if not step.awaited:
            self._next_step(state)  # no state can show it: nothing to wait for
            return
        self._after_send()

    def _verify_answer(self, answer, error):
        """Read until the step shows or could be sent again, after an ambiguous ``error``."""
        step = self._step
        # Sent again and refused again the same way: the polls go on backing off. A resource that reads
        # writable may still refuse (a MemStore resource stays Running while its backup runs).
        refused_again = answer.resends and self._phase == _VERIFY and self._answer[0] is answer
        if answer.honours_retry_after:
            asked = _asked_wait(error)
            if self._clock() + asked > self._waiter.deadline:
                note = "not sent again: the API asked to be called again in %g s (Retry-After), after the task's deadline (wait_timeout)"
                self.fail(_noted(error, note % asked), step)
                return
            self._not_before = self._clock() + asked
        if answer.maybe_applied:
            self._lost_before = True
        self._answer = (answer, error)
        self._phase = _VERIFY
        what = "%s to show or be possible again (%s %s answered %s)" % (
            step.waiting_for, error.method, error.path, error.status or error.message)
        if refused_again:
            self._waiting_for = what  # the polls go on backing off: a write refused again is not sent again at once
        else:
            self._begin_wait(what)

    def _record(self, outcome):
        self.resource.journal.record(outcome)

    def _after_send(self):
        if self._wait or self._queue:
            self._phase = _AWAIT
            self._begin_wait(self._step.waiting_for)
        else:
            self._phase = _DONE

    # --- each state read while waiting ---------------------------------------------------------------
    def _observe(self, state):
        resource = self.resource
        self._state = self.last = state
        self._last_error = None
        self._polls += 1
        if self._phase == _AWAIT and self._rate is not None:
            self._rate.observe(resource.progress(state))
        if self._phase == _SEND:
            if resource.writable(self._step, state):
                self._send(state)
            else:
                self._check_not_failed(state)
        elif self._phase == _VERIFY:
            self._verify(state)
        elif self._phase == _AWAIT:
            self._check_not_failed(state)
            if self._step.shows(state) and resource.ready(state):
                self._next_step(state)
        elif self._phase == _SETTLE:
            self._check_not_failed(state)
            if resource.ready(state):
                self._phase = _DONE

    def _check_not_failed(self, state):
        resource = self.resource
        if resource.failed(state):
            raise WaitError("%s failed: %s" % (self._waiting_for, resource.describe(state)), last=state,
                            duration=round(self._clock() - self._wait_started, 3))

    def _verify(self, state):
        # A failure state does not end this wait: whether the step shows decides.
        resource, step = self.resource, self._step
        answer, error = self._answer
        if step.shows(state):
            if answer.adopts and not self._lost_before:
                self._record(StepOutcome(step, adopted=True, changed=False, text="%s (already under way: adopted)" % step.text))
            else:
                self._record(StepOutcome(step, found=True, text="%s (%s)" % (step.text, step.lost_text)))
            self._after_send()
            return
        if not resource.writable(step, state):
            self._check_not_failed(state)
            return
        if answer.resends:
            self._resend_note = answer.resend_note(error)
            self._send(state)
            return
        if step.resend_when_absent and state is None and not self._resent:
            self._resent = True  # once: a second lost answer is looked for, never sent a third time
            self._resend_note = "its answer was lost and a read found nothing: sent once more"
            self._send(state)
            return
        self.fail(_noted(error, "read again: not done, so it was not sent again"), step)

    # --- how it ended ------------------------------------------------------------------------------------
    def _timed_out(self):
        # Every convergence started from a successful first read: something was seen.
        seen = "last seen: %s" % self.resource.describe(self.last)
        return self._waiter.timed_out(self._waiting_for, seen, self._last_error, last=self.last,
                                      duration=round(self._clock() - self._wait_started, 3))

    def _failure(self, error, step):
        resource = self.resource
        if isinstance(error, PlanError):
            return Failure(str(error), result=error.result)
        if isinstance(error, WaitError):
            return Failure(resource.failure_message(error, self._waiting_for), state_given=True, state=error.last)
        if isinstance(error, ApiError):
            return Failure(api_error=error, intro=resource.explain(error, step) or resource.label)
        return Failure(str(error))

    def _final(self):
        """The resource's last state and the diff's after."""
        resource = self.resource
        if not self._act:
            if self._plan.steps:
                return None, self._plan.after
            return self._state, self._before
        if self._plan.steps and not self._wait:
            return resource.unwaited(self.last), self._plan.after
        state = resource.final(self._state) if self._waited else self._state
        return state, resource.comparable(state)

    def _shown(self, state):
        if not self._act and self._plan.steps:
            predicted = self._plan.predicted
            return predicted if predicted is not None else self.resource.view(self._state)
        return self.resource.view(state)


def _noted(error, note):
    """``error`` with ``note`` after its message: why the write it answered was not sent again."""
    return ApiError(error.method, error.path, status=error.status, code=error.code,
                    message="%s; %s" % (error.message or "no answer", note), retry_after=error.retry_after)


def _asked_wait(error):
    """The seconds a Retry-After asks for (0 without one, or for a date: the polls keep their own pace)."""
    try:
        return max(0.0, float(error.retry_after))
    except (TypeError, ValueError):
        return 0.0
