"""Command line: start the emulator and print how to reach it."""

import argparse
import json
import signal
import sys
import threading

from .server import DEFAULT_SPEED, Emulator


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address of the MemStore/IAM/control server")
    parser.add_argument("--memstore-port", type=int, default=8480, help="MemStore/IAM/control port (0: any free port)")
    parser.add_argument("--re-port", type=int, default=9443, help="Redis Enterprise port on every node address (0: any free port)")
    parser.add_argument("--nodes", type=int, default=3, help="number of Redis Enterprise nodes (127.0.0.2, 127.0.0.3, ...)")
    parser.add_argument("--speed", type=float, default=DEFAULT_SPEED, help="emulated seconds per real second")
    parser.add_argument("--state-dir", help="where to write the generated CA and certificates")
    parser.add_argument("--info-file", help="also write the connection details as JSON to this file")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)

    emu = Emulator(nodes=args.nodes, speed=args.speed, host=args.host, memstore_port=args.memstore_port,
                   re_port=args.re_port, state_dir=args.state_dir, quiet=not args.verbose).start()
    info = emu.info()
    if args.info_file:
        with open(args.info_file, "w") as handle:
            json.dump(info, handle, indent=2)
    print("MemStore API     %s  (IAM: %s)" % (info["memstore_url"], info["identity_url"]))
    print("  application credential: %s / %s" % (info["application_credential_id"], info["application_credential_secret"]))
    for node in info["re_nodes"]:
        print("Redis Enterprise node%d  %s" % (node["index"], node["url"]))
    print("  CA certificate: %s" % info["ca_path"])
    print("Control API      %s  (reset, faults, log, clock)" % info["control_url"])
    print("Ctrl-C to stop.")
    sys.stdout.flush()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
