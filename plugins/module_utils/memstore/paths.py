# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The documented paths of MemStore instance sets and clusters, with their members.

(The look-up paths, which the documents do not show, live in the client.)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

SETS_PATH = "/v1/instance-sets"
SET_PATH = SETS_PATH + "/{id}"
INSTANCES_PATH = SET_PATH + "/instances"
INSTANCE_PATH = INSTANCES_PATH + "/{instance_id}"
PRIMARY_PATH = SET_PATH + "/primary"
REPLICAS_PATH = SET_PATH + "/replicas"
RECOVERY_PATH = SET_PATH + "/recovery"

CLUSTERS_PATH = "/v1/clusters"
CLUSTER_PATH = CLUSTERS_PATH + "/{id}"
SHARDS_PATH = CLUSTER_PATH + "/shards"
SHARD_PATH = SHARDS_PATH + "/{shard_id}"
NODES_PATH = SHARD_PATH + "/nodes"
NODE_PATH = NODES_PATH + "/{node_id}"

# A DELETE answered 404 found nothing left to delete.
DELETED = (200, 202, 204, 404)

# The catalogs: node sizes, and the parameter groups a resource links (the DELETE is assumed:
# the documents show no parameter group's own path).
FLAVORS_PATH = "/v1/redis/flavors"
PARAMETER_GROUPS_PATH = "/v1/parameter-groups"
PARAMETER_GROUP_PATH = PARAMETER_GROUPS_PATH + "/{id}"

# Manual backups of both modes (an instance set is addressed as a cluster there: clusterId).
BACKUPS_PATH = "/v1/backups"
BACKUP_PATH = BACKUPS_PATH + "/{id}"
