# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection options of both APIs, with their environment variables.

Free of ``AnsibleModule``: modules turn these specs into argument specs, and
inventory plugins and event sources resolve the same options (given value, else
the environment variable, else the default, with the same type checks, by
ansible's ``ArgumentSpecValidator``) with :func:`resolve`, then build the same
API clients.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import math
import os
import re

try:
    from urllib.parse import unquote, urlsplit, urlunsplit
except ImportError:  # pragma: no cover - Python 2 is not supported by this collection
    unquote = urlsplit = urlunsplit = None

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import env_fallback

from ansible_collections.redisops.platform.plugins.module_utils._http import printable

try:
    from requests.utils import get_environ_proxies, select_proxy
except ImportError:  # pragma: no cover - reported through missing_required_lib before any request
    get_environ_proxies = select_proxy = None

DEFAULT_REGION = "kr-central-2"
DEFAULT_IDENTITY_URL = "https://iam.kakaocloud.com/identity/v3"
MEMSTORE_API_URL_TEMPLATE = "https://redis.{region}.kakaocloud.com"


# The options that hold a server's URL, and those that hold a number of seconds.
URL_OPTIONS = ("url", "api_url", "identity_url")
SECONDS_OPTIONS = ("request_timeout", "wait_timeout")
# The most each may be: an hour for one request, a week for a task (far past any operation, and a
# deadline that Python's clocks and urllib3's timeouts can hold: 1e12 s overflows them).
MAX_SECONDS = dict(request_timeout=3600, wait_timeout=7 * 24 * 3600)
_VALID_URL = "a valid URL looks like https://host:9443 or, for an IPv6 address, https://[::1]:9443"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# A KakaoCloud region name (kr-central-2): it becomes part of the MemStore API's host name.
_REGION = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _env(*names):
    return (env_fallback, list(names))


class ConnectionSpec:
    """A connection's options plus the constraints between them.

    ``required``, ``required_one_of`` and ``together`` (options given all or none: a user
    without a password, a password without a user) are checked by :meth:`missing`, not by
    AnsibleModule, so that the message names what can set the missing option besides the
    task: its environment variable and the ``module_defaults`` group (``group``).
    ``mutually_exclusive`` and ``required_together`` are what AnsibleModule checks itself
    (none: its messages would name no variable).
    """

    def __init__(self, argument_spec, group, required=None, together=None, required_one_of=None):
        self.argument_spec = argument_spec
        self.group = group
        self.required = required or []
        self.together = together or []
        self.required_one_of = required_one_of or []
        self.mutually_exclusive = []
        self.required_together = []

    def env_vars(self):
        """``{option: [environment variables]}``: what a credential injector may set."""
        return dict((name, list(spec["fallback"][1])) for name, spec in self.argument_spec.items() if "fallback" in spec)

    def secret_options(self):
        return sorted(name for name, spec in self.argument_spec.items() if spec.get("no_log"))

    def variables(self, names):
        """The environment variables that can set ``names``, as text ("A or B")."""
        return " or ".join(var for name in names for var in self.env_vars().get(name, []))

    def missing(self, params, where):
        """One message per required option (or ``required_one_of`` group, or option of a
        ``together`` group whose partner is given) that ``params`` lacks.

        ``where`` says where the user sets options (the task, an inventory file); each message
        also names the environment variables that can set them instead.
        """
        def given(name):
            return params.get(name) not in (None, "")

        messages = []
        for group in [(name,) for name in self.required] + [tuple(group) for group in self.required_one_of]:
            if any(given(name) for name in group):
                continue
            if len(group) == 1:
                messages.append("%s is required: set it %s, or the environment variable %s" % (group[0], where, self.variables(group)))
            else:
                messages.append("one of %s is required: set one %s, or the environment variable %s"
                                % (", ".join(group), where, self.variables(group)))
        for group in self.together:
            if not any(given(name) for name in group):
                continue
            for name in group:
                if not given(name):
                    messages.append("%s are required together: set %s %s, or the environment variable %s"
                                    % (" and ".join(group), name, where, self.variables([name])))
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
    together=[("application_credential_id", "application_credential_secret")],
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
    together=[("username", "password"), ("client_key", "client_cert")],
)


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
    """A loopback address, or the exact name ``localhost``: any other name may resolve elsewhere
    (``evil.localhost`` is whatever the resolver says)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def is_host(value):
    """Whether ``value`` is an IP address or a DNS name, and nothing else (no port, path, user or
    space): what a server reports as an address may be put in a URL only then."""
    if not isinstance(value, str) or not value:
        return False
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        pass
    name = value[:-1] if value.endswith(".") else value
    return len(name) <= 253 and all(_DNS_LABEL.match(label) for label in name.split("."))


def node_url(url, address):
    """``url`` with its host replaced by ``address`` (scheme and port kept, always from ``url``).

    ``address`` comes from the server: it must be a host (an IP address or a DNS name), else
    ValueError, since ``10.0.0.1/#`` or ``evil@host`` would send the credentials elsewhere.
    """
    if not is_host(address):
        raise ValueError("%s is not an IP address or a DNS name" % printable(address))
    parts = urlsplit(url)
    netloc = "[%s]" % address if ":" in address else address
    if parts.port:
        netloc = "%s:%d" % (netloc, parts.port)
    return urlunsplit((parts.scheme, netloc, "", "", ""))


def memstore_api_url(params):
    """The MemStore API's URL: ``api_url``, else the one of ``region``."""
    return params.get("api_url") or MEMSTORE_API_URL_TEMPLATE.format(region=params.get("region") or DEFAULT_REGION)


def check_region(value):
    """Raise ValueError unless ``value`` is a region name (lowercase letters, digits, hyphens): it is
    put in the API's host name, where anything else (``@``, ``/``, ``#``) could send the request elsewhere."""
    if value in (None, ""):  # unset: the default region
        return
    if not isinstance(value, str) or len(value) > 63 or not _REGION.match(value):
        raise ValueError("region must be a region name such as %s (lowercase letters, digits and hyphens)" % DEFAULT_REGION)


def _proxy_variable(scheme, proxy):
    """The environment variable that set ``proxy`` for ``scheme`` (as urllib reads them, lowercase first)."""
    for name in ("%s_proxy" % scheme, "%s_PROXY" % scheme.upper(), "all_proxy", "ALL_PROXY"):
        if os.environ.get(name) == proxy:
            return name
    return "the environment's proxy settings"


def check_proxy(name, value):
    """Raise ValueError when a request to ``value`` (option ``name``) would travel in clear through a
    proxy that is not on loopback: an ``http://`` URL (loopback only, see :func:`check_url`) that the
    environment's proxy variables send through a proxy (as requests picks it, NO_PROXY honoured).

    An ``https://`` URL is not concerned: through a proxy, its TLS runs end to end (CONNECT).
    The message never repeats the proxy's URL: it may carry the proxy's password.
    """
    if value is None or get_environ_proxies is None:
        return
    parts = urlsplit(str(value))
    if parts.scheme.lower() != "http":
        return
    proxy = select_proxy(str(value), get_environ_proxies(str(value)))
    if not proxy:
        return
    host = urlsplit(proxy if "://" in proxy else "http://" + proxy).hostname
    if host and _is_loopback(host):
        return
    raise ValueError("%s uses http:// and the proxy %s set by %s, which would receive the credentials in clear: use https:// "
                     "(a proxy then relays TLS it cannot read), or add %s to NO_PROXY"
                     % (name, host or "(no host)", _proxy_variable(parts.scheme.lower(), proxy), parts.hostname))


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
    """Raise ValueError naming option ``name`` unless ``value`` is a finite number of seconds > 0
    and at most its :data:`MAX_SECONDS`."""
    if value is None:
        return
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if isinstance(value, bool) or not math.isfinite(seconds) or seconds <= 0:
        raise ValueError("%s must be a finite number of seconds greater than 0 (got %s)" % (name, value))
    if seconds > MAX_SECONDS.get(name, seconds):
        raise ValueError("%s must be at most %d seconds (got %s)" % (name, MAX_SECONDS[name], value))


def check_values(params):
    """Check every URL and timeout option present in ``params``, and the URLs the clients will use
    through the environment's proxies, before any request (ValueError)."""
    if "region" in params:
        check_region(params["region"])
        if not params.get("api_url"):
            check_url("api_url (made from region)", memstore_api_url(params))
            check_proxy("api_url (made from region)", memstore_api_url(params))
    for name in URL_OPTIONS:
        if name in params:
            check_url(name, params[name])
            check_proxy(name, params[name])
    for name in SECONDS_OPTIONS:
        if name in params:
            check_seconds(name, params[name])


def resolve(connection, given, where="as an option"):
    """The connection's options for code without AnsibleModule (inventory plugins, event sources).

    Each option is its value in ``given`` when set (not None), else its environment
    variable, else its default, converted to its type, as AnsibleModule does (the same
    ``ArgumentSpecValidator``); then the spec's constraints and the values are checked.
    Raises ValueError with a message naming the option (and, for a missing one, ``where``
    it is set and its environment variable; for a bad value from the environment, that
    variable).
    """
    given = dict((name, value) for name, value in given.items() if value is not None)
    result = ArgumentSpecValidator(connection.argument_spec, mutually_exclusive=connection.mutually_exclusive,
                                   required_together=connection.required_together).validate(given)
    if result.error_messages:
        raise ValueError("; ".join(_from_environment(connection, given, message) for message in result.error_messages))
    params = result.validated_parameters
    missing = connection.missing(params, where)
    if missing:
        raise ValueError("; ".join(missing))
    check_values(params)
    return params


def _from_environment(connection, given, message):
    """``message`` plus the environment variable its option came from, when it did."""
    for name, variables in connection.env_vars().items():
        if name not in given and "'%s'" % name in message:
            found = [var for var in variables if var in os.environ]
            if found:
                return "%s (set by the environment variable %s)" % (message, found[0])
    return message
