# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one runner every state-changing module goes through, and the contract a resource
writes against.

A module describes its resource with a :class:`Resource` subclass (the pieces are listed
there, in one place): how to ``read`` it, how to ``plan`` the steps that converge it, and when
it is ``ready`` or has ``failed``. Each step is a small immutable :class:`Step` subclass that
sends itself (``send(api)``) and says whether a state ``shows`` it. The runner owns everything
else, once for all modules:

- the API client, built through the task from ``Resource.client_class``, with the task's
  deadline and retry warnings wired in (nothing is opt-in); a task that does not wait for its
  operation (``wait: false``, check mode) gets a client that fails at once on an API it
  cannot reach, one that waits a client that retries a refused connection until the deadline;
- one task deadline: every wait and every retry of the task shares ``wait_timeout``;
- ``duration`` (the whole task), the ``actions`` log and ``changed``;
- the diff (``before``/``after`` from comparable views) and check mode (the plan's
  prediction is returned, nothing is written);
- the ambiguous-write protocol: a write is sent once. After a "busy" answer (409,
  or what the resource calls busy), or after the API itself said it did not take the
  write (a 429, or a 503 with its error body or a Retry-After: ``ApiError.not_taken``),
  the resource is read again until the step shows (it is adopted, never stacked) or
  the resource accepts writes (it is sent again, within the deadline, never before a
  Retry-After; refused again, it is sent again at a slowing pace). After a lost answer (no answer, a timeout, another 5xx, a 502/504 from
  something in between) the resource is read again: a step that shows was done; a
  create whose name the service keeps unique is sent once more when nothing is there
  (a duplicate would be refused); any other step that does not show fails the task,
  saying it was not sent twice;
- batches: :class:`Runner` converges several resources at once, each one's next
  step sent as soon as it accepts writes, all of them read with as few requests as
  the API allows (``Resource.poll_all``), one failure reported after the others
  converged. A read error that is one resource's own (a batch read gives it in place of
  that resource's state) fails that resource alone; one of a read they all share fails
  them all. A single-resource task is a batch of one;
- failures that say what was last seen and what was done so far.

The runner's parts: ``_plan`` (steps, plans and the journal of step outcomes), ``_convergence``
(one resource's way to its state, and its own failure) and ``_result`` (what the task returns);
this module holds the loop that drives them (:class:`Runner`, :func:`run`). Resources import
every name they need from here.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._convergence import RESOURCE_ERRORS, Convergence
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, ClientError
from ansible_collections.redisops.platform.plugins.module_utils._plan import (
    BUSY_ANSWER,
    LOST_ANSWER,
    NOTHING_DONE,
    Journal,
    Plan,
    PlanError,
    Step,
    StepOutcome,
    step_class,
)
from ansible_collections.redisops.platform.plugins.module_utils._result import batch, converged, failed
from ansible_collections.redisops.platform.plugins.module_utils._wait import DONE

# The names resources and modules import from here (some are defined in _plan).
__all__ = ["BUSY_ANSWER", "LOST_ANSWER", "NOTHING_DONE", "Plan", "PlanError", "Resource", "Runner", "Step", "StepOutcome",
           "own_read", "run", "step_class"]

#: What a resource's read may raise; a batch read gives it in place of that resource's state.
READ_ERRORS = (ApiError, ClientError)


def own_read(read, *args):
    """``read(*args)``, or the error it raised: what ``Resource.read_all`` and ``poll_all`` give in
    place of the state of a resource whose own read failed, so that only that resource fails."""
    try:
        return read(*args)
    except READ_ERRORS as error:
        return error


class Resource:
    """The pieces a module supplies: the resource's side of the runner's contract.

    The runner makes it as ``TheResource(task, api, params)``. ``task`` is the task protocol
    (``params``, ``check_mode``, ``warn``, ``tmpdir``; never AnsibleModule); ``api`` the client the
    runner built from :attr:`client_class`; ``params`` the resource's options (the task's, or one
    item of a batch); ``journal`` the plan and what happened to each step (a
    :class:`StepOutcome` per step, in the order they ended): read it, never write it. ``state`` is
    whatever :meth:`read` returns (None: the resource does not exist); the runner never looks
    inside it.

    The pieces, without defaults:

    - ``read()``: the state now;
    - ``plan(state)``: a :class:`Plan` (the steps, the diff's ``after``, check mode's
      ``predicted`` result, whether it is ``adopting`` an operation found under way); raise
      :class:`PlanError` when the declared state cannot be reached;
    - ``view(state)``: the return keys; ``comparable(state)``: what the diff compares (never a secret);
    - the steps' ``send(api)`` and ``shows(state)`` (see :class:`Step`).

    With defaults, overridden where the API needs them:

    - ``ready(state)`` / ``failed(state)``: settled (nothing under way)? in a failure state?
    - ``client_class``; ``label`` (put before messages, for example ``instance set 'cache'``);
      ``settling`` (what the task waits for when the resource is busy and nothing is to change);
      ``first_read_waits_for`` (when set, the first read is retried until the deadline, waiting
      for this, for example "the node's REST API to answer");
    - ``validate(params)``: every rule the options break, one sentence each, before any request;
      ``invalid_message(errors)``: the failure message for them;
    - batch and waiting reads: ``read_all(resources)`` (first states of several resources) and
      ``poll_all(resources, steps)`` (their states while waiting, ``steps[i]`` the step under way
      for ``resources[i]`` or None when settling), with as few requests as the API allows. Each
      gives one entry per resource, in order: its state, or, when that resource's own read failed
      (its detail, its members, a name of the other kind), the ApiError or ClientError it raised
      (:func:`own_read`): the runner fails that resource alone, or polls through a transient
      error until the deadline. An error raised out of them (a list they all share) is everyone's;
      ``poll(step)`` (a read while waiting, may read less); ``progress(state)`` (the share done,
      0 to 1, so a long wait polls less); ``final(state)`` (a last look once the task has waited;
      may read more or raise PlanError); ``unwaited(last)`` (what to report after the writes when
      the task does not wait; default a fresh read);
    - writes: ``writable(step, state)`` (may the step be sent now; default ``ready``);
      ``ambiguity(error)`` (what a write's error means: BUSY_ANSWER, LOST_ANSWER or None; default
      no answer and 5xx are lost, 409 is busy). It is not asked about an answer by which the API
      said it did not take the write (``error.not_taken``): the runner treats that one alike for
      every resource, and so a lost answer whose connection was closed unanswered (``error.closed``:
      sent again once a read shows it not done);
    - messages: ``describe(state)`` (short, for example ``status Creating``);
      ``failure_message(error, what)`` (a wait for ``what`` ended failed or timed out);
      ``failure_result(state)`` (extra return keys of a failure state);
      ``explain(error, step)`` (a sentence before an API error; ``step`` is the step whose write
      it answered, None for a read; None: the label); ``batch_entry(view)`` (a batch entry's keys
      besides changed, failed, msg, actions and the view).

    The runner owns the rest: the client, the deadline, waits, the ambiguous-write protocol,
    check mode, the diff, ``changed``, ``actions``, ``duration`` and the result's shape.
    """

    client_class = None
    label = None
    settling = "the resource to settle"
    first_read_waits_for = None

    def __init__(self, task, api, params=None):
        self.task = task
        self.api = api
        self.params = task.params if params is None else params
        self.journal = Journal()

    @staticmethod
    def validate(params):
        return []

    @classmethod
    def invalid_message(cls, errors):
        return "; ".join(errors)

    # --- reading -----------------------------------------------------------------
    def read(self):
        raise NotImplementedError

    def poll(self, step=None):
        return self.read()

    @classmethod
    def read_all(cls, resources):
        return [own_read(resource.read) for resource in resources]

    @classmethod
    def poll_all(cls, resources, steps):
        return [own_read(resource.poll, step) for resource, step in zip(resources, steps)]

    def progress(self, state):
        return None

    def final(self, state):
        return state

    def unwaited(self, last):
        return self.read()

    # --- deciding ------------------------------------------------------------------
    def plan(self, state):
        raise NotImplementedError

    def ready(self, state):
        return True

    def failed(self, state):
        return False

    def writable(self, step, state):
        return self.ready(state)

    def ambiguity(self, error):
        if error.status is None or error.status >= 500:
            return LOST_ANSWER
        if error.status == 409:
            return BUSY_ANSWER
        return None

    # --- showing -----------------------------------------------------------------------
    def view(self, state):
        raise NotImplementedError

    def comparable(self, state):
        raise NotImplementedError

    def describe(self, state):
        return repr(state)

    def failure_result(self, state):
        return {}

    def failure_message(self, error, what):
        return error.message

    def explain(self, error, step):
        return None

    def batch_entry(self, view):
        return {}


class Runner:
    """Runs one task: one resource (:meth:`run`) or a batch of them (:meth:`run_batch`).

    Gets the API client (``resource_class.client_class``) from the task, wired to it: retries
    warn through the task and never sleep past the task's deadline. The loop reads every
    resource still on its way (one ``poll_all`` per round) and hands each state to that
    resource's :class:`Convergence`; the task's result is shaped from the convergences once
    all of them have ended.
    """

    def __init__(self, task, resource_class):
        self.task = task
        self.resource_class = resource_class
        self.wait = task.params.get("wait", True)
        # Made now: its deadline covers every wait of the task, and its clock times the task.
        self.waiter = task.waiter()
        self.clock = self.waiter.clock
        self.started = self.clock()
        # A task that does not wait for its operation (wait: false, check mode) fails at once on an
        # API it cannot reach; one that waits retries a refused connection (a node restarting) until its deadline.
        waits = self.wait and not task.check_mode
        self.api = task.client(resource_class.client_class, deadline=self.waiter.deadline if waits else None)

    def duration(self):
        return round(self.clock() - self.started, 3)

    def run(self):
        """Converge the task's resource and end the task (never returns)."""
        try:
            resource = self.resource_class(self.task, self.api)
        except ClientError as error:
            self.task.fail(str(error))
        [convergence] = self._converge_all([resource])
        if convergence.failure is not None:
            msg, result = failed(self.task, convergence)
            result["duration"] = self.duration()
            self.task.fail(msg, **result)
        self.task.exit(**dict(converged(self.task, convergence), duration=self.duration()))

    def run_batch(self, items):
        """Converge one resource per ``(resource_class, params)`` of ``items`` and end the task.

        Every resource converges as far as it can; the task fails after, naming each failed
        one. The result's ``resources`` hold one entry per item, in order
        (``Resource.batch_entry`` plus changed, failed, msg, actions and the view).
        """
        resources = [resource_class(self.task, self.api, params) for resource_class, params in items]
        message, result = batch(self.task, self._converge_all(resources))
        result["duration"] = self.duration()
        if message:
            self.task.fail(message, **result)
        self.task.exit(**result)

    def _converge_all(self, resources):
        """Read, plan and converge ``resources``; each convergence ends settled or failed."""
        convergences = [Convergence(resource, self.waiter, wait=self.wait, act=not self.task.check_mode) for resource in resources]
        try:
            states = self._first_reads(resources) if resources else []
        except RESOURCE_ERRORS as error:
            for convergence in convergences:
                convergence.fail(error)
        else:
            self._converge(convergences, states)
        for convergence in convergences:
            convergence.settle()
        return convergences

    def _first_reads(self, resources):
        what = self.resource_class.first_read_waits_for
        if not what or not self.wait or self.task.check_mode:
            return self.resource_class.read_all(resources)
        return self.waiter.until(lambda: _transient_raised(self.resource_class.read_all(resources)), lambda _states: DONE,
                                 lambda states: resources[0].describe(states[0]), what).value

    def _converge(self, convergences, states):
        """Start each convergence, then poll every active one together until all have ended."""
        for convergence, state in zip(convergences, states):
            if isinstance(state, READ_ERRORS):
                convergence.fail(state)  # its own first read failed: nothing to plan from
            else:
                convergence.start(state)
        while True:
            active = [c for c in convergences if c.active]
            if not active:
                return
            now = self.clock()
            if now >= self.waiter.deadline:
                for convergence in active:
                    convergence.time_out()
                return
            delay = min(c.next_delay() for c in active)
            self.waiter.sleep(max(0.0, min(delay, self.waiter.deadline - now)))
            try:
                states = self.resource_class.poll_all([c.resource for c in active], [c.polled_step for c in active])
            except READ_ERRORS as error:
                states = [error] * len(active)  # a read they all share failed: each of them meets its error
            for convergence, state in zip(active, states):
                if isinstance(state, ApiError) and state.is_transient:
                    convergence.tolerate(state)
                elif isinstance(state, READ_ERRORS):
                    convergence.fail(state)
                else:
                    convergence.observe(state)


def _transient_raised(states):
    """``states``, unless one of them is a transient error: raised, so that a wait polls through it."""
    for state in states:
        if isinstance(state, ApiError) and state.is_transient:
            raise state
    return states


def run(module, resource_class):
    """The whole task of a state-changing module: validate, converge, exit."""
    task = module.task()
    errors = resource_class.validate(task.params)
    if errors:
        task.fail(resource_class.invalid_message(errors), errors=errors, changed=False)
    Runner(task, resource_class).run()
