"""memstore_cluster and memstore_cluster_info as modules: the documentation against the argument
spec, the password kept out of logs, and a name no cluster can have refused before any request."""

import json

import pytest
import yaml
from ansible.module_utils.testing import patch_module_args

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION
from ansible_collections.redisops.platform.plugins.module_utils._http import HttpClient
from ansible_collections.redisops.platform.plugins.module_utils._module import wait_argument_spec
from ansible_collections.redisops.platform.plugins.doc_fragments import memstore_resource
from ansible_collections.redisops.platform.plugins.modules import memstore_cluster, memstore_cluster_info


# --- documentation mirrors the argument spec ---------------------------------------------------------------------------
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
    own = dict(memstore_cluster.ARGUMENT_SPEC, wait_timeout=wait_argument_spec(memstore_cluster.DEFAULT_WAIT_TIMEOUT)["wait_timeout"])
    options = dict(yaml.safe_load(memstore_resource.ModuleDocFragment.DOCUMENTATION)["options"])
    options.update(yaml.safe_load(memstore_cluster.DOCUMENTATION)["options"])
    _assert_mirrors(own, options, "memstore_cluster")
    assert not set(own) & set(MEMSTORE_CONNECTION.argument_spec)
    assert sorted(yaml.safe_load(memstore_cluster_info.DOCUMENTATION)["options"]) == ["id", "name", "read_shards"]
    for module in (memstore_cluster, memstore_cluster_info):
        for block in (module.DOCUMENTATION, module.EXAMPLES, module.RETURN):
            yaml.safe_load(block)


def test_secrets_are_no_log():
    assert memstore_cluster.ARGUMENT_SPEC["user"]["options"]["password"]["no_log"] is True


def test_info_refuses_a_name_no_cluster_can_have_before_any_request(monkeypatch, capsys):
    def no_request(*_args, **_kwargs):
        raise AssertionError("a request was sent")

    monkeypatch.setattr(HttpClient, "request", no_request)
    args = dict(auth_token="token", project_id="project-1", api_url="https://memstore.example.com", name="Orders--1")
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            memstore_cluster_info.main()
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] and result["errors"] == [
        "name may contain only lowercase letters, digits and '-' (got 'Orders--1')",
        "name must start with a lowercase letter (got 'Orders--1')",
        "name must not contain consecutive hyphens '--' (got 'Orders--1')",
    ]
