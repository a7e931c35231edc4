# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make demo``: start the emulator, run playbooks/demo.yml against it, stop it, and
remove the temporary directory that held its state and Ansible's files."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from certfactory import Pki
from collection_link import ROOT, link_collection

ADMIN_USERNAME = "admin@re.test"
ADMIN_PASSWORD = "Demo-Admin-Passw0rd"


def start_emulator(workdir):
    info_file = os.path.join(workdir, "emulator.json")
    command = [sys.executable, "-m", "emulator", "--memstore-port", "0", "--re-port", "0",
               "--state-dir", os.path.join(workdir, "state"), "--info-file", info_file]
    process = subprocess.Popen(command, cwd=os.path.join(ROOT, "tests"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while not os.path.exists(info_file):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            sys.exit("the emulator did not start:\n%s" % process.stdout.read().decode())
        time.sleep(0.1)
    time.sleep(0.1)  # the file is written in one go, but let the writer close it
    with open(info_file) as handle:
        return process, json.load(handle)


def main():
    workdir = tempfile.mkdtemp(prefix="redisops-demo-")
    try:
        return demo(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)  # it holds the emulator's CA and server keys


def demo(workdir):
    emulator, info = start_emulator(workdir)
    print("Emulator: MemStore at %s, Redis Enterprise nodes %s" % (
        info["memstore_url"], ", ".join(node["url"] for node in info["re_nodes"])))
    env = dict(os.environ)
    env.update({
        # Ansible's own files go to the work directory, removed at the end, never to ~/.ansible.
        "ANSIBLE_HOME": os.path.join(workdir, "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": os.path.join(workdir, "ansible-tmp"),
        "ANSIBLE_REMOTE_TMP": os.path.join(workdir, "ansible-remote-tmp"),
        "TMPDIR": workdir,
        "ANSIBLE_COLLECTIONS_PATH": link_collection(),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "KAKAOCLOUD_MEMSTORE_URL": info["memstore_url"],
        "KAKAOCLOUD_IDENTITY_URL": info["identity_url"],
        "KAKAOCLOUD_APPLICATION_CREDENTIAL_ID": info["application_credential_id"],
        "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET": info["application_credential_secret"],
        "REDIS_ENTERPRISE_CA_PATH": info["ca_path"],
        "REDIS_ENTERPRISE_USERNAME": ADMIN_USERNAME,
        "REDIS_ENTERPRISE_PASSWORD": ADMIN_PASSWORD,
    })
    # The proxy certificate the demo rotates to, made now (never committed).
    certificate, key = Pki("Demo").leaf("proxy.cluster.re.test", chain=True)
    certificate_file = os.path.join(workdir, "proxy.pem")
    key_file = os.path.join(workdir, "proxy-key.pem")
    with open(certificate_file, "w") as handle:
        handle.write(certificate)
    with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as handle:
        handle.write(key)
    # re_maintenance_nodes: [] makes the rolling maintenance cover every node.
    extra_vars = json.dumps({"re_node_urls": [node["url"] for node in info["re_nodes"]], "re_maintenance_nodes": [],
                             "emulator_control_url": info["control_url"],
                             "re_proxy_certificate_file": certificate_file, "re_proxy_key_file": key_file})

    def playbook(name, **kwargs):
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
                   os.path.join(ROOT, "playbooks", name), "-e", extra_vars]
        return subprocess.run(command, env=env, check=False, **kwargs)

    try:
        status = playbook("demo.yml").returncode
        if status == 0:
            # Converging again must change nothing (a rolling maintenance is an operation, not a
            # state: it is not re-run).
            for name in ("re_cluster_bootstrap.yml", "re_certificate_rotation.yml", "memstore_provision.yml"):
                print("\nRunning %s again: it must report changed=0" % name)
                rerun = playbook(name, capture_output=True, text=True)
                recap = re.search(r"localhost\s*:.*", rerun.stdout)
                print(recap.group(0) if recap else rerun.stdout + rerun.stderr)
                if rerun.returncode != 0 or not recap or "changed=0" not in recap.group(0):
                    status = 1
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    print("make demo: %s" % ("ok" if status == 0 else "FAILED"))
    return status


if __name__ == "__main__":
    sys.exit(main())
