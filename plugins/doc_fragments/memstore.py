# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  api_url:
    description:
      - Base URL of the MemStore API.
      - Defaults to C(https://redis.{region}.kakaocloud.com) built from O(region).
      - If not set, the value of the E(KAKAOCLOUD_MEMSTORE_URL) environment variable is used.
      - C(https://) is required, except to a loopback address (C(http://127.0.0.1:8080)); a URL with C(user:password@),
        without a scheme, with a space, or with an IPv6 address not in brackets (C(https://[::1]:9443)) fails before any request.
    type: str
  region:
    description:
      - KakaoCloud region, used to build the default O(api_url).
      - If not set, the value of the E(KAKAOCLOUD_REGION) environment variable is used.
    type: str
    default: kr-central-2
  auth_token:
    description:
      - An API authentication token (C(X-Auth-Token)), for example one issued once for the whole play by the
        P(redisops.platform.memstore_token#lookup) lookup.
      - When O(application_credential_id) is set too, this token is used first, and a new one is issued with the
        credential if the API rejects it (401).
      - If not set, the value of the E(KAKAOCLOUD_AUTH_TOKEN) environment variable is used.
    type: str
  application_credential_id:
    description:
      - ID of an IAM application credential, exchanged at O(identity_url) for a token.
      - The token is cached for the run and issued again once if the API answers 401.
      - If not set, the value of the E(KAKAOCLOUD_APPLICATION_CREDENTIAL_ID) environment variable is used.
    type: str
  application_credential_secret:
    description:
      - Secret of O(application_credential_id). Never logged, never returned.
      - If not set, the value of the E(KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET) environment variable is used.
    type: str
  identity_url:
    description:
      - KakaoCloud IAM (identity v3) endpoint where tokens are issued.
      - If not set, the value of the E(KAKAOCLOUD_IDENTITY_URL) environment variable is used.
      - C(https://) is required, except to a loopback address (C(http://127.0.0.1:8080)); a URL with C(user:password@),
        without a scheme, with a space, or with an IPv6 address not in brackets (C(https://[::1]:9443)) fails before any request.
    type: str
    default: https://iam.kakaocloud.com/identity/v3
  token_cache:
    description:
      - A directory where IAM tokens are kept between tasks and between runs, so that a task reuses the token
        an earlier task or run issued instead of issuing its own. Off when not set.
      - Used only with O(application_credential_id) and its secret, and only when O(auth_token) is not set. A
        cached token is used while at least one hour of its life is left; when the API rejects it (401), a new
        one is issued and replaces it.
      - Each file holds one credential's token, encrypted and authenticated with a key derived by scrypt from the
        credential's secret and a random salt, with mode C(0600); its name comes from the credential ID, never
        from the secret. The directory is created with mode C(0700) when missing; one that is not yours or that
        group or others can open is refused before any request. Anything at a file's path that is not a regular
        file is ignored.
      - Needs the Python library C(cryptography) on the host that runs the task.
      - The collection's C(docs/token-reuse.md) gives the security reasoning.
      - If not set, the value of the E(KAKAOCLOUD_TOKEN_CACHE) environment variable is used.
    type: path
    version_added: 1.2.0
  project_id:
    description:
      - Project that owns the resources. Defaults to the project of the token.
      - If not set, the value of the E(KAKAOCLOUD_PROJECT_ID) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the API's TLS certificate.
      - If not set, the value of the E(KAKAOCLOUD_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of CA certificates to verify the API with, instead of the system's.
      - If not set, the value of the E(KAKAOCLOUD_CA_PATH) environment variable is used.
    type: path
  request_timeout:
    description:
      - Seconds to wait for one HTTP answer. It bounds each request and each poll, not a whole operation
        (the modules that wait for operations bound those with their own C(wait_timeout)).
      - Throttled and unavailable answers (429, 502, 503, 504) and dropped connections are retried a few
        times with backoff, each retry announced as a warning; a server's C(Retry-After) is honoured unless it
        asks for longer than the task has left.
      - If not set, the value of the E(KAKAOCLOUD_REQUEST_TIMEOUT) environment variable is used.
      - The whole answer, headers and body, must arrive within it; an answer larger than 16 MiB is refused.
      - A finite number of seconds greater than 0 and at most 3600 (an hour), checked before any request.
    type: float
    default: 30
notes:
  - One of O(auth_token) or O(application_credential_id) (with its secret) is required.
  - The MemStore documents show no list or detail endpoint. This collection assumes
    C(GET /v1/clusters) lists clusters and instance sets (both cluster modes) and
    C(GET /v1/clusters/{id}) returns one; passing an C(id) skips the list.
  - Requests answered 429, 502, 503 or 504, and connection failures, are retried a few times with
    jittered exponential backoff (honouring C(Retry-After)). A C(POST) is never repeated blindly.
  - An API that cannot be reached (connection refused, a host name that does not resolve, no route to the host)
    fails a task that does not wait for an operation at once, with one message and no retry. Such tasks are the
    C(_info) modules, a task with C(wait=false) and a task in check mode. A task that waits for an operation
    retries a refused connection until its C(wait_timeout), each retry a warning, so a node whose API restarts
    does not fail it; a name that does not resolve or no route is retried a few times only.
requirements:
  - requests (Python library on the host that runs the module)
  - cryptography (Python library, only for O(token_cache))
"""
