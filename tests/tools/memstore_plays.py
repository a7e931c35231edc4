"""What the MemStore integration tests share: the connection options for the emulator, the
request log read without IAM token requests, and the idempotent re-run every flow ends with."""


def conn(emulator):
    """Connection options for the emulator's MemStore API, with its application credential."""
    info = emulator.info()
    return {"api_url": emulator.memstore_url, "identity_url": emulator.identity_url,
            "application_credential_id": info["application_credential_id"],
            "application_credential_secret": info["application_credential_secret"]}


def api(emulator, since=0):
    """API requests after ``since`` (IAM token requests excluded)."""
    return [entry for entry in emulator.log.entries(since) if not entry["path"].startswith("/identity")]


def writes(emulator, since=0):
    return [entry for entry in api(emulator, since) if entry["method"] != "GET"]


def calls(entries):
    return [(entry["method"], entry["path"]) for entry in entries]


def assert_idempotent(ansible, emulator, tasks, resources=1):
    """Re-run ``tasks``: nothing changes, nothing is written, at most 2 requests per resource and task."""
    since = emulator.log.last_seq()
    play = ansible.run(tasks)
    assert play.rc == 0, play.output
    assert [result["changed"] for result in play.results] == [False] * len(tasks), play.output
    assert writes(emulator, since) == []
    assert len(api(emulator, since)) <= 2 * resources * len(tasks), calls(api(emulator, since))
    return play
