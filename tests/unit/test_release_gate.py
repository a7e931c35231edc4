"""One version means one content: the gate of ``release.py --check`` fails when a documented
``version_added`` is above galaxy.yml's version, or when galaxy.yml's version is already released
while fragments wait for the next release."""

import os
import shutil

import pytest

import release

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def collection(tmp_path):
    """A minimal collection: galaxy.yml 1.2.0, 1.1.0 released, one fragment, one module documented 1.2.0."""
    (tmp_path / "changelogs" / "fragments").mkdir(parents=True)
    (tmp_path / "plugins" / "modules").mkdir(parents=True)
    (tmp_path / "galaxy.yml").write_text("namespace: redisops\nname: platform\nversion: 1.2.0\n")
    (tmp_path / "changelogs" / "changelog.yaml").write_text("ancestor: null\nreleases:\n  1.1.0:\n    changes: {}\n")
    (tmp_path / "changelogs" / "fragments" / "1-new.yml").write_text("minor_changes:\n  - x - new option.\n")
    (tmp_path / "plugins" / "modules" / "x.py").write_text(
        'DOCUMENTATION = r"""\nversion_added: 1.1.0\noptions:\n  new:\n    version_added: "1.2.0"\n"""\n')
    return tmp_path


def set_version(root, version):
    (root / "galaxy.yml").write_text("namespace: redisops\nname: platform\nversion: %s\n" % version)


def test_next_version_with_its_options_and_fragments_passes(collection):
    assert release.version_errors(str(collection)) == []


def test_version_added_above_galaxy_version_fails(collection):
    set_version(collection, "1.1.0")
    (collection / "changelogs" / "changelog.yaml").write_text("ancestor: null\nreleases: {}\n")
    errors = release.version_errors(str(collection))
    assert len(errors) == 1
    assert "plugins/modules/x.py: version_added 1.2.0 is above galaxy.yml's version 1.1.0" in errors[0]


def test_versions_compare_as_numbers(collection):
    set_version(collection, "1.10.0")
    assert release.version_errors(str(collection)) == []
    set_version(collection, "1.9.0")
    assert "version_added 1.2.0" not in " ".join(release.version_errors(str(collection)))
    (collection / "plugins" / "modules" / "x.py").write_text('DOCUMENTATION = """\nversion_added: 1.10.0\n"""\n')
    assert "version_added 1.10.0 is above" in release.version_errors(str(collection))[0]


def test_released_version_with_unreleased_fragments_fails(collection):
    (collection / "changelogs" / "changelog.yaml").write_text(
        "ancestor: null\nreleases:\n  1.1.0:\n    changes: {}\n  1.2.0:\n    changes: {}\n")
    errors = release.version_errors(str(collection))
    assert len(errors) == 1 and "1.2.0 is already released" in errors[0] and "1-new.yml" in errors[0]
    for name in os.listdir(str(collection / "changelogs" / "fragments")):
        os.remove(str(collection / "changelogs" / "fragments" / name))
    assert release.version_errors(str(collection)) == []  # right after the release


def test_version_below_the_last_release_fails(collection):
    set_version(collection, "1.0.0")
    shutil.rmtree(str(collection / "plugins"))
    assert release.version_errors(str(collection)) == ["galaxy.yml's version 1.0.0 is below the last release 1.1.0"]


def test_roles_argument_specs_count(collection):
    (collection / "roles" / "r" / "meta").mkdir(parents=True)
    (collection / "roles" / "r" / "meta" / "argument_specs.yml").write_text("argument_specs:\n  main:\n    version_added: '2.0.0'\n")
    assert "roles/r/meta/argument_specs.yml: version_added 2.0.0" in release.version_errors(str(collection))[0]


def test_the_collection_passes_the_gate():
    assert release.version_errors(ROOT) == []
    added = release.version_added(ROOT)
    assert ("plugins/doc_fragments/memstore.py", "1.2.0") in added  # token_cache: the gate reads doc fragments too
