"""The cluster resource (re_cluster) driven by the runner against scripted nodes and a fake clock:
its plan (validate then bootstrap, one node at a time), check mode, refusals before any write,
the re-run's two reads per node, a node in error, lost answers and unreadable nodes."""

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, Response
from ansible_collections.redisops.platform.plugins.module_utils._resource import Runner
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import normalize_bootstrap
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.cluster import Cluster
from test_runner import Exited, FakeTask as RunnerTask  # the runner's fake task and its exit

URLS = ["https://10.0.0.%d:9443" % index for index in (1, 2, 3)]
#: Reads a bootstrap takes from its start to completed.
READS_TO_COMPLETE = 2
CLUSTER_OPTIONS = dict(name="cluster.example.com", nodes=URLS, username="admin@example.com", password="Secret-1", validate=True,
                       wait_timeout=600.0, join_address=None, license=None, node_paths=None, recovery_filename=None)


class FakeNode:
    """One node's API as the cluster resource uses it; ``requests`` records every call."""

    def __init__(self, server, index):
        self.server = server
        self.index = index
        self.address = "10.0.0.%d" % index
        self.state = "idle"
        self.uid = None
        self.cluster = None
        self.error = None
        self.left = 0
        self.requests = []
        self.answers = []  # what the next bootstrap POSTs meet: "lost after", "busy"
        self.read_errors = []
        self.validation = None  # a 406 status to answer the next validation with
        self.validation_errors = []

    def record(self, request):
        self.requests.append(request)
        self.server.log.append((self.index, request))

    def bootstrap(self):
        self.record("GET /v1/bootstrap")
        if self.read_errors:
            raise self.read_errors.pop(0)
        if self.left:
            self.left -= 1
            if not self.left:
                self.finish()
        status = {"state": self.state}
        if self.state == "error":
            status.update(error_code=self.error, error_details={"message": "injected"})
        info = {"available_addresses": [{"address": self.address}]}
        if self.uid is not None:
            info["uid"] = str(self.uid)
        return normalize_bootstrap({"bootstrap_status": status, "local_node_info": info})

    def cluster_name(self):
        self.record("GET /v1/cluster")
        return self.cluster.name

    def get(self, path):
        self.record("GET %s" % path)
        members = [node for node in self.server.nodes if node.cluster is self.cluster and node.state == "completed"]
        return Response(200, [{"uid": node.uid, "addr": node.address} for node in members], {})

    def validate_bootstrap(self, action, body):
        self.record("POST /v1/bootstrap/validate/%s" % action)
        if self.validation_errors:
            raise self.validation_errors.pop(0)
        if self.validation:
            status, self.validation = self.validation, None
            return Response(406, dict(status, state="error"), {})
        return Response(200, {}, {})

    def start_bootstrap(self, action, body):
        self.record("POST /v1/bootstrap/%s" % action)
        answer = self.answers.pop(0) if self.answers else "ok"
        if answer == "busy":
            self.start(action, body)
            raise ApiError("POST", "/v1/bootstrap/%s" % action, status=409, message="in progress")
        self.start(action, body)
        if answer == "lost after":
            raise ApiError("POST", "/v1/bootstrap/%s" % action, message="connection dropped")

    def start(self, action, body):
        self.state = {"create_cluster": "creating_cluster", "join_cluster": "joining_cluster"}.get(action, "recovering_cluster")
        self.action, self.body, self.left = action, body, self.server.reads_to_complete
        self.error = None

    def finish(self):
        if self.server.fail.get(self.index):
            self.state, self.error = "error", self.server.fail.pop(self.index)
            return
        if self.action == "join_cluster":
            first = next(node for node in self.server.nodes if node.address in self.body["cluster"]["nodes"])
            self.cluster = first.cluster
        else:
            self.cluster = FakeCluster(self.body.get("cluster", {}).get("name") or "recovered.example.com")
        self.cluster.next_uid += 1
        self.uid = (self.body.get("node") or {}).get("identity", {}).get("uid") or self.cluster.next_uid
        self.state = "completed"


class FakeCluster:
    def __init__(self, name):
        self.name = name
        self.next_uid = 0


class FakeNodes:
    """The nodes of one test: the runner's client (``node(index)``)."""

    def __init__(self):
        self.nodes = [FakeNode(self, index) for index in (1, 2, 3)]
        self.reads_to_complete = READS_TO_COMPLETE
        self.log = []  # (node, request) in the order sent
        self.fail = {}  # node index -> error code its next bootstrap ends with

    def node(self, index):
        return self.nodes[index]

    def seed(self, name, indexes):
        """Make the nodes (1-based) a cluster of their own named ``name``, uids from 1."""
        cluster = FakeCluster(name)
        for index in indexes:
            cluster.next_uid += 1
            node = self.nodes[index - 1]
            node.state, node.cluster, node.uid = "completed", cluster, cluster.next_uid

    def requests(self):
        return list(self.log)

    def writes(self):
        return [(index, request) for index, request in self.requests() if request.startswith("POST")]


class FakeTask(RunnerTask):
    """The runner's task, whose client is the test's nodes."""

    def __init__(self, server, check_mode=False, diff=True, **params):
        super(FakeTask, self).__init__(check_mode=check_mode, diff=diff, **dict(CLUSTER_OPTIONS, **params))
        self.server = server

    def client(self, client_class, deadline=None):
        return self.server


def converge(server, **params):
    task = FakeTask(server, **params)
    with pytest.raises(Exited) as exited:
        Runner(task, Cluster).run()
    exited.value.warnings = task.warnings
    return exited.value


def test_the_first_node_creates_and_the_others_join_one_at_a_time_each_validated_just_before():
    nodes = FakeNodes()
    outcome = converge(nodes)
    assert not outcome.failed, outcome.result
    assert nodes.writes() == [(1, "POST /v1/bootstrap/validate/create_cluster"), (1, "POST /v1/bootstrap/create_cluster"),
                              (2, "POST /v1/bootstrap/validate/join_cluster"), (2, "POST /v1/bootstrap/join_cluster"),
                              (3, "POST /v1/bootstrap/validate/join_cluster"), (3, "POST /v1/bootstrap/join_cluster")]
    # Node 2's join was sent only after node 1 had completed, node 3's after node 2's.
    first = nodes.nodes[0].requests
    assert first.index("POST /v1/bootstrap/create_cluster") < len(first) - 1
    assert nodes.nodes[1].body["cluster"] == {"nodes": ["10.0.0.1"]}
    assert nodes.nodes[1].body["credentials"] == {"username": "admin@example.com", "password": "Secret-1"}
    result = outcome.result
    assert result["changed"] is True and result["cluster_name"] == "cluster.example.com"
    assert [(n["uid"], n["state"], n["changed"], n["action"]) for n in result["nodes"]] == [
        (1, "completed", True, "created"), (2, "completed", True, "joined"), (3, "completed", True, "joined")]
    assert result["diff"]["before"]["nodes"] == [dict(url=url, state="idle") for url in URLS]
    assert result["diff"]["after"]["nodes"] == [dict(url=url, state="completed") for url in URLS]


def test_a_rerun_reads_two_requests_per_node_and_changes_nothing():
    nodes = FakeNodes()
    nodes.seed("Cluster.Example.com.", (1, 2, 3))
    outcome = converge(nodes)
    assert outcome.result["changed"] is False and outcome.result["actions"] == []
    assert sorted(nodes.requests()) == [(index, request) for index in (1, 2, 3) for request in ("GET /v1/bootstrap", "GET /v1/cluster")]
    assert [n["action"] for n in outcome.result["nodes"]] == ["none"] * 3


def test_check_mode_predicts_every_node_and_sends_only_the_validations_it_can():
    nodes = FakeNodes()
    outcome = converge(nodes, check_mode=True)
    assert outcome.result["changed"] is True
    assert [(n["state"], n["action"], n["uid"]) for n in outcome.result["nodes"]] == [
        ("completed", "created", None), ("completed", "joined", None), ("completed", "joined", None)]
    assert nodes.writes() == [(1, "POST /v1/bootstrap/validate/create_cluster")]
    assert len(outcome.result["actions"]) == 6

    nodes = FakeNodes()
    nodes.seed("cluster.example.com", (1,))
    outcome = converge(nodes, check_mode=True, validate=False)
    assert nodes.writes() == []
    assert [n["action"] for n in outcome.result["nodes"]] == ["none", "joined", "joined"]

    nodes = FakeNodes()
    nodes.seed("cluster.example.com", (1,))
    converge(nodes, check_mode=True)
    # The cluster runs: the joins can be validated already.
    assert nodes.writes() == [(2, "POST /v1/bootstrap/validate/join_cluster"), (3, "POST /v1/bootstrap/validate/join_cluster")]


@pytest.mark.parametrize("seeded, name, expected", [
    ([("other.example.com", (3,))], "cluster.example.com",
     "Refusing to bootstrap (nothing was changed): https://10.0.0.3:9443 (cluster 'other.example.com') already completed "
     "bootstrapping into another cluster than the one this task creates on https://10.0.0.1:9443"),
    ([("cluster.example.com", (1, 2)), ("cluster.example.com", (3,))], "cluster.example.com",
     "Refusing to bootstrap (nothing was changed): https://10.0.0.3:9443 (cluster 'cluster.example.com') already completed "
     "bootstrapping into another cluster than the one on https://10.0.0.1:9443"),
    ([("other.example.com", (1,))], "cluster.example.com",
     "Refusing to bootstrap (nothing was changed): the first node, https://10.0.0.1:9443, already belongs to cluster "
     "'other.example.com', not 'cluster.example.com'"),
])
def test_a_node_of_another_cluster_is_refused_before_any_write(seeded, name, expected):
    nodes = FakeNodes()
    for cluster_name, indexes in seeded:
        nodes.seed(cluster_name, indexes)
    outcome = converge(nodes, name=name)
    assert outcome.failed and outcome.result["msg"].startswith(expected), outcome.result["msg"]
    assert nodes.writes() == []


def test_a_node_in_error_is_bootstrapped_again_with_a_warning_carrying_its_error():
    nodes = FakeNodes()
    nodes.seed("cluster.example.com", (1, 2))
    nodes.nodes[2].state, nodes.nodes[2].error = "error", "time_not_sync"
    outcome = converge(nodes)
    assert not outcome.failed
    assert outcome.warnings == ["The previous bootstrap of the node at https://10.0.0.3:9443 failed with error_code time_not_sync: the "
                                "node's clock is not synchronized with the cluster's: configure NTP (chrony) on every node and retry "
                                "(server message: injected); starting join_cluster again"]
    assert [n["action"] for n in outcome.result["nodes"]] == ["none", "none", "joined"]


def test_a_failing_join_fails_naming_the_node_and_its_error_after_what_was_done():
    nodes = FakeNodes()
    nodes.fail[2] = "rack_id_required"
    outcome = converge(nodes)
    assert outcome.failed
    assert outcome.result["msg"].startswith("join_cluster of the node at https://10.0.0.2:9443 failed with error_code rack_id_required")
    assert "done so far: validated create_cluster" in outcome.result["msg"]
    assert outcome.result["error_code"] == "rack_id_required"
    assert [n["state"] for n in outcome.result["nodes"]] == ["completed", "error", "idle"]
    assert (3, "POST /v1/bootstrap/join_cluster") not in nodes.writes()  # later nodes untouched


def test_a_rejected_validation_fails_before_that_nodes_bootstrap():
    nodes = FakeNodes()
    nodes.nodes[1].validation = {"error_code": "access_denied"}
    outcome = converge(nodes)
    assert outcome.failed and outcome.result["error_code"] == "access_denied"
    assert outcome.result["msg"].startswith("Validation of join_cluster on https://10.0.0.2:9443 failed with error_code access_denied")
    assert (2, "POST /v1/bootstrap/join_cluster") not in nodes.writes()


def test_a_validation_without_an_answer_is_sent_again():
    nodes = FakeNodes()
    nodes.nodes[0].validation_errors = [ApiError("POST", "/v1/bootstrap/validate/create_cluster", status=503, message="busy")]
    outcome = converge(nodes)
    assert not outcome.failed
    assert nodes.nodes[0].requests.count("POST /v1/bootstrap/validate/create_cluster") == 2
    assert outcome.result["nodes"][0]["changed"] is True


@pytest.mark.parametrize("answer, changed, text", [
    ("lost after", True, "joined https://10.0.0.2:9443 to the cluster (through 10.0.0.1) (its answer was lost: found it under way)"),
    ("busy", False, "joined https://10.0.0.2:9443 to the cluster (through 10.0.0.1) (already under way: adopted)"),
])
def test_an_ambiguous_join_answer_is_found_under_way_and_never_sent_twice(answer, changed, text):
    nodes = FakeNodes()
    nodes.nodes[1].answers = [answer]
    outcome = converge(nodes)
    assert not outcome.failed, outcome.result
    assert nodes.nodes[1].requests.count("POST /v1/bootstrap/join_cluster") == 1
    assert text in outcome.result["actions"]
    assert outcome.result["nodes"][1]["changed"] is changed


def test_a_node_that_cannot_be_read_is_refused_naming_it():
    nodes = FakeNodes()
    nodes.nodes[1].read_errors = [ApiError("GET", "/v1/bootstrap", status=503, message="unavailable")] * 1000
    outcome = converge(nodes, wait_timeout=5.0)
    assert outcome.failed
    assert outcome.result["msg"].startswith("Refusing to bootstrap (nothing was changed): the node at https://10.0.0.2:9443 cannot "
                                            "be read: timed out after 5s (wait_timeout)")
    assert nodes.writes() == []

    nodes = FakeNodes()
    nodes.nodes[2].read_errors = [ApiError("GET", "/v1/bootstrap", status=401, message="authentication failed")]
    outcome = converge(nodes)
    assert outcome.result["msg"].startswith("Refusing to bootstrap (nothing was changed): the node at https://10.0.0.3:9443 already "
                                            "belongs to a cluster that rejects user 'admin@example.com'")


def test_one_deadline_covers_the_whole_cluster():
    nodes = FakeNodes()
    nodes.reads_to_complete = 25  # each bootstrap takes about 15 s of polling: three take more than the deadline
    task_timeout = 30.0
    outcome = converge(nodes, wait_timeout=task_timeout)
    assert outcome.failed and outcome.result["msg"].startswith("timed out after 30s (wait_timeout) waiting for join_cluster of the node")
    assert outcome.result["duration"] <= task_timeout + 1


def test_recovery_recovers_the_first_node_and_joins_the_others_with_their_uids():
    nodes = FakeNodes()
    recovery = "/var/opt/redislabs/persist/ccs/ccs-redis.rdb"
    outcome = converge(nodes, name="recovered.example.com", recovery_filename=recovery,
                       nodes=[URLS[0], dict(url=URLS[1], uid=2), dict(url=URLS[2], uid=3, rack_id="r3")])
    assert not outcome.failed, outcome.result
    assert [n["action"] for n in outcome.result["nodes"]] == ["recovered", "joined", "joined"]
    assert nodes.nodes[0].body["recovery_filename"] == recovery and "cluster" not in nodes.nodes[0].body
    assert nodes.nodes[2].body["node"]["identity"] == {"uid": 3, "rack_id": "r3"}

    nodes = FakeNodes()
    outcome = converge(nodes, name="cluster.example.com", recovery_filename=recovery, nodes=[URLS[0]])
    assert outcome.failed and "belongs to cluster 'recovered.example.com', not 'cluster.example.com'" in outcome.result["msg"]


@pytest.mark.parametrize("change, message", [
    (dict(nodes=[URLS[0], URLS[1] + "/", URLS[1]]), "nodes lists https://10.0.0.2:9443 more than once"),
    (dict(nodes=[URLS[0], {"url": URLS[1], "uid": "two"}]), "nodes[1]: "),
    (dict(nodes=[URLS[0], 7]), "nodes[1] must be a node's API URL or a dictionary with url"),
    (dict(nodes=[{"name": "a"}]), "nodes[0]: missing required arguments: url"),
    (dict(nodes=["https://admin:pw@10.0.0.1:9443"]), "nodes[0]: a node URL must not carry user:password@"),
    (dict(nodes=[dict(url=URLS[0], uid=1), dict(url=URLS[1], uid=1)]), "nodes gives uid 1 to more than one node"),
    (dict(name="-bad.example.com"), "name must be a fully qualified domain name"),
    (dict(join_address=" "), "join_address must be an address"),
    (dict(recovery_filename="/tmp/ccs-redis.rdb", nodes=[URLS[0], URLS[1]]), "nodes[1] needs its old uid"),
    (dict(password=None), "username and password are required"),
])
def test_bad_options_are_refused_before_any_request(change, message):
    params = dict(CLUSTER_OPTIONS, **change)
    problems = Cluster.validate(params)
    assert any(message in problem for problem in problems), problems


def test_a_bootstrap_found_under_way_is_waited_for_never_started_again():
    nodes = FakeNodes()
    nodes.seed("cluster.example.com", (1,))
    nodes.nodes[1].start("join_cluster", {"cluster": {"nodes": ["10.0.0.1"]}})  # another client's join of node 2
    outcome = converge(nodes)
    assert not outcome.failed, outcome.result
    assert nodes.writes() == [(3, "POST /v1/bootstrap/validate/join_cluster"), (3, "POST /v1/bootstrap/join_cluster")]
    # Node 3's validation waited until node 2 had completed (its last read).
    log = nodes.requests()
    assert log.index((3, "POST /v1/bootstrap/validate/join_cluster")) > max(i for i, entry in enumerate(log) if entry[0] == 2)
    assert [(n["state"], n["changed"], n["action"]) for n in outcome.result["nodes"]] == [
        ("completed", False, "none"), ("completed", False, "none"), ("completed", True, "joined")]

    nodes = FakeNodes()
    nodes.seed("cluster.example.com", (1,))
    nodes.fail[2] = "connect_error"
    nodes.nodes[1].start("join_cluster", {"cluster": {"nodes": ["10.0.0.1"]}})
    outcome = converge(nodes)
    assert outcome.failed and outcome.result["error_code"] == "connect_error"
    assert outcome.result["msg"].startswith("the bootstrap found under way on the node at https://10.0.0.2:9443 failed with "
                                            "error_code connect_error")
    assert nodes.writes() == []  # node 3 is not touched
