# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""KakaoCloud MemStore API: connection options, IAM token handling, status
normalisation and the one place that knows how resources are looked up."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import threading
import time

from ansible_collections.redisops.platform.plugins.module_utils._connection import (
    DEFAULT_IDENTITY_URL,
    check_region,
    memstore_api_url,
)
from ansible_collections.redisops.platform.plugins.module_utils._factory import Wiring
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, ClientError, basic_credential
from ansible_collections.redisops.platform.plugins.module_utils.memstore.token_cache import TokenCache, token_expiry

# --- Look-up: the API documents show no list or detail endpoint for either cluster mode.
# We assume GET /v1/clusters lists both cluster modes and GET /v1/clusters/{id}
# returns one. Every assumption about their shape lives in this block. Whether a
# listed item carries the detail's fields is unknown: MemStoreClient.complete()
# uses the item when it does and reads the detail when it does not.
LIST_PATH = "/v1/clusters"
# The Redis versions the service offers for new resources (a JSON array of strings).
VERSIONS_PATH = "/v1/redis/versions"
_UNREAD = object()
DETAIL_PATH = "/v1/clusters/{id}"
MODE_ENABLED = "enabled"
MODE_DISABLED = "disabled"

# --- Statuses: Init, Creating, Running, Scaling(horizontal), Modifying, Failed, and
# the docs' PROVISIONING/FAILED. Compared case- and punctuation-insensitively.
_RUNNING_STATUSES = frozenset(["running", "active", "available"])
_FAILED_STATUSES = frozenset(["failed", "error"])


def normalize_status(status):
    """'Scaling(horizontal)' -> 'scalinghorizontal'; None -> ''."""
    return re.sub(r"[^a-z0-9]", "", str(status or "").lower())


def is_running(status):
    return normalize_status(status) in _RUNNING_STATUSES


def is_failed(status):
    return normalize_status(status) in _FAILED_STATUSES


def is_busy(status):
    """Neither Running nor Failed: Creating, Modifying, Scaling, Deleting, and unknown statuses."""
    return not is_running(status) and not is_failed(status)


def is_deleting(status):
    return normalize_status(status) == "deleting"


# A write to a busy resource: the documents list 400 (not 409) for the PATCH
# endpoints. A 400 whose code or message speaks of the state counts as busy.
_BUSY_WORDS = re.compile(r"(?i)(invalid[ _-]?state|state|status|busy|in progress|not running|running)")


def is_busy_answer(error):
    """Whether an ApiError says "the resource is busy, try later" (409, or such a 400)."""
    if error.status == 409:
        return True
    if error.status == 400:
        return bool(_BUSY_WORDS.search("%s %s" % (error.code or "", error.message or "")))
    return False


def normalize_mode(value):
    """The list's cluster mode as MODE_ENABLED / MODE_DISABLED / None (unknown)."""
    if isinstance(value, bool):
        return MODE_ENABLED if value else MODE_DISABLED
    text = normalize_status(value)
    if text in ("enabled", "enable", "true", "cluster", "clustermodeenabled", "on"):
        return MODE_ENABLED
    if text in ("disabled", "disable", "false", "replication", "standalone", "clustermodedisabled", "off"):
        return MODE_DISABLED
    return None


# The list comes bare or in a wrapper under one of these keys; any other shape is an error.
LIST_KEYS = ("clusters", "data", "items", "instanceSets", "results")


def normalize_item(item):
    """A listed or detailed resource with ``id``, ``name`` and ``clusterMode`` always present."""
    item = dict(item or {})
    item["id"] = item.get("id") or item.get("objectId") or item.get("instanceSetId") or item.get("clusterId")
    item["name"] = item.get("name") or item.get("instanceSetName") or item.get("clusterName")
    item["clusterMode"] = normalize_mode(item.get("clusterMode"))
    return item


class MemStoreClient:
    """MemStore API client with IAM token handling.

    With ``auth_token`` that token is used as is. With an application credential
    a token is issued at ``identity_url`` on first use, cached for the run, and
    re-issued once when the API answers 401. With both (a shared token and the
    credential), the token is used first and a new one issued if it is rejected.
    With ``token_cache`` (and a credential) a token issued by an earlier task or
    run is used first, and every token issued is kept there for the next ones.

    Threads may share a client, and its token: when several meet a 401 at once, one
    re-issues the token and the others use it. ``wiring`` (see ``build_client``) is what
    its HTTP clients are built with.
    """

    def __init__(self, params, wiring=None):
        check_region(params.get("region"))  # also here: a client may be built without check_values (a test, a script)
        api_url = memstore_api_url(params)
        tls = dict(validate_certs=params["validate_certs"], ca_path=params.get("ca_path"), timeout=params["request_timeout"])
        secrets = [params.get("auth_token"), params.get("application_credential_secret")]
        if params.get("application_credential_id") and params.get("application_credential_secret"):  # as a server may echo it
            secrets.append(basic_credential(params["application_credential_id"], params["application_credential_secret"]))
        wiring = wiring or Wiring()
        self._warn = wiring.warn
        self.http = wiring.http_client(api_url, secrets=secrets, option_name="api_url", **tls)
        self.identity = wiring.http_client(params.get("identity_url") or DEFAULT_IDENTITY_URL, secrets=secrets,
                                           option_name="identity_url", **tls)
        # Guards the token and what comes with it (the project, the count): one issue at a time.
        self._token_lock = threading.RLock()
        self._credential = (params.get("application_credential_id"), params.get("application_credential_secret"))
        self._token = params.get("auth_token")
        self._static_token = bool(self._token)
        self._project_id = params.get("project_id")
        self.tokens_issued = 0
        self._versions = _UNREAD
        self._catalogs = {}  # reader -> what it read: a catalog is read once per client (see once)
        self._cache = None
        if params.get("token_cache") and all(self._credential):
            self._cache = TokenCache(params["token_cache"], self.identity.base_url, *self._credential)

    def http_clients(self):
        """The HTTP clients of this API (their secrets are what event sources scrub)."""
        return [self.http, self.identity]

    def close(self):
        for http in self.http_clients():
            http.close()

    # --- authentication ---------------------------------------------------
    def _issue_token(self):
        credential_id, secret = self._credential
        body = {"auth": {"identity": {"methods": ["application_credential"],
                                      "application_credential": {"id": credential_id, "secret": secret}}}}
        try:
            response = self.identity.post("/auth/tokens", json_body=body, idempotent=True)  # no side effect: retried like a GET
        except ApiError as error:
            if error.status == 401:
                raise ApiError(error.method, error.path, status=401, code=error.code,
                               message="the application credential was rejected: check application_credential_id and _secret")
            raise
        token = response.headers.get("X-Subject-Token")
        if not token:
            raise ClientError("POST %s/auth/tokens answered HTTP %s without an X-Subject-Token header: is identity_url an IAM identity v3 endpoint?"
                              % (self.identity.base_url, response.status))
        self.tokens_issued += 1
        project_id = _project_from_token_body(response.data)
        self._use_token(token, project_id)
        if self._cache:
            warning = self._cache.store(token, project_id, token_expiry(response.data, time.time()))
            if warning:
                self._warn(warning)
        return token

    def _use_token(self, token, project_id):
        self._token = token
        self.http.add_secret(token)
        self.identity.add_secret(token)
        if not self._project_id:
            self._project_id = project_id

    def token(self):
        with self._token_lock:
            if not self._token:
                cached = self._cache.load() if self._cache else None
                if cached:
                    self._use_token(*cached)
                else:
                    self._issue_token()
            return self._token

    def _renew(self, rejected):
        """A token to use instead of ``rejected``: a new one, unless another thread already renewed it."""
        with self._token_lock:
            if self._token != rejected:
                return self._token
            return self._issue_token()

    @property
    def project_id(self):
        """The ``project_id`` option, else the token's project."""
        with self._token_lock:
            if not self._project_id:
                token = self.token()
                if self._static_token:
                    response = self.identity.get("/auth/tokens", headers={"X-Auth-Token": token, "X-Subject-Token": token})
                    self._project_id = _project_from_token_body(response.data)
                if not self._project_id:
                    raise ClientError("the token names no project: set project_id")
            return self._project_id

    def request(self, method, path, **kwargs):
        """A MemStore call with ``X-Auth-Token``; one token re-issue on 401."""
        headers = dict(kwargs.pop("headers", None) or {})
        token = headers["X-Auth-Token"] = self.token()
        try:
            return self.http.request(method, path, headers=headers, **kwargs)
        except ApiError as error:
            if error.status != 401:
                raise
            if self._static_token and not all(self._credential):  # with a credential too, a new token is issued
                raise ApiError(error.method, error.path, status=401, code=error.code,
                               message="auth_token was rejected (expired or revoked?): issue a new one")
            # A 401 means nothing was done, so even a POST can be sent again.
            headers["X-Auth-Token"] = self._renew(token)
            return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json_body=None, **kwargs):
        return self.request("POST", path, json_body=json_body, **kwargs)

    def patch(self, path, json_body=None, **kwargs):
        return self.request("PATCH", path, json_body=json_body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def redis_versions(self):
        """The versions the service offers, read once per run; None when it does not say (404)."""
        if self._versions is _UNREAD:
            response = self.get(VERSIONS_PATH, ok=(200, 404))
            data = response.data if response.status == 200 else None
            if isinstance(data, dict):
                data = data.get("versions") or data.get("data")
            self._versions = [str(version) for version in data] if isinstance(data, list) else None
        return self._versions

    def once(self, reader):
        """``reader(self)``, read the first time only: a catalog (the flavors, the parameter groups) that
        every resource of a task shares. Threads may race to read it first; they read the same thing."""
        if reader not in self._catalogs:
            self._catalogs[reader] = reader(self)
        return self._catalogs[reader]

    def already_read(self, reader):
        """What :meth:`once` read with ``reader`` (None when it has not been read)."""
        return self._catalogs.get(reader)

    # --- look-up -------------------------------------------------------------
    def list_resources(self, mode=None):
        """Every cluster/instance set, normalised; filtered to ``mode`` when given.

        Items whose mode the list does not tell are kept (tolerant of both readings).
        """
        items = [normalize_item(item) for item in self.get(LIST_PATH).list_of(LIST_KEYS, "instance sets and clusters")]
        if mode:
            items = [item for item in items if item["clusterMode"] in (mode, None)]
        return items

    def find_by_name(self, name, mode=None):
        """The one resource called ``name`` (None when absent; an error when ambiguous)."""
        found = [item for item in self.list_resources(mode) if item["name"] == name]
        if len(found) > 1:
            raise ClientError("%d resources are named %r: pass id to choose one" % (len(found), name))
        return found[0] if found else None

    def get_detail(self, resource_id):
        """One resource by id (None when it does not exist)."""
        response = self.get(DETAIL_PATH.format(id=resource_id), ok=(200, 404))
        if response.status == 404:
            return None
        data = response.data
        if isinstance(data, dict) and isinstance(data.get("data"), dict):
            data = data["data"]
        return normalize_item(data)

    def complete(self, item, fields=None):
        """``item`` itself when it already holds every key in ``fields``, else its detail.

        Whether the list carries the detail's fields is not documented: with
        ``fields`` the list item is used when it does (one request saved per
        resource), and the detail is read when it does not (tolerant of both
        readings). Without ``fields`` the detail is always read.
        """
        if fields is not None and all(key in item for key in fields):
            return item
        return self.get_detail(item["id"])

    def find(self, name=None, resource_id=None, mode=None, fields=None):
        """The resource given by ``resource_id`` (detail, no list call) or by ``name``.

        By name, the listed item is returned as is when it holds all ``fields``
        (see :meth:`complete`), else the detail is read.
        """
        if resource_id:
            return self.get_detail(resource_id)
        item = self.find_by_name(name, mode)
        return self.complete(item, fields) if item else None


def _project_from_token_body(body):
    token = (body or {}).get("token") or {}
    project = token.get("project") or {}
    return project.get("id")
