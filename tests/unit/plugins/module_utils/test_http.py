"""The shared HTTP client against the emulator: retries, errors, secrets, tokens."""

import base64
import json
import os
import subprocess
import sys
import time

import pytest
import urllib3.util.retry

from ansible_collections.redisops.platform.plugins.module_utils import _http
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, ClientError, HttpClient, parse_error_body, redact
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient

PASSWORD = "S3cret-Passw0rd-value"


@pytest.fixture
def sleeps(monkeypatch):
    """Record urllib3's retry sleeps instead of sleeping."""
    recorded = []
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", recorded.append)
    return recorded


def node_client(emulator, **kwargs):
    options = dict(ca_path=emulator.tls["ca"], backoff_factor=0.01, secrets=[PASSWORD])
    options.update(kwargs)
    return HttpClient(emulator.node_url(1), **options)


def statuses(emulator, path="/v1/bootstrap"):
    return [entry["status"] for entry in emulator.log.entries() if entry["path"] == path]


def test_429_then_success_honours_retry_after(emulator, sleeps):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=429, retry_after=7, times=1)
    response = node_client(emulator).get("/v1/bootstrap")
    assert response.status == 200
    assert statuses(emulator) == [429, 200]
    assert 7 in sleeps  # urllib3 slept what Retry-After asked


def test_503_burst_then_success(emulator, sleeps):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=503, times=3)
    assert node_client(emulator).get("/v1/bootstrap").data["bootstrap_status"]["state"] == "idle"
    assert statuses(emulator) == [503, 503, 503, 200]


def test_dropped_connection_on_get_is_retried(emulator, sleeps):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", drop="before", times=1)
    assert node_client(emulator).get("/v1/bootstrap").status == 200
    assert statuses(emulator) == ["dropped", 200]


def test_post_whose_answer_was_lost_is_not_sent_again(emulator, sleeps):
    emulator.faults.add_http(server="memstore", path="/identity/v3/auth/tokens", drop="after", times=1)
    client = HttpClient(emulator.identity_url, backoff_factor=0.01)
    body = {"auth": {"identity": {"methods": ["application_credential"],
                                  "application_credential": {"id": "emulator-credential", "secret": "emulator-secret-do-not-use"}}}}
    with pytest.raises(ApiError) as caught:
        client.post("/auth/tokens", json_body=body)
    assert caught.value.status is None and caught.value.transport == "connection"
    assert caught.value.closed is True  # closed by the other end without an answer: a read tells whether it was taken
    assert "POST /auth/tokens failed" in str(caught.value)
    assert len(emulator.log.entries()) == 1  # processed once, never re-sent
    assert emulator.memstore.tokens_issued == 1


def test_patch_marked_non_idempotent_is_not_sent_again(emulator, sleeps):
    emulator.faults.add_http(server="node1", method="PATCH", path="/v1/cluster", drop="after", times=1)
    with pytest.raises(ApiError) as caught:
        node_client(emulator).request("PATCH", "/v1/cluster", json_body={}, retry=False)
    assert caught.value.transport == "connection"
    assert len(emulator.log.entries()) == 1


def test_idempotent_patch_whose_answer_was_lost_is_retried(emulator, sleeps):
    emulator.seed_re_cluster()
    emulator.faults.add_http(server="node1", method="PATCH", path="/v1/cluster", drop="after", times=1)
    with pytest.raises(ApiError) as caught:  # the node has no PATCH /v1/cluster: 405 once retried
        node_client(emulator, auth=("admin@re.test", "Admin-Passw0rd")).request("PATCH", "/v1/cluster", json_body={})
    assert caught.value.status == 405
    assert len(emulator.log.entries()) == 2


def test_post_answered_503_is_not_retried(emulator, sleeps):
    emulator.faults.add_http(server="memstore", path="/identity/v3/auth/tokens", status=503, times=5)
    with pytest.raises(ApiError) as caught:
        HttpClient(emulator.identity_url, backoff_factor=0.01).post("/auth/tokens", json_body={})
    assert caught.value.status == 503
    assert len(emulator.log.entries()) == 1


def test_retries_are_bounded_and_the_error_names_everything(emulator, sleeps):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=503, times=-1,
                             code="node_not_responding", message="node is busy restarting")
    with pytest.raises(ApiError) as caught:
        node_client(emulator, retries=3).get("/v1/bootstrap")
    error = caught.value
    assert len(statuses(emulator)) == 4  # the first try and 3 retries
    assert (error.method, error.path, error.status, error.code) == ("GET", "/v1/bootstrap", 503, "node_not_responding")
    assert str(error) == "GET /v1/bootstrap returned HTTP 503 (node_not_responding): node is busy restarting"


def test_error_text_never_holds_the_password(emulator, sleeps):
    emulator.seed_re_cluster()
    emulator.faults.add_http(server="node1", path="/v1/cluster", status=400, message="bad credentials %s for admin" % PASSWORD)
    client = node_client(emulator, auth=("admin@re.test", PASSWORD))
    with pytest.raises(ApiError) as caught:
        client.get("/v1/cluster")
    assert PASSWORD not in str(caught.value) and PASSWORD not in repr(caught.value.as_dict())
    assert _http.REDACTED in str(caught.value)


@pytest.mark.parametrize("body, expected", [
    ({"error": {"code": "NotFound", "message": "no such set"}}, ("NotFound", "no such set")),
    ({"error_code": "access_denied", "description": "Invalid credentials"}, ("access_denied", "Invalid credentials")),
    ({"message": "plain message"}, (None, "plain message")),
    ({"detail": "detail message"}, (None, "detail message")),
])
def test_both_error_shapes_and_fallbacks_are_parsed(body, expected):
    assert parse_error_body(body) == expected


def test_unparseable_error_body_is_truncated_text():
    code, message = parse_error_body(None, "<html>" + "x" * 1000)
    assert code is None and message.startswith("<html>") and len(message) < 320


def test_redact_scrubs_secrets_and_auth_headers():
    text = redact("token abc123456 and Authorization: Basic Zm9vOmJhcg== sent", ["abc123456"])
    assert "abc123456" not in text and "Zm9vOmJhcg==" not in text


def test_user_agent_carries_the_collection_version(emulator):
    import yaml  # pylint: disable=import-outside-toplevel

    with open(emulator_galaxy_path()) as handle:
        version = yaml.safe_load(handle)["version"]
    assert _http.USER_AGENT == "redisops.platform/%s" % version
    client = node_client(emulator)
    assert client.session.headers["User-Agent"] == _http.USER_AGENT


def emulator_galaxy_path():
    import os  # pylint: disable=import-outside-toplevel

    return os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "galaxy.yml")


def test_request_log_records_each_call_when_enabled(emulator):
    client = node_client(emulator)
    client.get("/v1/bootstrap")
    assert client.request_log is None  # off by default
    client.request_log = []
    client.get("/v1/bootstrap")
    with pytest.raises(ApiError):
        client.get("/v1/nowhere")
    assert [entry[:3] for entry in client.request_log] == [("GET", "/v1/bootstrap", 200), ("GET", "/v1/nowhere", 404)]


def test_ca_path_is_passed_on_every_request(emulator, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", emulator.tls["untrusted_ca"])
    assert node_client(emulator).get("/v1/bootstrap").status == 200


def memstore_params(emulator, **overrides):
    params = dict(api_url=emulator.memstore_url, identity_url=emulator.identity_url, region="kr-central-2",
                  auth_token=None, application_credential_id="emulator-credential",
                  application_credential_secret="emulator-secret-do-not-use", project_id=None,
                  validate_certs=True, ca_path=None, request_timeout=10)
    params.update(overrides)
    return params


def test_memstore_401_reissues_the_token_exactly_once(emulator):
    client = MemStoreClient(memstore_params(emulator))
    client.get("/v1/clusters")
    assert emulator.memstore.tokens_issued == 1
    for token in emulator.memstore.tokens.values():
        token["expires_at"] = 0  # the token expires between two calls
    assert client.get("/v1/clusters").status == 200
    assert emulator.memstore.tokens_issued == 2
    assert [(e["path"], e["status"]) for e in emulator.log.entries()] == [
        ("/identity/v3/auth/tokens", 201), ("/v1/clusters", 200), ("/v1/clusters", 401),
        ("/identity/v3/auth/tokens", 201), ("/v1/clusters", 200)]


def test_memstore_persistent_401_fails_after_one_reissue(emulator):
    client = MemStoreClient(memstore_params(emulator))
    emulator.faults.add_http(server="memstore", path="/v1/clusters", status=401, times=-1)
    with pytest.raises(ApiError) as caught:
        client.get("/v1/clusters")
    assert caught.value.status == 401
    assert emulator.memstore.tokens_issued == 2


def test_memstore_project_comes_from_the_token(emulator):
    client = MemStoreClient(memstore_params(emulator))
    assert client.project_id == "0123456789abcdef0123456789abcdef"
    token = client.token()
    static = MemStoreClient(memstore_params(emulator, auth_token=token, application_credential_id=None,
                                            application_credential_secret=None))
    assert static.project_id == "0123456789abcdef0123456789abcdef"


def test_memstore_rejected_credential_is_clear_and_secret_free(emulator):
    client = MemStoreClient(memstore_params(emulator, application_credential_secret="wrong-secret-value"))
    with pytest.raises(ApiError) as caught:
        client.get("/v1/clusters")
    assert "application credential was rejected" in str(caught.value)
    assert "wrong-secret-value" not in str(caught.value)


def test_memstore_static_token_rejected_is_not_reissued(emulator):
    client = MemStoreClient(memstore_params(emulator, auth_token="gAAAAA-not-a-real-token", application_credential_id=None,
                                            application_credential_secret=None))
    with pytest.raises(ApiError) as caught:
        client.get("/v1/clusters")
    assert "auth_token was rejected" in str(caught.value)
    assert "gAAAAA-not-a-real-token" not in str(caught.value)
    assert emulator.memstore.tokens_issued == 0


# --- deadline: a server's Retry-After never makes a request sleep past it --------------------
def test_retry_after_longer_than_the_task_deadline_fails_at_once(emulator, sleeps):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=429, retry_after=7200, times=4)
    client = node_client(emulator, deadline=time.monotonic() + 300)
    with pytest.raises(ApiError) as caught:
        client.get("/v1/bootstrap")
    error = caught.value
    assert sleeps == [] and statuses(emulator) == [429]  # asked once, never slept
    assert error.status == 429 and error.deadline_exceeded and not error.is_transient
    assert "the server asked to be called again in 7200 s (Retry-After), later than the 300 s left of wait_timeout" in str(error)


def test_the_deadline_may_be_a_callable(emulator, sleeps):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=503, retry_after=60, times=1)
    deadline = [time.monotonic() + 10]
    with pytest.raises(ApiError) as caught:
        node_client(emulator, deadline=lambda: deadline[0]).get("/v1/bootstrap")
    assert "60 s (Retry-After)" in str(caught.value) and sleeps == []
    deadline[0] = time.monotonic() + 600
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=503, retry_after=60, times=1)
    assert node_client(emulator, deadline=lambda: deadline[0]).get("/v1/bootstrap").status == 200
    assert sleeps == [60]


def test_a_plain_read_without_deadline_is_bounded_by_request_timeout_times_retries(emulator, sleeps):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=429, retry_after=7200, times=4)
    with pytest.raises(ApiError) as caught:
        node_client(emulator, timeout=10, retries=4).get("/v1/bootstrap")
    assert sleeps == [] and statuses(emulator) == [429]
    assert "7200 s (Retry-After), later than the 50 s left of the 50 s a request may take with its retries " \
           "(request_timeout x 5 tries)" in str(caught.value)


def test_retry_after_within_the_deadline_is_honoured(emulator, sleeps):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=429, retry_after=20, times=2)
    client = node_client(emulator, deadline=time.monotonic() + 300)
    assert client.get("/v1/bootstrap").status == 200
    assert sleeps == [20, 20] and statuses(emulator) == [429, 429, 200]


def test_no_retry_starts_after_the_deadline(emulator, sleeps):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=503, times=3)
    client = node_client(emulator, deadline=time.monotonic() - 1)
    with pytest.raises(ApiError) as caught:
        client.get("/v1/bootstrap")
    assert statuses(emulator) == [503]
    assert caught.value.is_transient  # the waiter, which owns the deadline, decides
    assert "not retried: the next try would start after the deadline (wait_timeout)" in str(caught.value)


# --- each retry is announced once ----------------------------------------------------------
def test_each_retry_is_announced_once_with_what_why_and_how_long(emulator, sleeps):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=503, times=2)
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=429, retry_after=3, times=1)
    warnings = []
    client = node_client(emulator, on_retry=warnings.append, backoff_factor=0.5, deadline=time.monotonic() + 300)
    assert client.get("/v1/bootstrap").status == 200
    where = "127.0.0.2:%d (url)" % emulator.re_port
    assert len(warnings) == 3
    assert warnings[0] == "GET /v1/bootstrap on %s answered HTTP 503; retry 1 of 4 in 0 s" % where
    assert warnings[1].startswith("GET /v1/bootstrap on %s answered HTTP 503; retry 2 of 4 in 1" % where)
    assert warnings[2] == "GET /v1/bootstrap on %s answered HTTP 429; retry 3 of 4 in 3 s as the server asked (Retry-After)" % where


def test_a_connection_error_retry_is_announced_with_the_reason(emulator, sleeps):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", drop="before", times=1)
    warnings = []
    assert node_client(emulator, on_retry=warnings.append).get("/v1/bootstrap").status == 200
    assert warnings == ["GET /v1/bootstrap failed: 127.0.0.2:%d (url) closed the connection without answering; "
                        "retry 1 of 4 in 0 s" % emulator.re_port]


# --- the IAM token POST has no side effect: retried like a GET -------------------------------
def test_a_post_marked_idempotent_is_retried_like_a_get(emulator, sleeps):
    emulator.faults.add_http(server="memstore", path="/identity/v3/auth/tokens", status=503, times=1)
    emulator.faults.add_http(server="memstore", path="/identity/v3/auth/tokens", drop="after", times=1)
    client = HttpClient(emulator.identity_url, backoff_factor=0.01, option_name="identity_url")
    body = {"auth": {"identity": {"methods": ["application_credential"],
                                  "application_credential": {"id": "emulator-credential", "secret": "emulator-secret-do-not-use"}}}}
    assert client.post("/auth/tokens", json_body=body, idempotent=True).status == 201
    assert [e["status"] for e in emulator.log.entries()] == [503, "dropped after 201", 201]


def test_the_memstore_token_request_survives_a_503_and_a_lost_answer(emulator, sleeps):
    emulator.faults.add_http(server="memstore", path="/identity/v3/auth/tokens", status=503, times=1)
    emulator.faults.add_http(server="memstore", path="/identity/v3/auth/tokens", drop="after", times=1)
    client = MemStoreClient(memstore_params(emulator))
    assert client.get("/v1/clusters").status == 200
    assert [e["status"] for e in emulator.log.entries() if e["path"].endswith("/auth/tokens")] == [503, "dropped after 201", 201]


# --- transport errors: one clean sentence naming the host and the option ---------------------
def test_a_stalled_read_says_no_answer_within_request_timeout(emulator):  # no `sleeps`: the emulator's delay sleeps
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", delay=1.0, status=200, times=-1)
    with pytest.raises(ApiError) as caught:
        node_client(emulator, timeout=0.2, retries=1, backoff_factor=0).get("/v1/bootstrap")
    assert caught.value.transport == "timeout" and caught.value.closed is False  # the server may still be at work
    assert str(caught.value) == "GET /v1/bootstrap failed: no answer within 0.2 s (request_timeout) from 127.0.0.2:%d (url)" % emulator.re_port


def test_a_stalled_post_says_no_answer_within_request_timeout(emulator):
    emulator.faults.add_http(server="memstore", path="/identity/v3/auth/tokens", delay=1.0, status=201, times=1)
    with pytest.raises(ApiError) as caught:
        HttpClient(emulator.identity_url, timeout=0.2, option_name="identity_url").post("/auth/tokens", json_body={})
    assert "no answer within 0.2 s (request_timeout) from 127.0.0.1:%d (identity_url)" % emulator.memstore_port in str(caught.value)


def test_an_untrusted_certificate_is_one_clean_sentence(emulator, sleeps):
    with pytest.raises(ApiError) as caught:
        node_client(emulator, ca_path=emulator.tls["untrusted_ca"]).get("/v1/bootstrap")
    message = str(caught.value)
    assert caught.value.transport == "tls"
    assert message == ("GET /v1/bootstrap failed: TLS error with 127.0.0.2:%d (url): certificate verify failed: "
                       "self-signed certificate in certificate chain; set ca_path to the CA that signed the server's "
                       "certificate, or validate_certs to false" % emulator.re_port)


def test_tls_to_a_plain_http_server_names_the_reason_without_noise(emulator, sleeps):
    url = emulator.memstore_url.replace("http://", "https://")
    with pytest.raises(ApiError) as caught:
        HttpClient(url, option_name="api_url", retries=0).get("/v1/clusters")
    message = str(caught.value)
    assert message.startswith("GET /v1/clusters failed: TLS error with 127.0.0.1:%d (api_url): " % emulator.memstore_port)
    assert "_ssl.c" not in message and "[SSL" not in message and "ca_path" in message and "validate_certs" in message


def test_an_unresolvable_host_names_the_host_and_the_option(sleeps):
    with pytest.raises(ApiError) as caught:
        HttpClient("https://iam.nowhere.invalid/identity/v3", option_name="identity_url", retries=0).post("/auth/tokens", json_body={})
    assert str(caught.value) == "POST /auth/tokens failed: the host name iam.nowhere.invalid (identity_url) could not be resolved"


def test_a_refused_connection_names_the_host_and_the_option(sleeps):
    with pytest.raises(ApiError) as caught:
        HttpClient("http://127.0.0.1:9", option_name="api_url", retries=1, backoff_factor=0.01).get("/v1/clusters")
    assert str(caught.value) == ("GET /v1/clusters failed: connection refused by 127.0.0.1:9 (api_url): "
                                 "is the API reachable at this address?")


# --- TLS files that cannot be used fail before any request, naming the option ----------------
# Building a client never fails (modules build theirs before their error handling runs); its
# first request raises ClientError before anything is sent.
@pytest.mark.parametrize("option", ["ca_path", "client_cert", "client_key"])
def test_a_missing_tls_file_is_a_client_error_naming_the_option(option, tmp_path, emulator):
    missing = str(tmp_path / "missing.pem")
    options = {"client_cert": str(tmp_path / "cert.pem")} if option == "client_key" else {}
    (tmp_path / "cert.pem").write_text("not used")
    options[option] = missing
    client = HttpClient(emulator.node_url(1), **options)
    for _attempt in range(2):  # the same sentence each time
        with pytest.raises(ClientError) as caught:
            client.get("/v1/bootstrap")
        assert str(caught.value) == "%s %s does not exist" % (option, missing)
    assert emulator.log.entries() == []  # nothing was sent


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_ca_path_is_not_read_when_certificates_are_not_validated(tmp_path, emulator):
    client = HttpClient(emulator.node_url(1), ca_path=str(tmp_path / "missing.pem"), validate_certs=False)
    assert client.get("/v1/bootstrap").status == 200


def test_a_directory_given_as_client_cert_is_refused(tmp_path):
    with pytest.raises(ClientError) as caught:
        HttpClient("https://127.0.0.2:9443", client_cert=str(tmp_path)).get("/v1/bootstrap")
    assert str(caught.value) == "client_cert %s is a directory, not a PEM file" % tmp_path


# --- redaction: every form of every secret, before truncation ---------------------------------
def test_redact_the_json_escaped_form_of_a_password():
    password = 'pa"ss\\word/42'
    echoed = json.dumps({"request": {"password": password}})  # what a server echoing the body sends as text
    assert '\\"ss\\\\word' in echoed
    code, message = parse_error_body(None, echoed, secrets=[password])
    assert "ss\\\\word" not in message and _http.REDACTED in message
    assert redact(json.dumps(echoed), [password]).count(_http.REDACTED) == 1  # escaped twice


def test_redact_a_bare_base64_basic_credential(emulator, sleeps):
    emulator.seed_re_cluster()
    credential = base64.b64encode(("admin@re.test:%s" % PASSWORD).encode()).decode()
    emulator.faults.add_http(server="node1", path="/v1/cluster", status=400, message="bad header %s" % credential)
    with pytest.raises(ApiError) as caught:
        node_client(emulator, auth=("admin@re.test", PASSWORD)).get("/v1/cluster")
    assert credential not in str(caught.value) and credential.rstrip("=") not in str(caught.value)
    assert str(caught.value).endswith("bad header %s" % _http.REDACTED)


def test_redact_a_multi_line_secret_line_by_line_and_json_escaped():
    key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\nw3sPkaZWZ0Xa5xSNwHRFL4m2\n-----END PRIVATE KEY-----\n"
    as_json = json.dumps({"key": key})
    assert "\\nMIGH" in as_json
    assert "MIGHAgEAMBMG" not in redact(as_json, [key])
    rewrapped = "got key lines MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg and w3sPkaZWZ0Xa5xSNwHRFL4m2"
    text = redact(rewrapped, [key])
    assert "MIGHAgEA" not in text and "w3sPkaZW" not in text


def test_redact_before_truncating():
    secret = "Tr0ub4dor-and-3-more-words"
    text = "x" * 290 + secret + "y" * 100
    code, message = parse_error_body({"message": text}, secrets=[secret])
    assert message.startswith("x" * 290 + _http.REDACTED) and secret[:10] not in message


# --- one version source -----------------------------------------------------------------------
def test_sync_version_tool_reports_a_mismatch(tmp_path):
    galaxy = tmp_path / "galaxy.yml"
    galaxy.write_text("namespace: redisops\nname: platform\nversion: 9.9.9\n")
    module = tmp_path / "_http.py"
    module.write_text('x = 1\nCOLLECTION_VERSION = "1.0.0"\n')
    tool = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "tests", "tools", "sync_version.py")
    check = subprocess.run([sys.executable, tool, "--check", "--galaxy", str(galaxy), "--module", str(module)],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 1 and "9.9.9" in check.stderr
    subprocess.run([sys.executable, tool, "--galaxy", str(galaxy), "--module", str(module)], check=True)
    assert 'COLLECTION_VERSION = "9.9.9"' in module.read_text()


@pytest.mark.parametrize("value, shown", [(7.0, "7"), (0.25, "0.25"), (1.23456, "1.2"), (1.02, "1"), (0.001, "0"), (12.6, "13")])
def test_seconds_are_shown_without_noise(value, shown):
    assert _http._seconds(value) == shown
