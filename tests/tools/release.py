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

``--check`` (a ``make test`` gate) does all of that in a temporary copy of the collection and
leaves the tree alone: the fragments lint and a release would succeed.
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

from collection_link import ROOT
from sync_version import galaxy_version

BIN = os.path.dirname(sys.executable)
SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")
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
    """The release in a temporary copy: the tree is left as it is. Right after a release there
    are no fragments yet: then the changelog itself is linted."""
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
    version = args.version or next_minor(galaxy_version(os.path.join(ROOT, "galaxy.yml")))
    if not SEMVER.match(version):
        parser.error("VERSION must be semantic, like 1.1.0 (got %r)" % version)
    if args.check:
        check(version)
        return 0
    if not args.version:
        parser.error("give the version: make release VERSION=1.1.0")
    consumed = release(ROOT, version)
    print("Released %s from %d fragments. Review `git diff`, commit galaxy.yml, plugins/module_utils/_http.py, "
          "changelogs/ and CHANGELOG.rst, then `make build`." % (version, len(consumed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
