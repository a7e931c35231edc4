# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""How every Redis Enterprise module names the node it reports on: cluster name plus node uid."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class NamesItsCluster:
    """A resource whose result carries ``cluster_name``: the name of the cluster its node belongs
    to, read once (``GET /v1/cluster``).

    Cluster name plus node uid names a node whichever node's API a task used, so every module
    reports the same node the same way (Ansible Automation Platform counts nodes by it).
    """

    cluster_name = None
    cluster_name_read = False

    def learn_cluster_name(self, client):
        if not self.cluster_name_read:
            self.cluster_name_read = True
            self.cluster_name = client.cluster_name_if_known()


def report(module, client_class, read):
    """The run of a Redis Enterprise ``_info`` module: ``read(client)`` gives the result's keys (a
    client of ``client_class``); the result also says ``changed: false`` and names the cluster
    (``cluster_name``, unless ``read`` gave it)."""

    def run():
        client = module.client(client_class)
        result = read(client)
        if "cluster_name" not in result:
            result["cluster_name"] = client.cluster_name_if_known()
        module.exit_json(changed=False, **result)

    module.execute(run)
