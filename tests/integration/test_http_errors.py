"""Every module, through real ansible-playbook, against the failures the shared HTTP
client must report cleanly: a server error whose body echoes the request's secrets in
their encoded forms, and a ca_path that does not exist."""

import base64
import json
import re


PASSWORD = 'Pa"ss\\w0rd/Quote-42'  # JSON-escaping changes it: " and \ and /
LICENSE = "----- LICENSE START -----\nemulated-license-line-Xy9Q7Zk\n----- LICENSE END -----"
RE_MODULES = {
    "re_bootstrap_info": {},
    "re_bootstrap": {"action": "create_cluster", "cluster_name": "cluster.re.test", "license": LICENSE},
    "re_node_action": {"node_uid": 2, "action": "maintenance_on"},
    "re_node_action_info": {"node_uid": 2},
}
MEMSTORE_MODULES = {
    "memstore_instance_set_info": {"name": "cache-echo"},
    "memstore_instance_set": {"name": "cache-echo", "state": "absent"},
}


def re_task(emulator, module, **extra):
    options = dict(RE_MODULES[module], url=emulator.node_url(1), ca_path=emulator.tls["ca"], username="admin@re.test",
                   password=PASSWORD)
    options.update(extra)
    return {"name": module, "redisops.platform." + module: options, "ignore_errors": True}


def memstore_task(emulator, module, **extra):
    info = emulator.info()
    options = dict(MEMSTORE_MODULES[module], api_url=emulator.memstore_url, identity_url=emulator.identity_url,
                   application_credential_id=info["application_credential_id"],
                   application_credential_secret=info["application_credential_secret"])
    options.update(extra)
    return {"name": module, "redisops.platform." + module: options, "ignore_errors": True}


def basic(user, password):
    return base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


def echoed(*secrets, credential=None):
    """A server message that echoes secrets raw, JSON-escaped (once and twice), multi-line
    ones also line by line, and a bare Base64 Basic ``credential``."""
    forms = []
    for secret in secrets:
        once = json.dumps(secret)[1:-1]
        forms += [secret, once, json.dumps(once)[1:-1]]
        forms += [line for line in secret.splitlines() if len(line) > 8]
    if credential:
        forms.append(credential)
    return "request was " + " | ".join(forms)


def leaks(result, *secrets, credential=None):
    text = json.dumps(result)
    found = []
    for secret in secrets:
        pieces = [secret, json.dumps(secret)[1:-1]] + [line for line in secret.splitlines() if len(line) > 8]
        found += [piece for piece in pieces if piece in text or json.dumps(piece)[1:-1] in text]
    if credential and credential.rstrip("=") in text:
        found.append(credential)
    return found


def test_no_module_leaks_a_secret_a_server_error_echoes(ansible, emulator):
    emulator.seed_re_cluster(password=PASSWORD)
    secret = emulator.info()["application_credential_secret"]
    emulator.faults.add_http(server="re", status=400, times=-1, code="bad_request",
                             message=echoed(PASSWORD, LICENSE, credential=basic("admin@re.test", PASSWORD)))
    emulator.faults.add_http(server="memstore", path="/v1/*", status=400, times=-1, code="BadRequest", message=echoed(secret))
    tasks = [re_task(emulator, module) for module in RE_MODULES] + [memstore_task(emulator, module) for module in MEMSTORE_MODULES]
    play = ansible.run(tasks)
    assert len(play.results) == len(tasks), play.output
    for task, result in zip(tasks, play.results):
        assert result["failed"] is True, (task["name"], result)
        assert "returned HTTP 400" in result["msg"] and "********" in result["msg"], (task["name"], result["msg"])
        if task["name"].startswith("memstore"):
            assert leaks(result, secret) == [], (task["name"], result["msg"])
        else:  # each module scrubs the secrets it was given: the password, and the license it sends
            given = (PASSWORD, LICENSE) if task["name"] == "re_bootstrap" else (PASSWORD,)
            assert leaks(result, *given, credential=basic("admin@re.test", PASSWORD)) == [], (task["name"], result["msg"])
    assert PASSWORD not in play.output and secret not in play.output and basic("admin@re.test", PASSWORD) not in play.output


def test_a_ca_path_that_does_not_exist_is_one_sentence_naming_the_file(ansible, emulator, tmp_path):
    missing = str(tmp_path / "no-such-ca.pem")
    tasks = [re_task(emulator, module, ca_path=missing) for module in RE_MODULES]
    tasks += [memstore_task(emulator, module, ca_path=missing) for module in MEMSTORE_MODULES]
    play = ansible.run(tasks)
    assert len(play.results) == len(tasks), play.output
    for task, result in zip(tasks, play.results):
        assert result["failed"] is True, (task["name"], result)
        assert result["msg"] == "ca_path %s does not exist" % missing, (task["name"], result["msg"])
        # ansible-core 2.19 marks every failed result so (even ansible.builtin.fail's): no traceback, no exception text
        assert result.get("exception") in (None, "(traceback unavailable)") and "Traceback" not in json.dumps(result), task["name"]
    assert emulator.log.entries() == []  # failed before any request


def test_each_retry_warns_once_through_the_module(ansible, emulator):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=503, times=2)
    emulator.faults.add_http(server="memstore", path="/identity/v3/auth/tokens", status=503, times=1)  # a token POST
    seed = {"name": "cache-retry"}
    from emulator.memstore_instance_sets import seed_instance_set  # pylint: disable=import-outside-toplevel

    seed_instance_set(emulator, **seed)
    play = ansible.run([re_task(emulator, "re_bootstrap_info"), memstore_task(emulator, "memstore_instance_set_info")])
    node, memstore = play.results
    assert node.get("failed") is not True and memstore.get("failed") is not True, play.output
    where = "127.0.0.2:%d (url)" % emulator.re_port
    retries = [w for w in node["warnings"] if "retry" in w]
    assert len(retries) == 2 and retries[0] == "GET /v1/bootstrap on %s answered HTTP 503; retry 1 of 4 in 0 s" % where
    assert re.match(r"GET /v1/bootstrap on %s answered HTTP 503; retry 2 of 4 in 1(\.\d)? s$" % re.escape(where), retries[1])
    assert [w for w in memstore["warnings"] if "retry" in w] == [
        "POST /auth/tokens on 127.0.0.1:%d (identity_url) answered HTTP 503; retry 1 of 4 in 0 s" % emulator.memstore_port]
    assert [e["status"] for e in emulator.log.entries() if e["path"].endswith("/auth/tokens")] == [503, 201]


def test_a_retry_after_beyond_wait_timeout_fails_the_task_at_once(ansible, emulator):
    emulator.seed_re_cluster(password=PASSWORD)
    emulator.faults.add_http(server="node1", method="GET", path="/v1/nodes/2*", status=429, retry_after=7200, times=-1)
    play = ansible.run([re_task(emulator, "re_node_action", wait_timeout=60)])
    result = play.last
    assert result["failed"] is True
    assert "the server asked to be called again in 7200 s (Retry-After), later than the" in result["msg"]
    assert "s left of wait_timeout" in result["msg"]
    assert result.get("duration", 0) < 30  # failed at once, not after hours (or the 60 s of wait_timeout)
    assert len([e for e in emulator.log.entries() if e["status"] == 429]) == 1
