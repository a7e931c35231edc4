"""docs/eda.md's "Running them with ansible-rulebook" walkthrough, run as written by a new user
would: its commands and the files they write, against the emulator (only the example's addresses,
credentials, paths and JAVA_HOME swapped for the test's), in an environment with none of the test
harness's Ansible settings: no ANSIBLE_PYTHON_INTERPRETER, so the playbook runs with the Python the
documented inventory names. The collection is installed from the tarball the docs name, built
from this tree, so a version in the docs that is not galaxy.yml's fails here.

The walkthrough's ``pip install`` line is not run (the test's virtualenv holds those packages and
its ``bin`` comes first on PATH, as an activated virtualenv's does); ansible-rulebook runs until
stopped, so the test stops it once the playbook has done its work."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from certfactory import Pki
from collection_link import ROOT
from emulator import re_certificates
from test_eda_rulebooks import java_home

BIN = Path(sys.executable).parent


def shell_blocks(page, section):
    text = (Path(ROOT) / page).read_text()
    body = text.split("\n## " + section + "\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", body, re.S)


def user_env(tmp_path):
    """A user's shell: nothing of ours (Ansible settings, connection variables, JAVA_HOME); the
    collection installs into a directory of the test instead of ~/.ansible."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("ANSIBLE_", "REDIS_ENTERPRISE_", "KAKAOCLOUD_", "JSON_RESULTS")) and name != "JAVA_HOME"}
    env.update(PATH=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]), ANSIBLE_HOME=str(tmp_path / "ansible-home"),
               ANSIBLE_COLLECTIONS_PATH=str(tmp_path / "collections"), ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-tmp"),
               ANSIBLE_REMOTE_TMP=str(tmp_path / "ansible-remote-tmp"))
    return env


def build_tarball(where, tmp_path):
    proc = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(where), ROOT],
                          capture_output=True, text=True, timeout=300, check=False,
                          env=dict(os.environ, ANSIBLE_HOME=str(tmp_path / "build-home")))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return next(where.glob("redisops-platform-*.tar.gz"))


def test_the_rulebook_walkthrough_runs_as_written(emulator, tmp_path):
    emulator.seed_re_cluster()
    response = requests.post(emulator.node_url(1) + "/_emulator/re/certificates/proxy", json={"days": 5},
                             verify=emulator.tls["ca"], timeout=10)
    assert response.status_code == 201, response.text
    renewed = tmp_path / "renewed"
    renewed.mkdir()
    certificate, key = Pki("Walkthrough").leaf("proxy.cluster.re.test", chain=True)
    (renewed / "proxy.pem").write_text(certificate)
    (renewed / "proxy.key").write_text(key)
    work = tmp_path / "work"
    work.mkdir()
    build_tarball(work, tmp_path)

    block = shell_blocks("docs/eda.md", "Running them with `ansible-rulebook`")[0]
    lines = [line for line in block.splitlines() if not line.startswith("pip install ")]
    assert len(lines) == len(block.splitlines()) - 1, "the walkthrough starts with its pip install line"
    admin = emulator.info()["re_admin"]
    script = "\n".join(lines)
    for documented, ours in (("/usr/lib/jvm/java-17-openjdk-amd64", java_home()),
                             ("https://node1.example.com:9443", emulator.node_url(1)),
                             ("eda@example.com", admin["username"]), ("'...'", "'%s'" % admin["password"]),
                             ("/etc/pki/redis-enterprise-ca.pem", emulator.tls["ca"]),
                             ("/etc/pki/redis-enterprise/renewed", str(renewed))):
        assert documented in script, documented
        script = script.replace(documented, ours)

    process = subprocess.Popen(["bash", "-ec", script], cwd=str(work), env=user_env(tmp_path), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    store = re_certificates.store_of(emulator, emulator.node(1).cluster)
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if store.certificates["proxy"]["cert"] == certificate:
                break
            time.sleep(0.5)
        time.sleep(2)  # the role's last read: the cluster serves the new certificate
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=60)[0]
    assert store.certificates["proxy"]["cert"] == certificate, output
    writes = [(entry["method"], entry["path"]) for entry in emulator.log.entries() if entry["method"] != "GET"]
    assert writes == [("PUT", "/v1/cluster/certificates")], output
    assert (tmp_path / "collections" / "ansible_collections" / "redisops" / "platform" / "MANIFEST.json").is_file()
    assert admin["password"] not in output
