"""Repository-wide rules that a gate must keep: nothing points at files outside the repository."""

import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Built from pieces so this file does not match itself.
DOC_NAME, DIR_NAME = "DES" + "IGN", "sha" + "red"
OUTSIDE = re.compile("|".join([DOC_NAME + r"\.md", r"\.\./" + DIR_NAME, r"\b" + DIR_NAME + "/spec"]))


def repository_files():
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode()
    return [path for path in listed.split("\0") if path and os.path.isfile(os.path.join(ROOT, path))]


def test_no_file_refers_to_a_design_document_outside_the_repository():
    found = []
    for path in repository_files():
        try:
            with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
                for number, line in enumerate(handle, 1):
                    if OUTSIDE.search(line):
                        found.append("%s:%d: %s" % (path, number, line.strip()))
        except UnicodeDecodeError:
            continue  # a binary file
    assert found == [], "say what these mean in place (or in docs/):\n" + "\n".join(found)


def makefile_targets():
    with open(os.path.join(ROOT, "Makefile")) as handle:
        text = handle.read()
    phony = set(re.search(r"^\.PHONY:(.*)$", text, re.M).group(1).split())
    rules = set(re.findall(r"^([a-z][a-z-]*):", text, re.M))
    return phony, rules


def test_every_make_target_declared_or_documented_exists():
    phony, rules = makefile_targets()
    assert phony - rules == set(), "declared .PHONY without a rule (a target that does nothing)"
    with open(os.path.join(ROOT, "README.md")) as handle:
        documented = set(re.findall(r"`make ([a-z-]+)`", handle.read()))
    assert documented and documented - rules == set(), "README documents make targets that do not exist"
