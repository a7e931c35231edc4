# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Keep the User-Agent's version equal to galaxy.yml's, the one source of the version.

Modules run on managed hosts where galaxy.yml is not available, so
``plugins/module_utils/_http.py`` carries a copy in ``COLLECTION_VERSION``.
``make version`` (this script) writes galaxy.yml's version there; ``--check``
(run by ``make test``) fails when the two differ.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONSTANT = re.compile(r'^COLLECTION_VERSION = "([^"]*)"$', re.M)


def galaxy_version(path):
    with open(path) as handle:
        found = re.search(r"^version:\s*['\"]?([^'\"\s#]+)", handle.read(), re.M)
    if not found:
        raise SystemExit("%s has no version" % path)
    return found.group(1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report a difference (exit 1)")
    parser.add_argument("--galaxy", default=os.path.join(ROOT, "galaxy.yml"), help="the version's source")
    parser.add_argument("--module", default=os.path.join(ROOT, "plugins", "module_utils", "_http.py"), help="the copy")
    args = parser.parse_args(argv)
    version = galaxy_version(args.galaxy)
    with open(args.module) as handle:
        text = handle.read()
    found = CONSTANT.search(text)
    if not found:
        sys.stderr.write("%s has no COLLECTION_VERSION line\n" % args.module)
        return 1
    if found.group(1) == version:
        return 0
    if args.check:
        sys.stderr.write("COLLECTION_VERSION is %s in %s but galaxy.yml says %s: run `make version`\n"
                         % (found.group(1), args.module, version))
        return 1
    with open(args.module, "w") as handle:
        handle.write(CONSTANT.sub('COLLECTION_VERSION = "%s"' % version, text, count=1))
    print("COLLECTION_VERSION set to %s" % version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
