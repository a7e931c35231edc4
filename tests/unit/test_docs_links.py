"""Every relative link of README.md and docs/*.md names a file or folder of the repository."""

import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PAGES = ["README.md"] + sorted(os.path.join("docs", name) for name in os.listdir(os.path.join(ROOT, "docs")) if name.endswith(".md"))
LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("page", PAGES)
def test_relative_links_resolve(page):
    with open(os.path.join(ROOT, page)) as handle:
        text = handle.read()
    anchors = set(re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-") for title in re.findall(r"^#+ (.+)$", text, re.M))
    broken = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue  # an absolute URL
        path, _hash, anchor = target.partition("#")
        if not path:
            if anchor not in anchors:
                broken.append(target)
        elif not os.path.exists(os.path.normpath(os.path.join(ROOT, os.path.dirname(page), path))):
            broken.append(target)
    assert broken == [], "%s links to what does not exist: %s" % (page, broken)
