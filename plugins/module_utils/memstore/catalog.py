# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""MemStore's catalogs: the flavors (node sizes) and the parameter groups, read tolerantly, and the
names the resource modules take in place of ids (``flavor`` for ``flavor_id``, ``parameter_group``
for ``parameter_group_id``).

API facts (KakaoCloud's common and parameter-group pages) and, marked so, assumptions; every one of
them lives here:

- ``GET /v1/redis/flavors`` answers ``{"flavors": [{id, name, vcpus, memory}]}``, memory in GiB;
- ``GET /v1/parameter-groups?engineVersion=&parameterGroupType=default|custom&clusterMode=`` answers
  a list. Assumed: items with ``id``, ``name``, ``description``, ``engineVersion``,
  ``parameterGroupType`` and ``clusterMode``, bare or under one of ``GROUP_LIST_KEYS``; the filters
  are applied here too, so a server that ignores one is not believed;
- ``POST /v1/parameter-groups`` ``{parameterGroupId (the base), name, description}`` answers 201
  ``{"objectId"}``; assumed: a name is unique in the project (409 otherwise) and
  ``DELETE /v1/parameter-groups/{id}`` deletes a custom group.

A task reads each catalog once, and only when a name needs it (:meth:`MemStoreClient.once`): a batch's
resources share the read, and a task that gives ids reads none.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from dataclasses import dataclass

from ansible_collections.redisops.platform.plugins.module_utils._http import to_int
from ansible_collections.redisops.platform.plugins.module_utils._resource import PlanError
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import normalize_mode, normalize_status
from ansible_collections.redisops.platform.plugins.module_utils.memstore.paths import FLAVORS_PATH, PARAMETER_GROUPS_PATH

FLAVOR_LIST_KEYS = ("flavors", "data", "items")
GROUP_LIST_KEYS = ("parameterGroups", "parameter_groups", "data", "items")
GROUP_TYPES = ("default", "custom")


def _number(value):
    """A number the API sent as a number or a string: an int when whole ("4" -> 4, 0.5 stays 0.5)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else number


def _item_id(item):
    return item.get("id") or item.get("objectId")


def normalize_flavor(item):
    """One flavor in the modules' names: ``{id, name, vcpus, memory_gib}``."""
    item = item if isinstance(item, dict) else {}
    return dict(id=_item_id(item) or item.get("flavorId"), name=item.get("name") or item.get("flavorName"),
                vcpus=to_int(item.get("vcpus", item.get("vcpu"))), memory_gib=_number(item.get("memory")))


def normalize_parameter_group(item):
    """One parameter group in the modules' names: ``{id, name, description, engine_version, type, cluster_mode}``."""
    item = item if isinstance(item, dict) else {}
    group_type = normalize_status(item.get("parameterGroupType") or item.get("type")) or None
    return dict(id=_item_id(item) or item.get("parameterGroupId"), name=item.get("name") or item.get("parameterGroupName"),
                description=item.get("description") or "", engine_version=item.get("engineVersion"),
                type=group_type, cluster_mode=normalize_mode(item.get("clusterMode")))


def read_flavors(api):
    """Every flavor the service offers (one request)."""
    return [normalize_flavor(item) for item in api.get(FLAVORS_PATH).list_of(FLAVOR_LIST_KEYS, "flavors")]


def read_parameter_groups(api, engine_version=None, group_type=None, cluster_mode=None):
    """The project's parameter groups (default and custom), those the filters given keep (one request)."""
    query = dict((key, value) for key, value in (("engineVersion", engine_version), ("parameterGroupType", group_type),
                                                 ("clusterMode", cluster_mode)) if value)
    items = api.get(PARAMETER_GROUPS_PATH, params=query or None).list_of(GROUP_LIST_KEYS, "parameter groups")
    groups = [normalize_parameter_group(item) for item in items]
    return [group for group in groups
            if (not engine_version or group["engine_version"] == engine_version) and (not group_type or group["type"] == group_type)
            and (not cluster_mode or group["cluster_mode"] == cluster_mode)]


def flavors_info(api, params):
    """memstore_flavor_info's ``flavors``: every flavor, or those called ``params["name"]``."""
    flavors = read_flavors(api)
    return named(flavors, params["name"]) if params.get("name") is not None else flavors


def parameter_groups_info(api, params):
    """memstore_parameter_group_info's ``parameter_groups``: the groups its options keep."""
    groups = read_parameter_groups(api, engine_version=params.get("engine_version"), group_type=params.get("type"),
                                   cluster_mode=params.get("cluster_mode"))
    return named(groups, params["name"]) if params.get("name") is not None else groups


def read_every_parameter_group(api):
    """Every parameter group of the project (one request): what names are resolved in."""
    return read_parameter_groups(api)


def named(items, name):
    """The items of a catalog called ``name``."""
    return [item for item in items if item["name"] == name]


@dataclass(frozen=True)
class NamedOption:
    """An option that names what its ``id_option`` gives by id, resolved in the catalog ``read``."""

    option: str
    id_option: str
    what: str
    read: object

    def resolve(self, api, name):
        """The id of ``name`` in the catalog (read once per task); PlanError naming what is offered."""
        items = api.once(self.read)
        found = named(items, name)
        if not found:
            offered = ", ".join(item["name"] for item in items if item["name"]) or "none"
            raise PlanError('%s "%s" is not offered; offered: %s' % (self.option, name, offered))
        if len(found) > 1:
            raise PlanError('%d %ss are named "%s": give %s instead of %s' % (len(found), self.what, name, self.id_option, self.option))
        return found[0]["id"]

    def name_of(self, api, item_id):
        """The name of ``item_id`` when this task read the catalog (None otherwise, or when it lists no such id)."""
        items = api.already_read(self.read)
        if items is None or item_id is None:
            return None
        return next((item["name"] for item in items if item["id"] == item_id), None)


#: The names the resource modules take for ids.
FLAVOR = NamedOption("flavor", "flavor_id", "flavor", read_flavors)
PARAMETER_GROUP = NamedOption("parameter_group", "parameter_group_id", "parameter group", read_every_parameter_group)
NAMED_OPTIONS = (FLAVOR, PARAMETER_GROUP)

#: The pairs that exclude each other (the argument specs' mutually_exclusive).
NAME_OR_ID = [(named_option.option, named_option.id_option) for named_option in NAMED_OPTIONS]


def with_ids(api, params):
    """``params`` with the ids of the names given (a copy; ``params`` itself when no name is given, and
    then nothing is read). Raises PlanError, before any write, for a name the catalog does not list."""
    resolved = dict(params)
    for named_option in NAMED_OPTIONS:
        if params.get(named_option.option) is not None:
            resolved[named_option.id_option] = named_option.resolve(api, params[named_option.option])
    return resolved


def with_names(api, view):
    """``view`` (an instance set or a cluster) with the names of its flavor and parameter group, known
    when the task read their catalogs (None otherwise: no catalog is read only to show a name)."""
    if not view:
        return view
    for named_option in NAMED_OPTIONS:
        view[named_option.option] = named_option.name_of(api, view.get(named_option.id_option))
    return view
