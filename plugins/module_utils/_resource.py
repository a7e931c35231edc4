# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one runner every state-changing module goes through.

A module describes its resource with a few small pieces (a :class:`Resource`
subclass): how to ``read`` it, how to ``plan`` the writes that converge it, how
to send one step (``request``), whether a step shows in a state (``applied``),
and when the resource is ``ready`` or has ``failed``. The :class:`Runner` owns
everything else, once for all modules:

- one task deadline: every wait of the task shares ``wait_timeout``;
- ``duration`` (the whole task), the ``actions`` log and ``changed``;
- the diff (``before``/``after`` from comparable views);
- check mode (the plan's prediction is returned, nothing is written);
- the ambiguous-write protocol: a write is sent once. When its answer is lost
  (no answer, a 5xx) or says "busy" (409, or what the resource calls busy), the
  resource is read again until the step shows or the resource accepts writes.
  A step that shows is never sent again (no duplicate create, no stacked
  action); a busy answer is sent again once the resource accepts writes; a lost
  answer whose step does not show fails the task, saying so, without sending it
  again;
- failures that say what was last seen and what was done so far, with
  ``changed`` true when something was written before the failure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, ClientError
from ansible_collections.redisops.platform.plugins.module_utils._wait import DONE, FAILED, PENDING, WaitError

# What an ambiguous write answer means (see Resource.ambiguity).
BUSY_ANSWER = "busy"
LOST_ANSWER = "lost"


class PlanError(Exception):
    """The declared state cannot be reached under the API's rules (found before any write).

    ``result`` holds extra return keys for the failure (error codes, a validation's status).
    """

    def __init__(self, message, **result):
        super(PlanError, self).__init__(message)
        self.result = result


class Step:
    """One write of a plan.

    ``kind`` names the write for the resource (one small class or one branch
    per kind), ``text`` is what the actions log says once it is done, and
    ``waiting_for`` what the task waits for after it. Any other keyword becomes
    an attribute (the body, the instance to delete, ...).
    """

    def __init__(self, kind, text, waiting_for=None, **data):
        self.kind = kind
        self.text = text
        self.waiting_for = waiting_for or text
        self.__dict__.update(data)

    def __repr__(self):
        return "Step(%s: %s)" % (self.kind, self.text)


class Plan:
    """What converging a resource takes.

    ``steps`` are sent in order. ``after`` is the comparable state the steps
    lead to (the diff's ``after``). ``predicted`` is the result (a dict of
    return keys, as :meth:`Resource.view` gives) that check mode returns; when
    None, check mode returns the current view.
    """

    def __init__(self, steps=None, after=None, predicted=None):
        self.steps = list(steps or [])
        self.after = after
        self.predicted = predicted


class Resource:
    """The pieces a module supplies. Override what the resource needs.

    ``state`` is whatever :meth:`read` returns (None for a resource that does
    not exist); the runner never looks inside it.
    """

    #: Shown before failure messages, for example ``instance set 'cache'``.
    label = None
    #: What the task waits for when it finds the resource busy and has nothing to change.
    settling = "the resource to settle"
    #: When set, the first read is retried (transient errors) until the deadline,
    #: waiting for this (for example "the node's REST API to answer").
    first_read_waits_for = None

    #: The API client (``http_clients()``); the runner wires its retries to the task.
    api = None

    def __init__(self, module):
        self.module = module
        self.params = module.params

    # --- reading -----------------------------------------------------------------
    def read(self):
        raise NotImplementedError

    def poll(self):
        """A read while waiting; may be cheaper than :meth:`read`."""
        return self.read()

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

    def request(self, step):
        """Send ``step``. Return False when the server had nothing to do (no change)."""
        raise NotImplementedError

    def applied(self, step, state):
        """Whether ``state`` shows ``step`` done or under way."""
        raise NotImplementedError

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


class Runner:
    """Runs one task of a :class:`Resource`: read, plan, then check mode or act and wait."""

    def __init__(self, module, resource):
        self.module = module
        self.resource = resource
        self.wait = module.params.get("wait", True)
        # Made now: its deadline covers every wait of the task, and its clock times the task.
        self.waiter = module.waiter()
        self.started = self.waiter.clock()
        if resource.api is not None:
            module.use(resource.api, deadline=self.waiter.deadline)
        self.actions = []
        self.changed = False
        self.last = None  # the last state read, for failure reports

    # --- reading and waiting ----------------------------------------------------------------
    def read(self, poll=False):
        self.last = self.resource.poll() if poll else self.resource.read()
        return self.last

    def wait_until(self, done, what, failed_first=True):
        """Poll until ``done(state)``; a failure state ends the wait (before or after ``done``)."""
        resource = self.resource

        def classify(state):
            if failed_first and resource.failed(state):
                return FAILED
            if done(state):
                return DONE
            return FAILED if resource.failed(state) else PENDING

        return self.waiter.until(lambda: self.read(poll=True), classify, resource.describe, what, progress=resource.progress).value

    def first_read(self):
        what = self.resource.first_read_waits_for
        if not what or not self.wait or self.module.check_mode:
            return self.read()
        return self.waiter.until(self.read, lambda _state: DONE, self.resource.describe, what).value

    # --- writing ---------------------------------------------------------------------------
    def write(self, step):
        """Send ``step`` once; after an ambiguous answer, look before sending anything again.

        Returns True when the step counts as this task's change.
        """
        resource = self.resource
        try:
            return resource.request(step) is not False
        except ApiError as error:
            kind = resource.ambiguity(error)
            if kind is None:
                raise
            answer = error
        what = "%s to show or be possible again (%s %s answered %s)" % (
            step.waiting_for, answer.method, answer.path, answer.status or answer.message)
        # A failure state does not end this wait: whether the step shows decides.
        state = self.wait_until(lambda s: resource.applied(step, s) or resource.writable(step, s), what, failed_first=False)
        if resource.applied(step, state):
            if kind == BUSY_ANSWER:
                step.adopted = True
                step.text += " (already under way: adopted)"
                return False
            step.found = True
            step.text += " (%s)" % getattr(step, "found_text", "its answer was lost: found it done")
            return True
        if kind == BUSY_ANSWER:
            return resource.request(step) is not False
        raise ApiError(answer.method, answer.path, status=answer.status, code=answer.code,
                       message="%s; read again: not done, so it was not sent again" % (answer.message or "no answer"))

    # --- the task ------------------------------------------------------------------------------
    def run(self):
        """Converge the resource and exit the module (never returns)."""
        try:
            self._run()
        except PlanError as error:
            self.fail(str(error), **error.result)
        except WaitError as error:
            self.fail(self.resource.failure_message(error, self.waiting_for), failure_state=error.last)
        except ApiError as error:
            self.fail_api(error)
        except ClientError as error:
            self.fail(str(error))

    def _run(self):
        resource = self.resource
        state = self.first_read()
        plan = resource.plan(state)
        if not plan.steps:
            waited = False
            if self.wait and not self.module.check_mode and not resource.ready(state) and not resource.failed(state):
                self.waiting_for = resource.settling
                state = self.wait_until(resource.ready, self.waiting_for)
                waited = True
            state = resource.final(state) if waited else state
            comparable = resource.comparable(state)
            self.exit(resource.view(state), comparable, comparable)
        before = resource.comparable(state)
        if self.module.check_mode:
            self.changed = True
            self.actions.extend(step.text for step in plan.steps)
            self.exit(plan.predicted if plan.predicted is not None else resource.view(state), before, plan.after)
        for index, step in enumerate(plan.steps):
            if not resource.writable(step, state):
                self.waiting_for = getattr(step, "settle_text", None) or "%s to accept %s" % (resource.label or "the resource", step.text)
                state = self.wait_until(lambda s, step=step: resource.writable(step, s), self.waiting_for, failed_first=False)
            self.waiting_for = step.waiting_for
            self.step = step
            if self.write(step):
                self.changed = True
            self.actions.append(step.text)
            if self.wait or index < len(plan.steps) - 1:
                state = self.wait_until(lambda s, step=step: resource.applied(step, s) and resource.ready(s), step.waiting_for)
        if self.wait:
            # Waited until done: the diff's after is what the resource shows now.
            state = resource.final(state)
            self.exit(resource.view(state), before, resource.comparable(state))
        self.exit(resource.view(resource.unwaited(self.last)), before, plan.after)

    # --- results ----------------------------------------------------------------------------------
    waiting_for = "the operation"
    step = None  # the step being sent, for API error messages

    def duration(self):
        return round(self.waiter.clock() - self.started, 3)

    def exit(self, view, before, after):
        result = dict(changed=self.changed, actions=self.actions, duration=self.duration())
        result.update(view)
        if self.module._diff:
            result["diff"] = dict(before=before, after=after)
        self.module.exit_json(**result)

    def _failure(self, state_given, state):
        result = dict(changed=self.changed, actions=self.actions, duration=self.duration())
        shown = state if state_given else self.last
        try:
            result.update(self.resource.view(shown))
        except Exception:  # pylint: disable=broad-except  # a half-read state must not hide the real failure
            pass
        result.update(self.resource.failure_result(shown))
        return result

    def _done_so_far(self, text):
        if self.actions:
            text += "; done so far: %s" % "; ".join(self.actions)
        return text

    def fail(self, msg, **extra):
        state_given = "failure_state" in extra
        result = self._failure(state_given, extra.pop("failure_state", None))
        result.update(extra)
        self.module.fail_json(msg=self._done_so_far(msg), **result)

    def fail_api(self, error):
        intro = self.resource.explain(error, self.step) or self.resource.label
        if self.actions:
            intro = "%s (done so far: %s)" % (intro or "the task", "; ".join(self.actions))
        self.module.fail_api(error, msg=intro, **self._failure(False, None))
