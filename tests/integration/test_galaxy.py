"""The collection as Galaxy users get it: the built tarball leaves generated files out,
carries the license, installs, and ``ansible-galaxy collection verify --offline`` passes."""

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# What a developer's or CI's tree holds besides the sources (make test, make docs, ansible-lint,
# antsibull-changelog, the oldest-core virtualenv).
GENERATED = [".venv/bin/python", ".venv-2.16/bin/python", ".cache/collections/x", ".ansible/x", ".pytest_cache/x",
             "tests/output/x", "build/pytest.xml", "build/docsite/index.html", "changelogs/.plugin-cache.yaml",
             "redisops-platform-0.9.0.tar.gz"]


def galaxy(*args, cwd=None, env=None):
    return subprocess.run([str(BIN / "ansible-galaxy")] + list(args), cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, **(env or {})), check=False)


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    """The tarball built from a copy of the tree (with generated files added to it)."""
    tree = tmp_path_factory.mktemp("tree")
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(str(ROOT / name), str(tree / name))
    for name in GENERATED:
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text("generated\n")
    out = tmp_path_factory.mktemp("dist")
    proc = galaxy("collection", "build", "--output-path", str(out), cwd=str(tree),
                  env={"ANSIBLE_HOME": str(tmp_path_factory.mktemp("home"))})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return next(out.glob("redisops-platform-*.tar.gz"))


def test_tarball_leaves_generated_files_out(tarball):
    with tarfile.open(str(tarball)) as archive:
        names = set(archive.getnames())
    top_dirs = set(g.split("/", 1)[0] + "/" for g in GENERATED if not g.startswith(("tests/", "changelogs/")))
    assert not [name for name in names if name in GENERATED or name.startswith(tuple(top_dirs))]
    assert not {"tests/output/x", "changelogs/.plugin-cache.yaml"} & names
    assert {"LICENSE", "README.md", "meta/runtime.yml", "meta/execution-environment.yml", "requirements.txt", "bindep.txt",
            "plugins/inventory/memstore.py", "extensions/audit/event_query.yml", "changelogs/changelog.yaml"} <= names


def test_license_is_the_gpl_v3_text(tarball):
    with tarfile.open(str(tarball)) as archive:
        text = archive.extractfile("LICENSE").read().decode()
        manifest = json.loads(archive.extractfile("MANIFEST.json").read())
    assert text.lstrip().startswith("GNU GENERAL PUBLIC LICENSE") and "Version 3, 29 June 2007" in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text.splitlines()) > 600
    info = manifest["collection_info"]
    assert info["license"] == ["GPL-3.0-or-later"]
    galaxy_yml = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    assert info["version"] == galaxy_yml["version"]
    for key in ("repository", "documentation", "homepage", "issues"):
        assert "example" not in str(info.get(key) or ""), key


def test_installs_and_verifies_offline(tarball, tmp_path):
    collections = tmp_path / "collections"
    env = {"ANSIBLE_HOME": str(tmp_path / "home"), "ANSIBLE_COLLECTIONS_PATH": str(collections)}
    proc = galaxy("collection", "install", "--offline", "-p", str(collections), str(tarball), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = collections / "ansible_collections" / "redisops" / "platform"
    assert (installed / "plugins" / "inventory" / "redis_enterprise.py").is_file()

    proc = galaxy("collection", "verify", "--offline", "-p", str(collections), "redisops.platform", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Successfully verified that checksums for 'redisops.platform" in proc.stdout

    # verify notices a changed file.
    with open(str(installed / "plugins" / "inventory" / "memstore.py"), "a") as handle:
        handle.write("# changed\n")
    proc = galaxy("collection", "verify", "--offline", "-p", str(collections), "redisops.platform", env=env)
    assert proc.returncode != 0
    assert "plugins/inventory/memstore.py" in proc.stdout + proc.stderr


# What a user of the collection gets; anything else in the tarball is a developer's file.
SHIPPED = ("plugins/", "roles/", "playbooks/", "meta/", "docs/", "changelogs/", "extensions/", "tests/emulator/",
           "tests/integration/targets/", "tests/config.yml", "README.md", "LICENSE", "CHANGELOG.rst", "requirements.txt",
           "bindep.txt", "MANIFEST.json", "FILES.json")


def test_tarball_ships_only_the_collection(tarball):
    with tarfile.open(str(tarball)) as archive:
        files = [member.name for member in archive.getmembers() if member.isfile()]
    assert sorted(name for name in files if not name.startswith(SHIPPED)) == []
    assert not [name for name in files if name.startswith(("tests/bench/", "tests/tools/", "tests/unit/", "docs/images/"))
                or name in ("Makefile", ".ansible-lint", ".gitignore", "tests/conftest.py") or name.endswith(".pyc")]
    # What users run: the emulator with its own requirements, the roles' targets, the docs.
    assert {"tests/emulator/__main__.py", "tests/emulator/requirements.txt", "docs/user-guide.md", "docs/awx.md",
            "tests/integration/targets/setup_emulator/tasks/main.yml", "playbooks/demo.yml", "CHANGELOG.rst"} <= set(files)
    # A guard against shipping something large by mistake (a build, a plot, a virtualenv), not a budget:
    # the collection's own files are about 440 KiB compressed at 1.2.0.
    assert os.path.getsize(str(tarball)) < 600 * 1024
