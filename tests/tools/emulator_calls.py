"""Direct calls to a running emulator, as another tool would send them: its control API and a
Redis Enterprise node's REST API."""

import requests


def control(emulator, method, path, **kwargs):
    """A request to the emulator's control API (``path`` after ``/_emulator``)."""
    return requests.request(method, emulator.info()["control_url"] + path, timeout=10, **kwargs)


def re_api(emulator, method, path, node=1, user="re_admin", **kwargs):
    """A request to node ``node``'s Redis Enterprise API as ``user`` (a key of the emulator's info)."""
    login = emulator.info()[user]
    return requests.request(method, emulator.node_url(node) + path, auth=(login["username"], login["password"]),
                            verify=emulator.tls["ca"], timeout=10, **kwargs)
