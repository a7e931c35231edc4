# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The writes of MemStore resources, one step class each: the create and the delete both
modes share, then the changes of a live instance set and of a live cluster. Each step
sends itself and says whether a state ``(resource, members)`` shows it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError
from ansible_collections.redisops.platform.plugins.module_utils._resource import Step, step_class
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import is_deleting, is_running
from ansible_collections.redisops.platform.plugins.module_utils.memstore.paths import (
    CLUSTER_PATH,
    DELETED,
    INSTANCE_PATH,
    NODE_PATH,
    NODES_PATH,
    PRIMARY_PATH,
    RECOVERY_PATH,
    REPLICAS_PATH,
    SET_PATH,
    SHARD_PATH,
    SHARDS_PATH,
)
from ansible_collections.redisops.platform.plugins.module_utils.memstore.views import (
    ROLE_PRIMARY,
    backup_key,
    backup_view,
    cluster_view,
    ids,
    instance_set_view,
    settled,
    shard_of,
)


# --- both modes ----------------------------------------------------------------------------------------
@step_class
class CreateResource(Step):
    """``POST`` of a new instance set or cluster. The service keeps names unique (a second
    create of the same name answers 409), so after a lost answer and a read that finds
    nothing it is sent once more."""

    path: str = None
    body: dict = None
    name: str = None
    mode: str = None
    noun: str = None

    resend_when_absent = True

    def send(self, api):
        data = api.post(self.path, json_body=self.body).data or {}
        created = data.get("objectId") or data.get("id")
        if not created:
            found = api.find_by_name(self.name, self.mode)
            if found is None:
                raise ClientError("POST %s was accepted but named no objectId, and no %s is named %r" % (self.path, self.noun, self.name))
            created = found["id"]
        return created

    def shows(self, state):
        return state is not None


@step_class
class DeleteResource(Step):
    path: str = None
    params: dict = None

    def send(self, api):
        api.delete(self.path, params=self.params, ok=DELETED)

    def shows(self, state):
        return state is None or is_deleting(state[0].get("status"))


@step_class
class MemberChange(Step):
    """A change of a live resource, shown once it is Running again with the change visible.

    Subclasses give ``request()`` (method, path, body) and ``shows_in(resource, members)``;
    ``settling`` is what the resource's readiness is called in messages."""

    settling = None

    def __post_init__(self):
        if self.waiting_for is None:
            object.__setattr__(self, "waiting_for", "%s (after: %s)" % (self.settling, self.text))
        if self.settle_text is None:
            object.__setattr__(self, "settle_text", "%s before changing it" % self.settling)

    def request(self):
        raise NotImplementedError

    def send(self, api):
        method, path, body = self.request()
        # Not retried by the client: sent twice, an add would add two members.
        api.request(method, path, json_body=body, retry=False)

    def shows(self, state):
        if state is None or state[1] is None or not is_running(state[0].get("status")):
            return False
        return self.shows_in(*state)

    def shows_in(self, resource, members):
        raise NotImplementedError


# --- the changes of a live instance set (its members are its instances) ---------------------------------------
@step_class
class SetChange(MemberChange):
    set_id: str = None

    settling = "the set to be Running"


@step_class
class UpdateSet(SetChange):
    body: dict = None

    def request(self):
        return "PATCH", SET_PATH.format(id=self.set_id), self.body

    def shows_in(self, resource, members):
        view, body = instance_set_view(resource, []), self.body
        return ((("description" not in body) or view["description"] == body["description"])
                and (("parameterGroupId" not in body) or view["parameter_group_id"] == body["parameterGroupId"])
                and (("securityGroups" not in body) or sorted(view["security_groups"]) == sorted(ids(body["securityGroups"])))
                and (("backupSchedule" not in body) or backup_key(view["backup"]) == backup_key(backup_view(body["backupSchedule"]))))


@step_class
class SetRecovery(SetChange):
    enabled: bool = None

    def request(self):
        return "PATCH", RECOVERY_PATH.format(id=self.set_id), {"enabled": self.enabled}

    def shows_in(self, resource, members):
        return bool(resource.get("recoveryEnabled")) == self.enabled


@step_class
class PromoteInstance(SetChange):
    instance: dict = None

    def request(self):
        return "PATCH", PRIMARY_PATH.format(id=self.set_id), {"primaryId": self.instance["id"]}

    def shows_in(self, resource, members):
        primary = next((i for i in members if i["role"] == ROLE_PRIMARY), None)
        return primary is not None and primary["id"] == self.instance["id"] and settled(members)


@step_class
class AddReplica(SetChange):
    """Adds one replica; ``count_before`` is the number of instances before it."""

    subnet: str = None
    count_before: int = None

    def request(self):
        return "PATCH", REPLICAS_PATH.format(id=self.set_id), {"subnet": {"id": self.subnet}}

    def shows_in(self, resource, members):
        return len(members) > self.count_before and settled(members)


@step_class
class DeleteInstance(SetChange):
    instance: dict = None

    def request(self):
        return "DELETE", INSTANCE_PATH.format(id=self.set_id, instance_id=self.instance["id"]), None

    def shows_in(self, resource, members):
        return self.instance["id"] not in [i["id"] for i in members] and settled(members)


# --- the changes of a live cluster (its members are its shards, each with its nodes) -----------------------------
@step_class
class ClusterChange(MemberChange):
    cluster_id: str = None

    settling = "the cluster and every shard and node to be Running"


@step_class
class ClusterRemoval(ClusterChange):
    """A ``DELETE`` of a shard or a node: one already gone is what was asked, so a 404 is success
    (and, the answer being the same when sent twice, the client may retry it)."""

    def send(self, api):
        _method, path, _body = self.request()
        api.delete(path, ok=DELETED)


@step_class
class UpdateCluster(ClusterChange):
    body: dict = None

    def request(self):
        return "PATCH", CLUSTER_PATH.format(id=self.cluster_id), self.body

    def shows_in(self, resource, members):
        view = cluster_view(resource, [])
        return all(view[option] == self.body[key] for key, option in (("description", "description"), ("parameterGroupId", "parameter_group_id"))
                   if key in self.body)


@step_class
class AddShard(ClusterChange):
    """Adds one shard; ``count_before`` is the number of shards before it."""

    body: dict = None
    count_before: int = None

    def request(self):
        return "POST", SHARDS_PATH.format(id=self.cluster_id), self.body

    def shows_in(self, resource, members):
        return len(members) > self.count_before


@step_class
class RemoveShard(ClusterRemoval):
    shard: dict = None

    def request(self):
        return "DELETE", SHARD_PATH.format(id=self.cluster_id, shard_id=self.shard["id"]), None

    def shows_in(self, resource, members):
        return shard_of(members, self.shard["id"]) is None


@step_class
class AddShardReplica(ClusterChange):
    """Adds one replica to a shard; ``count_before`` is the shard's node count before it."""

    shard: dict = None
    subnet: str = None
    count_before: int = None

    def request(self):
        return "POST", NODES_PATH.format(id=self.cluster_id, shard_id=self.shard["id"]), {"subnet": {"id": self.subnet}}

    def shows_in(self, resource, members):
        shard = shard_of(members, self.shard["id"])
        return shard is not None and shard["node_count"] > self.count_before


@step_class
class RemoveShardReplica(ClusterRemoval):
    shard: dict = None
    node: dict = None

    def request(self):
        return "DELETE", NODE_PATH.format(id=self.cluster_id, shard_id=self.shard["id"], node_id=self.node["id"]), None

    def shows_in(self, resource, members):
        shard = shard_of(members, self.shard["id"])
        return shard is not None and self.node["id"] not in [node["id"] for node in shard["nodes"]]
