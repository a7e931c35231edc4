#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: re_database_recovery
short_description: Recover the databases of a Redis Enterprise cluster that was recovered after a quorum loss
version_added: 1.2.0
description:
  - After a cluster has been recovered from its persisted configuration (for example with
    M(redisops.platform.re_cluster) and its O(redisops.platform.re_cluster#module:recovery_filename)), its
    databases are in status C(recovery). This module recovers them, the equivalent of C(rladmin recover all).
  - Reads the databases (C(GET /v1/bdbs)) and, for each database in recovery, its recovery plan
    (C(GET /v1/bdbs/{uid}/actions/recover)) and the recoveries under way (C(GET /v1/actions)), all before any write.
  - A database whose plan is not C(ready) (for example C(missing-files)) fails the task before any write,
    naming the database and the shards whose files are missing, unless O(recover_without_data).
  - Then recovers the databases one after the other (C(POST /v1/bdbs/{uid}/actions/recover)) and, with
    O(wait), waits for each, first its recovery action (C(GET /v1/actions/{action_uid})), then the database until
    it is C(active). A recovery found under way is followed, never started again; a recovery answered
    C(409) (busy) is read again and waited for.
  - When no database is in recovery, nothing is sent and the task reads the database list only (one request).
  - The database objects carry the databases' passwords; they are never returned or shown.
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.redis_enterprise
  - redisops.platform.wait
  - redisops.platform.attributes
  - redisops.platform.attributes.STATEFUL
  - redisops.platform.attributes.REDIS_ENTERPRISE_GROUP
options:
  databases:
    description:
      - The databases to recover, by uid or name (a uid first). Omitted, every database in status C(recovery).
      - A listed database that is not in recovery is reported and left alone; one that matches no database of the
        cluster fails the task before any write. An empty list is refused.
    type: list
    elements: str
  recover_without_data:
    description:
      - V(false) (the default) fails the task, before any write, when a database's recovery plan is not C(ready),
        naming it and its missing files.
      - V(true) recovers such databases from their configuration only, without data (what was in them is lost).
        It applies only to them; the databases whose plan is C(ready) are recovered with their data.
    type: bool
    default: false
  ignore_errors:
    description:
      - Sent to the API as the recovery's C(ignore_errors) when set (the body is C({}) when no option applies).
    type: bool
  wait_timeout:
    default: 1800
notes:
  - Recover the cluster first, and wait until every node is C(active) (M(redisops.platform.re_cluster_health) with
    O(redisops.platform.re_cluster_health#module:wait=true)), since before Redis Enterprise 7.22 a database
    recovery failed while any node was down. The C(redisops.platform.re_cluster_recovery) role does all of it.
  - With O(wait=false), each recovery is started once the previous one is seen under way, and the task returns
    without waiting for them to end (RV(databases[].status) is then the status read last, usually C(recovery)).
  - Recovering databases needs a user with the C(admin) role; check mode reads only.
  - In check mode every plan is returned, a C(missing-files) one included, and nothing fails (a plan that would be
    refused is a warning).
  - The collection's C(docs/cluster-recovery.md) says what happens in a quorum loss and how to recover from it.
seealso:
  - module: redisops.platform.re_cluster
  - module: redisops.platform.re_cluster_health
  - name: Recover a failed cluster
    description: Redis Enterprise's own recovery procedure, which this module automates for the databases.
    link: https://redis.io/docs/latest/operate/rs/clusters/cluster-recovery/
"""

EXAMPLES = r"""
- name: Recover every database in recovery, with its data
  redisops.platform.re_database_recovery:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    ca_path: /etc/pki/redis-enterprise-ca.pem
  register: recovery

- name: Show each database's plan and status
  ansible.builtin.debug:
    msg: "{{ recovery.databases | map(attribute='name') | zip(recovery.databases | map(attribute='status')) | list }}"

- name: Recover the orders database, from its configuration only when its files are gone
  redisops.platform.re_database_recovery:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    databases: [orders]
    recover_without_data: true
    wait_timeout: 3600

- name: Only look at the recovery plans
  redisops.platform.re_database_recovery:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
  check_mode: true
  register: plans
"""

RETURN = r"""
cluster_name:
  description:
    - The name of the cluster (C(GET /v1/cluster)), read once when a database is in recovery; null when none is
      (the task then reads the database list only).
  returned: always, unless the input was rejected
  type: str
  sample: cluster.example.com
databases:
  description:
    - The databases the task is about, in the cluster's order (every database that was in recovery, or those of
      O(databases)). Empty when no database is in recovery. Never their passwords.
  returned: always, unless the input was rejected
  type: list
  elements: dict
  contains:
    uid:
      description: The database's uid.
      type: int
      sample: 2
    name:
      description: The database's name.
      type: str
      sample: orders
    status_before:
      description: The database's status before the task (C(recovery) for one to recover).
      type: str
      sample: recovery
    plan_status:
      description: Its recovery plan's status, C(ready) or C(missing-files); null for a database not in recovery.
      type: str
      sample: ready
    data_files:
      description:
        - The data files the plan found (each with C(filename), C(node_uid), C(shard_uid), C(shard_role),
          C(shard_slots), C(size), C(last_modified), as the API gives them); empty when none were found.
      type: list
      elements: dict
      sample:
        - {filename: redis-7.rdb, node_uid: "1", shard_uid: "7", shard_role: master, shard_slots: "0-8191", size: 1048576}
    changed:
      description: Whether this task recovered the database (in check mode, would).
      type: bool
      sample: true
    status:
      description: The database's status at the end (in check mode, predicted C(active) for one that would be recovered).
      type: str
      sample: active
actions:
  description: What the task did (or, in check mode, would do), in order. Empty when nothing was sent.
  returned: always, unless the input was rejected
  type: list
  elements: str
  sample:
    - recovered database 'orders' (uid 2) with its data
duration:
  description: Seconds the whole task took, every read, write and wait included.
  returned: always, unless the input was rejected
  type: float
  sample: 42.7
diff:
  description: The status of each database before and after, in diff mode.
  returned: when diff mode is on
  type: dict
  sample:
    before:
      databases: [{uid: "2", name: orders, status: recovery}]
    after:
      databases: [{uid: "2", name: orders, status: active}]
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import REDIS_ENTERPRISE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils._resource import run
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.recovery import (
    ARGUMENT_SPEC as RECOVERY_OPTIONS,
    DEFAULT_WAIT_TIMEOUT,
    DatabaseRecovery,
)

ARGUMENT_SPEC = RECOVERY_OPTIONS


def main():
    run(RedisOpsModule(ARGUMENT_SPEC, connection=REDIS_ENTERPRISE_CONNECTION, wait_timeout=DEFAULT_WAIT_TIMEOUT), DatabaseRecovery)


if __name__ == "__main__":
    main()
