# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one reader of memstore_instance_set_info and memstore_cluster_info: one resource by
name or id, or every one of its mode, each with its members unless told not to read them; and the
run of the catalogs' _info modules (memstore_flavor_info, memstore_parameter_group_info)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient
from ansible_collections.redisops.platform.plugins.module_utils.memstore.rules import name_errors


def run_info(module, resource_class, members_option):
    """Read what ``module``'s ``name``/``id`` options designate (every resource of ``resource_class``'s
    mode without them) and exit with the views under ``resource_class.list_key``; ``members_option``
    is the option that says whether to read each one's members."""
    params = module.params
    if params["name"] is not None:
        # The writing modules' name rules: a name no resource can have is a typo, not "absent".
        errors = name_errors(params["name"])
        if errors:
            module.fail_json(msg="; ".join(errors), errors=errors)

    def read():
        api = module.task().client(resource_class.client_class)
        read_members = params[members_option]
        if params["name"] or params["id"]:
            found = resource_class.lookup(api, name=params["name"], resource_id=params["id"], read_members=read_members)
            states = [found] if found else []
        else:
            states = resource_class.read_every(api, read_members)
        module.exit_json(changed=False, **{resource_class.list_key: [resource_class.present(*state) for state in states]})

    module.execute(read)


def run_catalog_info(module, result_key, read):
    """Exit with ``read(api, params)`` under ``result_key``: what a catalog's _info module reports (one request)."""

    def report():
        api = module.task().client(MemStoreClient)
        module.exit_json(changed=False, **{result_key: read(api, module.params)})

    module.execute(report)
