"""The shared HTTP client against the emulator: retries, errors, secrets, tokens."""

import pytest
import urllib3.util.retry

from ansible_collections.redisops.platform.plugins.module_utils import _http
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, HttpClient, parse_error_body, redact
from ansible_collections.redisops.platform.plugins.module_utils._memstore import MemStoreClient

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
