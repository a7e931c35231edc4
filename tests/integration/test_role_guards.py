"""Nothing silent: every shipped playbook loads without a warning (make demo runs them), a role given
no work says so in a warning, and a misspelt role variable fails before any request instead of
leaving the role with nothing to do."""

import subprocess
import sys
from pathlib import Path

from collection_link import ROOT
from memstore_plays import conn
from playbook_runner import Ansible

PLAYBOOKS = sorted((Path(ROOT) / "playbooks").glob("*.yml"))
MEMSTORE_GROUP = "group/redisops.platform.memstore"


def flat(text):
    return " ".join(text.split())  # ansible-core 2.16 wraps warnings to the terminal's width


def include(role, variables):
    return [{"name": "Run the role", "ansible.builtin.include_role": {"name": "redisops.platform." + role}, "vars": variables}]


def test_every_playbook_loads_without_a_warning(tmp_path):
    inventory = tmp_path / "hosts"
    # The groups the playbooks play on besides localhost (an inventory plugin's, the fleet inventory's),
    # so no "could not match" warning.
    inventory.write_text("localhost ansible_connection=local\n[redis_enterprise_clusters]\ncluster1\n[redis_enterprise]\nnode1\n"
                         "[memstore_projects]\nproject1\n")
    env = Ansible(None, tmp_path).env()
    for playbook in PLAYBOOKS:
        proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "--syntax-check", "-i", str(inventory),
                               str(playbook)], capture_output=True, text=True, env=env, timeout=120, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "WARNING" not in proc.stdout + proc.stderr, (playbook.name, proc.stdout + proc.stderr)
    assert "memstore_provision.yml" in [playbook.name for playbook in PLAYBOOKS]


def test_memstore_provision_with_nothing_to_do_warns(ansible, emulator):
    play = ansible.run(include("memstore_provision", {}), module_defaults={MEMSTORE_GROUP: conn(emulator)})
    assert play.rc == 0, play.output
    assert ("[WARNING]: memstore_provision has nothing to do: memstore_provision_instance_sets and "
            "memstore_provision_clusters are both empty") in flat(play.output)
    assert [entry for entry in emulator.log.entries() if entry["method"] != "GET"] == []


def test_memstore_provision_refuses_a_misspelt_variable(ansible, emulator):
    misspelt = {"memstore_provision_instance_set": [{"name": "sessions", "node_count": 1}], "memstore_provision_clusters": []}
    play = ansible.run(include("memstore_provision", misspelt), module_defaults={MEMSTORE_GROUP: conn(emulator)})
    assert play.rc != 0
    assert ("Refusing to provision (nothing was sent): memstore_provision does not know "
            "memstore_provision_instance_set (misspelt?); its variables are memstore_provision_instance_sets,") in flat(play.output)
    assert emulator.log.entries() == []
    # The role's own fact from an earlier run and a correctly spelt variable are not refused.
    play = ansible.run(include("memstore_provision", {"memstore_provision_wait_timeout": 60}),
                       module_defaults={MEMSTORE_GROUP: conn(emulator)},
                       play_vars={"memstore_provision_result": {"resources": [], "failed": []}})
    assert play.rc == 0, play.output


def test_certificate_rotation_with_nothing_to_do_warns(ansible, emulator):
    emulator.seed_re_cluster()
    admin = emulator.info()["re_admin"]
    variables = {"re_certificate_rotation_url": emulator.node_url(1), "re_certificate_rotation_certificates": []}
    play = ansible.run(include("re_certificate_rotation", variables), module_defaults={"group/redisops.platform.redis_enterprise": {
        "ca_path": emulator.tls["ca"], "username": admin["username"], "password": admin["password"]}})
    assert "[WARNING]: re_certificate_rotation has nothing to do: re_certificate_rotation_certificates is empty" in flat(play.output)
    assert [entry for entry in emulator.log.entries() if entry["method"] != "GET"] == []


def test_node_maintenance_refuses_a_misspelt_variable(ansible, emulator):
    """re_node_maintenance_node for re_node_maintenance_nodes would have maintained every node."""
    emulator.seed_re_cluster()
    admin = emulator.info()["re_admin"]
    variables = {"re_node_maintenance_url": emulator.node_url(1), "re_node_maintenance_node": [2]}
    defaults = {"group/redisops.platform.redis_enterprise": {
        "ca_path": emulator.tls["ca"], "username": admin["username"], "password": admin["password"]}}
    play = ansible.run(include("re_node_maintenance", variables), module_defaults=defaults)
    assert play.rc != 0
    assert ("Refusing to start (nothing was sent): re_node_maintenance does not know re_node_maintenance_node (misspelt?); "
            "its variables are re_node_maintenance_url, re_node_maintenance_nodes,") in flat(play.output)
    assert emulator.log.entries() == []
    # Spelt right, it maintains the one node, and a second run (the role's own facts now set) is not refused.
    variables = {"re_node_maintenance_url": emulator.node_url(1), "re_node_maintenance_nodes": [2]}
    play = ansible.run(include("re_node_maintenance", variables) * 2, module_defaults=defaults)
    assert play.rc == 0, play.output
    assert emulator.node(2).maintenance_snapshots == []
