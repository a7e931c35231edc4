"""Every role at -v and -vvv, given passwords, a license, a private key and an application
credential: none of them appears in ansible-playbook's output (loop items, registered
results and module arguments included)."""

import pytest

from certfactory import Pki, key_pem, pem

from emulator import memstore

RE_USER = "admin@re.test"
RE_PASSWORD = "Role-Passw0rd-Xq7"
LICENSE = "----- LICENSE START -----\nrole-license-line-Zk4Wq9Vb\n----- LICENSE END -----"
CREDENTIAL_ID = "role-credential"
CREDENTIAL_SECRET = "Role-Credential-Secret-Mv3"
DATABASE_PASSWORD = "Role-Database-Passw0rd-Tz5"
RE_GROUP = "group/redisops.platform.redis_enterprise"
MEMSTORE_GROUP = "group/redisops.platform.memstore"


def role(name):
    return [{"name": name, "ansible.builtin.include_role": {"name": "redisops.platform." + name}}]


def re_defaults(emulator):
    return {RE_GROUP: {"ca_path": emulator.tls["ca"], "username": RE_USER, "password": RE_PASSWORD}}


def bootstrap(emulator):
    variables = {"re_cluster_bootstrap_nodes": [emulator.node_url(1), emulator.node_url(2)],
                 "re_cluster_bootstrap_cluster_name": "cluster.re.test", "re_cluster_bootstrap_license": LICENSE}
    return role("re_cluster_bootstrap"), variables, re_defaults(emulator), [RE_PASSWORD, LICENSE]


def maintenance(emulator):
    emulator.seed_re_cluster(password=RE_PASSWORD)
    variables = {"re_node_maintenance_url": emulator.node_url(1), "re_node_maintenance_nodes": [2]}
    return role("re_node_maintenance"), variables, re_defaults(emulator), [RE_PASSWORD]


def rotation(emulator):
    emulator.seed_re_cluster(password=RE_PASSWORD)
    certificate, key, _text = Pki("Role").leaf_cert("proxy.cluster.re.test")
    certificate_text, key_text = pem(certificate), key_pem(key)
    variables = {"re_certificate_rotation_url": emulator.node_url(1),
                 "re_certificate_rotation_certificates": [{"name": "proxy", "certificate": certificate_text, "key": key_text}]}
    # The key's lines that hold its private part: a line of the public key may also be in the certificate.
    private = [line for line in key_text.splitlines() if "-----" not in line and line not in certificate_text]
    return role("re_certificate_rotation"), variables, re_defaults(emulator), [RE_PASSWORD] + private


def provision(emulator):
    emulator.memstore.credentials[CREDENTIAL_ID] = {"secret": CREDENTIAL_SECRET, "project": memstore.DEFAULT_PROJECT_ID}
    instance_set = {"name": "sessions", "version": "7.2.7", "port": 6379, "flavor_id": "flavor-1", "parameter_group_id": "pg-1",
                    "security_groups": ["sg-1"], "node_count": 1, "subnet_assignment": {"primary": "subnet-1"},
                    "user": {"name": "app", "password": DATABASE_PASSWORD}}
    variables = {"memstore_provision_instance_sets": [instance_set], "memstore_provision_poll_interval": 0.2}
    defaults = {MEMSTORE_GROUP: {"api_url": emulator.memstore_url, "identity_url": emulator.identity_url,
                                 "application_credential_id": CREDENTIAL_ID, "application_credential_secret": CREDENTIAL_SECRET}}
    return role("memstore_provision"), variables, defaults, [CREDENTIAL_SECRET, DATABASE_PASSWORD]


def printed(output, secrets):
    """The secrets, or lines of multi-line ones, found in ``output``."""
    found = []
    for secret in secrets:
        pieces = [secret] + [line for line in secret.splitlines() if len(line) > 16 and "-----" not in line]
        found += [piece for piece in pieces if piece in output]
    return found


@pytest.mark.parametrize("verbosity", [1, 3])
@pytest.mark.parametrize("setup", [bootstrap, maintenance, rotation, provision], ids=lambda setup: setup.__name__)
def test_no_role_prints_a_secret(ansible, emulator, setup, verbosity):
    tasks, variables, defaults, secrets = setup(emulator)
    play = ansible.run(tasks, verbosity=verbosity, play_vars=variables, module_defaults=defaults)
    assert play.rc == 0, play.output[-3000:]
    assert printed(play.output, secrets) == []


def test_the_rotation_names_an_incomplete_certificate_without_printing_the_others_keys(ansible, emulator):
    tasks, variables, defaults, secrets = rotation(emulator)
    variables["re_certificate_rotation_certificates"].append({"name": "syncer", "certificate_file": "/nowhere.pem"})
    play = ansible.run(tasks, verbosity=1, play_vars=variables, module_defaults=defaults)
    assert play.rc != 0
    assert "Certificate syncer: give certificate_file and key_file (files on the controller), or certificate and key" in play.output
    assert printed(play.output, secrets) == []
    assert [entry for entry in emulator.log.entries() if entry["method"] != "GET"] == []
