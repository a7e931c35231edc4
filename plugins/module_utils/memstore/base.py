# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What both MemStore modes share as resources of the runner.

An instance set (cluster mode disabled) and a cluster (cluster mode enabled) are
found, created, waited for, changed and deleted the same way; they differ in their
members (a set's instances, a cluster's shards with their nodes), their bodies,
their change steps and their views. :class:`MemStoreResource` is the shared base;
``instance_set.InstanceSet`` and ``cluster.Cluster`` are the two resources.

A state is ``(resource, members)``, or None when the resource does not exist;
``members`` is None when they were not read (the resource was busy, or a batch
polled the list alone). The readers (``lookup``, ``read_every``, ``present``) need
only a client: the ``_info`` modules and the inventory read through them too.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError
from ansible_collections.redisops.platform.plugins.module_utils._resource import BUSY_ANSWER, Plan, PlanError, Resource, own_read
from ansible_collections.redisops.platform.plugins.module_utils.memstore.catalog import FLAVOR, NAME_OR_ID, NAMED_OPTIONS, with_ids, with_names
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import (
    MemStoreClient,
    is_busy,
    is_busy_answer,
    is_deleting,
    is_failed,
    is_running,
)
from ansible_collections.redisops.platform.plugins.module_utils.memstore.rules import version_offer_error
from ansible_collections.redisops.platform.plugins.module_utils.memstore.steps import CreateResource, DeleteResource, MemberChange

# Where one primary and its replicas go (an instance set's subnet_assignment, each of a cluster's subnet_assignments).
PLACEMENT_OPTIONS = dict(
    primary=dict(type="str", required=True),
    replicas=dict(type="list", elements="str", default=[]),
)

# The options both MemStore resource modules take (the redisops.platform.memstore_resource doc
# fragment documents those whose meaning is the same in both modes; each module the others).
SHARED_OPTIONS = dict(
    name=dict(type="str", required=True),
    id=dict(type="str"),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    description=dict(type="str"),
    version=dict(type="str"),
    port=dict(type="int"),
    flavor_id=dict(type="str"),
    flavor=dict(type="str"),
    parameter_group_id=dict(type="str"),
    parameter_group=dict(type="str"),
    subnets=dict(type="list", elements="str"),
    security_groups=dict(type="list", elements="str"),
    user=dict(type="dict", options=dict(
        name=dict(type="str", required=True),
        password=dict(type="str", required=True, no_log=True),
    )),
    tls_enabled=dict(type="bool"),
)


class MemStoreResource(Resource):
    """One MemStore resource (an instance set or a cluster) for the runner."""

    client_class = MemStoreClient
    #: The module's options (an item of memstore_resources takes the same).
    argument_spec = SHARED_OPTIONS
    #: Options that exclude each other: a name or an id (the module's and a batch item's argument spec).
    mutually_exclusive = NAME_OR_ID
    #: The key of a list of them (memstore_resources' option, the _info module's result).
    list_key = None
    #: "instance set" or "cluster": how messages name the resource.
    noun = None
    #: "set" or "cluster": how waiting texts name it, after "the".
    short_noun = None
    #: The result key holding the resource's view, and the batch's ``kind``.
    result_key = None
    #: POST path of a create (the resource's own path is this one and its id).
    create_path = None
    #: The resource's cluster mode (MODE_DISABLED or MODE_ENABLED).
    mode = None
    #: What is said of a resource of the other mode, after its name: ``'x' is ...``.
    wrong_kind = None
    #: Options a create needs.
    create_required = ()
    #: The fields compared: when a listed item carries all of them its detail is not read.
    lookup_fields = ()

    def __init__(self, task, api, params=None):
        super(MemStoreResource, self).__init__(task, api, params)
        self.name = self.params["name"]
        self.label = "%s %r" % (self.noun, self.name)
        self.resource_id = self.params.get("id")
        self.found = None  # whether the last read found the resource (None: nothing read yet)
        if self.params.get("user"):
            api.http.add_secret(self.params["user"]["password"])

    # --- what a mode supplies --------------------------------------------------------------------------
    @classmethod
    def members_of(cls, api, resource):
        """The members of a found resource (one request)."""
        raise NotImplementedError

    @classmethod
    def present(cls, resource, members):
        """The module's view of a resource (``members`` None: not read)."""
        raise NotImplementedError

    @classmethod
    def compared(cls, view):
        """What the diff compares of a view (never a secret)."""
        raise NotImplementedError

    def immutable_comparison(self, resource):
        """The :class:`ImmutableComparison` of the options fixed at creation with the live ``resource``."""
        raise NotImplementedError

    def plan_changes(self, resource, view):
        """``(steps, after)`` converging a live resource; raises PlanError before any write."""
        raise NotImplementedError

    def plan_create(self):
        """The create :class:`Plan` (options checked: the resource does not exist)."""
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

    def endpoints(self, view):
        """The endpoints of a view, for the batch result."""
        raise NotImplementedError

    # --- reading (a client is enough) ----------------------------------------------------------------------
    @classmethod
    def check_kind(cls, resource):
        """Fail clearly when an id or name designates a resource of the other cluster mode."""
        if resource.get("clusterMode") not in (cls.mode, None):  # None: the API does not say
            raise ClientError("%r %s" % (resource.get("name"), cls.wrong_kind))

    @classmethod
    def state_of(cls, api, resource, read_members=True):
        """``(resource, members)`` of a found resource (checked to be of this mode); None for None."""
        if resource is None:
            return None
        cls.check_kind(resource)
        return resource, cls.members_of(api, resource) if read_members else None

    @classmethod
    def lookup(cls, api, name=None, resource_id=None, read_members=True):
        """The state of one resource by id (its detail) or by name (the list, and the detail only when
        the listed item lacks a compared field), or None. Not filtered by mode: a name of the other mode
        fails clearly instead of looking absent (names are unique across both modes)."""
        return cls.state_of(api, api.find(name=name, resource_id=resource_id, fields=cls.lookup_fields), read_members)

    @classmethod
    def read_every(cls, api, read_members=True):
        """The states of every resource of this mode in the project (members None without ``read_members``)."""
        found = []
        for item in api.list_resources(cls.mode):
            resource = api.complete(item, cls.lookup_fields)
            if resource is not None and resource.get("clusterMode") in (cls.mode, None):
                found.append((resource, cls.members_of(api, resource) if read_members else None))
        return found

    # --- reading in a task ------------------------------------------------------------------------------------
    def created_id(self):
        """The id the create step of this task answered (None before)."""
        created = self.journal.of_type(CreateResource)
        return created[-1].result if created else None

    def known_id(self):
        return self.resource_id or self.created_id()

    def with_members(self, resource, read_members=True):
        state = self.state_of(self.api, resource, read_members)
        self.found = state is not None
        if state is not None:
            self.resource_id = resource["id"]
        return state

    def read(self):
        # Not filtered by mode, as lookup: a name of the other mode fails clearly (check_kind).
        return self.with_members(self.api.find(name=self.name, resource_id=self.known_id(), fields=self.lookup_fields))

    def poll(self, step=None):
        """While the resource is busy its members are not read: a request saved per poll."""
        if not self.known_id():
            return self.read()
        resource = self.api.get_detail(self.known_id())
        return self.with_members(resource, resource is not None and not is_busy(resource.get("status")))

    def pick(self, items):
        """This resource's item of a list read (by id, else by name), or None."""
        resource_id = self.known_id()
        if resource_id:
            return next((item for item in items if item["id"] == resource_id), None)
        found = [item for item in items if item["name"] == self.name]
        if len(found) > 1:
            raise ClientError("%d resources are named %r: pass id to choose one" % (len(found), self.name))
        return found[0] if found else None

    @classmethod
    def read_all(cls, resources):
        """One list for every resource, then each one's members (and its detail only when the list
        lacks a compared field). A resource's own read that fails (a name of the other kind, its
        members refused) is its error, not the batch's."""
        if len(resources) == 1:
            return [resources[0].read()]
        items = resources[0].api.list_resources()
        return [own_read(resource.first_state_from, items) for resource in resources]

    def first_state_from(self, items):
        """This resource's first state, from the batch's list ``items``."""
        item = self.pick(items)
        if item is None and self.resource_id:
            item = self.api.get_detail(self.resource_id)  # an id the list does not show
        return self.with_members(self.api.complete(item, self.lookup_fields) if item else None)

    @classmethod
    def poll_all(cls, resources, steps):
        """One list per poll for all; members only of a Running resource whose step needs them. A
        resource's own read that fails is its error, not the batch's."""
        if len(resources) == 1:
            return [resources[0].poll(steps[0])]
        items = resources[0].api.list_resources()
        return [own_read(resource.state_from, items, step) for resource, step in zip(resources, steps)]

    def state_from(self, items, step):
        """This resource's state while ``step`` is under way (None: settling), from the batch's list ``items``."""
        item = self.pick(items)
        wants_members = item is not None and isinstance(step, MemberChange) and is_running(item.get("status"))
        return self.with_members(item, wants_members)

    # --- deciding ----------------------------------------------------------------------------
    def plan(self, state):
        if state is not None and self.params.get("id") and state[0].get("name") != self.name:
            raise PlanError("id %s belongs to %s %r, not %r" % (self.params["id"], self.noun, state[0].get("name"), self.name))
        if self.params["state"] == "absent":
            return self.plan_delete(state)
        # Names become ids before anything is compared or sent (a name not offered fails here, before any write).
        self.params = with_ids(self.api, self.params)
        if state is None:
            if self.params.get("id"):
                raise PlanError("no %s has id %s; leave id out to create %r" % (self.noun, self.params["id"], self.name))
            missing = [_or_its_name(option) for option in self.create_required if self.params.get(option) is None]
            if missing:
                raise PlanError("%s %r does not exist; creating it needs %s" % (self.noun, self.name, ", ".join(missing)))
            message = version_offer_error(self.params["version"], self.api.redis_versions(), self.noun)
            if message:
                raise PlanError(message)
            return self.named_prediction(self.plan_create())
        return self.named_prediction(self.plan_converge(*state))

    def flavor_name(self, flavor_id):
        """The name of ``flavor_id`` when the task read the flavors (None otherwise)."""
        return FLAVOR.name_of(self.api, flavor_id)

    def named_prediction(self, plan):
        """``plan`` whose predicted view shows the names of its flavor and parameter group (as :meth:`view`)."""
        if plan.predicted:
            with_names(self.api, plan.predicted.get(self.result_key))
        return plan

    def plan_delete(self, state):
        gone = Plan(after={}, predicted={self.result_key: {}})
        if state is None or is_deleting(state[0].get("status")):
            return gone  # nothing to send; a resource on its way out is waited for
        step = DeleteResource(text="deleted", waiting_for="the %s to be deleted" % self.short_noun,
                              settle_text="the %s to be Running or Failed before deleting it" % self.short_noun,
                              path="%s/%s" % (self.create_path, state[0]["id"]), params=self.delete_params())
        return Plan([step], after=gone.after, predicted=gone.predicted)

    def create_step(self, text, body):
        return CreateResource(text=text, waiting_for="%s (after: %s)" % (self.settling, text), body=body, path=self.create_path,
                              name=self.name, mode=self.mode, noun=self.noun,
                              lost_text="its answer was lost: found the %s by name" % self.short_noun)

    def plan_converge(self, resource, members):
        comparison = self.immutable_comparison(resource)
        if comparison.differences:
            raise PlanError(comparison.message(self.noun, self.name))
        for option in comparison.unreadable:
            self.task.warn("%s cannot be read back from the live %s %r, so it was not compared" % (option, self.noun, self.name))
        view = self.present(resource, members)
        steps, after = self.plan_changes(resource, view)
        if not steps and self.failed((resource, members)):
            self.task.warn("%s %r is not healthy: %s" % (self.noun, self.name, self.describe((resource, members))))
        return Plan(steps, after=after, predicted={self.result_key: self.predicted_view(view, after)})

    def predicted_view(self, view, after):
        return dict(view, **after)

    def ready(self, state):
        if state is None:
            return True
        resource, members = state
        # Members not read while Running: a batch polled the list alone (final() reads them).
        return is_running(resource.get("status")) and (members is None or self.members_ready(members))

    def failed(self, state):
        if state is None:
            return False
        resource, members = state
        return is_failed(resource.get("status")) or bool(members and self.members_failed(members))

    def writable(self, step, state):
        if state is None:
            return True
        resource, members = state
        if isinstance(step, DeleteResource):
            return not is_busy(resource.get("status"))
        return is_running(resource.get("status")) and members is not None and self.members_writable(members)

    def ambiguity(self, error):
        if is_busy_answer(error):
            return BUSY_ANSWER
        return super(MemStoreResource, self).ambiguity(error)

    def final(self, state):
        if state is not None and state[1] is None:
            return self.with_members(state[0])
        return state

    # --- showing -------------------------------------------------------------------------------
    def view(self, state):
        if state is None or self.params["state"] == "absent":
            return {self.result_key: {}}
        return {self.result_key: with_names(self.api, self.present(state[0], state[1] or []))}

    def comparable(self, state):
        return {} if state is None else self.compared(self.present(state[0], state[1] or []))

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

    def absent(self):
        """Whether the resource does not exist once the task is done (in check mode: would not)."""
        plan = self.journal.plan
        if self.task.check_mode and plan is not None and plan.steps:
            return self.params["state"] == "absent"
        return self.found is False

    def batch_entry(self, view):
        shown = view.get(self.result_key) or {}
        return dict(kind=self.result_key, name=self.name, id=shown.get("id") or self.known_id(),
                    status="absent" if self.absent() else shown.get("status"), endpoints=self.endpoints(shown))


def _or_its_name(option):
    """``option``, or ``option or <its name>`` for an id that a name can give (``flavor_id or flavor``)."""
    return next(("%s or %s" % (option, named.option) for named in NAMED_OPTIONS if named.id_option == option), option)
