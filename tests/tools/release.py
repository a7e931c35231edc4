# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make release VERSION=x.y.z``: cut a release.

1. galaxy.yml's ``version`` becomes VERSION and ``make version`` copies it to the User-Agent;
2. ``antsibull-changelog release --version VERSION`` turns the fragments in
   changelogs/fragments/ into the release's entry in changelogs/changelog.yaml (with the
   modules and plugins new in it), writes CHANGELOG.rst and removes the fragments;
3. the result is checked: the changelog lints and CHANGELOG.rst names the version.

Nothing is committed: review ``git diff``, commit, then ``make build``.

Between releases galaxy.yml carries the *next* version, the one new options document in
``version_added``: one version means one content. ``--check`` (a ``make test`` gate) first
checks that (:func:`version_errors`: no ``version_added`` above galaxy.yml's version, no
fragments while galaxy.yml's version is already released), then does the release in a
temporary copy of the collection and leaves the tree alone: the fragments lint and a release
would succeed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

from collection_link import ROOT
from sync_version import galaxy_version

BIN = os.path.dirname(sys.executable)
SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")
VERSION_ADDED = re.compile(r"""^\s*version_added:\s*['"]?([0-9][^'"\s#]*)""", re.M)
# Where version_added is written: the plugins' DOCUMENTATION and the roles' argument specs.
DOCUMENTED = ("plugins", "roles")
COPIED = ("galaxy.yml", "changelogs", "plugins", "meta", "roles", "playbooks", "README.md")


def run(command, cwd):
    # antsibull-changelog runs ansible-doc: the one of this virtualenv, with its files in a
    # temporary ANSIBLE_HOME (never ~/.ansible).
    home = tempfile.mkdtemp(prefix="release-ansible-home-")
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""), ANSIBLE_HOME=home,
               ANSIBLE_LOCAL_TEMP=os.path.join(home, "tmp"))
    try:
        proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if proc.returncode != 0:
        raise SystemExit("%s failed:\n%s%s" % (" ".join(command), proc.stdout, proc.stderr))
    return proc.stdout


def fragments(root):
    folder = os.path.join(root, "changelogs", "fragments")
    return sorted(name for name in os.listdir(folder) if name.endswith((".yml", ".yaml"))) if os.path.isdir(folder) else []


def version_key(version):
    """``1.10.0`` sorts after ``1.9.0``; a pre-release (``1.2.0-rc1``) sorts as its release."""
    return tuple(int(part) for part in re.match(r"\d+(?:\.\d+)*", version).group(0).split("."))


def version_added(root):
    """``[(path relative to root, version)]`` of every ``version_added`` in the collection."""
    found = []
    for top in DOCUMENTED:
        for folder, _dirs, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if name.endswith((".py", ".yml", ".yaml")):
                    path = os.path.join(folder, name)
                    with open(path, encoding="utf-8") as handle:
                        found.extend((os.path.relpath(path, root), match) for match in VERSION_ADDED.findall(handle.read()))
    return found


def released(root):
    """The versions changelogs/changelog.yaml records as released."""
    with open(os.path.join(root, "changelogs", "changelog.yaml")) as handle:
        return sorted((str(name) for name in (yaml.safe_load(handle) or {}).get("releases") or {}), key=version_key)


def version_errors(root):
    """What makes two different builds carry the same version (empty when none does)."""
    version = galaxy_version(os.path.join(root, "galaxy.yml"))
    errors = ["%s: version_added %s is above galaxy.yml's version %s (set galaxy.yml to the next release's version)"
              % (path, added, version) for path, added in version_added(root) if version_key(added) > version_key(version)]
    done = released(root)
    if version in done and fragments(root):
        errors.append("galaxy.yml's version %s is already released, yet changelogs/fragments/ holds %s: set galaxy.yml "
                      "to the next version (and version_added of new options to it)" % (version, ", ".join(fragments(root))))
    elif done and version_key(version) < version_key(done[-1]):
        errors.append("galaxy.yml's version %s is below the last release %s" % (version, done[-1]))
    return errors


def release(root, version):
    """Release ``version`` in the collection at ``root``; returns the fragments consumed."""
    consumed = fragments(root)
    if not consumed:
        raise SystemExit("changelogs/fragments/ is empty: nothing to release")
    run([os.path.join(BIN, "antsibull-changelog"), "lint"], root)
    galaxy = os.path.join(root, "galaxy.yml")
    with open(galaxy) as handle:
        text = handle.read()
    with open(galaxy, "w") as handle:
        handle.write(re.sub(r"^version:.*$", "version: %s" % version, text, count=1, flags=re.M))
    run([sys.executable, os.path.join(ROOT, "tests", "tools", "sync_version.py"), "--galaxy", galaxy,
         "--module", os.path.join(root, "plugins", "module_utils", "_http.py")], root)
    run([os.path.join(BIN, "antsibull-changelog"), "release", "--version", version], root)
    run([os.path.join(BIN, "antsibull-changelog"), "lint-changelog-yaml", os.path.join("changelogs", "changelog.yaml")], root)
    with open(os.path.join(root, "CHANGELOG.rst")) as handle:
        changelog = handle.read()
    if "v%s" % version not in changelog:
        raise SystemExit("CHANGELOG.rst does not name v%s" % version)
    if fragments(root):
        raise SystemExit("fragments left after the release: %s" % fragments(root))
    return consumed


def check(version):
    """The version gate, then the release in a temporary copy: the tree is left as it is. Right
    after a release there are no fragments yet: then the changelog itself is linted."""
    errors = version_errors(ROOT)
    if errors:
        raise SystemExit("release check: one version, one content:\n  " + "\n  ".join(errors))
    if not fragments(ROOT):
        run([os.path.join(BIN, "antsibull-changelog"), "lint"], ROOT)
        run([os.path.join(BIN, "antsibull-changelog"), "lint-changelog-yaml", os.path.join("changelogs", "changelog.yaml")], ROOT)
        print("release check: no fragments since the last release; changelogs/ lints")
        return
    with tempfile.TemporaryDirectory(prefix="release-check-") as tmp:
        root = os.path.join(tmp, "ansible_collections", "redisops", "platform")
        os.makedirs(root)
        for name in COPIED:
            source = os.path.join(ROOT, name)
            if os.path.isdir(source):
                shutil.copytree(source, os.path.join(root, name), ignore=shutil.ignore_patterns("__pycache__", ".plugin-cache.yaml"))
            elif os.path.exists(source):
                shutil.copy2(source, os.path.join(root, name))
        consumed = release(root, version)
    print("release check: %s would consume %d fragments (%s); changelog and CHANGELOG.rst build"
          % (version, len(consumed), ", ".join(consumed)))


def next_minor(version):
    major, minor = version.split(".")[:2]
    return "%s.%d.0" % (major, int(minor) + 1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("version", nargs="?", help="the version to release, e.g. 1.1.0")
    parser.add_argument("--check", action="store_true", help="release in a temporary copy; change nothing")
    args = parser.parse_args(argv)
    current = galaxy_version(os.path.join(ROOT, "galaxy.yml"))
    # galaxy.yml names the coming release, unless it is the one just cut.
    version = args.version or (next_minor(current) if current in released(ROOT) else current)
    if not SEMVER.match(version):
        parser.error("VERSION must be semantic, like 1.1.0 (got %r)" % version)
    if args.check:
        check(version)
        return 0
    if not args.version:
        parser.error("give the version: make release VERSION=1.1.0")
    consumed = release(ROOT, version)
    print("Released %s from %d fragments. Review `git diff`, commit galaxy.yml, plugins/module_utils/_http.py, "
          "changelogs/ and CHANGELOG.rst, then `make build`; after that, set galaxy.yml to the next version "
          "(`make version`) before the next change adds a fragment." % (version, len(consumed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
