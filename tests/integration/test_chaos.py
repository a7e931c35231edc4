"""Every workflow under the emulator's chaos mode (20% of the API requests faulted at random: 503,
429, connection dropped before or after the request is applied, slow answers), through real
ansible-playbook: the end state is the one asked for, with no duplicate, no stacked action, no
failed task and no write on the re-run. ``make chaos`` runs the same round for many seeds."""

import pytest

from chaos_workflows import ChaosRound

# Seeds a round runs with, each kept because it found a bug, which stays fixed:
# 29 - the bootstrap's create_cluster POST had its connection closed before the node took it; the read
#      showed the node idle and the task failed ("not sent again"): such a write is now sent again.
SEEDS = [29]


@pytest.mark.parametrize("seed", SEEDS)
def test_every_workflow_ends_as_asked_under_chaos(emulator, tmp_path, seed):
    result = ChaosRound(emulator, tmp_path, seed).run()
    assert result.passed, "seed %d (replay: make chaos ARGS='--first-seed %d --seeds 1'):\n%s\n\n%s" % (
        seed, seed, "\n".join(result.problems), result.outputs.get(result.stage, "")[-4000:])
    assert result.counts and sum(result.counts.values()) > 0
