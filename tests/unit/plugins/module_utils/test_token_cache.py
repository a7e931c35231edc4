"""The opt-in token cache: private, encrypted files; reuse across clients; no request on a bad directory."""

import base64
import json
import os
import stat
import time

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._factory import build_client
from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient
from ansible_collections.redisops.platform.plugins.module_utils.memstore.token_cache import (
    ASSUMED_LIFETIME,
    REUSE_MARGIN,
    TokenCache,
    token_expiry,
)

IDENTITY = "https://iam.example.test/identity/v3"
TOKEN = "gAAAA-token-value-0123456789abcdef"


def cache_in(directory, credential_id="credential", secret="secret-one"):
    return TokenCache(str(directory), IDENTITY, credential_id, secret)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_stored_token_is_loaded_back_from_a_private_encrypted_file(tmp_path):
    directory = tmp_path / "tokens"
    cache = cache_in(directory)
    cache.store(TOKEN, "project-1", time.time() + 12 * 3600)
    assert mode(str(directory)) == 0o700
    assert mode(cache.path) == 0o600
    assert os.listdir(str(directory)) == [os.path.basename(cache.path)]  # the temporary file was renamed
    raw = open(cache.path, "rb").read()
    for form in (TOKEN, base64.b64encode(TOKEN.encode()).decode(), TOKEN[:12], "secret-one"):
        assert form.encode() not in raw
    assert cache_in(directory).load() == (TOKEN, "project-1")


def test_another_secret_or_credential_sees_nothing(tmp_path):
    cache_in(tmp_path).store(TOKEN, "project-1", time.time() + 12 * 3600)
    assert cache_in(tmp_path, secret="secret-two").load() is None
    assert cache_in(tmp_path, credential_id="other").load() is None


def test_a_rotated_secret_meets_the_old_file_and_cannot_decrypt_it(tmp_path):
    old = cache_in(tmp_path, secret="secret-two")
    old.store(TOKEN, "project-1", time.time() + 12 * 3600)
    rotated = cache_in(tmp_path)
    assert rotated.path == old.path  # named from the credential id
    assert rotated.load() is None
    rotated.store("new-" + TOKEN, "project-1", time.time() + 12 * 3600)
    assert rotated.load() == ("new-" + TOKEN, "project-1")


def test_the_file_name_does_not_depend_on_the_secret_and_each_file_has_its_own_salt(tmp_path):
    one, two = cache_in(tmp_path / "a", secret="weak"), cache_in(tmp_path / "b", secret="another-secret")
    assert os.path.basename(one.path) == os.path.basename(two.path)
    one.store(TOKEN, "project-1", time.time() + 12 * 3600)
    first = json.loads(open(one.path).read())
    one.store(TOKEN, "project-1", time.time() + 12 * 3600)
    second = json.loads(open(one.path).read())
    assert first["salt"] != second["salt"] and len(base64.b64decode(first["salt"])) == 16
    assert first["token"] != second["token"]


def test_a_directory_another_fork_creates_at_the_same_time_is_used(tmp_path, monkeypatch):
    directory = tmp_path / "tokens"
    real_makedirs = os.makedirs

    def another_fork_first(path, *args, **kwargs):
        if not os.path.isdir(path):
            real_makedirs(path, 0o700)  # the other fork wins the race
        return real_makedirs(path, *args, **kwargs)

    monkeypatch.setattr(os, "makedirs", another_fork_first)
    assert cache_in(directory).load() is None
    assert mode(str(directory)) == 0o700


def test_a_fifo_at_the_file_path_is_ignored_without_hanging(tmp_path):
    cache = cache_in(tmp_path)
    os.mkfifo(cache.path, 0o600)
    started = time.monotonic()
    assert cache.load() is None
    assert time.monotonic() - started < 2
    cache.store(TOKEN, "project-1", time.time() + 12 * 3600)  # replaced by a regular file
    assert cache.load() == (TOKEN, "project-1")


def test_a_directory_or_a_link_at_the_file_path_is_not_read(tmp_path):
    cache = cache_in(tmp_path)
    os.mkdir(cache.path, 0o700)
    assert cache.load() is None
    # Ignored, as when reading: a warning, the directory left alone, the task goes on with its token.
    assert cache.store(TOKEN, "project-1", time.time() + 12 * 3600) == (
        "token_cache: %s is a directory, not a token file: the token is not kept for the next tasks (remove it to cache "
        "tokens again)" % cache.path)
    assert os.path.isdir(cache.path) and os.listdir(cache.path) == []
    os.rmdir(cache.path)
    elsewhere = cache_in(tmp_path / "elsewhere")
    elsewhere.store(TOKEN, "project-1", time.time() + 12 * 3600)
    os.symlink(elsewhere.path, cache.path)
    assert cache.load() is None


def test_a_token_close_to_its_expiry_is_not_reused(tmp_path):
    now = time.time()
    cache = cache_in(tmp_path)
    cache.store(TOKEN, "project-1", now + REUSE_MARGIN + 60)
    assert cache.load(now=now) == (TOKEN, "project-1")
    assert cache.load(now=now + 61) is None


def test_a_file_others_can_read_or_a_tampered_file_is_ignored(tmp_path):
    cache = cache_in(tmp_path)
    cache.store(TOKEN, "project-1", time.time() + 12 * 3600)
    os.chmod(cache.path, 0o644)
    assert cache.load() is None
    os.chmod(cache.path, 0o600)
    data = bytearray(open(cache.path, "rb").read())
    data[40] = ord("A") if data[40] != ord("A") else ord("B")
    with open(cache.path, "wb") as handle:
        handle.write(bytes(data))
    assert cache.load() is None


def test_a_directory_open_to_others_is_refused_naming_the_mode(tmp_path):
    os.chmod(str(tmp_path), 0o755)
    with pytest.raises(ClientError) as caught:
        cache_in(tmp_path).load()
    assert str(caught.value) == ("token_cache: the directory %s must be closed to group and others "
                                 "(chmod 700; its mode is 0o755)" % tmp_path)


def test_a_directory_of_another_user_is_refused_naming_the_owner(tmp_path, monkeypatch):
    os.chmod(str(tmp_path), 0o700)
    owner = os.stat(str(tmp_path)).st_uid
    monkeypatch.setattr(os, "getuid", lambda: owner + 4242)
    with pytest.raises(ClientError) as caught:
        cache_in(tmp_path).load()
    text = str(caught.value)
    assert text.startswith("token_cache: the directory %s belongs to " % tmp_path)
    assert "uid %d" % owner in text and "not to you (uid %d)" % (owner + 4242) in text and "chown it" in text
    assert "chmod" not in text


@pytest.mark.parametrize("expires_at, expected", [
    ("2026-12-02T18:00:00.000000Z", 1796234400.0),
    ("2026-12-02T18:00:00Z", 1796234400.0),
    ("2026-12-02T18:00:00+00:00", 1796234400.0),
    ("2026-12-02T18:00:00+09:00", 1000.0 + ASSUMED_LIFETIME),
    ("tomorrow", 1000.0 + ASSUMED_LIFETIME),
    (None, 1000.0 + ASSUMED_LIFETIME),
])
def test_token_expiry_reads_keystone_utc_times_and_assumes_an_hour_otherwise(expires_at, expected):
    assert token_expiry({"token": {"expires_at": expires_at}}, 1000.0) == expected


def memstore_params(emulator, directory, **overrides):
    info = emulator.info()
    params = dict(api_url=emulator.memstore_url, identity_url=emulator.identity_url, region="kr-central-2",
                  auth_token=None, application_credential_id=info["application_credential_id"],
                  application_credential_secret=info["application_credential_secret"], project_id=None,
                  validate_certs=True, ca_path=None, request_timeout=10, token_cache=str(directory))
    params.update(overrides)
    return params


def token_requests(emulator):
    return [e["status"] for e in emulator.log.entries() if e["path"].endswith("/auth/tokens")]


def test_clients_reuse_the_cached_token_and_its_project(emulator, tmp_path):
    MemStoreClient(memstore_params(emulator, tmp_path / "tokens")).get("/v1/clusters")
    second = MemStoreClient(memstore_params(emulator, tmp_path / "tokens"))
    second.get("/v1/clusters")
    assert second.project_id == emulator.info()["project_id"]
    assert token_requests(emulator) == [201]
    assert [e["path"] for e in emulator.log.entries()] == ["/identity/v3/auth/tokens", "/v1/clusters", "/v1/clusters"]


def test_a_rejected_cached_token_is_replaced(emulator, tmp_path):
    MemStoreClient(memstore_params(emulator, tmp_path)).get("/v1/clusters")
    for token in emulator.memstore.tokens.values():
        token["expires_at"] = 0  # revoked, or an emulator restarted: the cache does not know
    assert MemStoreClient(memstore_params(emulator, tmp_path)).get("/v1/clusters").status == 200
    assert MemStoreClient(memstore_params(emulator, tmp_path)).get("/v1/clusters").status == 200
    assert [(e["path"], e["status"]) for e in emulator.log.entries()] == [
        ("/identity/v3/auth/tokens", 201), ("/v1/clusters", 200),
        ("/v1/clusters", 401), ("/identity/v3/auth/tokens", 201), ("/v1/clusters", 200),
        ("/v1/clusters", 200)]


def test_a_bad_cache_directory_fails_before_any_request(emulator, tmp_path):
    os.chmod(str(tmp_path), 0o770)
    client = MemStoreClient(memstore_params(emulator, tmp_path))
    with pytest.raises(ClientError, match="token_cache: the directory"):
        client.get("/v1/clusters")
    assert emulator.log.entries() == []


def test_without_a_credential_or_with_a_given_token_the_cache_is_not_read(emulator, tmp_path):
    given = MemStoreClient(memstore_params(emulator, tmp_path, auth_token="given-token"))
    assert given.token() == "given-token"
    assert not os.listdir(str(tmp_path))


def test_a_directory_at_the_file_path_is_a_warning_not_a_failure(emulator, tmp_path):
    os.chmod(str(tmp_path), 0o700)
    cache = TokenCache(str(tmp_path), emulator.identity_url, emulator.info()["application_credential_id"],
                       emulator.info()["application_credential_secret"])
    os.mkdir(cache.path, 0o700)
    warnings = []
    client = build_client(MemStoreClient, memstore_params(emulator, tmp_path), on_retry=warnings.append)
    assert client.get("/v1/clusters").status == 200
    assert warnings == ["token_cache: %s is a directory, not a token file: the token is not kept for the next tasks (remove "
                        "it to cache tokens again)" % cache.path]
