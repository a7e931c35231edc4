"""When a request is sent again, through real ansible-playbook against the emulator: a request
that changes nothing (a bootstrap validation) is retried like a read; a write the API itself
refused for now (a 503 in its own error shape, or a Retry-After) is read again and, when not
done, sent again; a 502 or 504 from something in between is never a reason to send a write twice."""

import pytest

RE_NODE_ACTION = "redisops.platform.re_node_action"
RE_BOOTSTRAP = "redisops.platform.re_bootstrap"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
MAINTENANCE_ON = "/v1/nodes/2/actions/maintenance_on"
GATEWAY_PAGE = "<html><body><h1>502 Bad Gateway</h1></body></html>"


@pytest.fixture
def cluster(emulator):
    emulator.seed_re_cluster()
    return emulator


def re_defaults(emulator):
    options = {"url": emulator.node_url(1), "ca_path": emulator.tls["ca"]}
    options.update(emulator.info()["re_admin"])
    return {"group/redisops.platform.redis_enterprise": options}


def maintenance_on():
    return {"name": "Enter maintenance", RE_NODE_ACTION: dict(node_uid=2, action="maintenance_on"), "ignore_errors": True}


def posts(emulator, path):
    return [entry["status"] for entry in emulator.log.entries() if entry["method"] == "POST" and entry["path"] == path]


def test_a_503_on_a_bootstrap_validation_is_retried_like_a_read(ansible, emulator):
    path = "/v1/bootstrap/validate/join_cluster"
    emulator.seed_re_cluster(nodes=[1], password="Cr3ate-Admin-Secret")
    emulator.faults.add_http(server="node2", method="POST", path=path, status=503, code="overloaded", message="try again")
    options = {"url": emulator.node_url(2), "ca_path": emulator.tls["ca"], "username": "admin@re.test",
               "password": "Cr3ate-Admin-Secret", "action": "join_cluster", "cluster_nodes": ["127.0.0.2"], "validate_only": True}
    play = ansible.run([{"name": "validate", RE_BOOTSTRAP: options}])
    assert play.rc == 0, play.output
    result = play.last
    assert result["changed"] is False and not result.get("failed")
    assert [w for w in result["warnings"] if "retry" in w] == [
        "POST %s on 127.0.0.3:%d (url) answered HTTP 503; retry 1 of 4 in 0 s" % (path, emulator.re_port)]
    assert posts(emulator, path) == [503, 200]
    assert emulator.node(2).bootstrap["state"] == "idle"
