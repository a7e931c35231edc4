"""The memstore_token lookup in a real playbook: one IAM token serves every MemStore task
of the play, and the token never appears in ansible-playbook's output, even at -vvv."""

from emulator.memstore_instance_sets import seed_instance_set

LOOKUP = "lookup('redisops.platform.memstore_token')"
GROUP = "group/redisops.platform.memstore"


def credential_env(emulator):
    """The variables an AWX/AAP credential injector sets for the KakaoCloud credential."""
    info = emulator.info()
    return {"KAKAOCLOUD_APPLICATION_CREDENTIAL_ID": info["application_credential_id"],
            "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET": info["application_credential_secret"],
            "KAKAOCLOUD_IDENTITY_URL": emulator.identity_url,
            "KAKAOCLOUD_MEMSTORE_URL": emulator.memstore_url}


def token_posts(emulator, since=0):
    return [e for e in emulator.log.entries(since) if e["method"] == "POST" and e["path"] == "/identity/v3/auth/tokens"]


def shared_token_tasks(names):
    tasks = [{"name": "Issue one token", "ansible.builtin.set_fact": {"memstore_auth_token": "{{ %s }}" % LOOKUP},
              "no_log": True}]
    for name in names:
        tasks.append({"name": "Read " + name, "redisops.platform.memstore_instance_set_info": {"name": name}})
    tasks.append({"name": "Converge " + names[0], "redisops.platform.memstore_instance_set": {"name": names[0]}})
    return tasks


def test_one_token_serves_every_task_and_never_shows(ansible, emulator):
    names = ["set-one", "set-two", "set-three"]
    for name in names:
        seed_instance_set(emulator, name, nodes=2)
    since = emulator.log.last_seq()
    play = ansible.run(shared_token_tasks(names), verbosity=3, env=credential_env(emulator),
                       module_defaults={GROUP: {"auth_token": "{{ memstore_auth_token }}"}})
    assert play.rc == 0, play.output
    assert [result["instance_sets"][0]["name"] for result in play.results[1:4]] == names
    assert play.results[4]["changed"] is False

    # One token for the play, and every MemStore request carried it.
    assert len(token_posts(emulator, since)) == 1
    api = [e for e in emulator.log.entries(since) if e["path"].startswith("/v1/")]
    assert api and all(e["token"] for e in api)
    assert len(emulator.memstore.tokens) == 1
    token = list(emulator.memstore.tokens)[0]
    assert token not in play.output
    assert token not in play.stdout + play.stderr
    secret = credential_env(emulator)["KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET"]
    assert secret not in play.output
    # The token is not in any task result either (set_fact's result is censored by no_log).
    assert token not in str(play.results)


def test_an_expired_shared_token_is_replaced_with_the_credential(ansible, emulator):
    seed_instance_set(emulator, "set-one", nodes=1)
    tasks = shared_token_tasks(["set-one"])
    tasks.insert(1, {"name": "Expire every token", "ansible.builtin.uri": {
        "url": emulator.memstore_url + "/_emulator/tokens/expire", "method": "POST", "body": {}, "body_format": "json"}})
    play = ansible.run(tasks, env=credential_env(emulator), module_defaults={GROUP: {"auth_token": "{{ memstore_auth_token }}"}})
    assert play.rc == 0, play.output
    assert play.task("Read set-one")["instance_sets"][0]["name"] == "set-one"
    # The lookup's token, then each of the two MemStore tasks issues its own after its 401.
    assert len(token_posts(emulator)) == 3
    for token in emulator.memstore.tokens:
        assert token not in play.output


def test_a_rejected_credential_fails_the_lookup_without_the_secret(ansible, emulator):
    env = dict(credential_env(emulator), KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET="Wr0ng-Secret-Value-123")
    play = ansible.run(shared_token_tasks(["set-one"])[:1], verbosity=3, env=env)
    assert play.rc != 0
    assert "Wr0ng-Secret-Value-123" not in play.output
    assert not emulator.memstore.tokens


def cache_files(directory):
    return sorted(path.name for path in directory.iterdir())


def test_the_token_cache_serves_every_task_and_the_next_run(ansible, emulator, tmp_path):
    """Opt-in token_cache (environment variable, as a job template would set it): the first task
    issues the token, every later task and the re-run reuse it; it never shows, even at -vvv."""
    names = ["set-one", "set-two"]
    for name in names:
        seed_instance_set(emulator, name, nodes=2)
    cache = tmp_path / "tokens"
    env = dict(credential_env(emulator), KAKAOCLOUD_TOKEN_CACHE=str(cache))
    tasks = [{"name": "Read " + name, "redisops.platform.memstore_instance_set_info": {"name": name}} for name in names]
    tasks.append({"name": "Converge set-one", "redisops.platform.memstore_instance_set": {"name": "set-one"}})

    first = ansible.run(tasks, verbosity=3, env=env)
    assert first.rc == 0, first.output
    assert len(token_posts(emulator)) == 1
    files = cache_files(cache)
    assert len(files) == 1 and oct(cache.stat().st_mode & 0o777) == "0o700"
    assert oct((cache / files[0]).stat().st_mode & 0o777) == "0o600"

    since = emulator.log.last_seq()
    second = ansible.run(tasks, verbosity=3, env=env)
    assert second.rc == 0, second.output
    assert second.task("Converge set-one")["changed"] is False
    assert token_posts(emulator, since) == []
    rerun = emulator.log.entries(since)
    assert rerun and all(e["method"] == "GET" for e in rerun)

    token = list(emulator.memstore.tokens)[0]
    secret = env["KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET"]
    stored = (cache / files[0]).read_bytes()
    for play in (first, second):
        assert token not in play.output and secret not in play.output and token not in str(play.results)
    assert token.encode() not in stored and secret.encode() not in stored


def test_a_token_cache_open_to_others_fails_before_any_request(ansible, emulator, tmp_path):
    tmp_path.chmod(0o755)
    env = dict(credential_env(emulator), KAKAOCLOUD_TOKEN_CACHE=str(tmp_path))
    play = ansible.run([{"name": "Read every set", "redisops.platform.memstore_instance_set_info": {}}], env=env)
    assert play.rc != 0
    assert "token_cache: the directory %s must be closed to group and others (chmod 700; its mode is 0o755)" \
        % tmp_path in play.output
    assert emulator.log.entries() == []
