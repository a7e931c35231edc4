"""docs/fleet.md's pattern run the way AWX runs a sliced job template: the fleet inventory
(docs/awx/fleet/inventory.yml, its URLs and CA paths pointed at the emulator), the fleet credential
type (docs/awx/fleet/credential_type.yml, rendered as AWX renders its injector) and
playbooks/fleet_report.yml, run by ansible-runner once per slice.

ansible-runner cannot slice: each run gets the inventory AWX gives that slice (the hosts in name
order, every Nth from the slice's number on, in their groups). One emulator serves the whole fleet:
two Redis Enterprise clusters on its nodes (east: nodes 1 and 2, west: node 3), each with its own
admin, and two MemStore projects, each reached with its own application credential."""

import json
import os
import shutil
import sys
from pathlib import Path

import ansible_runner
import pytest
import yaml

from awx_injectors import render
from collection_link import ROOT, link_collection
from emulator.memstore_instance_sets import seed_instance_set

FLEET = Path(ROOT) / "docs" / "awx" / "fleet"
PLAYBOOK = Path(ROOT) / "playbooks" / "fleet_report.yml"
ADMINS = {"re-east": ("east-admin@re.test", "East-Passw0rd-k3J"), "re-west": ("west-admin@re.test", "West-Passw0rd-q8L")}
STAGING = ("staging-credential", "Staging-Secret-w2P", "staging-project")


def hosts_of(inventory):
    """``{host: group}`` of the fleet inventory's hosts."""
    return {host: group for group, body in inventory["all"]["children"].items() for host in body["hosts"]}


def awx_slice(inventory, number, count):
    """The inventory AWX gives slice ``number`` of ``count``: every host in name order from the
    slice's position on, one in ``count``, kept in its groups with their variables."""
    chosen = sorted(hosts_of(inventory))[number - 1::count]
    sliced = json.loads(json.dumps(inventory))
    for body in sliced["all"]["children"].values():
        body["hosts"] = {host: hostvars for host, hostvars in body["hosts"].items() if host in chosen}
    return sliced, chosen


@pytest.fixture
def fleet(emulator):
    """The emulator as a fleet, and the docs' inventory pointed at it."""
    emulator.seed_re_cluster(name="east.re.test", nodes=[1, 2], username=ADMINS["re-east"][0], password=ADMINS["re-east"][1])
    emulator.seed_re_cluster(name="west.re.test", nodes=[3], username=ADMINS["re-west"][0], password=ADMINS["re-west"][1])
    emulator.memstore.credentials[STAGING[0]] = {"secret": STAGING[1], "project": STAGING[2]}
    seed_instance_set(emulator, "prod-sessions", nodes=2)
    seed_instance_set(emulator, "prod-carts", nodes=1, status="Failed")
    seed_instance_set(emulator, "staging-sessions", nodes=1, projectId=STAGING[2])
    inventory = yaml.safe_load((FLEET / "inventory.yml").read_text())
    groups = inventory["all"]["children"]
    assert sorted(groups["redis_enterprise_clusters"]["hosts"]) == ["re-east", "re-west"]
    assert sorted(groups["memstore_projects"]["hosts"]) == ["memstore-prod", "memstore-staging"]
    for host, node in (("re-east", 1), ("re-west", 3)):
        groups["redis_enterprise_clusters"]["hosts"][host].update(re_url=emulator.node_url(node), re_ca_path=emulator.tls["ca"])
    groups["memstore_projects"]["vars"].update(memstore_api_url=emulator.memstore_url, memstore_identity_url=emulator.identity_url)
    return inventory


def credential_map(emulator, leave_out=()):
    info = emulator.info()
    entries = {
        "re-east": {"username": ADMINS["re-east"][0], "password": ADMINS["re-east"][1]},
        "re-west": {"username": ADMINS["re-west"][0], "password": ADMINS["re-west"][1]},
        "memstore-prod": {"application_credential_id": info["application_credential_id"],
                          "application_credential_secret": info["application_credential_secret"]},
        "memstore-staging": {"application_credential_id": STAGING[0], "application_credential_secret": STAGING[1]},
    }
    return yaml.safe_dump({host: entry for host, entry in entries.items() if host not in leave_out})


def run_slice(tmp_path, inventory, number, count, credentials):
    """One slice's job: ansible-runner with the slice's inventory and only the fleet credential's environment."""
    private = tmp_path / ("slice%d" % number)
    (private / "project").mkdir(parents=True)
    (private / "inventory").mkdir()
    (private / "credentials").mkdir()
    shutil.copy2(str(PLAYBOOK), str(private / "project" / PLAYBOOK.name))
    sliced, chosen = awx_slice(inventory, number, count)
    (private / "inventory" / "hosts.yml").write_text(yaml.safe_dump(sliced))
    credential_type = yaml.safe_load((FLEET / "credential_type.yml").read_text())
    env = render(credential_type, {"credentials": credentials}, private / "credentials")
    env.update(ANSIBLE_COLLECTIONS_PATH=link_collection(), ANSIBLE_HOME=str(private / "ansible-home"),
               ANSIBLE_LOCAL_TEMP=str(private / "ansible-tmp"), ANSIBLE_REMOTE_TMP=str(private / "ansible-remote-tmp"))
    runner = ansible_runner.run(private_data_dir=str(private), playbook=PLAYBOOK.name, envvars=env, quiet=True, timeout=300)
    events = list(runner.events)
    stats = [event["event_data"] for event in events if event["event"] == "playbook_on_stats"]
    report = (stats[-1].get("artifact_data") or {}).get("fleet_report", {}) if stats else {}
    return runner, chosen, report, events


@pytest.fixture
def job_env(monkeypatch):
    """What an AWX job has of ours: nothing but what its credentials inject."""
    for name in list(os.environ):
        if name.startswith(("KAKAOCLOUD_", "REDIS_ENTERPRISE_", "ANSIBLE_", "REDISOPS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PATH", "%s%s%s" % (Path(sys.executable).parent, os.pathsep, os.environ.get("PATH", "")))


def test_two_slices_cover_the_fleet_each_host_with_its_own_credential(emulator, fleet, tmp_path, job_env):
    credentials = credential_map(emulator)
    reports, covered = {}, []
    for number in (1, 2):
        runner, chosen, report, events = run_slice(tmp_path, fleet, number, 2, credentials)
        stdout = runner.stdout.read()
        assert (runner.status, runner.rc) == ("successful", 0), stdout
        assert sorted(report) == sorted(chosen), stdout  # each slice reports the hosts it covered, no other
        assert not runner.stats["failures"] and not runner.stats["dark"]
        for secret in [password for _user, password in ADMINS.values()] + [STAGING[1], emulator.info()["application_credential_secret"]]:
            assert secret not in stdout and secret not in json.dumps(events)
        reports.update(report)
        covered += chosen
    assert sorted(covered) == ["memstore-prod", "memstore-staging", "re-east", "re-west"]
    assert len(set(covered)) == 4  # a host is in one slice only
    assert reports["re-east"] == {"cluster": "east.re.test", "nodes": 2, "nodes_not_active": [], "certificates_expiring": []}
    assert reports["re-west"] == {"cluster": "west.re.test", "nodes": 1, "nodes_not_active": [], "certificates_expiring": []}
    # Each project sees its own resources only: its own credential was used.
    assert reports["memstore-prod"] == {"instance_sets": 2, "clusters": 0, "not_running": ["prod-carts"]}
    assert reports["memstore-staging"] == {"instance_sets": 1, "clusters": 0, "not_running": []}

    # Each cluster was read with its own admin, through its own nodes' APIs.
    users = {}
    for entry in emulator.log.entries():
        if entry["server"].startswith("node"):
            users.setdefault(entry["server"], set()).add(entry["user"])
    assert users == {"node1": {ADMINS["re-east"][0]}, "node3": {ADMINS["re-west"][0]}}


def test_a_host_missing_from_the_credential_fails_alone_and_is_reported(emulator, fleet, tmp_path, job_env):
    runner, chosen, report, _events = run_slice(tmp_path, fleet, 2, 2, credential_map(emulator, leave_out=("re-west",)))
    assert chosen == ["memstore-staging", "re-west"]
    assert runner.status == "failed"
    assert runner.stats["failures"] == {"re-west": 1}
    assert report["re-west"] == {"error": "The fleet credential has no entry re-west: add its username and password"}
    assert report["memstore-staging"]["instance_sets"] == 1  # the other host of the slice went on
    assert [entry for entry in emulator.log.entries() if entry["server"] == "node3"] == []


def test_the_doc_shows_the_files_it_names():
    """docs/fleet.md shows the credential type and the inventory as they are in docs/awx/fleet/."""
    text = (Path(ROOT) / "docs" / "fleet.md").read_text()
    for name in ("credential_type.yml", "inventory.yml"):
        shown = text.split("```yaml\n# docs/awx/fleet/%s\n" % name, 1)[1].split("```", 1)[0]
        assert shown == (FLEET / name).read_text().split("\n", 1)[1], name
    assert "playbooks/fleet_report.yml" in text
