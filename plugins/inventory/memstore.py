# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: memstore
short_description: KakaoCloud MemStore nodes as inventory hosts
version_added: 1.1.0
description:
  - Reads every instance set (cluster mode disabled) and cluster (cluster mode enabled) of a
    KakaoCloud MemStore project and adds their nodes as hosts.
  - Each host is one node, named after the node, with its endpoint, port, role (V(primary) or
    V(replica)), status and the set or cluster it belongs to as host variables (see RV(_hostvars)).
  - "Groups: V(memstore) holds every host; V(memstore_<set or cluster name>) the nodes of one set
    or cluster; V(memstore_primary) and V(memstore_replica) the nodes of each role;
    V(memstore_<cluster name>_shard_<shard id>) the nodes of one shard of a cluster. Characters
    other than letters, digits and underscores become underscores in group names."
  - The connection options and their environment variables are the modules' (the
    R(redisops.platform.memstore_instance_set,ansible_collections.redisops.platform.memstore_instance_set_module)
    module documents them), so one credential serves both. Options not set in the file are read
    from their environment variables.
  - The connection options may be templates, rendered before any request, such as a C(lookup) of an environment
    variable or of a secret store (see the examples); the other options are taken as written.
  - The inventory file name must end in C(memstore.yml) or C(memstore.yaml); Ansible rejects another
    name as a file that "could not be verified", and the plugin then warns naming the suffix.
extends_documentation_fragment:
  - redisops.platform.memstore
  - constructed
  - inventory_cache
options:
  plugin:
    description: Marks the file as an inventory source of this plugin.
    type: str
    required: true
    choices: [redisops.platform.memstore]
  names:
    description:
      - Only sets and clusters whose name matches one of these shell-style patterns (V(prod-*)).
      - All when empty.
    type: list
    elements: str
    default: []
  statuses:
    description:
      - Only sets and clusters in one of these statuses, compared without regard to case
        (V(Running), V(Creating), V(Modifying), V(Failed), ...).
      - All statuses when empty.
    type: list
    elements: str
    default: [Running]
  cluster_modes:
    description:
      - V(disabled) reads instance sets, V(enabled) reads clusters.
    type: list
    elements: str
    choices: [enabled, disabled]
    default: [enabled, disabled]
  concurrency:
    description:
      - How many sets and clusters have their members (instances, or shards and their nodes) read at
        the same time, after the list. Between 1 (one after another) and 10.
      - All reads share the token the list was read with (one IAM request per inventory update).
    type: int
    default: 4
    version_added: 1.2.0
notes:
  - Reading a project costs one IAM request (none with a valid O(auth_token) or O(token_cache)), one
    request for the list per cluster mode, one per set or cluster whose listed item lacks its details,
    and one per set (its instances) or cluster (its shards and their nodes); the last are sent
    O(concurrency) at a time, so at 50 ms per request 1,000 sets (1,003 requests) take about 17 s
    with the default of 4 instead of 57 s one after another.
  - Enable O(cache) to read the project once per O(cache_timeout).
  - The cache holds the nodes (names, endpoints, statuses), never credentials.
seealso:
  - module: redisops.platform.memstore_instance_set_info
  - module: redisops.platform.memstore_cluster_info
"""

EXAMPLES = r"""
# prod.memstore.yml: every Running node; credentials from KAKAOCLOUD_* environment variables
plugin: redisops.platform.memstore

---
# staging.memstore.yml: the nodes of the staging sets and clusters, whatever their status,
# grouped by Redis version, with the endpoint as ansible_host, cached for an hour
plugin: redisops.platform.memstore
region: kr-central-2
names:
  - staging-*
statuses: []
keyed_groups:
  - key: memstore_version
    prefix: redis
    separator: "_"
compose:
  ansible_host: memstore_endpoint
groups:
  unhealthy: memstore_node_status != 'Running'
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/memstore-inventory
cache_timeout: 3600

---
# fleet.memstore.yml: the credential from the environment variables of your choice (templated
# before any request), eight sets or clusters read at a time
plugin: redisops.platform.memstore
application_credential_id: "{{ lookup('ansible.builtin.env', 'MEMSTORE_CREDENTIAL_ID') }}"
application_credential_secret: "{{ lookup('ansible.builtin.env', 'MEMSTORE_CREDENTIAL_SECRET') }}"
concurrency: 8
"""

RETURN = r"""
_hostvars:
  description: The variables of each host.
  type: dict
  contains:
    memstore_id:
      description: The node's id.
      type: str
    memstore_endpoint:
      description: The node's private endpoint (an IP address).
      type: str
      sample: 172.30.1.12
    memstore_port:
      description: The Redis port.
      type: int
      sample: 6379
    memstore_role:
      description: V(primary) or V(replica).
      type: str
    memstore_node_status:
      description: The node's status as the API gives it.
      type: str
      sample: Running
    memstore_status:
      description: The status of the set or cluster the node belongs to.
      type: str
    memstore_cluster_mode:
      description: V(disabled) for an instance set's node, V(enabled) for a cluster's.
      type: str
    memstore_name:
      description: The name of the set or cluster.
      type: str
    memstore_resource_id:
      description: The id of the set or cluster.
      type: str
    memstore_shard:
      description: The shard id (V(001), ...) for a cluster's node, null for an instance set's.
      type: str
    memstore_version:
      description: The Redis version of the set or cluster.
      type: str
    memstore_subnet_id:
      description: The subnet the node runs in.
      type: str
    memstore_tls_enabled:
      description: Whether the set or cluster requires TLS.
      type: bool
"""

import fnmatch
from concurrent.futures import ThreadPoolExecutor

from ansible.utils.display import Display

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._factory import EACH_REQUEST, build_client
from ansible_collections.redisops.platform.plugins.module_utils._http import to_int
from ansible_collections.redisops.platform.plugins.plugin_utils._inventory import ApiInventory, host_name
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MODE_DISABLED, MODE_ENABLED, MemStoreClient, normalize_status
from ansible_collections.redisops.platform.plugins.module_utils.memstore.cluster import list_shards, read_all_clusters
from ansible_collections.redisops.platform.plugins.module_utils.memstore.instance_set import list_instances, read_all_instance_sets

display = Display()
# More workers than the HTTP client keeps connections (requests' pool of 10) would only queue.
MAX_WORKERS = 10


def _node_host(resource, node, mode, shard=None):
    """The variables of one node's host."""
    return dict(
        memstore_id=node.get("id"),
        memstore_endpoint=node.get("endpoint"),
        memstore_port=node.get("port") or to_int(resource.get("port")),
        memstore_role=node.get("role"),
        memstore_node_status=node.get("status"),
        memstore_status=resource.get("status"),
        memstore_cluster_mode=mode,
        memstore_name=resource.get("name"),
        memstore_resource_id=resource.get("id"),
        memstore_shard=shard,
        memstore_version=resource.get("version"),
        memstore_subnet_id=node.get("subnet_id"),
        memstore_tls_enabled=bool(resource.get("tlsEnabled")),
    )


def _instance_set_hosts(resource, instances):
    return [(host_name(instance.get("name"), instance.get("endpoint"), instance.get("id")), _node_host(resource, instance, MODE_DISABLED))
            for instance in instances]


def _cluster_hosts(resource, shards):
    return [(host_name(node.get("name"), node.get("endpoint"), node.get("id")), _node_host(resource, node, MODE_ENABLED, shard.get("id")))
            for shard in shards for node in shard["nodes"]]


def read_hosts(params, modes, workers=1):
    """``[(host name, variables)]`` of every node of the sets and clusters in ``modes``.

    The list (and any detail it lacks) is read first; then the members of each set or cluster,
    one request each, by up to ``workers`` threads. They share one client, and its token: one
    IAM request for the whole inventory, and one more if the token expires on the way.
    """
    client = build_client(MemStoreClient, params, deadline=EACH_REQUEST, on_retry=display.warning)
    try:
        jobs = []  # (resource, read its members with the client, turn them into hosts)
        if MODE_DISABLED in modes:
            jobs += [(resource, lambda resource: list_instances(client, resource["id"]), _instance_set_hosts)
                     for resource, _none in read_all_instance_sets(client, read_instances=False)]
        if MODE_ENABLED in modes:
            jobs += [(resource, lambda resource: list_shards(client, resource["id"], to_int(resource.get("port"))), _cluster_hosts)
                     for resource, _none in read_all_clusters(client, read_shards=False)]
        with ThreadPoolExecutor(max_workers=max(1, min(workers, MAX_WORKERS, len(jobs)))) as pool:
            members = list(pool.map(lambda job: job[1](job[0]), jobs))
    finally:
        client.close()
    hosts = []
    for (resource, _read, to_hosts), found in zip(jobs, members):
        hosts.extend(to_hosts(resource, found))
    return hosts


def _wanted(variables, names, statuses):
    if names and not any(fnmatch.fnmatchcase(variables["memstore_name"] or "", pattern) for pattern in names):
        return False
    return not statuses or normalize_status(variables["memstore_status"]) in statuses


class InventoryModule(ApiInventory):
    NAME = "redisops.platform.memstore"
    SUFFIX = "memstore"
    CONNECTION = MEMSTORE_CONNECTION
    GROUP = "memstore"

    def read(self, params):
        workers = self.get_option("concurrency")
        if not 1 <= workers <= MAX_WORKERS:
            raise ValueError("concurrency must be between 1 and %d (got %d)" % (MAX_WORKERS, workers))
        return read_hosts(params, sorted(set(self.get_option("cluster_modes"))), workers)

    def wanted(self, variables):
        statuses = [normalize_status(status) for status in self.get_option("statuses")]
        return _wanted(variables, self.get_option("names"), statuses)

    def host_groups(self, name, variables):
        return ["memstore_%s" % variables["memstore_name"],
                "memstore_%s" % variables["memstore_role"] if variables["memstore_role"] else None,
                "memstore_%s_shard_%s" % (variables["memstore_name"], variables["memstore_shard"]) if variables["memstore_shard"] else None]
