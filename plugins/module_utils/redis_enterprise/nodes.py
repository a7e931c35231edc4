# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Redis Enterprise nodes as ``re_node_info`` reports them: ``GET /v1/nodes`` (or
``/v1/nodes/{uid}``) merged with each node's ``GET /v1/nodes/{uid}/status``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils._http import to_int
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.node_actions import NodeActions, node_path, normalize_node_status

NODES_PATH = "/v1/nodes"


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


class NodeReader(NodeActions):
    """Reads the cluster's nodes; a node that does not exist is an empty list."""

    def nodes(self, uid=None, read_status=True):
        """The nodes (one, with ``uid``), each merged with its status unless ``read_status`` is False."""
        if uid is None:
            listed = read_node_list(self.client.get(NODES_PATH).data)
        else:
            node = self._get_or_none(node_path(uid))
            listed = [node] if isinstance(node, dict) else []
        found = []
        for node in listed:
            if not read_status:
                found.append(node_view(node, None))
                continue
            status = self._get_or_none(node_path(node.get("uid", uid)) + "/status")
            if status is None:
                continue  # removed between the two reads
            found.append(node_view(node, status))
        return sorted(found, key=lambda item: (item["uid"] is None, item["uid"] or 0))
