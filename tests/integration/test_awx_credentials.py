"""A playbook run the way AWX/AAP runs a job: ansible-runner with only the environment the
collection's credential types inject (tests/tools/awx_injectors.py renders them as AWX
does), against the emulator; assertions on the runner's artifacts."""

import json
import os
import sys
from pathlib import Path

import ansible_runner
import jq
import pytest
import yaml

from awx_injectors import credential_types, render
from collection_link import ROOT, link_collection
from emulator.memstore_instance_sets import seed_instance_set

PLAYBOOK = [{
    "name": "A job template's playbook: connection settings come from the credentials only",
    "hosts": "localhost",
    "gather_facts": False,
    "tasks": [
        {"name": "Read the instance sets", "redisops.platform.memstore_instance_set_info": {}, "register": "found"},
        {"name": "The seeded set is there", "ansible.builtin.assert": {
            "that": ["found.instance_sets | map(attribute='name') | list == ['awx-set']",
                     "found.instance_sets[0].node_count == 2"]}},
        {"name": "Put node 2 in maintenance", "redisops.platform.re_node_action": {"node_uid": 2, "action": "maintenance_on"}},
        {"name": "Again: nothing to do", "redisops.platform.re_node_action": {"node_uid": 2, "action": "maintenance_on"}},
        {"name": "Take node 2 out of maintenance", "redisops.platform.re_node_action": {"node_uid": 2, "action": "maintenance_off"}},
        # The same nodes through other modules and other nodes' APIs: counted once each.
        {"name": "Read the cluster's nodes", "redisops.platform.re_node_info": {"read_status": False}},
        {"name": "Read node 2's bootstrap through its own API", "redisops.platform.re_bootstrap_info": {"url": "{{ node2_url }}"}},
        {"name": "Read node 2's actions through node 3's API",
         "redisops.platform.re_node_action_info": {"url": "{{ node3_url }}", "node_uid": 2}},
        {"name": "Read the certificates through node 2's API", "redisops.platform.re_certificates_info": {"url": "{{ node2_url }}"}},
    ],
}]


@pytest.fixture
def job_env(emulator, tmp_path, monkeypatch):
    """What AWX gives the job: the two credentials' injected environment, nothing else of ours."""
    for name in list(os.environ):
        if name.startswith(("KAKAOCLOUD_", "REDIS_ENTERPRISE_", "ANSIBLE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", "%s%s%s" % (Path(sys.executable).parent, os.pathsep, os.environ.get("PATH", "")))
    info = emulator.info()
    types = credential_types()
    secrets_dir = tmp_path / "credentials"
    secrets_dir.mkdir()
    env = {}
    env.update(render(types["kakaocloud_memstore"], {
        "application_credential_id": info["application_credential_id"],
        "application_credential_secret": info["application_credential_secret"],
        "api_url": emulator.memstore_url,
        "identity_url": emulator.identity_url,
    }, secrets_dir))
    env.update(render(types["redis_enterprise_admin"], {
        "url": emulator.node_url(1),
        "username": info["re_admin"]["username"],
        "password": info["re_admin"]["password"],
        "ca_certificate": Path(info["ca_path"]).read_text(),
    }, secrets_dir))
    return env


def indirect_nodes(events):
    """What AAP's indirect node counting records for a job: each event's result run through the
    collection's query for its resolved action; one entry per distinct canonical_facts."""
    queries = yaml.safe_load((Path(ROOT) / "extensions" / "audit" / "event_query.yml").read_text())
    found = {}
    for event in events:
        data = event.get("event_data") or {}
        if "res" not in data or data.get("resolved_action") not in queries:
            continue
        for item in jq.compile(queries[data["resolved_action"]]["query"]).input(data["res"]).all():
            if item.get("canonical_facts"):
                found[json.dumps(item["canonical_facts"], sort_keys=True)] = item
    return sorted(found.values(), key=lambda item: item["name"])


def run_job(tmp_path, env, verbosity=0, extravars=None, playbook=None):
    private = tmp_path / "job"
    (private / "project").mkdir(parents=True)
    (private / "inventory").mkdir()
    (private / "project" / "site.yml").write_text(json.dumps(playbook or PLAYBOOK))
    (private / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    envvars = dict(env, ANSIBLE_COLLECTIONS_PATH=link_collection(), ANSIBLE_HOME=str(tmp_path / "ansible-home"),
                   ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"), ANSIBLE_REMOTE_TMP=str(tmp_path / "ansible-remote-tmp"))
    return ansible_runner.run(private_data_dir=str(private), playbook="site.yml", envvars=envvars, extravars=extravars or {},
                              verbosity=verbosity, quiet=True, timeout=300)


def test_job_with_credential_environment_only(emulator, tmp_path, job_env):
    emulator.seed_re_cluster()
    seed_instance_set(emulator, "awx-set", nodes=2)
    runner = run_job(tmp_path, job_env, verbosity=3, extravars=dict(node2_url=emulator.node_url(2), node3_url=emulator.node_url(3)))
    stdout = runner.stdout.read()
    assert (runner.status, runner.rc) == ("successful", 0), stdout
    stats = runner.stats
    assert stats["changed"] == {"localhost": 2}
    assert stats["ok"] == {"localhost": 9}
    assert not stats["failures"] and not stats["dark"]

    events = list(runner.events)
    results = {event["event_data"]["task"]: event["event_data"]["res"] for event in events if event["event"] == "runner_on_ok"}
    assert results["Put node 2 in maintenance"]["changed"] is True
    assert results["Again: nothing to do"]["changed"] is False
    assert results["Take node 2 out of maintenance"]["changed"] is True
    assert emulator.node(2).maintenance_snapshots == []

    # Indirect node counting: the set's two nodes, the cluster's three nodes and the cluster, each
    # once, although node 2 was seen by five modules through three nodes' APIs.
    counted = indirect_nodes(events)
    assert [(item["name"], item["facts"]["device_type"]) for item in counted] == [
        ("awx-set-1", "memstore_node"), ("awx-set-2", "memstore_node"), ("cluster.re.test", "redis_enterprise_cluster"),
        ("cluster.re.test/node1", "redis_enterprise_node"), ("cluster.re.test/node2", "redis_enterprise_node"),
        ("cluster.re.test/node3", "redis_enterprise_node")]
    node2 = {"cluster_name": "cluster.re.test", "node_uid": "2"}
    seen_by = set(event["event_data"]["resolved_action"] for event in events if event["event"] == "runner_on_ok"
                  and node2 in [item["canonical_facts"] for item in indirect_nodes([event])])
    assert seen_by == set("redisops.platform." + name for name in ("re_node_action", "re_node_info", "re_bootstrap_info",
                                                                   "re_node_action_info"))

    # No secret in the job events, the output or any other artifact, except the runner's record of
    # the command and its environment (``command``), which holds what the credentials injected.
    info = emulator.info()
    secrets = [info["application_credential_secret"], info["re_admin"]["password"]]
    artifacts = Path(runner.config.artifact_dir)
    kept = [path for path in artifacts.rglob("*") if path.is_file() and path.name != "command"]
    assert len(kept) > 5  # the job events, stdout, status, rc, fact cache
    texts = [json.dumps(events), stdout] + [path.read_text(errors="replace") for path in kept]
    for secret in secrets:
        assert not [text for text in texts if secret in text]


def test_job_with_a_wrong_password_fails_clearly(emulator, tmp_path, job_env):
    emulator.seed_re_cluster()
    seed_instance_set(emulator, "awx-set", nodes=2)
    job_env["REDIS_ENTERPRISE_PASSWORD"] = "wrong-password-0123"
    runner = run_job(tmp_path, job_env)
    assert runner.status == "failed"
    assert runner.stats["failures"] == {"localhost": 1}
    failed = [event["event_data"] for event in runner.events if event["event"] == "runner_on_failed"]
    assert failed[0]["task"] == "Put node 2 in maintenance"
    assert "401" in failed[0]["res"]["msg"]
    assert "wrong-password-0123" not in json.dumps(list(runner.events))


def test_a_bootstrap_and_its_rerun_count_each_node_once(emulator, tmp_path, job_env):
    """The role's re_cluster task reads and bootstraps the nodes, each through its own API, and the
    re-run reads them again: three nodes, counted once each."""
    role = {"name": "redisops.platform.re_cluster_bootstrap"}
    variables = {"re_cluster_bootstrap_cluster_name": "Counted.RE.test", "re_cluster_bootstrap_nodes": "{{ node_urls }}"}
    playbook = [{"name": "Bootstrap a cluster, then run the role again", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "Bootstrap", "ansible.builtin.include_role": role, "vars": variables},
        {"name": "Again", "ansible.builtin.include_role": role, "vars": variables},
    ]}]
    urls = [emulator.node_url(index) for index in (1, 2, 3)]
    runner = run_job(tmp_path, job_env, extravars=dict(node_urls=urls), playbook=playbook)
    assert (runner.status, runner.rc) == ("successful", 0), runner.stdout.read()
    events = list(runner.events)
    counted = indirect_nodes(events)
    assert [(item["name"], item["canonical_facts"]) for item in counted] == [
        ("counted.re.test/node%d" % uid, {"cluster_name": "counted.re.test", "node_uid": str(uid)}) for uid in (1, 2, 3)]
    modules = set(event["event_data"]["resolved_action"] for event in events
                  if event["event"] == "runner_on_ok" and indirect_nodes([event]))
    assert modules == set(["redisops.platform.re_cluster"])
