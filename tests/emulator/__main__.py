"""Start the emulator of the KakaoCloud MemStore and Redis Enterprise APIs and print
how to reach it. Ctrl-C (or SIGTERM) stops it. README.md documents its control API.

Its dependencies: pip install -r tests/emulator/requirements.txt (Flask, Werkzeug,
cryptography). The Redis Enterprise nodes start unbootstrapped, as new servers do: POST
/_emulator/re/cluster makes them one cluster (with the admin printed at start), or run the
redisops.platform.re_cluster_bootstrap role against them."""

import argparse
import json
import signal
import sys
import threading

from .chaos import DEFAULT_RATE, KINDS
from .memstore import DEFAULT_VERSIONS, VERSION
from .memstore_backups import DEFAULT_BACKUP_SECONDS
from .server import DEFAULT_BUSY_STATUS, DEFAULT_SPEED, DEFAULT_SYNC_SECONDS, Emulator


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address of the MemStore/IAM/control server")
    parser.add_argument("--memstore-port", type=int, default=8480, help="MemStore/IAM/control port (0: any free port)")
    parser.add_argument("--memstore-tls", action="store_true",
                        help="serve MemStore, IAM and the control API over HTTPS with the emulator's CA "
                             "(test validate_certs and ca_path for MemStore)")
    parser.add_argument("--memstore-busy-status", type=int, choices=(409, 400), default=DEFAULT_BUSY_STATUS,
                        help="answer to a write on a busy MemStore instance set: 409, or 400 'invalid state' "
                             "as the documents list for the PATCH endpoints")
    parser.add_argument("--memstore-versions", default=",".join(DEFAULT_VERSIONS),
                        help="comma-separated Redis versions MemStore offers (GET /v1/redis/versions) and accepts in creates; "
                             "5.0.6 stays cluster-mode-disabled only")
    parser.add_argument("--memstore-no-versions-endpoint", action="store_true",
                        help="GET /v1/redis/versions answers 404, as a service without it would (creates still check the versions)")
    parser.add_argument("--memstore-backup-seconds", type=float, default=DEFAULT_BACKUP_SECONDS,
                        help="emulated seconds a MemStore manual backup takes before it is Available")
    parser.add_argument("--re-port", type=int, default=9443, help="Redis Enterprise port on every node address (0: any free port)")
    parser.add_argument("--nodes", type=int, default=3, help="number of Redis Enterprise nodes (127.0.0.2, 127.0.0.3, ...)")
    parser.add_argument("--re-sync-seconds", type=float, default=DEFAULT_SYNC_SECONDS,
                        help="emulated seconds a Redis Enterprise replica shard moved by a maintenance, or on a node that "
                             "came back up, stays sync in_progress before idle")
    parser.add_argument("--speed", type=float, default=DEFAULT_SPEED, help="emulated seconds per real second")
    parser.add_argument("--state-dir", default=None,
                        help="directory that keeps the CA (key included) and the server certificate across restarts, "
                             "so ca_path stays valid; default: a temporary directory removed on exit")
    parser.add_argument("--chaos-seed", type=int, default=None,
                        help="start in chaos mode with this seed: a share of API requests (--chaos-rate) get a random fault "
                             "(%s); also after each reset. PUT /_emulator/chaos switches it at run time" % ", ".join(KINDS))
    parser.add_argument("--chaos-rate", type=float, default=DEFAULT_RATE, help="with --chaos-seed: the share of API requests faulted")
    parser.add_argument("--info-file", default=None, help="also write the connection details as JSON to this file")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    if args.nodes < 1:
        parser.error("--nodes must be at least 1")
    if args.speed <= 0:
        parser.error("--speed must be greater than 0")
    if args.memstore_backup_seconds < 0:
        parser.error("--memstore-backup-seconds must be 0 or more")
    if not 0 <= args.chaos_rate <= 1:
        parser.error("--chaos-rate must be from 0 to 1")
    if args.re_sync_seconds < 0:
        parser.error("--re-sync-seconds must be 0 or more")
    args.memstore_versions = [v.strip() for v in args.memstore_versions.split(",") if v.strip()]
    if not args.memstore_versions or not all(VERSION.match(v) for v in args.memstore_versions):
        parser.error("--memstore-versions must be comma-separated versions such as 7.2.7,6.2.17")
    return args


def main(argv=None):
    args = parse_args(argv)
    emu = Emulator(nodes=args.nodes, speed=args.speed, host=args.host, memstore_port=args.memstore_port,
                   re_port=args.re_port, state_dir=args.state_dir, quiet=not args.verbose,
                   memstore_tls=args.memstore_tls, memstore_busy_status=args.memstore_busy_status,
                   memstore_versions=args.memstore_versions,
                   memstore_versions_endpoint=not args.memstore_no_versions_endpoint,
                   re_sync_seconds=args.re_sync_seconds, memstore_backup_seconds=args.memstore_backup_seconds,
                   chaos_seed=args.chaos_seed, chaos_rate=args.chaos_rate).start()
    try:
        info = emu.info()
        if args.info_file:
            with open(args.info_file, "w") as handle:
                json.dump(info, handle, indent=2)
        print("MemStore API     %s  (IAM: %s)" % (info["memstore_url"], info["identity_url"]))
        print("  application credential: %s / %s" % (info["application_credential_id"], info["application_credential_secret"]))
        for node in info["re_nodes"]:
            print("Redis Enterprise node%d  %s" % (node["index"], node["url"]))
        print("  the nodes are unbootstrapped: POST %s/re/cluster makes them a cluster, or run the re_cluster_bootstrap role"
              % info["control_url"])
        print("  admin of a cluster made by POST /_emulator/re/cluster: %s / %s"
              % (info["re_admin"]["username"], info["re_admin"]["password"]))
        print("  CA certificate (ca_path): %s" % info["ca_path"])
        print("Control API      %s  (reset, faults, chaos, log, clock: see README.md)" % info["control_url"])
        if emu.chaos is not None:
            print("Chaos mode       seed %s, %g of API requests faulted (GET %s/chaos counts them)"
                  % (emu.chaos.seed, emu.chaos.rate, info["control_url"]))
        print("Ctrl-C to stop.")
        sys.stdout.flush()
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        signal.signal(signal.SIGINT, lambda *_: stopped.set())
        stopped.wait()
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
