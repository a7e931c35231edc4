# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a task returns, shaped from its settled convergences: the result of one resource (or
its failure: what it last looked like, what was done so far), and a batch's ``resources``
entries, diffs and failure message. ``duration`` is the runner's to add."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def converged(task, convergence):
    """The return keys of a resource that converged: changed, actions, its view and, in diff mode, the diff."""
    result = dict(changed=convergence.changed, actions=convergence.actions)
    result.update(convergence.view)
    if task.diff:
        result["diff"] = dict(before=convergence.diff_before, after=convergence.after)
    return result


def _failure_message(task, convergence):
    """What went wrong, then what was done so far."""
    failure, actions = convergence.failure, convergence.resource.journal.actions
    if failure.api_error is not None:
        intro = failure.intro
        if actions:
            intro = "%s (done so far: %s)" % (intro or "the task", "; ".join(actions))
        return task.error_text(failure.api_error, intro)
    text = failure.msg
    if actions:
        text += "; done so far: %s" % "; ".join(actions)
    return text


def failed(task, convergence):
    """``(message, result)`` of a one-resource task that failed (the API error's details included)."""
    result = _last_seen(convergence)
    api_error = convergence.failure.api_error
    if api_error is not None:
        result["api_error"] = api_error.as_dict()
    return _failure_message(task, convergence), result


def _last_seen(convergence):
    """The return keys of a resource that failed: what it last looked like, what was done."""
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


def batch(task, convergences):
    """``(message, result)`` of a batch: one ``resources`` entry per convergence, in order, and the
    diffs of those that converged; ``message`` names each failed resource (None when none failed)."""
    entries, diffs, failures = [], [], []
    for convergence in convergences:
        resource = convergence.resource
        if convergence.failure is None:
            view = convergence.view
            entries.append(dict(resource.batch_entry(view), changed=convergence.changed, failed=False, msg="",
                                actions=convergence.actions, **view))
            diffs.append(dict(before_header=resource.label, after_header=resource.label,
                              before=convergence.diff_before, after=convergence.after))
            continue
        msg = _failure_message(task, convergence)
        view = dict((key, value) for key, value in _last_seen(convergence).items() if key not in ("changed", "actions"))
        entries.append(dict(resource.batch_entry(view), changed=resource.journal.changed, failed=True, msg=msg,
                            actions=resource.journal.actions, **view))
        failures.append(msg if msg.startswith(resource.label) else "%s: %s" % (resource.label, msg))
    result = dict(changed=any(entry["changed"] for entry in entries), resources=entries)
    if task.diff:
        result["diff"] = diffs
    if not failures:
        return None, result
    return "%d of %d resources failed: %s" % (len(failures), len(entries), " | ".join(failures)), result
