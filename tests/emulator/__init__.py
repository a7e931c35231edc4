"""A stateful emulator of the KakaoCloud MemStore and Redis Enterprise REST APIs.

Run ``python -m emulator --help`` from ``tests/`` (or ``make emulator``).
"""

try:
    from .server import Emulator, node_address  # noqa: F401
except ImportError as error:
    # What a user's own virtualenv meets first: say what to install.
    raise ImportError("the emulator misses a library (%s): pip install -r tests/emulator/requirements.txt" % error) from error
