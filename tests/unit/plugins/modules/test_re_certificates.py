"""re_certificates against a scripted API: what the emulator does not show
(request options, a 405 from an old server, validate_certs false, a missing library)."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args
from certfactory import Pki

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, HttpClient, Response, parse_error_body
from ansible_collections.redisops.platform.plugins.modules import re_certificates, re_certificates_info

CONNECTION = dict(url="https://node1.example.com:9443", username="admin@example.com", password="Secret-Passw0rd")
GET = ("GET", "/v1/cluster/certificates")
BULK = ("PUT", "/v1/cluster/certificates")
LEGACY = ("PUT", "/v1/cluster/update_cert")


@pytest.fixture(scope="module")
def pki():
    return Pki("Unit")


class ScriptedApi:
    """Answers (method, path) from a script: a list of (status, body), the last one repeated.
    A PUT of a certificate changes what the next GET returns."""

    def __init__(self, script, live):
        self.script = dict((key, list(answers)) for key, answers in script.items())
        self.script.setdefault(("GET", "/v1/cluster"), [(200, {"name": "cluster.example.com"})])  # the result's cluster_name
        self.live = live
        self.calls = []

    def request(self, method, path, json_body=None, **kwargs):
        self.calls.append((method, path, json_body, kwargs))
        if (method, path) == GET:
            return Response(200, dict(self.live), {})
        answers = self.script.get((method, path))
        assert answers, "unexpected request %s %s" % (method, path)
        status, body = answers.pop(0) if len(answers) > 1 else answers[0]
        if 200 <= status < 300:
            items = json_body.get("certificates", [json_body]) if isinstance(json_body, dict) else []
            for item in items:
                self.live["%s_cert" % item["name"]] = item["certificate"]
            return Response(status, body, {})
        code, message = parse_error_body(body)
        raise ApiError(method, path, status=status, code=code, message=message)

    @property
    def writes(self):
        return [(method, path) for method, path, _body, _kwargs in self.calls if method != "GET"]


@pytest.fixture
def run(monkeypatch, capsys):
    def run_module(module, script, live, **args):
        api = ScriptedApi(script, live)
        monkeypatch.setattr(HttpClient, "request", lambda _self, method, path, **kwargs: api.request(method, path, **kwargs))
        with patch_module_args(dict(CONNECTION, **args)):
            with pytest.raises(SystemExit):
                module.main()
        return json.loads(capsys.readouterr().out), api

    return run_module


def live_store(pki):
    proxy, proxy_key = pki.leaf("old-proxy")
    api, api_key = pki.leaf("old-api")
    return {"proxy_cert": proxy, "proxy_key": proxy_key, "api_cert": api, "api_key": api_key}


def test_writes_wait_900_seconds_and_are_never_retried_by_the_client(run, pki):
    proxy, key = pki.leaf("proxy")
    result, api = run(re_certificates, {BULK: [(200, {})]}, live_store(pki), certificates=[dict(name="proxy", certificate=proxy, key=key)])
    assert result["changed"] is True
    put = [call for call in api.calls if call[0] == "PUT"][0]
    assert put[3]["timeout"] == 900 and put[3]["retry"] is False
    assert put[2] == {"certificates": [{"name": "proxy", "certificate": proxy, "key": key}]}


def test_a_larger_request_timeout_is_kept_for_writes(run, pki):
    proxy, key = pki.leaf("proxy")
    _result, api = run(re_certificates, {LEGACY: [(200, {})]}, live_store(pki), request_timeout=1200, update_method="legacy",
                       certificates=[dict(name="proxy", certificate=proxy, key=key)])
    assert [call[3]["timeout"] for call in api.calls if call[0] == "PUT"] == [1200]


def test_auto_falls_back_on_405(run, pki):
    proxy, key = pki.leaf("proxy")
    result, api = run(re_certificates, {BULK: [(405, {"error_code": "method_not_allowed", "description": "PUT"})], LEGACY: [(200, {})]},
                      live_store(pki), certificates=[dict(name="proxy", certificate=proxy, key=key)])
    assert result["changed"] is True and result["changed_certificates"] == ["proxy"]
    assert result["cluster_name"] == "cluster.example.com"
    assert api.writes == [BULK, LEGACY]
    assert "answered 405" in result["actions"][0]


def test_api_replacement_without_validation_says_it_was_not_verified(run, pki):
    api_cert, api_key = pki.leaf("new-api", chain=True)
    result, _api = run(re_certificates, {BULK: [(200, {})]}, live_store(pki), validate_certs=False,
                       certificates=[dict(name="api", certificate=api_cert, key=api_key)])
    assert result["changed"] is True
    assert result["api_verification"]["verified"] is False
    assert "without verifying" in result["api_verification"]["message"]


def test_a_key_echoed_by_the_server_is_redacted(run, pki):
    proxy, key = pki.leaf("proxy")
    echo = (400, {"error_code": "invalid_certificate", "description": "bad key: %s" % key})
    result, _api = run(re_certificates, {BULK: [echo]}, live_store(pki), certificates=[dict(name="proxy", certificate=proxy, key=key)])
    assert result["failed"] is True
    assert "HTTP 400 (invalid_certificate)" in result["msg"] and "invalid certificate(s)" in result["msg"]
    body = [line for line in key.splitlines() if not line.startswith("-----")]
    assert not [line for line in body if line in json.dumps(result)]


def test_missing_cryptography_is_reported(run, pki, monkeypatch):
    monkeypatch.setattr(re_certificates, "CRYPTOGRAPHY_IMPORT_ERROR", "Traceback: no module named cryptography")
    monkeypatch.setattr(re_certificates_info, "CRYPTOGRAPHY_IMPORT_ERROR", "Traceback: no module named cryptography")
    for module in (re_certificates, re_certificates_info):
        args = dict(certificates=[dict(name="proxy")]) if module is re_certificates else {}
        result, api = run(module, {}, live_store(pki), **args)
        assert result["failed"] is True and "cryptography" in result["msg"] and api.calls == []
