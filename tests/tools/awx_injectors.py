# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's AWX/AAP credential types (docs/awx/credential_types/) and what their
injectors produce, rendered the way AWX/AAP renders them: each injector is a Jinja2
template in a sandbox, over the credential's inputs, where an input left empty is
undefined (an empty string once rendered) except booleans, which are false; each
``file`` injector is written to its own file, whose path is ``tower.filename.<name>``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from pathlib import Path

import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from collection_link import ROOT

CREDENTIAL_TYPES = Path(ROOT) / "docs" / "awx" / "credential_types"


def credential_types():
    """``{file stem: credential type}`` of every credential type the collection ships."""
    return {path.stem: yaml.safe_load(path.read_text()) for path in sorted(CREDENTIAL_TYPES.glob("*.yml"))}


def render(credential_type, inputs, private_dir):
    """The environment a job gets from a credential of ``credential_type`` with ``inputs``."""
    unknown = set(inputs) - set(field["id"] for field in credential_type["inputs"]["fields"])
    if unknown:
        raise ValueError("not inputs of %s: %s" % (credential_type["name"], sorted(unknown)))
    missing = [name for name in credential_type["inputs"].get("required", []) if not inputs.get(name)]
    if missing:
        raise ValueError("%s needs %s" % (credential_type["name"], missing))
    namespace = {}
    for field in credential_type["inputs"]["fields"]:
        if field["id"] in inputs:
            namespace[field["id"]] = inputs[field["id"]]
        elif field.get("type") == "boolean":
            namespace[field["id"]] = False
    sandbox = ImmutableSandboxedEnvironment()
    injectors = credential_type.get("injectors") or {}
    filenames = {}
    for key, template in (injectors.get("file") or {}).items():
        name = key.split(".", 1)[1] if "." in key else None
        path = Path(private_dir) / ("cred_%s" % (name or "file"))
        path.write_text(sandbox.from_string(template).render(**namespace))
        os.chmod(str(path), 0o600)
        if name:
            filenames[name] = str(path)
        else:
            filenames = str(path)
    namespace["tower"] = {"filename": filenames}
    return {name: sandbox.from_string(template).render(**namespace) for name, template in (injectors.get("env") or {}).items()}
