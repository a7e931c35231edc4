# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection options of both APIs, with their environment variables.

Free of ``AnsibleModule``: modules turn these specs into argument specs, and
inventory plugins and lookups resolve the same options (given value, else the
environment variable, else the default) with :func:`resolve`, then build the
same API clients.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import math
import os
import re

try:
    from urllib.parse import unquote, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported by this collection
    unquote = urlsplit = None

from ansible.module_utils.common.parameters import env_fallback

DEFAULT_REGION = "kr-central-2"
DEFAULT_IDENTITY_URL = "https://iam.kakaocloud.com/identity/v3"
MEMSTORE_API_URL_TEMPLATE = "https://redis.{region}.kakaocloud.com"


# The options that hold a server's URL, and those that hold a number of seconds.
URL_OPTIONS = ("url", "api_url", "identity_url")
SECONDS_OPTIONS = ("request_timeout", "wait_timeout")
_VALID_URL = "a valid URL looks like https://host:9443 or, for an IPv6 address, https://[::1]:9443"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _env(*names):
    return (env_fallback, list(names))


class ConnectionSpec:
    """A connection's options plus the constraints between them.

    ``required`` and ``required_one_of`` are checked by :meth:`missing`, not by AnsibleModule,
    so that the message names what can set the option besides the task: its environment
    variable and the ``module_defaults`` group (``group``).
    """

    def __init__(self, argument_spec, group, required=None, mutually_exclusive=None, required_together=None, required_one_of=None):
        self.argument_spec = argument_spec
        self.group = group
        self.required = required or []
        self.mutually_exclusive = mutually_exclusive or []
        self.required_together = required_together or []
        self.required_one_of = required_one_of or []

    def env_vars(self):
        """``{option: [environment variables]}``: what a credential injector may set."""
        return dict((name, list(spec["fallback"][1])) for name, spec in self.argument_spec.items() if "fallback" in spec)

    def secret_options(self):
        return sorted(name for name, spec in self.argument_spec.items() if spec.get("no_log"))

    def missing(self, params, where):
        """One message per required option (or ``required_one_of`` group) that ``params`` lacks.

        ``where`` says where the user sets options (the task, an inventory file); each message
        also names the environment variables that can set them instead.
        """
        messages = []
        for group in [(name,) for name in self.required] + [tuple(group) for group in self.required_one_of]:
            if any(params.get(name) not in (None, "") for name in group):
                continue
            variables = " or ".join(var for name in group for var in self.env_vars().get(name, []))
            if len(group) == 1:
                messages.append("%s is required: set it %s, or the environment variable %s" % (group[0], where, variables))
            else:
                messages.append("one of %s is required: set one %s, or the environment variable %s" % (", ".join(group), where, variables))
        return messages

    def module_where(self):
        """Where a module's task sets these options."""
        return "in the task or in module_defaults for group/%s" % self.group


MEMSTORE_CONNECTION = ConnectionSpec(
    group="redisops.platform.memstore",
    argument_spec=dict(
        api_url=dict(type="str", fallback=_env("KAKAOCLOUD_MEMSTORE_URL")),
        region=dict(type="str", default=DEFAULT_REGION, fallback=_env("KAKAOCLOUD_REGION")),
        auth_token=dict(type="str", no_log=True, fallback=_env("KAKAOCLOUD_AUTH_TOKEN")),
        application_credential_id=dict(type="str", fallback=_env("KAKAOCLOUD_APPLICATION_CREDENTIAL_ID")),
        application_credential_secret=dict(type="str", no_log=True, fallback=_env("KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET")),
        identity_url=dict(type="str", default=DEFAULT_IDENTITY_URL, fallback=_env("KAKAOCLOUD_IDENTITY_URL")),
        project_id=dict(type="str", fallback=_env("KAKAOCLOUD_PROJECT_ID")),
        token_cache=dict(type="path", fallback=_env("KAKAOCLOUD_TOKEN_CACHE")),
        validate_certs=dict(type="bool", default=True, fallback=_env("KAKAOCLOUD_VALIDATE_CERTS")),
        ca_path=dict(type="path", fallback=_env("KAKAOCLOUD_CA_PATH")),
        request_timeout=dict(type="float", default=30, fallback=_env("KAKAOCLOUD_REQUEST_TIMEOUT")),
    ),
    # No mutual exclusion: a credential in the environment (an AWX/AAP credential) and a token shared
    # through module_defaults (the memstore_token lookup) are both set; auth_token is then used first.
    required_together=[("application_credential_id", "application_credential_secret")],
    required_one_of=[("auth_token", "application_credential_id")],
)

REDIS_ENTERPRISE_CONNECTION = ConnectionSpec(
    group="redisops.platform.redis_enterprise",
    argument_spec=dict(
        url=dict(type="str", fallback=_env("REDIS_ENTERPRISE_URL")),
        username=dict(type="str", fallback=_env("REDIS_ENTERPRISE_USERNAME")),
        password=dict(type="str", no_log=True, fallback=_env("REDIS_ENTERPRISE_PASSWORD")),
        validate_certs=dict(type="bool", default=True, fallback=_env("REDIS_ENTERPRISE_VALIDATE_CERTS")),
        ca_path=dict(type="path", fallback=_env("REDIS_ENTERPRISE_CA_PATH")),
        client_cert=dict(type="path", fallback=_env("REDIS_ENTERPRISE_CLIENT_CERT")),
        client_key=dict(type="path", no_log=False, fallback=_env("REDIS_ENTERPRISE_CLIENT_KEY")),
        request_timeout=dict(type="float", default=30, fallback=_env("REDIS_ENTERPRISE_REQUEST_TIMEOUT")),
    ),
    required=["url"],
    required_together=[("username", "password"), ("client_key", "client_cert")],
)

_TRUE = ("1", "true", "yes", "on", "y", "t")
_FALSE = ("0", "false", "no", "off", "n", "f")


def _convert(name, value, kind):
    if value is None:
        return None
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("%s must be a boolean (got %r)" % (name, value))
    if kind == "float":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError("%s must be a number (got %r)" % (name, value))
    if kind == "path":
        return os.path.expanduser(os.path.expandvars(str(value)))
    return str(value)


def url_secrets(params):
    """The password parts (raw and percent-decoded) of every URL option that carries ``user:password@``.

    A module adds them to its no_log values before anything echoes its arguments.
    """
    found = set()
    for name in URL_OPTIONS:
        value = params.get(name)
        if not isinstance(value, str) or "@" not in value:
            continue
        userinfo = value.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[0]
        password = userinfo.partition(":")[2]
        for secret in (password, userinfo):
            if secret:
                found.update([secret, unquote(secret)])
    return found


def _is_loopback(host):
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(name, value):
    """Raise ValueError naming option ``name`` when ``value`` is not a URL the clients may use.

    The message never repeats the value: it may carry a password.
    """
    if value is None:
        return
    text = str(value)
    if not text or any(char.isspace() for char in text):
        raise ValueError("%s must be a URL without spaces: %s" % (name, _VALID_URL))
    if not _SCHEME.match(text):
        raise ValueError("%s has no scheme (https://): %s" % (name, _VALID_URL))
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("%s must start with https:// (not %s://): %s" % (name, parts.scheme, _VALID_URL))
    if "@" in parts.netloc:
        raise ValueError("%s must not carry credentials (user:password@): set them in their own options, which are never "
                         "printed, and %s to https://host:port alone" % (name, name))
    if parts.netloc.count(":") > 1 and not parts.netloc.startswith("["):
        raise ValueError("%s has an IPv6 address without brackets: %s" % (name, _VALID_URL))
    try:
        host, _port = parts.hostname, parts.port
    except ValueError:
        raise ValueError("%s has a port that is not a number from 0 to 65535: %s" % (name, _VALID_URL))
    if not host:
        raise ValueError("%s has no host: %s" % (name, _VALID_URL))
    if parts.scheme.lower() == "http" and not _is_loopback(host):
        raise ValueError("%s uses http://, which would send the credentials in clear to %s: use https:// "
                         "(http:// is allowed to a loopback address only)" % (name, host))


def check_seconds(name, value):
    """Raise ValueError naming option ``name`` unless ``value`` is a finite number of seconds > 0."""
    if value is None:
        return
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if isinstance(value, bool) or not math.isfinite(seconds) or seconds <= 0:
        raise ValueError("%s must be a finite number of seconds greater than 0 (got %s)" % (name, value))


def check_values(params):
    """Check every URL and timeout option present in ``params``, before any request (ValueError)."""
    for name in URL_OPTIONS:
        if name in params:
            check_url(name, params[name])
    for name in SECONDS_OPTIONS:
        if name in params:
            check_seconds(name, params[name])


def resolve(connection, given, where="as an option"):
    """The connection's options for code without AnsibleModule (inventory plugins, event sources).

    Each option is its value in ``given`` when set, else its environment variable,
    else its default; the constraints of the spec are checked. Raises ValueError
    with a message naming the option (and, for a missing one, ``where`` it is set and
    its environment variable).
    """
    params = {}
    for name, spec in connection.argument_spec.items():
        value = given.get(name)
        if value is None and "fallback" in spec:
            value = next((os.environ[var] for var in spec["fallback"][1] if var in os.environ), None)
        if value is None:
            value = spec.get("default")
        params[name] = _convert(name, value, spec.get("type", "str"))
    missing = connection.missing(params, where)
    if missing:
        raise ValueError("; ".join(missing))
    for group in connection.mutually_exclusive:
        if len([name for name in group if params.get(name)]) > 1:
            raise ValueError("%s are mutually exclusive" % " and ".join(group))
    for group in connection.required_together:
        if 0 < len([name for name in group if params.get(name)]) < len(group):
            raise ValueError("%s are required together" % " and ".join(group))
    check_values(params)
    return params
