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
import tempfile
import traceback

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, ClientError
from ansible_collections.redisops.platform.plugins.module_utils._resource import LOST_ANSWER, Plan, Resource, Step, step_class
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.identity import NamesItsCluster

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


def key_texts(text):
    """A key as given and as :func:`load_key` normalises it (what is sent): the texts an error must never show."""
    if not text:
        return []
    try:
        blocks = pem_blocks(text)
    except CertificateError:
        blocks = []
    return [text] + [_pem(label, der) for label, der in blocks if "PRIVATE KEY" in label and der]


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


# --- the resource ------------------------------------------------------------------------------------
ARGUMENT_SPEC = dict(
    certificates=dict(type="list", elements="dict", required=True, options=dict(
        name=dict(type="str", required=True),
        certificate=dict(type="str"),
        key=dict(type="str", no_log=True),
    )),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    update_method=dict(type="str", default="auto", choices=["auto", "bulk", "legacy"]),
    min_days_left=dict(type="int"),
)

# What the documented statuses mean, per kind of write.
PUT_MEANINGS = {
    400: "invalid certificate(s)",
    403: "a certificate name the server does not know, or permission denied for this user's role",
    404: "invalid certificate",
    406: "expired certificate(s)",
    409: "not all nodes have been updated; run the task again, it sends only what still differs",
}
DELETE_MEANINGS = {
    403: "a required certificate, or permission denied for this user's role",
    404: "a certificate the server does not know",
    409: "not all nodes have been updated; run the task again",
}
# A bulk PUT answered so comes from a server without the bulk endpoint (before 7.22.2).
NO_BULK = (404, 405)


def _with_meaning(error, meanings, no_bulk=False):
    """``error`` with what its status means for this API, unless the runner treats it as lost."""
    if error.status is None or error.status >= 500:
        return error
    message = error.message
    if no_bulk and error.status in NO_BULK:
        message = ("%s (this server has no bulk certificate update, added in Redis Enterprise 7.22.2: "
                   "use update_method auto or legacy)" % (message or "not found"))
    elif error.status in meanings:
        message = "%s (HTTP %s here means: %s)" % (message or "refused", error.status, meanings[error.status])
    return ApiError(error.method, error.path, status=error.status, code=error.code, message=message,
                    transport=error.transport, retry_after=error.retry_after)


def _system_bundle():
    """The CA bundle requests verifies with when no ca_path is set."""
    for variable in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        if os.environ.get(variable):
            return os.environ[variable]
    try:
        from requests import certs
    except ImportError:  # pragma: no cover - the module fails earlier without requests
        return None
    return certs.where()


class CertificateClient(RedisEnterpriseClient):
    """The client of ``re_certificates``: certificate writes get the long write timeout (they may
    take up to 900 s server-side) and are never repeated by the client; once the api certificate
    (the one this very connection uses) is replaced, the cluster is read again over a new TLS
    connection, and ``api_verification`` says what that read trusts."""

    def __init__(self, params, **kwargs):
        super(CertificateClient, self).__init__(params, **kwargs)
        for entry in params["certificates"]:
            for key in key_texts(entry.get("key")):
                self.http.add_secret(key)  # as given and as sent
        self.validate_certs = params["validate_certs"]
        self.ca_path = params.get("ca_path")
        self.write_timeout = max(float(WRITE_TIMEOUT), float(params["request_timeout"]))
        self.api_verification = None

    def put_certificates(self, path, body, new_api=None, no_bulk=False):
        """PUT certificates. ``new_api`` is ``(chain, tmpdir)`` when they include the api
        certificate: its chain (leaf first) and where a trust bundle may be written."""
        try:
            self.request("PUT", path, json_body=body, retry=False, timeout=self.write_timeout)
        except ApiError as error:
            if new_api is not None and (error.status is None or error.status >= 500):
                self.trust_new_api_certificate(*new_api)  # the cluster may serve it already: read it as such
            raise _with_meaning(error, PUT_MEANINGS, no_bulk)
        if new_api is not None:
            self.trust_new_api_certificate(*new_api)

    def delete_certificate(self, name):
        try:
            self.delete("%s/%s" % (CERTIFICATES_PATH, name), retry=False, timeout=self.write_timeout)
        except ApiError as error:
            raise _with_meaning(error, DELETE_MEANINGS)

    def trust_new_api_certificate(self, chain, tmpdir):
        """Read the cluster again over a new TLS connection, verified as the notes describe."""
        self.http.close()  # the next request opens a new connection and verifies the new certificate
        if not self.validate_certs:
            self.api_verification = dict(verified=False, trusted="nothing (validate_certs is false)",
                                         message="the api certificate was replaced; the cluster was read again "
                                                 "without verifying the new certificate (validate_certs is false)")
            return
        base = "ca_path" if self.ca_path else "the system's CA certificates"
        if len(chain) == 1:
            self.api_verification = dict(
                verified=True, trusted=base,
                message="the api certificate was replaced; it came without its chain, so the cluster was read "
                        "again trusting %s only" % base)
            return
        bundle = tempfile.NamedTemporaryFile(mode="w", suffix=".pem", prefix="api-trust-", dir=tmpdir, delete=False)
        with bundle:
            bundle.write(trust_bundle(self.ca_path, chain[1:], default_bundle=_system_bundle()))
        self.http.trust(bundle.name)
        trusted = "%s and the chain given with the new certificate" % base
        self.api_verification = dict(verified=True, trusted=trusted,
                                     message="the api certificate was replaced; the cluster was read again "
                                             "trusting %s" % trusted)


@step_class
class CertificateStep(Step):
    """A write of some certificates (``names``), shown once the cluster serves what it asked for:
    ``bodies`` are their API bodies (keys included), ``leaf_ders`` the DER of each one's leaf;
    ``new_api`` is ``(chain, tmpdir)`` when the write replaces the api certificate (see
    :meth:`CertificateClient.put_certificates`)."""

    names: tuple = ()
    bodies: tuple = ()
    leaf_ders: dict = None
    new_api: tuple = None

    def explain(self):
        return "replacing certificate%s %s" % ("s" if len(self.names) > 1 else "", ", ".join(self.names))

    def shows(self, state):
        return all(leaf_der(state.get(name)) == self.leaf_ders[name] for name in self.names)


@step_class
class ReplaceCertificates(CertificateStep):
    """One bulk ``PUT /v1/cluster/certificates``; with ``method`` auto, a server without it
    (404/405) gets one legacy PUT per certificate instead."""

    method: str = None

    def send(self, api):
        api.put_certificates(CERTIFICATES_PATH, dict(certificates=list(self.bodies)), self.new_api, no_bulk=self.method == "bulk")

    def fallback(self, error):
        if self.method != "auto" or error.status not in NO_BULK:
            return None
        text = ("no bulk certificate update on this server (PUT %s answered %s): sending one PUT %s per certificate"
                % (CERTIFICATES_PATH, error.status, UPDATE_CERT_PATH))
        return text, [replace_one(name, body, self.leaf_ders[name], self.new_api if name == "api" else None)
                      for name, body in zip(self.names, self.bodies)]


@step_class
class ReplaceCertificate(CertificateStep):
    """``PUT /v1/cluster/update_cert`` of one certificate (servers before 7.22.2)."""

    def send(self, api):
        api.put_certificates(UPDATE_CERT_PATH, self.bodies[0], self.new_api)


def replace_one(name, body, leaf, new_api):
    return ReplaceCertificate(text="replaced certificate %r (PUT %s)" % (name, UPDATE_CERT_PATH),
                              waiting_for="the cluster to serve the new %s" % name, names=(name,), bodies=(body,),
                              leaf_ders={name: leaf}, new_api=new_api)


@step_class
class DeleteCertificate(Step):
    name: str = None

    def send(self, api):
        api.delete_certificate(self.name)

    def shows(self, state):
        return self.name not in state

    def explain(self):
        return "deleting certificate %r" % self.name


class ClusterCertificates(NamesItsCluster, Resource):
    """The cluster's certificates as the runner sees them: state is ``{name: certificate PEM}``.

    ``api`` is a :class:`CertificateClient`. The first read also reads the cluster's name, which
    the result carries."""

    client_class = CertificateClient
    label = "cluster certificates"

    def __init__(self, task, api, params=None):
        super(ClusterCertificates, self).__init__(task, api, params)
        self.names, self.desired, _errors, warnings = validate_entries(
            self.params["certificates"], self.params["state"], min_days_left=self.params["min_days_left"])
        for warning in warnings:
            task.warn(warning)
        self.absent = self.params["state"] == "absent"
        self.planned = []  # names the plan changes

    @classmethod
    def validate(cls, params):
        return validate_entries(params["certificates"], params["state"], min_days_left=params["min_days_left"])[2]

    @classmethod
    def invalid_message(cls, errors):
        return "nothing was sent: %s" % "; ".join(errors)

    # --- reading -------------------------------------------------------------------------
    def read(self):
        self.learn_cluster_name(self.api)
        return read_live(self.api)

    def poll(self, step=None):
        try:
            return self.read()
        except ApiError as error:
            verification = self.api.api_verification
            if verification is None or error.transport != "tls":
                raise
            raise ClientError(
                "the api certificate was replaced, but the node's new certificate could not be verified "
                "trusting %s (%s). Nothing else was sent. Set ca_path to a CA bundle that trusts the new "
                "certificate (or give the certificate with its chain) for the next tasks"
                % (verification["trusted"], error.message))

    # --- deciding ------------------------------------------------------------------------
    def matches(self, name, state):
        return leaf_der(state.get(name)) == self.desired[name].leaf_der

    def plan(self, state):
        if self.absent:
            self.planned = [name for name in self.names if name in state]
            after = dict((name, pem) for name, pem in state.items() if name not in self.planned)
            steps = [DeleteCertificate(text="deleted certificate %r" % name, waiting_for="certificate %r to be gone" % name, name=name)
                     for name in self.planned]
        else:
            self.planned = [name for name in self.names if not self.matches(name, state)]
            after = dict(state)
            after.update((name, self.desired[name].certificate_pem) for name in self.planned)
            steps = self.write_steps(self.planned)
        return Plan(steps, after=self.comparable(after), predicted=self.view(after))

    def new_api(self, names):
        """What a write of ``names`` needs to trust the new api certificate (None without it)."""
        return (tuple(self.desired["api"].chain), self.task.tmpdir) if "api" in names else None

    def write_steps(self, names):
        if not names:
            return []
        method = self.params["update_method"]
        bodies = [self.desired[name].body() for name in names]
        leaf_ders = dict((name, self.desired[name].leaf_der) for name in names)
        if method == "legacy":
            return [replace_one(name, body, leaf_ders[name], self.new_api([name])) for name, body in zip(names, bodies)]
        listed = ", ".join(names)
        text = "replaced certificate%s %s (PUT %s)" % ("s" if len(names) > 1 else "", listed, CERTIFICATES_PATH)
        if method == "auto" and self.task.check_mode:
            text += ", or one PUT %s per certificate if the server has no bulk update" % UPDATE_CERT_PATH
        return [ReplaceCertificates(text=text, waiting_for="the cluster to serve the new %s" % listed, names=tuple(names),
                                    bodies=tuple(bodies), leaf_ders=leaf_ders, new_api=self.new_api(names), method=method)]

    def ambiguity(self, error):
        # 409 here is not "busy": the write failed on some nodes. The task fails, saying so.
        if error.status is None or error.status >= 500:
            return LOST_ANSWER
        return None

    # --- showing -----------------------------------------------------------------
    def changed_names(self, state):
        if self.absent:
            return [name for name in self.planned if name not in state]
        return [name for name in self.planned if self.matches(name, state)]

    def view(self, state):
        result = dict(certificates=describe_all(state), changed_certificates=self.changed_names(state),
                      cluster_name=self.cluster_name)
        if self.api.api_verification is not None:
            result["api_verification"] = self.api.api_verification
        return result

    def comparable(self, state):
        compared = {}
        for name in self.names:
            if name in state:
                info = describe(name, state[name])
                compared[name] = dict(sha256_fingerprint=info["sha256_fingerprint"], not_after=info["not_after"])
        return compared

    def describe(self, state):
        if not state:
            return "no certificates"
        shown = [name for name in self.names if name in state] or sorted(state)
        return ", ".join("%s %s" % (name, (describe(name, state[name])["sha256_fingerprint"] or "unreadable")[:11])
                         for name in shown)

    def explain(self, error, step):
        if step is None:
            return "reading the cluster's certificates"
        return step.explain()
