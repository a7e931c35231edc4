# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A MemStore custom parameter group as a resource of the runner (memstore_parameter_group): made
from a default group (its base), found by name, deleted; a default group is never deleted.

A state is the group (``catalog.normalize_parameter_group``), or None when no group has the name.
Every read lists the project's groups (one request): the same list gives the base named by
``base``. The API facts and assumptions are in ``catalog``.

The list shows no group's base: a group made from a default group has that group's version and
cluster mode, and there is one default group per version and cluster mode, so comparing those two
compares the base.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError
from ansible_collections.redisops.platform.plugins.module_utils._resource import Plan, PlanError, Resource, Step, step_class
from ansible_collections.redisops.platform.plugins.module_utils.memstore.catalog import named, read_every_parameter_group
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient
from ansible_collections.redisops.platform.plugins.module_utils.memstore.compare import render
from ansible_collections.redisops.platform.plugins.module_utils.memstore.paths import DELETED, PARAMETER_GROUP_PATH, PARAMETER_GROUPS_PATH
from ansible_collections.redisops.platform.plugins.module_utils.memstore.rules import parameter_group_errors

DEFAULT = "default"
CUSTOM = "custom"


@step_class
class CreateParameterGroup(Step):
    """``POST /v1/parameter-groups``. Names are unique in the project (a second create answers 409), so
    after a lost answer and a read that finds nothing it is sent once more."""

    body: dict = None

    resend_when_absent = True

    def send(self, api):
        data = api.post(PARAMETER_GROUPS_PATH, json_body=self.body).data or {}
        return data.get("objectId") or data.get("id")

    def shows(self, state):
        return state is not None


@step_class
class DeleteParameterGroup(Step):
    group_id: str = None

    def send(self, api):
        api.delete(PARAMETER_GROUP_PATH.format(id=self.group_id), ok=DELETED)

    def shows(self, state):
        return state is None


def _mode_text(group):
    return "Redis %s, cluster mode %s" % (group["engine_version"] or "?", group["cluster_mode"] or "?")


class ParameterGroup(Resource):
    """One custom parameter group, by name."""

    client_class = MemStoreClient
    argument_spec = dict(
        name=dict(type="str", required=True),
        base=dict(type="str"),
        description=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    settling = "the parameter group to be listed"

    def __init__(self, task, api, params=None):
        super(ParameterGroup, self).__init__(task, api, params)
        self.name = self.params["name"]
        self.label = "parameter group %r" % self.name
        self.groups = []  # every group of the project, as the last read listed them

    @staticmethod
    def validate(params):
        return parameter_group_errors(params)

    # --- reading ---------------------------------------------------------------------------------
    def read(self):
        self.groups = read_every_parameter_group(self.api)
        found = named(self.groups, self.name)
        if len(found) > 1:
            raise ClientError("%d parameter groups are named %r: the service should keep names unique" % (len(found), self.name))
        return found[0] if found else None

    # --- deciding ----------------------------------------------------------------------------------
    def plan(self, state):
        if state is not None and state["type"] != CUSTOM:
            raise PlanError("%r is a %s parameter group, the service's own: this module manages custom groups only, and a "
                            "default group is never deleted; give another name" % (self.name, state["type"] or "non-custom"))
        if self.params["state"] == "absent":
            if state is None:
                return Plan(after={}, predicted={"parameter_group": {}})
            step = DeleteParameterGroup(text="deleted", group_id=state["id"])
            return Plan([step], after={}, predicted={"parameter_group": {}})
        base = self.base() if self.params.get("base") is not None else None
        if state is None:
            return self.plan_create(base)
        self.check_unchanged(state, base)
        return Plan()

    def base(self):
        """The default group ``base`` names (by ID or name); PlanError naming the default groups otherwise."""
        wanted = self.params["base"]
        defaults = [group for group in self.groups if group["type"] == DEFAULT]
        found = [group for group in self.groups if wanted in (group["id"], group["name"])]
        if found and found[0]["type"] == DEFAULT:
            return found[0]
        offered = ", ".join(group["name"] for group in defaults) or "none"
        if found:
            raise PlanError('base "%s" is a %s parameter group: a group is made from a default one; default groups: %s'
                            % (wanted, found[0]["type"], offered))
        raise PlanError('base "%s" is not a default parameter group; default groups: %s' % (wanted, offered))

    def plan_create(self, base):
        if base is None:
            raise PlanError("parameter group %r does not exist; creating it needs base (a default group's name or ID)" % self.name)
        body = {"parameterGroupId": base["id"], "name": self.name}
        if self.params.get("description") is not None:
            body["description"] = self.params["description"]
        predicted = dict(id=None, name=self.name, description=self.params.get("description") or "", engine_version=base["engine_version"],
                         type=CUSTOM, cluster_mode=base["cluster_mode"])
        step = CreateParameterGroup(text="created from %s" % base["name"], body=body,
                                    lost_text="its answer was lost: found the parameter group by name")
        return Plan([step], after=self.compared(predicted), predicted={"parameter_group": predicted})

    def check_unchanged(self, group, base):
        """PlanError when ``base`` or the description differs from the live ``group``: the API changes neither."""
        differences = []
        if base is not None and (base["engine_version"], base["cluster_mode"]) != (group["engine_version"], group["cluster_mode"]):
            differences.append("base (live: a group of %s; wanted: %s, of %s)" % (_mode_text(group), base["name"], _mode_text(base)))
        description = self.params.get("description")
        if description is not None and description != group["description"]:
            differences.append("description (live: %s, wanted: %s)" % (render(group["description"]), render(description)))
        if differences:
            raise PlanError("parameter group %r: %s cannot change after creation: %s. Delete and re-create the group to change %s."
                            % (self.name, " and ".join(text.split(" ")[0] for text in differences), "; ".join(differences),
                               "them" if len(differences) > 1 else "it"))

    def ambiguity(self, error):
        if error.status == 409 and error.method == "DELETE":
            return None  # not busy: the group is linked to a resource, and stays so until someone unlinks it
        return super(ParameterGroup, self).ambiguity(error)

    # --- showing ---------------------------------------------------------------------------------------
    @staticmethod
    def compared(group):
        return dict((key, group[key]) for key in ("name", "description", "engine_version", "cluster_mode", "type"))

    def view(self, state):
        if state is None or self.params["state"] == "absent":
            return {"parameter_group": {}}
        return {"parameter_group": dict(state)}

    def comparable(self, state):
        return {} if state is None else self.compared(state)

    def describe(self, state):
        if state is None:
            return "no parameter group is named %r" % self.name
        return "%s group %s of %s" % (state["type"], state["id"], _mode_text(state))

    def explain(self, error, step):
        if isinstance(step, DeleteParameterGroup) and error.status == 409:
            return "parameter group %r is linked to an instance set or a cluster: link another group to them first" % self.name
        return None
