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
  - The inventory file name must end in C(memstore.yml) or C(memstore.yaml).
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
notes:
  - Reading a project costs one request for the list, one per set or cluster whose listed item
    lacks its details, and one per set (its instances) or cluster (its shards and their nodes).
    Enable O(cache) to read it once per O(cache_timeout).
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

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION, resolve
from ansible_collections.redisops.platform.plugins.module_utils._http import REQUESTS_IMPORT_ERROR, ApiError, ClientError, to_int
from ansible_collections.redisops.platform.plugins.plugin_utils._inventory import host_name, inventory_error, safe_group
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MODE_DISABLED, MODE_ENABLED, MemStoreClient, normalize_status
from ansible_collections.redisops.platform.plugins.module_utils.memstore.cluster import read_all_clusters
from ansible_collections.redisops.platform.plugins.module_utils.memstore.instance_set import read_all_instance_sets

display = Display()


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


def read_hosts(client, modes):
    """``[(host name, variables)]`` of every node of the sets and clusters in ``modes``."""
    hosts = []
    if MODE_DISABLED in modes:
        for resource, instances in read_all_instance_sets(client):
            hosts.extend((host_name(instance.get("name"), instance.get("endpoint"), instance.get("id")),
                          _node_host(resource, instance, MODE_DISABLED)) for instance in instances)
    if MODE_ENABLED in modes:
        for resource, shards in read_all_clusters(client):
            hosts.extend((host_name(node.get("name"), node.get("endpoint"), node.get("id")),
                          _node_host(resource, node, MODE_ENABLED, shard.get("id")))
                         for shard in shards for node in shard["nodes"])
    return hosts


def _wanted(variables, names, statuses):
    if names and not any(fnmatch.fnmatchcase(variables["memstore_name"] or "", pattern) for pattern in names):
        return False
    return not statuses or normalize_status(variables["memstore_status"]) in statuses


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "redisops.platform.memstore"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(("memstore.yml", "memstore.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        config = self._read_config_data(path)
        modes = sorted(set(self.get_option("cluster_modes")))

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        hosts = None
        if use_cache:
            try:
                hosts = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if hosts is None:
            hosts = self._fetch(config, modes)
        if update_cache:
            self._cache[cache_key] = hosts
        self._populate(hosts)

    def _fetch(self, config, modes):
        if REQUESTS_IMPORT_ERROR:
            raise AnsibleParserError("the redisops.platform.memstore inventory needs the Python library requests: %s" % REQUESTS_IMPORT_ERROR)
        try:
            client = MemStoreClient(resolve(MEMSTORE_CONNECTION, config))
            for http in client.http_clients():
                http.on_retry = display.warning
            return [[name, variables] for name, variables in read_hosts(client, modes)]
        except (ValueError, ApiError, ClientError) as error:
            raise AnsibleParserError(inventory_error(self.NAME, error))

    def _populate(self, hosts):
        names = self.get_option("names")
        statuses = [normalize_status(status) for status in self.get_option("statuses")]
        strict = self.get_option("strict")
        self.inventory.add_group("memstore")
        for name, variables in hosts:
            if not _wanted(variables, names, statuses):
                continue
            self.inventory.add_host(name, group="memstore")
            groups = ["memstore_%s" % variables["memstore_name"]]
            if variables["memstore_role"]:
                groups.append("memstore_%s" % variables["memstore_role"])
            if variables["memstore_shard"]:
                groups.append("memstore_%s_shard_%s" % (variables["memstore_name"], variables["memstore_shard"]))
            for group in groups:
                self.inventory.add_group(safe_group(group))
                self.inventory.add_child(safe_group(group), name)
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option("compose"), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, name, strict=strict)
