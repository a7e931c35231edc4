# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a resource's plan is made of: its steps (declared, immutable), the plan itself, and the
record of what happened to each step (:class:`StepOutcome` in the resource's :class:`Journal`).

Resources import these names from ``_resource``; they live here so that the runner's parts
(``_convergence``, ``_result``) can use them without importing the runner.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from dataclasses import dataclass


class Answer:
    """What an ambiguous write answer means (see Resource.ambiguity). After any of them the resource
    is read again; a read that shows the step ends the doubt. Until then:

    ``maybe_applied``: the write may have been done (no answer, a gateway's 5xx), so it is never
    simply sent again; ``adopts``: a read that shows the step shows someone else's operation, which
    is followed (adopted, no change) rather than counted as this task's; ``resends``: once the
    resource accepts writes and the step does not show, it is sent again; ``honours_retry_after``:
    never sent again before the API's Retry-After, and refused again it backs off.
    """

    def __init__(self, name, maybe_applied=False, adopts=False, resends=False, honours_retry_after=False):
        self.name = name
        self.maybe_applied = maybe_applied
        self.adopts = adopts
        self.resends = resends
        self.honours_retry_after = honours_retry_after

    def __repr__(self):
        return "Answer(%s)" % self.name

    def resend_note(self, error):
        """What the actions log adds to a step sent again after this answer (None: nothing)."""
        return None


class NotTaken(Answer):
    """The API itself said it did not take the write (ApiError.not_taken): the same for every resource."""

    def resend_note(self, error):
        return "answered HTTP %s, not taken: sent again after a read found it not done" % error.status


class ClosedUnanswered(Answer):
    """A lost answer whose connection the other end closed before answering (ApiError.closed): it
    ended the exchange, so a read that does not show the write, the resource accepting writes, means
    it was not taken. A copy that still arrived would find the resource busy with the first."""

    def resend_note(self, error):
        return "its connection was closed without an answer and a read found it not done: sent again"


BUSY_ANSWER = Answer("busy", adopts=True, resends=True)
LOST_ANSWER = Answer("lost", maybe_applied=True)
CLOSED_ANSWER = ClosedUnanswered("closed unanswered", maybe_applied=True, resends=True)
NOT_TAKEN_ANSWER = NotTaken("not taken", adopts=True, resends=True, honours_retry_after=True)

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
    #: False for a step that changes nothing (a validation): answered, it is done, and no state
    #: can show it, so nothing is awaited; its ``shows`` is never true, so a lost answer sends it again.
    awaited = True

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


@dataclass(frozen=True, eq=False, repr=False)
class StepOutcome:
    """What happened to one step: ``adopted`` (someone else's identical operation was under way
    and was followed), ``found`` (a lost answer, then found done), ``changed`` (counts as this
    task's change), ``result`` (what ``send`` returned) and ``text`` (the actions log's line,
    default the step's). A record: it is never changed once made."""

    step: Step
    adopted: bool = False
    found: bool = False
    changed: bool = True
    result: object = None
    text: str = None

    def __post_init__(self):
        if not self.text:
            object.__setattr__(self, "text", self.step.text)


class Journal:
    """The plan of one resource's task and the outcomes of its steps, in the order they ended
    (kept by the runner, read by the resource)."""

    def __init__(self):
        self.plan = None
        self.outcomes = []

    def record(self, outcome):
        self.outcomes.append(outcome)

    def of_type(self, step_type):
        return [outcome for outcome in self.outcomes if isinstance(outcome.step, step_type)]

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
    ``Resource.view`` gives) that check mode returns; when None, check mode
    returns the current view. ``adopting`` says the plan follows an operation found under way
    instead of starting one.
    """

    def __init__(self, steps=None, after=None, predicted=None, adopting=False):
        self.steps = tuple(steps or ())
        self.after = after
        self.predicted = predicted
        self.adopting = adopting
