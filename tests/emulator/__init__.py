"""A stateful emulator of the KakaoCloud MemStore and Redis Enterprise REST APIs.

Run ``python -m emulator --help`` from ``tests/`` (or ``make emulator``).
"""

from .server import Emulator, node_address  # noqa: F401
