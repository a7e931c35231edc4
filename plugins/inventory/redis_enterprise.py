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
    V(redis_enterprise_rack_<rack id>) the nodes of one rack of a rack-aware cluster.
    Characters other than letters, digits and underscores become underscores in group names."
  - The connection options and their environment variables are the modules' (the
    R(redisops.platform.re_node_action,ansible_collections.redisops.platform.re_node_action_module)
    module documents them), so one credential serves both. Options not set in the file are read
    from their environment variables.
  - The inventory file name must end in C(redis_enterprise.yml) or C(redis_enterprise.yaml).
extends_documentation_fragment:
  - redisops.platform.redis_enterprise
  - constructed
options:
  plugin:
    description: Marks the file as an inventory source of this plugin.
    type: str
    required: true
    choices: [redisops.platform.redis_enterprise]
notes:
  - Reading a cluster of N nodes costs 1 + N requests.
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
"""

from urllib.parse import urlsplit, urlunsplit

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable
from ansible.utils.display import Display

from ansible_collections.redisops.platform.plugins.module_utils._connection import REDIS_ENTERPRISE_CONNECTION, resolve
from ansible_collections.redisops.platform.plugins.module_utils._http import REQUESTS_IMPORT_ERROR, ApiError, ClientError
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.nodes import NodeReader
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient
from ansible_collections.redisops.platform.plugins.plugin_utils._inventory import host_name, inventory_error, safe_group

display = Display()


def node_url(url, address):
    """``url`` with its host replaced by ``address`` (scheme and port kept)."""
    parts = urlsplit(url)
    netloc = "[%s]" % address if ":" in address else address
    if parts.port:
        netloc = "%s:%d" % (netloc, parts.port)
    return urlunsplit((parts.scheme, netloc, "", "", ""))


def read_hosts(client, url):
    """``[(host name, variables)]`` of the cluster's nodes, in uid order (1 + N requests)."""
    hosts = []
    for node in NodeReader(client).nodes():
        address = node["addr"]
        hosts.append((host_name(address, node["hostname"], "node%s" % node["uid"]), dict(
            ansible_host=address,
            re_uid=node["uid"],
            re_addr=address,
            re_url=node_url(url, address) if address else None,
            re_hostname=node["hostname"],
            re_role=node["role"],
            re_rack_id=node["rack_id"],
            re_status=node["status"],
            re_shard_count=node["shard_count"],
            re_software_version=node["software_version"],
        )))
    return hosts


class InventoryModule(BaseInventoryPlugin, Constructable):
    NAME = "redisops.platform.redis_enterprise"

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(("redis_enterprise.yml", "redis_enterprise.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        config = self._read_config_data(path)
        if REQUESTS_IMPORT_ERROR:
            raise AnsibleParserError("the %s inventory needs the Python library requests: %s" % (self.NAME, REQUESTS_IMPORT_ERROR))
        try:
            params = resolve(REDIS_ENTERPRISE_CONNECTION, config)
            client = RedisEnterpriseClient(params)
            for http in client.http_clients():
                http.on_retry = display.warning
            hosts = read_hosts(client, params["url"])
        except (ValueError, ApiError, ClientError) as error:
            raise AnsibleParserError(inventory_error(self.NAME, error))
        self._populate(hosts)

    def _populate(self, hosts):
        strict = self.get_option("strict")
        self.inventory.add_group("redis_enterprise")
        for name, variables in hosts:
            self.inventory.add_host(name, group="redis_enterprise")
            groups = []
            if variables["re_role"]:
                groups.append("redis_enterprise_%s" % variables["re_role"])
            if variables["re_rack_id"]:
                groups.append("redis_enterprise_rack_%s" % variables["re_rack_id"])
            for group in groups:
                self.inventory.add_group(safe_group(group))
                self.inventory.add_child(safe_group(group), name)
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option("compose"), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, name, strict=strict)
