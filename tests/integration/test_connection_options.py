"""A module task without its connection's required options fails before any request, and the
message names every way to set them: the task, module_defaults' group, the environment variable."""

from inventory_runner import run_inventory


def test_a_missing_url_names_the_variable_and_the_group(ansible, emulator):
    since = emulator.log.last_seq()
    play = ansible.run([{"name": "No url anywhere", "redisops.platform.re_node_info": {}}])
    assert play.rc != 0
    assert play.last["msg"] == ("url is required: set it in the task or in module_defaults for "
                                "group/redisops.platform.redis_enterprise, or the environment variable REDIS_ENTERPRISE_URL")
    assert emulator.log.entries(since) == []


def test_the_url_from_its_environment_variable_is_enough(ansible, emulator):
    emulator.seed_re_cluster()
    info = emulator.info()
    env = {"REDIS_ENTERPRISE_URL": emulator.node_url(1), "REDIS_ENTERPRISE_CA_PATH": info["ca_path"],
           "REDIS_ENTERPRISE_USERNAME": info["re_viewer"]["username"], "REDIS_ENTERPRISE_PASSWORD": info["re_viewer"]["password"]}
    play = ansible.run([{"name": "url from the environment", "redisops.platform.re_node_info": {}}], env=env)
    assert play.rc == 0, play.output
    assert len(play.last["nodes"]) == 3


def test_a_missing_memstore_credential_names_its_variables(ansible, emulator):
    since = emulator.log.last_seq()
    play = ansible.run([{"name": "No credential", "redisops.platform.memstore_instance_set_info": {"api_url": emulator.memstore_url}}])
    assert play.rc != 0
    message = play.last["msg"]
    assert message.startswith("one of auth_token, application_credential_id is required: set one in the task or in "
                              "module_defaults for group/redisops.platform.memstore")
    assert message.endswith("KAKAOCLOUD_AUTH_TOKEN or KAKAOCLOUD_APPLICATION_CREDENTIAL_ID")
    assert emulator.log.entries(since) == []


def test_an_empty_url_counts_as_missing(ansible, emulator):
    play = ansible.run([{"name": "Empty url", "redisops.platform.re_node_info": {"url": ""}}])
    assert play.rc != 0 and play.last["msg"].startswith("url is required")


# --- a credential given in part: the missing part and its variable, never "required together" alone ---
PARTIAL = [
    ("re_node_info", {"username": "admin@re.test"}, "username and password", "password", "redis_enterprise",
     "REDIS_ENTERPRISE_PASSWORD"),
    ("re_node_info", {"password": "Partial-Passw0rd"}, "username and password", "username", "redis_enterprise",
     "REDIS_ENTERPRISE_USERNAME"),
    ("memstore_instance_set_info", {"application_credential_id": "cred-id"},
     "application_credential_id and application_credential_secret", "application_credential_secret", "memstore",
     "KAKAOCLOUD_APPLICATION_CREDENTIAL_SECRET"),
    ("memstore_instance_set_info", {"auth_token": "t0ken", "application_credential_secret": "Partial-Secret-1"},
     "application_credential_id and application_credential_secret", "application_credential_id", "memstore",
     "KAKAOCLOUD_APPLICATION_CREDENTIAL_ID"),
]


def test_a_credential_given_in_part_names_the_missing_option_and_its_variable(ansible, emulator):
    since = emulator.log.last_seq()
    tasks = []
    for module, given, _together, _absent, _group, _variable in PARTIAL:
        url = {"url": emulator.node_url(1)} if module.startswith("re_") else {"api_url": emulator.memstore_url}
        tasks.append({"name": module, "redisops.platform." + module: dict(url, **given), "ignore_errors": True})
    play = ansible.run(tasks)
    assert [result["msg"] for result in play.results] == [
        "%s are required together: set %s in the task or in module_defaults for group/redisops.platform.%s, "
        "or the environment variable %s" % (together, absent, group, variable)
        for _module, _given, together, absent, group, variable in PARTIAL]
    assert "Partial-" not in play.output
    assert emulator.log.entries(since) == []


def test_an_inventory_given_a_user_without_password_names_the_variable(ansible, emulator):
    config = {"plugin": "redisops.platform.redis_enterprise", "url": emulator.node_url(1), "username": "admin@re.test"}
    inventory = run_inventory(ansible, "partial.redis_enterprise.yml", config)
    assert inventory.rc != 0
    assert ("redisops.platform.redis_enterprise inventory: username and password are required together: set password in the "
            "inventory file, or the environment variable REDIS_ENTERPRISE_PASSWORD") in inventory.output
