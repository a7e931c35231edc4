# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Redis Enterprise nodes: ``GET /v1/nodes`` (or ``/v1/nodes/{uid}``) merged with each node's
``GET /v1/nodes/{uid}/status``, as ``re_node_info``, the inventory plugin and the event source
report them, and the node state the node actions read."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._connection import is_host, node_url
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, to_int
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import to_uid

NODES_PATH = "/v1/nodes"


def node_path(uid):
    return "/v1/nodes/%s" % uid


def node_status_path(uid):
    return node_path(uid) + "/status"


def read_or_none(client, path):
    """``GET path``'s data, or None when the server answers 404 (a node or action that does not exist)."""
    try:
        return client.get(path).data
    except ApiError as error:
        if error.status == 404:
            return None
        raise


def normalize_node_status(raw, uid):
    """``GET /v1/nodes/{uid}/status`` (or the node object) with ``uid`` as a string and
    ``has_maintenance_snapshot``/``removed`` spelled out."""
    status = dict(raw) if isinstance(raw, dict) else {}
    status["uid"] = to_uid(status.get("uid", uid))
    status.setdefault("role", None)
    if status.get("node_status") is None:
        status["node_status"] = status.get("status")
    status["maintenance_snapshot"] = status.get("maintenance_snapshot") or None
    status["has_maintenance_snapshot"] = bool(status["maintenance_snapshot"])
    status["removed"] = False
    return status


def removed_node_status(uid):
    return dict(uid=to_uid(uid), role=None, node_status=None, maintenance_snapshot=None,
                has_maintenance_snapshot=False, removed=True)


def node_api_url(url, addr):
    """The REST API URL of the node at ``addr``: ``url``'s scheme and port, ``addr`` as host
    (an IPv6 address in brackets); None without an address, or when what the server reports
    is not a host (an IP address or a DNS name): credentials are sent to this URL."""
    if not is_host(addr):
        return None
    return node_url(url, addr)


def maintenance_snapshot(status):
    """``{name, time}`` of the maintenance snapshot a node holds, or None."""
    snapshot = status.get("maintenance_snapshot")
    if not snapshot:
        return None
    if not isinstance(snapshot, dict):
        return dict(name=str(snapshot), time=None)
    return dict(name=snapshot.get("name"), time=snapshot.get("created_time") or snapshot.get("time"))


def node_view(node, status):
    """One node: the fields of the node object and of its status, uid as an integer.

    ``status`` None means it was not read: what only the status tells (role, maintenance)
    is None, not guessed.
    """
    node = node if isinstance(node, dict) else {}
    unread = status is None
    status = normalize_node_status(status if isinstance(status, dict) else {}, node.get("uid"))
    if unread:
        status.update(has_maintenance_snapshot=None, maintenance_snapshot=None)
    shard_count = status.get("shard_count")
    if shard_count is None:
        shard_count = node.get("shard_count")
    return dict(
        uid=to_int(node.get("uid", status.get("uid"))),
        addr=node.get("addr"),
        external_addr=list(node.get("external_addr") or []),
        hostname=status.get("hostname") or node.get("hostname"),
        role=status.get("role"),
        status=status.get("node_status") or node.get("status"),
        shard_count=to_int(shard_count),
        has_maintenance_snapshot=status["has_maintenance_snapshot"],
        maintenance_snapshot=maintenance_snapshot(status),
        software_version=node.get("software_version") or status.get("software_version"),
        rack_id=node.get("rack_id") or None,
    )


def read_node_list(body):
    """Node lists come bare or as ``{"nodes": [...]}``."""
    if isinstance(body, dict):
        body = body.get("nodes", [])
    return [item for item in (body or []) if isinstance(item, dict)]


class NodeReader:
    """Reads the cluster's nodes through ``client`` (a :class:`RedisEnterpriseClient`); a node
    that does not exist is an empty list."""

    def __init__(self, client):
        self.client = client

    def nodes(self, uid=None, read_status=True):
        """The nodes (one, with ``uid``), each merged with its status unless ``read_status`` is False,
        and with its ``api_url``: the URL read through (scheme and port) with the node's address."""
        if uid is None:
            listed = read_node_list(self.client.get(NODES_PATH).data)
        else:
            node = read_or_none(self.client, node_path(uid))
            listed = [node] if isinstance(node, dict) else []
        found = []
        for node in listed:
            status = read_or_none(self.client, node_status_path(node.get("uid", uid))) if read_status else None
            if read_status and status is None:
                continue  # removed between the two reads
            found.append(dict(node_view(node, status), api_url=node_api_url(self.client.http.base_url, node.get("addr"))))
        return sorted(found, key=lambda item: (item["uid"] is None, item["uid"] or 0))
