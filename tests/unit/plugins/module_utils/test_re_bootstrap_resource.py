"""The bootstrap's module_utils: input rules, the request body, each action's part of it,
error explanations, states."""

from types import SimpleNamespace

import pytest

from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise import bootstrap
from ansible_collections.redisops.platform.plugins.modules import re_bootstrap as module


def params(**overrides):
    """Parameters as AnsibleModule hands them over: every option present, None when unset."""
    values = dict.fromkeys(module.ARGUMENT_SPEC, None)
    values.update(username="admin@example.com", password="Secret-Passw0rd", validate_only=False,
                  action="create_cluster", cluster_name="cluster.example.com")
    values.update(overrides)
    return values


@pytest.mark.parametrize("name", [
    "cluster.example.com",
    "a.b",
    "single-label",
    "x" * 63,  # the longest label
    "1st.cluster.example.com",
    "re-cluster.example.com",
])
def test_valid_cluster_names(name):
    assert bootstrap.cluster_name_problem(name) is None


@pytest.mark.parametrize("name, fragment", [
    ("", "must not be empty"),
    ("a" * 30 + "." + "b" * 30 + ".example", "at most 64 characters"),
    ("x" * 64 + ".com", "at most 64 characters"),
    ("x" * 64, "RFC 1123 labels"),  # 64 characters, but a label has at most 63
    ("bad_label.example.com", "RFC 1123 labels"),
    ("-leading.example.com", "RFC 1123 labels"),
    ("trailing-.example.com", "RFC 1123 labels"),
    ("double..dot.example.com", "RFC 1123 labels"),
    ("trailing.dot.", "RFC 1123 labels"),
    ("space in.example.com", "RFC 1123 labels"),
    ("ünicode.example.com", "RFC 1123 labels"),
])
def test_invalid_cluster_names(name, fragment):
    assert fragment in bootstrap.cluster_name_problem(name)


def test_the_longest_cluster_name_is_64_characters():
    name = "a" * 62 + "."
    assert bootstrap.cluster_name_problem(name + "b") is None
    assert "at most 64" in bootstrap.cluster_name_problem(name + "bc")


@pytest.mark.parametrize("username, bad", [("a&b", "&"), ("<admin>", "< >"), ('say"hi"', '"'), ("ok@example.com", None)])
def test_username_characters(username, bad):
    problem = bootstrap.username_problem(username)
    if bad is None:
        assert problem is None
    else:
        assert problem.endswith("(found %s)" % bad)


@pytest.mark.parametrize("overrides, fragment", [
    (dict(password=None), "username and password are required"),
    (dict(username=None), "username and password are required"),
    (dict(username="a<b"), "username must not contain"),
    (dict(cluster_name="bad_name.example.com"), "RFC 1123"),
    (dict(action="join_cluster", cluster_name=None, cluster_nodes=[]), "cluster_nodes must list at least one address"),
    (dict(action="join_cluster", cluster_name=None, cluster_nodes=["  "]), "cluster_nodes must list at least one address"),
    (dict(action="join_cluster", cluster_name=None, cluster_nodes=["https://10.0.0.1:9443"]), "not URLs"),
    (dict(action="join_cluster", cluster_nodes=["10.0.0.1"], license="x"), "license applies only to action=create_cluster"),
    (dict(cluster_nodes=["10.0.0.1"]), "cluster_nodes applies only to action=join_cluster"),
    (dict(recovery_filename="/x.rdb"), "recovery_filename applies only to action=recover_cluster"),
    (dict(action="recover_cluster", recovery_filename=""), "recovery_filename must name"),
    (dict(extra_config={"cluster": {"name": "x"}}), "extra_config must not set cluster.name: use cluster_name"),
    (dict(extra_config={"node": {"identity": {}}}), "extra_config must not set node.identity: use node_identity"),
    (dict(extra_config={"license": ""}), "extra_config must not set license"),
    (dict(extra_config={"credentials": {}}), "extra_config must not set credentials: use username and password"),
])
def test_validation_names_the_option_and_the_rule(overrides, fragment):
    problems = bootstrap.validate_params(params(**overrides))
    assert any(fragment in problem for problem in problems), problems


@pytest.mark.parametrize("overrides", [
    {},
    dict(action="join_cluster", cluster_name=None, cluster_nodes=["10.0.0.1"]),
    dict(action="join_cluster", cluster_nodes=["node1.example.com"]),  # cluster_name as a check
    dict(action="recover_cluster", cluster_name=None, recovery_filename="/var/opt/redislabs/persist/ccs/ccs-redis.rdb"),
    dict(extra_config={"cluster": {"rack_aware": True}, "node": {"bigstore_driver": "speedb"}, "policy": {}}),
])
def test_valid_parameters(overrides):
    assert bootstrap.validate_params(params(**overrides)) == []


def test_create_body_follows_the_documents():
    body = bootstrap.build_body(params(
        license="LICENSE-TEXT",
        node_paths=dict(persistent_path="/p", ephemeral_path="/e", ccs_persistent_path=None, bigstore_path=None),
        node_identity=dict(addr="10.0.0.1", external_addr=["1.2.3.4"], name=None, rack_id=None, uid=None),
        extra_config={"node": {"bigstore_driver": "rocksdb"}, "cluster": {"rack_aware": True}, "dns_suffixes": [{"name": "x"}]},
    ))
    assert body == {
        "action": "create_cluster",
        "cluster": {"name": "cluster.example.com", "nodes": [], "rack_aware": True},
        "node": {"paths": {"persistent_path": "/p", "ephemeral_path": "/e"},
                 "identity": {"addr": "10.0.0.1", "external_addr": ["1.2.3.4"]},
                 "bigstore_driver": "rocksdb"},
        "credentials": {"username": "admin@example.com", "password": "Secret-Passw0rd"},
        "license": "LICENSE-TEXT",
        "dns_suffixes": [{"name": "x"}],
    }


def test_join_and_recover_bodies():
    join = bootstrap.build_body(params(action="join_cluster", cluster_name="checked.example.com", cluster_nodes=["10.0.0.1"]))
    assert join == {"action": "join_cluster", "cluster": {"nodes": ["10.0.0.1"]},
                    "credentials": {"username": "admin@example.com", "password": "Secret-Passw0rd"}}
    recover = bootstrap.build_body(params(action="recover_cluster", cluster_name=None, recovery_filename="/r.rdb",
                                          node_identity=dict(addr=None, external_addr=None, name=None, rack_id=None, uid=None)))
    assert recover == {"action": "recover_cluster", "recovery_filename": "/r.rdb",
                       "credentials": {"username": "admin@example.com", "password": "Secret-Passw0rd"}}


def test_without_a_license_none_is_sent():
    assert "license" not in bootstrap.build_body(params())


def test_merge_does_not_change_its_inputs():
    base = {"a": {"b": 1}}
    extra = {"a": {"c": 2}}
    assert bootstrap.merge(base, extra) == {"a": {"b": 1, "c": 2}}
    assert base == {"a": {"b": 1}} and extra == {"a": {"c": 2}}


def test_every_documented_error_code_has_a_meaning():
    documented = ("config_error connect_error access_denied invalid_license repair_required insufficient_node_memory "
                  "insufficient_node_flash time_not_sync rack_id_required socket_directory_mismatch node_config_mismatch "
                  "path_error internal_error").split()
    assert sorted(bootstrap.ERROR_MEANINGS) == sorted(documented)


@pytest.mark.parametrize("status, fragments", [
    ({"error_code": "repair_required", "error_details": {"failed_nodes": [{"uid": 2, "rack_id": "r2"}, {"uid": "3"}], "replace_candidate": 2}},
     ["error_code repair_required: the cluster is degraded", "replace candidate: node 2", "failed nodes: node 2 (rack r2), node 3"]),
    ({"error_code": "insufficient_node_memory", "error_details": {"required_memory": 32768}}, ["not have enough memory", "required memory: 32768"]),
    ({"error_code": "insufficient_node_flash", "error_details": {"required_flash": 1024}}, ["required flash: 1024"]),
    ({"error_code": "rack_id_required", "error_details": {"current_rack_ids": ["r1", "r2"]}}, ["node_identity.rack_id", "rack ids in use: r1, r2"]),
    ({"error_code": "invalid_license", "error_details": {"violation_code": "shards", "message": "too many shards"}},
     ["license is invalid", "violation_code: shards", "server message: too many shards"]),
    ({"error_code": "time_not_sync"}, ["clock is not synchronized"]),
    ({"error_code": "brand_new_code", "error_details": {"message": "m"}}, ["error_code brand_new_code: an error code this module does not know", "m"]),
    ({}, ["error_code unknown"]),
])
def test_error_explanations(status, fragments):
    text = bootstrap.explain_error(status)
    for fragment in fragments:
        assert fragment in text


def test_error_details_of_another_shape_do_not_break_the_explanation():
    assert "access_denied" in bootstrap.explain_error({"error_code": "access_denied", "error_details": "plain text"})


@pytest.mark.parametrize("state, ready, failed", [
    ("completed", True, False), ("error", True, True), ("idle", True, False), ("initiated", False, False),
    ("creating_cluster", False, False), ("joining_cluster", False, False), ("recovering_cluster", False, False),
])
def test_the_resource_waits_while_a_bootstrap_is_under_way_and_fails_on_error(state, ready, failed):
    module = SimpleNamespace(params=dict(action="create_cluster", url="https://127.0.0.2:9443", license=None))
    resource = bootstrap.Bootstrap(module, SimpleNamespace(http=SimpleNamespace(add_secret=lambda value: None)))
    status = {"bootstrap_status": {"state": state}}
    assert (resource.ready(status), resource.failed(status)) == (ready, failed)
    assert bootstrap.StartBootstrap(text="", action="create_cluster", body={}).shows(status) == (state in bootstrap.IN_PROGRESS + ("completed",))


def test_describe():
    assert bootstrap.describe({"bootstrap_status": {"state": "joining_cluster"}}) == "state joining_cluster"
    assert bootstrap.describe({"bootstrap_status": {"state": "error", "error_code": "path_error"}}) == "state error (path_error)"


@pytest.mark.parametrize("body", [
    {"state": "error", "error_code": "access_denied"},
    {"bootstrap_status": {"state": "error", "error_code": "access_denied"}},
    {"error_code": "access_denied"},
])
def test_validation_status_bare_or_wrapped(body):
    status = bootstrap.validation_status(body)
    assert status["state"] == "error" and status["error_code"] == "access_denied"


def test_cluster_names_compare_as_dns_names():
    assert bootstrap.same_cluster_name("Cluster.Example.com", "cluster.example.com.")
    assert not bootstrap.same_cluster_name("cluster.example.com", "other.example.com")
    assert not bootstrap.same_cluster_name(None, "cluster.example.com")


@pytest.mark.parametrize("action, required, own", [
    ("create_cluster", "cluster_name", "license"),
    ("join_cluster", "cluster_nodes", "cluster_nodes"),
    ("recover_cluster", "recovery_filename", "recovery_filename"),
])
def test_each_action_names_the_option_it_needs_and_the_one_only_it_takes(action, required, own):
    assert bootstrap.BOOTSTRAP_ACTIONS[action].required == required and bootstrap.BOOTSTRAP_ACTIONS[action].own_option == own
    assert ("action", action, (required,)) in bootstrap.REQUIRED_IF
    others = [name for name in bootstrap.ACTIONS if name != action]
    for other in others:
        problems = bootstrap.validate_params(params(action=other, **{own: ["x"] if own == "cluster_nodes" else "x"}))
        assert "%s applies only to action=%s, not to action=%s" % (own, action, other) in problems


def test_only_create_names_the_cluster_it_made():
    made = dict((name, action.cluster_made(params(action=name))) for name, action in bootstrap.BOOTSTRAP_ACTIONS.items())
    assert made == {"create_cluster": "cluster.example.com", "join_cluster": None, "recover_cluster": None}


def test_the_client_scrubs_the_license():
    options = dict(url="https://127.0.0.2:9443", username="admin@example.com", password="Secret-Passw0rd", validate_certs=True,
                   request_timeout=30, license="----- License -----\nkey: SECRET-LICENSE-KEY")
    [http] = bootstrap.BootstrapClient(options).http_clients()
    assert options["license"] in http.secrets
    assert bootstrap.Bootstrap.client_class is bootstrap.BootstrapClient
