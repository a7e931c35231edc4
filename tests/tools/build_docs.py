# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make docs``: the HTML docsite of every module, plugin and role, built with antsibull-docs
and Sphinx into build/docsite/ (open build/docsite/index.html).

The guides of docs/ are the collection's extra docs (docs/docsite/, generated from the Markdown by
tests/tools/docsite_guides.py): the build fails when those are out of date.
``antsibull-docs lint-collection-docs`` checks the documentation first; then
``antsibull-docs sphinx-init`` writes the Sphinx project, ``antsibull-docs collection`` the
RST pages, and ``sphinx-build -W`` turns them into HTML: any warning fails the build.

The build is offline: the links into Ansible's own documentation (ansible.builtin plugins,
configuration settings and their environment variables, common return values) resolve with an
inventory written here from the installed ansible-core instead of one downloaded from
docs.ansible.com; they still point there.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib

import docsite_guides
from collection_link import ROOT, link_collection

BIN = os.path.dirname(sys.executable)
COLLECTION = "redisops.platform"


def run(command, work, cwd=None):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=link_collection(), PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
               ANSIBLE_HOME=os.path.join(work, "ansible-home"), ANSIBLE_LOCAL_TEMP=os.path.join(work, "ansible-tmp"))
    print("+ " + " ".join(command), flush=True)
    proc = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    sys.stdout.write(proc.stdout)
    if proc.returncode != 0:
        raise SystemExit("%s failed (exit %d)" % (command[0], proc.returncode))
    return proc.stdout


ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
# Labels of Ansible's documentation that collection docs link to (antsibull-docs' templates).
ANSIBLE_LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html", "Return Values"),
    "ansible_configuration_settings": ("reference_appendices/config.html", "Ansible Configuration Settings"),
    "playbooks_vault": ("vault_guide/index.html", "Protecting sensitive data with Ansible vault"),
    "check_mode_dry": ("playbook_guide/playbooks_checkmode.html", "Validating tasks: check mode and diff mode"),
    "module_defaults": ("playbook_guide/playbooks_module_defaults.html", "Module defaults"),
}


def ansible_inventory(path):
    """A Sphinx inventory (objects.inv) of the parts of Ansible's documentation we link to."""
    import ansible
    from ansible.config.manager import ConfigManager

    entries = []
    for label, (uri, title) in sorted(ANSIBLE_LABELS.items()):
        entries.append("%s std:label -1 %s %s" % (label, uri, title))
    core = os.path.dirname(ansible.__file__)
    plugins = [("module", name) for name in glob.glob(os.path.join(core, "modules", "*.py"))]
    for kind in ("action", "become", "cache", "callback", "cliconf", "connection", "filter", "httpapi", "inventory",
                 "lookup", "netconf", "shell", "strategy", "terminal", "test", "vars"):
        plugins += [(kind, name) for name in glob.glob(os.path.join(core, "plugins", kind, "*.py"))
                    + glob.glob(os.path.join(core, "plugins", kind, "*.yml"))]
    for kind, name in sorted(set(plugins)):
        plugin = os.path.splitext(os.path.basename(name))[0]
        if plugin.startswith("_"):
            continue
        label = "ansible_collections.ansible.builtin.%s_%s" % (plugin, kind)
        entries.append("%s std:label -1 collections/ansible/builtin/%s_%s.html %s" % (label, plugin, kind, label))
    variables = set()
    for definition in ConfigManager().get_configuration_definitions().values():
        variables.update(item["name"] for item in definition.get("env") or [] if item.get("name"))
    for name in sorted(variables):
        entries.append("%s std:envvar 1 reference_appendices/config.html#envvar-%s -" % (name, name))
    header = "# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n# The remainder of this file is compressed using zlib.\n"
    with open(path, "wb") as handle:
        handle.write(header.encode() + zlib.compress(("\n".join(entries) + "\n").encode()))


def offline_conf(path, inventory):
    """conf.py whose intersphinx reads the local inventory of Ansible's docs, and nothing else."""
    with open(path) as handle:
        text = handle.read()
    mapping = "intersphinx_mapping = {\n    'ansible_devel': (%r, (%r,)),\n}\n" % (ANSIBLE_DOCS, inventory)
    text, count = re.subn(r"\nintersphinx_mapping = \{.*?\n\}\n", "\n" + mapping, text, flags=re.S)
    if count != 1:
        raise SystemExit("conf.py from sphinx-init has no intersphinx_mapping to replace")
    with open(path, "w") as handle:
        handle.write(text)


def build(dest):
    antsibull_docs = os.path.join(BIN, "antsibull-docs")
    scratch = tempfile.mkdtemp(prefix="redisops-docsite-")
    work = os.path.join(scratch, "site")
    try:
        os.mkdir(work, 0o700)
        if docsite_guides.main(["--check"]) != 0:
            raise SystemExit("the docsite's guides are out of date")
        run([antsibull_docs, "lint-collection-docs", "--plugin-docs", "--skip-rstcheck", ROOT], scratch)
        run([antsibull_docs, "sphinx-init", "--use-current", "--dest-dir", work, COLLECTION], scratch)
        inventory = os.path.join(work, "ansible_devel.inv")
        ansible_inventory(inventory)
        offline_conf(os.path.join(work, "conf.py"), inventory)
        rst = os.path.join(work, "rst")
        os.chmod(rst, 0o700)  # antsibull-docs writes only to a directory no one else can write to
        run([antsibull_docs, "--config-file", os.path.join(work, "antsibull-docs.cfg"), "collection", "--use-current",
             "--cleanup", "everything", "--dest-dir", rst, COLLECTION], scratch)
        output = run([os.path.join(BIN, "sphinx-build"), "-b", "html", "-W", "--keep-going", "-q", "-c", work, rst,
                      os.path.join(work, "html")], scratch)
        if "WARNING" in output:
            raise SystemExit("sphinx-build warned")
        guides = os.path.join(work, "html", "collections", "redisops", "platform", "docsite")
        missing = [page for page in docsite_guides.guides()
                   if not os.path.exists(os.path.join(guides, docsite_guides.rst_name(page) + ".html"))]
        if missing:
            raise SystemExit("the docsite lacks the guides %s" % ", ".join(missing))
        if os.path.exists(dest):
            shutil.rmtree(dest)
        shutil.copytree(os.path.join(work, "html"), dest)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dest", default=os.path.join(ROOT, "build", "docsite"), help="where the HTML goes")
    args = parser.parse_args(argv)
    build(args.dest)
    pages = sorted(name for name in os.listdir(os.path.join(args.dest, "collections", "redisops", "platform"))
                   if name.endswith(".html"))
    print("docsite: %s/index.html (%d pages of redisops.platform)" % (args.dest, len(pages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
