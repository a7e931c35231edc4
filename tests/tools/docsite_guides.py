# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The guides of docs/*.md as the collection's extra docs (docs/docsite/extra-docs.yml and
docs/docsite/rst/*.rst, the antsibull-docs convention), so the docsite shows them.

The Markdown pages are the one source: this writes the RST from them (``python
tests/tools/docsite_guides.py``), and ``--check`` (run by ``make docs`` and a unit test) fails when
the committed RST is not what the Markdown gives. Every page of docs/ is a guide except the
developer pages (DEVELOPER_PAGES). A link to another guide becomes a ``:ref:``, a link to a file of
the collection its path, a link elsewhere an external link.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import os
import posixpath
import re
import sys
import unicodedata

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from collection_link import ROOT

DOCS = os.path.join(ROOT, "docs")
DOCSITE = os.path.join(DOCS, "docsite")
# Pages about the source repository, not about using the collection: not in the docsite.
DEVELOPER_PAGES = ("development.md", "benchmark.md", "architecture.md")
# The docsite's order; guides not named here follow, by name.
ORDER = ("user-guide.md", "awx.md", "fleet.md", "eda.md", "token-reuse.md")
LABEL_PREFIX = "ansible_collections.redisops.platform.docsite."
LANGUAGES = {"sh": "shell", "yaml": "yaml", "yml": "yaml", "json": "json", "python": "python", "": "text"}
HEADINGS = {2: "-", 3: "~", 4: "^", 5: '"'}
BEFORE_MARKUP = " \n-:/'\"<([{"
AFTER_MARKUP = " \n-.,:;!?\\/'\")]}>"


def guides():
    """The Markdown guides of docs/, in the docsite's order."""
    names = sorted(name for name in os.listdir(DOCS) if name.endswith(".md") and name not in DEVELOPER_PAGES)
    return [name for name in ORDER if name in names] + [name for name in names if name not in ORDER]


def rst_name(page):
    return os.path.splitext(page)[0].replace("-", "_")


def slug(title):
    """The anchor GitHub (and tests/unit/test_docs_links.py) gives a Markdown heading."""
    return re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


def width(text):
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def escape(text):
    text = text.replace("\\", "\\\\")
    for char in "*`|":
        text = text.replace(char, "\\" + char)
    return re.sub(r"(\w)_(?=\W|$)", r"\1\\_", text)


class Page:
    """One guide rendered to RST."""

    def __init__(self, page, pages):
        self.page = page
        self.pages = pages
        self.label = LABEL_PREFIX + rst_name(page)
        self.labels = set()

    # --- inline ---------------------------------------------------------------
    def plain(self, node):
        """The text of an inline node, markup dropped (RST cannot nest markup)."""
        if node.type in ("text", "code_inline", "html_inline"):
            return node.content
        if node.type in ("softbreak", "hardbreak"):
            return " "
        return "".join(self.plain(child) for child in node.children)

    def link(self, node):
        href = node.attrs.get("href", "")
        text = self.plain(node)
        if re.match(r"^[a-z]+:", href):
            return "`%s <%s>`__" % (escape(text), href)
        path, _hash, anchor = href.partition("#")
        target = posixpath.normpath(posixpath.join("docs", path)) if path else "docs/" + self.page
        if target.startswith("docs/") and target[len("docs/"):] in self.pages:
            label = LABEL_PREFIX + rst_name(target[len("docs/"):]) + ("." + anchor if anchor else "")
            return ":ref:`%s <%s>`" % (escape(text).replace("<", "\\<"), label)
        shown = target + ("/" if path.endswith("/") else "")
        if text.strip("`").rstrip("/") in (shown.rstrip("/"), path.rstrip("/"), posixpath.basename(shown.rstrip("/"))):
            return "``%s``" % shown
        return "%s (``%s``)" % (escape(text), shown)

    def inline(self, node, indent):
        pieces = []  # (is_markup, text)
        for child in node.children:
            if child.type == "text":
                pieces.append((False, escape(child.content)))
            elif child.type == "html_inline":
                pieces.append((False, escape(child.content)))
            elif child.type in ("softbreak", "hardbreak"):
                pieces.append((False, "\n" + indent))
            elif child.type == "code_inline":
                pieces.append((True, "``%s``" % child.content))
            elif child.type == "strong":
                pieces.append((True, "**%s**" % escape(self.plain(child))))
            elif child.type == "em":
                pieces.append((True, "*%s*" % escape(self.plain(child))))
            elif child.type == "link":
                pieces.append((True, self.link(child)))
            else:
                raise ValueError("%s: unsupported inline %s" % (self.page, child.type))
        out = ""
        for index, (markup, text) in enumerate(pieces):
            if markup and out and out[-1] not in BEFORE_MARKUP:
                out += "\\ "
            out += text
            following = pieces[index + 1][1] if index + 1 < len(pieces) else ""
            if markup and following and following[0] not in AFTER_MARKUP:
                out += "\\ "
        return out

    # --- blocks ---------------------------------------------------------------
    def heading(self, node):
        level = int(node.tag[1])
        title = self.inline(node.children[0], "")
        anchor = slug(self.plain(node.children[0]))
        if level == 1:
            rule = "=" * width(title)
            return [".. _%s:" % self.label, "", rule, title, rule]
        lines = []
        label = "%s.%s" % (self.label, anchor)
        if label not in self.labels:
            self.labels.add(label)
            lines += [".. _%s:" % label, ""]
        return lines + [title, HEADINGS[level] * width(title)]

    def table(self, node):
        lines = [".. list-table::", "   :header-rows: 1", ""]
        for section in node.children:
            for row in section.children:
                for number, cell in enumerate(row.children):
                    text = self.inline(cell.children[0], "") if cell.children else ""
                    lines.append(("   * - " if number == 0 else "     - ") + text)
        return lines

    def fence(self, node):
        language = LANGUAGES[node.info.strip().split(" ")[0]]
        body = node.content.rstrip("\n").split("\n")
        return [".. code-block:: %s" % language, ""] + [("   " + line) if line else "" for line in body]

    def items(self, node):
        lines = []
        start = int(node.attrs.get("start", 1)) if node.type == "ordered_list" else None
        for number, item in enumerate(node.children):
            marker = "%d. " % (start + number) if start is not None else "- "
            body = self.blocks(item.children)
            lines.append(marker + body[0] if body else marker.rstrip())
            lines += [(" " * len(marker) + line) if line else "" for line in body[1:]]
        return lines

    def block(self, node):
        if node.type == "heading":
            return self.heading(node)
        if node.type == "paragraph":
            return self.inline(node.children[0], "").split("\n")
        if node.type in ("bullet_list", "ordered_list"):
            return self.items(node)
        if node.type in ("fence", "code_block"):
            return self.fence(node)
        if node.type == "table":
            return self.table(node)
        raise ValueError("%s: unsupported block %s" % (self.page, node.type))

    def blocks(self, nodes):
        lines = []
        for node in nodes:
            if lines:
                lines.append("")
            lines += self.block(node)
        return lines

    def render(self, text):
        tree = SyntaxTreeNode(MarkdownIt("commonmark").enable("table").parse(text))
        header = [".. Generated from docs/%s: edit the Markdown page, then regenerate this file (docs/development.md)." % self.page, ""]
        return "\n".join(header + self.blocks(tree.children)) + "\n"


def extra_docs(pages):
    lines = ["---", "# Generated with the RST of docs/docsite/rst/ from the guides in docs/ (docs/development.md).",
             "sections:", "  - title: Guides", "    toctree:"]
    return "\n".join(lines + ["      - " + rst_name(page) for page in pages]) + "\n"


def expected():
    """``{path under docs/docsite: text}`` of every generated file."""
    pages = guides()
    files = {"extra-docs.yml": extra_docs(pages)}
    for page in pages:
        with open(os.path.join(DOCS, page), encoding="utf-8") as handle:
            files[os.path.join("rst", rst_name(page) + ".rst")] = Page(page, pages).render(handle.read())
    return files


def stale():
    """The generated files that differ from what the guides give, or that no guide gives any more."""
    files = expected()
    found = [name for name, text in files.items() if not os.path.exists(os.path.join(DOCSITE, name))
             or open(os.path.join(DOCSITE, name), encoding="utf-8").read() != text]
    rst = os.path.join(DOCSITE, "rst")
    if os.path.isdir(rst):
        found += [os.path.join("rst", name) for name in os.listdir(rst) if os.path.join("rst", name) not in files]
    return sorted(found)


def write():
    files = expected()
    rst = os.path.join(DOCSITE, "rst")
    os.makedirs(rst, exist_ok=True)
    for name in os.listdir(rst):
        if os.path.join("rst", name) not in files:
            os.remove(os.path.join(rst, name))
    for name, text in files.items():
        with open(os.path.join(DOCSITE, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    return sorted(files)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail when docs/docsite is not what the guides give")
    args = parser.parse_args(argv)
    if args.check:
        found = stale()
        if found:
            print("docs/docsite is out of date with docs/*.md (%s): run python tests/tools/docsite_guides.py" % ", ".join(found))
            return 1
        print("docs/docsite matches the guides of docs/")
        return 0
    for name in write():
        print("wrote docs/docsite/%s" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
