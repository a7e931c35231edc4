"""Connection options that could send a request or its credentials somewhere else: a proxy
that would read a plain-HTTP request, a region that is not a region name."""

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._connection import (
    MEMSTORE_CONNECTION,
    REDIS_ENTERPRISE_CONNECTION,
    check_values,
    resolve,
)
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient

PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy_env(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def re_options(url):
    return dict(url=url, username="admin@re.test", password="Secret-Passw0rd")


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
def test_a_plain_http_url_through_a_proxy_elsewhere_is_refused_naming_the_variable(no_proxy_env, variable):
    no_proxy_env.setenv(variable, "http://squid:Proxy-Passw0rd@proxy.invalid:3128")
    with pytest.raises(ValueError) as caught:
        resolve(REDIS_ENTERPRISE_CONNECTION, re_options("http://127.0.0.1:9443"))
    assert str(caught.value) == (
        "url uses http:// and the proxy proxy.invalid set by %s, which would receive the credentials in clear: use https:// "
        "(a proxy then relays TLS it cannot read), or add 127.0.0.1 to NO_PROXY" % variable)
    assert "Proxy-Passw0rd" not in str(caught.value)


@pytest.mark.parametrize("variables", [
    {"HTTP_PROXY": "http://proxy.invalid:3128", "NO_PROXY": "127.0.0.1,localhost"},
    {"HTTP_PROXY": "http://127.0.0.1:3128"},
    {"HTTP_PROXY": "http://localhost:3128"},
    {"HTTPS_PROXY": "http://proxy.invalid:3128"},  # only https:// URLs go through it
])
def test_a_plain_http_url_not_sent_through_a_remote_proxy_is_allowed(no_proxy_env, variables):
    for name, value in variables.items():
        no_proxy_env.setenv(name, value)
    assert resolve(REDIS_ENTERPRISE_CONNECTION, re_options("http://127.0.0.1:9443"))["url"] == "http://127.0.0.1:9443"


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "ALL_PROXY"])
def test_an_https_url_through_a_proxy_is_allowed(no_proxy_env, variable):
    no_proxy_env.setenv(variable, "http://proxy.invalid:3128")  # CONNECT: TLS runs end to end
    assert resolve(REDIS_ENTERPRISE_CONNECTION, re_options("https://node1.example.com:9443"))


def test_memstore_identity_url_through_a_proxy_is_refused(no_proxy_env):
    no_proxy_env.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    with pytest.raises(ValueError, match=r"^api_url uses http:// and the proxy proxy\.invalid set by HTTP_PROXY"):
        resolve(MEMSTORE_CONNECTION, dict(api_url="http://127.0.0.1:8480", identity_url="https://iam.example.com/identity/v3",
                                          auth_token="a-token"))


# --- region ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("region", ["@127.0.0.9:8480/#", "kr-central-2.evil.example", "KR-CENTRAL-2", "kr central", "-kr", "kr--2"])
def test_a_region_that_is_not_a_region_name_is_refused_before_any_request(region):
    message = "region must be a region name such as kr-central-2 (lowercase letters, digits and hyphens)"
    with pytest.raises(ValueError) as caught:
        check_values(dict(region=region, api_url=None, auth_token="t"))
    assert str(caught.value) == message
    with pytest.raises(ValueError) as caught:
        MemStoreClient(dict(region=region, validate_certs=True, request_timeout=30, auth_token="t"))
    assert str(caught.value) == message


@pytest.mark.parametrize("region", ["kr-central-2", "kr-central-1", "us1"])
def test_a_region_name_makes_the_api_url(region):
    params = resolve(MEMSTORE_CONNECTION, dict(region=region, auth_token="a-token"))
    assert MemStoreClient(params).http.base_url == "https://redis.%s.kakaocloud.com" % region


# --- timeouts have upper bounds ----------------------------------------------------------------------------
@pytest.mark.parametrize("name, value, bound", [("request_timeout", 1e12, 3600), ("request_timeout", 3600.5, 3600),
                                                ("wait_timeout", 604801, 604800), ("wait_timeout", "1e300", 604800)])
def test_a_timeout_beyond_its_bound_is_refused_naming_it(name, value, bound):
    with pytest.raises(ValueError) as caught:
        check_values({name: value})
    assert str(caught.value) == "%s must be at most %d seconds (got %s)" % (name, bound, value)


@pytest.mark.parametrize("name, value", [("request_timeout", 3600), ("wait_timeout", 604800), ("request_timeout", 0.5)])
def test_a_timeout_within_its_bound_is_accepted(name, value):
    check_values({name: value})


def test_the_memstore_connection_refuses_1e12_before_any_request():
    with pytest.raises(ValueError, match=r"^request_timeout must be at most 3600 seconds \(got 1000000000000\.0\)$"):
        resolve(MEMSTORE_CONNECTION, dict(auth_token="a-token", request_timeout=1e12))


# --- loopback by address (and the exact name localhost) only ------------------------------------------------
@pytest.mark.parametrize("host", ["evil.localhost", "localhost.evil.example", "127.0.0.1.nip.io", "loopback"])
def test_a_name_that_merely_looks_local_is_not_loopback(host):
    with pytest.raises(ValueError, match="uses http://, which would send the credentials in clear to %s" % host):
        check_values({"url": "http://%s:9443" % host})


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "127.0.0.1", "127.5.6.7", "[::1]"])
def test_loopback_addresses_and_localhost_may_use_http(host):
    check_values({"url": "http://%s:9443" % host})
