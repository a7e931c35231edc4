"""re_certificates and re_certificates_info through real ansible-playbook against
the emulator, on a seeded cluster (nodes 1..3). Certificates and keys are made
by the tests (certfactory), never committed."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from certfactory import Pki, key_pem, pem
from emulator import re_certificates

MODULE = "redisops.platform.re_certificates"
INFO = "redisops.platform.re_certificates_info"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
BULK = ("PUT", "/v1/cluster/certificates")
LEGACY = ("PUT", "/v1/cluster/update_cert")
NODE_IPS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]


@pytest.fixture(scope="module")
def pki():
    return Pki("Rotation")


@pytest.fixture
def cluster(emulator):
    emulator.seed_re_cluster()
    return emulator


@pytest.fixture
def store(cluster):
    return re_certificates.store_of(cluster, cluster.node(1).cluster)


def connection_defaults(emulator, user="re_admin", **extra):
    options = {"url": emulator.node_url(1), "ca_path": emulator.tls["ca"]}
    options.update(emulator.info()[user])
    options.update(extra)
    return {"group/redisops.platform.redis_enterprise": options}


def task(name, certificates, check_mode=False, ignore_errors=False, **options):
    entry = {"name": name, MODULE: dict(options, certificates=certificates)}
    if check_mode:
        entry["check_mode"] = True
    if ignore_errors:
        entry["ignore_errors"] = True
    return entry


def info_task(name, **options):
    return {"name": name, INFO: options}


def entry(name, certificate=None, key=None):
    item = {"name": name}
    if certificate is not None:
        item.update(certificate=certificate, key=key)
    return item


def writes(entries):
    return [(e["method"], e["path"]) for e in entries if e["method"] in WRITE_METHODS]


def key_lines(*keys):
    """The base64 lines of PEM keys: none may appear in any output."""
    return [line for key in keys for line in key.splitlines() if line and not line.startswith("-----")]


def assert_no_key(text, keys):
    assert "PRIVATE KEY" not in text
    for line in key_lines(*keys):
        assert line not in text


def test_install_what_differs_check_mode_diff_and_rerun(ansible, cluster, store, pki):
    proxy, proxy_key = pki.leaf("proxy.cluster.re.test", chain=True)
    live_cm = store.certificates["cm"]
    cm_messy = live_cm["cert"].replace("\n", "\r\n  ")  # the same certificate, other line ends and indentation
    certificates = [entry("proxy", proxy, proxy_key), entry("cm", cm_messy, live_cm["key"])]
    before = dict((name, dict(c)) for name, c in store.certificates.items())
    play = ansible.run([
        task("Predict", certificates, check_mode=True),
        task("Install", certificates),
    ], diff=True, verbosity=3, module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    predict, install = play.results
    for result in (predict, install):
        assert result["changed"] is True
        assert result["changed_certificates"] == ["proxy"]
        assert [c["name"] for c in result["certificates"]] == sorted(store.certificates)
        described = dict((c["name"], c) for c in result["certificates"])
        assert described["proxy"]["subject"] == "CN=proxy.cluster.re.test"
        assert described["proxy"]["issuer"] == "CN=Rotation Intermediate CA"
        assert described["proxy"]["chain_length"] == 2 and described["proxy"]["days_left"] in (364, 365)
        assert set(result["diff"]["before"]) == set(result["diff"]["after"]) == {"proxy", "cm"}
        assert result["diff"]["before"]["cm"] == result["diff"]["after"]["cm"]
        assert result["diff"]["after"]["proxy"]["sha256_fingerprint"] == described["proxy"]["sha256_fingerprint"]
        assert result["diff"]["before"]["proxy"]["sha256_fingerprint"] != described["proxy"]["sha256_fingerprint"]
    assert predict["actions"][0].startswith("replaced certificate proxy (PUT /v1/cluster/certificates)")
    assert install["actions"] == ["replaced certificate proxy (PUT /v1/cluster/certificates)"]
    entries = cluster.log.entries()
    assert writes(entries) == [BULK]  # check mode wrote nothing; one bulk PUT with only what differs
    put = [e for e in entries if e["method"] == "PUT"][0]
    assert [item["name"] for item in put["body"]["certificates"]] == ["proxy"]
    assert store.certificates["proxy"] == {"cert": proxy, "key": proxy_key}
    assert store.certificates["cm"] == before["cm"]
    # No key anywhere at -vvv --diff: neither the one sent nor the ones the cluster's GET returns.
    assert "ESTABLISH LOCAL CONNECTION" in play.output
    assert_no_key(play.output + json.dumps(play.results), [proxy_key] + [c["key"] for c in before.values()])
    assert cluster.info()["re_admin"]["password"] not in play.output

    seq = cluster.log.last_seq()
    messy = [entry("proxy", proxy.replace("\n", "\r\n") + "\n\n", proxy_key.replace("\n", "\r\n")),
             entry("cm", cm_messy, live_cm["key"])]
    play = ansible.run([task("Again, check mode", messy, check_mode=True), task("Again", messy)], diff=True,
                       module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    assert [r["changed"] for r in play.results] == [False, False]
    assert play.results[1]["changed_certificates"] == [] and play.results[1]["actions"] == []
    entries = cluster.log.entries(seq)
    # per task the cluster's name and the certificates, read at once (in either order)
    reads = [(e["method"], e["path"]) for e in entries]
    assert [sorted(reads[:2]), sorted(reads[2:])] == [[("GET", "/v1/cluster"), ("GET", "/v1/cluster/certificates")]] * 2


def test_a_chain_differing_only_in_intermediates_is_not_a_change(ansible, cluster, store, pki):
    cert, key, _text = pki.leaf_cert("syncer.cluster.re.test")
    store.certificates["syncer"] = {"cert": pem(cert), "key": key_pem(key)}
    play = ansible.run([task("With its chain", [entry("syncer", pem(cert, pki.intermediate, pki.root), key_pem(key))])],
                       module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    assert play.last["changed"] is False and not writes(cluster.log.entries())


def test_invalid_entries_are_refused_before_any_request(ansible, cluster, store, pki):
    good, good_key = pki.leaf("proxy.cluster.re.test")
    _other, other_key = pki.leaf("other")
    expired, expired_key = pki.leaf("cm.cluster.re.test", start_days=-40, days=-2)
    cert, key, _text = pki.leaf_cert("syncer.cluster.re.test")
    before = dict((name, dict(c)) for name, c in store.certificates.items())
    play = ansible.run([task("Install a bad set", [
        entry("proxy", good, good_key),
        entry("api", good, other_key),
        entry("cm", expired, expired_key),
        entry("syncer", pem(pki.intermediate, cert), key_pem(key)),
        entry("metrics_exporter", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", good_key),
    ], ignore_errors=True)], verbosity=3, module_defaults=connection_defaults(cluster))
    result = play.last
    assert result["failed"] is True and result["changed"] is False
    assert result["msg"].startswith("nothing was sent: ")
    assert [e.split(":")[0] for e in result["errors"]] == [
        "certificate 'api'", "certificate 'cm'", "certificate 'syncer'", "certificate 'metrics_exporter'"]
    assert "the key does not match the certificate" in result["errors"][0]
    assert "expired on" in result["errors"][1]
    assert "the chain is out of order" in result["errors"][2]
    assert "not valid base64" in result["errors"][3]
    assert cluster.log.entries() == []  # not even a read
    assert store.certificates == before
    assert_no_key(play.output, [good_key, other_key, expired_key, key_pem(key)])


def test_expiring_soon_installs_with_a_warning(ansible, cluster, store, pki):
    soon, soon_key = pki.leaf("syncer.cluster.re.test", days=12)
    play = ansible.run([task("Install a short-lived certificate", [entry("syncer", soon, soon_key)])],
                       module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    assert play.last["changed"] is True and play.last["changed_certificates"] == ["syncer"]
    assert "certificate 'syncer' expires on" in play.output and "in 11 day(s)" in play.output
    assert store.certificates["syncer"]["cert"] == soon


def test_min_days_left_refuses_before_any_request(ansible, cluster, store, pki):
    soon, soon_key = pki.leaf("syncer.cluster.re.test", days=12)
    later, later_key = pki.leaf("proxy.cluster.re.test", days=90)
    before = dict((name, dict(c)) for name, c in store.certificates.items())
    play = ansible.run([task("Refuse a short-lived certificate", [entry("proxy", later, later_key), entry("syncer", soon, soon_key)],
                             ignore_errors=True, min_days_left=30)], module_defaults=connection_defaults(cluster))
    result = play.last
    assert result["failed"] is True and result["changed"] is False
    assert result["errors"] == [result["errors"][0]] and result["errors"][0].startswith(
        "certificate 'syncer' expires within 30 days (min_days_left): on ")
    assert cluster.log.entries() == []  # not even a read
    assert store.certificates == before
    assert_no_key(play.output, [soon_key, later_key])


def test_auto_falls_back_to_update_cert_on_a_server_without_bulk_update(ansible, cluster, store, pki):
    store.version = re_certificates.LEGACY_VERSION
    proxy, proxy_key = pki.leaf("proxy.cluster.re.test")
    cm, cm_key = pki.leaf("cm.cluster.re.test")
    certificates = [entry("proxy", proxy, proxy_key), entry("cm", cm, cm_key)]
    play = ansible.run([task("Predict", certificates, check_mode=True), task("Install", certificates),
                        task("Again", certificates)], module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    predict, install, again = play.results
    assert predict["changed"] is True and "or one PUT /v1/cluster/update_cert per certificate" in predict["actions"][0]
    assert install["changed"] is True and install["changed_certificates"] == ["proxy", "cm"]
    assert install["actions"] == [
        "no bulk certificate update on this server (PUT /v1/cluster/certificates answered 404): "
        "sending one PUT /v1/cluster/update_cert per certificate",
        "replaced certificate 'proxy' (PUT /v1/cluster/update_cert)",
        "replaced certificate 'cm' (PUT /v1/cluster/update_cert)",
    ]
    assert again["changed"] is False
    assert writes(cluster.log.entries()) == [BULK, LEGACY, LEGACY]
    assert store.certificates["proxy"]["cert"] == proxy and store.certificates["cm"]["cert"] == cm


def test_legacy_and_bulk_methods(ansible, cluster, store, pki):
    proxy, proxy_key = pki.leaf("proxy.cluster.re.test")
    cm, cm_key = pki.leaf("cm.cluster.re.test")
    play = ansible.run([task("Legacy on a new server", [entry("proxy", proxy, proxy_key)], update_method="legacy")],
                       module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    assert writes(cluster.log.entries()) == [LEGACY]
    store.version = re_certificates.LEGACY_VERSION
    seq = cluster.log.last_seq()
    play = ansible.run([task("Bulk on an old server", [entry("cm", cm, cm_key)], update_method="bulk", ignore_errors=True)],
                       module_defaults=connection_defaults(cluster))
    result = play.last
    assert result["failed"] is True and result["changed"] is False
    assert "replacing certificate cm: PUT /v1/cluster/certificates returned HTTP 404" in result["msg"]
    assert "use update_method auto or legacy" in result["msg"]
    assert writes(cluster.log.entries(seq)) == [BULK]
    assert store.certificates["cm"]["cert"] != cm


def test_delete_optional_absent_and_required(ansible, cluster, store, pki):
    ldap, ldap_key = pki.leaf("ldap.cluster.re.test")
    play = ansible.run([
        task("Install the LDAP client certificate", [entry("ldap_client", ldap, ldap_key)]),
        task("Predict deleting it", [entry("ldap_client")], state="absent", check_mode=True),
        task("Delete it", [entry("ldap_client")], state="absent"),
        task("Delete it again", [entry("ldap_client")], state="absent"),
    ], diff=True, module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    install, predict, delete, again = play.results
    assert install["changed"] is True
    assert predict["changed"] is True and predict["changed_certificates"] == ["ldap_client"]
    assert "ldap_client" not in [c["name"] for c in predict["certificates"]]
    assert predict["diff"]["after"] == {} and "ldap_client" in predict["diff"]["before"]
    assert delete["changed"] is True and delete["actions"] == ["deleted certificate 'ldap_client'"]
    assert again["changed"] is False and again["changed_certificates"] == [] and again["actions"] == []
    assert writes(cluster.log.entries()) == [BULK, ("DELETE", "/v1/cluster/certificates/ldap_client")]
    assert "ldap_client" not in store.certificates

    seq = cluster.log.last_seq()
    play = ansible.run([task("Delete required ones", [entry("ldap_client"), entry("proxy"), entry("data_internode_encryption")],
                             state="absent", ignore_errors=True)], module_defaults=connection_defaults(cluster))
    result = play.last
    assert result["failed"] is True and result["changed"] is False
    assert "certificate 'proxy' is required by the cluster and cannot be deleted" in result["msg"]
    assert "certificate 'data_internode_encryption' is required" in result["msg"]
    assert cluster.log.entries(seq) == []


def test_a_lost_put_answer_is_read_again_before_it_is_sent_again(ansible, cluster, store, pki):
    proxy, proxy_key = pki.leaf("proxy.cluster.re.test")
    cluster.faults.add_http(server="node1", method="PUT", path="/v1/cluster/certificates", drop="after")
    play = ansible.run([task("Install, answer lost", [entry("proxy", proxy, proxy_key)])],
                       module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    result = play.last
    assert result["changed"] is True and result["changed_certificates"] == ["proxy"]
    assert result["actions"] == ["replaced certificate proxy (PUT /v1/cluster/certificates) (its answer was lost: found it done)"]
    assert writes(cluster.log.entries()) == [BULK]
    assert store.certificates["proxy"]["cert"] == proxy

    # The connection closed before the server did it: read again, not there, so sent again.
    cm, cm_key = pki.leaf("cm.cluster.re.test")
    seq = cluster.log.last_seq()
    cluster.faults.add_http(server="node1", method="PUT", path="/v1/cluster/certificates", drop="before")
    play = ansible.run([task("Install, request lost", [entry("cm", cm, cm_key)])], module_defaults=connection_defaults(cluster))
    result = play.last
    assert not result.get("failed"), result["msg"]
    assert result["actions"] == ["replaced certificate cm (PUT /v1/cluster/certificates) (its connection was closed without an "
                                 "answer and a read found it not done: sent again)"]
    entries = cluster.log.entries(seq)
    assert writes(entries) == [BULK, BULK]
    assert [e["method"] for e in entries][:5] == ["GET", "GET", "PUT", "GET", "PUT"]  # the cluster's name, the certificates
    assert store.certificates["cm"]["cert"] == cm

    # A proxy's 504 before the server did it: it may still be doing it, so read again, not there, not sent again.
    syncer, syncer_key = pki.leaf("syncer.cluster.re.test")
    seq = cluster.log.last_seq()
    cluster.faults.add_http(server="node1", method="PUT", path="/v1/cluster/certificates", status=504, content_type="text/html",
                            body="<html>504 Gateway Time-out</html>")
    play = ansible.run([task("Install, gateway timeout", [entry("syncer", syncer, syncer_key)], ignore_errors=True)],
                       module_defaults=connection_defaults(cluster))
    result = play.last
    assert result["failed"] is True
    assert "not done, so it was not sent again" in result["msg"]
    assert writes(cluster.log.entries(seq)) == [BULK]
    assert store.certificates["syncer"]["cert"] != syncer


def test_server_refusals_are_explained(ansible, cluster, store, pki):
    proxy, proxy_key = pki.leaf("proxy.cluster.re.test")
    cluster.faults.add_http(server="node1", method="PUT", path="/v1/cluster/certificates", status=406,
                            code="expired_certificate", message="certificate expired")
    cluster.faults.add_http(server="node1", method="PUT", path="/v1/cluster/certificates", status=409,
                            code="nodes_not_updated", message="not all nodes have been updated")
    play = ansible.run([
        task("Refused as expired", [entry("proxy", proxy, proxy_key)], ignore_errors=True),
        task("Not all nodes", [entry("proxy", proxy, proxy_key)], ignore_errors=True),
        task("Unknown name", [entry("proxi", proxy, proxy_key)], ignore_errors=True),
    ], module_defaults=connection_defaults(cluster))
    expired, partial, unknown = play.results
    assert expired["failed"] is True and expired["api_error"]["status"] == 406
    assert expired["msg"] == ("replacing certificate proxy: PUT /v1/cluster/certificates returned HTTP 406 (expired_certificate): "
                              "certificate expired (HTTP 406 here means: expired certificate(s))")
    assert partial["failed"] is True and "(nodes_not_updated)" in partial["msg"]
    assert "run the task again, it sends only what still differs" in partial["msg"]
    assert unknown["failed"] is True and "HTTP 403 (unknown_certificate): unknown certificate 'proxi'" in unknown["msg"]
    assert "a certificate name the server does not know" in unknown["msg"]
    assert writes(cluster.log.entries()) == [BULK] * 3  # 409 is not sent again


def test_a_read_only_user_gets_a_clear_permission_error(ansible, cluster, pki):
    proxy, proxy_key = pki.leaf("proxy.cluster.re.test")
    play = ansible.run([
        task("Viewer installs", [entry("proxy", proxy, proxy_key)], ignore_errors=True),
        info_task("Viewer reads"),
    ], module_defaults=connection_defaults(cluster, user="re_viewer"))
    install, read = play.results
    assert install["failed"] is True and install["api_error"]["status"] == 403
    assert "(forbidden)" in install["msg"] and "permission denied" in install["msg"]
    assert read["failed"] is False and len(read["certificates"]) == 7


def test_info_returns_fields_and_expiring_never_a_key(ansible, cluster, store, pki):
    soon, soon_key = pki.leaf("syncer.cluster.re.test", days=10)
    store.certificates["syncer"] = {"cert": soon, "key": soon_key}
    play = ansible.run([
        info_task("Every certificate"),
        info_task("Expiring within 30 days", expiring_within_days=30),
        info_task("Only proxy and an unknown name", names=["proxy", "nope"]),
        dict(info_task("Check mode"), check_mode=True),
    ], verbosity=3, module_defaults=connection_defaults(cluster, user="re_viewer"))
    assert play.rc == 0, play.output
    every, expiring, only, check = play.results
    assert [c["name"] for c in every["certificates"]] == [
        "api", "ccs_internode_encryption", "cm", "data_internode_encryption", "metrics_exporter", "proxy", "syncer"]
    assert "expiring" not in every and every["changed"] is False
    api = every["certificates"][0]
    assert set(api) == {"name", "subject", "issuer", "subject_alt_names", "serial_number", "not_before", "not_after",
                        "days_left", "sha256_fingerprint", "chain_length"}
    assert "IP:127.0.0.2" in api["subject_alt_names"] and api["issuer"] == "CN=redisops emulator CA"
    assert expiring["expiring"] == ["syncer"]
    assert [c["name"] for c in only["certificates"]] == ["proxy"]
    assert check["certificates"] == every["certificates"]
    assert writes(cluster.log.entries()) == []
    assert_no_key(play.output + json.dumps(play.results), [c["key"] for c in store.certificates.values()])


@pytest.fixture
def serving(cluster, store):
    """The cluster serves a new api certificate once it is installed; restored afterwards."""
    store.serve_api_certificate = True
    yield store
    re_certificates.restore_serving(cluster)


def test_api_replacement_is_verified_with_the_new_chain(ansible, cluster, serving, pki, tmp_path):
    cert, key, _text = pki.leaf_cert("cluster.re.test", dns=["cluster.re.test", "localhost"], ips=NODE_IPS)
    play = ansible.run([task("Replace the api certificate",
                             [entry("api", pem(cert, pki.intermediate, pki.root), key_pem(key))])],
                       module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    result = play.last
    assert result["changed"] is True and result["changed_certificates"] == ["api"]
    assert result["api_verification"]["verified"] is True
    assert result["api_verification"]["trusted"] == "ca_path and the chain given with the new certificate"
    served = [c for c in result["certificates"] if c["name"] == "api"][0]
    assert served["issuer"] == "CN=Rotation Intermediate CA"
    entries = cluster.log.entries()
    calls = [(e["method"], e["path"]) for e in entries]
    assert sorted(calls[:2]) == [("GET", "/v1/cluster"), ("GET", "/v1/cluster/certificates")]  # read at once, in either order
    assert calls[2:] == [BULK, ("GET", "/v1/cluster/certificates")]

    # The old CA no longer verifies the REST API; the new root does.
    root = tmp_path / "new-root.pem"
    root.write_text(pem(pki.root))
    play = ansible.run([dict(info_task("Old CA"), ignore_errors=True),
                        info_task("New root", ca_path=str(root))], module_defaults=connection_defaults(cluster))
    old, new = play.results
    assert old["failed"] is True and "certificate verify failed" in old["msg"]
    assert new["failed"] is False and new["certificates"][0]["sha256_fingerprint"] == served["sha256_fingerprint"]


def test_api_replacement_without_its_chain_is_read_with_ca_path_only(ansible, cluster, serving, pki):
    cert, key, _text = pki.leaf_cert("cluster.re.test", dns=["cluster.re.test"], ips=NODE_IPS)
    play = ansible.run([task("Replace the api certificate, leaf only", [entry("api", pem(cert), key_pem(key))],
                             ignore_errors=True)], module_defaults=connection_defaults(cluster))
    result = play.last
    assert result["failed"] is True and result["changed"] is True, result
    assert result["msg"].startswith("the api certificate was replaced, but the node's new certificate could not be "
                                    "verified trusting ca_path (")
    assert "done so far: replaced certificate api (PUT /v1/cluster/certificates)" in result["msg"]
    assert writes(cluster.log.entries()) == [BULK]
    assert serving.certificates["api"]["cert"] == pem(cert)


def test_auto_fallback_with_a_lost_update_cert_answer(ansible, cluster, store, pki):
    store.version = re_certificates.LEGACY_VERSION
    proxy, proxy_key = pki.leaf("proxy.cluster.re.test")
    cm, cm_key = pki.leaf("cm.cluster.re.test")
    cluster.faults.add_http(server="node1", method="PUT", path="/v1/cluster/update_cert", drop="after")
    play = ansible.run([task("Install on an old server, first answer lost",
                             [entry("proxy", proxy, proxy_key), entry("cm", cm, cm_key)])],
                       module_defaults=connection_defaults(cluster))
    assert play.rc == 0, play.output
    result = play.last
    assert result["changed"] is True and result["changed_certificates"] == ["proxy", "cm"]
    assert result["actions"][1:] == [
        "replaced certificate 'proxy' (PUT /v1/cluster/update_cert) (its answer was lost: found it done)",
        "replaced certificate 'cm' (PUT /v1/cluster/update_cert)",
    ]
    assert writes(cluster.log.entries()) == [BULK, LEGACY, LEGACY]  # proxy was not sent twice
    assert store.certificates["proxy"]["cert"] == proxy and store.certificates["cm"]["cert"] == cm


def test_example_playbook(ansible, cluster, store, pki, tmp_path):
    certificate, key = pki.leaf("proxy.cluster.re.test", chain=True)
    (tmp_path / "proxy.pem").write_text(certificate)
    key_file = tmp_path / "proxy-key.pem"
    key_file.write_text(key)
    admin = cluster.info()["re_admin"]
    env = ansible.env({
        "REDIS_ENTERPRISE_CA_PATH": cluster.tls["ca"],
        "REDIS_ENTERPRISE_USERNAME": admin["username"],
        "REDIS_ENTERPRISE_PASSWORD": admin["password"],
    })
    playbook = Path(__file__).resolve().parents[2] / "playbooks" / "re_certificates.yml"
    extra = json.dumps({"re_node_urls": [cluster.node_url(i) for i in (1, 2, 3)],
                        "re_proxy_certificate_file": str(tmp_path / "proxy.pem"), "re_proxy_key_file": str(key_file)})
    command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook), "-e", extra]
    for _run in range(2):
        proc = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "The cluster serves the new proxy certificate" in proc.stdout
        assert_no_key(proc.stdout + proc.stderr, [key])
    assert "proxy certificate already installed" in proc.stdout
    assert writes(cluster.log.entries()) == [BULK]  # the second run changed nothing
    assert store.certificates["proxy"]["cert"] == certificate
