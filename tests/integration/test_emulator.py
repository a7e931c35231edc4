"""The emulator as a product: strict API bodies, a validated control API, its command
line, a CA that survives a restart, MemStore over HTTPS, and no file left behind."""

import ast
import json
import os
import re
import subprocess
import sys

import pytest
import requests

from emulator import Emulator
from emulator.memstore import DEFAULT_VERSIONS
from emulator.memstore_instance_sets import seed_instance_set

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INFO = "redisops.platform.memstore_instance_set_info"


def token_session(emulator, verify=True):
    info = emulator.info()
    body = {"auth": {"identity": {"methods": ["application_credential"], "application_credential": {
        "id": info["application_credential_id"], "secret": info["application_credential_secret"]}}}}
    answer = requests.post(emulator.identity_url + "/auth/tokens", json=body, timeout=10, verify=verify)
    session = requests.Session()
    session.headers["X-Auth-Token"] = answer.headers["X-Subject-Token"]
    return session


def control(emulator, method, path, **kwargs):
    return requests.request(method, emulator.info()["control_url"] + path, timeout=10, **kwargs)


# --- Redis Enterprise node actions: always a JSON object body ---------------------------------------
@pytest.mark.parametrize("action", ["maintenance_on", "maintenance_off", "enslave_node", "remove"])
def test_a_bodiless_node_action_post_is_refused_like_a_real_server(emulator, action):
    emulator.seed_re_cluster()
    admin = emulator.info()["re_admin"]
    url = "%s/v1/nodes/3/actions/%s" % (emulator.node_url(1), action)
    answer = requests.post(url, auth=(admin["username"], admin["password"]), verify=emulator.tls["ca"], timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error_code"] == "invalid_schema" and "JSON object body" in answer.json()["description"]
    assert emulator.node(3).actions == {}  # nothing started
    accepted = requests.post(url, json={}, auth=(admin["username"], admin["password"]), verify=emulator.tls["ca"], timeout=10)
    assert accepted.status_code == 200 and accepted.json()["task_id"]


# --- MemStore: a create refuses unknown and mistyped fields ---------------------------------------
def create_body(emulator, name="emu-strict", **fields):
    body = {"instanceSetName": name, "replicas": 1, "flavorId": "f", "recoveryEnabled": False,
            "subnets": [{"id": "s1"}], "subnetAssignments": [{"primary": {"id": "s1"}, "replicas": []}],
            "securityGroups": [{"id": "sg"}], "parameterGroupId": "pg", "port": 6379,
            "projectId": emulator.info()["project_id"], "version": "7.2.7"}
    body.update(fields)
    return body


@pytest.mark.parametrize("fields, named", [
    ({"tlsEnable": True}, "tlsEnable"),  # a typo of tlsEnabled: TLS would silently be off
    ({"subnets": [{"id": "s1", "name": "x"}]}, "subnets[0].name"),
    ({"subnetAssignments": [{"primary": {"id": "s1", "zone": "a"}, "replicas": []}]}, "subnetAssignments[0].primary.zone"),
    ({"backupSchedule": {"cron": "* 1 * * *", "retentionLimit": 3, "retention": 3}}, "backupSchedule.retention"),
    ({"user": {"name": "u", "password": "p", "pasword": "p"}}, "user.pasword"),
    ({"tlsEnabled": "true"}, "tlsEnabled"),  # mistyped
    ({"recoveryEnabled": 1}, "recoveryEnabled"),
    ({"port": "6379"}, "port"),
    ({"description": 5}, "description"),
])
def test_a_create_with_an_unknown_or_mistyped_field_is_refused_naming_it(emulator, fields, named):
    session = token_session(emulator)
    answer = session.post(emulator.memstore_url + "/v1/instance-sets", json=create_body(emulator, **fields), timeout=10)
    assert answer.status_code == 400, answer.text
    assert named in answer.json()["error"]["message"]
    assert emulator.memstore.resources == {}


def test_a_strict_create_still_accepts_every_documented_field(emulator):
    session = token_session(emulator)
    body = create_body(emulator, description="d", tlsEnabled=True, user={"name": "u", "password": "p"},
                       backupSchedule={"cron": "* 1 * * *", "retentionLimit": 3})
    assert session.post(emulator.memstore_url + "/v1/instance-sets", json=body, timeout=10).status_code == 201


def test_an_update_refuses_an_unknown_backup_schedule_field(emulator):
    resource = seed_instance_set(emulator, "emu-upd", nodes=1)
    answer = token_session(emulator).patch("%s/v1/instance-sets/%s" % (emulator.memstore_url, resource["id"]),
                                           json={"backupSchedule": {"cron": "* 2 * * *", "retentionLimt": 3}}, timeout=10)
    assert answer.status_code == 400 and "backupSchedule.retentionLimt" in answer.json()["error"]["message"]


# --- the control API validates what it is sent ---------------------------------------------------
@pytest.mark.parametrize("path, body, message, expected_field", [
    ("/faults/operation", {"operation": "create"}, "outcome is required", "outcome"),
    ("/faults/operation", {"operation": "create", "outcome": "exploded"}, "outcome must be one of failed, stuck, error, aborted", "outcome"),
    ("/faults", {"path": "/v1/*"}, "a fault needs status, delay or drop", "status"),
    ("/faults", {"status": "503"}, "status must be an integer HTTP status from 100 to 599, answered instead of the real answer",
     "status"),
    ("/faults", {"status": 503, "tims": 2}, "unknown field tims", "times"),
    ("/faults", {"drop": "during"}, "drop must be before or after", "drop"),
    ("/faults", [1, 2], "the body must be a JSON object", "status"),
    ("/clock", {"speed": 0}, "speed must be > 0", "speed"),
    ("/clock", {"advance": "10"}, "advance must be a number >= 0: emulated seconds to jump forward now", "advance"),
    ("/re/cluster", {"nodes": [1, 9]}, "nodes must be distinct node indexes from 1 to 3", "nodes"),
    ("/re/nodes/2/down", {"seconds": -1}, "seconds must be > 0", "seconds"),
    ("/re/nodes/7/down", {}, "node 7 does not exist (1 to 3)", "seconds"),
    ("/re/shapes", {}, "doc_shapes is required", "doc_shapes"),
    ("/memstore/instance-sets", {"nodes": 2}, "name is required", "name"),
    ("/memstore/instance-sets", {"name": "x", "nodes": 9}, "nodes must be from 1 to 6", "nodes"),
    ("/memstore/backups", {"name": "b", "automatic": "yes"}, "automatic must be a boolean: an automatic backup (default false)", "automatic"),
    ("/memstore/instances/any/status", {}, "status is required", "status"),
    ("/memstore/clusters", {"shards": 2}, "name is required", "name"),
    ("/memstore/clusters", {"name": "c", "shards": "two"}, "shards must be an integer from 1 to 12: Running shards (default 2)", "shards"),
    ("/memstore/clusters", {"name": "c", "nodes_per_shard": 7}, "nodes_per_shard must be from 1 to 6", "nodes_per_shard"),
    ("/memstore/cluster-nodes/any/status", {}, "status is required", "status"),
    ("/memstore/versions", {}, "a body needs versions or endpoint", "versions"),
    ("/memstore/versions", {"versions": []}, 'versions must be a non-empty array of versions such as "7.2.7"', "versions"),
    ("/memstore/versions", {"versions": ["7.2"]}, 'versions must be a non-empty array of versions such as "7.2.7"', "versions"),
    ("/memstore/versions", {"endpoint": "no"}, "endpoint must be a boolean: false makes GET /v1/redis/versions answer 404, "
                                               "as a service without it would", "endpoint"),
])
def test_a_bad_control_request_is_a_400_saying_what_is_expected(emulator, path, body, message, expected_field):
    answer = control(emulator, "POST", path, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == message
    assert expected_field in answer.json()["expected"]
    assert "Traceback" not in answer.text and "positional argument" not in answer.text


def test_a_control_body_that_is_not_json_is_a_400(emulator):
    answer = control(emulator, "POST", "/faults", data="status=503", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"] == "the body must be a JSON object"
    assert control(emulator, "GET", "/log?since=x").status_code == 400


def test_every_documented_control_endpoint_answers(emulator):
    assert control(emulator, "GET", "/info").json()["memstore_busy_status"] == 409
    assert control(emulator, "POST", "/faults", json={"server": "node1", "status": 503, "times": 2}).status_code == 201
    assert control(emulator, "POST", "/faults/operation", json={"operation": "create", "outcome": "stuck"}).status_code == 201
    assert control(emulator, "DELETE", "/faults").json() == {"cleared": True}
    assert emulator.faults.http == [] and emulator.faults.operations == []
    assert control(emulator, "POST", "/clock", json={"speed": 50, "advance": 10}).json()["speed"] == 50
    seeded = control(emulator, "POST", "/re/cluster", json={"nodes": [1, 2], "username": "ops@re.test", "password": "Ops-Passw0rd"})
    assert seeded.status_code == 201 and seeded.json() == {"name": "cluster.re.test", "nodes": [1, 2], "username": "ops@re.test"}
    assert control(emulator, "POST", "/re/shapes", json={"doc_shapes": True}).json() == {"doc_shapes": True}
    assert control(emulator, "POST", "/tokens/expire").status_code == 200
    assert control(emulator, "POST", "/memstore/busy", json={"status": 400}).json() == {"status": 400}
    assert control(emulator, "POST", "/memstore/versions", json={"versions": ["7.2.7"], "endpoint": False}).json() == {
        "versions": ["7.2.7"], "endpoint": False}
    requests.get(emulator.node_url(1) + "/v1/bootstrap", verify=emulator.tls["ca"], timeout=10)
    assert control(emulator, "GET", "/log").json()["last"] >= 1
    assert control(emulator, "DELETE", "/log").json() == {"cleared": True} and emulator.log.entries() == []
    assert control(emulator, "POST", "/reset").json() == {"reset": True}
    assert emulator.clock.speed != 50 and emulator.re_doc_shapes is False and emulator.memstore_busy_status == 409
    assert emulator.memstore_versions == DEFAULT_VERSIONS and emulator.memstore_versions_endpoint is True


# --- MemStore: the Redis versions the service offers --------------------------------------------
CLUSTER_BODY = {"name": "emu-cluster", "version": "7.2.7", "port": 6379, "shardCount": 1, "nodeCountPerShard": 1,
                "flavorId": "f", "parameterGroupId": "pg", "subnets": [{"id": "s1"}],
                "subnetAssignments": [{"primary": {"id": "s1"}, "replicas": []}], "securityGroups": [{"id": "sg"}]}


def create(emulator, session, kind, name, version):
    """POST a create of ``kind`` (instance-sets or clusters) named ``name`` with ``version``."""
    if kind == "instance-sets":
        body = create_body(emulator, name=name, version=version)
    else:
        body = dict(CLUSTER_BODY, name=name, version=version)
    return session.post(emulator.memstore_url + "/v1/" + kind, json=body, timeout=10)


def test_the_versions_route_answers_the_newest_documented_list_to_a_token_holder(emulator):
    url = emulator.memstore_url + "/v1/redis/versions"
    answer = token_session(emulator).get(url, timeout=10)
    assert answer.status_code == 200
    assert answer.json() == ["7.2.11", "7.2.7", "7.2.6", "7.0.15", "6.2.20", "6.2.17", "6.2.16", "6.2.5", "5.0.6"]
    refused = requests.get(url, timeout=10)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "Unauthorized"
    assert control(emulator, "GET", "/info").json()["memstore_versions"] == answer.json()


@pytest.mark.parametrize("kind, version", [
    ("instance-sets", "7.2.11"),  # newer than the seed documents
    ("instance-sets", "5.0.6"),
    ("clusters", "7.2.7"),  # the seed document's cluster list lacked it; the service offers it
    ("clusters", "6.2.20"),
])
def test_a_create_with_an_offered_version_is_accepted(emulator, kind, version):
    answer = create(emulator, token_session(emulator), kind, "emu-offered", version)
    assert answer.status_code == 201, answer.text
    assert [r["version"] for r in emulator.memstore.resources.values()] == [version]


@pytest.mark.parametrize("kind, version, message", [
    ("instance-sets", "7.4.0", "version '7.4.0' is not offered: it must be one of 7.2.11, 7.2.7, 7.2.6, 7.0.15, 6.2.20, "
                               "6.2.17, 6.2.16, 6.2.5, 5.0.6"),
    ("clusters", "7.4.0", "version '7.4.0' is not offered"),
    ("clusters", "5.0.6", "version '5.0.6' is offered with cluster mode disabled only (an instance set), not for a cluster"),
])
def test_a_create_with_a_version_not_offered_for_its_mode_is_a_400_naming_it(emulator, kind, version, message):
    answer = create(emulator, token_session(emulator), kind, "emu-refused", version)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "BadRequest" and message in answer.json()["error"]["message"]
    assert emulator.memstore.resources == {}


def test_the_control_api_sets_the_offered_versions_until_a_reset(emulator):
    session = token_session(emulator)
    url = emulator.memstore_url + "/v1/redis/versions"
    set_to = control(emulator, "POST", "/memstore/versions", json={"versions": ["7.2.7", "5.0.6"]})
    assert set_to.status_code == 200 and set_to.json() == {"versions": ["7.2.7", "5.0.6"], "endpoint": True}
    assert session.get(url, timeout=10).json() == ["7.2.7", "5.0.6"]
    refused = create(emulator, session, "instance-sets", "emu-newer", "7.2.11")
    assert refused.status_code == 400 and "must be one of 7.2.7, 5.0.6" in refused.json()["error"]["message"]
    assert create(emulator, session, "clusters", "emu-cluster", "5.0.6").status_code == 400  # the mode rule stays
    assert create(emulator, session, "instance-sets", "emu-older", "5.0.6").status_code == 201
    control(emulator, "POST", "/reset")
    assert token_session(emulator).get(url, timeout=10).json() == list(DEFAULT_VERSIONS)


def test_without_the_versions_endpoint_the_route_is_404_and_creates_still_check(emulator):
    assert control(emulator, "POST", "/memstore/versions", json={"endpoint": False}).json()["endpoint"] is False
    session = token_session(emulator)
    url = emulator.memstore_url + "/v1/redis/versions"
    for answer in (session.get(url, timeout=10), requests.get(url, timeout=10)):  # with a token or without: no such route
        assert answer.status_code == 404
        assert answer.json()["error"] == {"code": "NotFound", "message": "no such endpoint: GET /v1/redis/versions"}
    refused = create(emulator, session, "clusters", "emu-cluster", "7.4.0")
    assert refused.status_code == 400 and "'7.4.0' is not offered" in refused.json()["error"]["message"]
    assert control(emulator, "POST", "/memstore/versions", json={"endpoint": True}).json()["endpoint"] is True
    assert session.get(url, timeout=10).status_code == 200


def test_the_command_line_sets_the_versions_and_turns_the_endpoint_off(tmp_path):
    info_file = tmp_path / "info.json"
    command = [sys.executable, "-m", "emulator", "--memstore-port", "0", "--re-port", "0", "--nodes", "1",
               "--state-dir", str(tmp_path / "state"), "--info-file", str(info_file),
               "--memstore-versions", "7.2.7, 6.2.17", "--memstore-no-versions-endpoint"]
    proc = subprocess.Popen(command, cwd=TESTS, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()  # the first line is printed once the servers listen
        assert line.startswith("MemStore API"), line + proc.stdout.read()
        with open(str(info_file)) as handle:
            info = json.load(handle)
        assert info["memstore_versions"] == ["7.2.7", "6.2.17"] and info["memstore_versions_endpoint"] is False
        answer = requests.get(info["memstore_url"] + "/v1/redis/versions", timeout=10)
        assert answer.status_code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    bad = subprocess.run([sys.executable, "-m", "emulator", "--memstore-versions", "7.2"], cwd=TESTS, capture_output=True,
                         text=True, check=False)
    assert bad.returncode == 2 and "--memstore-versions must be comma-separated versions such as 7.2.7,6.2.17" in bad.stderr


# --- command line, state directory, MemStore over HTTPS -------------------------------------------
def test_help_shows_every_default():
    shown = subprocess.run([sys.executable, "-m", "emulator", "--help"], cwd=TESTS, capture_output=True, text=True,
                           check=True).stdout
    flat = " ".join(shown.split())
    for default in ("(default: 127.0.0.1)", "(default: 8480)", "(default: 9443)", "(default: 3)", "(default: 100.0)",
                    "(default: 409)", "(default: None)", "--memstore-tls", "--state-dir", "--memstore-no-versions-endpoint"):
        assert default in flat, shown
    # argparse may wrap the list anywhere
    assert "(default:7.2.11,7.2.7,7.2.6,7.0.15,6.2.20,6.2.17,6.2.16,6.2.5,5.0.6)" in "".join(shown.split()), shown
    assert "removed on exit" in flat
    # What a first run needs to know: what to install, and how to get a cluster from the nodes.
    assert "pip install -r tests/emulator/requirements.txt" in flat and "POST /_emulator/re/cluster" in flat


def test_its_requirements_name_every_library_it_imports():
    """tests/emulator/requirements.txt is what a user's own virtualenv installs to run it."""
    folder = os.path.join(TESTS, "emulator")
    imported = set()
    for name in os.listdir(folder):
        if name.endswith(".py"):
            with open(os.path.join(folder, name)) as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    imported.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"emulator"}
    with open(os.path.join(folder, "requirements.txt")) as handle:
        required = set(re.split(r"[<>=!~\s\[]", line.strip(), maxsplit=1)[0].lower() for line in handle
                       if line.strip() and not line.startswith("#"))
    assert third_party == {"flask", "werkzeug", "cryptography"}
    assert third_party <= required


def test_without_its_libraries_it_says_what_to_install():
    # werkzeug missing from the virtualenv (None in sys.modules makes its import fail).
    code = "import sys, runpy; sys.modules['werkzeug'] = None; runpy.run_module('emulator', run_name='__main__')"
    proc = subprocess.run([sys.executable, "-c", code], cwd=TESTS, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert "the emulator misses a library" in last and "werkzeug" in last and "pip install -r tests/emulator/requirements.txt" in last


def test_the_ca_and_server_key_persist_in_the_state_dir(tmp_path):
    first = Emulator(nodes=1, state_dir=str(tmp_path)).start()
    try:
        ca_path = first.tls["ca"]
        with open(ca_path) as handle:
            ca = handle.read()
        with open(first.tls["key"]) as handle:
            key = handle.read()
    finally:
        first.stop()
    assert os.path.exists(ca_path)  # a given state directory is kept
    second = Emulator(nodes=1, state_dir=str(tmp_path)).start()
    try:
        assert second.tls["ca"] == ca_path
        with open(ca_path) as handle:
            assert handle.read() == ca
        with open(second.tls["key"]) as handle:
            assert handle.read() == key
        assert oct(os.stat(second.tls["key"]).st_mode & 0o777) == "0o600"
        assert oct(os.stat(second.tls["ca_key"]).st_mode & 0o777) == "0o600"
        # The CA saved before the restart still verifies the restarted server.
        assert requests.get(second.node_url(1) + "/v1/bootstrap", verify=ca_path, timeout=10).status_code == 200
    finally:
        second.stop()


def test_without_a_state_dir_nothing_is_left_behind():
    emu = Emulator(nodes=1).start()
    state_dir = emu.state_dir
    assert os.path.exists(os.path.join(state_dir, "tls", "server-key.pem"))
    emu.stop()
    assert not os.path.exists(state_dir)


@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory):
    emu = Emulator(nodes=1, memstore_tls=True, state_dir=str(tmp_path_factory.mktemp("tls-emulator"))).start()
    yield emu
    emu.stop()


def test_memstore_over_https_with_the_emulator_ca(tls_emulator):
    assert tls_emulator.memstore_url.startswith("https://") and tls_emulator.identity_url.startswith("https://")
    assert tls_emulator.info()["control_url"].startswith("https://")
    session = token_session(tls_emulator, verify=tls_emulator.tls["ca"])
    # verify= on the request itself: REQUESTS_CA_BUNDLE would win over Session.verify
    assert session.get(tls_emulator.memstore_url + "/v1/clusters", verify=tls_emulator.tls["ca"], timeout=10).status_code == 200
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(tls_emulator.memstore_url + "/v1/clusters", verify=tls_emulator.tls["untrusted_ca"], timeout=10)


def test_memstore_modules_verify_the_certificate_with_ca_path(tls_emulator, tmp_path):
    from playbook_runner import Ansible  # pylint: disable=import-outside-toplevel

    tls_emulator.reset()
    seed_instance_set(tls_emulator, "cache-tls", nodes=1)
    info = tls_emulator.info()
    connection = {"api_url": tls_emulator.memstore_url, "identity_url": tls_emulator.identity_url,
                  "application_credential_id": info["application_credential_id"],
                  "application_credential_secret": info["application_credential_secret"]}
    play = Ansible(tls_emulator, tmp_path).run([
        {"name": "trusted CA", INFO: dict(connection, name="cache-tls", ca_path=info["ca_path"])},
        {"name": "another CA", INFO: dict(connection, name="cache-tls", ca_path=info["untrusted_ca_path"]), "ignore_errors": True},
        {"name": "no validation", INFO: dict(connection, name="cache-tls", validate_certs=False)},
    ])
    trusted, untrusted, unvalidated = play.results
    assert [s["name"] for s in trusted["instance_sets"]] == ["cache-tls"], play.output
    assert untrusted["failed"] is True
    assert "TLS error with 127.0.0.1:%d (identity_url): certificate verify failed" % tls_emulator.memstore_port in untrusted["msg"]
    assert "ca_path" in untrusted["msg"] and "validate_certs" in untrusted["msg"]
    assert [s["name"] for s in unvalidated["instance_sets"]] == ["cache-tls"]
    assert json.dumps(untrusted).count(info["application_credential_secret"]) == 0


def test_readme_documents_every_control_endpoint(emulator):
    from emulator import memstore, redis_enterprise  # pylint: disable=import-outside-toplevel
    from emulator.server import MEMSTORE_BLUEPRINTS, RE_BLUEPRINTS  # pylint: disable=import-outside-toplevel

    with open(os.path.join(os.path.dirname(TESTS), "README.md")) as handle:
        readme = handle.read()
    apps = [memstore.create_app(emulator, MEMSTORE_BLUEPRINTS), redis_enterprise.create_app(emulator, emulator.node(1), RE_BLUEPRINTS)]
    missing = []
    for app in apps:
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/_emulator/"):
                continue
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule[len("/_emulator"):])
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                documented = re.escape("`%s %s" % (method, re.sub(r"<\w+>", "PLACEHOLDER", path))).replace("PLACEHOLDER", r"<\w+>")
                if not re.search(documented + r"[`?]", readme):
                    missing.append("%s %s" % (method, path))
    assert missing == [], "README.md's control API tables lack: %s" % ", ".join(missing)
