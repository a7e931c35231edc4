# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The databases of a recovered Redis Enterprise cluster, recovered (``re_database_recovery``).

The state is the cluster's databases (``GET /v1/bdbs``, their passwords dropped at once) and, for
those in status ``recovery``, their recovery plans (``GET /v1/bdbs/{uid}/actions/recover``) and
the recoveries under way (``GET /v1/actions``). The plan is one recovery per database
(``POST /v1/bdbs/{uid}/actions/recover``), sent one after the other; each is waited for through
its action (``GET /v1/actions/{action_uid}``), then the database until it is ``active``. A plan
that is not ``ready`` (``missing-files``) refuses the whole task before any write unless
``recover_without_data``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError
from ansible_collections.redisops.platform.plugins.module_utils._resource import Plan, PlanError, Resource, Step, step_class
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient, to_uid
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.health import (
    ENDED_ACTION_STATUSES,
    SECRET_FIELDS,
    select_databases,
)

DEFAULT_WAIT_TIMEOUT = 1800
DATABASES_PATH = "/v1/bdbs"
RECOVER_PATH = "/v1/bdbs/%s/actions/recover"
ACTIONS_PATH = "/v1/actions"
ACTION_PATH = "/v1/actions/%s"
IN_RECOVERY = "recovery"
ACTIVE = "active"
READY = "ready"
FAILED_ACTION_STATUSES = ("failed", "aborted", "cancelled", "error")
#: What a 409 says when the recovery cannot be sent as it is (not "busy": reading again changes nothing).
REFUSED_CODES = ("missing_files",)

ARGUMENT_SPEC = dict(
    databases=dict(type="list", elements="str"),
    recover_without_data=dict(type="bool", default=False),
    ignore_errors=dict(type="bool"),
)


def database_summary(item):
    """What the task keeps of a database object: never its passwords."""
    return dict((key, value) for key, value in item.items() if key not in SECRET_FIELDS)


def recovery_of(actions, uid):
    """The recovery action (state machine) of database ``uid`` in ``GET /v1/actions``'s answer, or None."""
    entries = []
    if isinstance(actions, dict):
        entries = list(actions.get("state-machines") or []) + list(actions.get("actions") or [])
    elif isinstance(actions, list):
        entries = actions
    found = None
    for entry in entries:
        if isinstance(entry, dict) and entry.get("object_name") == "bdb:%s" % uid and "recover" in str(entry.get("name", "")).lower():
            found = entry  # the newest last
    return found


def running(action):
    return action is not None and str(action.get("status") or "").lower() not in ENDED_ACTION_STATUSES


def action_failed(action):
    return action is not None and str(action.get("status") or "").lower() in FAILED_ACTION_STATUSES


class RecoveryState:
    """``databases``: uid -> the database (passwords dropped), in the order listed; ``plans``: uid ->
    its recovery plan (databases in recovery); ``actions``: uid -> its recovery action, as last read."""

    def __init__(self, databases, plans=None, actions=None):
        self.databases = databases
        self.plans = dict(plans or {})
        self.actions = dict(actions or {})

    def status(self, uid):
        database = self.databases.get(uid)
        return database.get("status") if database else None


@step_class
class RecoverDatabase(Step):
    """``POST /v1/bdbs/{uid}/actions/recover``; ``body`` is ``{}`` or the options that apply."""

    lost_text: str = "its answer was lost: found it under way"
    uid: str = None
    body: dict = None

    def send(self, api):
        answer = api.post(RECOVER_PATH % self.uid, json_body=self.body).data
        return to_uid((answer or {}).get("action_uid"))

    def shows(self, state):
        return state.status(self.uid) != IN_RECOVERY or running(state.actions.get(self.uid))


class DatabaseRecovery(Resource):
    """The databases in recovery (or those of ``databases``) and their recovery plans."""

    client_class = RedisEnterpriseClient
    label = "database recovery"
    settling = "the database recoveries under way to end"

    def __init__(self, task, api, params=None):
        super(DatabaseRecovery, self).__init__(task, api, params)
        self.before = {}  # uid -> status at the first read
        self.selected = None  # the uids the task is about, in order (made at the first read)
        self.followed = set()  # uids whose recovery was found under way: waited for, never started again
        self.plans = {}  # uid -> its recovery plan, as read before any write
        self.cluster_name = None  # read once, only when there is something to recover

    @classmethod
    def validate(cls, params):
        problems = []
        if params.get("databases") is not None and not params["databases"]:
            problems.append("databases must name at least one database (uid or name); omit it for every database in recovery")
        if params.get("wait_timeout") is not None and params["wait_timeout"] <= 0:
            problems.append("wait_timeout must be a number of seconds greater than 0")
        return problems

    @classmethod
    def invalid_message(cls, errors):
        return "Invalid options (nothing was sent): %s" % "; ".join(errors)

    # --- reading -------------------------------------------------------------------------------------------
    def _databases(self):
        listed = [item for item in self.api.get(DATABASES_PATH).data or [] if isinstance(item, dict)]
        return [database_summary(item) for item in listed]

    def _select(self, listed):
        if self.params.get("databases") is None:
            return [to_uid(d.get("uid")) for d in listed if d.get("status") == IN_RECOVERY]
        selected, unknown = select_databases(listed, self.params["databases"])
        if unknown:
            raise PlanError("Refusing to recover (nothing was changed): databases: %s match no database of the cluster (it has: %s)"
                            % (", ".join(unknown), ", ".join("%s (uid %s)" % (d.get("name"), d.get("uid")) for d in listed) or "none"))
        return [to_uid(d.get("uid")) for d in selected]

    def read(self):
        listed = self._databases()
        databases = dict((to_uid(d.get("uid")), d) for d in listed)
        if self.selected is None:
            self.selected = self._select(listed)
            self.before = dict((uid, databases[uid].get("status")) for uid in self.selected)
        in_recovery = [uid for uid in self.selected if databases.get(uid, {}).get("status") == IN_RECOVERY]
        if not in_recovery:
            return RecoveryState(databases)  # nothing to recover: the list was the one request
        if self.cluster_name is None:
            self.cluster_name = self.api.cluster_name_if_known()  # names the cluster in results (and AAP's node counting)
        actions = self.api.get(ACTIONS_PATH).data
        found = dict((uid, recovery_of(actions, uid)) for uid in in_recovery)
        plans = dict((uid, self.api.get(RECOVER_PATH % uid).data or {}) for uid in in_recovery if not running(found[uid]))
        return RecoveryState(databases, plans, found)

    def poll(self, step=None):
        # The recovery under way through its own action when its uid is known, else through the list.
        action_uid = self._action_uid(step)
        databases = dict((to_uid(d.get("uid")), d) for d in self._databases())
        if action_uid is not None:
            try:
                actions = {step.uid: self.api.get(ACTION_PATH % action_uid).data}
            except ApiError as error:
                if error.status != 404:
                    raise
                actions = {}  # an action the cluster no longer lists has ended; the database says how
        else:
            listed = self.api.get(ACTIONS_PATH).data
            actions = dict((uid, recovery_of(listed, uid)) for uid in self.selected)
        return RecoveryState(databases, self.plans, actions)

    def _action_uid(self, step):
        if not isinstance(step, RecoverDatabase):
            return None
        for outcome in self.journal.of_type(RecoverDatabase):
            if outcome.step is step and outcome.result:
                return outcome.result
        return None

    # --- deciding ------------------------------------------------------------------------------------------
    def plan(self, state):
        self.plans = state.plans
        self.followed = set(uid for uid in self.selected if running(state.actions.get(uid)))
        refused, steps = [], []
        for uid in self.selected:
            if state.status(uid) != IN_RECOVERY or uid in self.followed:
                continue
            plan = state.plans.get(uid, {})
            ready = plan.get("status") == READY
            if not ready and not self.params["recover_without_data"]:
                refused.append(uid)
                continue
            body = {}
            if not ready:
                body["recover_without_data"] = True
            if self.params.get("ignore_errors") is not None:
                body["ignore_errors"] = self.params["ignore_errors"]
            steps.append(RecoverDatabase(text=self._done_text(state, uid, ready), waiting_for="the recovery of %s" % self._name(state, uid),
                                         uid=uid, body=body, settle_text="the recoveries under way to end before recovering %s"
                                         % self._name(state, uid)))
        if refused:
            message = self._refusal(state, refused)
            if not self.task.check_mode:
                raise PlanError(message)
            self.task.warn(message)
        planned = set(step.uid for step in steps)
        return Plan(steps, after=self._comparable(state, planned), predicted=self._view(state, planned),
                    adopting=bool(self.followed))

    def _name(self, state, uid):
        return "database %r (uid %s)" % (state.databases.get(uid, {}).get("name"), uid)

    def _done_text(self, state, uid, ready):
        if ready:
            return "recovered %s with its data" % self._name(state, uid)
        return "recovered %s without its data (its recovery plan was %s)" % (self._name(state, uid), state.plans[uid].get("status"))

    def _refusal(self, state, uids):
        named = []
        for uid in uids:
            plan = state.plans.get(uid, {})
            found = set(str(f.get("shard_uid")) for f in plan.get("data_files") or [] if isinstance(f, dict))
            shards = [str(s) for s in state.databases[uid].get("shard_list") or [] if str(s) not in found]
            missing = "; the files of shards %s are missing" % ", ".join(shards) if shards else ""
            named.append("%s: its recovery plan is %s%s" % (self._name(state, uid), plan.get("status") or "unknown", missing))
        return ("Refusing to recover (nothing was changed): %s. Restore the missing files, or set recover_without_data to recover "
                "the configuration of %s without its data (the data is lost)" % ("; ".join(named), "it" if len(uids) == 1 else "them"))

    def ready(self, state):
        if not self.params["wait"]:
            return True  # without wait, a recovery seen under way is enough to start the next one
        if any(running(state.actions.get(uid)) for uid in self.selected):
            return False
        waited = self.followed | set(outcome.step.uid for outcome in self.journal.of_type(RecoverDatabase))
        return all(state.status(uid) == ACTIVE for uid in waited)

    def failed(self, state):
        return self._failed_uid(state) is not None

    def _failed_uid(self, state):
        for uid in self.selected:
            if action_failed(state.actions.get(uid)) and state.status(uid) == IN_RECOVERY:
                return uid
        return None

    def writable(self, step, state):
        return not running(state.actions.get(step.uid)) and state.status(step.uid) == IN_RECOVERY

    def ambiguity(self, error):
        if error.status == 409 and str(error.code) in REFUSED_CODES:
            return None
        return super(DatabaseRecovery, self).ambiguity(error)

    # --- showing --------------------------------------------------------------------------------------------
    def _entry(self, state, uid, predicted=False):
        plan = self.plans.get(uid) or state.plans.get(uid) or {}
        sent = [outcome for outcome in self.journal.of_type(RecoverDatabase) if outcome.step.uid == uid]
        return dict(uid=int(uid) if uid.isdigit() else uid, name=state.databases.get(uid, {}).get("name"),
                    status_before=self.before.get(uid), plan_status=plan.get("status"),
                    data_files=list(plan.get("data_files") or []), changed=predicted or any(o.changed for o in sent),
                    status=ACTIVE if predicted else state.status(uid))

    def _view(self, state, planned=()):
        return dict(cluster_name=self.cluster_name, databases=[self._entry(state, uid, uid in planned) for uid in self.selected])

    def view(self, state):
        return self._view(state)

    def _comparable(self, state, planned=()):
        return dict(databases=[dict(uid=uid, name=state.databases.get(uid, {}).get("name"),
                                    status=ACTIVE if uid in planned else state.status(uid)) for uid in self.selected])

    def comparable(self, state):
        return self._comparable(state)

    def describe(self, state):
        parts = []
        for uid in self.selected:
            action = state.actions.get(uid)
            text = "%s status %s" % (self._name(state, uid), state.status(uid))
            if action is not None:
                text += ", recovery %s %s" % (action.get("action_uid"), action.get("status"))
            parts.append(text)
        return "; ".join(parts) or "no database in recovery"

    def failure_message(self, error, what):
        uid = None if error.timed_out or error.last is None else self._failed_uid(error.last)
        if uid is None:
            return error.message
        action = error.last.actions[uid]
        return "the recovery of %s ended %s%s" % (self._name(error.last, uid), action.get("status"),
                                                  ": %s" % action["error"] if action.get("error") else "")

    def explain(self, error, step):
        if step is None:
            return "Refusing to recover (nothing was changed): the databases cannot be read" if not self.journal.changed else None
        return "the recovery of database uid %s" % step.uid
