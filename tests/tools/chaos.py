# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make chaos``: the chaos round of the test run (tests/tools/chaos_workflows.py: every workflow
under the emulator's chaos mode, then the end state checked) for many seeds.

Prints, per seed, the requests, the faults by kind and the result; at the end a summary and, for
each failed seed, the command that replays it. Exits 1 when a seed failed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import os
import shutil
import sys
import tempfile

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(TOOLS))  # tests/: the emulator package
sys.path.insert(0, TOOLS)

from chaos_workflows import RATE, RETRY_AFTER, SLOW_SECONDS, SPEED, ChaosRound  # noqa: E402  pylint: disable=wrong-import-position
from collection_link import link_collection  # noqa: E402  pylint: disable=wrong-import-position

sys.path.insert(0, link_collection())

from emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position
from emulator.chaos import KINDS  # noqa: E402  pylint: disable=wrong-import-position


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="make chaos ARGS=...", description=__doc__,
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--seeds", type=int, default=50, help="how many seeds")
    parser.add_argument("--first-seed", type=int, default=1, help="the first seed; the others follow it")
    parser.add_argument("--rate", type=float, default=RATE, help="the share of API requests faulted, from 0 to 1")
    parser.add_argument("--rounds", type=int, default=1, help="rounds per seed (a round's requests vary with timing: "
                                                              "more rounds meet more of a seed's faults)")
    parser.add_argument("--retry-after", type=int, default=RETRY_AFTER, help="seconds of Retry-After sent with 503 and 429 faults")
    parser.add_argument("--slow-seconds", type=float, default=SLOW_SECONDS, help="real seconds a slow answer is late")
    parser.add_argument("--speed", type=float, default=SPEED, help="the emulator's emulated seconds per real second")
    parser.add_argument("--verbose", action="store_true", help="print the output of the stage that failed")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.rounds < 1:
        parser.error("--seeds and --rounds must be at least 1")
    if not 0 <= args.rate <= 1:
        parser.error("--rate must be from 0 to 1")
    return args


def replay_command(args, seed):
    return "make chaos ARGS='--first-seed %d --seeds 1 --rate %g --retry-after %d --slow-seconds %g --speed %g'" % (
        seed, args.rate, args.retry_after, args.slow_seconds, args.speed)


def main(argv=None):
    args = parse_args(argv)
    workdir = tempfile.mkdtemp(prefix="redisops-chaos-")
    emulator = Emulator(nodes=3, speed=args.speed, state_dir=os.path.join(workdir, "state")).start()
    totals = dict((kind, 0) for kind in KINDS)
    requests, failures, rounds = 0, [], 0
    try:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            for number in range(1, args.rounds + 1):
                round_dir = os.path.join(workdir, "seed%d-round%d" % (seed, number))
                os.makedirs(round_dir)
                result = ChaosRound(emulator, round_dir, seed, rate=args.rate, retry_after=args.retry_after,
                                    slow_seconds=args.slow_seconds, speed=args.speed).run()
                rounds += 1
                requests += result.requests
                for kind, count in result.counts.items():
                    totals[kind] = totals.get(kind, 0) + count
                faults = ", ".join("%s %d" % (kind, result.counts.get(kind, 0)) for kind in KINDS)
                print("seed %d round %d: %d requests, faults: %s; %.0f s; %s" % (
                    seed, number, result.requests, faults, result.seconds, "passed" if result.passed else "FAILED"))
                if args.verbose:
                    print("    seconds by stage: %s" % result.stage_seconds)
                for problem in result.problems:
                    print("    " + problem)
                if not result.passed:
                    failures.append((seed, number, result.problems))
                    if args.verbose:
                        print(result.outputs.get(result.stage, "")[-6000:])
                sys.stdout.flush()
                shutil.rmtree(round_dir, ignore_errors=True)
    finally:
        emulator.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print("chaos: %d seeds (%d to %d), %d rounds, rate %g: %d requests, faults: %s (%d in all); %d failed" % (
        args.seeds, args.first_seed, args.first_seed + args.seeds - 1, rounds, args.rate, requests,
        ", ".join("%s %d" % (kind, totals[kind]) for kind in KINDS), sum(totals.values()), len(failures)))
    for seed, number, problems in failures:
        print("FAILED seed %d (round %d): %s" % (seed, number, problems[0] if problems else ""))
        print("    replay: %s" % replay_command(args, seed))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
