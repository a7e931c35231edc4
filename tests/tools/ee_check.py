# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make ee-check``: the execution environment definitions build with ansible-builder as is.

- meta/requirements.txt and meta/bindep.txt are the root files (ansible-builder reads the
  root ones when the collection is part of an EE, the meta/ ones when meta/execution-environment.yml
  is built as is);
- ``ansible-builder create`` of meta/execution-environment.yml writes a context whose Python
  requirements hold ``requests`` and whose bindep file holds the collection's system packages;
- the introspection script of that context, run on this collection installed, finds the same
  dependencies (what a build of an EE that includes the collection does);
- ``ansible-builder create`` of docs/awx/execution-environment.yml (the one docs/awx.md shows)
  installs the collections of its requirements.yml.

Exits non-zero with one line per problem.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys
import tempfile

from collection_link import ROOT, link_collection

BIN = os.path.dirname(sys.executable)


def lines(path):
    with open(path) as handle:
        return [line.strip() for line in handle if line.strip() and not line.strip().startswith("#")]


def create(definition, context):
    proc = subprocess.run([os.path.join(BIN, "ansible-builder"), "create", "-f", definition, "-c", context],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return ["ansible-builder create -f %s failed:\n%s%s" % (os.path.relpath(definition, ROOT), proc.stdout, proc.stderr)]
    return []


def requirement_names(requirements):
    return sorted(line.split(";")[0].split("[")[0].split("=")[0].split(">")[0].split("<")[0].split("~")[0].strip().lower()
                  for line in requirements)


def check():
    problems = []
    for name in ("requirements.txt", "bindep.txt"):
        if lines(os.path.join(ROOT, name)) != lines(os.path.join(ROOT, "meta", name)):
            problems.append("meta/%s differs from %s: keep them identical" % (name, name))
    pip_expected = lines(os.path.join(ROOT, "requirements.txt"))
    bindep_expected = lines(os.path.join(ROOT, "bindep.txt"))
    if "requests" not in requirement_names(pip_expected):
        problems.append("requirements.txt does not require requests")

    with tempfile.TemporaryDirectory(prefix="ee-check-") as tmp:
        context = os.path.join(tmp, "meta")
        problems += create(os.path.join(ROOT, "meta", "execution-environment.yml"), context)
        if not problems:
            build = os.path.join(context, "_build")
            if requirement_names(lines(os.path.join(build, "requirements.txt"))) != requirement_names(pip_expected):
                problems.append("the context's requirements.txt is not the collection's: %s" % lines(os.path.join(build, "requirements.txt")))
            if lines(os.path.join(build, "bindep.txt")) != bindep_expected:
                problems.append("the context's bindep.txt is not the collection's: %s" % lines(os.path.join(build, "bindep.txt")))
            containerfile = [name for name in ("Containerfile", "Dockerfile") if os.path.exists(os.path.join(context, name))]
            text = open(os.path.join(context, containerfile[0])).read() if containerfile else ""
            for needed in ("COPY _build/requirements.txt", "COPY _build/bindep.txt", "introspect"):
                if needed not in text:
                    problems.append("the context's Containerfile lacks %r" % needed)

            # What a build does for an EE that includes the collection: introspect the installed collection.
            pip_out, bindep_out = os.path.join(tmp, "pip.txt"), os.path.join(tmp, "bindep.txt")
            proc = subprocess.run([sys.executable, os.path.join(build, "scripts", "introspect.py"), "introspect",
                                   "--write-pip", pip_out, "--write-bindep", bindep_out, link_collection()],
                                  capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                problems.append("introspection of the installed collection failed:\n%s%s" % (proc.stdout, proc.stderr))
            else:
                found = lines(pip_out)
                if not any(line.startswith("requests") and "redisops.platform" in line for line in found):
                    problems.append("introspection found no requests requirement of redisops.platform: %s" % found)
                found = lines(bindep_out)
                for line in bindep_expected:
                    if not any(item.startswith(line.split("[")[0].strip()) and "redisops.platform" in item for item in found):
                        problems.append("introspection lacks the system package %r: %s" % (line, found))

        docs_context = os.path.join(tmp, "docs")
        created = create(os.path.join(ROOT, "docs", "awx", "execution-environment.yml"), docs_context)
        problems += created
        if not created:
            build = os.path.join(docs_context, "_build")
            if "redisops.platform" not in open(os.path.join(build, "requirements.yml")).read():
                problems.append("docs/awx/execution-environment.yml does not install redisops.platform")
    return problems


def main():
    problems = check()
    for problem in problems:
        print("ee-check: %s" % problem)
    if problems:
        return 1
    print("ee-check: meta/execution-environment.yml and docs/awx/execution-environment.yml build contexts are complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
