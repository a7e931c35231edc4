"""A node address reported by the server becomes a URL (the node's API, where roles send the
admin's credentials) only when it is a host: an IP address or a DNS name, nothing else."""

import pytest

from ansible_collections.redisops.platform.plugins.inventory import redis_enterprise
from ansible_collections.redisops.platform.plugins.module_utils._connection import is_host, node_url
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise import nodes


@pytest.mark.parametrize("address", ["10.0.0.12", "::1", "fe80::1", "node1.example.com", "node-1", "NODE1.Example.COM."])
def test_hosts(address):
    assert is_host(address)


@pytest.mark.parametrize("address", ["127.0.0.10/#", "evil.example@10.0.0.1", "10.0.0.1:9443", "node 1", "-node", "node-",
                                     "a..b", "", None, 12, "[::1]", "node1.example.com/x?y", "x" * 64, "n\x1b[2J"])
def test_not_hosts(address):
    assert not is_host(address)


@pytest.mark.parametrize("address", ["127.0.0.10/#", "evil@127.0.0.1", "127.0.0.1:1", "n\x1b[2J"])
def test_node_url_refuses_what_is_not_a_host(address):
    with pytest.raises(ValueError, match="is not an IP address or a DNS name"):
        node_url("https://node1:9443", address)


def test_the_message_shows_control_characters_escaped():
    with pytest.raises(ValueError) as caught:
        node_url("https://node1:9443", "n\x1b[2J")
    assert str(caught.value) == "n\\x1b[2J is not an IP address or a DNS name"


class _Reader:
    def __init__(self, client):
        self.client = client

    def nodes(self):
        return [dict(uid=1, addr="10.0.0.1", hostname="n1", role="master", rack_id=None, status="active", shard_count=1,
                     software_version="7", api_url="https://10.0.0.1:9443"),
                dict(uid=2, addr="127.0.0.10/#", hostname="n2", role="slave", rack_id=None, status="active", shard_count=1,
                     software_version="7", api_url=None)]


class _Client:
    @staticmethod
    def cluster_name():
        return "c.example.com"


def test_a_node_whose_address_is_not_a_host_is_skipped_with_a_warning(monkeypatch):
    warnings = []
    monkeypatch.setattr(redis_enterprise, "NodeReader", _Reader)
    monkeypatch.setattr(redis_enterprise.display, "warning", warnings.append)
    hosts = redis_enterprise.read_hosts(_Client())
    assert [(name, variables["re_url"]) for name, variables in hosts] == [("10.0.0.1", "https://10.0.0.1:9443")]
    assert warnings == ["redisops.platform.redis_enterprise inventory: node 2 skipped: its address 127.0.0.10/# is not an IP address "
                        "or a DNS name"]


@pytest.mark.parametrize("address", ["127.0.0.10/#", "evil@127.0.0.1", None, ""])
def test_a_node_api_url_is_none_unless_the_address_is_a_host(address):
    # re_node_info's api_url: the URL the maintenance role sends the admin's credentials to.
    assert nodes.node_api_url("https://node1:9443", address) is None
    assert nodes.node_api_url("https://node1:9443", "10.0.0.2") == "https://10.0.0.2:9443"
