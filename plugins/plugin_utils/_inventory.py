# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the collection's inventory plugins share: the file name check, templated connection
options, the cache, host and group names, and errors that tell the user what to fix."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.display import Display
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.redisops.platform.plugins.module_utils._connection import resolve
from ansible_collections.redisops.platform.plugins.module_utils._http import REQUESTS_IMPORT_ERROR, ApiError, ClientError

display = Display()

# What an HTTP status means for the person whose inventory failed.
_HINTS = {
    401: "check the credentials: the inventory file's options, else their environment variables",
    403: "the user's role does not allow reading this",
}
# Only the head of a file is read to tell whether it names a plugin.
_HEAD = 4096


def safe_group(name):
    """A group name Ansible accepts as is: letters, digits and underscores."""
    return re.sub(r"[^A-Za-z0-9_]", "_", str(name))


def host_name(*candidates):
    """The first candidate that is set (a node's name, else its address, else its id)."""
    return next((str(value) for value in candidates if value not in (None, "")), None)


def inventory_error(plugin, error):
    """One sentence naming the plugin, the request and what to fix."""
    text = str(error)
    if isinstance(error, ApiError):
        hint = _HINTS.get(error.status)
        if hint and "check " not in text.lower():
            text = "%s (%s)" % (text, hint)
    return "%s inventory: %s" % (plugin, text)


def names_plugin(path, plugin):
    """Whether the file at ``path`` says ``plugin: <plugin>`` (read from its head only)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD).decode("utf-8", "replace")
    except (IOError, OSError):
        return False
    return re.search(r"""(?:^|[{,])\s*["']?plugin["']?\s*:\s*["']?%s(?:["'\s,}]|$)""" % re.escape(plugin), head, re.M) is not None


class ApiInventory(BaseInventoryPlugin, Constructable, Cacheable):
    """An inventory read from one of the collection's APIs.

    A plugin sets ``NAME``, ``SUFFIX`` (its files end in ``<SUFFIX>.yml`` or ``.yaml``),
    ``CONNECTION`` (its :class:`ConnectionSpec`), ``GROUP`` (the group of every host), and
    implements :meth:`read` and :meth:`host_groups`.
    """

    NAME = None
    SUFFIX = None
    CONNECTION = None
    GROUP = None

    def suffixes(self):
        return (self.SUFFIX + ".yml", self.SUFFIX + ".yaml")

    def verify_file(self, path):
        if not super(ApiInventory, self).verify_file(path):
            return False
        if path.endswith(self.suffixes()):
            return True
        # Ansible only says the file "could not be verified": say why, when it is meant for this plugin.
        if names_plugin(path, self.NAME):
            display.warning("%s names the %s inventory plugin, but its name must end in %s or %s (for example prod.%s.yml)"
                            % (path, self.NAME, self.suffixes()[0], self.suffixes()[1], self.SUFFIX))
        return False

    def templated(self, config):
        """``config``'s connection options with templates rendered (``{{ lookup('env', 'PW') }}``, vault, ...)."""
        params = {}
        for name in self.CONNECTION.argument_spec:
            value = config.get(name)
            if isinstance(value, str) and self.templar.is_template(value):
                value = self.templar.template(value)
            params[name] = value
        return params

    def parse(self, inventory, loader, path, cache=True):
        super(ApiInventory, self).parse(inventory, loader, path, cache)
        config = self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        hosts = None
        # cache=False is --flush-cache or meta: refresh_inventory: read the API, then update the cache.
        if self.get_option("cache") and cache:
            hosts = self._cache.get(cache_key)
        if hosts is None:
            hosts = self._fetch(config)
            if self.get_option("cache"):
                # The hosts and their variables only: never the connection options.
                self._cache[cache_key] = hosts
        self._populate(hosts)

    def _fetch(self, config):
        if REQUESTS_IMPORT_ERROR:
            raise AnsibleParserError("the %s inventory needs the Python library requests: %s" % (self.NAME, REQUESTS_IMPORT_ERROR))
        try:
            return [[name, variables] for name, variables in self.read(resolve(self.CONNECTION, self.templated(config), "in the inventory file"))]
        except (ValueError, ApiError, ClientError) as error:
            raise AnsibleParserError(inventory_error(self.NAME, error))

    def read(self, params):
        """``[(host name, variables)]`` read with the resolved connection options ``params``."""
        raise NotImplementedError

    def host_groups(self, name, variables):
        """The groups of host ``name`` besides :attr:`GROUP` (None and empty names are skipped)."""
        raise NotImplementedError

    def wanted(self, variables):
        """Whether a host read (or cached) belongs in the inventory (the plugin's filters)."""
        return True

    def _populate(self, hosts):
        strict = self.get_option("strict")
        self.inventory.add_group(self.GROUP)
        for name, variables in hosts:
            if not self.wanted(variables):
                continue
            # Names and values come from the API (or the cache): marked unsafe, a server's
            # "{{ lookup('pipe', ...) }}" stays text when a play uses the host (ansible-core 2.16 templates it otherwise).
            name, variables = wrap_var(name), wrap_var(variables)
            self.inventory.add_host(name, group=self.GROUP)
            for group in self.host_groups(name, variables):
                if group:
                    self.inventory.add_group(safe_group(group))
                    self.inventory.add_child(safe_group(group), name)
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option("compose"), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, name, strict=strict)
