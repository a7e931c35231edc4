#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: memstore_instance_set_info
short_description: Read KakaoCloud MemStore instance sets (cluster mode disabled)
version_added: 1.1.0
description:
  - Reads one instance set, by O(name) or O(id), or every instance set of the project, each with
    its instances (roles, statuses, endpoints).
  - Never changes anything.
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
      - Name of the instance set to read. Without O(name) and O(id), every instance set is read.
    type: str
  id:
    description:
      - ID of the instance set to read (skips the look-up by name).
    type: str
  read_instances:
    description:
      - Read each set's instances (one request per set).
      - With V(false) only the sets themselves are read, in one request for all of them (the list), enough to
        watch their RV(instance_sets[].status) while waiting. RV(instance_sets[].node_count) is then the set's
        own count, and RV(instance_sets[].primary), RV(instance_sets[].primary_endpoint),
        RV(instance_sets[].replica_endpoints) and RV(instance_sets[].instances) are null.
    type: bool
    default: true
    version_added: 1.2.0
notes:
  - Reading one set by name takes two requests (the assumed C(GET /v1/clusters) and the documented
    C(GET /v1/instance-sets/{id}/instances)); a listed item that lacks the set's fields is completed
    from C(GET /v1/clusters/{id}).
  - A set that does not exist gives an empty list, not an error. A O(name) that breaks the naming rules of
    M(redisops.platform.memstore_instance_set) fails before any request. A name or ID of a cluster (cluster mode
    enabled) is an error that points to M(redisops.platform.memstore_cluster).
seealso:
  - module: redisops.platform.memstore_instance_set
"""

EXAMPLES = r"""
- name: Read one instance set
  redisops.platform.memstore_instance_set_info:
    name: sessions
  register: found

- name: Show the primary's endpoint
  ansible.builtin.debug:
    msg: "{{ found.instance_sets[0].primary_endpoint }}"
  when: found.instance_sets | length > 0

- name: Read every instance set of the project
  redisops.platform.memstore_instance_set_info:
  register: all_sets

- name: List the sets that are not Running
  ansible.builtin.debug:
    msg: "{{ all_sets.instance_sets | rejectattr('status', 'equalto', 'Running') | map(attribute='name') | list }}"
"""

RETURN = r"""
instance_sets:
  description:
    - The instance sets found (empty when none matches), in the shape the
      M(redisops.platform.memstore_instance_set) module returns as RV(redisops.platform.memstore_instance_set#module:instance_set).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Instance set ID.
      type: str
    name:
      description: Name of the set.
      type: str
    status:
      description: Status, for example C(Creating), C(Running), C(Modifying), C(Failed).
      type: str
    cluster_mode:
      description: Always C(disabled).
      type: str
    project_id:
      description: Project of the set.
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
      description: Linked parameter group.
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
      description: Automatic backup policy with C(enabled), C(hour), C(retention_days) and C(cron).
      type: dict
    node_count:
      description: Number of instances, the primary included.
      type: int
    primary:
      description: The primary instance (same keys as an item of RV(instance_sets[].instances)), null when there is none
        or with O(read_instances=false).
      type: dict
    primary_endpoint:
      description: Private IP of the primary (null with O(read_instances=false)).
      type: str
    replica_endpoints:
      description: Private IPs of the replicas (null with O(read_instances=false)).
      type: list
      elements: str
    instances:
      description: The instances with C(id), C(name), C(role), C(status), C(endpoint), C(subnet_id), C(port),
        C(version), C(flavor_id) and C(created_at) (null with O(read_instances=false)).
      type: list
      elements: dict
    created_at:
      description: Creation time of the set, when the API shows it.
      type: str
  sample:
    - id: xxxxxxxx-7347-4d87-a49f-e705e91db2fb
      name: sessions
      status: Running
      cluster_mode: disabled
      version: 7.2.7
      port: 6379
      high_availability: true
      node_count: 2
      primary_endpoint: 172.30.1.244
      replica_endpoints: [172.30.0.67]
"""

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils.memstore.instance_set import InstanceSet
from ansible_collections.redisops.platform.plugins.module_utils.memstore.info import run_info

ARGUMENT_SPEC = dict(name=dict(type="str"), id=dict(type="str"), read_instances=dict(type="bool", default=True))


def main():
    run_info(RedisOpsModule(ARGUMENT_SPEC, connection=MEMSTORE_CONNECTION, mutually_exclusive=[("name", "id")]), InstanceSet, "read_instances")


if __name__ == "__main__":
    main()
