"""Certificate checks, comparison and descriptions (_certificates.py), with
certificates made by the test."""

import datetime

import pytest
from certfactory import Pki, build, encrypted_key_pem, key_pem, new_key, pem

from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise import certificates as certs
from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError, Response


@pytest.fixture(scope="module")
def pki():
    return Pki()


def test_a_valid_leaf_with_its_chain_is_accepted(pki):
    text, key = pki.leaf(chain=True)
    desired = certs.check("proxy", text, key)
    assert [c.subject.rfc4514_string() for c in desired.chain] == ["CN=proxy.cluster.re.test", "CN=Test Intermediate CA"]
    assert desired.body()["certificate"] == text  # canonical PEM: what cryptography writes
    assert desired.body()["key"] == key


@pytest.mark.parametrize("traditional, kind", [(False, "ec"), (True, "ec"), (True, "rsa"), (False, "rsa")])
def test_key_formats(pki, traditional, kind):
    key = new_key(kind)
    _cert, _key, text = pki.leaf_cert(key=key)
    assert certs.check("cm", text, key_pem(key, traditional=traditional)).name == "cm"


def test_line_ends_and_indentation_do_not_change_the_leaf(pki):
    text, key = pki.leaf(chain=True)
    messy = "\r\n".join("   " + line + "  " for line in text.splitlines()) + "\r\n\r\n"
    assert certs.leaf_der(messy) == certs.check("proxy", text, key).leaf_der
    assert certs.check("proxy", messy, key.replace("\n", "\r\n")).leaf_der == certs.leaf_der(text)
    assert certs.check("proxy", messy, key.replace("\n", "\r\n")).key_pem == key


def test_intermediates_do_not_change_the_leaf(pki):
    cert, key, _text = pki.leaf_cert()
    assert certs.leaf_der(pem(cert)) == certs.leaf_der(pem(cert, pki.intermediate)) == certs.leaf_der(pem(cert, pki.intermediate, pki.root))


def test_mismatched_key_is_refused_naming_the_certificate(pki):
    text, _key = pki.leaf()
    _other, other_key = pki.leaf()
    with pytest.raises(certs.CertificateError, match=r"certificate 'proxy': the key does not match the certificate"):
        certs.check("proxy", text, other_key)


def test_expired_and_not_yet_valid_are_refused(pki):
    expired, key = pki.leaf(start_days=-30, days=-1)
    with pytest.raises(certs.CertificateError, match=r"certificate 'syncer': expired on \d{4}-\d\d-\d\dT"):
        certs.check("syncer", expired, key)
    future, key = pki.leaf(start_days=2, days=300)
    with pytest.raises(certs.CertificateError, match=r"certificate 'syncer': not valid before"):
        certs.check("syncer", future, key)


def test_chain_out_of_order_is_refused(pki):
    cert, key, _text = pki.leaf_cert()
    with pytest.raises(certs.CertificateError, match=r"'api': the chain is out of order: the key belongs to certificate 2"):
        certs.check("api", pem(pki.intermediate, cert), key_pem(key))
    with pytest.raises(certs.CertificateError, match=r"'api': the chain is out of order: certificate 1 .* is not issued by certificate 2 .*Root"):
        certs.check("api", pem(cert, pki.root, pki.intermediate), key_pem(key))


def test_a_chain_certificate_with_the_right_name_but_another_key_is_refused(pki):
    impostor_key = new_key()
    impostor = build("Test Intermediate CA", impostor_key, pki.root, pki.root_key, ca=True)
    cert, key, _text = pki.leaf_cert()
    with pytest.raises(certs.CertificateError, match="out of order"):
        certs.check("api", pem(cert, impostor), key_pem(key))


def test_expired_intermediate_is_refused(pki):
    old_key = new_key()
    old = build("Old Intermediate", old_key, pki.root, pki.root_key, ca=True, start_days=-100, days=-1)
    key = new_key()
    leaf = build("cm.cluster.re.test", key, old, old_key, days=30)
    with pytest.raises(certs.CertificateError, match=r"'cm': certificate 2 of the chain \(CN=Old Intermediate\) expired"):
        certs.check("cm", pem(leaf, old), key_pem(key))


@pytest.mark.parametrize("certificate, key, message", [
    ("not a certificate", None, "no PEM certificate found"),
    ("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", None, "not valid base64"),
    ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", None, "certificate 1 of the text does not parse"),
    (None, "not a key", "no PEM private key found"),
])
def test_unparsable_input_is_refused(pki, certificate, key, message):
    text, good_key = pki.leaf()
    with pytest.raises(certs.CertificateError) as raised:
        certs.check("proxy", certificate or text, key or good_key)
    assert message in str(raised.value) and str(raised.value).startswith("certificate 'proxy': ")


def test_a_key_in_the_certificate_text_and_an_encrypted_key_are_refused(pki):
    cert, key, text = pki.leaf_cert()
    with pytest.raises(certs.CertificateError, match="holds a private key"):
        certs.check("proxy", text + key_pem(key), key_pem(key))
    with pytest.raises(certs.CertificateError, match="the key is encrypted"):
        certs.check("proxy", text, encrypted_key_pem(key))
    with pytest.raises(certs.CertificateError, match="holds 2 private keys"):
        certs.check("proxy", text, key_pem(key) + key_pem(key))


def test_expiry_warning_within_30_days(pki):
    soon_text, soon_key = pki.leaf(days=10)
    later_text, later_key = pki.leaf(days=45)
    warning = certs.expiry_warning(certs.check("proxy", soon_text, soon_key))
    assert warning.startswith("certificate 'proxy' expires on ") and "in 9 day(s)" in warning
    assert certs.expiry_warning(certs.check("proxy", later_text, later_key)) is None


def test_describe_never_holds_a_key_and_reads_sans(pki):
    cert, _key, text = pki.leaf_cert("api.cluster.re.test", dns=["api.cluster.re.test"], ips=["10.0.0.5"], chain=True, days=100)
    info = certs.describe("api", text + key_pem(new_key()))
    assert info["name"] == "api" and info["subject"] == "CN=api.cluster.re.test" and info["issuer"] == "CN=Test Intermediate CA"
    assert info["subject_alt_names"] == ["DNS:api.cluster.re.test", "IP:10.0.0.5"]
    assert info["days_left"] in (99, 100) and info["chain_length"] == 2
    assert info["sha256_fingerprint"] == certs.fingerprint(cert) and len(info["sha256_fingerprint"]) == 95
    assert info["not_after"].endswith("Z") and info["not_before"] < info["not_after"]
    assert "KEY" not in repr(info)


def test_describe_a_cluster_certificate_that_does_not_parse():
    info = certs.describe("proxy", "garbage")
    assert info["name"] == "proxy" and info["sha256_fingerprint"] is None and "does not parse" in info["error"]
    assert certs.expiring([info], 30) == ["proxy"]


def test_days_left_and_expiring():
    key = new_key()
    moment = datetime.datetime.now(datetime.timezone.utc)
    cert = build("x", key, not_after=moment + datetime.timedelta(days=29, hours=23))
    assert certs.days_left(cert, moment) == 29
    assert certs.days_left(cert, moment + datetime.timedelta(days=31)) == -2
    described = [dict(name="a", days_left=29), dict(name="b", days_left=30), dict(name="c", days_left=-1)]
    assert certs.expiring(described, 30) == ["a", "c"]


class FakeClient:
    def __init__(self, data):
        self.data = data

    def get(self, path):
        assert path == certs.CERTIFICATES_PATH
        return Response(200, self.data, {})


def test_read_live_drops_keys(pki):
    text, key = pki.leaf()
    live = certs.read_live(FakeClient({"proxy_cert": text, "proxy_key": key, "metrics_exporter_cert": text,
                                       "metrics_exporter_key": key, "ldap_client_cert": "", "other": 1}))
    assert live == {"proxy": text, "metrics_exporter": text}
    with pytest.raises(ClientError, match="not an object"):
        certs.read_live(FakeClient([]))


def test_validate_entries_reports_every_problem_and_refuses_required_deletes(pki):
    good, good_key = pki.leaf()
    soon, soon_key = pki.leaf(days=5)
    _bad, other_key = pki.leaf()
    names, desired, errors, warnings = certs.validate_entries([
        dict(name="proxy", certificate=good, key=good_key),
        dict(name="syncer", certificate=soon, key=soon_key),
        dict(name="cm", certificate=good, key=other_key),
        dict(name="proxy", certificate=good, key=good_key),
        dict(name="api", certificate=None, key=None),
        dict(name=" ", certificate=good, key=good_key),
    ], "present")
    assert names == ["proxy", "syncer", "cm", "api"]
    assert sorted(desired) == ["proxy", "syncer"]
    assert errors == [
        "certificate 'cm': the key does not match the certificate (CN=proxy.cluster.re.test)",
        "certificate 'proxy' is listed twice",
        "certificate 'api': certificate and key are required with state=present",
        "certificates[5]: name is empty",
    ]
    assert len(warnings) == 1 and warnings[0].startswith("certificate 'syncer' expires on ")
    assert good_key not in repr(errors) + repr(warnings)

    names, desired, errors, _warnings = certs.validate_entries(
        [dict(name="ldap_client"), dict(name="proxy"), dict(name="ccs_internode_encryption")], "absent")
    assert names == ["ldap_client", "proxy", "ccs_internode_encryption"] and desired == {}
    assert [e.split(" is required")[0] for e in errors] == ["certificate 'proxy'", "certificate 'ccs_internode_encryption'"]


def test_min_days_left_refuses_what_expires_too_soon_and_checks_everything_else(pki):
    soon, soon_key = pki.leaf(days=20)
    later, later_key = pki.leaf(days=45)
    _bad, other_key = pki.leaf()
    names, desired, errors, warnings = certs.validate_entries([
        dict(name="proxy", certificate=soon, key=soon_key),
        dict(name="syncer", certificate=later, key=later_key),
        dict(name="cm", certificate=later, key=other_key),
    ], "present", min_days_left=30)
    assert names == ["proxy", "syncer", "cm"] and sorted(desired) == ["syncer"]
    assert len(errors) == 2 and errors[0].startswith("certificate 'proxy' expires within 30 days (min_days_left): on ")
    assert "in 19 day(s)" in errors[0] and "the key does not match" in errors[1]
    assert warnings == []  # refused, not warned about
    assert certs.validate_entries([dict(name="proxy", certificate=soon, key=soon_key)], "present", min_days_left=19)[2] == []
    errors = certs.validate_entries([dict(name="proxy", certificate=later, key=later_key)], "present", min_days_left=-1)[2]
    assert errors == ["min_days_left must be 0 or more (got -1)"]


def test_trust_bundle_joins_ca_path_and_the_chain(pki, tmp_path):
    ca_file = tmp_path / "ca.pem"
    ca_file.write_text(pem(pki.root))
    bundle = certs.trust_bundle(str(ca_file), [pki.intermediate])
    assert bundle == pem(pki.root, pki.intermediate)
    directory = tmp_path / "cas"
    directory.mkdir()
    (directory / "a.pem").write_text(pem(pki.root))
    (directory / "b.txt").write_text("not a certificate")
    assert certs.trust_bundle(str(directory), []) == pem(pki.root)
    assert certs.trust_bundle(None, [pki.root], default_bundle=str(ca_file)) == pem(pki.root, pki.root)


def test_the_client_scrubs_each_key_as_given_and_as_sent(pki):
    _proxy, key = pki.leaf("proxy")
    body = "".join(line for line in key.splitlines() if not line.startswith("-----"))
    rewrapped = "-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n" % "\n".join(
        "  " + body[i:i + 76] for i in range(0, len(body), 76))
    sent = certs.load_key(rewrapped)[1]
    assert sent != rewrapped and certs.key_texts(rewrapped) == [rewrapped, sent]
    params = dict(url="https://node1.example.com:9443", username="admin@example.com", password="Secret-Passw0rd", validate_certs=True,
                  request_timeout=30, certificates=[dict(name="proxy", certificate=None, key=rewrapped), dict(name="api", key=None)])
    [http] = certs.CertificateClient(params).http_clients()
    assert rewrapped in http.secrets and sent in http.secrets
