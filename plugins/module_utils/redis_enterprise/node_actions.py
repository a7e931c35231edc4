# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Redis Enterprise node actions (``/v1/nodes/{uid}/actions/{action}``) shared by
``re_node_action`` and ``re_node_action_info``: which options belong to which
action, reading actions and node state tolerantly, and how a wait classifies
an action's status."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, to_int
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import read_action_list, to_uid
from ansible_collections.redisops.platform.plugins.module_utils._wait import DONE, FAILED, PENDING

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


def classify_action(action):
    """completed -> DONE; failed, aborted, cancelled -> FAILED; anything else (known
    in-progress statuses and unknown ones) -> keep polling."""
    status = action.get("status")
    if status == COMPLETED:
        return DONE
    if status in FAILED_STATUSES:
        return FAILED
    return PENDING


def classify_cancel(action):
    """A cancellation is over once the action has stopped, however it ended."""
    return DONE if action.get("status") in FINISHED_STATUSES else PENDING


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
