"""Shared pytest setup: the collection on an ``ansible_collections`` path, the
emulator on free loopback ports, and a runner for real ``ansible-playbook``."""

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(TESTS / "tools"))

from collection_link import link_collection  # noqa: E402  pylint: disable=wrong-import-position
from playbook_runner import Ansible  # noqa: E402  pylint: disable=wrong-import-position

sys.path.insert(0, link_collection())

from emulator import Emulator  # noqa: E402  pylint: disable=wrong-import-position

# Emulated seconds per real second: a 60 s create is Running after 0.6 s.
EMULATOR_SPEED = float(os.environ.get("EMULATOR_SPEED", "100"))


@pytest.fixture(scope="session")
def emulator_server(tmp_path_factory):
    emu = Emulator(nodes=3, speed=EMULATOR_SPEED, state_dir=str(tmp_path_factory.mktemp("emulator"))).start()
    yield emu
    emu.stop()


@pytest.fixture
def emulator(emulator_server):
    """The running emulator, reset to a clean state for this test."""
    emulator_server.reset()
    return emulator_server


@pytest.fixture
def ansible(emulator, tmp_path):
    return Ansible(emulator, tmp_path)
