#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: re_bootstrap
short_description: Create, join or recover a Redis Enterprise cluster from a node
version_added: 1.1.0
description:
  - Makes the Redis Enterprise node at O(url) part of a cluster by bootstrapping it
    (C(POST /v1/bootstrap/{action})), then waits until the bootstrap has completed or failed.
  - V(create_cluster) creates a new cluster named O(cluster_name) with this node as its first node.
    V(join_cluster) adds the node to the cluster that the nodes in O(cluster_nodes) belong to.
    V(recover_cluster) recovers a cluster from the configuration backup O(recovery_filename).
  - Idempotent, from the node's bootstrap state (C(GET /v1/bootstrap)). V(completed) means nothing
    to do (with V(create_cluster), or when O(cluster_name) is set, the node's cluster name is read with
    C(GET /v1/cluster) and must match). V(initiated), V(creating_cluster), V(joining_cluster) and
    V(recovering_cluster) mean a bootstrap is already running, so the module waits for its outcome
    without starting another one. V(idle) and V(error) start the bootstrap; after V(error) the
    previous error code is reported as a warning.
  - A bootstrap that fails reports its C(error_code), what it means, and the useful C(error_details)
    (for example the replace candidate and the failed nodes of a degraded cluster).
  - A node whose REST API does not answer yet (just installed, so connection refused or HTTP 503) is
    read again until O(wait_timeout) when O(wait=true).
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.redis_enterprise
  - redisops.platform.redis_enterprise.NODE_PATHS
  - redisops.platform.wait
  - redisops.platform.attributes
  - redisops.platform.attributes.STATEFUL
  - redisops.platform.attributes.REDIS_ENTERPRISE_GROUP
options:
  action:
    description:
      - What the bootstrap does.
    type: str
    required: true
    choices: [create_cluster, join_cluster, recover_cluster]
  cluster_name:
    description:
      - Name of the cluster to create, a fully qualified domain name of at most 64 characters made
        of RFC 1123 labels (letters, digits and hyphens, not starting or ending with a hyphen).
      - Required with O(action=create_cluster).
      - With O(action=join_cluster) or O(action=recover_cluster) it is not sent; when set, the name of
        the cluster the node ends up in is checked against it.
    type: str
  cluster_nodes:
    description:
      - Addresses (IP addresses or host names, without scheme or port) of nodes already in the
        cluster to join.
      - Required with O(action=join_cluster), not allowed with the other actions.
    type: list
    elements: str
  license:
    description:
      - The cluster license key. When omitted, the server installs a trial license.
      - Only with O(action=create_cluster). Never logged, never returned.
    type: str
  node_identity:
    description:
      - Identity of the node in the cluster (sent as C(node.identity)). Omitted fields are chosen by the server.
    type: dict
    suboptions:
      addr:
        description: Internal IP address of the node.
        type: str
      external_addr:
        description: External IP addresses of the node.
        type: list
        elements: str
      name:
        description: Name of the node.
        type: str
      rack_id:
        description: Rack (or zone) of the node; required to join a rack-aware cluster.
        type: str
      uid:
        description: The node uid to assume, for example the uid of a failed node this node replaces.
        type: int
  recovery_filename:
    description:
      - Path, on the node, of the cluster configuration backup to recover from
        (for example C(/var/opt/redislabs/persist/ccs/ccs-redis.rdb)).
      - Required with O(action=recover_cluster), not allowed with the other actions.
    type: str
  extra_config:
    description:
      - More fields of the bootstrap configuration object, merged into the request body (nested
        dictionaries are merged key by key), for example C(policy), C(dns_suffixes),
        C(cnm_https_port), C(max_retries), C(node.bigstore_driver) or C(cluster.rack_aware).
      - Must not set what the other options set (C(action), C(cluster.name), C(cluster.nodes),
        C(node.paths), C(node.identity), C(credentials), C(license), C(recovery_filename)).
    type: dict
  validate_only:
    description:
      - Only validate the configuration with C(POST /v1/bootstrap/validate/{action}), which changes
        nothing on the node; the task then never reports a change.
      - A configuration the node rejects (HTTP 406) fails the task with the returned error code and its meaning.
      - On a node that has completed bootstrapping nothing is validated; the same checks as a normal run apply.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds to wait, when O(wait=true), for the node's REST API to answer and for the
        bootstrap to complete or fail.
    type: float
    default: 900
notes:
  - O(username) and O(password) are required. They are both how the module connects and the
    cluster admin credentials sent in the request body's C(credentials), that is the admin user that
    V(create_cluster) and V(recover_cluster) set up, an admin user of the existing cluster for
    V(join_cluster). The username must not contain C(&), C(<), C(>) or C(").
  - Before the node joins a cluster its bootstrap status is readable without authentication; once it
    has joined, the module authenticates. A node that answers HTTP 401 with these credentials already
    belongs to a cluster that does not know them.
  - V(join_cluster) on a node that has completed bootstrapping reports no change; it checks which
    cluster the node is in only when O(cluster_name) is set.
  - An HTTP 409 answer to the bootstrap request means another bootstrap started in the meantime, so the
    module waits for its outcome and reports no change.
  - When the bootstrap request gets no answer (a dropped connection, HTTP 5xx) it is not sent again blindly;
    the module reads the node's state, and carries on waiting when the node has started bootstrapping. Only when
    the connection was closed without an answer and the node is still idle is it sent again.
  - O(validate_only=true) also runs in check mode, as validation changes nothing.
  - Bootstrap states the documents do not list are treated as a bootstrap in progress.
  - With O(wait=false) the module returns right after starting the bootstrap, with the state the node reports then.
seealso:
  - module: redisops.platform.re_bootstrap_info
"""

EXAMPLES = r"""
- name: Create the cluster on the first node (trial license)
  redisops.platform.re_bootstrap:
    url: https://node1.example.com:9443
    ca_path: /etc/pki/redis-enterprise-ca.pem
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    action: create_cluster
    cluster_name: cluster.example.com
    node_paths:
      persistent_path: /var/opt/redislabs/persist
      ephemeral_path: /var/opt/redislabs/tmp

- name: Create a rack-aware cluster with a license and extra settings
  redisops.platform.re_bootstrap:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    action: create_cluster
    cluster_name: cluster.example.com
    license: "{{ vault_re_license }}"
    node_identity:
      rack_id: zone-a
    extra_config:
      cluster:
        rack_aware: true
      policy:
        default_non_sharded_proxy_policy: all-master-shards

- name: Join the other nodes to the cluster
  redisops.platform.re_bootstrap:
    url: "https://{{ item }}:9443"
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    action: join_cluster
    cluster_nodes:
      - 10.0.0.11
    cluster_name: cluster.example.com  # optional: fail if the node is in another cluster
  loop:
    - node2.example.com
    - node3.example.com

- name: Validate a join without changing anything
  redisops.platform.re_bootstrap:
    url: https://node4.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    action: join_cluster
    cluster_nodes: [10.0.0.11]
    validate_only: true

- name: Recover a cluster from its configuration backup
  redisops.platform.re_bootstrap:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    action: recover_cluster
    recovery_filename: /var/opt/redislabs/persist/ccs/ccs-redis.rdb
    wait_timeout: 1800

- name: Start bootstrapping the nodes of a new cluster at once, then wait for each
  module_defaults:
    group/redisops.platform.redis_enterprise:
      username: admin@example.com
      password: "{{ vault_re_admin_password }}"
      ca_path: /etc/pki/redis-enterprise-ca.pem
  block:
    - name: Start the joins without waiting
      redisops.platform.re_bootstrap:
        url: "https://{{ item }}:9443"
        action: join_cluster
        cluster_nodes: [10.0.0.11]
        wait: false
      loop: "{{ groups['re_secondaries'] }}"

    - name: Wait for every join to complete (no new request is started)
      redisops.platform.re_bootstrap:
        url: "https://{{ item }}:9443"
        action: join_cluster
        cluster_nodes: [10.0.0.11]
      loop: "{{ groups['re_secondaries'] }}"
"""

RETURN = r"""
cluster_name:
  description:
    - The name of the cluster the node belongs to once it has completed bootstrapping (read with
      C(GET /v1/cluster), or the O(cluster_name) this task created it with), else null.
    - With the C(uid) of RV(local_node_info) it names the node whichever node's API a task uses; every Redis
      Enterprise module returns it, and Ansible Automation Platform counts nodes by it.
  returned: always
  type: str
  sample: cluster.example.com
bootstrap_status:
  description:
    - The node's bootstrap status when the module finished (as C(GET /v1/bootstrap) returns it).
    - When a validation (O(validate_only=true)) fails, the status the validation returned.
  returned: always, unless the input was rejected or the node could not be read
  type: dict
  contains:
    state:
      description: One of C(idle), C(initiated), C(creating_cluster), C(joining_cluster), C(recovering_cluster), C(error), C(completed).
      type: str
      sample: completed
    start_time:
      description: When the last bootstrap started.
      type: str
      returned: when the node reports it
    end_time:
      description: When the last bootstrap ended.
      type: str
      returned: when the node reports it
    error_code:
      description: Why the last bootstrap failed, when the state is C(error).
      type: str
      returned: when the state is error
    error_details:
      description: Details of the error, such as C(message), C(replace_candidate) or C(current_rack_ids).
      type: dict
      returned: when the state is error
  sample:
    state: completed
    start_time: "2024-08-29T11:19:49Z"
    end_time: "2024-08-29T11:21:02Z"
local_node_info:
  description:
    - The node's configuration as the node reports it.
    - C(available_addresses) and C(available_addrs) both hold the node's addresses, whichever the server sent;
      C(uid) is a string.
  returned: always, unless the input was rejected or the node could not be read
  type: dict
  sample:
    uid: "1"
    software_version: 7.8.2-34
    available_addresses:
      - address: 172.16.50.122
        format: ipv4
        if_name: eth0
        private: true
actions:
  description:
    - What the task did (or, in check mode, would do), in order. Empty when nothing was sent.
    - A start whose answer was lost and that was then found under way says so.
  returned: always, unless the input was rejected
  type: list
  elements: str
  sample: ["started create_cluster of the node at https://node1.example.com:9443"]
duration:
  description: Seconds the whole task took, every read, write and wait included.
  returned: always, unless the input was rejected
  type: float
  sample: 41.2
error_code:
  description: The bootstrap (or validation) error code, when the node reports a failed bootstrap.
  returned: on failure, when the node reported an error state
  type: str
  sample: repair_required
error_details:
  description: The error details the node returned with RV(error_code).
  returned: on failure, when the node reported an error state
  type: dict
  sample:
    replace_candidate: 2
    failed_nodes:
      - uid: 2
        rack_id: zone-b
diff:
  description: The bootstrap state before and after (with the action and its target), in diff mode.
  returned: when diff mode is on
  type: dict
  sample:
    before:
      state: idle
    after:
      state: completed
      action: create_cluster
      cluster_name: cluster.example.com
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import REDIS_ENTERPRISE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils._resource import run
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.bootstrap import (
    ARGUMENT_SPEC as RESOURCE_OPTIONS,
    REQUIRED_IF,
    Bootstrap,
)

ARGUMENT_SPEC = RESOURCE_OPTIONS
DEFAULT_WAIT_TIMEOUT = 900


def main():
    run(RedisOpsModule(ARGUMENT_SPEC, connection=REDIS_ENTERPRISE_CONNECTION, wait_timeout=DEFAULT_WAIT_TIMEOUT,
                       required_if=REQUIRED_IF), Bootstrap)


if __name__ == "__main__":
    main()
