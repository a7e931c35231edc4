# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Redis Enterprise cluster certificates: reading them from the cluster, checking
certificates and keys before they are sent, and describing them without keys.

``GET /v1/cluster/certificates`` answers one flat object of ``<name>_cert`` and
``<name>_key`` PEM strings. The keys are dropped as soon as the answer is read:
nothing in this module keeps, compares or returns a private key of the cluster.

Certificates are compared by the DER bytes of their leaf (the first certificate
of the PEM text), so line ends, indentation, blank lines and the intermediates
that follow the leaf never count as a change.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import datetime
import os
import re
import traceback

from ansible_collections.redisops.platform.plugins.module_utils._http import ClientError

CRYPTOGRAPHY_IMPORT_ERROR = None
try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes, serialization
except ImportError:  # pragma: no cover - reported through missing_required_lib
    x509 = hashes = serialization = None
    InvalidSignature = UnsupportedAlgorithm = Exception
    CRYPTOGRAPHY_IMPORT_ERROR = traceback.format_exc()

CERTIFICATES_PATH = "/v1/cluster/certificates"
UPDATE_CERT_PATH = "/v1/cluster/update_cert"
# Certificate writes update every node before the server answers: up to 900 s.
WRITE_TIMEOUT = 900
# A certificate expiring sooner than this installs with a warning.
EXPIRY_WARNING_DAYS = 30
# The cluster cannot work without these: the server refuses to delete them (403),
# and so does the module, before any request.
REQUIRED = ("api", "cm", "proxy", "syncer", "metrics_exporter", "ccs_internode_encryption", "data_internode_encryption")

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)
_CERT_SUFFIX = "_cert"
_KEY_LABELS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY")


class CertificateError(ValueError):
    """A certificate or key that cannot be used; the message says why (not naming it)."""


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


# --- PEM -------------------------------------------------------------------------------------
def pem_blocks(text):
    """``[(label, der)]`` of every PEM block in ``text``, whatever its line ends and indentation."""
    blocks = []
    for match in _PEM_BLOCK.finditer(text or ""):
        label, body = match.group(1).strip(), match.group(2)
        if "Proc-Type:" in body:
            blocks.append((label, None))  # an encrypted traditional key: its headers are not base64
            continue
        compact = re.sub(r"\s+", "", body)
        try:
            der = base64.b64decode(compact.encode("ascii"), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise CertificateError("a %s block is not valid base64" % label)
        blocks.append((label, der))
    return blocks


def _pem(label, der):
    encoded = base64.b64encode(der).decode("ascii")
    lines = [encoded[i:i + 64] for i in range(0, len(encoded), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)


def load_chain(text, strict=True):
    """The certificates of a PEM text, in order (the leaf first).

    Not ``strict`` (reading what the cluster serves), other PEM blocks are skipped.
    """
    blocks = pem_blocks(text)
    if not strict:
        blocks = [block for block in blocks if block[0] == "CERTIFICATE"]
    if not blocks:
        raise CertificateError("no PEM certificate found (expected -----BEGIN CERTIFICATE-----)")
    chain = []
    for label, der in blocks:
        if label != "CERTIFICATE":
            if "PRIVATE KEY" in label:
                raise CertificateError("the certificate text holds a private key; give the key in 'key'")
            raise CertificateError("unexpected PEM block %r where certificates were expected" % label)
        try:
            chain.append(x509.load_der_x509_certificate(der))
        except ValueError as error:
            raise CertificateError("certificate %d of the text does not parse (%s)" % (len(chain) + 1, error))
    return chain


def load_key(text):
    """``(private key, normalised PEM text)`` of a PEM private key (unencrypted)."""
    keys = [(label, der) for label, der in pem_blocks(text) if "PRIVATE KEY" in label]
    if not keys:
        raise CertificateError("no PEM private key found (expected -----BEGIN PRIVATE KEY----- or a traditional RSA/EC key)")
    if len(keys) > 1:
        raise CertificateError("the key text holds %d private keys; give exactly one" % len(keys))
    label, der = keys[0]
    if label == "ENCRYPTED PRIVATE KEY" or der is None:
        raise CertificateError("the key is encrypted; Redis Enterprise needs it unencrypted")
    if label not in _KEY_LABELS:
        raise CertificateError("unexpected PEM block %r where a private key was expected" % label)
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise CertificateError("the key does not parse (%s)" % _first_line(error))
    return key, _pem(label, der)


def _first_line(error):
    text = str(error).strip().splitlines()
    return text[0] if text else error.__class__.__name__


def public_der(public_key):
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def leaf_der(text):
    """DER bytes of the first certificate of a PEM text, None when it has none or does not parse."""
    try:
        blocks = pem_blocks(text)
    except CertificateError:
        return None
    for label, der in blocks:
        if label == "CERTIFICATE":
            return der
    return None


# --- describing ----------------------------------------------------------------------------
def _not_before(cert):
    value = getattr(cert, "not_valid_before_utc", None)
    return value if value is not None else cert.not_valid_before.replace(tzinfo=datetime.timezone.utc)


def _not_after(cert):
    value = getattr(cert, "not_valid_after_utc", None)
    return value if value is not None else cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)


def _iso(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def days_left(cert, now=None):
    """Whole days until the certificate expires (negative once it has)."""
    seconds = (_not_after(cert) - (now or utcnow())).total_seconds()
    return int(seconds // 86400)


def fingerprint(cert):
    """SHA-256 fingerprint as ``openssl x509 -fingerprint -sha256`` writes it."""
    digest = binascii.hexlify(cert.fingerprint(hashes.SHA256())).decode("ascii").upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def subject_alt_names(cert):
    try:
        extension = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    names = []
    for general_name in extension.value:
        if isinstance(general_name, x509.DNSName):
            names.append("DNS:%s" % general_name.value)
        elif isinstance(general_name, x509.IPAddress):
            names.append("IP:%s" % general_name.value)
        elif isinstance(general_name, x509.RFC822Name):
            names.append("email:%s" % general_name.value)
        elif isinstance(general_name, x509.UniformResourceIdentifier):
            names.append("URI:%s" % general_name.value)
        else:
            names.append(str(general_name.value))
    return names


def describe_chain(name, chain, now=None):
    """The returned description of a certificate (its leaf), never a key."""
    leaf = chain[0]
    return dict(
        name=name,
        subject=leaf.subject.rfc4514_string(),
        issuer=leaf.issuer.rfc4514_string(),
        subject_alt_names=subject_alt_names(leaf),
        serial_number="%X" % leaf.serial_number,
        not_before=_iso(_not_before(leaf)),
        not_after=_iso(_not_after(leaf)),
        days_left=days_left(leaf, now),
        sha256_fingerprint=fingerprint(leaf),
        chain_length=len(chain),
    )


def describe(name, pem, now=None):
    """:func:`describe_chain` of a PEM text from the cluster; one that does not parse says so."""
    try:
        return describe_chain(name, load_chain(pem, strict=False), now)
    except CertificateError as error:
        empty = dict.fromkeys(("subject", "issuer", "serial_number", "not_before", "not_after", "days_left",
                               "sha256_fingerprint", "chain_length"))
        return dict(empty, name=name, subject_alt_names=[], error="the cluster's certificate does not parse: %s" % error)


# --- reading the cluster ----------------------------------------------------------------------
def read_live(client):
    """``{name: certificate PEM}`` from ``GET /v1/cluster/certificates``; keys are dropped here."""
    data = client.get(CERTIFICATES_PATH).data
    if not isinstance(data, dict):
        raise ClientError("GET %s answered %s, not an object of <name>_cert and <name>_key fields"
                          % (CERTIFICATES_PATH, type(data).__name__))
    live = {}
    for field, value in data.items():
        if field.endswith(_CERT_SUFFIX) and isinstance(value, str) and value.strip():
            live[field[:-len(_CERT_SUFFIX)]] = value
    return live


def describe_all(live, now=None):
    """One description per certificate on the cluster, by name."""
    now = now or utcnow()
    return [describe(name, live[name], now) for name in sorted(live)]


def expiring(certificates, within_days):
    """Names whose ``days_left`` is below ``within_days`` (unparsable ones included)."""
    return [c["name"] for c in certificates if c.get("days_left") is None or c["days_left"] < within_days]


# --- checking what is to be installed --------------------------------------------------------
class Desired:
    """A certificate to install: its chain, its key (kept for the request only) and its leaf."""

    def __init__(self, name, chain, key_pem):
        self.name = name
        self.chain = chain
        self.key_pem = key_pem
        self.leaf = chain[0]
        self.leaf_der = self.leaf.public_bytes(serialization.Encoding.DER)
        self.fingerprint = fingerprint(self.leaf)

    @property
    def certificate_pem(self):
        """The chain as canonical PEM (leaf first), as it is sent."""
        return "".join(cert.public_bytes(serialization.Encoding.PEM).decode("ascii") for cert in self.chain)

    def body(self):
        return dict(name=self.name, certificate=self.certificate_pem, key=self.key_pem)


def _issued_by(child, parent):
    """Whether ``parent`` issued ``child`` (names and, when cryptography can tell, the signature)."""
    if child.issuer != parent.subject:
        return False
    verify = getattr(child, "verify_directly_issued_by", None)
    if verify is None:  # cryptography < 40: names only
        return True
    try:
        verify(parent)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True


def check(name, certificate, key, now=None):
    """A :class:`Desired` for a valid entry, else raise CertificateError (the message names it).

    Checks: every certificate parses, the key parses and matches the leaf, the
    leaf is valid now, and each certificate of a chain is issued by the next one.
    """
    now = now or utcnow()
    prefix = "certificate %r: " % name
    try:
        chain = load_chain(certificate)
        private_key, key_pem = load_key(key)
    except CertificateError as error:
        raise CertificateError(prefix + str(error))
    key_der = public_der(private_key.public_key())
    if public_der(chain[0].public_key()) != key_der:
        owner = [i for i, cert in enumerate(chain) if public_der(cert.public_key()) == key_der]
        if owner:
            raise CertificateError(prefix + "the chain is out of order: the key belongs to certificate %d of the text, "
                                   "but the leaf (the certificate of the key) must come first, then each issuer" % (owner[0] + 1))
        raise CertificateError(prefix + "the key does not match the certificate (%s)" % chain[0].subject.rfc4514_string())
    leaf = chain[0]
    if _not_after(leaf) <= now:
        raise CertificateError(prefix + "expired on %s" % _iso(_not_after(leaf)))
    if _not_before(leaf) > now:
        raise CertificateError(prefix + "not valid before %s" % _iso(_not_before(leaf)))
    for index in range(len(chain) - 1):
        if not _issued_by(chain[index], chain[index + 1]):
            raise CertificateError(prefix + "the chain is out of order: certificate %d (%s) is not issued by certificate %d (%s); "
                                   "give the leaf first, then each issuer" % (
                                       index + 1, chain[index].subject.rfc4514_string(), index + 2,
                                       chain[index + 1].subject.rfc4514_string()))
    for index, cert in enumerate(chain[1:], start=2):
        if _not_after(cert) <= now:
            raise CertificateError(prefix + "certificate %d of the chain (%s) expired on %s" % (
                index, cert.subject.rfc4514_string(), _iso(_not_after(cert))))
    return Desired(name, chain, key_pem)


def expiry_warning(desired, now=None):
    """A warning for a certificate that expires within :data:`EXPIRY_WARNING_DAYS`, else None."""
    now = now or utcnow()
    remaining = _not_after(desired.leaf) - now
    if remaining < datetime.timedelta(days=EXPIRY_WARNING_DAYS):
        return "certificate %r expires on %s, in %d day(s): installed anyway; plan its replacement" % (
            desired.name, _iso(_not_after(desired.leaf)), days_left(desired.leaf, now))
    return None


def validate_entries(entries, state, now=None, min_days_left=None):
    """``(names, desired, errors, warnings)`` for the module's ``certificates`` list.

    ``desired`` maps each name to its :class:`Desired` (with ``state=present``).
    Every entry is checked, so one run reports every problem; an error names
    its certificate and says what is wrong. With ``min_days_left``, a certificate
    whose leaf expires within that many days is an error. Nothing here sends a request.
    """
    now = now or utcnow()
    names, desired, errors, warnings = [], {}, [], []
    if not entries:
        errors.append("certificates must list at least one certificate")
    if min_days_left is not None and min_days_left < 0:
        errors.append("min_days_left must be 0 or more (got %d)" % min_days_left)
        min_days_left = None
    for index, entry in enumerate(entries or []):
        name = (entry.get("name") or "").strip()
        if not name:
            errors.append("certificates[%d]: name is empty" % index)
            continue
        if name in names:
            errors.append("certificate %r is listed twice" % name)
            continue
        names.append(name)
        if state == "absent":
            if name in REQUIRED:
                errors.append("certificate %r is required by the cluster and cannot be deleted (required: %s); "
                              "replace it with state=present instead" % (name, ", ".join(REQUIRED)))
            continue
        missing = [option for option in ("certificate", "key") if not (entry.get(option) or "").strip()]
        if missing:
            errors.append("certificate %r: %s required with state=present" % (name, " and ".join(missing) + (" are" if len(missing) > 1 else " is")))
            continue
        try:
            desired[name] = check(name, entry["certificate"], entry["key"], now)
        except CertificateError as error:
            errors.append(str(error))
            continue
        left = days_left(desired[name].leaf, now)
        if min_days_left is not None and left < min_days_left:
            refused = desired.pop(name)
            errors.append("certificate %r expires within %d days (min_days_left): on %s, in %d day(s)"
                          % (name, min_days_left, _iso(_not_after(refused.leaf)), left))
            continue
        warning = expiry_warning(desired[name], now)
        if warning:
            warnings.append(warning)
    return names, desired, errors, warnings


def trust_bundle(ca_path, extra_certificates, default_bundle=None):
    """PEM text trusting what ``ca_path`` trusts (a file or a directory of PEM files,
    else ``default_bundle``, the system's) plus ``extra_certificates``."""
    parts = []
    sources = []
    if ca_path and os.path.isdir(ca_path):
        sources = [os.path.join(ca_path, entry) for entry in sorted(os.listdir(ca_path))]
    elif ca_path or default_bundle:
        sources = [ca_path or default_bundle]
    for source in sources:
        try:
            with open(source, "rb") as handle:
                text = handle.read().decode("utf-8", "replace")
        except (IOError, OSError):
            continue
        try:
            blocks = pem_blocks(text)
        except CertificateError:
            continue
        for label, der in blocks:
            if label == "CERTIFICATE" and der:
                parts.append(_pem("CERTIFICATE", der))
    for cert in extra_certificates:
        parts.append(cert.public_bytes(serialization.Encoding.PEM).decode("ascii"))
    return "".join(parts)
