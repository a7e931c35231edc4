"""Requests that change nothing are retried like reads, through real ansible-playbook against the
emulator (writes sent again: test_resource_runner)."""

RE_BOOTSTRAP = "redisops.platform.re_bootstrap"
PASSWORD = "Cr3ate-Admin-Secret"


def test_a_503_on_a_bootstrap_validation_is_retried_like_a_read(ansible, emulator):
    path = "/v1/bootstrap/validate/join_cluster"
    emulator.seed_re_cluster(nodes=[1], password=PASSWORD)
    emulator.faults.add_http(server="node2", method="POST", path=path, status=503, code="overloaded", message="try again")
    options = {"url": emulator.node_url(2), "ca_path": emulator.tls["ca"], "username": "admin@re.test", "password": PASSWORD,
               "action": "join_cluster", "cluster_nodes": ["127.0.0.2"], "validate_only": True}
    play = ansible.run([{"name": "validate", RE_BOOTSTRAP: options}])
    assert play.rc == 0, play.output
    result = play.last
    assert result["changed"] is False and not result.get("failed")
    assert [w for w in result["warnings"] if "retry" in w] == [
        "POST %s on 127.0.0.3:%d (url) answered HTTP 503; retry 1 of 4 in 0 s" % (path, emulator.re_port)]
    assert [e["status"] for e in emulator.log.entries() if e["method"] == "POST"] == [503, 200]
    assert emulator.node(2).bootstrap["state"] == "idle"
