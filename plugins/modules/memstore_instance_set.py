#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: memstore_instance_set
short_description: Manage a KakaoCloud MemStore instance set (cluster mode disabled)
version_added: 1.1.0
description:
  - Creates, updates, scales, fails over and deletes one MemStore instance set (a Redis primary
    with up to five replicas, cluster mode disabled).
  - Creates a new set, or restores one from a MemStore backup (O(restore_from.backup_name)) or from
    backup files in Object Storage (O(restore_from.files)).
  - Updates what the API can change and sends only what differs (description, parameter group,
    security groups and the automatic backup schedule, in one C(PATCH)).
  - Scales O(node_count) one replica at a time, waiting for the set to be Running between steps;
    removes replicas only, never the primary.
  - Turns high availability on or off and promotes a replica to primary (O(primary_instance)).
  - Options that cannot change after creation (O(version), O(port), O(flavor_id) or O(flavor), O(tls_enabled),
    O(user), O(restore_from), O(subnet_assignment.primary), O(subnets)) fail the task, naming each one,
    when they differ from the live set.
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
      - Must look like C(N.N.N), for example V(7.2.7). Version V(5.0.6) is for instance sets only (cluster mode disabled).
    type: str
  node_count:
    description:
      - Total number of nodes, the primary included (the API's C(replicas)), from 1 to 6.
      - Required to create. Raising it adds replicas one at a time, in the subnets of
        O(subnet_assignment.replicas) round robin; lowering it deletes replicas (never the primary),
        the ones not Running first, then the newest.
      - With high availability on, only Running replicas can be deleted. With an active automatic
        backup policy a two-node set cannot lose a node; the task fails before any request then.
    type: int
  high_availability:
    description:
      - High availability mode (automatic failover). Defaults to V(false) on create.
      - Changed with C(PATCH .../recovery) once the set is Running.
    type: bool
    aliases: [recovery_enabled]
  subnet_assignment:
    description:
      - Where the nodes go. Required to create.
    type: dict
    suboptions:
      primary:
        description:
          - Subnet ID of the primary node. Cannot change after creation.
        type: str
        required: true
      replicas:
        description:
          - Subnet IDs for the replicas, used round robin (the first replica in the first subnet, and so on),
            on create and when replicas are added.
          - When empty, replicas go to the primary's subnet.
        type: list
        elements: str
        default: []
  subnets:
    description:
      - Subnet IDs the set may use. Defaults to the subnets named in O(subnet_assignment).
      - Every subnet of O(subnet_assignment) must be listed here.
      - Cannot change after creation; compared only when given.
    type: list
    elements: str
  security_groups:
    description:
      - Security group IDs attached to the set. Required to create; can be changed (at least one).
    type: list
    elements: str
  backup:
    description:
      - Automatic backup policy, sent as the hour-only cron C(* <hour> * * *) with a retention.
      - When not given, the live policy is left as it is.
    type: dict
    suboptions:
      enabled:
        description:
          - V(false) disables automatic backups (the empty cron).
        type: bool
        default: true
      hour:
        description:
          - Hour of the daily backup, 0 to 23 (KST). Required when O(backup.enabled=true).
        type: int
      retention_days:
        description:
          - Days a backup is kept, 1 to 35. Required when O(backup.enabled=true).
        type: int
  tls_enabled:
    description:
      - Enable TLS. Cannot change after creation.
    type: bool
  restore_from:
    description:
      - Create the set from a backup instead of empty. Exactly one of O(restore_from.backup_name) and
        O(restore_from.files). Create-only.
      - The backup must come from a set with cluster mode disabled and a Redis version not newer than O(version).
    type: dict
    suboptions:
      backup_name:
        description:
          - Name of a MemStore backup.
        type: str
      files:
        description:
          - Backup files in Object Storage, each as C(bucket/folder/.../file), in a bucket of the same
            region and project.
        type: list
        elements: str
  primary_instance:
    description:
      - Name or ID of the instance that must be primary. When another instance is primary, this one
        (a replica of the set) is promoted with C(PATCH .../primary).
      - The API promotes only with high availability off. When high availability is on the task fails,
        unless O(high_availability=false) turns it off first; when the task turns it on, the promotion
        comes first.
    type: str
  keep_automatic_backups:
    description:
      - With O(state=absent), keep the set's automatic backups (until they expire) or delete them with the set.
      - Always sent as the C(keepAutomaticBackups) query parameter.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait, in total for the task, for the set to be Running (or gone).
    type: float
    default: 1800
notes:
  - Changes are made one at a time, each waiting for the set to be Running before the next is sent
    (the API refuses writes to a busy set), in this order; create, update, high availability off, promotion,
    scaling, high availability on. With O(wait=false) the task returns once the last request is accepted.
  - A set that is busy when the task starts (for example still Creating) is waited for before any
    change is sent, and also when nothing changes and O(wait=true).
  - When the answer to a create is lost (connection dropped, server error), the module looks the set up
    by name before deciding, so a set is never created twice. Likewise, a change answered 409 (busy) or
    not answered is checked on the live set before it is sent again.
  - The instance list comes from the documented C(GET /v1/instance-sets/{id}/instances); the set's other
    fields from the assumed C(GET /v1/clusters) (or C(GET /v1/clusters/{id}) with O(id)). A listed item
    that lacks the compared fields is completed from the detail endpoint.
  - Options the live set does not show (for example a C(user) that the API does not echo) are reported
    in a warning and not compared.
  - The instance set fails the task when it reaches the Failed status; the message names the last
    status and what the task had done.
seealso:
  - module: redisops.platform.memstore_instance_set_info
  - module: redisops.platform.memstore_cluster
"""

EXAMPLES = r"""
- name: Create an instance set with a primary and one replica in two subnets
  redisops.platform.memstore_instance_set:
    name: sessions
    description: Session cache
    version: 7.2.7
    port: 6379
    flavor: a1-4-co
    parameter_group: default-redis-7.2.7
    node_count: 2
    high_availability: true
    subnet_assignment:
      primary: subnet-a
      replicas: [subnet-b]
    security_groups: [sg-redis]
    backup:
      hour: 3
      retention_days: 7
    user:
      name: app
      password: "{{ vault_sessions_password_hash }}"
  register: sessions

- name: Show where clients connect
  ansible.builtin.debug:
    msg: "primary {{ sessions.instance_set.primary_endpoint }}, replicas {{ sessions.instance_set.replica_endpoints }}"

- name: The same set by IDs (no flavor or parameter group look-up)
  redisops.platform.memstore_instance_set:
    name: sessions
    flavor_id: "{{ sessions.instance_set.flavor_id }}"
    parameter_group_id: "{{ sessions.instance_set.parameter_group_id }}"

- name: Restore a new set from a MemStore backup
  redisops.platform.memstore_instance_set:
    name: sessions-restored
    version: 7.2.7
    port: 6379
    flavor_id: 3830ebad-ea2f-4822-8a7d-9e301c86a58d
    parameter_group_id: bbbbcccc-1234-1234-5678-e705e91db2fb
    node_count: 1
    subnet_assignment:
      primary: subnet-a
    security_groups: [sg-redis]
    restore_from:
      backup_name: scheduled.sessions.2024-02-27-16-47.KST

- name: Restore a new set from RDB files in Object Storage
  redisops.platform.memstore_instance_set:
    name: sessions-import
    version: 7.2.7
    port: 6379
    flavor_id: 3830ebad-ea2f-4822-8a7d-9e301c86a58d
    parameter_group_id: bbbbcccc-1234-1234-5678-e705e91db2fb
    node_count: 1
    subnet_assignment:
      primary: subnet-a
    security_groups: [sg-redis]
    restore_from:
      files:
        - my-bucket/redis/dump.rdb

- name: Update the description and move the backup to 1 AM, keeping 14 days
  redisops.platform.memstore_instance_set:
    name: sessions
    description: Session cache (web tier)
    backup:
      hour: 1
      retention_days: 14

- name: Scale to three nodes (adds one replica in subnet-b, then subnet-c)
  redisops.platform.memstore_instance_set:
    name: sessions
    node_count: 3
    subnet_assignment:
      primary: subnet-a
      replicas: [subnet-b, subnet-c]

- name: Fail over by hand (promotion needs high availability off)
  redisops.platform.memstore_instance_set:
    name: sessions
    high_availability: false
    primary_instance: "{{ sessions.instance_set.instances | selectattr('role', 'equalto', 'replica') | map(attribute='name') | first }}"

- name: Turn automatic backups off
  redisops.platform.memstore_instance_set:
    name: sessions
    backup:
      enabled: false

- name: Delete the set and its automatic backups
  redisops.platform.memstore_instance_set:
    name: sessions
    state: absent
    keep_automatic_backups: false

- name: Settings shared by MemStore tasks, credentials from the environment
  module_defaults:
    group/redisops.platform.memstore:
      region: kr-central-2
  block:
    - name: Start a create without waiting
      redisops.platform.memstore_instance_set:
        name: batch-cache
        version: 7.2.7
        port: 6379
        flavor_id: 3830ebad-ea2f-4822-8a7d-9e301c86a58d
        parameter_group_id: bbbbcccc-1234-1234-5678-e705e91db2fb
        node_count: 1
        subnet_assignment:
          primary: subnet-a
        security_groups: [sg-redis]
        wait: false
"""

RETURN = r"""
instance_set:
  description:
    - The instance set after the task (with O(state=present)); what it would look like in check mode.
    - Empty with O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: Instance set ID (null in check mode before creation).
      type: str
      sample: xxxxxxxx-7347-4d87-a49f-e705e91db2fb
    name:
      description: Name of the set.
      type: str
      sample: sessions
    status:
      description: Status, for example C(Creating), C(Running), C(Modifying), V(Scaling(horizontal\)), C(Failed).
      type: str
      sample: Running
    cluster_mode:
      description: Always C(disabled).
      type: str
      sample: disabled
    project_id:
      description: Project of the set.
      type: str
    description:
      description: Description.
      type: str
    version:
      description: Redis version.
      type: str
      sample: 7.2.7
    port:
      description: Redis port.
      type: int
      sample: 6379
    flavor_id:
      description: Flavor ID.
      type: str
    parameter_group_id:
      description: Linked parameter group.
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
      description: Subnet IDs the set may use.
      type: list
      elements: str
    tls_enabled:
      description: Whether TLS is on.
      type: bool
    high_availability:
      description: Whether high availability (recovery) mode is on.
      type: bool
    backup:
      description: Automatic backup policy.
      type: dict
      contains:
        enabled:
          description: Whether automatic backups are on.
          type: bool
        hour:
          description: Hour of the daily backup (null when off or not an hour-only cron).
          type: int
        retention_days:
          description: Days a backup is kept (null when off).
          type: int
        cron:
          description: The cron expression as the API shows it (empty when off).
          type: str
    node_count:
      description: Number of instances, the primary included.
      type: int
      sample: 2
    primary:
      description: The primary instance (same keys as an item of RV(instance_set.instances)), null when there is none.
      type: dict
    primary_endpoint:
      description: Private IP of the primary.
      type: str
      sample: 172.30.1.244
    replica_endpoints:
      description: Private IPs of the replicas.
      type: list
      elements: str
      sample: [172.30.0.67]
    instances:
      description: The instances (nodes) of the set.
      type: list
      elements: dict
      contains:
        id:
          description: Instance ID.
          type: str
        name:
          description: Instance name.
          type: str
        role:
          description: C(primary) or C(replica).
          type: str
        status:
          description: Instance status.
          type: str
        endpoint:
          description: Private IP of the instance.
          type: str
        subnet_id:
          description: Subnet of the instance.
          type: str
        port:
          description: Redis port.
          type: int
        version:
          description: Redis version.
          type: str
        flavor_id:
          description: Flavor ID.
          type: str
        created_at:
          description: Creation time (RFC 3339).
          type: str
    created_at:
      description: Creation time of the set, when the API shows it.
      type: str
actions:
  description: What the task did (or, in check mode, would do), in order.
  returned: always
  type: list
  elements: str
  sample: ["updated description, backup", "added a replica in subnet subnet-c"]
duration:
  description: Seconds the task spent, waits included.
  returned: always
  type: float
  sample: 73.2
diff:
  description: Before and after of the compared fields (no secrets), in diff mode.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The live set (empty before a create).
      type: dict
    after:
      description: The declared set (empty after a delete).
      type: dict
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils._resource import run
from ansible_collections.redisops.platform.plugins.module_utils.memstore.instance_set import InstanceSet

ARGUMENT_SPEC = InstanceSet.argument_spec
DEFAULT_WAIT_TIMEOUT = 1800


def main():
    run(RedisOpsModule(ARGUMENT_SPEC, connection=MEMSTORE_CONNECTION, wait_timeout=DEFAULT_WAIT_TIMEOUT,
                       mutually_exclusive=InstanceSet.mutually_exclusive), InstanceSet)


if __name__ == "__main__":
    main()
