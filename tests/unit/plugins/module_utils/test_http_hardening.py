"""The HTTP client against a hostile network and server: every echoed form of a secret
is redacted, a permanent answer is not retried, a refused connection is retried until
the task's deadline (and no longer), and connection options are checked before any request."""

import base64
import json
import re
import time
from urllib.parse import quote, quote_plus

import pytest

from ansible_collections.redisops.platform.plugins.module_utils import _http
from ansible_collections.redisops.platform.plugins.module_utils._connection import (
    REDIS_ENTERPRISE_CONNECTION,
    check_seconds,
    check_url,
    resolve,
    url_secrets,
)
from ansible_collections.redisops.platform.plugins.module_utils._factory import build_client
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, HttpClient, redact
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient

SECRET = "Pässwort/Geheim 1+&=?"  # changed by every quoting, by JSON and by a latin-1 reading
USER = "admin@re.test"


def _forms(secret, user=USER):
    raw = secret.encode("utf-8")
    forms = {
        "raw": secret,
        "json": json.dumps(secret)[1:-1],
        "json twice": json.dumps(json.dumps(secret)[1:-1])[1:-1],
        "quote default safe": quote(secret),
        "quote no safe": quote(secret, safe=""),
        "quote safe=/&=": quote(secret, safe="/&="),
        "quote_plus": quote_plus(secret),
        "quote_plus safe=/": quote_plus(secret, safe="/"),
        "quote lowercase hex": re.sub("%[0-9A-F]{2}", lambda match: match.group().lower(), quote(secret, safe="")),
        "base64 of the secret": base64.b64encode(raw).decode(),
        "base64 unpadded": base64.b64encode(raw).decode().rstrip("="),
        "urlsafe base64": base64.urlsafe_b64encode(raw).decode(),
        "base64 of user:secret": base64.b64encode(("%s:%s" % (user, secret)).encode()).decode(),
        "utf-8 read as latin-1": raw.decode("latin-1"),
    }
    return forms


@pytest.mark.parametrize("form", sorted(_forms(SECRET)))
def test_redact_every_form_a_server_may_echo(form):
    echoed = _forms(SECRET)[form]
    secrets = [SECRET, _http.basic_credential(USER, SECRET)]
    text = redact("rejected <%s> for admin" % echoed, secrets)
    assert text == "rejected <%s> for admin" % _http.REDACTED, form


def test_redact_each_line_of_a_multi_line_secret_in_every_form():
    key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----"
    for line in key.splitlines()[1:2]:
        for form in (quote(line, safe=""), base64.b64encode(line.encode()).decode(), json.dumps(line)):
            assert "MIGHAgEAMBMG" not in redact("got %s" % form, [key]), form


def node_client(emulator, **kwargs):
    options = dict(ca_path=emulator.tls["ca"], backoff_factor=0.01, secrets=[SECRET])
    options.update(kwargs)
    return HttpClient(emulator.node_url(1), **options)


def test_a_text_body_without_charset_is_read_as_utf8_and_redacted(emulator):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=400, body="password %s rejected" % SECRET)
    with pytest.raises(ApiError) as caught:
        node_client(emulator).get("/v1/bootstrap")
    assert str(caught.value) == "GET /v1/bootstrap returned HTTP 400: password %s rejected" % _http.REDACTED


def test_a_latin1_body_is_still_readable():
    class Answer:
        content = "caf\xe9 closed".encode("latin-1")
        headers = {"Content-Type": "text/plain"}
        encoding = "ISO-8859-1"

    assert _http.response_text(Answer()) == "caf\xe9 closed"


# --- a permanent answer is not retried -------------------------------------------------------
def re_params(emulator, **params):
    options = dict(url=emulator.node_url(1), username=USER, password="Admin-Passw0rd", validate_certs=True,
                   ca_path=emulator.tls["ca"], request_timeout=10)
    options.update(params)
    return options


def re_client(emulator, **params):
    return RedisEnterpriseClient(re_params(emulator, **params))


def test_node_not_in_cluster_fails_at_once_with_the_api_message(emulator):
    warnings = []
    client = build_client(RedisEnterpriseClient, re_params(emulator), deadline=time.monotonic() + 300, on_retry=warnings.append)
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        client.get("/v1/nodes")
    assert time.monotonic() - started < 1
    assert warnings == []
    assert [entry["status"] for entry in emulator.log.entries()] == [503]
    assert str(caught.value) == "GET /v1/nodes returned HTTP 503 (node_not_in_cluster): The node is not part of a cluster"


def test_an_overloaded_node_is_still_retried(emulator):
    emulator.seed_re_cluster()
    emulator.faults.add_http(server="node1", path="/v1/nodes", status=503, code="overloaded", times=2)
    assert re_client(emulator).get("/v1/nodes").status == 200
    assert [entry["status"] for entry in emulator.log.entries()] == [503, 503, 200]


def test_the_last_overloaded_answer_keeps_its_message(emulator):
    emulator.seed_re_cluster()
    emulator.faults.add_http(server="node1", path="/v1/nodes", status=503, code="overloaded", message="try later", times=-1)
    client = re_client(emulator)
    client.http.retries = 1
    client.http.session.get_adapter("https://").max_retries.total = 1
    with pytest.raises(ApiError) as caught:
        client.get("/v1/nodes")
    assert str(caught.value).startswith("GET /v1/nodes returned HTTP 503 (overloaded): try later")


# --- a refused connection is retried within the task's deadline ------------------------------
def test_a_write_to_a_restarting_node_is_sent_once_it_is_back(emulator):
    emulator.node_down(1, 4.0)
    warnings = []
    client = node_client(emulator, backoff_factor=0.5, backoff_max=1.0, on_retry=warnings.append,
                         deadline=time.monotonic() + 30)
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:  # reached the node: the emulator has no such POST
        client.post("/v1/cluster", json_body={})
    assert 3.5 < time.monotonic() - started < 10
    assert caught.value.status == 405
    assert len(emulator.log.entries()) == 1  # sent once, when the node was back
    assert len(warnings) >= 4 and "connection refused" in warnings[-1] and "retried until wait_timeout" in warnings[-1]


def test_a_refused_connection_stops_at_the_deadline(emulator):
    started = time.monotonic()
    emulator.node_down(1, 6.0)
    with pytest.raises(ApiError) as caught:
        node_client(emulator, backoff_factor=0.5, deadline=time.monotonic() + 2).post("/v1/cluster", json_body={})
    assert time.monotonic() - started < 4
    assert caught.value.status is None and "connection refused" in str(caught.value)
    time.sleep(max(0.0, started + 6.5 - time.monotonic()))  # the node is back for the next tests


# --- connection options, before any request --------------------------------------------------
@pytest.mark.parametrize("url, expected", [
    ("http://re.example.test:9443", "url uses http://, which would send the credentials in clear to re.example.test: use https://"),
    ("127.0.0.2:9443", "url has no scheme (https://): a valid URL looks like https://host:9443"),
    ("https://::1:9443", "url has an IPv6 address without brackets: a valid URL looks like https://host:9443 or, "
                         "for an IPv6 address, https://[::1]:9443"),
    ("https://127.0.0.2:9443 ", "url must be a URL without spaces"),
    ("https://node1:94x3", "url has a port that is not a number"),
    ("ftp://node1", "url must start with https:// (not ftp://)"),
    ("https://admin%40re.test:Geheim-1@node1:9443", "url must not carry credentials (user:password@)"),
])
def test_a_bad_url_is_one_sentence_naming_the_option(url, expected):
    with pytest.raises(ValueError) as caught:
        check_url("url", url)
    assert str(caught.value).startswith(expected)
    assert "Geheim" not in str(caught.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8480", "http://localhost:8480", "http://[::1]:8480",
                                 "https://[::1]:9443", "https://node1.re.test:9443/"])
def test_loopback_http_and_https_urls_are_accepted(url):
    check_url("api_url", url)


@pytest.mark.parametrize("value", [0, -1, "0", float("nan"), float("inf"), "inf", "-inf", "soon"])
def test_a_timeout_must_be_a_finite_number_above_zero(value):
    with pytest.raises(ValueError) as caught:
        check_seconds("request_timeout", value)
    assert str(caught.value).startswith("request_timeout must be a finite number of seconds greater than 0")


def test_resolve_checks_the_values_for_inventory_plugins(monkeypatch):
    monkeypatch.delenv("REDIS_ENTERPRISE_URL", raising=False)
    with pytest.raises(ValueError, match="^request_timeout must be"):
        resolve(REDIS_ENTERPRISE_CONNECTION, {"url": "https://node1:9443", "request_timeout": "inf"})
    with pytest.raises(ValueError, match="^url uses http://"):
        resolve(REDIS_ENTERPRISE_CONNECTION, {"url": "http://node1:9443"})


def test_url_secrets_holds_the_password_raw_and_decoded():
    found = url_secrets({"url": "https://admin%40re.test:P%C3%A4ss@node1:9443", "api_url": None})
    assert {"P%C3%A4ss", "P\xe4ss"} <= found
