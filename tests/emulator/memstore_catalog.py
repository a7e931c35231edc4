"""MemStore's catalogs: the flavors (node sizes) and the parameter groups a resource is created with.

Endpoints (all need ``X-Auth-Token``):

  GET    /v1/redis/flavors          ``{"flavors": [{id, name, vcpus, memory}]}`` (memory in GiB): the
                                    catalog ``FLAVORS``, the same on every run (stable ids)
  GET    /v1/parameter-groups       a JSON array of ``{id, name, description, engineVersion,
                                    parameterGroupType, clusterMode}``: one default group per offered
                                    version and cluster mode (5.0.6 has none with cluster mode enabled),
                                    then the project's custom groups. Query filters ``engineVersion``,
                                    ``parameterGroupType`` (``default`` or ``custom``) and ``clusterMode``
                                    (``enabled`` or ``disabled``); another value of the last two is 400
  POST   /v1/parameter-groups       ``{parameterGroupId (the base), name, description}`` -> 201
                                    ``{"objectId"}``: a custom group with the base's version and cluster
                                    mode. Strict: an unknown or mistyped field is 400 naming it; a
                                    ``parameterGroupId`` that is no group is 400 (``ParameterGroupNotFound``);
                                    a name taken (by a default or a custom group) is 409
                                    (``ParameterGroupNameDuplicated``)
  DELETE /v1/parameter-groups/{id}  204; unknown (or another project's) 404; a default group is never
                                    deleted: 400 ``DefaultParameterGroupNotDeletable``; a group linked
                                    to an instance set or a cluster is 409 ``ParameterGroupInUse``

Default groups are named ``default-redis-<version>`` (cluster mode disabled) and
``default-redis-<version>-cluster`` (enabled), with ids that never change; the documents' example
ids belong to the catalogs (flavor ``3830ebad-...`` is ``a1-2-co``, parameter group ``bbbbcccc-...`` is
``default-redis-7.2.7``), so the examples' ids and names designate the same things.

Creates of instance sets and clusters do not check ``flavorId`` and ``parameterGroupId`` against these
catalogs (they take any non-empty string, as before the catalogs existed): the tests, the examples and
the demo use short made-up ids (``flavor-1``, ``pg-1``). The catalogs are what the modules read to turn a
``flavor`` or ``parameter_group`` name into an id, and what ``memstore_flavor_info`` and the parameter
group modules show.

Custom group names: 1 to 64 characters, letters, digits, ``-``, ``_`` and ``.``, starting with a letter;
a description at most 100 characters. Custom groups live in ``MemStoreState.parameter_groups`` (by id).
"""

import re
import uuid

from flask import Blueprint, jsonify, request

from .memstore import CLUSTER_MODE_DISABLED_ONLY, current_project, emulator, error, memstore_state, new_id, requires_token

blueprint = Blueprint("memstore_catalog", __name__)

_IDS = uuid.UUID("7d1d6a3e-5b8c-4f43-9a53-2f0c1b7e9d10")  # the namespace of the catalogs' stable ids

# (name, vcpus, memory GiB): compute optimised (co), standard (std) and memory optimised (mo) sizes.
_SIZES = [("a1-%d-co" % cpus, cpus, cpus * 2) for cpus in (2, 4, 8, 16)] + \
         [("a1-%d-std" % cpus, cpus, cpus * 4) for cpus in (2, 4, 8, 16)] + \
         [("r1-%d-mo" % cpus, cpus, cpus * 8) for cpus in (2, 4, 8, 16)]
# The ids the API documents' examples use, kept for the names they stand for here.
_DOCUMENTED_IDS = {"a1-2-co": "3830ebad-ea2f-4822-8a7d-9e301c86a58d", "default-redis-7.2.7": "bbbbcccc-1234-1234-5678-e705e91db2fb"}


def stable_id(name):
    return _DOCUMENTED_IDS.get(name) or str(uuid.uuid5(_IDS, name))


FLAVORS = tuple({"id": stable_id(name), "name": name, "vcpus": cpus, "memory": memory} for name, cpus, memory in _SIZES)

TYPES = ("default", "custom")
MODES = ("disabled", "enabled")
CREATE_FIELDS = {"parameterGroupId": str, "name": str, "description": str}
_GROUP_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,63}$")
DESCRIPTION_MAX = 100


def default_groups():
    """One default group per offered version and cluster mode, in the order of the offered versions."""
    groups = []
    for version in emulator().memstore_versions:
        for mode in MODES:
            if mode == "enabled" and version in CLUSTER_MODE_DISABLED_ONLY:
                continue
            name = "default-redis-%s%s" % (version, "-cluster" if mode == "enabled" else "")
            groups.append({"id": stable_id(name), "name": name,
                           "description": "Default parameters of Redis %s, cluster mode %s" % (version, mode),
                           "engineVersion": version, "parameterGroupType": "default", "clusterMode": mode})
    return groups


def custom_groups(project):
    return [dict((key, value) for key, value in group.items() if key != "projectId")
            for group in memstore_state().parameter_groups.values() if group["projectId"] == project]


def groups_of(project):
    return default_groups() + custom_groups(project)


@blueprint.get("/v1/redis/flavors")
@requires_token
def list_flavors():
    return jsonify({"flavors": [dict(flavor) for flavor in FLAVORS]})


@blueprint.get("/v1/parameter-groups")
@requires_token
def list_parameter_groups():
    args = request.args
    for key, allowed in (("parameterGroupType", TYPES), ("clusterMode", MODES)):
        if args.get(key) and args[key] not in allowed:
            return error(400, "BadRequest", "%s must be one of %s (got %r)" % (key, ", ".join(allowed), args[key]))
    groups = groups_of(current_project())
    for key in ("engineVersion", "parameterGroupType", "clusterMode"):
        if args.get(key):
            groups = [group for group in groups if group[key] == args[key]]
    return jsonify(groups)


@blueprint.post("/v1/parameter-groups")
@requires_token
def create_parameter_group():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error(400, "BadRequest", "the request body must be a JSON object (Content-Type: application/json)")
    unknown = sorted(set(body) - set(CREATE_FIELDS))
    if unknown:
        return error(400, "BadRequest", "unknown field %s" % unknown[0])
    for key, kind in CREATE_FIELDS.items():
        if body.get(key) is not None and not isinstance(body[key], kind):
            return error(400, "BadRequest", "%s must be a string" % key)
    for key in ("parameterGroupId", "name"):
        if not (body.get(key) or "").strip():
            return error(400, "BadRequest", "%s is required and must be a non-empty string" % key)
    name, description = body["name"], body.get("description") or ""
    if not _GROUP_NAME.match(name):
        return error(400, "BadRequest", "name must be 1 to 64 letters, digits, '-', '_' or '.', starting with a letter (got %r)" % name)
    if len(description) > DESCRIPTION_MAX:
        return error(400, "BadRequest", "description must be at most %d characters" % DESCRIPTION_MAX)
    project = current_project()
    groups = groups_of(project)
    base = next((group for group in groups if group["id"] == body["parameterGroupId"]), None)
    if base is None:
        return error(400, "ParameterGroupNotFound", "parameterGroupId %s is no parameter group" % body["parameterGroupId"])
    if any(group["name"] == name for group in groups):
        return error(409, "ParameterGroupNameDuplicated", "a parameter group named %r exists" % name)
    group_id = new_id()
    memstore_state().parameter_groups[group_id] = {
        "id": group_id, "name": name, "description": description, "engineVersion": base["engineVersion"],
        "parameterGroupType": "custom", "clusterMode": base["clusterMode"], "projectId": project}
    response = jsonify({"objectId": group_id})
    response.status_code = 201
    return response


@blueprint.delete("/v1/parameter-groups/<group_id>")
@requires_token
def delete_parameter_group(group_id):
    state, project = memstore_state(), current_project()
    if any(group["id"] == group_id for group in default_groups()):
        return error(400, "DefaultParameterGroupNotDeletable", "parameter group %s is a default group: it cannot be deleted" % group_id)
    group = state.parameter_groups.get(group_id)
    if group is None or group["projectId"] != project:
        return error(404, "NotFound", "parameter group %s not found" % group_id)
    users = sorted(r.get("name") for r in state.resources.values() if r.get("parameterGroupId") == group_id and r.get("projectId") == project)
    if users:
        return error(409, "ParameterGroupInUse", "parameter group %s is linked to %s: link another group to them first"
                     % (group["name"], ", ".join(users)))
    del state.parameter_groups[group_id]
    return "", 204
