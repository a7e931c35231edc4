"""memstore_instance_set and memstore_instance_set_info as modules: the documentation against
the argument spec, the password kept out of logs, and a name no set can have refused before any
request."""

import json

import pytest
import yaml
from ansible.module_utils.testing import patch_module_args

from ansible_collections.redisops.platform.plugins.module_utils._http import HttpClient
from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._module import wait_argument_spec
from ansible_collections.redisops.platform.plugins.doc_fragments import memstore_resource
from ansible_collections.redisops.platform.plugins.modules import memstore_instance_set, memstore_instance_set_info


# --- documentation mirrors the argument spec ---------------------------------------------------------------------------
def _doc_options(module):
    """The module's options with those of the doc fragment both MemStore resource modules share."""
    options = dict(yaml.safe_load(memstore_resource.ModuleDocFragment.DOCUMENTATION)["options"])
    options.update(yaml.safe_load(module.DOCUMENTATION)["options"])
    return options


def _assert_mirrors(spec, options, where):
    assert sorted(spec) == sorted(options), where
    for name, rule in spec.items():
        doc = options[name]
        assert doc.get("type") == rule.get("type", "str"), (where, name)
        assert doc.get("default") == rule.get("default"), (where, name)
        assert doc.get("choices") == rule.get("choices"), (where, name)
        assert bool(doc.get("required")) == bool(rule.get("required")), (where, name)
        assert doc.get("elements") == rule.get("elements"), (where, name)
        assert doc.get("aliases") == rule.get("aliases"), (where, name)
        assert doc.get("description"), (where, name)
        if "options" in rule:
            _assert_mirrors(rule["options"], doc["suboptions"], "%s.%s" % (where, name))


def test_documentation_mirrors_the_argument_spec():
    own = dict(memstore_instance_set.ARGUMENT_SPEC, wait_timeout=wait_argument_spec(memstore_instance_set.DEFAULT_WAIT_TIMEOUT)["wait_timeout"])
    _assert_mirrors(own, _doc_options(memstore_instance_set), "memstore_instance_set")
    assert not set(own) & (set(MEMSTORE_CONNECTION.argument_spec) - {"wait_timeout"})
    info = yaml.safe_load(memstore_instance_set_info.DOCUMENTATION)["options"]
    assert sorted(info) == ["id", "name", "read_instances"]


def test_secrets_are_no_log():
    assert memstore_instance_set.ARGUMENT_SPEC["user"]["options"]["password"]["no_log"] is True


def test_info_refuses_a_name_no_set_can_have_before_any_request(monkeypatch, capsys):
    def no_request(*_args, **_kwargs):
        raise AssertionError("a request was sent")

    monkeypatch.setattr(HttpClient, "request", no_request)
    args = dict(auth_token="token", project_id="project-1", api_url="https://memstore.example.com", name="X!")
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            memstore_instance_set_info.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"]
    assert "name may contain only lowercase letters, digits and '-' (got 'X!')" in result["msg"]
