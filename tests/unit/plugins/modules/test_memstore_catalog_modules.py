"""memstore_flavor_info, memstore_parameter_group and memstore_parameter_group_info as modules: the
documentation against the argument spec, and bad input refused before any request."""

import json

import pytest
import yaml
from ansible.module_utils.testing import patch_module_args

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._http import HttpClient
from ansible_collections.redisops.platform.plugins.module_utils._module import wait_argument_spec
from ansible_collections.redisops.platform.plugins.modules import memstore_flavor_info, memstore_parameter_group, memstore_parameter_group_info

from .test_memstore_cluster import _assert_mirrors

CONNECTION = dict(auth_token="token", project_id="project-1", api_url="https://memstore.example.com")


@pytest.mark.parametrize("module", [memstore_flavor_info, memstore_parameter_group_info, memstore_parameter_group])
def test_documentation_mirrors_the_argument_spec(module):
    own = dict(module.ARGUMENT_SPEC)
    if module is memstore_parameter_group:
        own.update(wait_argument_spec(memstore_parameter_group.DEFAULT_WAIT_TIMEOUT))
        own.pop("wait")  # documented by the wait doc fragment, with wait_timeout's default overridden here
    _assert_mirrors(own, yaml.safe_load(module.DOCUMENTATION)["options"], module.__name__)
    assert not set(own) & set(MEMSTORE_CONNECTION.argument_spec)
    for block in (module.DOCUMENTATION, module.EXAMPLES, module.RETURN):
        yaml.safe_load(block)


@pytest.mark.parametrize("args, message", [
    (dict(name="9-lives", base="default-redis-7.2.7"), "name may contain only letters, digits, '-', '_' and '.', and must start with a letter"),
    (dict(name="x" * 65, base="default-redis-7.2.7"), "name must be 1 to 64 characters long (got 65)"),
    (dict(name="tuned", base=" "), "base must not be empty"),
    (dict(name="tuned", base="default-redis-7.2.7", description="a\nb"), "description must not contain line breaks"),
])
def test_parameter_group_refuses_bad_input_before_any_request(args, message, monkeypatch, capsys):
    def no_request(*_args, **_kwargs):
        raise AssertionError("a request was sent")

    monkeypatch.setattr(HttpClient, "request", no_request)
    with patch_module_args(dict(CONNECTION, **args)):
        with pytest.raises(SystemExit):
            memstore_parameter_group.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] and message in result["msg"], result
