"""The redisops.platform.memstore inventory plugin through real ``ansible-inventory --list``
against the emulator."""

import json

import pytest

from emulator.memstore_clusters import seed_cluster
from emulator.memstore_instance_sets import seed_instance_set
from inventory_runner import run_inventory


def memstore_env(emulator, secret=None):
    info = emulator.info()
    return {
        "KAKAOCLOUD_MEMSTORE_URL": emulator.memstore_url,
        "KAKAOCLOUD_IDENTITY_URL": emulator.identity_url,
        "KAKAOCLOUD_APPLICATION_CREDENTIAL_ID": info["application_credential_id"],
        "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET": secret or info["application_credential_secret"],
    }


def api_requests(emulator, since):
    return [(entry["method"], entry["path"]) for entry in emulator.log.entries(since)
            if not entry["path"].startswith(("/identity", "/_emulator"))]


@pytest.fixture
def project(emulator):
    """Two Running resources (a two-node set and a 2x2 cluster) and a Failed one-node set."""
    seed_instance_set(emulator, "prod-a", nodes=2)
    seed_instance_set(emulator, "staging-b", nodes=1, status="Failed")
    seed_cluster(emulator, "prod-c", shards=2, nodes_per_shard=2)
    return emulator


# --- memstore ---------------------------------------------------------------------------------------
def test_memstore_hosts_groups_and_constructed(ansible, project):
    config = {
        "plugin": "redisops.platform.memstore",
        "keyed_groups": [{"key": "memstore_version", "prefix": "redis"}],
        "compose": {"ansible_host": "memstore_endpoint"},
        "groups": {"cluster_nodes": "memstore_cluster_mode == 'enabled'"},
    }
    inventory = run_inventory(ansible, "prod.memstore.yml", config, env=memstore_env(project))
    assert inventory.rc == 0, inventory.output
    # The Failed set is left out by the default statuses filter.
    assert inventory.hosts("memstore") == ["prod-a-1", "prod-a-2", "prod-c-001-001", "prod-c-001-002",
                                           "prod-c-002-001", "prod-c-002-002"]
    assert inventory.hosts("memstore_prod_a") == ["prod-a-1", "prod-a-2"]
    assert inventory.hosts("memstore_primary") == ["prod-a-1", "prod-c-001-001", "prod-c-002-001"]
    assert inventory.hosts("memstore_replica") == ["prod-a-2", "prod-c-001-002", "prod-c-002-002"]
    assert inventory.hosts("memstore_prod_c_shard_002") == ["prod-c-002-001", "prod-c-002-002"]
    assert inventory.hosts("memstore_prod_c") == inventory.hosts("cluster_nodes")
    assert inventory.hosts("redis_7_2_7") == ["prod-a-1", "prod-a-2"]
    assert inventory.hosts("redis_7_2_6") == inventory.hosts("memstore_prod_c")

    primary = inventory.hostvars["prod-a-1"]
    instance = next(item for item in project.memstore.resources.values() if item["name"] == "prod-a")["_instances"][0]
    assert primary["memstore_endpoint"] == instance["endpoint"] == primary["ansible_host"]
    assert primary["memstore_id"] == instance["objectId"]
    assert (primary["memstore_port"], primary["memstore_role"], primary["memstore_node_status"],
            primary["memstore_cluster_mode"], primary["memstore_shard"]) == (6379, "primary", "Running", "disabled", None)
    node = inventory.hostvars["prod-c-002-002"]
    assert (node["memstore_name"], node["memstore_role"], node["memstore_shard"], node["memstore_cluster_mode"]) == \
        ("prod-c", "replica", "002", "enabled")
    assert "application_credential_secret" not in json.dumps(inventory.data)


def test_memstore_filters(ansible, project):
    env = memstore_env(project)
    staging = run_inventory(ansible, "staging.memstore.yml",
                            {"plugin": "redisops.platform.memstore", "names": ["staging-*"], "statuses": []}, env=env)
    assert staging.rc == 0, staging.output
    assert staging.hosts() == ["staging-b-1"]
    assert staging.hostvars["staging-b-1"]["memstore_status"] == "Failed"

    failed = run_inventory(ansible, "failed.memstore.yml",
                           {"plugin": "redisops.platform.memstore", "statuses": ["failed"]}, env=env)
    assert failed.hosts() == ["staging-b-1"]

    since = project.log.last_seq()
    sets_only = run_inventory(ansible, "sets.memstore.yml",
                              {"plugin": "redisops.platform.memstore", "cluster_modes": ["disabled"], "statuses": []}, env=env)
    assert sets_only.rc == 0, sets_only.output
    assert sets_only.hosts() == ["prod-a-1", "prod-a-2", "staging-b-1"]
    # Clusters are not read at all: no request for their shards.
    assert not [path for _method, path in api_requests(project, since) if "/shards" in path]


def test_memstore_cache(ansible, project, tmp_path):
    config = {"plugin": "redisops.platform.memstore", "cache": True, "cache_plugin": "ansible.builtin.jsonfile",
              "cache_connection": str(tmp_path / "cache"), "cache_timeout": 600}
    env = memstore_env(project)
    since = project.log.last_seq()
    first = run_inventory(ansible, "cached.memstore.yml", config, env=env)
    assert first.rc == 0, first.output
    assert api_requests(project, since)

    # A new set appears; the cached inventory does not ask the API and does not see it.
    seed_instance_set(project, "prod-d", nodes=1)
    since = project.log.last_seq()
    second = run_inventory(ansible, "cached.memstore.yml", config, env=env)
    assert second.rc == 0, second.output
    assert api_requests(project, since) == []
    assert second.hosts() == first.hosts()
    cached = list((tmp_path / "cache").iterdir())
    assert cached and project.info()["application_credential_secret"] not in cached[0].read_text()

    # Once the cache is gone (expired, or removed as here) the API is read again.
    for path in cached:
        path.unlink()
    third = run_inventory(ansible, "cached.memstore.yml", config, env=env)
    assert third.rc == 0, third.output
    assert "prod-d-1" in third.hosts()
    assert api_requests(project, since)


def test_memstore_bad_credentials(ansible, project):
    secret = "wrong-secret-0123456789"
    inventory = run_inventory(ansible, "bad.memstore.yml", {"plugin": "redisops.platform.memstore"},
                              env=memstore_env(project, secret=secret))
    assert inventory.rc != 0
    assert "redisops.platform.memstore inventory" in inventory.output
    assert "the application credential was rejected" in inventory.output
    assert secret not in inventory.output


def test_memstore_no_credentials(ansible, project):
    inventory = run_inventory(ansible, "none.memstore.yml",
                              {"plugin": "redisops.platform.memstore", "api_url": project.memstore_url})
    assert inventory.rc != 0
    assert ("one of auth_token, application_credential_id is required: set one in the inventory file, or the environment variable "
            "KAKAOCLOUD_AUTH_TOKEN or KAKAOCLOUD_APPLICATION_CREDENTIAL_ID") in inventory.output


def test_memstore_options_in_the_file_win_over_the_environment(ansible, project):
    info = project.info()
    config = {"plugin": "redisops.platform.memstore", "api_url": project.memstore_url, "identity_url": project.identity_url,
              "application_credential_id": info["application_credential_id"],
              "application_credential_secret": info["application_credential_secret"]}
    env = {"KAKAOCLOUD_MEMSTORE_URL": "http://127.0.0.1:9", "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET": "not-this-one"}
    inventory = run_inventory(ansible, "file.memstore.yml", config, env=env)
    assert inventory.rc == 0, inventory.output
    assert "prod-a-1" in inventory.hosts()
