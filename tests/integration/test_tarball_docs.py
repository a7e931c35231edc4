"""The docs as an installed collection holds them: built with ``ansible-galaxy collection build``
(galaxy.yml's build_ignore applied), every relative link of every page in the tarball resolves
inside the tarball; the user's pages never send the reader to a repository file the tarball leaves
out (tests, tools, the Makefile, the benchmark's plot), only docs/development.md and
docs/benchmark.md describe the source repository; MANIFEST.json's documentation and issues name
pages the collection ships; and the README keeps development material to a link."""

import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from collection_link import ROOT

BIN = Path(sys.executable).parent
LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\s]+)`")
DEVELOPER_PAGES = {"docs/development.md", "docs/benchmark.md"}


def anchors(text):
    return set(re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-") for title in re.findall(r"^#+ (.+)$", text, re.M))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """``{path: text}`` of every file of the built tarball (binary files as None)."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out), ROOT],
                          capture_output=True, text=True, timeout=300, check=False,
                          env=dict(os.environ, ANSIBLE_HOME=str(tmp_path_factory.mktemp("home"))))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = {}
    with tarfile.open(str(next(out.glob("redisops-platform-*.tar.gz")))) as archive:
        for member in archive.getmembers():
            if member.isfile():
                data = archive.extractfile(member).read()
                try:
                    files[member.name] = data.decode("utf-8")
                except UnicodeDecodeError:
                    files[member.name] = None
            elif member.isdir():
                files[member.name.rstrip("/") + "/"] = None
    return files


def pages(files):
    return sorted(name for name in files if name.endswith((".md", ".rst")) and (name == "README.md" or name.startswith("docs/")))


def exists(files, path):
    path = os.path.normpath(path)
    return path in files or (path + "/") in files or any(name.startswith(path + "/") for name in files)


def test_every_relative_link_resolves_inside_the_tarball(shipped):
    assert "docs/user-guide.md" in pages(shipped) and "docs/fleet.md" in pages(shipped)
    broken = []
    for page in pages(shipped):
        for target in LINK.findall(shipped[page]):
            if re.match(r"^[a-z]+:", target):
                continue
            path, _hash, anchor = target.partition("#")
            if not path:
                if anchor and anchor not in anchors(shipped[page]):
                    broken.append((page, target))
                continue
            resolved = os.path.normpath(os.path.join(os.path.dirname(page), path))
            if not exists(shipped, resolved):
                broken.append((page, target))
            elif anchor and resolved.endswith(".md") and anchor not in anchors(shipped[resolved]):
                broken.append((page, target))
    assert broken == []


def repository_files():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode()
    return set(filter(None, listed.split("\0")))


def test_user_pages_name_no_file_the_tarball_leaves_out(shipped):
    repository = repository_files()
    left_out = []
    for page in pages(shipped):
        if page in DEVELOPER_PAGES:
            continue
        for token in CODE.findall(shipped[page]) + LINK.findall(shipped[page]):
            path = token.split("#")[0].rstrip("/")
            if "/" not in path and path not in ("Makefile",):
                continue
            in_repository = path in repository or any(name.startswith(path + "/") for name in repository)
            if in_repository and not exists(shipped, path):
                left_out.append((page, token))
    assert left_out == []


def test_manifest_documentation_and_issues_name_shipped_pages(shipped):
    info = json.loads(shipped["MANIFEST.json"])["collection_info"]
    for key in ("documentation", "issues"):
        path, _hash, anchor = info[key].partition("#")
        assert path in shipped, (key, info[key])
        assert not anchor or anchor in anchors(shipped[path]), (key, info[key])


def test_the_readme_leaves_development_to_its_page(shipped):
    readme = shipped["README.md"]
    titles = re.findall(r"^## (.+)$", readme, re.M)
    assert titles[:3] == ["Installation", "First ten minutes: ad-hoc commands against the emulator", "Use cases"]
    assert "[docs/development.md](docs/development.md)" in readme
    for developer_only in ("make bench", "make ee-check", "make oldest-core", "offline_get_pip", "tests/bench"):
        assert developer_only not in readme, developer_only
    development = [title for title in titles if "make" in title.lower() or "benchmark" in title.lower()]
    assert development == []
