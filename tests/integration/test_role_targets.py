"""The roles' YAML integration targets (tests/integration/targets/<role>/), each run with
real ansible-playbook against this session's emulator: the setup_emulator target finds it
through REDISOPS_EMULATOR_INFO. The targets hold the assertions; this only runs them."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

TARGETS = Path(__file__).resolve().parent / "targets"
ROLE_TARGETS = sorted(path.name for path in TARGETS.iterdir()
                      if path.is_dir() and not path.name.startswith("setup_") and (path / "tasks" / "main.yml").exists())


@pytest.mark.parametrize("target", ROLE_TARGETS)
def test_target(ansible, emulator, tmp_path, target):
    info_file = tmp_path / "emulator.json"
    info_file.write_text(json.dumps(emulator.info()))
    playbook = tmp_path / ("%s.yml" % target)
    playbook.write_text(json.dumps([{"name": "Integration target %s" % target, "hosts": "localhost",
                                     "gather_facts": False, "roles": [target]}]))
    env = ansible.env({"REDISOPS_EMULATOR_INFO": str(info_file), "ANSIBLE_ROLES_PATH": str(TARGETS)})
    env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                           str(playbook)], capture_output=True, text=True, timeout=900, env=env, check=False)
    assert proc.returncode == 0, proc.stdout[-20000:] + proc.stderr[-5000:]
    assert "failed=0" in proc.stdout.splitlines()[-2] or "failed=0" in proc.stdout, proc.stdout[-5000:]
