"""The rulebooks of extensions/eda/rulebooks/ run by the real ansible-rulebook (Java 17, Drools)
against the emulator: the emulator produces the event (a certificate that expires in 5 days;
an instance set whose instance turns Failed; a replica shard losing its link), the rulebook's event source sees it, its rule
runs the collection's playbook, and the test checks what the playbook did.

Each rulebook is run as shipped, with one addition: its rule ends with a ``shutdown`` action,
so ansible-rulebook stops once the playbook has run. These tests fail, never skip, when
ansible-rulebook or Java 17 cannot be found."""

import glob
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import yaml
from certfactory import Pki
from collection_link import ROOT
from emulator import re_certificates
from emulator.memstore_instance_sets import seed_instance_set
from playbook_runner import Ansible

RULEBOOKS = Path(ROOT) / "extensions" / "eda" / "rulebooks"
ANSIBLE_RULEBOOK = Path(sys.executable).parent / "ansible-rulebook"
TIMEOUT = 240


def java_home():
    """JAVA_HOME when it names a Java, else a Java 17 (or later) of /usr/lib/jvm; fails the test without one."""
    given = os.environ.get("JAVA_HOME")
    if given and os.access(os.path.join(given, "bin", "java"), os.X_OK):
        return given
    found = []
    for home in glob.glob("/usr/lib/jvm/*"):
        release = os.path.join(home, "release")
        if not os.access(os.path.join(home, "bin", "java"), os.X_OK) or not os.path.exists(release):
            continue
        with open(release) as handle:
            text = handle.read()
        version = text.split('JAVA_VERSION="', 1)[-1].split(".", 1)[0] if 'JAVA_VERSION="' in text else ""
        if version.isdigit() and int(version) >= 17:
            found.append((int(version) != 17, home))  # Java 17 first: what ansible-rulebook supports
    if not found:
        pytest.fail("ansible-rulebook needs Java 17: set JAVA_HOME or install it under /usr/lib/jvm")
    return sorted(found)[0][1]


def with_shutdown(rulebook, workdir):
    """The shipped rulebook whose one rule ends with a shutdown action, written to ``workdir``."""
    rulesets = yaml.safe_load((RULEBOOKS / rulebook).read_text())
    assert len(rulesets) == 1 and len(rulesets[0]["rules"]) == 1, "update this test: it expects one ruleset with one rule"
    rule = rulesets[0]["rules"][0]
    actions = rule.pop("actions", None) or [rule.pop("action")]
    rule["actions"] = actions + [{"shutdown": {"message": "the playbook ran: test over", "delay": 0}}]
    path = workdir / rulebook
    path.write_text(yaml.safe_dump(rulesets, sort_keys=False))
    return path


def run_rulebook(emu, tmp_path, rulebook, variables, env):
    assert ANSIBLE_RULEBOOK.exists(), "ansible-rulebook is not installed in %s: pip install -r tests/requirements.txt" % ANSIBLE_RULEBOOK.parent
    variables_file = tmp_path / "variables.yml"
    variables_file.write_text(yaml.safe_dump(variables))
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"localhost": {"ansible_connection": "local"}}}}))
    run_env = Ansible(emu, tmp_path).env(env)
    for name in ("ANSIBLE_CALLBACKS_ENABLED", "ANSIBLE_CALLBACK_PLUGINS"):  # the test-only callback needs a results file
        run_env.pop(name, None)
    run_env["JAVA_HOME"] = java_home()
    run_env["PATH"] = os.pathsep.join([str(ANSIBLE_RULEBOOK.parent), run_env.get("PATH", "")])
    command = [str(ANSIBLE_RULEBOOK), "--rulebook", str(with_shutdown(rulebook, tmp_path)), "--inventory", str(inventory),
               "--vars", str(variables_file), "--print-events"]
    try:
        proc = subprocess.run(command, cwd=str(tmp_path), env=run_env, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired as expired:
        pytest.fail("ansible-rulebook did not shut down within %d s:\n%s%s" % (TIMEOUT, expired.stdout, expired.stderr))
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "the playbook ran: test over" in output, output
    return output


def fail_after_first_list(emu, instance):
    """Once the MemStore list has been read, make ``instance`` and its instance set Failed."""
    seen = emu.log.last_seq()
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if any(entry["path"] == "/v1/clusters" for entry in emu.log.entries(seen)):
            requests.post(emu.memstore_url + "/_emulator/memstore/instances/%s/status" % instance,
                          json={"status": "Failed", "instance_set_status": "Failed"}, timeout=10)
            return
        time.sleep(0.2)


def test_rotate_expiring_certificates(emulator, tmp_path):
    emulator.seed_re_cluster()
    response = requests.post(emulator.node_url(1) + "/_emulator/re/certificates/proxy", json={"days": 5},
                             verify=emulator.tls["ca"], timeout=10)
    assert response.status_code == 201, response.text
    expiring = response.json()
    renewed = tmp_path / "renewed"
    renewed.mkdir()
    certificate, key = Pki("EDA").leaf("proxy.cluster.re.test", chain=True)
    (renewed / "proxy.pem").write_text(certificate)
    (renewed / "proxy.key").write_text(key)
    admin = emulator.info()["re_admin"]
    env = {"REDIS_ENTERPRISE_URL": emulator.node_url(1), "REDIS_ENTERPRISE_CA_PATH": emulator.tls["ca"],
           "REDIS_ENTERPRISE_USERNAME": admin["username"], "REDIS_ENTERPRISE_PASSWORD": admin["password"]}

    output = run_rulebook(emulator, tmp_path, "rotate_expiring_certificates.yml",
                          {"eda_certificate_dir": str(renewed), "redisops_eda_interval": 1}, env)

    assert expiring["sha256_fingerprint"] in output  # the event, as printed by --print-events
    writes = [(entry["method"], entry["path"]) for entry in emulator.log.entries() if entry["method"] != "GET"]
    assert writes == [("PUT", "/v1/cluster/certificates")], output
    store = re_certificates.store_of(emulator, emulator.node(1).cluster)
    assert store.certificates["proxy"]["cert"] == certificate
    assert admin["password"] not in output


def test_memstore_failed(emulator, tmp_path):
    healthy = seed_instance_set(emulator, "cache-ok", nodes=1)
    broken = seed_instance_set(emulator, "sessions-a", nodes=2)
    instance = broken["_instances"][0]["objectId"]
    reports = tmp_path / "reports"
    reports.mkdir()
    info = emulator.info()
    env = {"KAKAOCLOUD_MEMSTORE_URL": emulator.memstore_url, "KAKAOCLOUD_IDENTITY_URL": emulator.identity_url,
           "KAKAOCLOUD_APPLICATION_CREDENTIAL_ID": info["application_credential_id"],
           "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET": info["application_credential_secret"]}
    # The set's primary breaks once the rulebook's source has listed the resources: a change, not a condition at start.
    breaker = threading.Thread(target=fail_after_first_list, args=(emulator, instance), daemon=True)
    breaker.start()
    output = run_rulebook(emulator, tmp_path, "memstore_failed.yml",
                          {"eda_report_dir": str(reports), "redisops_eda_interval": 1}, env)
    breaker.join(5)

    report_file = reports / ("sessions-a-%s.json" % broken["id"])
    assert [path.name for path in reports.iterdir()] == [report_file.name], output
    report = json.loads(report_file.read_text())
    assert report["event"] == {"type": "status_changed", "kind": "instance_set", "id": broken["id"], "name": "sessions-a",
                               "old": "Running", "new": "Failed", "failed": True}
    assert report["resource"]["id"] == broken["id"] and report["resource"]["status"] == "Failed"
    assert "Failed" in [item["status"] for item in report["resource"]["instances"]]
    assert healthy["id"] not in report_file.read_text()
    assert info["application_credential_secret"] not in output


def break_link_after_first_poll(emu, shard):
    """Once the rulebook's source has read the health (the databases), break ``shard``'s replication link."""
    seen = emu.log.last_seq()
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if any(entry["path"] == "/v1/bdbs" for entry in emu.log.entries(seen)):
            requests.post(emu.memstore_url + "/_emulator/re/shards/%s/sync" % shard, json={"status": "link_down"}, timeout=10)
            return
        time.sleep(0.2)


def test_re_cluster_unhealthy(emulator, tmp_path):
    emulator.seed_re_cluster()
    response = requests.post(emulator.memstore_url + "/_emulator/re/databases", json={"name": "orders", "shards_count": 1}, timeout=10)
    assert response.status_code == 201, response.text
    database = response.json()
    shard = database["shard_list"][0]
    reports = tmp_path / "reports"
    reports.mkdir()
    admin = emulator.info()["re_admin"]
    env = {"REDIS_ENTERPRISE_URL": emulator.node_url(1), "REDIS_ENTERPRISE_CA_PATH": emulator.tls["ca"],
           "REDIS_ENTERPRISE_USERNAME": admin["username"], "REDIS_ENTERPRISE_PASSWORD": admin["password"]}
    # The link breaks once the source has read a healthy cluster: a change, not a condition at start.
    breaker = threading.Thread(target=break_link_after_first_poll, args=(emulator, shard), daemon=True)
    breaker.start()
    output = run_rulebook(emulator, tmp_path, "re_cluster_unhealthy.yml", {"eda_report_dir": str(reports), "redisops_eda_interval": 1}, env)
    breaker.join(5)

    report = json.loads((reports / "cluster.re.test-health.json").read_text())
    subject = "db:%s shard:%s" % (database["uid"], shard)
    assert report["event"]["type"] == "health_changed" and report["event"]["old"] is True and report["event"]["new"] is False
    assert [(b["check"], b["subject"], b["state"]) for b in report["event"]["blockers"]] == [("shards", subject, "link_down")]
    assert not report["healthy"]
    assert [(b["check"], b["subject"], b["state"]) for b in report["blockers"]] == [("shards", subject, "link_down")]
    assert "turned unhealthy" in output and "link_down" in output
    writes = [(entry["method"], entry["path"]) for entry in emulator.log.entries() if entry["method"] != "GET"]
    assert writes == [], output  # a record and a notice: nothing is written to the cluster
    assert admin["password"] not in output


def test_rulebooks_sources_and_playbooks_resolve_by_name(emulator, tmp_path):
    """What `ansible-rulebook -r redisops.platform.<rulebook>` and the rulebooks' names find in the installed collection."""
    script = ("from ansible_rulebook import collection as c\n"
              "print(c.find_object('redisops.platform', 'rotate_expiring_certificates', ['extensions/eda/rulebooks'], '.yml'))\n"
              "print(c.find_object('redisops.platform', 'memstore_failed', ['extensions/eda/rulebooks'], '.yml'))\n"
              "print(c.find_object('redisops.platform', 're_cluster_unhealthy', ['extensions/eda/rulebooks'], '.yml'))\n"
              "print(c.find_source('redisops.platform', 're_events'))\n"
              "print(c.find_source('redisops.platform', 'memstore_events'))\n"
              "print(c.find_playbook('redisops.platform', 'eda_rotate_certificate'))\n"
              "print(c.find_playbook('redisops.platform', 'eda_memstore_failed'))\n"
              "print(c.find_playbook('redisops.platform', 'eda_health_report'))\n")
    env = Ansible(emulator, tmp_path).env({"PATH": os.pathsep.join([str(ANSIBLE_RULEBOOK.parent), os.environ.get("PATH", "")])})
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = [os.path.relpath(line, os.path.join(env["ANSIBLE_COLLECTIONS_PATH"], "ansible_collections", "redisops", "platform"))
             for line in proc.stdout.split()]
    assert found == ["extensions/eda/rulebooks/rotate_expiring_certificates.yml", "extensions/eda/rulebooks/memstore_failed.yml",
                     "extensions/eda/rulebooks/re_cluster_unhealthy.yml",
                     "extensions/eda/plugins/event_source/re_events.py", "extensions/eda/plugins/event_source/memstore_events.py",
                     "playbooks/eda_rotate_certificate.yml", "playbooks/eda_memstore_failed.yml", "playbooks/eda_health_report.yml"]
