#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: re_certificates
short_description: Install, replace and delete Redis Enterprise cluster certificates
version_added: 1.1.0
description:
  - Installs or replaces the certificates of a Redis Enterprise cluster (C(api), C(cm), C(proxy), C(syncer),
    C(metrics_exporter), C(ldap_client), ...) and deletes optional ones.
  - Every entry is checked before any request, with the C(cryptography) library; when one entry is invalid,
    nothing is sent. Checks are that each certificate parses, the key parses, is unencrypted and matches the
    leaf (the first certificate), the leaf is valid now (not expired, not valid only in the future), and a
    chain is in order (the leaf first, then each issuer, each certificate signed by the next). Each failure
    names the certificate and the problem. A certificate that expires within 30 days is installed with a
    warning.
  - Compares each certificate with the one the cluster serves (C(GET /v1/cluster/certificates)) by the DER
    bytes of the leaf, and sends only those that differ. Other line ends, indentation or blank lines, and a
    chain that differs only in its intermediates, are not changes.
  - Certificates are sent as canonical PEM (the chain as given, leaf first); keys as given, with their line
    ends normalised.
  - With O(state=absent), deletes the listed certificates that the cluster has
    (C(DELETE /v1/cluster/certificates/{name})). Required certificates are refused before any request; a
    certificate the cluster does not have is no change and no request.
  - The cluster's private keys, which its API returns with the certificates, are dropped as soon as they are
    read. No key is ever compared, returned, shown in a diff or written in a message.
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.redis_enterprise
  - redisops.platform.wait
  - redisops.platform.attributes
  - redisops.platform.attributes.STATEFUL
  - redisops.platform.attributes.REDIS_ENTERPRISE_GROUP
options:
  certificates:
    description:
      - The certificates to install (O(state=present)) or delete (O(state=absent)).
      - Each name at most once.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description:
          - Name of the certificate on the cluster, for example V(api) (REST API), V(cm) (Cluster Manager UI),
            V(proxy) (database endpoints), V(syncer) (Active-Active and Replica Of), V(metrics_exporter),
            V(ldap_client).
          - The server decides which names exist; an unknown name is refused by the server (HTTP 403).
        type: str
        required: true
      certificate:
        description:
          - The certificate in PEM, optionally followed by its chain (intermediates, and the root if wanted),
            leaf first. Required with O(state=present).
          - Read a PEM file with the C(ansible.builtin.file) lookup, as the examples show.
        type: str
      key:
        description:
          - The unencrypted private key of the leaf in PEM (PKCS#8 C(PRIVATE KEY), or a traditional
            C(RSA PRIVATE KEY) or C(EC PRIVATE KEY)). Required with O(state=present).
          - Never logged, never returned.
        type: str
  state:
    description:
      - V(present) installs every listed certificate that differs from the one the cluster serves.
      - V(absent) deletes the listed certificates the cluster has; only O(certificates[].name) is used.
        Required certificates (V(api), V(cm), V(proxy), V(syncer), V(metrics_exporter),
        V(ccs_internode_encryption), V(data_internode_encryption)) cannot be deleted.
    type: str
    choices: [present, absent]
    default: present
  update_method:
    description:
      - How changed certificates are sent.
      - V(bulk) sends them all in one C(PUT /v1/cluster/certificates), which the server validates as a
        whole before changing any (Redis Enterprise 7.22.2 and later).
      - V(legacy) sends one C(PUT /v1/cluster/update_cert) per certificate (deprecated by Redis Enterprise
        7.22.2, available on older servers).
      - V(auto) tries V(bulk) and, when the server has no bulk endpoint (it answers 404 or 405), falls back
        to V(legacy) for every changed certificate, saying so in RV(actions).
    type: str
    choices: [auto, bulk, legacy]
    default: auto
  min_days_left:
    description:
      - Refuse, before any request, every listed certificate whose leaf expires within this many days, so that
        a rotation never installs a certificate that would need rotating again soon.
      - Applies to each certificate of O(certificates) with O(state=present), whether or not it differs
        from the one the cluster serves. Unset, a certificate that expires within 30 days only gets a warning.
    type: int
    version_added: 1.2.0
  wait:
    description:
      - Read the cluster's certificates again after each write until it shows the new certificate
        (one request when the write succeeded).
  wait_timeout:
    description:
      - Seconds, in total for the task, that the module may spend reading the cluster again after writes
        (a write whose answer was lost, a REST API restarting with a new C(api) certificate).
      - Separate from the timeout of a write request itself, see the notes.
    type: float
    default: 900
notes:
  - Certificate writes may take up to 900 seconds on the server (every node is updated before it answers),
    so write requests wait up to 900 seconds, or O(request_timeout) when that is larger. Writes are never
    repeated by the HTTP client.
  - When the answer to a write is lost (no answer, a timeout, a 5xx), the module reads the cluster's
    certificates again before anything else is sent. A write that shows (the cluster serves the new leaf)
    counts as done; one that does not is sent again when the connection was closed without an answer, and
    otherwise (a timeout or a 5xx, after which the cluster may still be at work) fails the task without being sent again.
  - The server's refusals are reported with its error code and description and what the status means for
    this API. For writes, 400 is invalid certificate(s), 403 an unknown certificate name or a user whose
    role may not change certificates, 406 expired certificate(s), and 409 not all nodes updated, so run the
    task again, which sends only what still differs. For deletes, 403 is a required certificate and 404 an
    unknown one. A user with a read-only role (for example C(cluster_viewer)) gets 403 on writes.
  - Replacing the C(api) certificate changes the identity of the endpoint the module talks to. After that
    write, the module closes its connections and reads the cluster again over a new TLS connection. With
    O(validate_certs=true) that read trusts O(ca_path) (or the system's CA certificates) plus the chain
    given with the new C(api) certificate (every certificate after the leaf), so a certificate from a new
    CA is verified when its chain, with its root, is given. When the new certificate comes without a chain,
    the read trusts O(ca_path) (or the system's) only. RV(api_verification) says which was used. When the
    new certificate cannot be verified, the task fails, saying the certificate was replaced and what to set
    for the next run; it never falls back to an unverified connection.
  - Later tasks talking to the same cluster need a O(ca_path) that trusts the new C(api) certificate.
  - Check mode reads the cluster, checks every entry and predicts RV(certificates), RV(changed_certificates),
    RV(actions) and the diff; nothing is written.
requirements:
  - cryptography (Python library on the host that runs the module)
seealso:
  - module: redisops.platform.re_certificates_info
"""

EXAMPLES = r"""
- name: Replace the proxy and syncer certificates (only those that differ are sent)
  redisops.platform.re_certificates:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    ca_path: /etc/pki/redis-enterprise-ca.pem
    certificates:
      - name: proxy
        certificate: "{{ lookup('ansible.builtin.file', 'certs/proxy-fullchain.pem') }}"
        key: "{{ vault_proxy_key }}"
      - name: syncer
        certificate: "{{ lookup('ansible.builtin.file', 'certs/syncer.pem') }}"
        key: "{{ vault_syncer_key }}"
    min_days_left: 30  # refuse both, before any request, if one expires within 30 days
  register: rotated

- name: Show the new expiry dates
  ansible.builtin.debug:
    msg: "{{ rotated.certificates | items2dict(key_name='name', value_name='not_after') }}"

- name: Replace the REST API certificate with one from a new CA (its chain ends with the new root)
  redisops.platform.re_certificates:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    ca_path: /etc/pki/redis-enterprise-ca.pem
    certificates:
      - name: api
        certificate: "{{ lookup('ansible.builtin.file', 'certs/api-leaf-intermediate-root.pem') }}"
        key: "{{ vault_api_key }}"

- name: Use one request per certificate on a server older than 7.22.2
  redisops.platform.re_certificates:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    update_method: legacy
    certificates:
      - name: cm
        certificate: "{{ lookup('ansible.builtin.file', 'certs/cm.pem') }}"
        key: "{{ vault_cm_key }}"

- name: Delete the LDAP client certificate
  redisops.platform.re_certificates:
    url: https://node1.example.com:9443
    username: admin@example.com
    password: "{{ vault_re_admin_password }}"
    state: absent
    certificates:
      - name: ldap_client
"""

RETURN = r"""
cluster_name:
  description:
    - The name of the cluster (C(GET /v1/cluster), read once), null when the node cannot tell. It
      names the cluster whichever node's API a task uses (Ansible Automation Platform counts clusters by it).
  returned: always
  type: str
  sample: cluster.example.com
certificates:
  description:
    - One entry per certificate on the cluster after the task (predicted in check mode), sorted by name.
    - Describes the leaf of each certificate; never a key.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the certificate on the cluster.
      type: str
      sample: proxy
    subject:
      description: Subject of the leaf (RFC 4514).
      type: str
      sample: CN=*.cluster.example.com
    issuer:
      description: Issuer of the leaf (RFC 4514).
      type: str
      sample: CN=Example Issuing CA,O=Example
    subject_alt_names:
      description: Subject alternative names of the leaf, each as C(DNS:...), C(IP:...), C(email:...) or C(URI:...).
      type: list
      elements: str
      sample: ["DNS:*.cluster.example.com", "IP:10.0.0.5"]
    serial_number:
      description: Serial number of the leaf, in hexadecimal.
      type: str
    not_before:
      description: Start of validity (UTC, ISO 8601).
      type: str
      sample: "2026-01-01T00:00:00Z"
    not_after:
      description: End of validity (UTC, ISO 8601).
      type: str
      sample: "2027-01-01T00:00:00Z"
    days_left:
      description: Whole days until the leaf expires (negative once it has).
      type: int
      sample: 364
    sha256_fingerprint:
      description: SHA-256 fingerprint of the leaf, colon-separated hexadecimal pairs.
      type: str
      sample: "3A:5F:...:9C"
    chain_length:
      description: Number of certificates in the PEM text (1 for a leaf alone).
      type: int
      sample: 2
    error:
      description: Why the cluster's certificate could not be read (the other fields are then null).
      type: str
      returned: when the cluster's PEM text does not parse
changed_certificates:
  description: Names of the certificates installed or deleted by the task (that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [proxy]
api_verification:
  description:
    - How the cluster was read again after its C(api) certificate was replaced (see the notes).
  returned: when the api certificate was replaced
  type: dict
  contains:
    verified:
      description: Whether the new endpoint certificate was verified (false only with O(validate_certs=false)).
      type: bool
    trusted:
      description: What the read trusted, for example C(ca_path and the chain given with the new certificate).
      type: str
    message:
      description: One sentence for people.
      type: str
actions:
  description: What the task did (or, in check mode, would do), in order.
  returned: always
  type: list
  elements: str
  sample: ["replaced certificates proxy, syncer (PUT /v1/cluster/certificates)"]
duration:
  description: Seconds the task spent, waits included.
  returned: always
  type: float
  sample: 2.4
diff:
  description:
    - Before and after of each listed certificate the cluster has, by name, in diff mode.
    - Fingerprints and expiry only; never a key.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: "C({name: {sha256_fingerprint, not_after}}) of the live certificates."
      type: dict
    after:
      description: The same after the task (predicted in check mode).
      type: dict
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.redisops.platform.plugins.module_utils._connection import REDIS_ENTERPRISE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils._resource import run
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.certificates import (
    ARGUMENT_SPEC as RESOURCE_OPTIONS,
    CRYPTOGRAPHY_IMPORT_ERROR,
    ClusterCertificates,
)

ARGUMENT_SPEC = RESOURCE_OPTIONS
DEFAULT_WAIT_TIMEOUT = 900


def main():
    module = RedisOpsModule(ARGUMENT_SPEC, connection=REDIS_ENTERPRISE_CONNECTION, wait_timeout=DEFAULT_WAIT_TIMEOUT)
    if CRYPTOGRAPHY_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib("cryptography"), exception=CRYPTOGRAPHY_IMPORT_ERROR)
    run(module, ClusterCertificates)


if __name__ == "__main__":
    main()
