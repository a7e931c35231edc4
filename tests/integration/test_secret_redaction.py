"""Every entry point of the collection (each module, both inventory plugins, the
memstore_token lookup) against a server whose error body echoes the credentials in
every form a server may use: none of them reaches ansible's output, at -vvv."""

import base64
import json
from urllib.parse import quote, quote_plus

import pytest

from certfactory import Pki
from inventory_runner import run_inventory

from emulator import memstore

RE_USER = "admin@re.test"
# Non-ASCII (a latin-1 reading changes it), and changed by JSON, by every URL quoting and by Base64.
RE_PASSWORD = 'Pässwort-Geheim-1/+&"'
CREDENTIAL_ID = "echo-credential"
MEMSTORE_SECRET = "Gehe1mnis/Schlüssel+&?\\"


def echoed_forms(user, secret):
    """A secret as a server may echo it (DESIGN of the HTTP client: every form it redacts)."""
    raw = secret.encode("utf-8")
    once = json.dumps(secret)[1:-1]
    return [
        secret,
        once,
        json.dumps(once)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret),  # safe="/"
        quote(secret, safe=""),
        quote(secret, safe="/&+"),
        quote_plus(secret),
        base64.b64encode(raw).decode(),
        base64.b64encode(("%s:%s" % (user, secret)).encode()).decode(),
    ]


def echo_body(user, secret):
    """A text/plain body without charset, as a proxy or a careless server answers."""
    return "request rejected; it carried " + " | ".join(echoed_forms(user, secret))


def re_options(emulator):
    return {"url": emulator.node_url(1), "ca_path": emulator.tls["ca"], "username": RE_USER, "password": RE_PASSWORD}


def memstore_options(emulator):
    return {"api_url": emulator.memstore_url, "identity_url": emulator.identity_url,
            "application_credential_id": CREDENTIAL_ID, "application_credential_secret": MEMSTORE_SECRET}


def module(module_name, **args):
    return ("module", module_name, args)


# Every module, both inventory plugins and the lookup: (kind, name, the entry point's own options).
ENTRY_POINTS = [
    module("re_bootstrap", action="create_cluster", cluster_name="cluster.re.test"),
    module("re_bootstrap_info"),
    module("re_certificates", certificates="proxy"),  # a certificate and its key, made when the test runs
    module("re_certificates_info"),
    module("re_cluster", name="cluster.re.test"),  # its nodes: the emulator's, known when the test runs
    module("re_node_action", node_uid=2, action="maintenance_on"),
    module("re_node_action_info", node_uid=2),
    module("re_node_info"),
    module("re_cluster_health"),
    module("re_database_recovery"),
    module("memstore_backup", name="nightly", instance_set="cache-echo"),
    module("memstore_backup_info", instance_set="cache-echo"),
    module("memstore_cluster", name="cache-echo", state="absent"),
    module("memstore_cluster_info", name="cache-echo"),
    module("memstore_instance_set", name="cache-echo", state="absent"),
    module("memstore_instance_set_info", name="cache-echo"),
    module("memstore_flavor_info"),
    module("memstore_parameter_group", name="tuned-echo", base="default-redis-7.2.7"),
    module("memstore_parameter_group_info", name="tuned-echo"),
    module("memstore_resources", instance_sets=[{"name": "cache-echo", "state": "absent"}], clusters=[{"name": "orders-echo", "state": "absent"}]),
    ("inventory", "redis_enterprise", {}),
    ("inventory", "memstore", {}),
    ("lookup", "memstore_token", {}),
]


def test_the_table_covers_every_module_plugin_and_lookup():
    from collection_link import ROOT  # pylint: disable=import-outside-toplevel
    import os  # pylint: disable=import-outside-toplevel

    listed = set((kind, name) for kind, name, _args in ENTRY_POINTS)
    for kind, folder in (("module", "modules"), ("inventory", "inventory"), ("lookup", "lookup")):
        present = set(name[:-3] for name in os.listdir(os.path.join(ROOT, "plugins", folder))
                      if name.endswith(".py") and not name.startswith("_"))
        assert present == set(name for k, name in listed if k == kind), folder


def run_entry_point(ansible, emulator, kind, name, args):
    """Run one entry point at -vvv; return (its output, its error text)."""
    api = "re" if name.startswith("re") or name == "redis_enterprise" else "memstore"
    options = re_options(emulator) if api == "re" else memstore_options(emulator)
    if kind == "inventory":
        config = dict(options, plugin="redisops.platform.%s" % name)
        inventory = run_inventory(ansible, "echo.%s.yml" % name, config, env={"ANSIBLE_VERBOSITY": "3"})
        assert inventory.rc != 0, inventory.output
        return inventory.output, inventory.output
    if kind == "lookup":
        options = dict((key, value) for key, value in options.items() if key != "api_url")
        call = ", ".join("%s=echo_%s" % (key, key) for key in sorted(options))
        task = {"name": name, "ansible.builtin.debug": {"msg": "{{ lookup('redisops.platform.memstore_token', %s) }}" % call},
                "ignore_errors": True}
        play = ansible.run([task], verbosity=3, play_vars=dict(("echo_%s" % key, value) for key, value in options.items()))
        return play.output, play.output
    if name == "re_certificates":
        certificate, key = Pki("Echo").leaf("proxy.cluster.re.test")
        args = dict(certificates=[{"name": args["certificates"], "certificate": certificate, "key": key}])
    if name == "re_cluster":
        args = dict(args, nodes=[emulator.node_url(1), emulator.node_url(2)])
    task = {"name": name, "redisops.platform." + name: dict(options, **args), "ignore_errors": True}
    play = ansible.run([task], verbosity=3)
    result = play.last
    assert result["failed"] is True, (name, result)
    return play.output + json.dumps(result, ensure_ascii=False), result["msg"]


@pytest.mark.parametrize("kind, name, args", ENTRY_POINTS, ids=["%s:%s" % (kind, name) for kind, name, _args in ENTRY_POINTS])
def test_no_entry_point_prints_a_secret_a_server_echoes(ansible, emulator, kind, name, args):
    emulator.seed_re_cluster(password=RE_PASSWORD)
    emulator.memstore.credentials[CREDENTIAL_ID] = {"secret": MEMSTORE_SECRET, "project": memstore.DEFAULT_PROJECT_ID}
    emulator.faults.add_http(server="re", status=400, times=-1, body=echo_body(RE_USER, RE_PASSWORD))
    memstore_path = "/identity/v3/auth/tokens" if kind == "lookup" else "/v1/*"
    emulator.faults.add_http(server="memstore", path=memstore_path, status=400, times=-1,
                             body=echo_body(CREDENTIAL_ID, MEMSTORE_SECRET))
    output, error = run_entry_point(ansible, emulator, kind, name, args)
    assert "HTTP 400" in error and "request rejected; it carried ********" in error, error
    assert any(entry["status"] == 400 for entry in emulator.log.entries()), "no request reached the echoing server"
    for user, secret in ((RE_USER, RE_PASSWORD), (CREDENTIAL_ID, MEMSTORE_SECRET)):
        leaked = [form for form in echoed_forms(user, secret) + [secret.encode("utf-8").decode("latin-1")] if form in output]
        assert leaked == [], (name, leaked)
