# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""How every Redis Enterprise module names the node it reports on: cluster name plus node uid."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time
from concurrent.futures import Future


class ClusterNameRead:
    """The cluster's name (``client.cluster_name_if_known()``), read on a thread of its own from
    when this is made: it costs no time beside the task's main read, which goes on meanwhile (the
    client is safe to share between threads). :meth:`result` waits for it.

    A daemon thread: a task that fails before it needs the name does not wait for it to exit.
    """

    def __init__(self, client):
        self._future = Future()
        threading.Thread(target=self._read, args=(client,), name="redisops-cluster-name", daemon=True).start()

    def _read(self, client):
        try:
            self._future.set_result(client.cluster_name_if_known())
        except Exception as error:  # pylint: disable=broad-exception-caught  # raised again by result(), in the task's thread
            self._future.set_exception(error)

    def result(self):
        return self._future.result()


class KnownClusterName:
    """A cluster's name the task knows without a read (the cluster it has just created)."""

    def __init__(self, name):
        self.name = name

    def result(self):
        return self.name


class NamesItsCluster:
    """A resource whose result carries ``cluster_name``: the name of the cluster its node belongs
    to, read once (``GET /v1/cluster``), concurrently with the resource's own first read.

    Cluster name plus node uid names a node whichever node's API a task used, so every module
    reports the same node the same way (Ansible Automation Platform counts nodes by it).
    """

    _cluster_name = None  # a ClusterNameRead or a KnownClusterName, once learnt

    def learn_cluster_name(self, client):
        """Start reading the cluster's name through ``client`` (once): call it before the read it
        may run beside."""
        if self._cluster_name is None:
            self._cluster_name = ClusterNameRead(client)

    def know_cluster_name(self, name):
        """The cluster's name, known without a read."""
        self._cluster_name = KnownClusterName(name)

    @property
    def cluster_name_read(self):
        """Whether the name is known or being read."""
        return self._cluster_name is not None

    @property
    def cluster_name(self):
        """The cluster's name (waiting for its read), None when the node cannot tell or it was not read."""
        return self._cluster_name.result() if self._cluster_name is not None else None


def report(module, client_class, read, wait_timeout=None):
    """The run of a Redis Enterprise ``_info`` module: ``read(client)`` gives the result's keys (a
    client of ``client_class``); the result also says ``changed: false`` and names the cluster
    (``cluster_name``, unless ``read`` gave it), read concurrently with ``read``.

    Without ``wait_timeout`` the task does not wait: an API it cannot reach fails it at once. With
    it (seconds), a refused connection (a node that restarts) is retried until that long from now.
    """

    def run():
        deadline = time.monotonic() + wait_timeout if wait_timeout else None
        client = module.client(client_class, deadline=deadline)
        name = ClusterNameRead(client)
        result = read(client)
        if "cluster_name" not in result:
            result["cluster_name"] = name.result()
        module.exit_json(changed=False, **result)

    module.execute(run)
