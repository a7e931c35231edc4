#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: memstore_cluster_info
short_description: Read KakaoCloud MemStore clusters (cluster mode enabled)
version_added: 1.1.0
description:
  - Reads one cluster, by O(name) or O(id), or every cluster with cluster mode enabled of the project,
    each with its shards (slots, status) and their nodes (role, status, endpoint, port).
  - Never changes anything. No password is ever returned.
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.memstore
  - redisops.platform.attributes
  - redisops.platform.attributes.INFO_MODULE
  - redisops.platform.attributes.MEMSTORE_GROUP
options:
  name:
    description:
      - Name of the cluster to read. Without O(name) and O(id), every cluster is read.
    type: str
  id:
    description:
      - ID of the cluster to read (skips the look-up by name).
    type: str
  read_shards:
    description:
      - Read each cluster's shards with their nodes (one request per cluster).
      - With V(false) only the clusters themselves are read, in one request for all of them (the list), enough to
        watch their RV(clusters[].status) while waiting. RV(clusters[].shard_count) and
        RV(clusters[].nodes_per_shard) are then the cluster's own counts, and RV(clusters[].shard_nodes),
        RV(clusters[].endpoints), RV(clusters[].primary_endpoints) and RV(clusters[].shards) are null.
    type: bool
    default: true
    version_added: 1.2.0
notes:
  - Reading one cluster by name takes two requests (the assumed C(GET /v1/clusters) and the documented
    C(GET /v1/clusters/{cluster-id}/shards), which carries every shard with its nodes); a listed item
    that lacks the cluster's fields is completed from C(GET /v1/clusters/{id}).
  - A cluster that does not exist gives an empty list, not an error. A O(name) that breaks the naming rules of
    M(redisops.platform.memstore_cluster) fails before any request. A name or ID of an instance set
    (cluster mode disabled) is an error that points to M(redisops.platform.memstore_instance_set).
seealso:
  - module: redisops.platform.memstore_cluster
  - module: redisops.platform.memstore_instance_set_info
"""

EXAMPLES = r"""
- name: Read one cluster
  redisops.platform.memstore_cluster_info:
    name: orders
  register: found

- name: Show each shard's slots and primary
  ansible.builtin.debug:
    msg: "{{ item.name }}: slots {{ item.slots }}, primary {{ item.primary_endpoint }}"
  loop: "{{ found.clusters[0].shards }}"
  loop_control:
    label: "{{ item.name }}"
  when: found.clusters | length > 0

- name: Read every cluster of the project
  redisops.platform.memstore_cluster_info:
  register: all_clusters

- name: List the clusters that are not Running
  ansible.builtin.debug:
    msg: "{{ all_clusters.clusters | rejectattr('status', 'equalto', 'Running') | map(attribute='name') | list }}"
"""

RETURN = r"""
clusters:
  description:
    - The clusters found (empty when none matches), in the shape the
      M(redisops.platform.memstore_cluster) module returns as RV(redisops.platform.memstore_cluster#module:cluster).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Cluster ID.
      type: str
    name:
      description: Name of the cluster.
      type: str
    status:
      description: Status, for example C(Creating), C(Running), C(Modifying), C(Scaling(horizontal)), C(Failed).
      type: str
    cluster_mode:
      description: Always C(enabled).
      type: str
    project_id:
      description: Project of the cluster, when the API shows it.
      type: str
    description:
      description: Description.
      type: str
    version:
      description: Redis version.
      type: str
    port:
      description: Redis port.
      type: int
    flavor_id:
      description: Flavor ID.
      type: str
    parameter_group_id:
      description: Attached parameter group.
      type: str
    flavor:
      description: Always null here (this module reads no catalog); M(redisops.platform.memstore_flavor_info) names the flavor IDs.
      type: str
      version_added: 1.2.0
    parameter_group:
      description:
        - Always null here (this module reads no catalog); M(redisops.platform.memstore_parameter_group_info) names the group IDs.
      type: str
      version_added: 1.2.0
    security_groups:
      description: Security group IDs.
      type: list
      elements: str
    subnets:
      description: Subnet IDs the cluster may use.
      type: list
      elements: str
    tls_enabled:
      description: Whether TLS is on.
      type: bool
    shard_count:
      description: Number of shards.
      type: int
    nodes_per_shard:
      description: Number of nodes in each shard, the primary included; null when the shards differ.
      type: int
    shard_nodes:
      description: Number of nodes of each shard, in shard order (null with O(read_shards=false)).
      type: list
      elements: int
    endpoints:
      description: Every node as C(host:port), the seed list for a Redis cluster client (null with O(read_shards=false)).
      type: list
      elements: str
    primary_endpoints:
      description: The private IP of each shard's primary, in shard order (null with O(read_shards=false)).
      type: list
      elements: str
    shards:
      description:
        - The shards in shard order, each with C(id), C(name), C(slots), C(status), C(node_count),
          C(primary_endpoint), C(replica_endpoints), C(created_at) and C(nodes).
        - Each node has C(id), C(name), C(role) (C(primary) or C(replica)), C(status), C(endpoint),
          C(port), C(subnet_id) and C(created_at).
        - Null with O(read_shards=false).
      type: list
      elements: dict
    created_at:
      description: Creation time of the cluster, when the API shows it.
      type: str
  sample:
    - id: qwerqwer-7347-4d87-a49f-e705e91db2fb
      name: orders
      status: Running
      cluster_mode: enabled
      version: 7.2.6
      port: 6379
      shard_count: 2
      nodes_per_shard: 2
      shards:
        - id: "001"
          name: orders-001
          slots: 0-8191
          status: Running
          nodes:
            - name: orders-001-001
              role: primary
              status: Running
              endpoint: 10.184.0.11
              port: 6379
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils.memstore.cluster import Cluster
from ansible_collections.redisops.platform.plugins.module_utils.memstore.info import run_info

ARGUMENT_SPEC = dict(name=dict(type="str"), id=dict(type="str"), read_shards=dict(type="bool", default=True))


def main():
    run_info(RedisOpsModule(ARGUMENT_SPEC, connection=MEMSTORE_CONNECTION, mutually_exclusive=[("name", "id")]), Cluster, "read_shards")


if __name__ == "__main__":
    main()
