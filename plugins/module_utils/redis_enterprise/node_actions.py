# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Redis Enterprise node actions (``/v1/nodes/{uid}/actions/{action}``) shared by
``re_node_action`` and ``re_node_action_info``: one object per action (its body
options, the node state it reads, the effect that shows it, the node it predicts),
the client that reads actions and node state tolerantly, how a wait classifies an
action's status, and the ``re_node_action`` resources (start an action, cancel one)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, to_int
from ansible_collections.redisops.platform.plugins.module_utils._resource import NOTHING_DONE, Plan, PlanError, Resource, Step, step_class
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient, read_action_list, to_uid
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.identity import NamesItsCluster
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.nodes import (
    node_path,
    node_status_path,
    normalize_node_status,
    read_or_none,
    removed_node_status,
)

IN_PROGRESS_STATUSES = ("queued", "starting", "running")
CANCELLING = "cancelling"
COMPLETED = "completed"
CANCELLED = "cancelled"
FAILED_STATUSES = ("failed", "aborted", "cancelled")
FINISHED_STATUSES = (COMPLETED,) + FAILED_STATUSES
REPLICA_ROLES = ("slave", "replica")


def node_summary(node_status):
    """The part of a node's state the actions change, for diffs."""
    node_status = node_status or {}
    return dict(role=node_status.get("role"), node_status=node_status.get("node_status"),
                has_maintenance_snapshot=bool(node_status.get("has_maintenance_snapshot")),
                removed=bool(node_status.get("removed")))


class NodeActionKind:
    """One node action: the body options it takes (the module's option names are the API's field
    names), where the node state that shows it is read, the effect that shows it happened and the
    node as it will be once it has.

    A node state is :func:`normalize_node_status`'s, None for a node that does not exist.
    """

    name = None
    options = ()
    #: What the action changes in :func:`node_summary` (the predicted state).
    effect = {}

    def state_path(self, uid):
        """Where the node state this action needs is read."""
        return node_status_path(uid)

    def shows(self, node):
        """Whether an existing node shows the action's effect."""
        raise NotImplementedError

    def done(self, node):
        """Whether the node already is as the action would leave it."""
        return node is not None and self.shows(node)

    def absent(self, uid, warn):
        """A node the cluster does not have (its state read 404): nothing to act on, which fails the task."""
        raise PlanError("node %s does not exist in the cluster (GET %s returned 404)" % (uid, self.state_path(uid)))

    def predicted(self, node):
        """:func:`node_summary` of the node once the action has completed (check mode's after)."""
        return dict(node_summary(node), **self.effect)

    def body(self, params):
        """The POST body: the action's options that are set, ``{}`` when none is. Every action
        POST carries a JSON object (servers since 5.4.2 answer 400 to one without)."""
        return dict((option, params[option]) for option in self.options if params.get(option) is not None)


class MaintenanceOn(NodeActionKind):
    """A node in maintenance holds a maintenance snapshot (a second one would stack: never sent)."""

    name = "maintenance_on"
    options = ("overwrite_snapshot", "evict_ha_replica", "evict_active_active_replica", "evict_dbs")
    effect = dict(has_maintenance_snapshot=True)

    def shows(self, node):
        return node["has_maintenance_snapshot"]


class MaintenanceOff(NodeActionKind):
    name = "maintenance_off"
    options = ("snapshot_name", "skip_shards_restore")
    effect = dict(has_maintenance_snapshot=False)

    def shows(self, node):
        return not node["has_maintenance_snapshot"]


class Remove(NodeActionKind):
    """A removed node is gone: ``GET /v1/nodes/{uid}`` answers 404."""

    name = "remove"
    options = ("wait_for_persistence",)

    def state_path(self, uid):
        return node_path(uid)

    def shows(self, node):
        return node.get("removed", False)

    def done(self, node):
        return node is None or self.shows(node)

    def absent(self, uid, warn):
        # No node is what a removal leaves, so nothing is sent; but a uid the cluster never had (a typo)
        # reads the same 404, and the API keeps no trace of removed nodes to tell the two apart.
        warn("node %s is not a member of the cluster (GET %s answered 404): it was either already removed or never a "
             "member; nothing was sent. Check node_uid if you expected node %s in the cluster" % (uid, self.state_path(uid), uid))

    def predicted(self, node):
        return node_summary(removed_node_status(None))


class EnslaveNode(NodeActionKind):
    name = "enslave_node"
    effect = dict(role="slave")

    def shows(self, node):
        return str(node.get("role") or "").lower() in REPLICA_ROLES


#: Every node action by name, in the order the module documents them.
NODE_ACTIONS = dict((kind.name, kind) for kind in (Remove(), MaintenanceOn(), MaintenanceOff(), EnslaveNode()))
ACTION_NAMES = tuple(NODE_ACTIONS)
ALL_ACTION_OPTIONS = tuple(option for kind in NODE_ACTIONS.values() for option in kind.options)
#: The action each body option belongs to.
OPTION_OWNERS = dict((option, kind.name) for kind in NODE_ACTIONS.values() for option in kind.options)


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
    return [option for option in ALL_ACTION_OPTIONS if OPTION_OWNERS[option] != action and params.get(option) is not None]


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


class NodeActionsClient(RedisEnterpriseClient):
    """The node action and node state calls of a node's REST API.

    Look-ups answer None (or an empty list) on 404 instead of raising.
    """

    def action(self, uid, name):
        """One action of one node, normalised, or None when the node has none."""
        data = read_or_none(self, action_path(uid, name))
        return None if data is None else normalize_action(data, name=name, node_uid=uid)

    def actions(self, uid=None):
        """Every action of every node, or of node ``uid``; bare lists and ``{"actions": [...]}`` alike."""
        data = read_or_none(self, action_path(uid))
        return [normalize_action(item, node_uid=uid) for item in read_action_list(data) if isinstance(item, dict)]

    def start_action(self, uid, name, body):
        """POST the action; the answer (``{status, task_id}``) as an action object."""
        data = self.post(action_path(uid, name), json_body=body).data
        started = normalize_action(data, name=name, node_uid=uid)
        if started["status"] is None:
            started["status"] = "queued"
        return started

    def cancel_action(self, uid, name):
        """DELETE the action: True when the server accepted, False when it had none (404)."""
        try:
            self.delete(action_path(uid, name))
        except ApiError as error:
            if error.status == 404:
                return False
            raise
        return True

    def node_state(self, uid, kind):
        """The node's state as the action ``kind`` needs it to decide (:meth:`NodeActionKind.state_path`),
        or None when the node does not exist."""
        data = read_or_none(self, kind.state_path(uid))
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
    kind: NodeActionKind = None
    body: dict = None
    seen: dict = None
    node_before: dict = None

    def send(self, api):
        return api.start_action(self.uid, self.kind.name, self.body)

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
        return state.get("node") is not None and self.kind.done(state["node"])


@step_class
class CancelNodeAction(Step):
    """``DELETE /v1/nodes/{uid}/actions/{action}``: a 404 found the action already finished."""

    uid: int = None
    action: str = None
    what: str = None

    def send(self, api):
        return True if api.cancel_action(self.uid, self.action) else NOTHING_DONE

    def nothing_done_text(self):
        return "found %s already finished: nothing to cancel" % self.what

    def shows(self, state):
        return status_of(state["action"]) not in IN_PROGRESS_STATUSES


class NodeActionBase(NamesItsCluster, Resource):
    """What both states share: the node, the action, how they read and show.

    A state is ``{"action": action or None}``, plus ``"node"`` (its status, None when
    the node does not exist) when the node was read. The first read also reads the cluster's
    name, which the result carries.
    """

    client_class = NodeActionsClient

    def __init__(self, task, api, params=None):
        super(NodeActionBase, self).__init__(task, api, params)
        self.uid = self.params["node_uid"]
        self.name = self.params["action"]
        self.kind = NODE_ACTIONS[self.name]
        self.what = "%s on node %s" % (self.name, self.uid)
        self.label = self.what

    @classmethod
    def validate(cls, params):
        errors = node_uid_errors(params["node_uid"])
        errors.extend("option %s does not apply to action %s (it belongs to %s)" % (option, params["action"], OPTION_OWNERS[option])
                      for option in misplaced_options(params["action"], params))
        return errors

    @staticmethod
    def state(action, **node):
        return dict(action=action, **node)

    def read(self):
        self.learn_cluster_name(self.api)
        return self.read_state()

    def read_state(self):
        raise NotImplementedError

    def read_node(self):
        return self.api.node_state(self.uid, self.kind)

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
        if self.kind.done(node) or node is None:
            # Nothing to do (or nothing to act on): the action's status is not read.
            return self.state(None, node=node)
        return self.state(self.api.action(self.uid, self.name), node=node)

    def poll(self, step=None):
        action = self.api.action(self.uid, self.name)
        if action is not None:
            return self.state(action)
        # No status: a removed node may take its action results with it, or someone cleared them.
        node = self.read_node()
        if self.kind.done(node):
            return self.state(normalize_action(dict(status=COMPLETED, progress=100), self.name, self.uid), node=node)
        return self.state(normalize_action(dict(status="not_found"), self.name, self.uid), node=node)

    def plan(self, state):
        node, action = state["node"], state["action"]
        if node is None:
            self.kind.absent(self.uid, self.task.warn)
            return Plan()
        if self.kind.done(node):
            return Plan()
        if status_of(action) in IN_PROGRESS_STATUSES:
            return Plan(adopting=True)  # the same action is under way: follow it, never stack another
        step = StartNodeAction(text="started " + self.what, waiting_for=self.what, settle_text="the cancellation of " + self.what,
                               uid=self.uid, kind=self.kind, body=self.kind.body(self.params), seen=action,
                               node_before=node)
        predicted = dict(action=dict(normalize_action({}, self.name, self.uid), adopted=False), node_status=node,
                         cluster_name=self.cluster_name)
        return Plan([step], after=self.kind.predicted(node), predicted=predicted)

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
        action = self.api.action(self.uid, self.name)
        if status_of(action) in IN_PROGRESS_STATUSES:
            return self.state(action)  # a DELETE follows: the node is read once it is over
        return self.state(action, node=self.read_node())

    def poll(self, step=None):
        action = self.api.action(self.uid, self.name)
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
