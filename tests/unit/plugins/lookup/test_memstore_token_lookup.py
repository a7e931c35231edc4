"""The memstore_token lookup against the emulator's IAM endpoint: one token per call,
options and their environment variables, and errors that never hold the secret."""

import pytest
import yaml
from ansible import constants as C
from ansible.errors import AnsibleLookupError

from ansible_collections.redisops.platform.plugins.lookup import memstore_token

NAME = "redisops.platform.memstore_token"

ENV = ("KAKAOCLOUD_APPLICATION_CREDENTIAL_ID", "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET", "KAKAOCLOUD_IDENTITY_URL",
       "KAKAOCLOUD_VALIDATE_CERTS", "KAKAOCLOUD_CA_PATH", "KAKAOCLOUD_REQUEST_TIMEOUT")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def LookupModule():  # pylint: disable=invalid-name
    """The plugin with its documented options registered, as the plugin loader does."""
    C.config.initialize_plugin_configuration_definitions(
        "lookup", NAME, yaml.safe_load(memstore_token.DOCUMENTATION)["options"])
    plugin = memstore_token.LookupModule()
    plugin._load_name = NAME  # pylint: disable=protected-access
    return plugin


def credential(emulator):
    info = emulator.info()
    return {"application_credential_id": info["application_credential_id"],
            "application_credential_secret": info["application_credential_secret"],
            "identity_url": emulator.identity_url}


def token_requests(emulator):
    return [(e["method"], e["path"], e["status"]) for e in emulator.log.entries() if e["path"].startswith("/identity")]


def test_one_call_issues_one_token_the_api_accepts(emulator):
    result = LookupModule().run([], variables={}, **credential(emulator))
    assert len(result) == 1
    token = result[0]
    assert token in emulator.memstore.tokens  # a live token of the emulator's IAM
    assert token_requests(emulator) == [("POST", "/identity/v3/auth/tokens", 201)]


def test_options_come_from_the_environment(emulator, monkeypatch):
    for option, value in credential(emulator).items():
        monkeypatch.setenv("KAKAOCLOUD_" + option.upper(), value)
    token = LookupModule().run([], variables={})[0]
    assert token in emulator.memstore.tokens


def test_a_rejected_credential_fails_without_the_secret(emulator):
    options = credential(emulator)
    options["application_credential_secret"] = "Wr0ng-Secret-Value-123"
    with pytest.raises(AnsibleLookupError) as raised:
        LookupModule().run([], variables={}, **options)
    message = str(raised.value)
    assert "application credential was rejected" in message
    assert "Wr0ng-Secret-Value-123" not in message
    assert not emulator.memstore.tokens


def test_an_unreachable_identity_url_is_a_clear_error(emulator):
    options = credential(emulator)
    options.update(identity_url="http://127.0.0.1:1/identity/v3", request_timeout=2)
    with pytest.raises(AnsibleLookupError) as raised:
        LookupModule().run([], variables={}, **options)
    assert "could not issue a MemStore token" in str(raised.value)
    assert options["application_credential_secret"] not in str(raised.value)


def test_the_credential_is_required(emulator):
    options = credential(emulator)
    del options["application_credential_secret"]
    with pytest.raises(AnsibleLookupError, match="application_credential_secret is required"):
        LookupModule().run([], variables={}, **options)
    assert token_requests(emulator) == []


def test_terms_are_refused(emulator):
    with pytest.raises(AnsibleLookupError, match="takes no terms"):
        LookupModule().run(["something"], variables={}, **credential(emulator))
