"""The memstore_summary filter: memstore_resources' entries as the memstore_provision role reports them."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.redisops.platform.plugins.filter.memstore_summary import FilterModule


def entry(name, kind="instance_set", failed=False, msg="", status="Running"):
    return dict(kind=kind, name=name, id="id-" + name, changed=True, status=status, failed=failed, msg=msg, actions=["created"],
                endpoints=["10.0.0.1"], **{kind: {"name": name, "status": status}})


def test_each_entry_keeps_its_summary_and_a_failed_one_says_why():
    summarise = FilterModule().filters()["memstore_summary"]
    result = summarise([entry("good"), entry("bad", kind="cluster", failed=True, msg="cluster 'bad' failed", status="Failed"),
                        entry("gone", status="absent")])
    assert result == {
        "resources": [
            {"name": "good", "kind": "instance_set", "changed": True, "status": "Running", "endpoints": ["10.0.0.1"]},
            {"name": "bad", "kind": "cluster", "changed": True, "status": "Failed", "endpoints": ["10.0.0.1"],
             "error": "cluster 'bad' failed"},
            {"name": "gone", "kind": "instance_set", "changed": True, "status": "absent", "endpoints": ["10.0.0.1"]},
        ],
        "failed": ["bad"],
    }
    assert summarise([]) == {"resources": [], "failed": []}


@pytest.mark.parametrize("value", [None, "text", [1]])
def test_anything_but_a_list_of_entries_is_refused(value):
    with pytest.raises(AnsibleFilterError, match="resources list of a memstore_resources result"):
        FilterModule().filters()["memstore_summary"](value)
