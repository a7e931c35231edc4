# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where new nodes go and which ones go first: subnets round robin, replicas that are not
Running removed before the others (both modes)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import is_running


def replica_subnets(replicas, primary, first, count):
    """Subnets for replicas ``first`` .. ``first + count - 1``: ``replicas`` round robin,
    the primary's subnet when no replica subnet is given."""
    pool = list(replicas or []) or ([primary] if primary else [])
    if not pool:
        return []
    return [pool[(first + offset) % len(pool)] for offset in range(count)]


def removal_order(replicas):
    """Replicas in the order they are removed: those not Running first, then the newest.

    ``replicas`` are dicts with ``status``, oldest first.
    """
    return ([replica for replica in reversed(replicas) if not is_running(replica["status"])]
            + [replica for replica in reversed(replicas) if is_running(replica["status"])])


def shard_assignment(assignments, index, fallback_primary=None):
    """The placement of the shard at ``index`` (0-based): ``assignments`` round robin."""
    if assignments:
        return assignments[index % len(assignments)]
    return dict(primary=fallback_primary, replicas=[]) if fallback_primary else None


def assignment_object(assignment, nodes):
    """``{primary: {id}, replicas: [{id}, ...]}`` placing one primary and ``nodes - 1`` replicas."""
    replicas = replica_subnets(assignment.get("replicas"), assignment["primary"], 0, nodes - 1)
    return {"primary": {"id": assignment["primary"]}, "replicas": [{"id": subnet} for subnet in replicas]}
