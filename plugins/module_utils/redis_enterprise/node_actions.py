# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Redis Enterprise node actions (``/v1/nodes/{uid}/actions/{action}``) shared by
``re_node_action`` and ``re_node_action_info``: which options belong to which
action, reading actions and node state tolerantly, and how a wait classifies
an action's status; the ``re_node_action`` resources (start an action, cancel one)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, to_int
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import read_action_list, to_uid
from ansible_collections.redisops.platform.plugins.module_utils._resource import NOTHING_DONE, Plan, PlanError, Resource, Step, step_class
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import NamesItsCluster, RedisEnterpriseClient

# The body options each action accepts (the module's option names are the API's field names).
ACTION_OPTIONS = {
    "maintenance_on": ("overwrite_snapshot", "evict_ha_replica", "evict_active_active_replica", "evict_dbs"),
    "maintenance_off": ("snapshot_name", "skip_shards_restore"),
    "remove": ("wait_for_persistence",),
    "enslave_node": (),
}
ACTION_NAMES = ("remove", "maintenance_on", "maintenance_off", "enslave_node")
ALL_ACTION_OPTIONS = tuple(option for name in ACTION_NAMES for option in ACTION_OPTIONS[name])

IN_PROGRESS_STATUSES = ("queued", "starting", "running")
CANCELLING = "cancelling"
COMPLETED = "completed"
CANCELLED = "cancelled"
FAILED_STATUSES = ("failed", "aborted", "cancelled")
FINISHED_STATUSES = (COMPLETED,) + FAILED_STATUSES
REPLICA_ROLES = ("slave", "replica")


def node_path(uid):
    return "/v1/nodes/%s" % uid


def action_path(uid=None, action=None):
    if uid is None:
        return "/v1/nodes/actions"
    if action is None:
        return "/v1/nodes/%s/actions" % uid
    return "/v1/nodes/%s/actions/%s" % (uid, action)


def node_uid_errors(uid):
    """Node uids are positive integers; a wrong one must not read as "already removed"."""
    if uid is not None and uid < 1:
        return ["node_uid must be a positive integer, the uid of a node of the cluster (got %d)" % uid]
    return []


def misplaced_options(action, params):
    """Options set in ``params`` that belong to another action than ``action``."""
    own = ACTION_OPTIONS[action]
    return [option for option in ALL_ACTION_OPTIONS if option not in own and params.get(option) is not None]


def owner_of(option):
    for name in ACTION_NAMES:
        if option in ACTION_OPTIONS[name]:
            return name
    return None


def action_body(action, params):
    """The POST body: the action's options that are set, ``{}`` when none is. Every action
    POST carries a JSON object (servers since 5.4.2 answer 400 to one without)."""
    return dict((option, params[option]) for option in ACTION_OPTIONS[action] if params.get(option) is not None)


def action_error(action):
    """``(error_code, error_message)`` of an action, whichever field names the server used."""
    action = action or {}
    error = action.get("error")
    code = action.get("error_code")
    message = action.get("error_message") or action.get("description") or action.get("message")
    if isinstance(error, dict):
        code = code or error.get("code") or error.get("error_code")
        message = message or error.get("message") or error.get("description")
    elif error and not message:
        message = str(error)
    return (str(code) if code else None), (str(message) if message else None)


def normalize_action(raw, name=None, node_uid=None):
    """An action object with ``name``, ``node_uid`` (str), ``status``, ``progress`` (int)
    and ``task_id`` always present; other fields the server sent are kept."""
    action = dict(raw) if isinstance(raw, dict) else {}
    action["name"] = action.get("name") or action.get("action") or name
    uid = action.get("node_uid")
    action["node_uid"] = to_uid(uid if uid not in (None, "") else node_uid)
    status = action.get("status")
    action["status"] = str(status).lower() if status is not None else None
    action["progress"] = to_int(action.get("progress"))
    action["task_id"] = action.get("task_id") or action.get("action_uid")
    code, message = action_error(action)
    if code or message:
        action["error_code"] = code
        action["error_message"] = message
    return action


def describe_action(action):
    """``status running, progress 40%`` (plus the error, when there is one)."""
    text = "status %s" % (action.get("status") or "unknown")
    if action.get("progress") is not None:
        text += ", progress %s%%" % action["progress"]
    code, message = action_error(action)
    if code or message:
        text += ", error_code %s" % (code or "unknown")
        if message:
            text += ": %s" % message
    return text


def normalize_node_status(raw, uid):
    """``GET /v1/nodes/{uid}/status`` (or the node object) with ``uid`` as a string and
    ``has_maintenance_snapshot``/``removed`` spelled out."""
    status = dict(raw) if isinstance(raw, dict) else {}
    status["uid"] = to_uid(status.get("uid", uid))
    status.setdefault("role", None)
    if status.get("node_status") is None:
        status["node_status"] = status.get("status")
    status["maintenance_snapshot"] = status.get("maintenance_snapshot") or None
    status["has_maintenance_snapshot"] = bool(status["maintenance_snapshot"])
    status["removed"] = False
    return status


def removed_node_status(uid):
    return dict(uid=to_uid(uid), role=None, node_status=None, maintenance_snapshot=None,
                has_maintenance_snapshot=False, removed=True)


def effect_reached(action, node_status):
    """Whether the node already is as ``action`` would leave it (``node_status`` is
    None for a node that does not exist)."""
    if action == "remove":
        return node_status is None or node_status.get("removed", False)
    if node_status is None:
        return False
    if action == "maintenance_on":
        return node_status["has_maintenance_snapshot"]
    if action == "maintenance_off":
        return not node_status["has_maintenance_snapshot"]
    if action == "enslave_node":
        return str(node_status.get("role") or "").lower() in REPLICA_ROLES
    raise ValueError("unknown node action %r" % action)


def node_summary(node_status):
    """The part of a node's state the actions change, for diffs."""
    node_status = node_status or {}
    return dict(role=node_status.get("role"), node_status=node_status.get("node_status"),
                has_maintenance_snapshot=bool(node_status.get("has_maintenance_snapshot")),
                removed=bool(node_status.get("removed")))


def predicted_summary(action, node_status):
    """``node_summary`` as it will be once ``action`` has completed (for check mode)."""
    after = node_summary(node_status)
    if action == "maintenance_on":
        after["has_maintenance_snapshot"] = True
    elif action == "maintenance_off":
        after["has_maintenance_snapshot"] = False
    elif action == "remove":
        after = node_summary(removed_node_status(None))
    elif action == "enslave_node":
        after["role"] = "slave"
    return after


class NodeActions:
    """Node action and node state calls on a :class:`RedisEnterpriseClient`.

    Look-ups answer None (or an empty list) on 404 instead of raising.
    """

    def __init__(self, client):
        self.client = client

    def http_clients(self):
        return self.client.http_clients()

    def _get_or_none(self, path):
        try:
            return self.client.get(path).data
        except ApiError as error:
            if error.status == 404:
                return None
            raise

    def get(self, uid, action):
        """One action of one node, normalised, or None when the node has none."""
        data = self._get_or_none(action_path(uid, action))
        return None if data is None else normalize_action(data, name=action, node_uid=uid)

    def list(self, uid=None):
        """Every action of every node, or of node ``uid``; bare lists and ``{"actions": [...]}`` alike."""
        data = self._get_or_none(action_path(uid))
        return [normalize_action(item, node_uid=uid) for item in read_action_list(data) if isinstance(item, dict)]

    def start(self, uid, action, body):
        """POST the action; the answer (``{status, task_id}``) as an action object."""
        data = self.client.post(action_path(uid, action), json_body=body).data
        started = normalize_action(data, name=action, node_uid=uid)
        if started["status"] is None:
            started["status"] = "queued"
        return started

    def cancel(self, uid, action):
        """DELETE the action: True when the server accepted, False when it had none (404)."""
        try:
            self.client.delete(action_path(uid, action))
        except ApiError as error:
            if error.status == 404:
                return False
            raise
        return True

    def node_state(self, uid, action):
        """The node's state as ``action`` needs it to decide, or None when the node does
        not exist: ``remove`` reads ``GET /v1/nodes/{uid}`` (404 once removed), the other
        actions ``GET /v1/nodes/{uid}/status`` (role and maintenance snapshot)."""
        path = node_path(uid) if action == "remove" else node_path(uid) + "/status"
        data = self._get_or_none(path)
        return None if data is None else normalize_node_status(data, uid)


# --- the resources ------------------------------------------------------------------------------------
ARGUMENT_SPEC = dict(
    node_uid=dict(type="int", required=True),
    action=dict(type="str", required=True, choices=list(ACTION_NAMES)),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    overwrite_snapshot=dict(type="bool"),
    evict_ha_replica=dict(type="bool"),
    evict_active_active_replica=dict(type="bool"),
    evict_dbs=dict(type="list", elements="str"),
    snapshot_name=dict(type="str"),
    skip_shards_restore=dict(type="bool"),
    wait_for_persistence=dict(type="bool"),
)


def status_of(action):
    return action["status"] if action else None


@step_class
class StartNodeAction(Step):
    """``POST /v1/nodes/{uid}/actions/{action}``. ``seen`` is the action as read before (a
    leftover of an earlier run, not this one); ``node_before`` the node as it was."""

    lost_text: str = "its answer was lost: found it under way"
    uid: int = None
    action: str = None
    body: dict = None
    seen: dict = None
    node_before: dict = None

    def send(self, api):
        return api.start(self.uid, self.action, self.body)

    def ours(self, action):
        """Whether ``action`` is not the leftover seen before (same task, same status)."""
        seen = self.seen
        if action is None:
            return False
        return seen is None or (action.get("task_id"), action["status"]) != (seen.get("task_id"), seen["status"])

    def shows(self, state):
        action = state["action"]
        if self.ours(action) and action["status"] in IN_PROGRESS_STATUSES + (COMPLETED,):
            return True
        return state.get("node") is not None and effect_reached(self.action, state["node"])


@step_class
class CancelNodeAction(Step):
    """``DELETE /v1/nodes/{uid}/actions/{action}``: a 404 found the action already finished."""

    uid: int = None
    action: str = None
    what: str = None

    def send(self, api):
        return True if api.cancel(self.uid, self.action) else NOTHING_DONE

    def nothing_done_text(self):
        return "found %s already finished: nothing to cancel" % self.what

    def shows(self, state):
        return status_of(state["action"]) not in IN_PROGRESS_STATUSES


class NodeActionBase(NamesItsCluster, Resource):
    """What both states share: the node, the action, how they read and show.

    A state is ``{"action": action or None}``, plus ``"node"`` (its status, None when
    the node does not exist) when the node was read. ``api`` is a :class:`NodeActions`.
    The first read also reads the cluster's name, which the result carries.
    """

    client_class = RedisEnterpriseClient

    def __init__(self, task, api, params=None):
        super(NodeActionBase, self).__init__(task, NodeActions(api), params)
        self.uid = self.params["node_uid"]
        self.name = self.params["action"]
        self.what = "%s on node %s" % (self.name, self.uid)
        self.label = self.what

    @classmethod
    def validate(cls, params):
        errors = node_uid_errors(params["node_uid"])
        errors.extend("option %s does not apply to action %s (it belongs to %s)" % (option, params["action"], owner_of(option))
                      for option in misplaced_options(params["action"], params))
        return errors

    @staticmethod
    def state(action, **node):
        return dict(action=action, **node)

    def read(self):
        self.learn_cluster_name(self.api.client)
        return self.read_state()

    def read_state(self):
        raise NotImplementedError

    def read_node(self):
        return self.api.node_state(self.uid, self.name)

    def final(self, state):
        return self.state(state["action"], node=self.read_node())

    def view(self, state):
        action = state["action"]
        shown = dict(action=dict(action, adopted=self.journal.adopted) if action else {}, cluster_name=self.cluster_name)
        if "node" in state:
            shown["node_status"] = state["node"] if state["node"] is not None else removed_node_status(self.uid)
        return shown

    def describe(self, state):
        return describe_action(state["action"] or {})

    def failure_result(self, state):
        code, message = action_error((state or {}).get("action"))
        return dict(error_code=code, error_message=message) if code or message else {}

    def explain(self, error, step):
        if error.status == 403:
            verb = "cancelling" if self.params["state"] == "absent" else "starting"
            return "%s %s needs a user with the admin role (user %r was refused)" % (verb, self.what, self.params.get("username"))
        return None


class NodeAction(NodeActionBase):
    """``state: present``: the node shows the action's effect."""

    def __init__(self, task, api, params=None):
        super(NodeAction, self).__init__(task, api, params)
        self.settling = self.what

    def planned_start(self):
        """The start step of this task's plan (None when it plans none)."""
        plan = self.journal.plan
        return plan.steps[0] if plan and plan.steps else None

    def ours(self, action):
        start = self.planned_start()
        return start is not None and start.ours(action)

    def read_state(self):
        node = self.read_node()
        if effect_reached(self.name, node) or node is None:
            # Nothing to do (or nothing to act on): the action's status is not read.
            return self.state(None, node=node)
        return self.state(self.api.get(self.uid, self.name), node=node)

    def poll(self, step=None):
        action = self.api.get(self.uid, self.name)
        if action is not None:
            return self.state(action)
        # No status: a removed node may take its action results with it, or someone cleared them.
        node = self.read_node()
        if effect_reached(self.name, node):
            return self.state(normalize_action(dict(status=COMPLETED, progress=100), self.name, self.uid), node=node)
        return self.state(normalize_action(dict(status="not_found"), self.name, self.uid), node=node)

    def plan(self, state):
        node, action = state["node"], state["action"]
        if node is None and self.name != "remove":
            raise PlanError("node %s does not exist in the cluster (GET /v1/nodes/%s/status returned 404)" % (self.uid, self.uid))
        if effect_reached(self.name, node):
            return Plan()
        if status_of(action) in IN_PROGRESS_STATUSES:
            return Plan(adopting=True)  # the same action is under way: follow it, never stack another
        step = StartNodeAction(text="started " + self.what, waiting_for=self.what, settle_text="the cancellation of " + self.what,
                               uid=self.uid, action=self.name, body=action_body(self.name, self.params), seen=action,
                               node_before=node)
        predicted = dict(action=dict(normalize_action({}, self.name, self.uid), adopted=False), node_status=node,
                         cluster_name=self.cluster_name)
        return Plan([step], after=predicted_summary(self.name, node), predicted=predicted)

    def unwaited(self, last):
        # The action as the POST answered (or as last read, when adopted) and the node as it was.
        started = self.journal.of_type(StartNodeAction)
        answer = started[-1].result if started else None
        return self.state(answer or last["action"], node=self.planned_start().node_before)

    def progress(self, state):
        action = state["action"]
        if self.ours(action) and action["status"] in IN_PROGRESS_STATUSES and action.get("progress") is not None:
            return action["progress"] / 100.0
        return None

    def ready(self, state):
        return status_of(state["action"]) not in IN_PROGRESS_STATUSES + (CANCELLING,)

    def failed(self, state):
        action = state["action"]
        return self.ours(action) and action["status"] in FAILED_STATUSES

    def comparable(self, state):
        node = state.get("node")
        return node_summary(node if node is not None else removed_node_status(self.uid))


class NodeActionCancel(NodeActionBase):
    """``state: absent``: no action of this name is queued or running on the node."""

    def __init__(self, task, api, params=None):
        super(NodeActionCancel, self).__init__(task, api, params)
        self.settling = "the cancellation of " + self.what

    def read_state(self):
        action = self.api.get(self.uid, self.name)
        if status_of(action) in IN_PROGRESS_STATUSES:
            return self.state(action)  # a DELETE follows: the node is read once it is over
        return self.state(action, node=self.read_node())

    def poll(self, step=None):
        action = self.api.get(self.uid, self.name)
        return self.state(action or normalize_action(dict(status=CANCELLED), self.name, self.uid))

    def plan(self, state):
        status = status_of(state["action"])
        if status not in IN_PROGRESS_STATUSES:
            return Plan(adopting=status == CANCELLING)
        # Check mode shows the node as it is now (it is read only then: a DELETE follows otherwise).
        predicted = self.view(self.state(state["action"], node=self.read_node())) if self.task.check_mode else None
        step = CancelNodeAction(text="cancelled " + self.what, waiting_for=self.settling, uid=self.uid, action=self.name, what=self.what)
        return Plan([step], after=dict(status=CANCELLED), predicted=predicted)

    def writable(self, step, state):
        return status_of(state["action"]) in IN_PROGRESS_STATUSES  # a DELETE needs something to cancel

    def ready(self, state):
        return state["action"] is None or status_of(state["action"]) in FINISHED_STATUSES

    def final(self, state):
        status = status_of(state["action"])
        accepted = any(outcome.changed for outcome in self.journal.of_type(CancelNodeAction))
        # A cancellation that was under way (ours or adopted) and did not end cancelled.
        if status != CANCELLED and (self.journal.adopted or accepted):
            self.task.warn("%s ended %s before it could be cancelled" % (self.what, status))
        return super(NodeActionCancel, self).final(state)

    def comparable(self, state):
        return dict(status=status_of(state["action"]))
