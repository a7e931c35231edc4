"""docs/user-guide.md's troubleshooting table quotes messages the collection really sends:
each quoted piece (placeholders such as N, HOST or ``...`` aside) is in the plugins' source,
or in what the connection options' checks say."""

import ast
import os
import re

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._connection import (
    MEMSTORE_CONNECTION,
    REDIS_ENTERPRISE_CONNECTION,
    resolve,
)

from ansible_collections.redisops.platform.plugins.inventory import memstore, redis_enterprise
from ansible_collections.redisops.platform.plugins.plugin_utils._inventory import inventory_error

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLACEHOLDER = re.compile(r"\.\.\.|\b(?:N|M|X|HOST|PATH|CODE)\b|\b\d+\b")
FORMAT = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdrfi]")
SEPARATORS = re.compile(r": |; |, ")


def source_strings():
    """Every string literal of plugins/, format specifiers made a mark no message contains."""
    found = []
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "plugins")):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(folder, name)) as handle:
                    tree = ast.parse(handle.read())
                found += [FORMAT.sub("\0", node.value) for node in ast.walk(tree)
                          if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    for connection in (MEMSTORE_CONNECTION, REDIS_ENTERPRISE_CONNECTION):
        try:
            resolve(connection, {})
        except ValueError as error:
            found.append(str(error))
        found.extend(connection.missing({}, connection.module_where()))  # what a module task says
    for plugin in (memstore.InventoryModule, redis_enterprise.InventoryModule):
        found.append(inventory_error(plugin.NAME, ValueError("\0")))  # how an inventory plugin starts its errors
    return "\n".join(found)


def quoted_messages():
    with open(os.path.join(ROOT, "docs", "user-guide.md")) as handle:
        text = handle.read()
    table = text.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `") or line.startswith("| inventory")]
    return [quote for row in rows for quote in re.findall(r"`([^`]+)`", row.split("|")[1])]


CORPUS = source_strings()
QUOTES = quoted_messages()


def test_the_table_quotes_messages():
    assert len(QUOTES) > 20


@pytest.mark.parametrize("quote", QUOTES)
def test_quoted_message_is_sent_by_the_collection(quote):
    pieces = [piece.strip(" ()`,.") for part in PLACEHOLDER.split(quote) for piece in SEPARATORS.split(part)]
    missing = [piece for piece in pieces if len(piece) >= 6 and piece not in CORPUS]
    assert missing == [], "docs/user-guide.md quotes %r, but the collection never says %r" % (quote, missing)
