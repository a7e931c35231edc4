# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Redis Enterprise Software REST API: connection options, Basic or client
certificate auth, and tolerant readers for what real servers return."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.redisops.platform.plugins.module_utils._factory import Wiring
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, ClientError, parse_error_body

# Every bootstrap path, in one place.
BOOTSTRAP_PATH = "/v1/bootstrap"
BOOTSTRAP_ACTION_PATH = "/v1/bootstrap/%s"
BOOTSTRAP_VALIDATE_PATH = "/v1/bootstrap/validate/%s"
CLUSTER_PATH = "/v1/cluster"
# A 503 with one of these error codes describes the node (not in a cluster, bootstrapping), not
# an overload: retrying cannot change it, so it fails at once with the API's message.
_STATE_CODES = re.compile(r"(?i)^(node_not_in_cluster|.*bootstrap.*)$")


def is_state_answer(status, body):
    """Whether an answer urllib3 would retry is a permanent state of the node."""
    code = parse_error_body(body)[0] if status == 503 else None
    return bool(code and _STATE_CODES.match(code))


class RedisEnterpriseClient:
    """A client for one node's REST API (``url``).

    Credentials are sent when configured. Reads that may come before the node
    has joined a cluster (``GET /v1/bootstrap``) fall back to an unauthenticated
    read when the node rejects the credentials, since it has no users yet.
    ``wiring`` (see ``build_client``) is what its HTTP client is built with. It
    holds no state of its own: threads may share it.
    """

    def __init__(self, params, wiring=None):
        self.username = params.get("username")
        password = params.get("password")
        self.credentials = (self.username, password) if self.username and password else None
        self.http = (wiring or Wiring()).http_client(
            params["url"],
            validate_certs=params["validate_certs"],
            ca_path=params.get("ca_path"),
            client_cert=params.get("client_cert"),
            client_key=params.get("client_key"),
            timeout=params["request_timeout"],
            auth=self.credentials,
            secrets=[password],
            permanent=self.is_permanent,
        )

    def is_permanent(self, status, body):
        """Whether an answer urllib3 would retry is a state, not overload (failed at once)."""
        return is_state_answer(status, body)

    def http_clients(self):
        """The HTTP clients of this API (their secrets are what event sources scrub)."""
        return [self.http]

    def close(self):
        self.http.close()

    def request(self, method, path, **kwargs):
        return self.http.request(method, path, **kwargs)

    def get(self, path, **kwargs):
        return self.http.get(path, **kwargs)

    def post(self, path, json_body=None, **kwargs):
        return self.http.post(path, json_body=json_body, **kwargs)

    def delete(self, path, **kwargs):
        return self.http.delete(path, **kwargs)

    def start_bootstrap(self, action, body):
        """``POST /v1/bootstrap/{action}``."""
        return self.http.post(BOOTSTRAP_ACTION_PATH % action, json_body=body)

    def validate_bootstrap(self, action, body):
        """``POST /v1/bootstrap/validate/{action}``: the response, 200 (valid) or 406 (invalid).
        It changes nothing, so it is retried like a read."""
        return self.http.post(BOOTSTRAP_VALIDATE_PATH % action, json_body=body, ok=[200, 406], idempotent=True)

    def cluster_name(self):
        """The name of the cluster the node belongs to (``GET /v1/cluster``)."""
        return (self.http.get(CLUSTER_PATH).data or {}).get("name")

    def cluster_name_if_known(self):
        """The cluster's name, or None when the node cannot tell (it is not in a cluster yet, or
        refuses the credentials): it names the cluster in results, so it never fails a task."""
        try:
            return self.cluster_name()
        except (ApiError, ClientError):
            return None

    def bootstrap(self):
        """``GET /v1/bootstrap`` normalised: ``{"bootstrap_status", "local_node_info"}``."""
        try:
            data = self.http.get(BOOTSTRAP_PATH).data
        except ApiError as error:
            if error.status != 401:
                raise
            if not self.credentials:
                raise ApiError(error.method, error.path, status=401, code=error.code,
                               message="the node has joined a cluster, so reading it needs username and password")
            try:
                # A node that has not joined yet has no users; read it unauthenticated.
                data = self.http.get(BOOTSTRAP_PATH, auth=False).data
            except ApiError:
                raise ApiError(error.method, error.path, status=401, code=error.code,
                               message="authentication failed for user %r: check username and password" % self.username)
        return normalize_bootstrap(data)


def to_uid(value):
    """Node uids come as strings on real servers and as numbers in the docs."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def normalize_node_info(info):
    """``local_node_info`` with both address spellings and ``uid`` as a string."""
    info = dict(info or {})
    addresses = info.get("available_addresses")
    if addresses is None:
        addresses = info.get("available_addrs")
    info["available_addresses"] = addresses or []
    info["available_addrs"] = info["available_addresses"]
    if "uid" in info:
        info["uid"] = to_uid(info["uid"])
    return info


def normalize_bootstrap(data):
    data = data if isinstance(data, dict) else {}
    status = dict(data.get("bootstrap_status") or {})
    status.setdefault("state", "unknown")
    return dict(bootstrap_status=status, local_node_info=normalize_node_info(data.get("local_node_info")))


def read_action_list(body):
    """Action lists come bare or as ``{"actions": [...]}``."""
    if isinstance(body, dict):
        body = body.get("actions", [])
    return list(body or [])
