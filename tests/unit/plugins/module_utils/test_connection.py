"""The connection options' specs: a credential given in part names the missing part and its
environment variable (modules, inventory plugins, event sources and the lookup share the
messages), and resolve() gives what AnsibleModule would (environment variables, defaults,
types) through ansible's own ArgumentSpecValidator."""

import os

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._connection import (
    MEMSTORE_CONNECTION,
    REDIS_ENTERPRISE_CONNECTION,
    resolve,
)

RE_URL = "https://node1.re.test:9443"
MEMSTORE_URL = "https://memstore.example.test"


@pytest.fixture(autouse=True)
def no_connection_env(monkeypatch):
    for name in [key for key in os.environ if key.startswith(("REDIS_ENTERPRISE_", "KAKAOCLOUD_"))]:
        monkeypatch.delenv(name)


PARTS = [
    (REDIS_ENTERPRISE_CONNECTION, dict(url=RE_URL, username="admin@re.test"), "username and password", "password",
     "REDIS_ENTERPRISE_PASSWORD"),
    (REDIS_ENTERPRISE_CONNECTION, dict(url=RE_URL, password="Secret-Passw0rd"), "username and password", "username",
     "REDIS_ENTERPRISE_USERNAME"),
    (MEMSTORE_CONNECTION, dict(api_url=MEMSTORE_URL, application_credential_id="cred-id"),
     "application_credential_id and application_credential_secret", "application_credential_secret",
     "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET"),
    (MEMSTORE_CONNECTION, dict(api_url=MEMSTORE_URL, auth_token="t0ken", application_credential_secret="Secret-Value"),
     "application_credential_id and application_credential_secret", "application_credential_id",
     "KAKAOCLOUD_APPLICATION_CREDENTIAL_ID"),
    (REDIS_ENTERPRISE_CONNECTION, dict(url=RE_URL, client_key="/tmp/key.pem"), "client_key and client_cert", "client_cert",
     "REDIS_ENTERPRISE_CLIENT_CERT"),
]


@pytest.mark.parametrize("connection, given, together, absent, variable", PARTS)
def test_a_credential_given_in_part_names_the_missing_option_and_its_variable(connection, given, together, absent, variable):
    expected = "%s are required together: set %s %s, or the environment variable %s"
    module = connection.module_where()
    assert connection.missing(given, module) == [expected % (together, absent, module, variable)]
    with pytest.raises(ValueError) as raised:
        resolve(connection, given, "in the inventory file")
    assert str(raised.value) == expected % (together, absent, "in the inventory file", variable)
    assert "Secret" not in str(raised.value)


@pytest.mark.parametrize("connection, given, together, absent, variable", PARTS)
def test_the_missing_part_may_come_from_its_variable(connection, given, together, absent, variable, monkeypatch):
    monkeypatch.setenv(variable, "/tmp/cert.pem" if absent == "client_cert" else "from-the-environment")
    params = resolve(connection, given)
    assert params[absent] == os.environ[variable]


def test_a_module_no_longer_gets_ansibles_generic_message():
    # AnsibleModule checks these itself (its message names no variable): none are left to it.
    for connection in (MEMSTORE_CONNECTION, REDIS_ENTERPRISE_CONNECTION):
        assert connection.required_together == [] and connection.mutually_exclusive == []


def test_resolve_takes_the_environment_then_the_default_and_converts_types(monkeypatch):
    monkeypatch.setenv("REDIS_ENTERPRISE_VALIDATE_CERTS", "no")
    monkeypatch.setenv("REDIS_ENTERPRISE_REQUEST_TIMEOUT", "12.5")
    monkeypatch.setenv("HOME", "/home/operator")
    params = resolve(REDIS_ENTERPRISE_CONNECTION, dict(url=RE_URL, ca_path="~/ca.pem", username=None))
    assert params["validate_certs"] is False and params["request_timeout"] == 12.5
    assert params["ca_path"] == "/home/operator/ca.pem"
    assert params["username"] is None and params["password"] is None
    memstore = resolve(MEMSTORE_CONNECTION, dict(auth_token="t0ken"))
    assert (memstore["region"], memstore["identity_url"], memstore["request_timeout"], memstore["validate_certs"]) == (
        "kr-central-2", "https://iam.kakaocloud.com/identity/v3", 30.0, True)


def test_a_value_given_wins_over_its_variable(monkeypatch):
    monkeypatch.setenv("REDIS_ENTERPRISE_URL", "https://other.re.test:9443")
    assert resolve(REDIS_ENTERPRISE_CONNECTION, dict(url=RE_URL))["url"] == RE_URL
    assert resolve(REDIS_ENTERPRISE_CONNECTION, dict(url=None))["url"] == "https://other.re.test:9443"


def test_a_bad_type_names_the_option_and_the_variable_it_came_from(monkeypatch):
    with pytest.raises(ValueError, match="^argument 'request_timeout' is of type str and we were unable to convert to float"):
        resolve(REDIS_ENTERPRISE_CONNECTION, dict(url=RE_URL, request_timeout="soon"))
    monkeypatch.setenv("REDIS_ENTERPRISE_VALIDATE_CERTS", "maybe")
    with pytest.raises(ValueError) as raised:
        resolve(REDIS_ENTERPRISE_CONNECTION, dict(url=RE_URL))
    assert "'validate_certs'" in str(raised.value)
    assert str(raised.value).endswith("(set by the environment variable REDIS_ENTERPRISE_VALIDATE_CERTS)")
