"""The emulator: one MemStore server (HTTP, or HTTPS with ``memstore_tls``, with IAM
and the control API) and several Redis Enterprise nodes (HTTPS, one loopback address
each, same port). Every HTTPS server presents a certificate signed by the emulator's CA."""

import logging
import os
import shutil
import socket
import ssl
import tempfile
import threading

from werkzeug.serving import make_server

from . import (chaos, control, memstore, memstore_backups, memstore_catalog, memstore_instance_sets, re_bootstrap, re_databases,
               re_health, re_nodes, re_recovery, redis_enterprise)
from .core import Clock, EmulatorMiddleware, Faults, RequestLog, Scheduler
from .tls import write_tls_files

MEMSTORE_BLUEPRINTS = [memstore_instance_sets.blueprint, control.blueprint,
                       memstore_catalog.blueprint, memstore_backups.blueprint]
RE_BLUEPRINTS = [re_bootstrap.blueprint, re_nodes.blueprint, re_databases.blueprint, re_health.blueprint,
                 re_recovery.blueprint]
DEFAULT_SPEED = 100.0
DEFAULT_SYNC_SECONDS = 20.0  # emulated seconds a moved or restarted replica takes to resync
DEFAULT_BUSY_STATUS = 409  # what a write on a busy MemStore set is answered (or 400, see control.py)


def node_address(index):
    """Node 1 is 127.0.0.2, node 2 is 127.0.0.3, ...: all of 127.0.0.0/8 is loopback on Linux."""
    return "127.0.0.%d" % (index + 1)


class Emulator:
    """Start with :meth:`start`, stop with :meth:`stop`. Ports 0 pick free ones.

    ``speed`` is how many emulated seconds pass per real second: resources that
    take 60 s to create are Running after 0.6 s at the default of 100.
    """

    def __init__(self, nodes=3, speed=DEFAULT_SPEED, host="127.0.0.1", memstore_port=0, re_port=0, state_dir=None, quiet=True,
                 memstore_tls=False, memstore_busy_status=DEFAULT_BUSY_STATUS, memstore_versions=memstore.DEFAULT_VERSIONS,
                 memstore_versions_endpoint=True, re_sync_seconds=DEFAULT_SYNC_SECONDS,
                 memstore_backup_seconds=memstore_backups.DEFAULT_BACKUP_SECONDS, chaos_seed=None, chaos_rate=None):
        self.lock = threading.RLock()
        # Chaos mode from the command line (--chaos-seed/--chaos-rate): on from the start and after each reset.
        self.default_chaos = None if chaos_seed is None else dict(seed=chaos_seed, rate=chaos.DEFAULT_RATE if chaos_rate is None
                                                                  else chaos_rate)
        self.default_speed = speed
        self.default_busy_status = memstore_busy_status
        self.default_versions = tuple(memstore_versions)
        self.default_versions_endpoint = memstore_versions_endpoint
        self.default_sync_seconds = float(re_sync_seconds)
        self.default_backup_seconds = float(memstore_backup_seconds)
        self.host = host
        self.memstore_port = memstore_port
        self.re_port = re_port
        self.node_count = nodes
        self.memstore_tls = memstore_tls
        # Without a state directory the emulator makes a temporary one and removes it on stop():
        # it holds a private key. A given one is kept, so a restart keeps the same CA (ca_path).
        self._own_state_dir = not state_dir
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="redisops-emulator-")
        self.tls = write_tls_files(os.path.join(self.state_dir, "tls"), [host] + [node_address(i) for i in range(1, nodes + 1)])
        self._servers = {}
        self._node_apps = {}
        self._timers = []
        self._down = {}  # node index -> (its restart timer or None, whether its cluster sees it down)
        if quiet:
            logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._init_state()

    # --- state ------------------------------------------------------------------
    def _init_state(self):
        self.clock = Clock(self.default_speed)
        self.scheduler = Scheduler(self.clock)
        self.faults = Faults()
        self.log = RequestLog()
        self.chaos = chaos.Chaos(**self.default_chaos) if self.default_chaos else None
        self.memstore = memstore.MemStoreState()
        self.re_nodes = [redis_enterprise.ReNode(i, node_address(i)) for i in range(1, self.node_count + 1)]
        self.re_doc_shapes = False
        self.re_sync_seconds = self.default_sync_seconds
        self.memstore_busy_status = self.default_busy_status
        self.memstore_versions = self.default_versions
        self.memstore_versions_endpoint = self.default_versions_endpoint
        self.memstore_backup_seconds = self.default_backup_seconds
        for node in self.re_nodes:
            if node.index in self._node_apps:
                self._node_apps[node.index].config["RE_NODE"] = node

    def reset(self):
        with self.lock:
            for index in list(self._down):
                self.node_up(index)
            self._init_state()

    def node(self, index):
        return self.re_nodes[int(index) - 1]

    def seed_re_cluster(self, name="cluster.re.test", nodes=None, username=None, password=None):
        """Make nodes (indexes, default all) a completed cluster at once; node 1 is the master."""
        with self.lock:
            admin = (username or redis_enterprise.DEFAULT_ADMIN[0], password or redis_enterprise.DEFAULT_ADMIN[1])
            cluster = redis_enterprise.ReCluster(name, admin)
            for position, index in enumerate(nodes or range(1, self.node_count + 1)):
                self.node(index).join(cluster, role="master" if position == 0 else "slave")
            return cluster

    # --- servers ------------------------------------------------------------------
    @property
    def memstore_url(self):
        return "%s://%s:%d" % ("https" if self.memstore_tls else "http", self.host, self.memstore_port)

    @property
    def identity_url(self):
        return self.memstore_url + "/identity/v3"

    def node_url(self, index):
        return "https://%s:%d" % (node_address(index), self.re_port)

    def info(self):
        return {
            "memstore_url": self.memstore_url,
            "identity_url": self.identity_url,
            "control_url": self.memstore_url + "/_emulator",
            "application_credential_id": memstore.DEFAULT_CREDENTIAL_ID,
            "application_credential_secret": memstore.DEFAULT_CREDENTIAL_SECRET,
            "project_id": memstore.DEFAULT_PROJECT_ID,
            "re_nodes": [{"index": n.index, "address": n.address, "url": self.node_url(n.index)} for n in self.re_nodes],
            "re_port": self.re_port,
            "re_admin": {"username": redis_enterprise.DEFAULT_ADMIN[0], "password": redis_enterprise.DEFAULT_ADMIN[1]},
            "re_viewer": {"username": redis_enterprise.DEFAULT_VIEWER[0], "password": redis_enterprise.DEFAULT_VIEWER[1]},
            "ca_path": self.tls["ca"],
            "untrusted_ca_path": self.tls["untrusted_ca"],
            "speed": self.clock.speed,
            "memstore_tls": self.memstore_tls,
            "memstore_busy_status": self.memstore_busy_status,
            "memstore_versions": list(self.memstore_versions),
            "memstore_versions_endpoint": self.memstore_versions_endpoint,
            "memstore_backup_seconds": self.memstore_backup_seconds,
            "state_dir": self.state_dir,
            "chaos": self.chaos is not None,
        }

    def _ssl_context(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.tls["cert"], self.tls["key"])
        return context

    def _serve(self, key, host, port, app, ssl_context=None):
        server = make_server(host, port, app, threaded=True, ssl_context=ssl_context)
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        self._servers[key] = server
        return server

    def start(self):
        ms_app = memstore.create_app(self, MEMSTORE_BLUEPRINTS)
        wrapped = EmulatorMiddleware(ms_app, self, "memstore", memstore.error_body)
        server = self._serve("memstore", self.host, self.memstore_port, wrapped,
                             self._ssl_context() if self.memstore_tls else None)
        self.memstore_port = server.server_port
        for node in self.re_nodes:
            app = redis_enterprise.create_app(self, node, RE_BLUEPRINTS)
            self._node_apps[node.index] = app
            app.wsgi_app_wrapped = EmulatorMiddleware(app, self, node.name, redis_enterprise.error_body)
        self._start_re_servers()
        return self

    def _start_re_servers(self):
        for _attempt in range(50):
            port = self.re_port or _free_port(node_address(1))
            started = []
            try:
                for node in self.re_nodes:
                    started.append(self._serve(node.name, node.address, port, self._node_apps[node.index].wsgi_app_wrapped,
                                               self._ssl_context()))
            except OSError:
                for server in started:
                    server.shutdown()
                    server.server_close()
                if self.re_port:
                    raise
                continue
            self.re_port = port
            return
        raise RuntimeError("no free port on every node address")

    def node_down(self, index, seconds=None):
        """Stop a node's server: it refuses connections.

        With ``seconds``, for that many real seconds: its API restarting, while its cluster still
        counts it active. Without, until :meth:`node_up`: the node itself is down, and its
        cluster sees it ``down`` (its shards too, its primaries failed over)."""
        with self.lock:
            node = self.node(index)
            server = self._servers.pop(node.name, None)
            if server is not None:
                server.shutdown()
                server.server_close()
            timer, was_down = self._down.get(index, (None, False))
            _cancel(timer)
            timer = None
            if seconds is not None:
                timer = threading.Timer(float(seconds), self.node_up, args=(index,))
                timer.daemon = True
                timer.start()
                self._timers.append(timer)
            elif not was_down:
                self.scheduler.run_due()
                re_databases.node_went_down(self, node)
            self._down[index] = (timer, was_down or seconds is None)

    def node_up(self, index):
        """Bring a node taken down back: it serves again and, if its cluster saw it down, it is
        active again and its shards resync."""
        with self.lock:
            if index not in self._down:
                return
            timer, was_down = self._down.pop(index)
            _cancel(timer)
            node = self.node(index)
            self._serve(node.name, node.address, self.re_port, self._node_apps[node.index].wsgi_app_wrapped, self._ssl_context())
            if was_down:
                self.scheduler.run_due()
                re_databases.node_came_up(self, node)

    def stop(self):
        for timer in self._timers:
            timer.cancel()
        for server in list(self._servers.values()):
            server.shutdown()
            server.server_close()
        self._servers.clear()
        if self._own_state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)


def _cancel(timer):
    if timer is not None:
        timer.cancel()


def _free_port(address):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((address, 0))
        return probe.getsockname()[1]
