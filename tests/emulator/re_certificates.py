"""Redis Enterprise cluster certificates, registered on every node's app. Each
cluster has one certificate store; every node of the cluster answers for it.

Endpoints
  GET    /v1/cluster/certificates         flat ``{"<name>_cert": PEM, "<name>_key": PEM, ...}``, as documented;
                                          any user of the cluster (``view_cluster_info``).
  PUT    /v1/cluster/certificates         bulk update, body ``{"certificates": [{name, certificate, key}, ...]}``;
                                          admin only. Validates every certificate before changing any:
                                          400 invalid certificate(s) (body shape, unknown field, duplicate name,
                                          PEM that does not parse, key that does not match), 403 unknown
                                          certificate name, 406 expired certificate(s); 200 ``{}`` once all are
                                          replaced. 404 (no such endpoint) when the store's ``version`` is before
                                          7.22.2, the version that added it.
  PUT    /v1/cluster/update_cert          legacy update of one certificate, body ``{name, certificate, key}``;
                                          admin only; the same checks and statuses (every version).
  DELETE /v1/cluster/certificates/{name}  optional certificates only: 403 for a required one, 404 for one the
                                          cluster does not have; admin only; 200 ``{}``.
A viewer's write is refused with 403 ``forbidden`` (its code differs from ``unknown_certificate``).

Certificates: ``REQUIRED`` (which the cluster always has) and ``OPTIONAL`` (``ldap_client``, absent at
first). A new store holds, for ``api``, the certificate the emulator serves HTTPS with (so ``api_cert`` is
what clients see) and, for the others, certificates from a CA made for the cluster.

Serving the ``api`` certificate: with ``serve_api_certificate`` on, a successful write of ``api`` makes every
node of the cluster serve the new certificate (and chain) on new TLS connections, as a real cluster's REST
API does after it restarts. Turning the switch off (or a new cluster being seeded) restores the emulator's
own certificate. Off by default, so one test's certificate never leaks into the next.

Control (on every node's own address and port; not logged, no auth, no faults):
  GET  /_emulator/re/certificates         the node's cluster store: version, bulk, serve_api_certificate, names
  POST /_emulator/re/certificates         body: ``version`` (str, e.g. "7.8.2-34" for a server without bulk
                                          update), ``bulk`` (bool: shortcut for a version with or without it),
                                          ``serve_api_certificate`` (bool). Unknown fields: 400.
  POST /_emulator/re/certificates/{name}  body: ``days`` (integer >= 0, required): the cluster now holds, as
                                          ``name``, a new certificate (and key, from a new CA) that expires
                                          ``days`` days and one hour from now, so ``days_left`` reads ``days``
                                          (a certificate about to expire, for event sources and alerts).
                                          Answers ``{name, not_after, sha256_fingerprint}``, 201. Not served
                                          over TLS even for ``api``.
From Python (tests): ``store_of(emulator, cluster)`` gives the store; set its attributes directly.
"""

import binascii
import datetime
import os
import re

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from flask import Blueprint, jsonify, request

from .redis_enterprise import ADMIN_ROLE, current_node, emulator, error, in_cluster
from .tls import _pem_key, make_ca, make_server_cert

blueprint = Blueprint("re_certificates", __name__)

REQUIRED = ("api", "cm", "proxy", "syncer", "metrics_exporter", "ccs_internode_encryption", "data_internode_encryption")
OPTIONAL = ("ldap_client",)
BULK_SINCE = (7, 22, 2)
DEFAULT_VERSION = "7.22.2-54"
LEGACY_VERSION = "7.8.2-34"
ITEM_FIELDS = ("name", "certificate", "key")


def version_tuple(version):
    return tuple(int(part) for part in re.findall(r"\d+", version or "")[:3])


class CertificateStore:
    """The certificates of one cluster and the switches of its certificate API."""

    def __init__(self, emu, cluster):
        self.version = DEFAULT_VERSION
        self.serve_api_certificate = False
        self.certificates = {}  # name -> {"cert": PEM, "key": PEM}
        with open(emu.tls["cert"]) as cert, open(emu.tls["key"]) as key:
            self.certificates["api"] = {"cert": cert.read(), "key": key.read()}
        ca_cert, ca_key = make_ca("%s internal CA" % cluster.name)
        for name in REQUIRED[1:]:
            leaf, leaf_key = make_server_cert(ca_cert, ca_key, [], ["%s.%s" % (name.replace("_", "-"), cluster.name)])
            chain = leaf.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
            self.certificates[name] = {"cert": chain.decode(), "key": _pem_key(leaf_key).decode()}

    @property
    def bulk(self):
        return version_tuple(self.version) >= BULK_SINCE

    def settings(self):
        return {"version": self.version, "bulk": self.bulk, "serve_api_certificate": self.serve_api_certificate,
                "names": sorted(self.certificates)}


def store_of(emu, cluster):
    """The cluster's store, made on first use (restoring the emulator's own api certificate)."""
    store = getattr(cluster, "certificate_store", None)
    if store is None:
        restore_serving(emu)
        store = cluster.certificate_store = CertificateStore(emu, cluster)
    return store


# --- serving the api certificate ----------------------------------------------------------------
def _contexts(emu, nodes):
    servers = emu._servers  # pylint: disable=protected-access  # the running HTTPS servers of the nodes
    for node in nodes:
        server = servers.get(node.name)
        context = getattr(getattr(server, "socket", None), "context", None)
        if context is not None:
            yield context


def serve(emu, cluster, cert_pem, key_pem):
    """Every node of ``cluster`` serves this certificate on new TLS connections."""
    directory = os.path.join(emu.state_dir, "tls")
    cert_file = os.path.join(directory, "api-served.pem")
    key_file = os.path.join(directory, "api-served-key.pem")
    with open(cert_file, "w") as handle:
        handle.write(cert_pem)
    with open(key_file, "w") as handle:
        handle.write(key_pem)
    os.chmod(key_file, 0o600)
    for context in _contexts(emu, cluster.members(emu)):
        context.load_cert_chain(cert_file, key_file)
    emu.re_api_certificate_replaced = True


def restore_serving(emu):
    """Every node serves the emulator's own certificate again."""
    if not getattr(emu, "re_api_certificate_replaced", False):
        return
    for context in _contexts(emu, emu.re_nodes):
        context.load_cert_chain(emu.tls["cert"], emu.tls["key"])
    emu.re_api_certificate_replaced = False


# --- validation -----------------------------------------------------------------------------------
def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _public(key):
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def problem(item):
    """(status, code, description) for an invalid certificate object, None for a valid one."""
    if not isinstance(item, dict):
        return 400, "invalid_schema", "a certificate must be an object with name, certificate and key"
    unknown = sorted(set(item) - set(ITEM_FIELDS))
    if unknown:
        return 400, "invalid_schema", "unknown field(s): %s" % ", ".join(unknown)
    for field in ITEM_FIELDS:
        if not isinstance(item.get(field), str) or not item[field].strip():
            return 400, "invalid_schema", "field %r is required and must be a non-empty string" % field
    name = item["name"]
    if name not in REQUIRED + OPTIONAL:
        return 403, "unknown_certificate", "unknown certificate %r" % name
    try:
        certs = x509.load_pem_x509_certificates(item["certificate"].encode())
    except ValueError:
        return 400, "invalid_certificate", "certificate %r: the certificate is not valid PEM" % name
    try:
        key = serialization.load_pem_private_key(item["key"].encode(), password=None)
    except (ValueError, TypeError):
        return 400, "invalid_certificate", "certificate %r: the key is not a valid unencrypted PEM private key" % name
    if _public(key.public_key()) != _public(certs[0].public_key()):
        return 400, "invalid_certificate", "certificate %r: the key does not match the certificate" % name
    if certs[0].not_valid_after_utc <= _now():
        return 406, "expired_certificate", "certificate %r has expired" % name
    return None


def _body():
    if request.mimetype != "application/json":
        return None, error(415, "unsupported_media_type", "the body must be JSON (Content-Type: application/json)")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return None, error(400, "invalid_schema", "the body must be a JSON object")
    return body, None


def _apply(emu, cluster, store, items):
    for item in items:
        store.certificates[item["name"]] = {"cert": item["certificate"], "key": item["key"]}
        if item["name"] == "api" and store.serve_api_certificate:
            serve(emu, cluster, item["certificate"], item["key"])


# --- endpoints --------------------------------------------------------------------------------------
@blueprint.get("/v1/cluster/certificates")
@in_cluster()
def get_certificates():
    cluster = current_node().cluster
    store = store_of(emulator(), cluster)
    flat = {}
    for name in sorted(store.certificates):
        flat["%s_cert" % name] = store.certificates[name]["cert"]
        flat["%s_key" % name] = store.certificates[name]["key"]
    return jsonify(flat)


@blueprint.put("/v1/cluster/certificates")
@in_cluster(ADMIN_ROLE)
def put_certificates():
    emu, cluster = emulator(), current_node().cluster
    store = store_of(emu, cluster)
    if not store.bulk:
        return error(404, "not_found", "no such endpoint: PUT /v1/cluster/certificates")
    body, failure = _body()
    if failure is not None:
        return failure
    unknown = sorted(set(body) - {"certificates"})
    if unknown:
        return error(400, "invalid_schema", "unknown field(s): %s" % ", ".join(unknown))
    items = body.get("certificates")
    if not isinstance(items, list) or not items:
        return error(400, "invalid_schema", "certificates must be a non-empty list")
    names = [item.get("name") for item in items if isinstance(item, dict)]
    if len(set(names)) != len(names):
        return error(400, "invalid_schema", "a certificate is listed twice")
    for item in items:  # every certificate is validated before any is changed
        found = problem(item)
        if found is not None:
            return error(*found)
    _apply(emu, cluster, store, items)
    return jsonify({})


@blueprint.put("/v1/cluster/update_cert")
@in_cluster(ADMIN_ROLE)
def update_cert():
    emu, cluster = emulator(), current_node().cluster
    store = store_of(emu, cluster)
    body, failure = _body()
    if failure is not None:
        return failure
    found = problem(body)
    if found is not None:
        return error(*found)
    _apply(emu, cluster, store, [body])
    return jsonify({})


@blueprint.delete("/v1/cluster/certificates/<name>")
@in_cluster(ADMIN_ROLE)
def delete_certificate(name):
    store = store_of(emulator(), current_node().cluster)
    if name in REQUIRED:
        return error(403, "required_certificate", "certificate %r is required and cannot be deleted" % name)
    if name not in store.certificates:
        return error(404, "certificate_not_found", "unknown certificate %r" % name)
    del store.certificates[name]
    return jsonify({})


# --- control ------------------------------------------------------------------------------------------
def _control_store():
    node = current_node()
    if node.cluster is None or node.removed:
        return None, error(409, "node_not_in_cluster", "node %d is not in a cluster" % node.index)
    return store_of(emulator(), node.cluster), None


def _control_body(fields):
    """(the control request's JSON object body, None), or (None, a 400 answer) when it is not one or has a field not in ``fields``."""
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        return None, error(400, "invalid_schema", "the body must be a JSON object")
    unknown = sorted(set(body) - set(fields))
    if unknown:
        return None, error(400, "invalid_schema", "unknown field(s): %s" % ", ".join(unknown))
    return body, None


@blueprint.get("/_emulator/re/certificates")
def get_settings():
    store, failure = _control_store()
    return failure if failure is not None else jsonify(store.settings())


@blueprint.post("/_emulator/re/certificates")
def set_settings():
    store, failure = _control_store()
    if failure is not None:
        return failure
    body, failure = _control_body({"version", "bulk", "serve_api_certificate"})
    if failure is not None:
        return failure
    if "version" in body:
        store.version = str(body["version"])
    if "bulk" in body:
        store.version = DEFAULT_VERSION if body["bulk"] else LEGACY_VERSION
    if "serve_api_certificate" in body:
        store.serve_api_certificate = bool(body["serve_api_certificate"])
        if not store.serve_api_certificate:
            restore_serving(emulator())
    return jsonify(store.settings())


@blueprint.post("/_emulator/re/certificates/<name>")
def install_expiring(name):
    store, failure = _control_store()
    if failure is not None:
        return failure
    body, failure = _control_body({"days"})
    if failure is not None:
        return failure
    days = body.get("days")
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        return error(400, "invalid_schema", "days is required: an integer >= 0 (the certificate's days left)")
    if name not in REQUIRED + OPTIONAL:
        return error(404, "certificate_not_found", "unknown certificate %r (one of %s)" % (name, ", ".join(REQUIRED + OPTIONAL)))
    cluster = current_node().cluster
    ca_cert, ca_key = make_ca("%s expiring CA" % cluster.name)
    leaf, leaf_key = make_server_cert(ca_cert, ca_key, [], ["%s.%s" % (name.replace("_", "-"), cluster.name)],
                                      valid_for=datetime.timedelta(days=days, hours=1))
    chain = leaf.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
    store.certificates[name] = {"cert": chain.decode(), "key": _pem_key(leaf_key).decode()}
    digest = binascii.hexlify(leaf.fingerprint(hashes.SHA256())).decode().upper()
    return jsonify({"name": name, "not_after": leaf.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "sha256_fingerprint": ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))}), 201
