"""extensions/eda/decision-environment.yml builds a context with ansible-builder as is, and that
context holds what the event sources need: ansible-rulebook, Java 17 and the collection."""

import subprocess
import sys
from pathlib import Path

from collection_link import ROOT

DEFINITION = Path(ROOT) / "extensions" / "eda" / "decision-environment.yml"


def test_decision_environment_context(tmp_path):
    context = tmp_path / "context"
    proc = subprocess.run([str(Path(sys.executable).parent / "ansible-builder"), "create", "-f", str(DEFINITION), "-c", str(context)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    build = context / "_build"
    assert "ansible-rulebook" in (build / "requirements.txt").read_text()
    assert "java-17-openjdk" in (build / "bindep.txt").read_text()
    assert "name: redisops.platform" in (build / "requirements.yml").read_text()
    containerfile = next(path for path in (context / "Containerfile", context / "Dockerfile") if path.exists()).read_text()
    for needed in ("COPY _build /build", "COPY _build/requirements.txt", "COPY _build/bindep.txt", "introspect"):
        assert needed in containerfile
