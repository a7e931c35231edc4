"""Clients built once and shared: the factory wires deadline, retry warnings and request log
when a client is built; a client keeps no state of a request, so threads share it (each
retry announced with its own request); one token re-issue when several threads meet a 401
at once; close() closes what the client opened."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from ansible_collections.redisops.platform.plugins.module_utils._connection import MEMSTORE_CONNECTION, REDIS_ENTERPRISE_CONNECTION, resolve
from ansible_collections.redisops.platform.plugins.module_utils._factory import EACH_REQUEST, Wiring, build_client
from ansible_collections.redisops.platform.plugins.module_utils._http import HttpClient
from ansible_collections.redisops.platform.plugins.module_utils.memstore.client import MemStoreClient
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient

THREADS = 8


def memstore_params(emulator):
    """The options as an inventory plugin or an event source resolves them."""
    info = emulator.info()
    return resolve(MEMSTORE_CONNECTION, dict(api_url=emulator.memstore_url, identity_url=emulator.identity_url,
                                             application_credential_id=info["application_credential_id"],
                                             application_credential_secret=info["application_credential_secret"]))


def re_params(emulator, **given):
    options = dict(url=emulator.node_url(1), ca_path=emulator.tls["ca"], **emulator.info()["re_admin"])
    options.update(given)
    return resolve(REDIS_ENTERPRISE_CONNECTION, options)


def all_at_once(count, call):
    """``call(index)`` in ``count`` threads released together; their results in order."""
    barrier = threading.Barrier(count)

    def run(index):
        barrier.wait()
        return call(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


# --- the factory ------------------------------------------------------------------------------
def test_a_client_that_does_not_wait_gets_one_request_budget_from_now(emulator):
    before = time.monotonic()
    client = build_client(RedisEnterpriseClient, re_params(emulator, request_timeout=7))
    (http,) = client.http_clients()
    assert before + 35 <= http.deadline <= time.monotonic() + 35  # 7 s x 5 tries, counted from the build
    assert http.deadline_option == "the 35 s a request may take with its retries (request_timeout x 5 tries)"
    assert http.on_retry is None and http.request_log is None


def test_the_factory_wires_every_http_client_of_an_api_client(emulator):
    warnings, log = [], []
    deadline = time.monotonic() + 600
    client = build_client(MemStoreClient, memstore_params(emulator), deadline=deadline, on_retry=warnings.append, request_log=log)
    assert [(http.deadline, http.deadline_option, http.on_retry, http.request_log) for http in client.http_clients()] == [
        (deadline, "wait_timeout", warnings.append, log)] * 2
    client.get("/v1/clusters")
    assert [entry[:3] for entry in log] == [("POST", "/auth/tokens", 201), ("GET", "/v1/clusters", 200)]


def test_each_request_and_a_callable_deadline(emulator):
    assert build_client(RedisEnterpriseClient, re_params(emulator), deadline=EACH_REQUEST).http.deadline is None
    poll = [None]
    http = build_client(RedisEnterpriseClient, re_params(emulator), deadline=lambda: poll[0], deadline_option="interval").http
    poll[0] = 123.0
    assert http.deadline() == 123.0 and http.deadline_option == "interval"


def test_a_wrapper_is_a_client_class(emulator):
    class Wrapper:
        def __init__(self, params, wiring=None):
            self.client = RedisEnterpriseClient(params, wiring=wiring)

    warnings = []
    wrapper = build_client(Wrapper, re_params(emulator), on_retry=warnings.append)
    assert wrapper.client.http.on_retry == warnings.append


def test_a_client_built_without_wiring_is_plain(emulator):
    http = RedisEnterpriseClient(re_params(emulator)).http
    assert (http.deadline, http.on_retry, http.request_log) == (None, None, None)
    assert Wiring().http_client("https://node1:9443").deadline is None


def test_the_request_log_is_given_at_construction(emulator):
    log = []
    client = HttpClient(emulator.node_url(1), ca_path=emulator.tls["ca"], request_log=log)
    client.get("/v1/bootstrap")
    assert [entry[:3] for entry in log] == [("GET", "/v1/bootstrap", 200)]


# --- one client, many threads -----------------------------------------------------------------
def test_threads_sharing_a_client_announce_their_own_retries(emulator):  # a first retry waits 0 s
    emulator.seed_re_cluster()
    paths = ["/v1/nodes", "/v1/cluster", "/v1/bootstrap", "/v1/nodes/1"]
    for path in paths:  # each path answers 503 once, slowly, so that the four requests are in flight together
        emulator.faults.add_http(server="node1", method="GET", path=path, status=503, delay=0.3, times=1)
    warnings = []
    client = build_client(RedisEnterpriseClient, re_params(emulator), on_retry=warnings.append)
    assert all_at_once(len(paths), lambda index: client.get(paths[index]).status) == [200] * len(paths)
    announced = sorted(warning.split(" on ")[0] for warning in warnings)
    assert announced == sorted("GET %s" % path for path in paths), warnings


def test_threads_meeting_a_401_at_once_reissue_the_token_once(emulator):
    client = build_client(MemStoreClient, memstore_params(emulator), deadline=EACH_REQUEST)
    client.get("/v1/clusters")
    assert emulator.memstore.tokens_issued == 1
    for token in emulator.memstore.tokens.values():
        token["expires_at"] = 0  # the token expires before the threads' reads
    # Slow answers: every thread's first read is in flight with the expired token when the first 401 comes back.
    emulator.faults.add_http(server="memstore", method="GET", path="/v1/clusters", delay=0.5, times=THREADS)
    since = emulator.log.last_seq()
    assert all_at_once(THREADS, lambda _index: client.get("/v1/clusters").status) == [200] * THREADS
    entries = emulator.log.entries(since)
    assert [entry["path"] for entry in entries].count("/identity/v3/auth/tokens") == 1
    assert sorted(entry["status"] for entry in entries if entry["path"] == "/v1/clusters") == [200] * THREADS + [401] * THREADS
    assert emulator.memstore.tokens_issued == 2 and client.tokens_issued == 2


def test_threads_starting_without_a_token_issue_one(emulator):
    client = build_client(MemStoreClient, memstore_params(emulator), deadline=EACH_REQUEST)
    assert all_at_once(THREADS, lambda _index: client.get("/v1/clusters").status) == [200] * THREADS
    assert emulator.memstore.tokens_issued == 1


# --- close ------------------------------------------------------------------------------------
def test_close_closes_every_session_and_the_client_still_works(emulator, monkeypatch):
    closed = []
    original = requests.Session.close
    monkeypatch.setattr(requests.Session, "close", lambda session: closed.append(session) or original(session))
    client = build_client(MemStoreClient, memstore_params(emulator))
    client.get("/v1/clusters")
    client.close()
    assert len(closed) == 4  # two HTTP clients, two sessions each
    assert len(set(map(id, closed))) == 4
    assert client.get("/v1/clusters").status == 200  # new connections
