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


def api_requests(emulator, since):
    return [(entry["method"], entry["path"]) for entry in emulator.log.entries(since) if not entry["path"].startswith("/_emulator")]


def test_redis_enterprise_credential_options_are_templated(ansible, cluster):
    info = cluster.info()
    config = {"plugin": "redisops.platform.redis_enterprise", "url": "{{ lookup('ansible.builtin.env', 'MY_RE_URL') }}",
              "ca_path": info["ca_path"], "username": info["re_admin"]["username"],
              "password": "{{ lookup('ansible.builtin.env', 'MYPW') }}"}
    env = {"MY_RE_URL": cluster.node_url(1), "MYPW": info["re_admin"]["password"]}
    inventory = run_inventory(ansible, "templated.redis_enterprise.yml", config, env=env)
    assert inventory.rc == 0, inventory.output
    assert len(inventory.hosts("redis_enterprise")) == 3
    assert "MYPW" not in str(inventory.data) and info["re_admin"]["password"] not in str(inventory.data)
    wrong = run_inventory(ansible, "templated.redis_enterprise.yml", config, env=dict(env, MYPW="not-the-password-77"))
    assert wrong.rc != 0 and "returned HTTP 401" in wrong.output and "not-the-password-77" not in wrong.output


def test_redis_enterprise_cache(ansible, cluster, tmp_path):
    info = cluster.info()
    config = {"plugin": "redisops.platform.redis_enterprise", "cache": True, "cache_plugin": "ansible.builtin.jsonfile",
              "cache_connection": str(tmp_path / "cache"), "cache_timeout": 600}
    since = cluster.log.last_seq()
    first = run_inventory(ansible, "cached.redis_enterprise.yml", config, env=re_env(cluster))
    assert first.rc == 0, first.output
    assert len(api_requests(cluster, since)) == 2 + 3  # the node list, each node's status, the cluster's name

    # From the cache: no request, the same hosts (a wrong password is never even sent).
    since = cluster.log.last_seq()
    second = run_inventory(ansible, "cached.redis_enterprise.yml", config, env=re_env(cluster, password="not-used-1234"))
    assert second.rc == 0, second.output
    assert api_requests(cluster, since) == []
    assert second.hosts() == first.hosts() and second.hostvars == first.hostvars
    cached = list((tmp_path / "cache").iterdir())
    assert cached
    for path in cached:
        text = path.read_text()
        assert info["re_admin"]["password"] not in text and info["re_admin"]["username"] not in text
        path.unlink()
    third = run_inventory(ansible, "cached.redis_enterprise.yml", config, env=re_env(cluster))
    assert third.rc == 0 and api_requests(cluster, since)


def test_redis_enterprise_misnamed_file_names_the_suffix(ansible, cluster):
    inventory = run_inventory(ansible, "re-inv.yml", {"plugin": "redisops.platform.redis_enterprise"}, env=re_env(cluster))
    assert inventory.rc != 0
    # (older ansible-core wraps warnings, breaking the file name at its hyphen)
    assert ("names the redisops.platform.redis_enterprise inventory plugin, but its name must end in "
            "redis_enterprise.yml or redis_enterprise.yaml (for example prod.redis_enterprise.yml)") in inventory.output


def test_redis_enterprise_one_host_per_cluster(ansible, cluster):
    inventory = run_inventory(ansible, "prod.redis_enterprise.yml", {"plugin": "redisops.platform.redis_enterprise"},
                              env=re_env(cluster))
    assert inventory.rc == 0, inventory.output
    addresses = [node["address"] for node in cluster.info()["re_nodes"]]
    assert inventory.hosts("redis_enterprise_clusters") == [addresses[0]]  # the master
    assert inventory.hosts("redis_enterprise_cluster_cluster_re_test") == sorted(addresses)
    assert {inventory.hostvars[address]["re_cluster"] for address in addresses} == {"cluster.re.test"}
