#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: re_cluster
short_description: Create (or recover) a Redis Enterprise cluster and join its nodes, as one resource
version_added: 1.2.0
description:
  - Makes the Redis Enterprise nodes in O(nodes) one cluster named O(name). The first node creates the
    cluster (C(POST /v1/bootstrap/create_cluster)), or recovers it from O(recovery_filename); the other
    nodes then join it one at a time, in the order given, as Redis Enterprise requires.
  - Each node is reached through its own URL with the same connection options and credentials; the
    username and password are also the cluster's admin credentials (sent in each bootstrap body).
  - Reads every node's bootstrap status (C(GET /v1/bootstrap)) and, for a node that has completed, the
    name of its cluster (C(GET /v1/cluster)) first, and refuses before any write a node that already
    belongs to another cluster, naming it. When every node has completed into a cluster of this name,
    each with its own uid, nothing more is read or sent (two requests per node).
  - With O(validate) (the default) each node's bootstrap is validated
    (C(POST /v1/bootstrap/validate/{action}), which changes nothing) just before it is started; a join
    validates against the running cluster.
  - A node whose last bootstrap failed (state V(error)) is bootstrapped again, with a warning that
    carries its earlier error. A node whose bootstrap is already under way is waited for, never started again.
  - One deadline, O(wait_timeout), covers the whole cluster, every node's wait and retry included. A node
    whose REST API does not answer yet (just installed) is read again until then.
  - When a bootstrap request gets no answer it is not sent again blindly; the node is read, and a bootstrap found
    under way is followed. Only when the connection was closed without an answer and the node is still idle is it
    sent again. A bootstrap that fails reports its C(error_code), what it means and the useful
    C(error_details).
  - At the end, every node this task bootstrapped or waited for must be listed among the cluster's nodes
    (C(GET /v1/nodes) on the first node).
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.redis_enterprise
  - redisops.platform.redis_enterprise.NODE_PATHS
  - redisops.platform.attributes
  - redisops.platform.attributes.STATEFUL
  - redisops.platform.attributes.REDIS_ENTERPRISE_GROUP
options:
  url:
    description:
      - Not used. Each node is reached at its own URL in O(nodes).
      - Accepted (and ignored) so that C(module_defaults) for C(group/redisops.platform.redis_enterprise),
        which usually set it, apply to this module too. When set, it must still be a valid URL.
    type: str
  name:
    description:
      - Name of the cluster, a fully qualified domain name of at most 64 characters made of RFC 1123 labels.
      - Sent to the first node to create the cluster; a node that has completed bootstrapping must be in a
        cluster of this name (DNS names compare without case and without a trailing dot).
    type: str
    required: true
  nodes:
    description:
      - The nodes, first node first. Each is the node's REST API URL (for example C(https://10.0.0.1:9443)),
        or a dictionary with C(url) and, optionally, the node's identity (sent as C(node.identity)), that is
        C(name) (the node's name), C(addr) (its internal IP address), C(external_addr) (a list of external
        IP addresses), C(rack_id) (its rack or zone, required to join a rack-aware cluster) and C(uid) (the
        node uid to assume).
      - The first node creates (or recovers) the cluster; the others join it in this order.
      - A URL given twice, or with C(user:password@), is refused before any request.
    type: list
    elements: raw
    required: true
  join_address:
    description:
      - Address (IP address or host name, no scheme or port) at which joining nodes reach the cluster.
      - Default the host of the first node's URL.
    type: str
  license:
    description:
      - The cluster license key, sent when the cluster is created. When omitted, the server installs a trial license.
      - Never logged, never returned. Not allowed with O(recovery_filename) (the license is in the backup).
    type: str
  recovery_filename:
    description:
      - Path, on the first node, of the cluster configuration backup to recover the cluster from (for example
        C(/var/opt/redislabs/persist/ccs/ccs-redis.rdb)).
      - When set, an idle first node runs C(recover_cluster) from that file instead of C(create_cluster), and
        every other node joins with its old C(uid), which is then required in O(nodes).
      - The recovered cluster keeps the name in the backup, which must be O(name).
    type: str
  validate:
    description:
      - Validate each node's bootstrap (C(POST /v1/bootstrap/validate/{action}), which changes nothing) just
        before starting it. A configuration the node rejects (HTTP 406) fails the task before that node's
        bootstrap, with the error code and its meaning.
      - In check mode, the validations that can run already run (the first node's, and the joins' when the
        cluster exists).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds the whole task may take, every node's bootstrap, wait and retry included (one deadline for the cluster).
    type: float
    default: 1800
notes:
  - O(username) and O(password) are required. They are how the module connects to every node and the
    cluster's admin credentials (sent in each bootstrap's C(credentials)). The username must not contain
    C(&), C(<), C(>) or C(").
  - Before a node joins a cluster its bootstrap status is readable without authentication; once it has
    joined, the module authenticates. A node that answers HTTP 401 with these credentials already belongs to
    a cluster that does not know them, and is refused.
  - Bootstrap states the documents do not list are treated as a bootstrap under way.
  - The request count of a run that changes nothing is two per node (its bootstrap status and its cluster's name).
seealso:
  - module: redisops.platform.re_bootstrap
  - module: redisops.platform.re_bootstrap_info
  - module: redisops.platform.re_node_info
"""

EXAMPLES = r"""
- name: Make three new nodes a cluster (trial license)
  redisops.platform.re_cluster:
    name: cluster.example.com
    nodes:
      - https://10.0.0.1:9443
      - https://10.0.0.2:9443
      - https://10.0.0.3:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    ca_path: /etc/pki/redis-enterprise-ca.pem

- name: A rack-aware cluster with a license, node names and storage paths
  redisops.platform.re_cluster:
    name: cluster.example.com
    license: "{{ vault_re_license }}"
    nodes:
      - url: https://node1.example.com:9443
        name: node-a
        rack_id: zone-a
      - url: https://node2.example.com:9443
        name: node-b
        rack_id: zone-b
        external_addr: [203.0.113.12]
    join_address: 10.0.0.1
    node_paths:
      persistent_path: /var/opt/redislabs/persist
      ephemeral_path: /var/opt/redislabs/tmp
  module_defaults:
    group/redisops.platform.redis_enterprise:
      username: admin@example.com
      password: "{{ vault_re_admin_password }}"
  register: re_cluster

- name: Show each node's uid
  ansible.builtin.debug:
    msg: "{{ re_cluster.nodes | map(attribute='uid') | list }}"

- name: Recover a cluster that lost its quorum, on clean nodes, each joining with its old uid
  redisops.platform.re_cluster:
    name: cluster.example.com
    recovery_filename: /var/opt/redislabs/persist/ccs/ccs-redis.rdb
    nodes:
      - url: https://10.0.0.1:9443
        uid: 1
      - url: https://10.0.0.2:9443
        uid: 2
      - url: https://10.0.0.3:9443
        uid: 3
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
"""

RETURN = r"""
cluster_name:
  description:
    - The name of the cluster as its first node says it (read with C(GET /v1/cluster), or O(name) when this task
      created it); in check mode, O(name) when the cluster would be created. Null when the first node is not in a cluster.
  returned: always, unless the input was rejected
  type: str
  sample: cluster.example.com
nodes:
  description:
    - Every node, in the order of O(nodes). In check mode, a node that would be bootstrapped is predicted
      (state V(completed), RV(nodes[].changed) true).
  returned: always, unless the input was rejected
  type: list
  elements: dict
  contains:
    url:
      description: The node's URL as given.
      type: str
      sample: https://10.0.0.2:9443
    uid:
      description: The node's uid, an integer; null while the node has none (not in a cluster yet, or predicted without a given uid).
      type: int
      sample: 2
    state:
      description: The node's bootstrap state at the end (C(idle), C(initiated), C(creating_cluster), C(joining_cluster),
        C(recovering_cluster), C(error), C(completed)); null when it could not be read.
      type: str
      sample: completed
    changed:
      description: Whether this task bootstrapped the node (in check mode, would).
      type: bool
      sample: true
    action:
      description: What this task made of the node, V(created), V(joined), V(recovered) or V(none).
      type: str
      sample: joined
  sample:
    - {url: "https://10.0.0.1:9443", uid: 1, state: completed, changed: true, action: created}
    - {url: "https://10.0.0.2:9443", uid: 2, state: completed, changed: true, action: joined}
actions:
  description:
    - What the task did (or, in check mode, would do), in order, validations included. Empty when nothing was sent.
    - A bootstrap whose answer was lost and that was then found under way says so.
  returned: always, unless the input was rejected
  type: list
  elements: str
  sample:
    - validated create_cluster of the node at https://10.0.0.1:9443
    - created cluster 'cluster.example.com' on https://10.0.0.1:9443
    - validated join_cluster of the node at https://10.0.0.2:9443
    - joined https://10.0.0.2:9443 to the cluster (through 10.0.0.1)
duration:
  description: Seconds the whole task took, every read, write and wait included.
  returned: always, unless the input was rejected
  type: float
  sample: 95.4
error_code:
  description: The bootstrap (or validation) error code, when a node reports a failed bootstrap.
  returned: on failure, when a node reported an error state
  type: str
  sample: time_not_sync
error_details:
  description: The error details the node returned with RV(error_code).
  returned: on failure, when a node reported an error state
  type: dict
  sample:
    message: clock skew 12 s
diff:
  description: Every node's bootstrap state before and after, in diff mode.
  returned: when diff mode is on
  type: dict
  sample:
    before:
      nodes:
        - {url: "https://10.0.0.1:9443", state: idle}
        - {url: "https://10.0.0.2:9443", state: idle}
    after:
      nodes:
        - {url: "https://10.0.0.1:9443", state: completed}
        - {url: "https://10.0.0.2:9443", state: completed}
"""

from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils._resource import run
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.cluster import (
    ARGUMENT_SPEC as RESOURCE_OPTIONS,
    CONNECTION,
    Cluster,
    node_url_secrets,
)

ARGUMENT_SPEC = RESOURCE_OPTIONS


class ClusterModule(RedisOpsModule):
    """The module, with the passwords of node URLs that carry one masked before anything echoes them."""

    def _load_params(self):
        super(ClusterModule, self)._load_params()
        self.no_log_values.update(node_url_secrets(self.params))


def main():
    run(ClusterModule(ARGUMENT_SPEC, connection=CONNECTION), Cluster)


if __name__ == "__main__":
    main()
