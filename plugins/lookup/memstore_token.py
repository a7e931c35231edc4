# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: memstore_token
author:
  - redisops.platform maintainers (@redisops)
version_added: 1.1.0
short_description: Issue one KakaoCloud IAM token for the MemStore tasks of a play
description:
  - Exchanges an IAM application credential for an API token (C(X-Auth-Token)) at O(identity_url), once,
    on the controller, and returns the token.
  - Store it in a fact with M(ansible.builtin.set_fact) and C(no_log=true), then give it to the MemStore
    modules as their O(redisops.platform.memstore_instance_set#module:auth_token) option, for example through
    the play's C(module_defaults) group C(group/redisops.platform.memstore). Every MemStore task of the play
    then reuses that token instead of issuing its own, one request per task less.
  - The token is kept only in the controller's memory for the run. This lookup never writes it to a file,
    never prints it, and marks it unsafe so it is never templated. The C(set_fact) that stores it must set
    C(no_log=true), else Ansible prints the fact at C(-v).
  - The collection's C(docs/token-reuse.md) explains the pattern and its security reasoning.
options:
  application_credential_id:
    description:
      - ID of an IAM application credential. Required (here or in the environment variable).
    type: str
    env:
      - name: KAKAOCLOUD_APPLICATION_CREDENTIAL_ID
  application_credential_secret:
    description:
      - Secret of O(application_credential_id). Never logged, never returned. Required (here or in the
        environment variable).
    type: str
    env:
      - name: KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET
  identity_url:
    description:
      - KakaoCloud IAM (identity v3) endpoint where the token is issued.
      - C(https://) is required, except to a loopback address (C(http://127.0.0.1:8080)); a URL with C(user:password@),
        without a scheme, with a space, or with an IPv6 address not in brackets (C(https://[::1]:9443)) fails before any request.
    type: str
    default: https://iam.kakaocloud.com/identity/v3
    env:
      - name: KAKAOCLOUD_IDENTITY_URL
  validate_certs:
    description:
      - Verify the IAM endpoint's TLS certificate.
    type: bool
    default: true
    env:
      - name: KAKAOCLOUD_VALIDATE_CERTS
  ca_path:
    description:
      - PEM file of CA certificates to verify the IAM endpoint with, instead of the system's.
    type: path
    env:
      - name: KAKAOCLOUD_CA_PATH
  request_timeout:
    description:
      - Seconds to wait for the IAM answer. Throttled and unavailable answers are retried a few times.
      - A finite number of seconds greater than 0 and at most 3600 (an hour), checked before any request.
    type: float
    default: 30
    env:
      - name: KAKAOCLOUD_REQUEST_TIMEOUT
notes:
  - Tokens last 12 hours. A play that runs longer should issue a new one (run the C(set_fact) again).
  - To share one token between runs as well, without this lookup, give the modules the opt-in
    O(redisops.platform.memstore_instance_set#module:token_cache) option instead; C(docs/token-reuse.md) compares both.
  - The lookup takes no terms.
  - The modules then read the token's project from IAM when they need it (to create) unless
    O(redisops.platform.memstore_instance_set#module:project_id) is set; setting it saves that request.
requirements:
  - requests (Python library on the controller)
seealso:
  - module: redisops.platform.memstore_instance_set
  - module: redisops.platform.memstore_instance_set_info
"""

EXAMPLES = r"""
- name: Issue one IAM token for the play (reads KAKAOCLOUD_APPLICATION_CREDENTIAL_ID and _SECRET)
  ansible.builtin.set_fact:
    memstore_auth_token: "{{ lookup('redisops.platform.memstore_token') }}"
  no_log: true

- name: Use it in every MemStore task of a block
  module_defaults:
    group/redisops.platform.memstore:
      auth_token: "{{ memstore_auth_token }}"
  block:
    - name: Read every instance set with that token
      redisops.platform.memstore_instance_set_info:
      register: sets

    - name: Read every cluster with the same token
      redisops.platform.memstore_cluster_info:
      register: clusters

- name: Pass the credential explicitly
  ansible.builtin.set_fact:
    memstore_auth_token: >-
      {{ lookup('redisops.platform.memstore_token',
                application_credential_id=vault_credential_id,
                application_credential_secret=vault_credential_secret,
                identity_url='https://iam.kakaocloud.com/identity/v3') }}
  no_log: true
"""

RETURN = r"""
_raw:
  description:
    - One element, the token (the value of the IAM answer's C(X-Subject-Token) header). It is marked unsafe.
  type: list
  elements: str
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

try:
    from ansible.utils.unsafe_proxy import wrap_var
except ImportError:  # pragma: no cover
    wrap_var = None

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION, ConnectionSpec, check_values
from ansible_collections.redisops.platform.plugins.module_utils._factory import build_client
from ansible_collections.redisops.platform.plugins.module_utils._http import REQUESTS_IMPORT_ERROR, ApiError, ClientError
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient

display = Display()

OPTIONS = ("application_credential_id", "application_credential_secret", "identity_url", "validate_certs",
           "ca_path", "request_timeout")
# The MemStore connection options the lookup takes, the credential required: a missing part is
# reported as the modules report it, with its environment variable.
TOKEN_CONNECTION = ConnectionSpec(
    group=MEMSTORE_CONNECTION.group,
    argument_spec=dict((name, MEMSTORE_CONNECTION.argument_spec[name]) for name in OPTIONS),
    required=["application_credential_id", "application_credential_secret"],
)


def issue_token(options):
    """A new token for the application credential in ``options`` (the lookup's option names).

    Errors are :class:`AnsibleLookupError` whose text never holds the secret (the
    HTTP client scrubs it, and the token, from every message it produces).
    """
    if REQUESTS_IMPORT_ERROR:
        raise AnsibleLookupError("the memstore_token lookup needs the requests Python library on the controller")
    params = dict(options)
    try:
        check_values(params)
    except ValueError as error:
        raise AnsibleLookupError("could not issue a MemStore token: %s" % error)
    # Only the identity endpoint is called; the MemStore URL is never used here.
    params.update(api_url="https://unused.invalid", region=None, auth_token=None, project_id=None)
    client = build_client(MemStoreClient, params, on_retry=display.warning)
    try:
        return client.token()
    except (ApiError, ClientError) as error:
        raise AnsibleLookupError("could not issue a MemStore token: %s" % error)
    finally:
        client.close()


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleLookupError("the memstore_token lookup takes no terms, only options")
        self.set_options(var_options=variables, direct=kwargs)
        options = dict((name, self.get_option(name)) for name in OPTIONS)
        missing = TOKEN_CONNECTION.missing(options, "as an option of the lookup")
        if missing:
            raise AnsibleLookupError("; ".join(missing))
        token = issue_token(options)
        return [wrap_var(token) if wrap_var else token]
