"""The AWX/AAP credential types in docs/awx/credential_types/: they load, their injectors set
only environment variables the modules read, and together with the documented exclusions
they cover every connection option."""

import re

import pytest

from awx_injectors import credential_types, render
from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION, REDIS_ENTERPRISE_CONNECTION

TYPES = credential_types()
CONNECTIONS = {"kakaocloud_memstore": MEMSTORE_CONNECTION, "redis_enterprise_admin": REDIS_ENTERPRISE_CONNECTION}
# Connection options a credential deliberately does not carry (docs/awx.md says why).
NOT_IN_CREDENTIALS = {
    "kakaocloud_memstore": {"auth_token", "request_timeout", "token_cache"},
    "redis_enterprise_admin": {"request_timeout"},
}
FIELD_TYPES = ("string", "boolean")


def env_of(connection):
    """``{environment variable: option}`` of a connection spec."""
    return dict((var, option) for option, names in connection.env_vars().items() for var in names)


def test_both_credential_types_ship():
    assert sorted(TYPES) == sorted(CONNECTIONS)
    assert TYPES["kakaocloud_memstore"]["name"] == "KakaoCloud MemStore application credential"
    assert TYPES["redis_enterprise_admin"]["name"] == "Redis Enterprise admin"


@pytest.mark.parametrize("stem", sorted(CONNECTIONS))
def test_shape_awx_accepts(stem):
    credential_type = TYPES[stem]
    assert set(credential_type) == {"name", "description", "kind", "inputs", "injectors"}
    assert credential_type["kind"] == "cloud"
    fields = credential_type["inputs"]["fields"]
    ids = [field["id"] for field in fields]
    assert len(ids) == len(set(ids))
    for field in fields:
        assert set(field) <= {"id", "label", "type", "secret", "multiline", "help_text"}, field
        assert field["type"] in FIELD_TYPES and field["label"]
    assert set(credential_type["inputs"]["required"]) <= set(ids)
    referenced = set()
    for template in list(credential_type["injectors"]["env"].values()) + list(credential_type["injectors"]["file"].values()):
        referenced.update(re.findall(r"\b([a-z_]+)\b", template))
    assert set(ids) <= referenced, "every input is injected"


@pytest.mark.parametrize("stem", sorted(CONNECTIONS))
def test_injectors_set_only_variables_the_modules_read(stem):
    readable = env_of(CONNECTIONS[stem])
    injected = set(TYPES[stem]["injectors"]["env"])
    assert injected <= set(readable), injected - set(readable)


@pytest.mark.parametrize("stem", sorted(CONNECTIONS))
def test_every_connection_option_is_covered(stem):
    readable = env_of(CONNECTIONS[stem])
    covered = set(readable[var] for var in TYPES[stem]["injectors"]["env"])
    options = set(CONNECTIONS[stem].argument_spec)
    assert covered | NOT_IN_CREDENTIALS[stem] == options
    assert not covered & NOT_IN_CREDENTIALS[stem]


@pytest.mark.parametrize("stem", sorted(CONNECTIONS))
def test_secrets_are_secret_inputs(stem):
    secret_inputs = set(field["id"] for field in TYPES[stem]["inputs"]["fields"] if field.get("secret"))
    env = TYPES[stem]["injectors"]["env"]
    readable = env_of(CONNECTIONS[stem])
    for option in CONNECTIONS[stem].secret_options():
        variables = [var for var in env if readable[var] == option]
        for var in variables:
            assert set(re.findall(r"\b([a-z_]+)\b", env[var])) & secret_inputs, var


def test_memstore_injection(tmp_path):
    env = render(TYPES["kakaocloud_memstore"], {"application_credential_id": "id-1", "application_credential_secret": "s3cret"},
                 tmp_path)
    assert env["KAKAOCLOUD_APPLICATION_CREDENTIAL_ID"] == "id-1"
    assert env["KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET"] == "s3cret"
    # Empty inputs mean the modules' defaults; TLS stays verified unless asked otherwise.
    assert env["KAKAOCLOUD_REGION"] == env["KAKAOCLOUD_MEMSTORE_URL"] == env["KAKAOCLOUD_CA_PATH"] == ""
    assert env["KAKAOCLOUD_VALIDATE_CERTS"] == "true"


def test_redis_enterprise_injection_writes_the_ca_to_a_file(tmp_path):
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    env = render(TYPES["redis_enterprise_admin"], {"url": "https://node1:9443", "username": "admin@example.com",
                                                   "password": "pw", "ca_certificate": pem, "skip_tls_verify": False}, tmp_path)
    assert env["REDIS_ENTERPRISE_URL"] == "https://node1:9443"
    with open(env["REDIS_ENTERPRISE_CA_PATH"]) as handle:
        assert handle.read() == pem
    assert env["REDIS_ENTERPRISE_CLIENT_CERT"] == env["REDIS_ENTERPRISE_CLIENT_KEY"] == ""
    assert env["REDIS_ENTERPRISE_VALIDATE_CERTS"] == "true"
    with pytest.raises(ValueError):
        render(TYPES["redis_enterprise_admin"], {"username": "admin"}, tmp_path)
