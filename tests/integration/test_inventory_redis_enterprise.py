"""The redisops.platform.redis_enterprise inventory plugin through real
``ansible-inventory --list`` against the emulator."""

import pytest

from inventory_runner import run_inventory


def re_env(emulator, password=None):
    info = emulator.info()
    return {
        "REDIS_ENTERPRISE_URL": emulator.node_url(1),
        "REDIS_ENTERPRISE_CA_PATH": info["ca_path"],
        "REDIS_ENTERPRISE_USERNAME": info["re_admin"]["username"],
        "REDIS_ENTERPRISE_PASSWORD": password or info["re_admin"]["password"],
    }


@pytest.fixture
def cluster(emulator):
    emulator.seed_re_cluster()
    for index, rack in ((1, "rack-a"), (2, "rack-a"), (3, "rack-b")):
        emulator.node(index).rack_id = rack
    return emulator


def test_redis_enterprise_hosts_groups_and_keyed_group(ansible, cluster):
    config = {"plugin": "redisops.platform.redis_enterprise",
              "keyed_groups": [{"key": "re_status", "prefix": "status"}],
              "groups": {"maintenance_last": "re_role == 'master'"}}
    inventory = run_inventory(ansible, "prod.redis_enterprise.yml", config, env=re_env(cluster))
    assert inventory.rc == 0, inventory.output
    addresses = [node["address"] for node in cluster.info()["re_nodes"]]
    assert inventory.hosts("redis_enterprise") == sorted(addresses)
    assert inventory.hosts("redis_enterprise_master") == [addresses[0]] == inventory.hosts("maintenance_last")
    assert inventory.hosts("redis_enterprise_slave") == sorted(addresses[1:])
    assert inventory.hosts("redis_enterprise_rack_rack_a") == sorted(addresses[:2])
    assert inventory.hosts("redis_enterprise_rack_rack_b") == [addresses[2]]
    assert inventory.hosts("status_active") == sorted(addresses)
    node = inventory.hostvars[addresses[1]]
    assert (node["re_uid"], node["re_role"], node["re_rack_id"], node["ansible_host"]) == (2, "slave", "rack-a", addresses[1])
    assert node["re_url"] == cluster.node_url(2)


def test_redis_enterprise_options_in_the_file(ansible, cluster):
    info = cluster.info()
    config = {"plugin": "redisops.platform.redis_enterprise", "url": cluster.node_url(2), "ca_path": info["ca_path"],
              "username": info["re_viewer"]["username"], "password": info["re_viewer"]["password"]}
    inventory = run_inventory(ansible, "viewer.redis_enterprise.yml", config)
    assert inventory.rc == 0, inventory.output
    assert len(inventory.hosts("redis_enterprise")) == 3


def test_redis_enterprise_bad_password(ansible, cluster):
    password = "not-the-password-42"
    inventory = run_inventory(ansible, "bad.redis_enterprise.yml", {"plugin": "redisops.platform.redis_enterprise"},
                              env=re_env(cluster, password=password))
    assert inventory.rc != 0
    assert "redisops.platform.redis_enterprise inventory: GET /v1/nodes returned HTTP 401" in inventory.output
    assert "check the credentials" in inventory.output
    assert password not in inventory.output


def test_redis_enterprise_needs_a_url(ansible, cluster):
    inventory = run_inventory(ansible, "nourl.redis_enterprise.yml", {"plugin": "redisops.platform.redis_enterprise"})
    assert inventory.rc != 0
    assert "url is required: set it in the inventory file, or the environment variable REDIS_ENTERPRISE_URL" in inventory.output
