"""re_bootstrap_info through real ansible-playbook against the emulator."""

MODULE = "redisops.platform.re_bootstrap_info"


def connection(emulator, node=1, **overrides):
    options = {"url": emulator.node_url(node), "ca_path": emulator.tls["ca"]}
    options.update(overrides)
    return options


def test_reads_an_idle_node_over_verified_tls(ansible, emulator):
    play = ansible.run([{"name": "read", MODULE: connection(emulator, 2)}])
    assert play.rc == 0, play.output
    result = play.last
    assert result["changed"] is False
    assert result["bootstrap_status"]["state"] == "idle"
    assert result["local_node_info"]["available_addresses"][0]["address"] == "127.0.0.3"
    # The cluster's name is asked for beside the bootstrap read (no time lost when the node has one); an idle
    # node answers that it is in no cluster, at once (a state: not retried).
    assert sorted((e["path"], e["status"]) for e in emulator.log.entries()) == [("/v1/bootstrap", 200), ("/v1/cluster", 503)]
    assert result["cluster_name"] is None and "warnings" not in result


def test_reads_the_documented_shapes_too(ansible, emulator):
    emulator.seed_re_cluster()
    emulator.re_doc_shapes = True  # available_addrs and a numeric uid, as the documents show
    admin = emulator.info()["re_admin"]
    play = ansible.run([{"name": "read", MODULE: connection(emulator, 1, **admin)}])
    assert play.rc == 0, play.output
    info = play.last["local_node_info"]
    assert info["uid"] == "1"
    assert info["available_addresses"] == info["available_addrs"]
    assert info["available_addresses"][0]["address"] == "127.0.0.2"
    assert play.last["bootstrap_status"]["state"] == "completed"
    # A completed node names its cluster (one more read, at the same time); an idle one does not (the test above).
    assert play.last["cluster_name"] == "cluster.re.test"
    assert sorted(e["path"] for e in emulator.log.entries()) == ["/v1/bootstrap", "/v1/cluster"]


def test_check_mode_and_module_defaults_group(ansible, emulator):
    emulator.seed_re_cluster()
    defaults = {"group/redisops.platform.redis_enterprise": dict(connection(emulator, 3), **emulator.info()["re_admin"])}
    del defaults["group/redisops.platform.redis_enterprise"]["url"]
    play = ansible.run([{"name": "read", MODULE: {"url": emulator.node_url(3)}}], check=True, module_defaults=defaults)
    assert play.rc == 0, play.output
    assert play.last["bootstrap_status"]["state"] == "completed"
    assert play.last["local_node_info"]["uid"] == "3"


def test_credentials_from_environment(ansible, emulator):
    emulator.seed_re_cluster()
    admin = emulator.info()["re_admin"]
    env = {
        "REDIS_ENTERPRISE_URL": emulator.node_url(1),
        "REDIS_ENTERPRISE_USERNAME": admin["username"],
        "REDIS_ENTERPRISE_PASSWORD": admin["password"],
        "REDIS_ENTERPRISE_CA_PATH": emulator.tls["ca"],
        "REDIS_ENTERPRISE_VALIDATE_CERTS": "true",
    }
    play = ansible.run([{"name": "read", MODULE: {}}], env=env)
    assert play.rc == 0, play.output
    assert play.last["bootstrap_status"]["state"] == "completed"
    assert emulator.log.entries()[-1]["user"] == admin["username"]


def test_wrong_password_is_a_clear_failure_without_the_password(ansible, emulator):
    emulator.seed_re_cluster()
    secret = "Wr0ng-Secret-Value"
    play = ansible.run([{"name": "read", MODULE: connection(emulator, 1, username="admin@re.test", password=secret)}], verbosity=3)
    assert play.rc != 0
    result = play.last
    assert result["failed"]
    assert "authentication failed for user 'admin@re.test'" in result["msg"]
    assert "GET /v1/bootstrap" in result["msg"] and "401" in result["msg"]
    assert result["api_error"]["status"] == 401
    assert secret not in play.output


def test_joined_node_without_credentials_says_they_are_needed(ansible, emulator):
    emulator.seed_re_cluster()
    play = ansible.run([{"name": "read", MODULE: connection(emulator, 1)}])
    assert play.rc != 0
    assert "needs username and password" in play.last["msg"]


def test_untrusted_certificate_is_a_clear_tls_failure(ansible, emulator):
    play = ansible.run([{"name": "read", MODULE: connection(emulator, 1, ca_path=emulator.tls["untrusted_ca"])}])
    assert play.rc != 0
    msg = play.last["msg"]
    assert "TLS error" in msg and "certificate verify failed" in msg and "GET /v1/bootstrap" in msg
    assert emulator.log.entries() == []  # the handshake failed: no request reached the node


def test_validate_certs_false_skips_verification(ansible, emulator):
    play = ansible.run([{"name": "read", MODULE: connection(emulator, 1, ca_path=emulator.tls["untrusted_ca"], validate_certs=False)}])
    assert play.rc == 0, play.output


def test_ca_bundle_environment_does_not_override_ca_path(ansible, emulator):
    play = ansible.run([{"name": "read", MODULE: connection(emulator, 1)}],
                       env={"REQUESTS_CA_BUNDLE": emulator.tls["untrusted_ca"], "CURL_CA_BUNDLE": emulator.tls["untrusted_ca"]})
    assert play.rc == 0, play.output


def test_unreachable_host_is_a_clear_failure(ansible, emulator):
    play = ansible.run([{"name": "read", MODULE: {"url": "https://127.0.0.1:1", "request_timeout": 5}}])
    assert play.rc != 0
    assert "connection refused" in play.last["msg"]
    assert "GET /v1/bootstrap" in play.last["msg"]
