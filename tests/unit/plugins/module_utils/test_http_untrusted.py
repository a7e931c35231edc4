"""The HTTP client and the API clients do not trust what a server answers: a body that never
ends or never stops arriving, a 200 that is not the API's answer, text meant for a terminal."""

import errno
import html
import json
import socket
import ssl
import threading
import time
import types

import pytest
import urllib3

from emulator.memstore_instance_sets import seed_instance_set

from ansible_collections.redisops.platform.plugins.module_utils import _http
from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION, resolve
from ansible_collections.redisops.platform.plugins.module_utils._factory import EACH_REQUEST, build_client
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, ClientError, HttpClient
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient


def node_client(emulator, **kwargs):
    options = dict(ca_path=emulator.tls["ca"], backoff_factor=0.01, retries=1)
    options.update(kwargs)
    return HttpClient(emulator.node_url(1), **options)


# --- a total deadline per answer, and a size limit ---------------------------------------------------
def test_a_body_that_dribbles_fails_within_request_timeout(emulator):
    emulator.seed_re_cluster()
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=200, body='{"bootstrap_status": {}}     ',
                             content_type="application/json", dribble=0.4, times=-1)
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        node_client(emulator, timeout=1.5).get("/v1/bootstrap")
    took = time.monotonic() - started
    assert took < 2.5, took  # one try: a read error of a GET is not worth a second 1.5 s
    error = caught.value
    assert error.transport == "timeout" and error.status is None
    assert "no complete answer within 1.5 s (request_timeout) from 127.0.0.2" in str(error)
    assert "the body was still arriving" in str(error)


class HeadersDribbler:
    """A server on a loopback port (over TLS with the emulator's certificate when ``tls``) that
    reads a request, then sends its answer's status line and headers one byte every ``every``
    seconds: each read of the socket gets a byte long before request_timeout."""

    def __init__(self, emulator=None, every=0.3):
        self.every = every
        self.requests = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.context = None
        if emulator is not None:
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(emulator.tls["cert"], emulator.tls["key"])
        threading.Thread(target=self.serve, daemon=True).start()

    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.context else "http", self.listener.getsockname()[1])

    def serve(self):
        while True:
            try:
                conn, _address = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn):
        try:
            if self.context:
                conn = self.context.wrap_socket(conn, server_side=True)
            conn.recv(65536)
            self.requests += 1
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + b"a" * 200:
                conn.sendall(bytes([byte]))
                time.sleep(self.every)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.listener.close()


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_headers_that_dribble_fail_within_request_timeout(emulator, tls):
    server = HeadersDribbler(emulator if tls else None)
    url = server.url()
    try:
        client = HttpClient(url, ca_path=emulator.tls["ca"], backoff_factor=0.01, retries=0, timeout=1.5)
        started = time.monotonic()
        with pytest.raises(ApiError) as caught:
            client.get("/v1/bootstrap")
        took = time.monotonic() - started
    finally:
        server.close()
    assert took < 2.5, took
    assert caught.value.transport == "timeout" and not caught.value.closed
    assert str(caught.value).endswith("no answer within 1.5 s (request_timeout) from 127.0.0.1:%s (url)" % url.rsplit(":", 1)[1])


def test_a_write_whose_headers_dribble_past_request_timeout_is_a_lost_answer_not_a_closed_one(emulator):
    server = HeadersDribbler()
    try:
        client = HttpClient(server.url(), backoff_factor=0.01, retries=2, timeout=1)
        with pytest.raises(ApiError) as caught:
            client.post("/v1/bootstrap/create_cluster", json_body={})
    finally:
        server.close()
    # Sent once: the server may be applying it, so the runner reads before anything is sent again.
    assert server.requests == 1
    assert caught.value.transport == "timeout" and not caught.value.closed


def test_a_slow_body_within_request_timeout_is_read(emulator):
    emulator.faults.add_http(server="node1", path="/v1/bootstrap", status=200, body='{"a": 1}', content_type="application/json",
                             dribble=0.05)
    assert node_client(emulator, timeout=5).get("/v1/bootstrap").data == {"a": 1}


def test_an_answer_larger_than_the_limit_is_refused_before_it_is_read(emulator, monkeypatch):
    monkeypatch.setattr(_http, "MAX_RESPONSE_BYTES", 1024 * 1024)
    emulator.faults.add_http(server="node1", path="/v1/nodes", status=200, body="[%s]" % (" " * (1024 * 1024)),
                             content_type="application/json")
    with pytest.raises(ClientError) as caught:
        node_client(emulator).get("/v1/nodes")
    assert str(caught.value) == ("GET /v1/nodes: the answer of 127.0.0.2:%d (url) is larger than 1 MiB (it announced %d bytes), "
                                 "the most this collection reads: is url the API's address?" % (emulator.re_port, 1024 * 1024 + 2))


def test_a_streamed_answer_stops_being_read_at_the_limit(emulator):
    # 64 MiB, streamed without Content-Length: read only up to the limit (16 MiB), then refused.
    emulator.faults.add_http(server="node1", path="/v1/nodes", status=200, size=64 * 1024 * 1024)
    started = time.monotonic()
    with pytest.raises(ClientError) as caught:
        node_client(emulator).get("/v1/nodes")
    assert "is larger than 16 MiB, the most this collection reads: is url the API's address?" in str(caught.value)
    assert time.monotonic() - started < 10
    assert _http.MAX_RESPONSE_BYTES == 16 * 1024 * 1024


def test_an_answer_at_the_limit_is_read(emulator, monkeypatch):
    monkeypatch.setattr(_http, "MAX_RESPONSE_BYTES", 4096)
    emulator.faults.add_http(server="node1", path="/v1/nodes", status=200, size=4096)
    assert node_client(emulator).get("/v1/nodes").data == []


# --- a 200 that is not the API's answer ----------------------------------------------------------------
PROXY_PAGE = "<html><body><h1>Proxy Authentication Required</h1>\n<p>Sign in to continue</p></body></html>"


def test_a_200_that_is_not_json_is_a_client_error(emulator):
    emulator.faults.add_http(server="node1", path="/v1/nodes", status=200, body=PROXY_PAGE, content_type="text/html")
    with pytest.raises(ClientError) as caught:
        node_client(emulator).get("/v1/nodes")
    assert str(caught.value) == (
        "GET /v1/nodes on 127.0.0.2:%d (url) answered HTTP 200 with a body that is not JSON (text/html: <html><body><h1>Proxy "
        "Authentication Required</h1> <p>Sign in to continue</p></b...): is url the API's address, or did a proxy answer?"
        % emulator.re_port)


def test_an_empty_200_is_no_data(emulator):
    emulator.faults.add_http(server="node1", path="/v1/nodes", status=200, body="")
    assert node_client(emulator).get("/v1/nodes").data is None


@pytest.mark.parametrize("body", [{"nodes": None}, {"error": "maintenance"}, "nodes", [1, 2], None])
def test_a_list_of_unknown_shape_is_a_client_error(body):
    answer = _http.Response(200, body, {}, request="GET /v1/nodes", source="127.0.0.2:9443 (url)")
    with pytest.raises(ClientError) as caught:
        answer.list_of(("nodes",), "nodes")
    assert str(caught.value) == ("GET /v1/nodes on 127.0.0.2:9443 (url) answered HTTP 200 with something that is not a list of "
                                 "nodes (a JSON array of objects, or an object holding one under nodes): is that the API's address?")


@pytest.mark.parametrize("body", [[], [{"uid": 1}], {"nodes": [{"uid": 1}]}, {"other": 1, "nodes": []}])
def test_a_list_bare_or_wrapped_is_read(body):
    assert _http.Response(200, body, {}).list_of(("nodes",), "nodes") == _http.listed(body, ("nodes",))
    assert isinstance(_http.listed(body, ("nodes",)), list)


def memstore_client(emulator):
    info = emulator.info()
    return MemStoreClient(resolve(MEMSTORE_CONNECTION, dict(
        api_url=emulator.memstore_url, identity_url=emulator.identity_url,
        application_credential_id=info["application_credential_id"],
        application_credential_secret=info["application_credential_secret"])))


@pytest.mark.parametrize("fault", [
    dict(body=PROXY_PAGE, content_type="text/html"),
    dict(body='{"message": "ok"}', content_type="application/json"),
])
def test_memstore_list_of_unknown_shape_is_never_nothing(emulator, fault):
    seed_instance_set(emulator, "exists", nodes=1)
    emulator.faults.add_http(server="memstore", method="GET", path="/v1/clusters", status=200, **fault)
    with pytest.raises(ClientError, match=r"^GET /v1/clusters on 127\.0\.0\.1:\d+ \(api_url\) answered HTTP 200 with"):
        memstore_client(emulator).find_by_name("exists")


# --- fail fast: only a task that waits retries an unreachable API ------------------------------------------
def _re_params(url):
    return dict(url=url, username="u@re.test", password="p-123456", validate_certs=True, ca_path=None, request_timeout=5,
                client_cert=None, client_key=None)


def test_only_a_client_with_a_deadline_retries_an_unreachable_api():
    def fail_fast(deadline):
        return build_client(RedisEnterpriseClient, _re_params("https://127.0.0.1:9"), deadline=deadline).http.fail_fast

    assert (fail_fast(None), fail_fast(EACH_REQUEST), fail_fast(time.monotonic() + 60), fail_fast(lambda: 0)) == (True, True, False, False)


def _node_client(emulator, warnings, request_timeout=30, deadline=None):
    params = dict(_re_params(emulator.node_url(1)), ca_path=emulator.tls["ca"], request_timeout=request_timeout,
                  **emulator.info()["re_admin"])
    return build_client(RedisEnterpriseClient, params, deadline=deadline, on_retry=warnings.append)


def test_a_task_that_does_not_wait_fails_at_once_on_a_refused_connection(emulator):
    emulator.node_down(1)  # a stopped endpoint
    try:
        warnings = []
        started = time.monotonic()
        with pytest.raises(ApiError) as caught:
            _node_client(emulator, warnings).get("/v1/nodes")  # request_timeout 30 s, 4 retries
        took = time.monotonic() - started
    finally:
        emulator.node_up(1)
    assert took < 1, took  # not request_timeout, nor its 5 tries
    assert str(caught.value) == ("GET /v1/nodes failed: connection refused by %s (url): is the API reachable at this address?"
                                 % emulator.node_url(1)[len("https://"):])
    assert caught.value.status is None and caught.value.transport == "connection"
    assert warnings == []  # one message: the failure, no retry announced


def test_a_task_that_waits_reads_a_node_back_within_its_deadline(emulator):
    emulator.seed_re_cluster()
    emulator.node_down(1, 1.5)  # a node's REST API restarting, read through by a rolling maintenance
    warnings = []
    started = time.monotonic()
    response = _node_client(emulator, warnings, request_timeout=5, deadline=time.monotonic() + 30).get("/v1/nodes")
    assert response.status == 200 and 1.4 < time.monotonic() - started < 10
    assert warnings and all("connection refused" in text and "(retried until wait_timeout)" in text for text in warnings)


UNREACHABLE = {
    "refused": (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "connection refused by 127.0.0.1:9 (url)"),
    "no route": (OSError(errno.EHOSTUNREACH, "No route to host"), "could not connect to 127.0.0.1:9 (url): no route to host"),
    "no name": (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "the host name 127.0.0.1:9 (url) could not be resolved"),
    "no answer to connect": (socket.timeout("timed out"), "no connection within 5 s (request_timeout) to 127.0.0.1:9 (url)"),
}


@pytest.fixture
def connections(monkeypatch):
    """A fake network: ``connections.fail_with`` is raised by every connection attempt, which is counted."""
    attempts = types.SimpleNamespace(count=0, fail_with=None)

    def create_connection(*_args, **_kwargs):
        attempts.count += 1
        raise attempts.fail_with

    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    return attempts


@pytest.mark.parametrize("kind", sorted(UNREACHABLE))
def test_a_task_that_does_not_wait_tries_an_unreachable_api_once(connections, kind):
    connections.fail_with, said = UNREACHABLE[kind]
    warnings = []
    client = build_client(RedisEnterpriseClient, _re_params("https://127.0.0.1:9"), on_retry=warnings.append)
    with pytest.raises(ApiError) as caught:
        client.get("/v1/nodes")
    assert said in str(caught.value) and caught.value.status is None
    assert (connections.count, warnings) == (1, [])


def test_a_task_that_waits_retries_a_refused_connection_until_its_deadline(connections):
    connections.fail_with = UNREACHABLE["refused"][0]
    warnings = []
    params = _re_params("https://127.0.0.1:9")
    started = time.monotonic()
    client = build_client(RedisEnterpriseClient, params, deadline=started + 2, on_retry=warnings.append)
    with pytest.raises(ApiError, match="connection refused"):
        client.get("/v1/nodes")
    assert 1 < time.monotonic() - started < 3
    assert connections.count >= 3 and len(warnings) == connections.count - 1  # each retry announced, until the deadline


def test_an_unresolvable_name_fails_at_once_without_a_retry():
    warnings = []
    client = build_client(RedisEnterpriseClient, _re_params("https://re.nowhere.invalid:9443"), on_retry=warnings.append)
    with pytest.raises(ApiError, match="could not be resolved"):
        client.get("/v1/nodes")
    assert warnings == []


# --- what a server sends for a terminal is shown, never interpreted ------------------------------------------
@pytest.mark.parametrize("body, content_type", [
    ('{"error": {"code": "busy\\u001b[2J", "message": "node \\u001b[31mdown\\u001b[0m\\r\\u0007 ok"}}', "application/json"),
    ("node \x1b[31mdown\x1b[0m\r\x07 ok", "text/plain"),
])
def test_control_characters_from_a_server_are_escaped_in_errors(emulator, body, content_type):
    emulator.faults.add_http(server="node1", path="/v1/nodes", status=400, body=body, content_type=content_type)
    with pytest.raises(ApiError) as caught:
        node_client(emulator).get("/v1/nodes")
    text = str(caught.value)
    assert "node \\x1b[31mdown\\x1b[0m\\x0d\\x07 ok" in text
    assert not any(ord(char) < 32 or 127 <= ord(char) < 160 for char in text)


def test_printable_keeps_text_tabs_and_newlines():
    assert _http.printable("café\tok\nnext \u009b") == "café\tok\nnext \\x9b"


# --- the remaining forms a server may echo a secret in ----------------------------------------------------
HTML_SECRET = "P&ss<w>rd'\"/é-42"


@pytest.mark.parametrize("echoed", [
    json.dumps(HTML_SECRET)[1:-1].replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e").replace("'", "\\u0027"),
    json.dumps(HTML_SECRET, ensure_ascii=False)[1:-1].replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E"),
    html.escape(HTML_SECRET),
    html.escape(HTML_SECRET).replace("&#x27;", "&#39;"),
    html.escape(HTML_SECRET, quote=False),
])
def test_an_html_safe_json_or_html_escaped_echo_is_redacted(echoed):
    assert _http.redact("rejected <%s> for admin" % echoed, [HTML_SECRET]) == "rejected <%s> for admin" % _http.REDACTED


def test_an_html_escaped_echo_in_an_error_page_never_reaches_the_message(emulator):
    page = "<html><body>password %s rejected</body></html>" % html.escape(HTML_SECRET)
    emulator.faults.add_http(server="node1", path="/v1/nodes", status=401, body=page, content_type="text/html")
    with pytest.raises(ApiError) as caught:
        node_client(emulator, secrets=[HTML_SECRET]).get("/v1/nodes")
    assert "password %s rejected" % _http.REDACTED in str(caught.value) and "ss&lt;" not in str(caught.value)
