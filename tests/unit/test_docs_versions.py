"""The versions the docs name have one source each: the collection's own version (galaxy.yml) for
tarball names and image tags, the release that brought the event sources for the minimum the
decision and execution environments accept, and the pinned ansible-core versions (what the tests
really run) for the "tested with" lines; and every install line installs requirements.txt."""

import re
from pathlib import Path

import yaml

from collection_link import ROOT

ROOT_PATH = Path(ROOT)
GALAXY_VERSION = yaml.safe_load((ROOT_PATH / "galaxy.yml").read_text())["version"]
DOCS = [ROOT_PATH / "README.md"] + sorted((ROOT_PATH / "docs").rglob("*.md")) + sorted((ROOT_PATH / "docs").rglob("*.yml")) \
    + sorted((ROOT_PATH / "extensions" / "eda").glob("*.yml")) + sorted((ROOT_PATH / "docs").rglob("*.rst"))
NAMED = re.compile(r"redisops-platform-(\d+\.\d+\.\d+)\.tar\.gz|redisops-(?:ee|de):(\d+\.\d+\.\d+)")
MINIMUM_OF = ("extensions/eda/requirements.yml", "docs/awx/requirements.yml")


def version_key(version):
    return tuple(int(part) for part in version.split("."))


def first_release_with_event_sources():
    """The first release whose changelog mentions the event sources, else the next one (galaxy.yml's)."""
    changelog = yaml.safe_load((ROOT_PATH / "changelogs" / "changelog.yaml").read_text())
    for version in sorted(changelog["releases"], key=version_key):
        if "re_events" in yaml.safe_dump(changelog["releases"][version]):
            return version
    assert list((ROOT_PATH / "changelogs" / "fragments").glob("*eda-event-sources*")), "no release and no fragment names them"
    return GALAXY_VERSION


def test_tarball_names_and_image_tags_are_the_collections_version():
    named = []
    for path in DOCS:
        for match in NAMED.finditer(path.read_text()):
            named.append((str(path.relative_to(ROOT_PATH)), match.group(0), match.group(1) or match.group(2)))
    assert named, "the docs name no tarball or image"
    assert [entry for entry in named if entry[2] != GALAXY_VERSION] == []
    assert "docs/eda.md" in [entry[0] for entry in named]


def test_environments_accept_the_first_release_with_event_sources():
    first = first_release_with_event_sources()
    assert version_key(first) <= version_key(GALAXY_VERSION)
    for name in MINIMUM_OF:
        collections = yaml.safe_load((ROOT_PATH / name).read_text())["collections"]
        ours = [entry for entry in collections if entry["name"] == "redisops.platform"]
        assert [entry["version"] for entry in ours] == [">=" + first], name


def pinned_core(requirements):
    found = re.search(r"^ansible-core==(\d+\.\d+)\.\d+", (ROOT_PATH / "tests" / requirements).read_text(), re.M)
    return found.group(1)


def test_tested_versions_are_the_pinned_ones():
    newest, oldest = pinned_core("requirements.txt"), pinned_core("requirements-oldest-core.txt")
    claimed = re.search(r"requires_ansible:\s*['\"]>=(\d+\.\d+)", (ROOT_PATH / "meta" / "runtime.yml").read_text()).group(1)
    assert claimed == oldest
    for page in ("README.md", "docs/user-guide.md"):
        text = " ".join((ROOT_PATH / page).read_text().split())
        assert "ansible-core %s or later" % oldest in text, page
        tested = re.findall(r"[Tt]ested with ansible-core (\d+\.\d+) \(([^)]*)\) and (\d+\.\d+)", text)
        assert [(found[0], found[2]) for found in tested] == [(newest, oldest)], page


def test_install_lines_install_requirements_txt():
    for path in DOCS:
        text = path.read_text()
        assert not re.search(r"pip install (?!-r)[^\n]*\brequests\b", text.replace("ansible-rulebook requests", "")), path
    for page in ("README.md", "docs/user-guide.md"):
        assert re.search(r"pip install -r \S*requirements\.txt", (ROOT_PATH / page).read_text()), page
