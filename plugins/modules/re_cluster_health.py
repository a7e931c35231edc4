#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: re_cluster_health
short_description: Read the health of a Redis Enterprise cluster, or wait until it is healthy
version_added: 1.2.0
description:
  - Reads the health of a Redis Enterprise cluster through any node's API and says what, if anything,
    keeps it from being healthy. It never writes.
  - "Seven checks, each blocker naming its check: C(quorum) (the node's C(GET /v1/local/node/master_healthcheck)
    is C(active)); C(nodes) (every node C(active)); C(maintenance) (no node holds a maintenance snapshot, except
    O(allow_maintenance)); C(databases) (every judged database C(active) and available, C(GET /v1/bdbs/{uid}/availability));
    C(shards) (each judged database has C(shards_count) shards, twice that with replication, each C(active),
    C(detailed_status) C(ok), C(loading) and C(sync) C(idle) or absent); C(alerts) (no alert of the cluster, a node or
    a judged database both enabled and raised, except O(ignore_alerts)); C(actions) (no cluster action or state
    machine queued or running, C(GET /v1/actions))."
  - One poll reads all of this at once, concurrently on one connection pool, so it costs about two requests'
    time, not one per node and database.
  - What a server does not serve (404, such as database availability before Redis Enterprise 7.8.2) is listed in
    RV(skipped_checks), never passed or failed silently.
  - The database objects the cluster returns carry the databases' passwords; they are never returned or shown.
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.redis_enterprise
  - redisops.platform.attributes
  - redisops.platform.attributes.INFO_MODULE
  - redisops.platform.attributes.REDIS_ENTERPRISE_GROUP
options:
  wait:
    description:
      - V(false) reads once and reports, healthy or not (the task does not fail on an unhealthy cluster).
      - V(true) polls until the cluster is healthy, and fails at O(wait_timeout) naming the blockers last seen.
        Polling starts fast and backs off to a cap.
      - In check mode the module reads once and, when the cluster is not healthy, warns instead of waiting.
    type: bool
    default: false
  wait_timeout:
    description:
      - How many seconds the task may wait in total when O(wait=true), from its start.
      - A finite number of seconds greater than 0, checked before any request.
    type: float
    default: 600
  databases:
    description:
      - The databases to judge, by uid or name (a uid first). Omitted, every database is judged.
      - Their status, availability, shards and alerts are checked; the other databases are not read further.
      - A name or uid that matches no database fails the task; an empty list is refused.
    type: list
    elements: str
  ignore_alerts:
    description:
      - Names of alerts that are not blockers (they are still returned, with RV(alerts[].ignored) true).
      - A list given here replaces the default one; V([]) makes every raised alert a blocker.
      - The default names the alerts that fire while the nodes run different versions, as during any upgrade.
    type: list
    elements: str
    default: [cluster_inconsistent_rl_sw, cluster_inconsistent_redis_sw]
  allow_maintenance:
    description:
      - Uids of the nodes whose maintenance is not a blocker (for example the node a rolling maintenance works on).
    type: list
    elements: int
    default: []
  checks:
    description:
      - The checks to judge. Omitted, all seven; the others are still read, but their blockers are dropped and their
        outcome in RV(checks) is C(ignored).
      - For example V([quorum, nodes]) waits until every node is C(active) after a cluster's recovery, while its
        databases are still in recovery. An empty list is refused.
    type: list
    elements: str
    choices: [quorum, nodes, maintenance, databases, shards, alerts, actions]
notes:
  - Any user of the cluster can read its health, including read-only (C(cluster_viewer)) users.
  - "The request count of a poll: 8 cluster-wide reads, one status per node and one availability per judged
    database, plus one read of the cluster's name per task."
  - A shard that a maintenance moved, or that came back, is a blocker while its C(sync) or C(loading) is
    C(in_progress); with O(wait=true) the task waits until it is C(idle).
  - The collection's C(docs/rolling-maintenance.md) says what each blocker means, what to do about it, and how to
    gate a rolling maintenance or an upgrade on this module.
seealso:
  - module: redisops.platform.re_node_info
  - module: redisops.platform.re_node_action
  - name: Maintenance mode for cluster nodes
    description: What maintenance does to a node's shards, and how long replicas may wait for it.
    link: https://redis.io/docs/latest/operate/rs/clusters/maintenance-mode/
"""

EXAMPLES = r"""
- name: Gate a change on a healthy cluster (wait up to 10 minutes, then fail naming what is wrong)
  redisops.platform.re_cluster_health:
    url: https://node1.example.com:9443
    username: viewer@example.com
    password: "{{ vault_re_viewer_password }}"
    ca_path: /etc/pki/redis-enterprise-ca.pem
    wait: true
    wait_timeout: 600

- name: Read the health of the orders databases, node 3 being in maintenance on purpose
  redisops.platform.re_cluster_health:
    url: https://node1.example.com:9443
    username: viewer@example.com
    password: "{{ vault_re_viewer_password }}"
    databases: [orders, orders-cache]
    allow_maintenance: [3]
  register: health

- name: Assert that the cluster is healthy
  ansible.builtin.assert:
    that:
      - health.healthy
    fail_msg: "Not healthy: {{ health.blockers | map(attribute='message') | join('; ') }}"

- name: Report every check, database and alert
  ansible.builtin.debug:
    msg:
      - "{{ health.cluster_name }}: {{ 'healthy' if health.healthy else 'NOT healthy' }} ({{ health.checks }})"
      - "{{ health.databases | map(attribute='name') | zip(health.databases | map(attribute='status')) | list }}"
      - "{{ health.alerts }}"
      - "{{ health.skipped_checks }}"
"""

RETURN = r"""
healthy:
  description: Whether no check found a blocker.
  returned: always
  type: bool
  sample: false
blockers:
  description: What keeps the cluster from being healthy, one entry per finding, in the order of the checks.
  returned: always
  type: list
  elements: dict
  contains:
    check:
      description: The check that found it (C(quorum), C(nodes), C(maintenance), C(databases), C(shards), C(alerts), C(actions)).
      type: str
    subject:
      description:
        - What it is about, for example C(cluster), C(node:3), C(db:2), C(db:2 shard:6), C(node:2 alert:node_memory)
          or C(action:<uid>).
      type: str
    state:
      description:
        - What was seen, for example a node's or database's status, a shard's C(link_down) or C(in_progress), an availability
          C(error_code) such as C(bdb_unavailable_shard_unreachable), C(in_maintenance), C(wrong_shard_count), C(raised)
          for an alert, or an action's status.
      type: str
    message:
      description: One sentence for a person.
      type: str
  sample:
    - check: shards
      subject: db:3 shard:7
      state: link_down
      message: "shard 7 (slave) of database 3 (orders) on node 2: sync link_down"
nodes:
  description: The nodes, sorted by uid.
  returned: always
  type: list
  elements: dict
  contains:
    uid:
      description: The node's uid.
      type: int
    addr:
      description: The node's internal address.
      type: str
    status:
      description: The node's status (C(active), C(down), C(decommissioning), C(provisioning)).
      type: str
    in_maintenance:
      description: Whether the node holds a maintenance snapshot.
      type: bool
    shard_count:
      description: How many shards the node holds.
      type: int
  sample:
    - {uid: 1, addr: 10.0.0.1, status: active, in_maintenance: false, shard_count: 2}
databases:
  description: The judged databases, sorted by uid. They never include the databases' passwords.
  returned: always
  type: list
  elements: dict
  contains:
    uid:
      description: The database's uid.
      type: int
    name:
      description: The database's name.
      type: str
    status:
      description: The database's status (for example C(active), C(active-change-pending), C(recovery)).
      type: str
    available:
      description: Whether its availability check answered 200; null when the server does not serve it (see RV(skipped_checks)).
      type: bool
    shards_count:
      description: Its primary shard count.
      type: int
    replication:
      description: Whether each primary has a replica.
      type: bool
    shards_total:
      description: How many shards it has (primaries and replicas); null when the shards could not be read.
      type: int
    shards_syncing:
      description: How many of its shards are syncing or loading (C(in_progress)); null when the shards could not be read.
      type: int
  sample:
    - {uid: 1, name: orders, status: active, available: true, shards_count: 2, replication: true, shards_total: 4, shards_syncing: 0}
alerts:
  description: Every alert both enabled and raised, of the cluster, the nodes and the judged databases.
  returned: always
  type: list
  elements: dict
  contains:
    scope:
      description: C(cluster), C(node) or C(database).
      type: str
    subject:
      description: C(cluster), C(node:<uid>) or C(db:<uid>).
      type: str
    name:
      description: The alert's name.
      type: str
    severity:
      description: Its severity, as the server reports it.
      type: str
    ignored:
      description: Whether it is in O(ignore_alerts), so not a blocker.
      type: bool
  sample:
    - {scope: cluster, subject: cluster, name: cluster_inconsistent_rl_sw, severity: WARNING, ignored: true}
checks:
  description:
    - Each check's outcome, C(passed), C(failed), C(skipped) (the server serves none of its reads) or C(ignored)
      (not in O(checks)).
  returned: always
  type: dict
  sample: {quorum: passed, nodes: passed, maintenance: passed, databases: passed, shards: failed, alerts: passed, actions: passed}
skipped_checks:
  description:
    - What could not be checked and why, one entry per subject.
    - Not named C(skipped), which Ansible reads as "the task was skipped".
  returned: always
  type: list
  elements: dict
  contains:
    check:
      description: The check concerned.
      type: str
    subject:
      description: What could not be checked, for example C(db:1).
      type: str
    reason:
      description: Why.
      type: str
  sample:
    - {check: databases, subject: "db:1", reason: "availability not served (404): server before 7.8.2"}
polls:
  description: How many times the health was read.
  returned: always
  type: int
  sample: 1
cluster_name:
  description: The name of the cluster (C(GET /v1/cluster), read beside the first poll), null when the node cannot tell.
  returned: always
  type: str
  sample: cluster.example.com
duration:
  description: Seconds the task took.
  returned: always
  type: float
  sample: 0.21
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import REDIS_ENTERPRISE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.health import (
    CHECKS,
    DEFAULT_IGNORED_ALERTS,
    HealthGate,
    option_errors,
)

ARGUMENT_SPEC = dict(
    wait=dict(type="bool", default=False),
    databases=dict(type="list", elements="str"),
    ignore_alerts=dict(type="list", elements="str", default=list(DEFAULT_IGNORED_ALERTS)),
    allow_maintenance=dict(type="list", elements="int", default=[]),
    checks=dict(type="list", elements="str", choices=list(CHECKS)),
)


def main():
    module = RedisOpsModule(ARGUMENT_SPEC, connection=REDIS_ENTERPRISE_CONNECTION, wait_timeout=600)
    task = module.task()
    errors = option_errors(task.params)
    if errors:
        task.fail("; ".join(errors), changed=False)
    module.execute(HealthGate(task, module.no_log_values.update).run)


if __name__ == "__main__":
    main()
