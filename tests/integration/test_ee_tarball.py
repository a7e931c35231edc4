"""docs/awx.md's tarball route for the execution environment: ``ansible-builder create`` of
docs/awx/execution-environment-tarball.yml, with the collection's tarball next to it, writes a
context that copies the tarball into the image before the galaxy stage installs it from
requirements-tarball.yml; and the collection declares both Python libraries the docs name."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
AWX = ROOT / "docs" / "awx"


def test_the_tarball_route_builds_a_complete_context(tmp_path):
    out = tmp_path / "dist"
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=300, check=False,
                          env=dict(os.environ, ANSIBLE_HOME=str(tmp_path / "home")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tarball = next(out.glob("redisops-platform-*.tar.gz"))
    # What docs/awx.md says to do: the EE files, and the tarball under its version-free name.
    work = tmp_path / "awx"
    work.mkdir()
    for name in ("execution-environment-tarball.yml", "requirements-tarball.yml"):
        shutil.copy2(str(AWX / name), str(work / name))
    shutil.copy2(str(tarball), str(work / "redisops-platform.tar.gz"))
    context = tmp_path / "context"
    proc = subprocess.run([str(BIN / "ansible-builder"), "create", "-f", "execution-environment-tarball.yml", "-c", str(context)],
                          cwd=str(work), capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    copied = context / "_build" / "collections" / "redisops-platform.tar.gz"
    assert copied.read_bytes() == tarball.read_bytes()
    containerfile = next(path for path in (context / "Containerfile", context / "Dockerfile") if path.exists()).read_text()
    copy_step = containerfile.index("COPY _build/collections/ /tmp/redisops-collections/")
    assert copy_step < containerfile.index("ansible-galaxy collection install")
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert requirements["collections"] == [{"name": "/tmp/redisops-collections/redisops-platform.tar.gz", "type": "file"}]


def test_the_collection_declares_requests_and_cryptography():
    names = [line.split(">")[0].split("=")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert names == ["requests", "cryptography"]
    text = (ROOT / "docs" / "awx.md").read_text()
    assert "`requests`" in text and "`cryptography`" in text
