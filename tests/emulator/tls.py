"""The emulator's CA and the server certificate of its HTTPS servers (every Redis
Enterprise node, and MemStore with ``--memstore-tls``), kept in the state directory."""

import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def make_ca(common_name):
    key = _key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def make_server_cert(ca_cert, ca_key, ips, dns_names, valid_for=datetime.timedelta(days=90)):
    key = _key()
    now = datetime.datetime.now(datetime.timezone.utc)
    alt_names = [x509.DNSName(n) for n in dns_names] + [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns_names[0])]))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + valid_for)
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def _is_ip(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _load(path, loader):
    try:
        with open(path, "rb") as handle:
            return loader(handle.read())
    except (OSError, ValueError):
        return None


def _load_key(data):
    return serialization.load_pem_private_key(data, password=None)


def _usable(cert, key, ca_cert, ips, names):
    """A stored server certificate is kept when the CA signed it, it matches its key,
    covers every address and has more than a day to live."""
    if cert is None or key is None or cert.issuer != ca_cert.subject:
        return False
    if cert.public_key().public_numbers() != key.public_key().public_numbers():
        return False
    try:
        alt_names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    covered = set(str(ip) for ip in alt_names.get_values_for_type(x509.IPAddress))
    covered.update(alt_names.get_values_for_type(x509.DNSName))
    expires = cert.not_valid_after_utc
    return set(ips) | set(names) <= covered and expires - datetime.datetime.now(datetime.timezone.utc) > datetime.timedelta(days=1)


def _write(path, data, private=False):
    # A private key is created 0600 from the start, never readable by others even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    if private:
        os.chmod(path, 0o600)


def write_tls_files(directory, ips):
    """Make (or reuse) ca.pem, ca-key.pem, server.pem, server-key.pem and an unrelated
    untrusted-ca.pem in ``directory``; return their paths.

    Files already there are kept: the CA as long as its certificate and key load, the
    server certificate as long as that CA signed it and it covers ``ips``. So an emulator
    restarted on the same ``--state-dir`` keeps the same ``ca_path``, trusted as before.
    """
    os.makedirs(directory, exist_ok=True)
    names = ["localhost", "cluster.re.test"] + [host for host in ips if not _is_ip(host) and host != "localhost"]
    ips = [host for host in ips if _is_ip(host)]
    paths = {
        "ca": os.path.join(directory, "ca.pem"),
        "ca_key": os.path.join(directory, "ca-key.pem"),
        "cert": os.path.join(directory, "server.pem"),
        "key": os.path.join(directory, "server-key.pem"),
        "untrusted_ca": os.path.join(directory, "untrusted-ca.pem"),
    }
    pem = serialization.Encoding.PEM
    ca_cert = _load(paths["ca"], x509.load_pem_x509_certificate)
    ca_key = _load(paths["ca_key"], _load_key)
    renewed = False
    if ca_cert is None or ca_key is None or ca_cert.public_key().public_numbers() != ca_key.public_key().public_numbers():
        ca_cert, ca_key = make_ca("redisops emulator CA")
        _write(paths["ca_key"], _pem_key(ca_key), private=True)
        _write(paths["ca"], ca_cert.public_bytes(pem))
        renewed = True
    certs = _load(paths["cert"], x509.load_pem_x509_certificates)
    key = _load(paths["key"], _load_key)
    if renewed or not certs or not _usable(certs[0], key, ca_cert, ips, names):
        cert, key = make_server_cert(ca_cert, ca_key, ips, names)
        _write(paths["key"], _pem_key(key), private=True)
        _write(paths["cert"], cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    if _load(paths["untrusted_ca"], x509.load_pem_x509_certificate) is None:
        _write(paths["untrusted_ca"], make_ca("some other CA")[0].public_bytes(pem))
    return paths
