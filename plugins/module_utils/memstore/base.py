# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What both MemStore modes share as resources of the runner.

An instance set (cluster mode disabled) and a cluster (cluster mode enabled) are
found, created, waited for, changed and deleted the same way; they differ in their
members (a set's instances, a cluster's shards with their nodes), their bodies and
their views. :class:`MemStoreResource` holds the shared part; each module's
subclass supplies the pieces named in the "a mode supplies" section.

A state is ``(resource, members)``, or None when the resource does not exist;
``members`` is None when a poll found the resource busy and did not read them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import (
    MemStoreClient,
    is_busy,
    is_busy_answer,
    is_deleting,
    is_failed,
    is_running,
)
from ansible_collections.redisops.platform.plugins.module_utils._resource import (
    BUSY_ANSWER,
    Plan,
    PlanError,
    Resource,
    Step,
)

# A DELETE answered 404 found nothing left to delete.
DELETED = (200, 202, 204, 404)


class MemStoreResource(Resource):
    """One MemStore resource (an instance set or a cluster) for the runner."""

    #: "instance set" or "cluster": how messages name the resource.
    noun = None
    #: "set" or "cluster": how waiting texts name it, after "the".
    short_noun = None
    #: The result key holding the resource's view.
    result_key = None
    #: POST path of a create.
    create_path = None
    #: DELETE path of the resource, with ``{id}``.
    item_path = None
    #: The cluster mode a look-up by name accepts (None: either).
    mode = None
    #: Options a create needs.
    create_required = ()

    def __init__(self, module):
        super(MemStoreResource, self).__init__(module)
        self.name = self.params["name"]
        self.label = "%s %r" % (self.noun, self.name)
        self.resource_id = self.params.get("id")
        self.api = MemStoreClient(self.params)
        if self.params.get("user"):
            self.api.http.add_secret(self.params["user"]["password"])
        self.current = None

    # --- a mode supplies -------------------------------------------------------------------
    def find(self):
        """``(resource, members)`` of the resource named ``self.name``, or None."""
        raise NotImplementedError

    def check_kind(self, resource):
        """Raise ClientError when ``resource`` (read by id) is of the other cluster mode."""
        raise NotImplementedError

    def read_members(self, resource):
        raise NotImplementedError

    def resource_view(self, resource, members):
        raise NotImplementedError

    def comparable_view(self, view):
        raise NotImplementedError

    def plan_create(self):
        """The create :class:`Plan` (options checked: the resource does not exist)."""
        raise NotImplementedError

    def plan_changes(self, resource, view):
        """``(steps, after)``: the changes of a live resource, ``after`` its changed fields."""
        raise NotImplementedError

    def immutable(self, resource):
        """``(message or None, unreadable options)`` for options fixed at creation."""
        raise NotImplementedError

    def request_change(self, step):
        """Send a step other than create and delete."""
        raise NotImplementedError

    def change_applied(self, step, resource, members):
        raise NotImplementedError

    def members_ready(self, members):
        return True

    def members_writable(self, members):
        return self.members_ready(members)

    def members_failed(self, members):
        return False

    def describe_members(self, members):
        return ""

    def delete_params(self):
        """Query parameters of the DELETE."""
        return None

    # --- reading -----------------------------------------------------------------------------
    def read(self):
        if self.resource_id:
            resource = self.api.get_detail(self.resource_id)
            found = None
            if resource is not None:
                self.check_kind(resource)
                found = (resource, self.read_members(resource))
        else:
            found = self.find()
            if found is not None:
                self.resource_id = found[0]["id"]
        self.current = found
        return found

    def poll(self):
        """While the resource is busy its members are not read: a request saved per poll."""
        if not self.resource_id:
            return self.read()
        resource = self.api.get_detail(self.resource_id)
        members = None
        if resource is not None and not is_busy(resource.get("status")):
            members = self.read_members(resource)
        self.current = (resource, members) if resource is not None else None
        return self.current

    # --- deciding ----------------------------------------------------------------------------
    def waiting_text(self, done):
        return "%s (after: %s)" % (self.settling, done)

    def plan(self, state):
        if state is not None and self.params.get("id") and state[0].get("name") != self.name:
            raise PlanError("id %s belongs to %s %r, not %r" % (self.params["id"], self.noun, state[0].get("name"), self.name))
        if self.params["state"] == "absent":
            return self.plan_delete(state)
        if state is None:
            if self.params.get("id"):
                raise PlanError("no %s has id %s; leave id out to create %r" % (self.noun, self.params["id"], self.name))
            missing = [option for option in self.create_required if self.params.get(option) is None]
            if missing:
                raise PlanError("%s %r does not exist; creating it needs %s" % (self.noun, self.name, ", ".join(missing)))
            return self.plan_create()
        return self.plan_converge(*state)

    def plan_delete(self, state):
        gone = Plan(after={}, predicted={self.result_key: {}})
        if state is None or is_deleting(state[0].get("status")):
            return gone  # nothing to send; a resource on its way out is waited for
        gone.steps = [Step("delete", "deleted", waiting_for="the %s to be deleted" % self.short_noun,
                           settle_text="the %s to be Running or Failed before deleting it" % self.short_noun)]
        return gone

    def create_step(self, text, body):
        return Step("create", text, waiting_for=self.waiting_text(text), body=body,
                    found_text="its answer was lost: found the %s by name" % self.short_noun)

    def plan_converge(self, resource, members):
        message, unreadable = self.immutable(resource)
        if message:
            raise PlanError(message)
        for option in unreadable:
            self.module.warn("%s cannot be read back from the live %s %r, so it was not compared" % (option, self.noun, self.name))
        view = self.resource_view(resource, members)
        steps, after = self.plan_changes(resource, view)
        if not steps and self.failed((resource, members)):
            self.module.warn("%s %r is not healthy: %s" % (self.noun, self.name, self.describe((resource, members))))
        for step in steps:
            step.waiting_for = self.waiting_text(step.text)
            step.settle_text = "%s before changing it" % self.settling
        return Plan(steps, after=after, predicted={self.result_key: self.predicted_view(view, after)})

    def predicted_view(self, view, after):
        return dict(view, **after)

    # --- writing -----------------------------------------------------------------------------
    def request(self, step):
        if step.kind == "create":
            data = self.api.post(self.create_path, json_body=step.body).data or {}
            self.resource_id = data.get("objectId") or data.get("id")
            if not self.resource_id:
                found = self.api.find_by_name(self.name, self.mode)
                if found is None:
                    raise ClientError("POST %s was accepted but named no objectId, and no %s is named %r"
                                      % (self.create_path, self.noun, self.name))
                self.resource_id = found["id"]
            return True
        if step.kind == "delete":
            self.api.delete(self.item_path.format(id=self.resource_id), params=self.delete_params(), ok=DELETED)
            return True
        return self.request_change(step)

    def applied(self, step, state):
        if step.kind == "create":
            return state is not None
        if step.kind == "delete":
            return state is None or is_deleting(state[0].get("status"))
        if state is None:
            return False
        return self.change_applied(step, state[0], state[1])

    def ready(self, state):
        if state is None:
            return True
        resource, members = state
        return is_running(resource.get("status")) and members is not None and self.members_ready(members)

    def failed(self, state):
        if state is None:
            return False
        resource, members = state
        return is_failed(resource.get("status")) or bool(members and self.members_failed(members))

    def writable(self, step, state):
        if state is None:
            return True
        resource, members = state
        if step.kind == "delete":
            return not is_busy(resource.get("status"))
        return is_running(resource.get("status")) and members is not None and self.members_writable(members)

    def ambiguity(self, error):
        if is_busy_answer(error):
            return BUSY_ANSWER
        return super(MemStoreResource, self).ambiguity(error)

    # --- showing -------------------------------------------------------------------------------
    def view(self, state):
        if state is None or self.params["state"] == "absent":
            return {self.result_key: {}}
        return {self.result_key: self.resource_view(state[0], state[1] or [])}

    def comparable(self, state):
        return {} if state is None else self.comparable_view(self.resource_view(state[0], state[1] or []))

    def describe(self, state):
        if state is None:
            return "the %s does not exist" % self.noun
        resource, members = state
        text = "status %s" % resource.get("status")
        if members:
            text += self.describe_members(members)
        return text

    def failure_message(self, error, what):
        if error.timed_out:
            return "%s %r: %s" % (self.noun, self.name, error.message)
        last = self.describe(error.last) if error.last is not None or error.duration else "no successful read"
        return "%s %r failed while waiting for %s: %s" % (self.noun, self.name, what, last)
