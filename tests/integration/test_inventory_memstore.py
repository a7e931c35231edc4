"""The redisops.platform.memstore inventory plugin through real ``ansible-inventory --list``
against the emulator."""

import json
import threading
import time

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


# --- templated options, concurrency ---------------------------------------------------------------
def test_memstore_credential_options_are_templated(ansible, project):
    info = project.info()
    config = {"plugin": "redisops.platform.memstore", "api_url": "{{ lookup('ansible.builtin.env', 'MY_MEMSTORE_URL') }}",
              "identity_url": project.identity_url, "application_credential_id": info["application_credential_id"],
              "application_credential_secret": "{{ lookup('ansible.builtin.env', 'MY_SECRET') }}"}
    env = {"MY_MEMSTORE_URL": project.memstore_url, "MY_SECRET": info["application_credential_secret"]}
    inventory = run_inventory(ansible, "templated.memstore.yml", config, env=env)
    assert inventory.rc == 0, inventory.output
    assert "prod-a-1" in inventory.hosts()
    # Sent as written, the template would be rejected (as it was before options were templated).
    wrong = run_inventory(ansible, "templated.memstore.yml", config, env=dict(env, MY_SECRET="not-the-secret-1234"))
    assert wrong.rc != 0 and "the application credential was rejected" in wrong.output
    assert "not-the-secret-1234" not in wrong.output


def _member_reads(emulator, since):
    return [entry for entry in emulator.log.entries(since) if entry["path"].endswith("/instances")]


@pytest.mark.parametrize("concurrency", [1, 4])
def test_memstore_members_are_read_concurrently_with_one_token(ansible, emulator, concurrency):
    for index in range(8):
        seed_instance_set(emulator, "fleet-%d" % index, nodes=1)
    # Every member read takes 0.4 s: read one after another, no two start within 0.3 s of each other.
    emulator.faults.add_http(server="memstore", method="GET", path="/v1/instance-sets/*/instances", delay=0.4, times=-1)
    since = emulator.log.last_seq()
    config = {"plugin": "redisops.platform.memstore", "concurrency": concurrency, "cluster_modes": ["disabled"]}
    inventory = run_inventory(ansible, "fleet.memstore.yml", config, env=memstore_env(emulator))
    assert inventory.rc == 0, inventory.output
    assert inventory.hosts() == ["fleet-%d-1" % index for index in range(8)]
    reads = _member_reads(emulator, since)
    assert len(reads) == 8 and all(entry["token"] for entry in reads)
    starts = sorted(entry["time"] for entry in reads)
    close = sum(1 for first, second in zip(starts, starts[1:]) if second - first < 0.3)
    if concurrency == 1:
        assert close == 0, starts
    else:
        assert close >= 4, starts  # at least two rounds of overlapping reads
    # One token for the whole inventory, whatever the concurrency; one list, one read per set.
    tokens = [entry for entry in emulator.log.entries(since) if entry["path"].endswith("/auth/tokens")]
    assert len(tokens) == 1
    assert [entry["path"] for entry in emulator.log.entries(since) if entry["path"] == "/v1/clusters"] == ["/v1/clusters"]


@pytest.mark.parametrize("concurrency", [0, 11])
def test_memstore_concurrency_out_of_range_fails_before_any_request(ansible, project, concurrency):
    since = project.log.last_seq()
    inventory = run_inventory(ansible, "bad.memstore.yml", {"plugin": "redisops.platform.memstore", "concurrency": concurrency},
                              env=memstore_env(project))
    assert inventory.rc != 0
    assert "redisops.platform.memstore inventory: concurrency must be between 1 and 10 (got %d)" % concurrency in inventory.output
    assert project.log.entries(since) == []


def test_memstore_misnamed_file_names_the_suffix(ansible, project):
    inventory = run_inventory(ansible, "memstore-inv.yml", {"plugin": "redisops.platform.memstore"}, env=memstore_env(project))
    assert inventory.rc != 0
    assert "could not be verified" in inventory.output
    assert "names the redisops.platform.memstore inventory plugin, but its name must end in memstore.yml or memstore.yaml" \
        in inventory.output


def test_memstore_threads_meeting_an_expired_token_reissue_it_once(ansible, emulator):
    for index in range(8):
        seed_instance_set(emulator, "expiring-%d" % index, nodes=1)
    # Slow member reads: the eight threads' reads are all in flight when the token expires under them.
    emulator.faults.add_http(server="memstore", method="GET", path="/v1/instance-sets/*/instances", delay=0.5, times=8)
    since = emulator.log.last_seq()
    stop = threading.Event()

    def expire_at_the_first_member_read():
        while not stop.is_set():
            if _member_reads(emulator, since):
                with emulator.lock:
                    for token in emulator.memstore.tokens.values():
                        token["expires_at"] = 0
                return
            time.sleep(0.01)

    watcher = threading.Thread(target=expire_at_the_first_member_read)
    watcher.start()
    try:
        config = {"plugin": "redisops.platform.memstore", "concurrency": 8, "cluster_modes": ["disabled"]}
        inventory = run_inventory(ansible, "expiring.memstore.yml", config, env=memstore_env(emulator))
    finally:
        stop.set()
        watcher.join()
    assert inventory.rc == 0, inventory.output
    assert inventory.hosts() == ["expiring-%d-1" % index for index in range(8)]
    reads = _member_reads(emulator, since)
    assert sorted(entry["status"] for entry in reads) == [200] * 8 + [401] * 8
    tokens = [entry for entry in emulator.log.entries(since) if entry["path"].endswith("/auth/tokens")]
    assert len(tokens) == 2  # the inventory's token, and one re-issue for the eight threads
