# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""``make demo``: start the emulator, run playbooks/demo.yml against it, stop it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
import sys
import tempfile
import time

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
    emulator, info = start_emulator(workdir)
    print("Emulator: MemStore at %s, Redis Enterprise nodes %s" % (
        info["memstore_url"], ", ".join(node["url"] for node in info["re_nodes"])))
    env = dict(os.environ)
    env.update({
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
    extra_vars = json.dumps({"re_node_urls": [node["url"] for node in info["re_nodes"]]})
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
               os.path.join(ROOT, "playbooks", "demo.yml"), "-e", extra_vars]
    try:
        status = subprocess.call(command, env=env)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    print("make demo: %s" % ("ok" if status == 0 else "FAILED (ansible-playbook exit code %d)" % status))
    return status


if __name__ == "__main__":
    sys.exit(main())
