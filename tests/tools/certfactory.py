# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Certificates and keys made at test time (never committed): a root CA, an
intermediate CA, and leaves that are valid, expired, expiring soon or self-signed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import ipaddress

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

DAY = datetime.timedelta(days=1)


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def new_key(kind="ec"):
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def build(common_name, key, issuer_cert=None, issuer_key=None, days=365, start_days=-1, ca=False,
          dns=(), ips=(), not_after=None):
    """A certificate for ``key``, signed by the issuer (self-signed without one)."""
    start = now() + datetime.timedelta(days=start_days)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer_cert.subject if issuer_cert is not None else _name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(not_after or (now() + datetime.timedelta(days=days)))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    alt = [x509.DNSName(name) for name in dns] + [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    if alt:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    return builder.sign(issuer_key if issuer_key is not None else key, hashes.SHA256())


def pem(*certs):
    return "".join(cert.public_bytes(serialization.Encoding.PEM).decode("ascii") for cert in certs)


def key_pem(key, traditional=False):
    fmt = serialization.PrivateFormat.TraditionalOpenSSL if traditional else serialization.PrivateFormat.PKCS8
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode("ascii")


def encrypted_key_pem(key, password=b"Key-Passw0rd"):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.BestAvailableEncryption(password)).decode("ascii")


class Pki:
    """A root CA and an intermediate; ``leaf()`` makes a (PEM certificate, PEM key) pair."""

    def __init__(self, name="Test"):
        self.root_key = new_key()
        self.root = build("%s Root CA" % name, self.root_key, ca=True, days=3650)
        self.intermediate_key = new_key()
        self.intermediate = build("%s Intermediate CA" % name, self.intermediate_key, self.root, self.root_key, ca=True, days=1825)

    def leaf_cert(self, common_name="proxy.cluster.re.test", days=365, start_days=-1, key=None, chain=False,
                  dns=None, ips=(), self_signed=False, not_after=None):
        """(certificate object, key object, PEM text) for a leaf signed by the intermediate."""
        key = key or new_key()
        dns = list(dns if dns is not None else [common_name])
        if self_signed:
            cert = build(common_name, key, days=days, start_days=start_days, dns=dns, ips=ips, not_after=not_after)
            return cert, key, pem(cert)
        cert = build(common_name, key, self.intermediate, self.intermediate_key, days=days, start_days=start_days,
                     dns=dns, ips=ips, not_after=not_after)
        return cert, key, pem(cert, self.intermediate) if chain else pem(cert)

    def leaf(self, common_name="proxy.cluster.re.test", **kwargs):
        """(PEM certificate, PEM key)."""
        _cert, key, text = self.leaf_cert(common_name, **kwargs)
        return text, key_pem(key)
