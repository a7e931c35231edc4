# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The base of every module: merged argument specs, client errors turned into
clear ``fail_json`` results, the shared waiter, and :class:`ModuleTask`, a module run as the
runner's and its resources' task."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.redisops.platform.plugins.module_utils._connection import check_values, url_secrets
from ansible_collections.redisops.platform.plugins.module_utils._factory import build_client
from ansible_collections.redisops.platform.plugins.module_utils._http import (
    REQUESTS_IMPORT_ERROR,
    ApiError,
    ClientError,
)
from ansible_collections.redisops.platform.plugins.module_utils._task import Task
from ansible_collections.redisops.platform.plugins.module_utils._wait import Waiter, WaitError

# What an HTTP status means for the person running the task.
STATUS_HINTS = {
    401: "authentication failed: check the credentials",
    403: "permission denied: the user's role does not allow this request",
    404: "not found",
}


def wait_argument_spec(default_timeout):
    """The options of the ``redisops.platform.wait`` doc fragment."""
    return dict(
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="float", default=default_timeout),
    )


class RedisOpsModule(AnsibleModule):
    """AnsibleModule with the collection's connection options and error handling.

    ``connection`` is a :class:`ConnectionSpec`; ``wait_timeout`` (when not None)
    adds ``wait``/``wait_timeout`` with that default.
    """

    def __init__(self, argument_spec, connection, wait_timeout=None, **kwargs):
        spec = dict(connection.argument_spec)
        if wait_timeout is not None:
            spec.update(wait_argument_spec(wait_timeout))
        spec.update(argument_spec)
        for key in ("mutually_exclusive", "required_together"):
            kwargs[key] = list(getattr(connection, key)) + list(kwargs.get(key) or [])
        kwargs.setdefault("supports_check_mode", True)
        super(RedisOpsModule, self).__init__(argument_spec=spec, **kwargs)
        missing = connection.missing(self.params, connection.module_where())
        if missing:
            self.fail_json(msg="; ".join(missing))
        if REQUESTS_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self.no_log_values.update(url_secrets(self.params))  # a URL from an environment variable
        try:
            check_values(self.params)
        except ValueError as error:
            self.fail_json(msg=str(error))

    def _load_params(self):
        super(RedisOpsModule, self)._load_params()
        # Masked before anything can echo the arguments (a validation failure's invocation).
        self.no_log_values.update(url_secrets(self.params))

    def client(self, client_class, deadline=None):
        """An API client built from this module's connection options and wired to this run: its
        retries warn through the module and never sleep past the task's deadline. ``deadline``
        (monotonic seconds) is the task's for a module that waits: a refused connection (a node
        restarting) is retried until then. A module that does not wait gets what one request may
        take with its retries, from now, and fails at once on an API it cannot reach. Every module
        gets its clients here."""
        return build_client(client_class, self.params, deadline=deadline, on_retry=self.warn)

    def waiter(self):
        return Waiter(self.params["wait_timeout"], check_mode=self.check_mode)

    def task(self):
        """This run as the runner's and its resources' :class:`Task`."""
        return ModuleTask(self)

    @staticmethod
    def api_error_text(error, intro=None):
        """A client error as one sentence: method, path, status, API code and message, with a hint."""
        text = str(error)
        hint = STATUS_HINTS.get(error.status)
        if hint and hint.split(":")[0] not in text:
            text = "%s (%s)" % (text, hint)
        return "%s: %s" % (intro, text) if intro else text

    def fail_api(self, error, msg=None, **result):
        """Fail with a client error: method, path, status, API code and message."""
        self.fail_json(msg=self.api_error_text(error, msg), api_error=error.as_dict(), **result)

    def fail_wait(self, error, **result):
        result.setdefault("duration", error.duration)
        self.fail_json(msg=error.message, **result)

    def execute(self, main):
        """Run ``main()`` and turn the collection's errors into clean failures."""
        try:
            main()
        except ApiError as error:
            self.fail_api(error)
        except WaitError as error:
            self.fail_wait(error)
        except ClientError as error:
            self.fail_json(msg=str(error))


class ModuleTask(Task):
    """A module run as the runner's and its resources' task: the one place that turns the task
    protocol into AnsibleModule calls. Its clients come from :meth:`RedisOpsModule.client`, where
    the ``_info`` modules get theirs too, so every client of a module is wired in one place."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.check_mode = module.check_mode
        self.diff = module._diff

    @property
    def tmpdir(self):
        return self.module.tmpdir  # made on first use

    def warn(self, message):
        self.module.warn(message)

    def client(self, client_class, deadline=None):
        return self.module.client(client_class, deadline=deadline)

    def waiter(self):
        return self.module.waiter()

    def error_text(self, error, intro=None):
        return self.module.api_error_text(error, intro)

    def exit(self, **result):
        self.module.exit_json(**result)

    def fail(self, msg, **result):
        self.module.fail_json(msg=msg, **result)
