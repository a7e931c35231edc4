"""The emulated KakaoCloud MemStore API and its IAM token endpoint.

This file holds what every MemStore feature shares: application credentials and
tokens, the ``X-Auth-Token`` check, the error shape, the look-up endpoints
the documents do not show but the modules assume (``GET /v1/clusters`` and
``/v1/clusters/{id}``), and the Redis versions the service offers.

Versions: ``GET /v1/redis/versions`` (token required) answers a JSON array of strings, the
emulator's ``memstore_versions`` (``--memstore-versions``, or ``POST /_emulator/memstore/versions``;
default the newest list the service documents, ``DEFAULT_VERSIONS``). Creates of both modes
accept only an offered version, and 5.0.6 only with cluster mode disabled (400 naming the
version otherwise). ``--memstore-no-versions-endpoint`` (or ``{"endpoint": false}``) makes the
route answer 404, as a service without it would; creates still check the list then.
The instance-set endpoints live in ``memstore_instance_sets.py``, the cluster endpoints
(cluster mode enabled) in ``memstore_clusters.py``, the flavors and parameter groups in
``memstore_catalog.py``, manual backups of both in ``memstore_backups.py``.
"""

import datetime
import functools
import re
import secrets
import uuid

from flask import Blueprint, Flask, abort, current_app, jsonify, request

DEFAULT_CREDENTIAL_ID = "emulator-credential"
DEFAULT_CREDENTIAL_SECRET = "emulator-secret-do-not-use"
DEFAULT_PROJECT_ID = "0123456789abcdef0123456789abcdef"
TOKEN_LIFETIME = 12 * 3600
# The newest list the service's documentation offers (it grows: the seed documents had no 7.2.11).
DEFAULT_VERSIONS = ("7.2.11", "7.2.7", "7.2.6", "7.0.15", "6.2.20", "6.2.17", "6.2.16", "6.2.5", "5.0.6")
CLUSTER_MODE_DISABLED_ONLY = ("5.0.6",)
VERSION = re.compile(r"^\d+\.\d+\.\d+$")


class MemStoreState:
    """Everything the emulated MemStore knows. ``resources`` holds clusters and
    instance sets (both modes) by id; each is a dict in the create body's field
    names plus ``id``, ``name``, ``clusterMode`` and ``status``."""

    def __init__(self):
        self.credentials = {DEFAULT_CREDENTIAL_ID: {"secret": DEFAULT_CREDENTIAL_SECRET, "project": DEFAULT_PROJECT_ID}}
        self.tokens = {}  # token -> {"project", "expires_at"}
        self.tokens_issued = 0
        self.resources = {}
        self.backups = {}  # backup name -> {"clusterMode", "version", ...}
        self.parameter_groups = {}  # custom parameter groups by id (memstore_catalog.py)


def error(status, code, message):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


class Refused(Exception):
    """A request the API refuses: ``status`` (400 by default), code and message; a view wrapped by
    :func:`answers_refusals` raises it and the client gets the API's error answer."""

    def __init__(self, message, status=400, code="BadRequest"):
        super(Refused, self).__init__(message)
        self.message, self.status, self.code = message, status, code


def answers_refusals(view):
    """``view``, with a :class:`Refused` it raises answered as the API's error."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except Refused as exc:
            return error(exc.status, exc.code, exc.message)

    return wrapper


def error_body(code, message):
    return {"error": {"code": code, "message": message}}


def emulator():
    return current_app.config["EMULATOR"]


def memstore_state():
    return emulator().memstore


def new_id():
    return str(uuid.uuid4())


def requires_token(view):
    """Reject calls without a valid, unexpired ``X-Auth-Token`` (401)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = request.headers.get("X-Auth-Token")
        info = memstore_state().tokens.get(token) if token else None
        if info is None or info["expires_at"] <= emulator().clock.now():
            return error(401, "Unauthorized", "The request you have made requires authentication.")
        request.environ["memstore.project"] = info["project"]
        return view(*args, **kwargs)

    return wrapper


def current_project():
    return request.environ.get("memstore.project")


iam = Blueprint("iam", __name__, url_prefix="/identity/v3")


@iam.post("/auth/tokens")
def issue_token():
    body = request.get_json(silent=True)
    try:
        identity = body["auth"]["identity"]
        assert identity["methods"] == ["application_credential"]
        credential = identity["application_credential"]
        cred_id, secret = credential["id"], credential["secret"]
    except (TypeError, KeyError, AssertionError):
        return error(400, "BadRequest", "Expecting an application_credential identity.")
    known = memstore_state().credentials.get(cred_id)
    if not known or known["secret"] != secret:
        return error(401, "Unauthorized", "The request you have made requires authentication.")
    token = "gAAAAA" + secrets.token_urlsafe(48)
    expires = emulator().clock.now() + TOKEN_LIFETIME
    memstore_state().tokens[token] = {"project": known["project"], "expires_at": expires}
    memstore_state().tokens_issued += 1
    expires_at = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=TOKEN_LIFETIME)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    response = jsonify({"token": {"methods": ["application_credential"], "expires_at": expires_at,
                                  "project": {"id": known["project"], "name": "emulator-project"},
                                  "application_credential": {"id": cred_id}}})
    response.status_code = 201
    response.headers["X-Subject-Token"] = token
    return response


@iam.get("/auth/tokens")
def validate_token():
    state = memstore_state()
    caller, subject = request.headers.get("X-Auth-Token"), request.headers.get("X-Subject-Token")
    caller_info = state.tokens.get(caller)
    if caller_info is None or caller_info["expires_at"] <= emulator().clock.now():
        return error(401, "Unauthorized", "The request you have made requires authentication.")
    info = state.tokens.get(subject)
    if info is None:
        return error(404, "NotFound", "Could not find token.")
    return jsonify({"token": {"project": {"id": info["project"]}, "methods": ["application_credential"]}})


api = Blueprint("memstore", __name__)


def _listed(resource):
    return {key: value for key, value in resource.items() if not key.startswith("_")}


@api.get("/v1/clusters")
@requires_token
def list_clusters():
    project = current_project()
    items = [_listed(r) for r in memstore_state().resources.values() if r.get("projectId") == project]
    return jsonify({"size": len(items), "clusters": items})


@api.get("/v1/clusters/<resource_id>")
@requires_token
def get_cluster(resource_id):
    resource = memstore_state().resources.get(resource_id)
    if resource is None or resource.get("projectId") != current_project():
        return error(404, "NotFound", "cluster %s not found" % resource_id)
    return jsonify(_listed(resource))


@api.get("/v1/redis/versions")
def list_versions():
    if not emulator().memstore_versions_endpoint:
        abort(404)  # checked before the token: a route the service lacks is 404 for everyone
    return _offered_versions()


@requires_token
def _offered_versions():
    return jsonify(list(emulator().memstore_versions))


def version_refused(version, cluster_mode):
    """Why a create in ``cluster_mode`` (enabled/disabled) refuses ``version``, or None."""
    offered = emulator().memstore_versions
    if version not in offered:
        return "version %r is not offered: it must be one of %s" % (version, ", ".join(offered))
    if cluster_mode == "enabled" and version in CLUSTER_MODE_DISABLED_ONLY:
        return "version %r is offered with cluster mode disabled only (an instance set), not for a cluster" % version
    return None


def create_app(emu, blueprints):
    from .memstore_clusters import blueprint as clusters  # imported here: it imports this module

    app = Flask("memstore-emulator")
    app.config["EMULATOR"] = emu
    app.json.sort_keys = False
    app.register_blueprint(iam)
    app.register_blueprint(api)
    for blueprint in [clusters] + list(blueprints):
        app.register_blueprint(blueprint)

    @app.errorhandler(404)
    def not_found(_exc):
        return error(404, "NotFound", "no such endpoint: %s %s" % (request.method, request.path))

    @app.errorhandler(405)
    def not_allowed(_exc):
        return error(405, "MethodNotAllowed", "%s is not allowed on %s" % (request.method, request.path))

    return app
