"""The sanity gate of tests/tools/run-tests.sh, run with a stand-in ansible-test: a test
skipped for a missing program fails the gate, and ansible-test gets a private HOME."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

STAND_IN = """#!/bin/sh
# ansible-test stand-in: report HOME and what is in it, then print the given output.
echo "HOME=$HOME"
ls "$HOME/.ansible/test/cache"
cat "$HOME/.config/pip/pip.conf" 2>/dev/null
printf '%s\\n' "$FAKE_OUTPUT"
exit "${FAKE_STATUS:-0}"
"""


def run_sanity(tmp_path, output, status=0, pip_conf=None):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ansible-test").write_text(STAND_IN)
    (bin_dir / "ansible-test").chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    home = tmp_path / "home"
    home.mkdir()
    if pip_conf:
        (home / ".config" / "pip").mkdir(parents=True)
        (home / ".config" / "pip" / "pip.conf").write_text(pip_conf)
    work = tmp_path / "tmp"
    work.mkdir()
    script = ('source <(sed -n "/^collection_copy()/,/^}/p;/^sanity()/,/^}/p" tests/tools/run-tests.sh); sanity')
    env = dict(os.environ, PATH="%s:%s" % (bin_dir, os.environ["PATH"]), HOME=str(home), TMPDIR=str(work),
               FAKE_OUTPUT=output, FAKE_STATUS=str(status))
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return done, home, work


@pytest.mark.parametrize("warning", [
    'WARNING: Required program "shellcheck" not found.',
    'WARNING: Skipping sanity test "pylint" on Python 3.11 due to missing virtual environment support.',
])
def test_a_skipped_sanity_test_fails_the_gate(tmp_path, warning):
    done, _home, _work = run_sanity(tmp_path, 'Running sanity test "shellcheck"\n' + warning)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "every sanity test must run" in done.stdout


def test_sanity_without_shellcheck_running_fails_the_gate(tmp_path):
    done, _home, _work = run_sanity(tmp_path, 'Running sanity test "pep8"')
    assert done.returncode == 1 and "did not run shellcheck" in done.stdout


def test_ansible_test_runs_with_a_private_home_that_is_removed(tmp_path):
    pip_conf = "[global]\nextra-index-url = file:///opt/wheels-of-this-user\n"
    done, home, work = run_sanity(tmp_path, 'Running sanity test "shellcheck"', pip_conf=pip_conf)
    assert done.returncode == 0, done.stdout + done.stderr
    private = done.stdout.split("HOME=", 1)[1].split("\n", 1)[0]
    assert private != str(home) and private.startswith(str(work))
    assert "get_pip_" in done.stdout  # the pip bootstrap stand-in is in the private home
    assert "file:///opt/wheels-of-this-user" in done.stdout  # with the user's pip configuration
    assert os.listdir(str(home)) == [".config"]  # nothing written to the user's home
    assert os.listdir(str(work)) == []  # the private home and the collection copy are removed


def test_a_failing_ansible_test_fails_the_gate(tmp_path):
    done, _home, _work = run_sanity(tmp_path, 'Running sanity test "shellcheck"', status=2)
    assert done.returncode == 2
