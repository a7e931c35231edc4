"""README.md's "First ten minutes" commands, run as written against the emulator (only its
addresses swapped for the test emulator's free ports): the ad-hoc lines work for a new user."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def first_minutes_block():
    text = (ROOT / "README.md").read_text()
    section = text.split("## First ten minutes", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_the_readme_names_the_emulators_defaults():
    block = first_minutes_block()
    assert "pip install -r requirements.txt -r tests/emulator/requirements.txt" in block
    assert "(cd tests && python -m emulator --state-dir /tmp/redisops-emulator) &" in block
    assert "ansible localhost -m redisops.platform.re_node_info" in block
    assert "ansible localhost -m redisops.platform.memstore_instance_set_info" in block
    shown = subprocess.run([sys.executable, "-m", "emulator", "--help"], cwd=str(ROOT / "tests"), capture_output=True, text=True,
                           check=True).stdout
    flat = " ".join(shown.split())
    assert "(default: 8480)" in flat and "(default: 9443)" in flat and "(default: 127.0.0.1)" in flat


def test_the_ad_hoc_commands_run(ansible, emulator):
    info = emulator.info()
    assert info["ca_path"] == os.path.join(info["state_dir"], "tls", "ca.pem")  # what --state-dir/tls/ca.pem means
    assert emulator.node_url(1).startswith("https://127.0.0.2:")
    lines = [line for line in first_minutes_block().splitlines() if not line.startswith(("pip ", "(cd tests"))]
    script = "set -e\n" + "\n".join(lines)
    script = (script.replace("http://127.0.0.1:8480", emulator.memstore_url)
              .replace("https://127.0.0.2:9443", emulator.node_url(1))
              .replace("/tmp/redisops-emulator/tls/ca.pem", info["ca_path"]))
    env = ansible.env({"PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
                       "JSON_RESULTS_FILE": str(ansible.workdir / "adhoc.json")})
    del env["ANSIBLE_PYTHON_INTERPRETER"]  # a user's shell has no such setting: the commands must work without it
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300, env=env, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert output.count("| SUCCESS =>") == 2, output
    assert '"uid": 3' in output  # the three nodes of the cluster the curl line made
    assert '"instance_sets": []' in output
