# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""MemStore manual backups as a resource of the runner, and the one reader of the backups that
memstore_backup and memstore_backup_info share.

A backup belongs to an instance set or a cluster (the API addresses both as clusters:
``clusterId``). The runner's state is the backup (a listed item, normalised) or None; the
resource backed up is read beside it, only when a backup is to be taken (its status, its nodes,
and the backups of it in progress come from the same reads).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError
from ansible_collections.redisops.platform.plugins.module_utils._resource import BUSY_ANSWER, Plan, PlanError, Resource, Step, step_class
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import (
    MODE_DISABLED,
    MODE_ENABLED,
    MemStoreClient,
    is_busy,
    is_busy_answer,
    is_failed,
    is_running,
    normalize_mode,
    normalize_status,
)
from ansible_collections.redisops.platform.plugins.module_utils.memstore.cluster import Cluster
from ansible_collections.redisops.platform.plugins.module_utils.memstore.instance_set import InstanceSet
from ansible_collections.redisops.platform.plugins.module_utils.memstore.paths import BACKUP_PATH, BACKUPS_PATH, DELETED
from ansible_collections.redisops.platform.plugins.module_utils.memstore.rules import backup_name_errors, name_errors

# --- What the API answers. Documented: POST /v1/backups {clusterId, name} -> 201 {objectId}, 409 while
# another backup of the resource runs; GET /v1/backups?clusterName=&clusterId= -> {"backups": [{id, name,
# projectId, clusterName, clusterId, clusterMode, ...}]}. Assumed, and read tolerantly: a ``status`` that
# moves to Available (or Failed), ``createdAt``, DELETE /v1/backups/{id}, names unique in a project
# (an instance set is restored from a backup by its name alone).
LIST_KEYS = ("backups", "data", "items")
_AVAILABLE = frozenset(["available", "completed", "complete", "success", "succeeded"])

#: The option that names the resource backed up -> its resource class (mode, noun, members).
TARGETS = (("instance_set", InstanceSet), ("cluster", Cluster))
KIND_OF_MODE = {MODE_DISABLED: "instance_set", MODE_ENABLED: "cluster"}
ARTICLED = {"instance_set": "an instance set (cluster mode disabled)", "cluster": "a cluster (cluster mode enabled)"}


def is_available(status):
    return normalize_status(status) in _AVAILABLE


def normalize_backup(item):
    """A listed backup with ``id``, ``name``, ``clusterId``, ``clusterName``, ``clusterMode`` (normalised) and ``status``."""
    item = dict(item or {})
    item["id"] = item.get("id") or item.get("objectId") or item.get("backupId")
    item["name"] = item.get("name") or item.get("backupName")
    item["clusterId"] = item.get("clusterId") or item.get("instanceSetId")
    item["clusterName"] = item.get("clusterName") or item.get("instanceSetName")
    item["clusterMode"] = normalize_mode(item.get("clusterMode"))
    return item


def list_backups(api, cluster_name=None, cluster_id=None):
    """The project's backups (one request), those of one resource with ``cluster_name`` or ``cluster_id``
    (the API's filters, applied here too: a server that ignores them still answers right)."""
    params = dict((key, value) for key, value in (("clusterName", cluster_name), ("clusterId", cluster_id)) if value)
    items = [normalize_backup(item) for item in api.get(BACKUPS_PATH, params=params or None).list_of(LIST_KEYS, "backups")]
    return [item for item in items if all(item[key] == value for key, value in params.items())]


def by_name_or_id(value):
    """``(name, id)`` of a resource given as ``value``: a name when it follows the naming rules, else an id."""
    return (value, None) if not name_errors(value) else (None, value)


def read_backups(api, kind=None, resource=None, name=None):
    """What memstore_backup_info returns: the backups of ``resource`` (a name or an id) of ``kind``
    (``instance_set`` or ``cluster``; None: both), called ``name`` when given, as views."""
    cluster_name, cluster_id = by_name_or_id(resource) if resource else (None, None)
    found = []
    for item in list_backups(api, cluster_name=cluster_name, cluster_id=cluster_id):
        if (kind is None or KIND_OF_MODE.get(item["clusterMode"], kind) == kind) and (name is None or item["name"] == name):
            found.append(present_backup(item))
    return found


def present_backup(item):
    """The ``backup`` dict the modules return."""
    return dict(
        id=item.get("id"),
        name=item.get("name"),
        status=item.get("status"),
        created_at=item.get("createdAt"),
        kind=KIND_OF_MODE.get(item.get("clusterMode")),
        resource_id=item.get("clusterId"),
        resource_name=item.get("clusterName"),
        cluster_mode=item.get("clusterMode"),
        project_id=item.get("projectId"),
        version=item.get("version"),
    )


def _node_groups(resource_class, members):
    """``[(shard or None, [roles])]``: an instance set's instances as one group, or each shard's nodes."""
    if resource_class is Cluster:
        return [(shard.get("name") or shard.get("id"), [node["role"] for node in shard["nodes"]]) for shard in members]
    return [(None, [instance["role"] for instance in members])]


# --- steps ---------------------------------------------------------------------------------------------------
@step_class
class CreateBackup(Step):
    """``POST /v1/backups``. Names are unique in a project, so after a lost answer and a read that
    finds nothing it is sent once more (a duplicate would be refused)."""

    body: dict = None

    resend_when_absent = True

    def send(self, api):
        data = api.post(BACKUPS_PATH, json_body=self.body).data or {}
        return data.get("objectId") or data.get("id")

    def shows(self, state):
        return state is not None


@step_class
class DeleteBackup(Step):
    backup_id: str = None

    def send(self, api):
        api.delete(BACKUP_PATH.format(id=self.backup_id), ok=DELETED)

    def shows(self, state):
        return state is None


# --- the resource -----------------------------------------------------------------------------------------------
class Backup(Resource):
    """A manual backup of an instance set or a cluster, by name per resource."""

    client_class = MemStoreClient
    argument_spec = dict(
        name=dict(type="str", required=True),
        instance_set=dict(type="str"),
        cluster=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    mutually_exclusive = [("instance_set", "cluster")]
    required_one_of = [("instance_set", "cluster")]

    def __init__(self, task, api, params=None):
        super(Backup, self).__init__(task, api, params)
        self.name = self.params["name"]
        self.option, self.kind = next((option, kind) for option, kind in TARGETS if self.params.get(option))
        self.given = self.params[self.option]
        self.label = "backup %r of %s %r" % (self.name, self.kind.noun, self.given)
        self.settling = "backup %r to be Available" % self.name
        self.target = None  # (resource, members) of the resource backed up, when the last read needed it
        self.target_id = None  # its id, once known
        self.in_progress = []  # the backups of it being taken, from the last read
        self.taken_by = None  # a backup of that name of another resource

    @classmethod
    def validate(cls, params):
        errors = backup_name_errors(params["name"])
        for option, _kind in TARGETS:
            if params.get(option) is not None and not params[option].strip():
                errors.append("%s must name an existing %s (its name or id)" % (option, option.replace("_", " ")))
        return errors

    # --- reading ----------------------------------------------------------------------------------------
    def of_target(self, item):
        """Whether a listed backup is of the resource backed up."""
        if self.target_id:
            return item["clusterId"] == self.target_id
        return self.given in (item["clusterId"], item["clusterName"])

    def read(self):
        items = list_backups(self.api)
        named = [item for item in items if item["name"] == self.name]
        mine = next((item for item in named if self.of_target(item)), None)
        self.taken_by = None if mine else next(iter(named), None)
        if mine is not None:
            self.check_kind(mine["clusterMode"], mine["clusterName"])
            self.target_id = mine["clusterId"]
            return mine
        if self.params["state"] == "present":
            self.target = self.read_target()
            self.in_progress = [item for item in items if self.of_target(item) and not is_available(item.get("status"))
                                and not is_failed(item.get("status"))]
        return None

    def read_target(self):
        """The resource backed up, ``(resource, members)``, or None when it does not exist."""
        name, resource_id = by_name_or_id(self.given)
        found = self.api.find(name=name, resource_id=self.target_id or resource_id, fields=("status",))  # the list item, when it says
        if found is None:
            return None
        self.check_kind(found["clusterMode"], found["name"])
        self.target_id = found["id"]
        return found, self.kind.members_of(self.api, found)

    def check_kind(self, mode, name):
        if mode not in (self.kind.mode, None):  # None: the API does not say
            other = next(option for option, kind in TARGETS if kind is not self.kind)
            raise ClientError("%s: %r is %s, not %s: name it with option %s" % (self.option, name, ARTICLED[other], ARTICLED[self.option], other))

    # --- deciding ---------------------------------------------------------------------------------------
    def plan(self, state):
        if self.params["state"] == "absent":
            if state is None:
                return Plan(after={}, predicted=dict(backup={}))
            step = DeleteBackup(text="deleted", waiting_for="backup %r to be deleted" % self.name,
                                settle_text="backup %r to be taken before deleting it" % self.name, backup_id=state["id"])
            return Plan([step], after={}, predicted=dict(backup={}))
        if state is not None:
            if is_failed(state.get("status")):
                raise PlanError("%s is Failed (taken %s): delete it (state: absent) and take it again"
                                % (self.label, state.get("createdAt") or "at an unknown time"))
            return Plan(adopting=not is_available(state.get("status")))
        return self.plan_create()

    def plan_create(self):
        if self.taken_by is not None:
            raise PlanError("name: %r is already the name of a backup of %s %r; backup names are unique in a project"
                            % (self.name, KIND_OF_MODE.get(self.taken_by["clusterMode"], "resource").replace("_", " "),
                               self.taken_by["clusterName"] or self.taken_by["clusterId"]))
        if self.target is None:
            raise PlanError("%s: no %s is named or has the id %r: nothing to back up" % (self.option, self.kind.noun, self.given))
        resource, members = self.target
        noun = "%s %r" % (self.kind.noun, resource["name"])
        if is_failed(resource.get("status")):
            raise PlanError("%s is Failed: a backup needs it Running" % noun)
        groups = _node_groups(self.kind, members)
        nodes = sum(len(roles) for _group, roles in groups)
        if nodes < 2:
            raise PlanError("%s has %d node: a manual backup needs at least 2 nodes, one of them a replica" % (noun, nodes))
        bare = [group for group, roles in groups if "replica" not in roles]
        if bare:
            where = "shard %s of %s" % (", ".join(str(group) for group in bare), noun) if bare[0] else noun
            raise PlanError("%s has no replica: a manual backup is taken from a replica" % where)
        body = {"clusterId": resource["id"], "name": self.name}
        step = CreateBackup(text="backed up %s" % noun, waiting_for="backup %r to be Available" % self.name,
                            settle_text="%s to be Running with no backup in progress before backing it up" % noun,
                            lost_text="its answer was lost: found the backup by name", body=body)
        predicted = dict(id=None, name=self.name, status=None, created_at=None, kind=KIND_OF_MODE[self.kind.mode],
                         resource_id=resource["id"], resource_name=resource["name"], cluster_mode=self.kind.mode,
                         project_id=resource.get("projectId"), version=resource.get("version"))
        return Plan([step], after=self.compared(predicted), predicted=dict(backup=predicted))

    def ready(self, state):
        return state is None or is_available(state.get("status"))

    def failed(self, state):
        return state is not None and is_failed(state.get("status"))

    def writable(self, step, state):
        if isinstance(step, DeleteBackup):
            return state is None or not is_busy(state.get("status"))  # Available or Failed: not being taken
        if self.target is None or self.in_progress:
            return False
        resource, members = self.target
        return is_running(resource.get("status")) and all(not is_busy(member["status"]) for member in members)

    def ambiguity(self, error):
        if is_busy_answer(error):
            return BUSY_ANSWER
        return super(Backup, self).ambiguity(error)

    # --- showing ----------------------------------------------------------------------------------------
    def view(self, state):
        if state is None or self.params["state"] == "absent":
            return dict(backup={})
        return dict(backup=present_backup(state))

    @staticmethod
    def compared(view):
        return dict(name=view["name"], kind=view["kind"], resource_name=view["resource_name"])

    def comparable(self, state):
        return {} if state is None else self.compared(present_backup(state))

    def describe(self, state):
        if state is not None:
            return "backup status %s" % state.get("status")
        if self.target is None:
            return "the backup does not exist"
        text = "the backup does not exist; %s %r is %s" % (self.kind.noun, self.target[0]["name"], self.target[0].get("status"))
        if self.in_progress:
            text += ", backup %s in progress" % ", ".join(repr(item["name"]) for item in self.in_progress)
        return text

    def failure_message(self, error, what):
        if error.last is not None and self.failed(error.last):
            return "%s ended Failed: delete it (state: absent) and take it again" % self.label
        if error.timed_out:
            return "%s: %s" % (self.label, error.message)
        return "%s failed while waiting for %s: %s" % (self.label, what, self.describe(error.last))
