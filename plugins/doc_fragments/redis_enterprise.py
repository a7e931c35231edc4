# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of a Redis Enterprise node's REST API, for example C(https://node1.example.com:9443).
      - If not set, the value of the E(REDIS_ENTERPRISE_URL) environment variable is used; one of them is required
        (a module task may also get it from C(module_defaults) for C(group/redisops.platform.redis_enterprise)).
      - Without either, the task fails before any request with a message naming both.
      - C(https://) is required, except to a loopback address (C(http://127.0.0.1:8080)); a URL with C(user:password@),
        without a scheme, with a space, or with an IPv6 address not in brackets (C(https://[::1]:9443)) fails before any request.
    type: str
  username:
    description:
      - User for HTTP Basic authentication.
      - If not set, the value of the E(REDIS_ENTERPRISE_USERNAME) environment variable is used.
      - Not needed to read a node that has not joined a cluster yet.
    type: str
  password:
    description:
      - Password of O(username). Never logged, never returned.
      - If not set, the value of the E(REDIS_ENTERPRISE_PASSWORD) environment variable is used.
    type: str
  validate_certs:
    description:
      - Verify the node's TLS certificate. Set to V(false) only for throw-away test clusters.
      - If not set, the value of the E(REDIS_ENTERPRISE_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA certificates that sign the node's certificate, used instead of the system's.
      - If not set, the value of the E(REDIS_ENTERPRISE_CA_PATH) environment variable is used.
    type: path
  client_cert:
    description:
      - PEM client certificate for certificate-based authentication instead of a password.
      - If not set, the value of the E(REDIS_ENTERPRISE_CLIENT_CERT) environment variable is used.
    type: path
  client_key:
    description:
      - PEM private key of O(client_cert) (a path; the key itself is never read into results).
      - If not set, the value of the E(REDIS_ENTERPRISE_CLIENT_KEY) environment variable is used.
    type: path
  request_timeout:
    description:
      - Seconds to wait for one HTTP answer. It bounds each request and each poll, not a whole operation
        (the modules that wait for operations bound those with their own C(wait_timeout)).
      - Throttled and unavailable answers (429, 502, 503, 504) and dropped connections are retried a few
        times with backoff, each retry announced as a warning; a server's C(Retry-After) is honoured unless it
        asks for longer than the task has left.
      - If not set, the value of the E(REDIS_ENTERPRISE_REQUEST_TIMEOUT) environment variable is used.
      - The whole answer, headers and body, must arrive within it; an answer larger than 16 MiB is refused.
      - A finite number of seconds greater than 0 and at most 3600 (an hour), checked before any request.
    type: float
    default: 30
notes:
  - Requests answered 429, 502, 503 or 504, and connection failures, are retried a few times with
    jittered exponential backoff (honouring C(Retry-After)). A C(POST) is never repeated blindly.
  - An API that cannot be reached (connection refused, a host name that does not resolve, no route to the host)
    fails a task that does not wait for an operation at once, with one message and no retry. Such tasks are the
    C(_info) modules, a task with C(wait=false) and a task in check mode. A task that waits for an operation
    retries a refused connection until its C(wait_timeout), each retry a warning, so a node whose API restarts
    does not fail it; a name that does not resolve or no route is retried a few times only.
requirements:
  - requests (Python library on the host that runs the module)
"""

    # Storage paths sent at bootstrap, one node's (re_bootstrap) or each node's (re_cluster).
    NODE_PATHS = r"""
options:
  node_paths:
    description:
      - Storage paths, on the node itself, sent as C(node.paths) when the node is bootstrapped (re_cluster sends
        the same paths to every node). Omitted ones keep the server's defaults.
    type: dict
    suboptions:
      persistent_path:
        description: Persistent storage path.
        type: str
      ephemeral_path:
        description: Ephemeral storage path.
        type: str
      ccs_persistent_path:
        description: Path of the cluster configuration store snapshots.
        type: str
      bigstore_path:
        description: Flash (Auto Tiering) storage path.
        type: str
"""
