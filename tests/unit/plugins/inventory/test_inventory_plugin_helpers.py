"""What the inventory plugins decide without a server: node URLs, host and group names, the
name and status filters, and the sentence an API error becomes."""

import pytest

from ansible_collections.redisops.platform.plugins.inventory import memstore
from ansible_collections.redisops.platform.plugins.module_utils._connection import node_url
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError
from ansible_collections.redisops.platform.plugins.plugin_utils._inventory import host_name, inventory_error, names_plugin, safe_group


@pytest.mark.parametrize("url, address, expected", [
    ("https://node1.example.com:9443", "10.0.0.2", "https://10.0.0.2:9443"),
    ("https://node1.example.com:9443/", "10.0.0.2", "https://10.0.0.2:9443"),
    ("https://node1.example.com", "10.0.0.2", "https://10.0.0.2"),
    ("https://[fd00::1]:9443", "fd00::2", "https://[fd00::2]:9443"),
])
def test_node_url_keeps_scheme_and_port(url, address, expected):
    assert node_url(url, address) == expected


def test_names():
    assert safe_group("memstore_prod-cache.v2") == "memstore_prod_cache_v2"
    assert host_name(None, "", "10.0.0.1", "id-1") == "10.0.0.1"
    assert host_name(None, None) is None


@pytest.mark.parametrize("names, statuses, wanted", [
    ([], [], True),
    (["prod-*"], [], True),
    (["staging-*"], [], False),
    (["prod-cache"], ["running"], True),
    ([], ["failed"], False),
    ([], ["scalinghorizontal"], False),
])
def test_memstore_filters(names, statuses, wanted):
    variables = {"memstore_name": "prod-cache", "memstore_status": "Running"}
    assert memstore._wanted(variables, names, statuses) is wanted  # pylint: disable=protected-access


def test_api_errors_say_what_to_check():
    error = ApiError("GET", "/v1/nodes", status=401, code="unauthorized", message="Authentication failed")
    text = inventory_error("redisops.platform.redis_enterprise", error)
    assert text.startswith("redisops.platform.redis_enterprise inventory: GET /v1/nodes returned HTTP 401")
    assert "check the credentials" in text
    # A message that already says what to check gets no second hint.
    error = ApiError("POST", "/auth/tokens", status=401, message="the application credential was rejected: check application_credential_id")
    assert inventory_error("redisops.platform.memstore", error).count("check") == 1
    assert inventory_error("x", ValueError("url is required")) == "x inventory: url is required"


@pytest.mark.parametrize("text, named", [
    ("plugin: redisops.platform.memstore\n", True),
    ("---\n# prod\nplugin: 'redisops.platform.memstore'  # MemStore\nnames: []\n", True),
    ('{"plugin": "redisops.platform.memstore", "names": []}', True),
    ("plugin: redisops.platform.memstore_other\n", False),
    ("plugin: amazon.aws.aws_ec2\n# redisops.platform.memstore\n", False),
    ("all:\n  hosts:\n    plugin:\n", False),
])
def test_names_plugin(tmp_path, text, named):
    path = tmp_path / "inv.yml"
    path.write_text(text)
    assert names_plugin(str(path), "redisops.platform.memstore") is named
    assert names_plugin(str(tmp_path / "missing.yml"), "redisops.platform.memstore") is False
