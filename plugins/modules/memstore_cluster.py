#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: memstore_cluster
short_description: Manage a KakaoCloud MemStore cluster (cluster mode enabled)
version_added: 1.1.0
description:
  - Creates, updates, scales and deletes one MemStore cluster with cluster mode enabled, that is a
    Redis cluster of 1 to 12 shards, each a primary with up to five replicas, the 16384 hash slots
    spread over the shards.
  - Creates the cluster with one request and waits until the cluster, every shard and every node are
    Running.
  - Updates what the API can change, O(description) and O(parameter_group_id) (or O(parameter_group)), in one C(PATCH) that
    carries only what differs.
  - Adds shards one at a time (O(shard_count) raised), each with O(nodes_per_shard) nodes; removes
    shards, the highest first, only with O(allow_shard_removal=true), since their slots move to the
    other shards.
  - Adds or removes replicas in every shard (O(nodes_per_shard) changed), one at a time; never removes
    a primary.
  - Options that cannot change after creation (O(version), O(port), O(flavor_id) or O(flavor), O(tls_enabled),
    O(user), O(subnets), O(security_groups)) fail the task, naming each one, when they differ from the
    live cluster; nothing is sent then.
  - Every option is validated before any request is sent.
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.memstore
  - redisops.platform.memstore_resource
  - redisops.platform.wait
  - redisops.platform.attributes
  - redisops.platform.attributes.STATEFUL
  - redisops.platform.attributes.MEMSTORE_GROUP
options:
  version:
    description:
      - Redis version. Required to create; cannot change afterwards.
      - Not a fixed list. Before a create the module reads the versions the service offers (C(GET /v1/redis/versions))
        and fails before any write, naming the offered ones, when this one is not among them. When the service does not
        publish that list (HTTP 404) the create is sent and the service's answer reported.
      - Must look like C(N.N.N), for example V(7.2.7). Version V(5.0.6) is offered for cluster mode disabled only, so a
        cluster cannot use it.
    type: str
  shard_count:
    description:
      - Number of shards, 1 to 12. Required to create.
      - Raising it adds shards one at a time (C(POST .../shards)), each with O(nodes_per_shard) nodes
        (the live number when not given) placed by O(subnet_assignments), waiting for the cluster to be
        Running after each.
      - Lowering it removes the shards with the highest IDs first (C(DELETE .../shards/{shard-id})),
        one at a time, and only with O(allow_shard_removal=true); without it the task fails before any
        request.
    type: int
  nodes_per_shard:
    description:
      - Number of nodes in each shard, the primary included, 1 to 6 (the documents give no limit;
        the instance-set limit of one primary and five replicas is assumed).
      - Required to create. Changing it adds replicas (C(POST .../shards/{shard-id}/nodes)) or removes
        replicas (C(DELETE .../nodes/{node-id})) in every shard, one at a time; a replica that is not
        Running goes first, then the newest; a primary is never removed.
    type: int
  subnet_assignments:
    description:
      - Where the nodes of each shard go, one entry per shard in shard order. Required to create.
      - With fewer entries than shards the entries are reused round robin (shard 3 of 2 entries uses
        the first one), on create and when shards are added. More entries than O(shard_count) is an error.
      - When replicas are added to an existing shard, they go to the subnets of that shard's entry,
        round robin after the replicas it already has. Existing nodes are never moved.
      - When not given, the assignments the live cluster shows are used.
    type: list
    elements: dict
    suboptions:
      primary:
        description:
          - Subnet ID of the shard's primary node.
        type: str
        required: true
      replicas:
        description:
          - Subnet IDs for the shard's replicas, used round robin (the first replica in the first
            subnet, and so on). When empty, the replicas go to the primary's subnet.
        type: list
        elements: str
        default: []
  subnets:
    description:
      - Subnet IDs the cluster may use. Defaults to the subnets named in O(subnet_assignments).
      - Every subnet of O(subnet_assignments) must be listed here.
      - Cannot change after creation; compared only when given.
    type: list
    elements: str
  security_groups:
    description:
      - Security group IDs attached to the cluster (at least one). Required to create.
      - The update endpoint of clusters cannot change them; compared only when given.
    type: list
    elements: str
  tls_enabled:
    description:
      - Enable TLS. Cannot change after creation.
      - The cluster-mode-enabled document does not list a TLS field for the create request. With
        V(true) the module sends C(tlsEnabled), as the instance-set API names it; otherwise it sends
        nothing and TLS stays off.
    type: bool
  allow_shard_removal:
    description:
      - Allow lowering O(shard_count). Removing a shard moves its slots (and their keys) to the other
        shards, which can take hours on a large data set.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait, in total for the task, for the cluster with every shard and node to be Running (or gone).
    type: float
    default: 3600
notes:
  - Changes are made one at a time, each waiting until the cluster, its shards and nodes are Running
    before the next is sent (the API refuses writes to a busy cluster), in the order create, update,
    shard removal, replica changes shard by shard, shard additions. With O(wait=false) the task returns
    once the last request is accepted.
  - A cluster that is busy when the task starts (for example still Creating) is waited for before any
    change is sent, and also when nothing changes and O(wait=true). The changes are planned from what
    the first read shows.
  - When the answer to a create is lost (connection dropped, server error), the module looks the cluster
    up by name before deciding, so a cluster is never created twice. Likewise a change answered as busy
    (409, or a 400 that speaks of the cluster's state) or not answered is checked on the live cluster
    before it is sent again.
  - The shards and nodes come from the documented C(GET /v1/clusters/{cluster-id}/shards); the cluster's
    other fields from C(GET /v1/clusters) (or C(GET /v1/clusters/{id}) with O(id)), which the documents
    do not describe. The module assumes they show what the create request sent, in its field names
    (C(version), C(port), C(flavorId), C(parameterGroupId), C(securityGroups), C(subnets),
    C(subnetAssignments), C(shardCount), C(nodeCountPerShard), C(tlsEnabled), C(user.name)). A listed item
    that lacks the compared fields is completed from the detail endpoint.
  - Options the live cluster does not show (for example a C(user) that the API does not echo) are reported
    in a warning and not compared.
  - The task fails when the cluster, a shard or a node reaches the Failed status; the message names the
    cluster, every shard and node that is not Running, and what the task had done.
seealso:
  - module: redisops.platform.memstore_cluster_info
  - module: redisops.platform.memstore_instance_set
"""

EXAMPLES = r"""
- name: Create a cluster of three shards, each a primary and two replicas over three subnets
  redisops.platform.memstore_cluster:
    name: orders
    description: Order cache
    version: 7.2.6
    port: 6379
    flavor: a1-8-co
    parameter_group: default-redis-7.2.6-cluster
    shard_count: 3
    nodes_per_shard: 3
    subnet_assignments:
      - primary: subnet-a
        replicas: [subnet-b, subnet-c]
      - primary: subnet-b
        replicas: [subnet-c, subnet-a]
      - primary: subnet-c
        replicas: [subnet-a, subnet-b]
    security_groups: [sg-redis]
    user:
      name: app
      password: "{{ vault_orders_password_hash }}"
  register: orders

- name: Show the seed nodes for a cluster client
  ansible.builtin.debug:
    msg: "{{ orders.cluster.endpoints | join(',') }}"

- name: Change the description and the parameter group
  redisops.platform.memstore_cluster:
    name: orders
    description: Order cache (checkout)
    parameter_group: orders-tuned

- name: Add a fourth shard (placed like the first, round robin)
  redisops.platform.memstore_cluster:
    name: orders
    shard_count: 4

- name: Go back to three shards (moves the slots of the highest shard)
  redisops.platform.memstore_cluster:
    name: orders
    shard_count: 3
    allow_shard_removal: true

- name: One replica less in every shard
  redisops.platform.memstore_cluster:
    name: orders
    nodes_per_shard: 2

- name: Delete the cluster
  redisops.platform.memstore_cluster:
    name: orders
    state: absent
"""

RETURN = r"""
cluster:
  description:
    - The cluster after the task (with O(state=present)); what it would look like in check mode.
    - Empty with O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: Cluster ID (null in check mode before creation).
      type: str
      sample: qwerqwer-7347-4d87-a49f-e705e91db2fb
    name:
      description: Name of the cluster.
      type: str
      sample: orders
    status:
      description: Status, for example C(Creating), C(Running), C(Modifying), C(Scaling(horizontal)), C(Failed).
      type: str
      sample: Running
    cluster_mode:
      description: Always C(enabled).
      type: str
      sample: enabled
    project_id:
      description: Project of the cluster, when the API shows it.
      type: str
    description:
      description: Description.
      type: str
    version:
      description: Redis version.
      type: str
      sample: 7.2.6
    port:
      description: Redis port.
      type: int
      sample: 6379
    flavor_id:
      description: Flavor ID.
      type: str
    parameter_group_id:
      description: Attached parameter group.
      type: str
    flavor:
      description:
        - Name of the flavor, when the task read the flavors (it gave a flavor or parameter group by name); null otherwise.
      type: str
      sample: a1-4-co
      version_added: 1.2.0
    parameter_group:
      description:
        - Name of the linked parameter group, when the task read the parameter groups (it gave a flavor or
          parameter group by name); null otherwise.
      type: str
      sample: default-redis-7.2.7
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
      sample: 3
    nodes_per_shard:
      description: Number of nodes in each shard, the primary included; null when the shards differ.
      type: int
      sample: 3
    shard_nodes:
      description: Number of nodes of each shard, in shard order.
      type: list
      elements: int
      sample: [3, 3, 3]
    endpoints:
      description: Every node as C(host:port), the seed list for a Redis cluster client.
      type: list
      elements: str
      sample: ["10.184.0.11:6379", "10.184.0.12:6379"]
    primary_endpoints:
      description: The private IP of each shard's primary, in shard order.
      type: list
      elements: str
    shards:
      description: The shards, in shard order (empty in check mode before creation).
      type: list
      elements: dict
      contains:
        id:
          description: Shard ID, for example C(001).
          type: str
        name:
          description: Shard name, for example C(orders-001).
          type: str
        slots:
          description: The hash slot range of the shard, for example C(0-8191).
          type: str
        status:
          description: Shard status.
          type: str
        node_count:
          description: Number of nodes of the shard.
          type: int
        primary_endpoint:
          description: Private IP of the shard's primary.
          type: str
        replica_endpoints:
          description: Private IPs of the shard's replicas.
          type: list
          elements: str
        nodes:
          description: The nodes of the shard.
          type: list
          elements: dict
          contains:
            id:
              description: Node ID.
              type: str
            name:
              description: Node name, for example C(orders-001-002).
              type: str
            role:
              description: C(primary) or C(replica).
              type: str
            status:
              description: Node status.
              type: str
            endpoint:
              description: Private IP of the node.
              type: str
            port:
              description: Redis port of the node.
              type: int
            subnet_id:
              description: Subnet of the node.
              type: str
            created_at:
              description: Creation time (RFC 3339).
              type: str
        created_at:
          description: Creation time of the shard (RFC 3339).
          type: str
    created_at:
      description: Creation time of the cluster, when the API shows it.
      type: str
actions:
  description: What the task did (or, in check mode, would do), in order.
  returned: always
  type: list
  elements: str
  sample: ["updated description", "added a shard with 3 node(s), primary in subnet subnet-a"]
duration:
  description: Seconds the task spent, waits included.
  returned: always
  type: float
  sample: 412.5
diff:
  description: Before and after of the compared fields (no secrets), in diff mode.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The live cluster (empty before a create).
      type: dict
    after:
      description: The declared cluster (empty after a delete).
      type: dict
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils._resource import run
from ansible_collections.redisops.platform.plugins.module_utils.memstore.cluster import Cluster

ARGUMENT_SPEC = Cluster.argument_spec
DEFAULT_WAIT_TIMEOUT = 3600


def main():
    run(RedisOpsModule(ARGUMENT_SPEC, connection=MEMSTORE_CONNECTION, wait_timeout=DEFAULT_WAIT_TIMEOUT,
                       mutually_exclusive=Cluster.mutually_exclusive), Cluster)


if __name__ == "__main__":
    main()
