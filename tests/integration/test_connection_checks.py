"""Connection options checked before any request, through real ansible-playbook,
ansible-inventory and the memstore_token lookup: credentials never go in clear, a URL
never carries a password (printed nowhere, at -vvv), malformed URLs and timeouts are one
sentence naming the option; a node's permanent answer is not retried, and a node that
restarts does not fail a write whose task has time left."""

import json

import pytest

from inventory_runner import run_inventory

PASSWORD = "Geheim-Passw0rd-9"
VALID = "a valid URL looks like https://host:9443 or, for an IPv6 address, https://[::1]:9443"


def re_task(emulator, module="re_node_info", **options):
    args = {"url": emulator.node_url(1), "ca_path": emulator.tls["ca"], "username": "admin@re.test", "password": "Admin-Passw0rd"}
    args.update(options)
    return {"name": module, "redisops.platform." + module: args, "ignore_errors": True}


def memstore_task(emulator, **options):
    info = emulator.info()
    args = {"api_url": emulator.memstore_url, "identity_url": emulator.identity_url,
            "application_credential_id": info["application_credential_id"],
            "application_credential_secret": info["application_credential_secret"]}
    args.update(options)
    return {"name": "memstore", "redisops.platform.memstore_instance_set_info": args, "ignore_errors": True}


def failures(play):
    assert all(result["failed"] is True for result in play.results), play.output
    return [result["msg"] for result in play.results]


# --- 1. credentials never go in clear ------------------------------------------------------
def test_http_to_a_host_that_is_not_loopback_fails_before_any_request(ansible, emulator):
    play = ansible.run([re_task(emulator, url="http://re.example.test:9443"),
                        memstore_task(emulator, api_url="http://memstore.example.test"),
                        memstore_task(emulator, identity_url="http://iam.example.test/identity/v3")])
    assert failures(play) == [
        "%s uses http://, which would send the credentials in clear to %s: use https:// (http:// is allowed to a "
        "loopback address only)" % (option, host)
        for option, host in (("url", "re.example.test"), ("api_url", "memstore.example.test"), ("identity_url", "iam.example.test"))]
    assert emulator.log.entries() == []


def test_http_to_loopback_stays_allowed(ansible, emulator):
    assert emulator.memstore_url.startswith("http://127.0.0.1:")
    play = ansible.run([memstore_task(emulator)])
    assert play.last.get("failed") is not True, play.output


def test_the_inventory_plugins_and_the_lookup_refuse_http_too(ansible, emulator):
    config = {"plugin": "redisops.platform.redis_enterprise", "url": "http://re.example.test:9443"}
    inventory = run_inventory(ansible, "clear.redis_enterprise.yml", config)
    assert inventory.rc != 0 and "url uses http://, which would send the credentials in clear" in inventory.output
    lookup = ("{{ lookup('redisops.platform.memstore_token', application_credential_id='id', application_credential_secret='s3cret', "
              "identity_url='http://iam.example.test/identity/v3') }}")
    task = {"name": "token", "ansible.builtin.debug": {"msg": lookup}, "ignore_errors": True}
    play = ansible.run([task])
    assert "could not issue a MemStore token: identity_url uses http://" in play.output
    assert emulator.log.entries() == []


# --- 2. a URL never carries a password ------------------------------------------------------
def test_a_url_with_a_password_fails_and_the_password_is_printed_nowhere(ansible, emulator):
    url = emulator.node_url(1).replace("https://", "https://admin%%40re.test:%s@" % PASSWORD)
    tasks = [re_task(emulator, url=url),
             re_task(emulator, "re_node_action", url=url, node_uid=2, action="no-such-action"),  # fails in AnsibleModule's own checks
             memstore_task(emulator, api_url=emulator.memstore_url.replace("http://", "http://user:%s@" % PASSWORD))]
    play = ansible.run(tasks, verbosity=3)
    messages = failures(play)
    assert messages[0] == messages[2].replace("api_url", "url") == (
        "url must not carry credentials (user:password@): set them in their own options, which are never printed, "
        "and url to https://host:port alone")
    assert messages[1].startswith("value of action must be one of")
    assert all("********" in json.dumps(result["invocation"]) for result in play.results)
    assert PASSWORD not in play.output and PASSWORD not in json.dumps(play.results)
    assert emulator.log.entries() == []


def test_a_url_with_a_password_from_the_environment_is_masked_too(ansible, emulator):
    task = re_task(emulator)
    del task["redisops.platform.re_node_info"]["url"]
    url = emulator.node_url(1).replace("https://", "https://admin:%s@" % PASSWORD)
    play = ansible.run([task], verbosity=3, env={"REDIS_ENTERPRISE_URL": url})
    assert failures(play)[0].startswith("url must not carry credentials")
    assert PASSWORD not in play.output and PASSWORD not in json.dumps(play.results)


def test_the_bootstrap_role_refuses_node_urls_with_a_password_printing_it_nowhere(ansible, emulator):
    nodes = [emulator.node_url(index).replace("https://", "https://admin%%40re.test:%s@" % PASSWORD) for index in (1, 2)]
    play = ansible.run([{"name": "bootstrap", "ansible.builtin.include_role": {"name": "redisops.platform.re_cluster_bootstrap"}}],
                       verbosity=1, play_vars={"re_cluster_bootstrap_nodes": nodes, "re_cluster_bootstrap_cluster_name": "cluster.re.test"})
    assert play.rc != 0
    assert "a node URL must not carry user:password@" in play.output
    assert PASSWORD not in play.output
    assert emulator.log.entries() == []


# --- 8, 9. option values -------------------------------------------------------------------
@pytest.mark.parametrize("value", ["inf", "0", "-1", "nan"])
def test_a_timeout_must_be_finite_and_above_zero(ansible, emulator, value):
    play = ansible.run([re_task(emulator, request_timeout=value), memstore_task(emulator, request_timeout=value),
                        re_task(emulator, "re_node_action", node_uid=2, action="maintenance_on", wait_timeout=value)])
    messages = failures(play)
    assert messages[:2] == ["request_timeout must be a finite number of seconds greater than 0 (got %s)" % float(value)] * 2
    assert "wait_timeout" in messages[2], messages[2]
    assert emulator.log.entries() == []


@pytest.mark.parametrize("url, expected", [
    ("127.0.0.2:9443", "url has no scheme (https://): " + VALID),
    ("https://::1:9443", "url has an IPv6 address without brackets: " + VALID),
    ("https://127.0.0.2:9443 ", "url must be a URL without spaces: " + VALID),
])
def test_a_malformed_url_is_one_sentence_before_any_request(ansible, emulator, url, expected):
    play = ansible.run([re_task(emulator, url=url)])
    assert failures(play) == [expected]
    inventory = run_inventory(ansible, "bad.redis_enterprise.yml", {"plugin": "redisops.platform.redis_enterprise", "url": url})
    assert inventory.rc != 0 and "redisops.platform.redis_enterprise inventory: " + expected in inventory.output
    assert emulator.log.entries() == []


# --- 6, 7. permanent answers; a node that restarts -----------------------------------------
def test_a_node_not_in_a_cluster_fails_at_once_without_retrying(ansible, emulator):
    play = ansible.run([re_task(emulator)])
    result = play.last
    assert result["failed"] is True
    assert result["msg"].startswith("GET /v1/nodes returned HTTP 503 (node_not_in_cluster): The node is not part of a cluster")
    assert not [warning for warning in result.get("warnings", []) if "retry" in warning]
    # The nodes, and the cluster's name read beside them: each asked once, answered 503, not retried.
    assert sorted((entry["path"], entry["status"]) for entry in emulator.log.entries()) == [("/v1/cluster", 503), ("/v1/nodes", 503)]


def test_a_write_waits_for_a_node_that_restarts_within_wait_timeout(ansible, emulator):
    emulator.seed_re_cluster()
    emulator.node_down(1, 12)
    play = ansible.run([re_task(emulator, "re_node_action", node_uid=2, action="maintenance_on", wait_timeout=120)])
    result = play.last
    assert result.get("failed") is not True, result.get("msg")
    assert result["changed"] is True
    retries = [warning for warning in result["warnings"] if "retry" in warning]
    assert retries and all("connection refused" in warning and "retried until wait_timeout" in warning for warning in retries)
    posts = [entry for entry in emulator.log.entries() if entry["method"] == "POST"]
    assert len(posts) == 1
