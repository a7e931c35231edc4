#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: re_certificates_info
short_description: Read the certificates of a Redis Enterprise cluster, without their keys
version_added: 1.1.0
description:
  - Reads the cluster's certificates (C(GET /v1/cluster/certificates)) and describes the leaf of each one (its
    subject, issuer, subject alternative names, validity, days left and SHA-256 fingerprint).
  - The cluster's API returns the private keys with the certificates; they are dropped as soon as they are
    read and never returned.
  - O(expiring_within_days) adds RV(expiring), the names of the certificates that expire sooner, so a
    playbook can alert or assert on it.
author:
  - redisops.platform maintainers (@redisops)
extends_documentation_fragment:
  - redisops.platform.redis_enterprise
  - redisops.platform.attributes
  - redisops.platform.attributes.INFO_MODULE
  - redisops.platform.attributes.REDIS_ENTERPRISE_GROUP
options:
  names:
    description:
      - Only these certificates. A name the cluster does not have is left out of RV(certificates), not an error.
      - Default is every certificate of the cluster.
    type: list
    elements: str
  expiring_within_days:
    description:
      - Return RV(expiring), the names of the certificates whose RV(certificates[].days_left) is below this number.
    type: int
notes:
  - Reading needs the C(view_cluster_info) permission, which read-only roles such as C(cluster_viewer) have.
requirements:
  - cryptography (Python library on the host that runs the module)
seealso:
  - module: redisops.platform.re_certificates
"""

EXAMPLES = r"""
- name: Read the cluster's certificates
  redisops.platform.re_certificates_info:
    url: https://node1.example.com:9443
    username: viewer@example.com
    password: "{{ vault_re_viewer_password }}"
    ca_path: /etc/pki/redis-enterprise-ca.pem
  register: cluster_certificates

- name: Fail when a certificate expires within 30 days
  redisops.platform.re_certificates_info:
    url: https://node1.example.com:9443
    username: viewer@example.com
    password: "{{ vault_re_viewer_password }}"
    expiring_within_days: 30
  register: soon
  failed_when: soon.expiring | length > 0

- name: Show when the proxy certificate expires
  redisops.platform.re_certificates_info:
    url: https://node1.example.com:9443
    username: viewer@example.com
    password: "{{ vault_re_viewer_password }}"
    names: [proxy]
  register: proxy_certificate
"""

RETURN = r"""
cluster_name:
  description:
    - The name of the cluster (C(GET /v1/cluster)), null when the node cannot tell. It names the
      cluster whichever node's API a task uses (Ansible Automation Platform counts clusters by it).
  returned: always
  type: str
  sample: cluster.example.com
certificates:
  description:
    - One entry per certificate on the cluster (or per name of O(names) the cluster has), sorted by name.
    - The same list as M(redisops.platform.re_certificates) returns; never a key.
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
    subject_alt_names:
      description: Subject alternative names of the leaf, each as C(DNS:...), C(IP:...), C(email:...) or C(URI:...).
      type: list
      elements: str
    serial_number:
      description: Serial number of the leaf, in hexadecimal.
      type: str
    not_before:
      description: Start of validity (UTC, ISO 8601).
      type: str
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
    chain_length:
      description: Number of certificates in the PEM text (1 for a leaf alone).
      type: int
    error:
      description: Why the cluster's certificate could not be read (the other fields are then null).
      type: str
      returned: when the cluster's PEM text does not parse
expiring:
  description:
    - Names of the certificates whose RV(certificates[].days_left) is below O(expiring_within_days);
      a certificate that cannot be read counts as expiring.
  returned: when O(expiring_within_days) is set
  type: list
  elements: str
  sample: [syncer]
"""

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.certificates import (
    CRYPTOGRAPHY_IMPORT_ERROR,
    describe_all,
    expiring,
    read_live,
)
from ansible_collections.redisops.platform.plugins.module_utils._connection import REDIS_ENTERPRISE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.identity import report


ARGUMENT_SPEC = dict(
    names=dict(type="list", elements="str"),
    expiring_within_days=dict(type="int"),
)


def main():
    module = RedisOpsModule(ARGUMENT_SPEC, connection=REDIS_ENTERPRISE_CONNECTION)
    if CRYPTOGRAPHY_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib("cryptography"), exception=CRYPTOGRAPHY_IMPORT_ERROR)

    def read(client):
        live = read_live(client)
        names = module.params["names"]
        if names is not None:
            live = dict((name, pem) for name, pem in live.items() if name in names)
        result = dict(certificates=describe_all(live))
        within = module.params["expiring_within_days"]
        if within is not None:
            result["expiring"] = expiring(result["certificates"], within)
        return result

    report(module, RedisEnterpriseClient, read)


if __name__ == "__main__":
    main()
