# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: redis_enterprise
short_description: The nodes of a Redis Enterprise cluster as inventory hosts
version_added: 1.1.0
description:
  - Reads the nodes of the Redis Enterprise cluster that O(url) belongs to (C(GET /v1/nodes) and
    each node's C(GET /v1/nodes/{uid}/status)) and adds them as hosts.
  - Each host is named after the node's address, which is also its C(ansible_host), and carries
    its uid, role, rack and status as host variables (see RV(_hostvars)), plus RV(_hostvars.re_url),
    the node's own REST API URL for the modules' O(url) option.
  - "Groups: V(redis_enterprise) holds every node; V(redis_enterprise_master) and
    V(redis_enterprise_slave) the nodes of each role (the API's names);
    V(redis_enterprise_rack_<rack id>) the nodes of one rack of a rack-aware cluster;
    V(redis_enterprise_cluster_<cluster name>) the nodes of one cluster; V(redis_enterprise_clusters)
    one host per cluster (its master node), for plays that act on whole clusters through the API.
    Characters other than letters, digits and underscores become underscores in group names."
  - 'The hosts are the cluster''s nodes, reached through the REST API, not over SSH: a play on them
    runs its tasks on the controller (C(connection: local), or C(delegate_to: localhost)) with
    C(ansible_python_interpreter) set to the controller''s Python (see C(playbooks/re_inventory_api.yml)).
    With one inventory file per cluster, V(redis_enterprise_clusters) holds one host per cluster, so
    AWX job slicing splits a fleet of clusters across execution nodes.'
  - The connection options and their environment variables are the modules' (the
    R(redisops.platform.re_node_action,ansible_collections.redisops.platform.re_node_action_module)
    module documents them), so one credential serves both. Options not set in the file are read
    from their environment variables.
  - The connection options may be templates, rendered before any request, such as a C(lookup) of an environment
    variable or of a secret store (see the examples).
  - The inventory file name must end in C(redis_enterprise.yml) or C(redis_enterprise.yaml); Ansible
    rejects another name as a file that "could not be verified", and the plugin then warns naming the suffix.
extends_documentation_fragment:
  - redisops.platform.redis_enterprise
  - constructed
  - inventory_cache
options:
  plugin:
    description: Marks the file as an inventory source of this plugin.
    type: str
    required: true
    choices: [redisops.platform.redis_enterprise]
notes:
  - Reading a cluster of N nodes costs 2 + N requests (the node list, each node's status, the
    cluster's name). Enable O(cache) to read it once per O(cache_timeout).
  - The cache holds the nodes (addresses, roles, statuses), never credentials.
  - A node whose address (as the API reports it) is not an IP address or a DNS name is left out, with a
    warning, since its RV(_hostvars.re_url) would send the credentials elsewhere.
seealso:
  - module: redisops.platform.re_node_action
  - module: redisops.platform.re_node_action_info
"""

EXAMPLES = r"""
# prod.redis_enterprise.yml: credentials from REDIS_ENTERPRISE_* environment variables
plugin: redisops.platform.redis_enterprise
url: https://node1.example.com:9443

---
# Group the nodes by status, put the master in a group of its own (maintained last in a
# rolling playbook) and flag the nodes that hold many shards
plugin: redisops.platform.redis_enterprise
ca_path: /etc/pki/redis-enterprise-ca.pem
keyed_groups:
  - key: re_status
    prefix: status
groups:
  maintenance_last: re_role == 'master'
compose:
  busy: re_shard_count > 10

---
# The password from a secret store or the environment, the nodes cached for ten minutes
plugin: redisops.platform.redis_enterprise
url: https://node1.example.com:9443
username: admin@example.com
password: "{{ lookup('ansible.builtin.env', 'RE_ADMIN_PASSWORD') }}"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/redis-enterprise-inventory
cache_timeout: 600
"""

RETURN = r"""
_hostvars:
  description: The variables of each host.
  type: dict
  contains:
    ansible_host:
      description: The node's address.
      type: str
      sample: 10.0.0.12
    re_uid:
      description: The node's uid, for the modules' C(node_uid) option.
      type: int
      sample: 2
    re_addr:
      description: The node's address.
      type: str
    re_url:
      description: The node's REST API URL (the scheme and port of O(url), the node's address).
      type: str
      sample: https://10.0.0.12:9443
    re_hostname:
      description: The node's host name.
      type: str
    re_role:
      description: V(master) or V(slave), as the API names them.
      type: str
    re_rack_id:
      description: The node's rack in a rack-aware cluster, else null.
      type: str
    re_status:
      description: The node's status (V(active), V(down), ...).
      type: str
    re_shard_count:
      description: The number of shards the node holds.
      type: int
    re_software_version:
      description: The Redis Enterprise version the node runs.
      type: str
    re_cluster:
      description: The name of the node's cluster.
      type: str
      sample: cluster.example.com
      version_added: 1.2.0
"""

from ansible.utils.display import Display

from ansible_collections.redisops.platform.plugins.module_utils._connection import REDIS_ENTERPRISE_CONNECTION, is_host
from ansible_collections.redisops.platform.plugins.module_utils._factory import EACH_REQUEST, build_client
from ansible_collections.redisops.platform.plugins.module_utils._http import printable
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.nodes import NodeReader
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient
from ansible_collections.redisops.platform.plugins.plugin_utils._inventory import ApiInventory, host_name

display = Display()


def read_hosts(client):
    """``[(host name, variables)]`` of the cluster's nodes, in uid order (2 + N requests)."""
    nodes = NodeReader(client).nodes()
    cluster = client.cluster_name()
    hosts = []
    for node in nodes:
        address = node["addr"]
        if address and not is_host(address):
            display.warning("redisops.platform.redis_enterprise inventory: node %s skipped: its address %s is not an IP address or a "
                            "DNS name" % (node["uid"], printable(address)))
            continue
        hosts.append((host_name(address, node["hostname"], "node%s" % node["uid"]), dict(
            ansible_host=address,
            re_uid=node["uid"],
            re_addr=address,
            re_url=node["api_url"],
            re_hostname=node["hostname"],
            re_role=node["role"],
            re_rack_id=node["rack_id"],
            re_status=node["status"],
            re_shard_count=node["shard_count"],
            re_software_version=node["software_version"],
            re_cluster=cluster,
        )))
    return hosts


class InventoryModule(ApiInventory):
    NAME = "redisops.platform.redis_enterprise"
    SUFFIX = "redis_enterprise"
    CONNECTION = REDIS_ENTERPRISE_CONNECTION
    GROUP = "redis_enterprise"

    def __init__(self):
        super(InventoryModule, self).__init__()
        self._representatives = {}  # {cluster name: the host that stands for it}

    def read(self, params):
        client = build_client(RedisEnterpriseClient, params, deadline=EACH_REQUEST, on_retry=display.warning)
        try:
            return read_hosts(client)
        finally:
            client.close()

    def _populate(self, hosts):
        # One host per cluster: the master, else (no master reported) the node of the lowest uid.
        self._representatives = {}
        for name, variables in sorted(hosts, key=lambda host: host[1]["re_role"] != "master"):
            self._representatives.setdefault(variables["re_cluster"], name)
        super(InventoryModule, self)._populate(hosts)

    def host_groups(self, name, variables):
        cluster = variables["re_cluster"]
        represents = self._representatives.get(cluster) == name
        return ["redis_enterprise_%s" % variables["re_role"] if variables["re_role"] else None,
                "redis_enterprise_rack_%s" % variables["re_rack_id"] if variables["re_rack_id"] else None,
                "redis_enterprise_cluster_%s" % cluster if cluster else None,
                "redis_enterprise_clusters" if represents else None]
