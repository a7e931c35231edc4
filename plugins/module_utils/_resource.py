# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one runner every state-changing module goes through.

A module describes its resource with a :class:`Resource` subclass: how to ``read``
it, how to ``plan`` the steps that converge it, and when it is ``ready`` or has
``failed``. Each step is a small immutable :class:`Step` subclass that sends itself
(``send(api)``) and says whether a state ``shows`` it. The runner owns everything
else, once for all modules:

- the API client, built from ``Resource.client_class`` and the connection options,
  with the task's deadline and retry warnings wired in (nothing is opt-in);
- one task deadline: every wait and every retry of the task shares ``wait_timeout``;
- ``duration`` (the whole task), the ``actions`` log and ``changed``;
- the diff (``before``/``after`` from comparable views) and check mode (the plan's
  prediction is returned, nothing is written);
- the ambiguous-write protocol: a write is sent once. After a "busy" answer (409,
  or what the resource calls busy) the resource is read again until the step shows
  (it is adopted, never stacked) or the resource accepts writes (it is sent again).
  After a lost answer (no answer, a 5xx) the resource is read again: a step that
  shows was done; a create whose name the service keeps unique is sent once more
  when nothing is there (a duplicate would be refused); any other step that does
  not show fails the task, saying it was not sent twice;
- batches: :class:`Runner` converges several resources at once, each one's next
  step sent as soon as it accepts writes, all of them read with as few requests as
  the API allows (:meth:`Resource.poll_all`), one failure reported after the others
  converged. A single-resource task is a batch of one;
- failures that say what was last seen and what was done so far.

What happened to each step is a :class:`StepOutcome` in the resource's
:class:`Journal`: steps are never marked, and a plan is never edited while it runs (a
fallback is a step that :meth:`Step.fallback` expands into others).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from dataclasses import dataclass

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, ClientError
from ansible_collections.redisops.platform.plugins.module_utils._wait import DONE, ProgressRate, WaitError

# What an ambiguous write answer means (see Resource.ambiguity).
BUSY_ANSWER = "busy"
LOST_ANSWER = "lost"

#: What Step.send returns when the server had nothing to do (the step is no change).
NOTHING_DONE = object()


class PlanError(Exception):
    """The declared state cannot be reached under the API's rules (found before any write).

    ``result`` holds extra return keys for the failure (error codes, a validation's status).
    """

    def __init__(self, message, **result):
        super(PlanError, self).__init__(message)
        self.result = result


@dataclass(frozen=True, eq=False, repr=False)
class Step:
    """One write of a plan; a subclass per kind of write.

    Every step is a frozen dataclass (each subclass is declared with :func:`step_class`) whose
    fields are its declared data: an unknown keyword is a TypeError. ``text`` is what the actions
    log says once it is done, ``waiting_for`` what the task waits for after it (default: ``text``),
    ``settle_text`` what it waits for before sending it (None: the resource to accept it), and
    ``lost_text`` what is appended to ``text`` when a lost answer is followed by a read that shows
    the step.
    """

    text: str = ""
    waiting_for: str = None
    settle_text: str = None
    lost_text: str = "its answer was lost: found it done"

    #: A create whose name the service keeps unique: after a lost answer and a read that
    #: finds nothing, it is sent once more (a duplicate is refused, and that refusal adopted).
    resend_when_absent = False

    def __post_init__(self):
        if self.waiting_for is None:
            object.__setattr__(self, "waiting_for", self.text)

    def __repr__(self):
        # Never the fields: a body may carry a password.
        return "%s(%s)" % (type(self).__name__, self.text)

    def send(self, api):
        """Send the write. Return what the resource may need of the answer, or NOTHING_DONE."""
        raise NotImplementedError

    def shows(self, state):
        """Whether ``state`` shows the step done or under way."""
        raise NotImplementedError

    def fallback(self, error):
        """``(text, steps)`` to run instead when the server refuses this one with ``error`` (None: fail);
        ``text`` is the actions log's line for this step, which counts as no change."""
        return None

    def nothing_done_text(self):
        """The actions log's line when the server had nothing to do."""
        return self.text


#: How every Step subclass is declared: a frozen dataclass compared by identity whose repr is
#: the base's (fields may hold secrets). Fields need defaults, since the base's have them.
step_class = dataclass(frozen=True, eq=False, repr=False)


class StepOutcome:
    """What happened to one step: ``sent`` (the write went out at least once),
    ``answer`` (BUSY_ANSWER, LOST_ANSWER or None), ``adopted`` (someone else's identical
    operation was under way and was followed), ``found`` (a lost answer, then found done),
    ``changed`` (counts as this task's change), ``result`` (what ``send`` returned) and
    ``text`` (the actions log's line)."""

    __slots__ = ("step", "sent", "answer", "adopted", "found", "changed", "result", "text")

    def __init__(self, step, sent=True, answer=None, adopted=False, found=False, changed=True, result=None, text=None):
        for name, value in (("step", step), ("sent", sent), ("answer", answer), ("adopted", adopted), ("found", found),
                            ("changed", changed), ("result", result), ("text", text or step.text)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError("outcomes are records: make a new one")


class Journal:
    """The plan of one resource's task and the outcomes of its steps, in the order they ended
    (kept by the runner, read by the resource)."""

    def __init__(self):
        self.plan = None
        self.outcomes = []

    def record(self, outcome):
        self.outcomes.append(outcome)

    def of_type(self, step_class):
        return [outcome for outcome in self.outcomes if isinstance(outcome.step, step_class)]

    @property
    def adopted(self):
        """Whether an operation this task followed was started by someone else (the plan found it
        under way, or a write was answered busy), or found done after a lost answer."""
        return bool(self.plan and self.plan.adopting) or any(outcome.adopted or outcome.found for outcome in self.outcomes)

    @property
    def changed(self):
        return any(outcome.changed for outcome in self.outcomes)

    @property
    def actions(self):
        return [outcome.text for outcome in self.outcomes]


class Plan:
    """What converging a resource takes.

    ``steps`` are sent in order. ``after`` is the comparable state the steps lead to
    (the diff's ``after``). ``predicted`` is the result (a dict of return keys, as
    :meth:`Resource.view` gives) that check mode returns; when None, check mode
    returns the current view. ``adopting`` says the plan follows an operation found under way
    instead of starting one.
    """

    def __init__(self, steps=None, after=None, predicted=None, adopting=False):
        self.steps = tuple(steps or ())
        self.after = after
        self.predicted = predicted
        self.adopting = adopting


class Resource:
    """The pieces a module supplies. Override what the resource needs.

    ``state`` is whatever :meth:`read` returns (None for a resource that does not
    exist); the runner never looks inside it. ``params`` are the resource's options
    (the module's, or one item of a batch); ``api`` the client the runner built from
    :attr:`client_class`; ``journal`` the outcomes of this task's steps.
    """

    #: The API client class: built by the runner from the connection options.
    client_class = None
    #: Shown before failure messages, for example ``instance set 'cache'``.
    label = None
    #: What the task waits for when it finds the resource busy and has nothing to change.
    settling = "the resource to settle"
    #: When set, the first read is retried (transient errors) until the deadline,
    #: waiting for this (for example "the node's REST API to answer").
    first_read_waits_for = None

    def __init__(self, task, api, params=None):
        self.task = task
        self.api = api
        self.params = task.params if params is None else params
        self.journal = Journal()

    @staticmethod
    def validate(params):
        """Every rule the options break, one sentence each ([] when valid); checked before any request."""
        return []

    @classmethod
    def invalid_message(cls, errors):
        """The failure message for the rules ``validate`` found broken."""
        return "; ".join(errors)

    # --- reading -----------------------------------------------------------------
    def read(self):
        raise NotImplementedError

    def poll(self, step=None):
        """A read while waiting (``step``: the step under way, None when settling); may read less."""
        return self.read()

    @classmethod
    def read_all(cls, resources):
        """The first states of several resources of this class (a batch may read them together)."""
        return [resource.read() for resource in resources]

    @classmethod
    def poll_all(cls, resources, steps):
        """The states of several resources while waiting; ``steps[i]`` is the step under way for
        ``resources[i]`` (None when it is settling). A batch reads them with as few requests as the
        API allows."""
        return [resource.poll(step) for resource, step in zip(resources, steps)]

    def progress(self, state):
        """The share of the awaited operation done (0 to 1), None when the API reports none:
        while progress says the end is far, the task polls less."""
        return None

    def final(self, state):
        """A last look once the task has waited (may read more, or raise PlanError)."""
        return state

    def unwaited(self, last):
        """What to report after the writes when the task does not wait (``last``: the last
        state read). Default: a fresh read."""
        return self.read()

    # --- deciding ------------------------------------------------------------------
    def plan(self, state):
        """A :class:`Plan`; raise :class:`PlanError` when the declared state is unreachable."""
        raise NotImplementedError

    def applied(self, step, state):
        """Whether ``state`` shows ``step`` done or under way (default: the step says)."""
        return step.shows(state)

    def ready(self, state):
        """Whether the resource has settled (nothing under way)."""
        return True

    def failed(self, state):
        """Whether the resource is in a failure state."""
        return False

    def writable(self, step, state):
        """Whether ``step`` may be sent now (default: the resource is ready)."""
        return self.ready(state)

    def ambiguity(self, error):
        """BUSY_ANSWER, LOST_ANSWER or None for a write that raised ``error``.

        No answer and 5xx are LOST_ANSWER (the write may have been done); 409 is BUSY_ANSWER.
        A resource adds the API's other ways of saying busy.
        """
        if error.status is None or error.status >= 500:
            return LOST_ANSWER
        if error.status == 409:
            return BUSY_ANSWER
        return None

    # --- showing -----------------------------------------------------------------------
    def view(self, state):
        """The return keys describing ``state`` (a dict merged into the result)."""
        raise NotImplementedError

    def comparable(self, state):
        """What the diff compares (never a secret)."""
        raise NotImplementedError

    def describe(self, state):
        """A short text for messages, for example ``status Creating``."""
        return repr(state)

    def failure_result(self, state):
        """Extra return keys for a failure state (error codes and details)."""
        return {}

    def failure_message(self, error, what):
        """The message of a wait that ended failed or timed out."""
        return error.message

    def explain(self, error, step):
        """A sentence to put before an API error of ``step`` (None: the label)."""
        return None

    def batch_entry(self, view):
        """The batch result's keys for this resource (besides changed, failed, msg, actions and its view)."""
        return {}


# --- one resource's convergence -------------------------------------------------------------
# Phases of the step under way (Convergence.phase).
_SEND = "send"        # waiting until the resource accepts the step, then sending it
_VERIFY = "verify"    # an ambiguous answer: reading until the step shows or could be sent again
_AWAIT = "await"      # sent: waiting until the step shows and the resource is ready
_SETTLE = "settle"    # no step left (or none planned): waiting until the resource is ready
_DONE = "done"
_FAILED = "failed"


class Failure:
    """Why one resource's task failed: ``msg``, or an ``api_error`` with the ``intro`` put before
    it; the state to show (``state`` when ``state_given``, else the last one read); extra return keys."""

    def __init__(self, msg=None, state_given=False, state=None, api_error=None, intro=None, **result):
        self.msg = msg
        self.state_given = state_given
        self.state = state
        self.api_error = api_error
        self.intro = intro
        self.result = result


class Convergence:
    """One resource on its way to the declared state: its steps, the one under way, and what
    it waits for. The runner drives it with states it reads; it sends the resource's writes."""

    def __init__(self, runner, resource):
        self.runner = runner
        self.resource = resource
        self.queue = []  # steps still to send (a copy: a fallback expands here, never in the plan)
        self.step = None
        self.phase = _DONE
        self.answer = None  # the ambiguous answer under verification: (kind, ApiError)
        self.lost_before = False  # the step under way had its answer lost once already
        self.resent = False  # ... and was sent once more after a read found nothing
        self.state = None
        self.last = None  # the last state read, for failure reports
        self.plan = None
        self.before = None
        self.failure = None
        self.waiting_for = "the operation"
        self.wait_started = 0.0
        self.polls = 0
        self.rate = None
        self.last_error = None
        self.waited = False

    # --- setting out ----------------------------------------------------------------------------
    def start(self, state, act):
        """Plan from the first ``state``; with ``act``, send what can be sent now."""
        resource = self.resource
        self.state = self.last = state
        self.plan = resource.journal.plan = resource.plan(state)
        self.before = resource.comparable(state)
        if not act:
            return
        self.queue = list(self.plan.steps)
        if not self.queue:
            self._settle_or_finish(state)
            return
        self._next_step(state)

    def _begin_wait(self, what):
        self.waiting_for = what
        self.wait_started = self.runner.clock()
        self.polls = 0
        self.rate = ProgressRate(self.runner.clock)

    def _settle_or_finish(self, state):
        resource = self.resource
        if self.runner.wait and not resource.ready(state) and not resource.failed(state):
            self.phase = _SETTLE
            self.waited = True
            self._begin_wait(resource.settling)
        else:
            self.phase = _DONE

    def _next_step(self, state):
        if not self.queue:
            if self.runner.wait:
                self.waited = True
            self.phase = _DONE
            return
        self.step = self.queue.pop(0)
        self.lost_before = self.resent = False
        self.phase = _SEND
        self._try_send(state)

    def _try_send(self, state):
        resource, step = self.resource, self.step
        if not resource.writable(step, state):
            self._begin_wait(step.settle_text or "%s to accept %s" % (resource.label or "the resource", step.text))
            return
        self._send(state)

    def _send(self, state):
        resource, step = self.resource, self.step
        self.runner.sending = (resource, step)
        try:
            result = step.send(resource.api)
        except ApiError as error:
            replacement = step.fallback(error)
            if replacement is not None:
                text, steps = replacement
                self._record(StepOutcome(step, changed=False, text=text))
                self.queue[0:0] = list(steps)
                self._next_step(state)
                return
            kind = resource.ambiguity(error)
            if kind is None:
                raise
            if kind == LOST_ANSWER:
                self.lost_before = True
            self.answer = (kind, error)
            self.phase = _VERIFY
            self._begin_wait("%s to show or be possible again (%s %s answered %s)" % (
                step.waiting_for, error.method, error.path, error.status or error.message))
            return
        if result is NOTHING_DONE:
            self._record(StepOutcome(step, changed=False, result=None, text=step.nothing_done_text()))
        else:
            resent = " (its answer was lost and a read found nothing: sent once more)" if self.resent else ""
            self._record(StepOutcome(step, result=result, text=step.text + resent))
        self._after_send(state)

    def _record(self, outcome):
        self.resource.journal.record(outcome)

    def _after_send(self, state):
        if self.runner.wait or self.queue:
            self.phase = _AWAIT
            self._begin_wait(self.step.waiting_for)
        else:
            self.phase = _DONE

    def _not_sent_twice(self, error):
        return ApiError(error.method, error.path, status=error.status, code=error.code,
                        message="%s; read again: not done, so it was not sent again" % (error.message or "no answer"))

    # --- each state read while waiting ---------------------------------------------------------------
    def observe(self, state):
        """Advance with a freshly read ``state``."""
        resource = self.resource
        self.state = self.last = state
        self.last_error = None
        self.polls += 1
        if self.phase == _AWAIT and self.rate is not None:
            self.rate.observe(resource.progress(state))
        if self.phase == _SEND:
            if resource.writable(self.step, state):
                self._send(state)
            elif resource.failed(state):
                raise self._wait_error("%s failed: %s" % (self.waiting_for, resource.describe(state)), state)
        elif self.phase == _VERIFY:
            self._verify(state)
        elif self.phase == _AWAIT:
            if resource.failed(state):
                raise self._wait_error("%s failed: %s" % (self.waiting_for, resource.describe(state)), state)
            if resource.applied(self.step, state) and resource.ready(state):
                self._next_step(state)
        elif self.phase == _SETTLE:
            if resource.failed(state):
                raise self._wait_error("%s failed: %s" % (self.waiting_for, resource.describe(state)), state)
            if resource.ready(state):
                self.phase = _DONE

    def _verify(self, state):
        # A failure state does not end this wait: whether the step shows decides.
        resource, step = self.resource, self.step
        kind, error = self.answer
        if resource.applied(step, state):
            if kind == BUSY_ANSWER and not self.lost_before:
                self._record(StepOutcome(step, answer=kind, adopted=True, changed=False,
                                         text="%s (already under way: adopted)" % step.text))
            else:
                self._record(StepOutcome(step, answer=LOST_ANSWER, found=True, text="%s (%s)" % (step.text, step.lost_text)))
            self._after_send(state)
            return
        if not resource.writable(step, state):
            if resource.failed(state):
                raise self._wait_error("%s failed: %s" % (self.waiting_for, resource.describe(state)), state)
            return
        if kind == BUSY_ANSWER:
            self._send(state)
            return
        if step.resend_when_absent and state is None and not self.resent:
            self.resent = True  # once: a second lost answer is looked for, never sent a third time
            self._send(state)
            return
        raise self._not_sent_twice(error)

    def _wait_error(self, message, state):
        return WaitError(message, last=state, duration=round(self.runner.clock() - self.wait_started, 3))

    def timed_out(self):
        resource = self.resource
        # Every convergence started from a successful first read: something was seen.
        seen = "last seen: %s" % resource.describe(self.last)
        if self.last_error is not None:
            seen += "; last error: %s" % self.last_error
        return WaitError("timed out after %ss (wait_timeout) waiting for %s (%s)" % (
            int(self.runner.waiter.timeout), self.waiting_for, seen), last=self.last, last_error=self.last_error,
            duration=round(self.runner.clock() - self.wait_started, 3), timed_out=True)

    # --- for the runner ----------------------------------------------------------------------------------
    @property
    def active(self):
        return self.phase not in (_DONE, _FAILED)

    @property
    def polled_step(self):
        """The step under way (None while settling): what the next poll is for."""
        return self.step if self.phase in (_SEND, _VERIFY, _AWAIT) else None

    def next_delay(self):
        if self.polls == 0:
            return 0.0  # a wait starts with a read: the state right after a write, or the first look
        elapsed = self.runner.clock() - self.wait_started
        time_left = self.rate.time_left() if self.rate is not None else None
        return self.runner.waiter.next_delay(max(0, self.polls - 1), elapsed, time_left)


class Runner:
    """Runs one task: one resource (``run``) or a batch of them (``run_batch``).

    Builds the API client (``resource_class.client_class``) from the module's connection
    options and wires it to the task: retries warn through the module and never sleep
    past the task's deadline.
    """

    def __init__(self, task, resource_class):
        self.task = task
        self.resource_class = resource_class
        self.wait = task.params.get("wait", True)
        # Made now: its deadline covers every wait of the task, and its clock times the task.
        self.waiter = task.waiter()
        self.clock = self.waiter.clock
        self.started = self.clock()
        self.api = task.client(resource_class.client_class, deadline=self.waiter.deadline)
        self.sending = None  # (resource, step) of the write in flight, for API error messages

    def resource(self, params=None):
        return self.resource_class(self.task, self.api, params)

    def duration(self):
        return round(self.clock() - self.started, 3)

    # --- the first read -----------------------------------------------------------------------------
    def first_reads(self, resources):
        what = self.resource_class.first_read_waits_for
        if not what or not self.wait or self.task.check_mode:
            return self.resource_class.read_all(resources)
        return self.waiter.until(lambda: self.resource_class.read_all(resources), lambda _states: DONE,
                                 lambda states: resources[0].describe(states[0]), what).value

    # --- converging -----------------------------------------------------------------------------------
    def converge(self, convergences, states):
        """Plan each resource and drive every one to its end; failures are kept per resource."""
        act = not self.task.check_mode
        for convergence, state in zip(convergences, states):
            self._guarded(convergence, convergence.start, state, act)
        while True:
            active = [c for c in convergences if c.active]
            if not active:
                return
            now = self.clock()
            if now >= self.waiter.deadline:
                for convergence in active:
                    self._fail(convergence, convergence.timed_out())
                return
            delay = min(c.next_delay() for c in active)
            self.waiter.sleep(max(0.0, min(delay, self.waiter.deadline - now)))
            try:
                states = self.resource_class.poll_all([c.resource for c in active], [c.polled_step for c in active])
            except (ApiError, ClientError) as error:
                if isinstance(error, ApiError) and error.is_transient:
                    for convergence in active:
                        convergence.last_error = error  # tolerated until the deadline
                    continue
                for convergence in active:
                    self._fail(convergence, error)
                return
            for convergence, state in zip(active, states):
                self._guarded(convergence, convergence.observe, state)

    def _guarded(self, convergence, call, *args):
        try:
            call(*args)
        except (PlanError, WaitError, ApiError, ClientError) as error:
            self._fail(convergence, error)

    def _fail(self, convergence, error):
        convergence.phase = _FAILED
        convergence.failure = self._failure(convergence, error)

    def _failure(self, convergence, error):
        resource = convergence.resource
        if isinstance(error, PlanError):
            return Failure(str(error), **error.result)
        if isinstance(error, WaitError):
            return Failure(resource.failure_message(error, convergence.waiting_for), state_given=True, state=error.last)
        if isinstance(error, ApiError):
            step = convergence.step if self.sending and self.sending[0] is resource else None
            return Failure(None, api_error=error, intro=resource.explain(error, step) or resource.label)
        return Failure(str(error))

    def settle(self, convergence):
        """The resource's final state and the diff's after."""
        resource = convergence.resource
        state = convergence.state
        if self.task.check_mode:
            plan = convergence.plan
            if plan.steps:
                return None, plan.after
            return state, convergence.before
        if convergence.plan.steps and not self.wait:
            return resource.unwaited(convergence.last), convergence.plan.after
        if convergence.waited:
            state = resource.final(state)
        return state, resource.comparable(state)

    @staticmethod
    def diff_before(convergence, after):
        """Waiting for someone else's operation is no change: with nothing planned, before is after."""
        return convergence.before if convergence.plan.steps else after

    def shown(self, convergence, state):
        resource = convergence.resource
        if self.task.check_mode and convergence.plan.steps:
            plan = convergence.plan
            return plan.predicted if plan.predicted is not None else resource.view(convergence.state)
        return resource.view(state)

    # --- one resource ------------------------------------------------------------------------------------
    def converge_all(self, resources):
        """Read, plan and converge ``resources``: ``[(convergence, view, diff after)]``, view None
        for a resource that failed (its convergence holds the failure)."""
        convergences = [Convergence(self, resource) for resource in resources]
        try:
            states = self.first_reads(resources) if resources else []
        except (ApiError, ClientError, WaitError, PlanError) as error:
            for convergence in convergences:
                self._fail(convergence, error)
        else:
            self.converge(convergences, states)
        settled = []
        for convergence in convergences:
            if convergence.failure is None:
                try:
                    state, after = self.settle(convergence)
                    settled.append((convergence, self.shown(convergence, state), after))
                    continue
                except (PlanError, ApiError, ClientError) as error:
                    self._fail(convergence, error)
            settled.append((convergence, None, None))
        return settled

    # --- one resource ------------------------------------------------------------------------------------
    def run(self, params=None):
        """Converge one resource and exit the module (never returns)."""
        try:
            resource = self.resource(params)
        except ClientError as error:
            self.task.fail(str(error))
        [(convergence, view, after)] = self.converge_all([resource])
        if view is None:
            self.fail(convergence)
        self.exit(convergence, view, after)

    def changed(self, convergence):
        if self.task.check_mode:
            return bool(convergence.plan and convergence.plan.steps)
        return convergence.resource.journal.changed

    def actions(self, convergence):
        if self.task.check_mode:
            return [step.text for step in convergence.plan.steps] if convergence.plan else []
        return convergence.resource.journal.actions

    def exit(self, convergence, view, after):
        result = dict(changed=self.changed(convergence), actions=self.actions(convergence), duration=self.duration())
        result.update(view)
        if self.task.diff:
            result["diff"] = dict(before=self.diff_before(convergence, after), after=after)
        self.task.exit(**result)

    def failure_result(self, convergence):
        """The return keys of a failed resource: what it last looked like, what was done."""
        failure, resource = convergence.failure, convergence.resource
        result = dict(changed=resource.journal.changed, actions=resource.journal.actions)
        shown = failure.state if failure.state_given else convergence.last
        try:
            result.update(resource.view(shown))
        except Exception:  # pylint: disable=broad-except  # a half-read state must not hide the real failure
            pass
        result.update(resource.failure_result(shown))
        result.update(failure.result)
        return result

    def failure_message(self, convergence):
        failure, actions = convergence.failure, convergence.resource.journal.actions
        if failure.api_error is not None:
            intro = failure.intro
            if actions:
                intro = "%s (done so far: %s)" % (intro or "the task", "; ".join(actions))
            return self.task.error_text(failure.api_error, intro)
        text = failure.msg
        if actions:
            text += "; done so far: %s" % "; ".join(actions)
        return text

    def fail(self, convergence):
        failure = convergence.failure
        result = self.failure_result(convergence)
        result["duration"] = self.duration()
        if failure.api_error is not None:
            result["api_error"] = failure.api_error.as_dict()
        self.task.fail(self.failure_message(convergence), **result)

    # --- a batch ---------------------------------------------------------------------------------------------
    def run_batch(self, items):
        """Converge one resource per ``(resource_class, params)`` of ``items`` and exit the module.

        Every resource converges as far as it can; the task fails after, naming each failed
        one. The result's ``resources`` hold one entry per item, in order
        (:meth:`Resource.batch_entry` plus changed, failed, msg and actions).
        """
        resources = [resource_class(self.task, self.api, params) for resource_class, params in items]
        results, diffs, failed = [], [], []
        for convergence, view, after in self.converge_all(resources):
            resource = convergence.resource
            if view is not None:
                results.append(dict(resource.batch_entry(view), changed=self.changed(convergence), failed=False, msg="",
                                    actions=self.actions(convergence), **view))
                diffs.append(dict(before_header=resource.label, after_header=resource.label,
                                  before=self.diff_before(convergence, after), after=after))
                continue
            msg = self.failure_message(convergence)
            detail = self.failure_result(convergence)
            view = dict((key, value) for key, value in detail.items() if key not in ("changed", "actions"))
            results.append(dict(resource.batch_entry(view), changed=resource.journal.changed, failed=True, msg=msg,
                                actions=resource.journal.actions, **view))
            failed.append(msg if msg.startswith(resource.label) else "%s: %s" % (resource.label, msg))
        outcome = dict(changed=any(result["changed"] for result in results), resources=results, duration=self.duration())
        if self.task.diff:
            outcome["diff"] = diffs
        if failed:
            self.task.fail("%d of %d resources failed: %s" % (len(failed), len(results), " | ".join(failed)), **outcome)
        self.task.exit(**outcome)


def run(module, resource_class):
    """The whole task of a state-changing module: validate, converge, exit."""
    task = module.task()
    errors = resource_class.validate(task.params)
    if errors:
        task.fail(resource_class.invalid_message(errors), errors=errors, changed=False)
    Runner(task, resource_class).run()
