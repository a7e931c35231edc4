# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A Redis Enterprise cluster as one resource across its nodes (``re_cluster``).

The state is every node's bootstrap status (``GET /v1/bootstrap`` on each node, through that
node's own client). The plan creates (or recovers) the cluster on the first node, then joins the
others one at a time, each bootstrap preceded by its validation; the runner sends the steps with
one deadline for the whole cluster and its lost-answer rules. The bootstrap's body, states and
error meanings are :mod:`bootstrap`'s.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported by this collection
    urlsplit = None

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.redisops.platform.plugins.module_utils._connection import (
    REDIS_ENTERPRISE_CONNECTION,
    ConnectionSpec,
    check_url,
    url_secrets,
)
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, to_int
from ansible_collections.redisops.platform.plugins.module_utils._resource import (
    BUSY_ANSWER,
    NOTHING_DONE,
    Plan,
    PlanError,
    Resource,
    Step,
    step_class,
)
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.bootstrap import (
    ARGUMENT_SPEC as BOOTSTRAP_OPTIONS,
    COMPLETED,
    ERROR,
    STARTABLE,
    build_body,
    describe,
    explain_error,
    node_state,
    same_cluster_name,
    validate_params,
    validation_status,
)
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import (
    BOOTSTRAP_VALIDATE_PATH,
    RedisEnterpriseClient,
)
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.nodes import NODES_PATH, read_node_list

DEFAULT_WAIT_TIMEOUT = 1800

#: A node's ``nodes[].action`` in the result when this task did not bootstrap it.
NO_ACTION = "none"
#: The identity fields a node entry may set (sent as the node's ``node.identity``).
IDENTITY_FIELDS = ("addr", "external_addr", "name", "rack_id", "uid")

NODE_OPTIONS = dict(
    url=dict(type="str", required=True),
    name=dict(type="str"),
    addr=dict(type="str"),
    external_addr=dict(type="list", elements="str"),
    rack_id=dict(type="str"),
    uid=dict(type="int"),
)

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    nodes=dict(type="list", elements="raw", required=True),
    join_address=dict(type="str"),
    license=dict(type="str", no_log=True),
    node_paths=BOOTSTRAP_OPTIONS["node_paths"],
    recovery_filename=dict(type="str"),
    validate=dict(type="bool", default=True),
    wait_timeout=dict(type="float", default=DEFAULT_WAIT_TIMEOUT),
)

# The connection options of every node: each node's URL is in ``nodes``, so ``url`` is not required
# (nor read from REDIS_ENTERPRISE_URL); it is accepted so that module_defaults of the group apply.
CONNECTION = ConnectionSpec(
    group=REDIS_ENTERPRISE_CONNECTION.group,
    argument_spec=dict(REDIS_ENTERPRISE_CONNECTION.argument_spec, url=dict(type="str")),
    together=REDIS_ENTERPRISE_CONNECTION.together,
)

_CREDENTIALS_IN_URL = ("a node URL must not carry user:password@: set the credentials in username and password (or in "
                       "module_defaults for group/redisops.platform.redis_enterprise, or in REDIS_ENTERPRISE_USERNAME and "
                       "REDIS_ENTERPRISE_PASSWORD), which are never printed, and the node's URL to https://host:port alone")


# --- the options -------------------------------------------------------------------------------------
def node_entries(nodes):
    """``(entries, problems)``: each node as ``{url, name, addr, external_addr, rack_id, uid}`` (a bare
    URL is ``{url}``), and one sentence per node that is neither a URL nor such a dictionary."""
    validator = ArgumentSpecValidator(NODE_OPTIONS)
    entries, problems = [], []
    for index, node in enumerate(nodes or []):
        where = "nodes[%d]" % index
        if isinstance(node, str):
            node = {"url": node}
        if not isinstance(node, dict):
            problems.append("%s must be a node's API URL or a dictionary with url" % where)
            continue
        result = validator.validate(node)
        if result.error_messages:
            problems.extend("%s: %s" % (where, error) for error in result.error_messages)
            continue
        entries.append(result.validated_parameters)
    return entries, problems


def node_url_secrets(params):
    """The password parts of node URLs that carry ``user:password@`` (masked before anything echoes them)."""
    found = set()
    for node in params.get("nodes") or []:
        url = node.get("url") if isinstance(node, dict) else node
        found.update(url_secrets({"url": url}))
    return found


def _same_url(url):
    """A URL as compared to find one given twice (scheme and host without case, no trailing slash)."""
    parts = urlsplit(url.strip())
    return (parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"))


def _url_problems(entries):
    problems, seen, twice = [], set(), []
    for index, entry in enumerate(entries):
        url = entry["url"]
        if "@" in url.split("://", 1)[-1].split("/", 1)[0]:
            problems.append("nodes[%d]: %s" % (index, _CREDENTIALS_IN_URL))
            continue
        try:
            check_url("nodes[%d]" % index, url)
        except ValueError as error:
            problems.append(str(error))
            continue
        key = _same_url(url)
        if key in seen and url not in twice:
            twice.append(url)
        seen.add(key)
    problems.extend("nodes lists %s more than once" % url for url in twice)
    return problems


# --- how each node is bootstrapped -------------------------------------------------------------------
class NodeBootstrap:
    """How the cluster bootstraps one node with one bootstrap ``action``: what the node's bootstrap
    options add to the common ones, what the actions log says, ``done`` (the node's ``action`` in the
    result) and whether it makes the cluster (so its name is known without asking the node)."""

    action = None
    done = None
    makes_cluster = False

    def options(self, cluster):
        raise NotImplementedError

    def text(self, cluster, index):
        raise NotImplementedError


class CreateOnFirstNode(NodeBootstrap):
    action = "create_cluster"
    done = "created"
    makes_cluster = True

    def options(self, cluster):
        return dict(cluster_name=cluster.name, license=cluster.params.get("license"))

    def text(self, cluster, index):
        return "created cluster %r on %s" % (cluster.name, cluster.urls[index])


class RecoverOnFirstNode(NodeBootstrap):
    action = "recover_cluster"
    done = "recovered"

    def options(self, cluster):
        return dict(recovery_filename=cluster.params["recovery_filename"])

    def text(self, cluster, index):
        return "recovered the cluster on %s from %s" % (cluster.urls[index], cluster.params["recovery_filename"])


class JoinNode(NodeBootstrap):
    action = "join_cluster"
    done = "joined"

    def options(self, cluster):
        return dict(cluster_nodes=[cluster.join_address])

    def text(self, cluster, index):
        return "joined %s to the cluster (through %s)" % (cluster.urls[index], cluster.join_address)


CREATE, RECOVER, JOIN = CreateOnFirstNode(), RecoverOnFirstNode(), JoinNode()


def node_bootstrap(params, index):
    """How the node at ``index`` of ``nodes`` is bootstrapped: the first creates the cluster (or recovers
    it from ``recovery_filename``), every other joins it."""
    if index:
        return JOIN
    return RECOVER if params.get("recovery_filename") is not None else CREATE


# --- the clients -------------------------------------------------------------------------------------
class ClusterNodes:
    """One API client per node, built from the same connection options with each node's own URL
    (the runner's client: every node's requests share the task's deadline and retry warnings)."""

    def __init__(self, params, wiring=None):
        self.clients = []
        for entry in node_entries(params["nodes"])[0]:
            client = RedisEnterpriseClient(dict(params, url=entry["url"]), wiring=wiring)
            client.http.add_secret(params.get("license"))
            self.clients.append(client)

    def http_clients(self):
        return [http for client in self.clients for http in client.http_clients()]

    def close(self):
        for client in self.clients:
            client.close()

    def node(self, index):
        return self.clients[index]


# --- the steps -----------------------------------------------------------------------------------------
@step_class
class ValidateNode(Step):
    """``POST /v1/bootstrap/validate/{action}`` on one node: changes nothing; a 406 fails the task
    before that node's bootstrap. A validation leaves no trace in a state: nothing is awaited after it,
    and a validation whose answer was lost never shows: it is sent again."""

    awaited = False

    index: int = 0
    url: str = None
    bootstrap: NodeBootstrap = None
    body: dict = None

    def send(self, api):
        check_configuration(api.node(self.index), self.url, self.bootstrap.action, self.body)
        return NOTHING_DONE

    def shows(self, state):
        return False


@step_class
class BootstrapNode(Step):
    """``POST /v1/bootstrap/{action}`` on one node; shown once that node's bootstrap is under way or done."""

    lost_text: str = "its answer was lost: found it under way"
    index: int = 0
    bootstrap: NodeBootstrap = None
    body: dict = None

    def send(self, api):
        api.node(self.index).start_bootstrap(self.bootstrap.action, self.body)

    def shows(self, state):
        return node_state(state[self.index]) not in STARTABLE


def check_configuration(client, url, action, body):
    """Validate a bootstrap on the node at ``url`` (a validate_only request); PlanError when it is refused."""
    response = client.validate_bootstrap(action, body)
    if response.status == 406:
        status = validation_status(response.data)
        raise PlanError("Validation of %s on %s failed with %s" % (action, url, explain_error(status)),
                        bootstrap_status=status, error_code=status.get("error_code"), error_details=status.get("error_details") or {})


class NodeReadError(ApiError):
    """A read of one node that failed (``index``: the node's place in ``nodes``), so that the failure names the node."""

    def __init__(self, error, index):
        self.index = index
        super(NodeReadError, self).__init__(error.method, error.path, status=error.status, code=error.code, message=error.message,
                                            transport=error.transport, retry_after=error.retry_after,
                                            deadline_exceeded=error.deadline_exceeded)


def under_way(status):
    """Whether a node works on a bootstrap (states the documents do not list count as under way)."""
    return node_state(status) not in STARTABLE + (COMPLETED,)


# --- the resource ----------------------------------------------------------------------------------------
class Cluster(Resource):
    """The cluster's nodes, first node first. A state is the list of their normalised
    ``GET /v1/bootstrap``; each completed node's cluster name is read once (``GET /v1/cluster``)."""

    client_class = ClusterNodes
    first_read_waits_for = "every node's REST API to answer"
    settling = "the bootstraps under way to end"

    def __init__(self, task, api, params=None):
        super(Cluster, self).__init__(task, api, params)
        self.nodes = node_entries(self.params["nodes"])[0]
        self.urls = [entry["url"] for entry in self.nodes]
        self.name = self.params["name"]
        self.label = "cluster %r" % self.name
        self.join_address = self.params.get("join_address") or urlsplit(self.urls[0]).hostname
        self.names = {}  # node index -> the name of the cluster it belongs to, as that node says
        self.followed = set()  # nodes found bootstrapping at the first read: waited for, never started again
        self.last = None

    @classmethod
    def validate(cls, params):
        """Every rule the options break, one sentence each, checked before any request."""
        entries, problems = node_entries(params.get("nodes"))
        if not params.get("nodes"):
            problems.append("nodes must list at least one node: the first creates the cluster, the others join it")
        problems.extend(_url_problems(entries))
        # The first node's bootstrap carries every cluster-wide rule (credentials, name, license, recovery file).
        first = dict(params, action=node_bootstrap(params, 0).action, cluster_name=params.get("name"), cluster_nodes=None,
                     node_identity=None, extra_config=None)
        # The bootstrap's rules name its own option; this module's is name.
        problems.extend(problem.replace("cluster_name must", "name must", 1) for problem in validate_params(first))
        address = params.get("join_address")
        if address is not None and (not address.strip() or "://" in address):
            problems.append("join_address must be an address (IP address or host name, without scheme or port) at which joining "
                            "nodes reach the cluster")
        if params.get("recovery_filename") is not None:
            problems.extend("nodes[%d] needs its old uid: with recovery_filename, every other node joins the recovered cluster "
                            "with the uid it had" % index for index, entry in enumerate(entries) if index and entry["uid"] is None)
        uids = [entry["uid"] for entry in entries if entry["uid"] is not None]
        problems.extend("nodes gives uid %d to more than one node" % uid for uid in sorted(set(u for u in uids if uids.count(u) > 1)))
        return problems

    @classmethod
    def invalid_message(cls, errors):
        return "Invalid options (nothing was sent): %s" % "; ".join(errors)

    # --- the journal -----------------------------------------------------------------------------
    def bootstrapped(self, index):
        """The outcome of this task's bootstrap of node ``index`` (None when it sent none)."""
        for outcome in self.journal.of_type(BootstrapNode):
            if outcome.step.index == index:
                return outcome
        return None

    # --- reading -----------------------------------------------------------------------------------
    def _on_node(self, index, read):
        """``read(client)`` on node ``index``; its failure names the node."""
        try:
            return read(self.api.node(index))
        except NodeReadError:
            raise
        except ApiError as error:
            raise NodeReadError(error, index)

    def _read_node(self, index):
        return self._on_node(index, lambda client: client.bootstrap())

    def read(self):
        state = [self._read_node(index) for index in range(len(self.nodes))]
        for index, status in enumerate(state):
            if node_state(status) == COMPLETED and index not in self.names:
                self.names[index] = self._on_node(index, lambda client: client.cluster_name())
        self.last = state
        return state

    def poll(self, step=None):
        # Only what may have moved: the nodes under way, and the node whose bootstrap was sent. A
        # validation moves nothing, so after one nothing is read.
        indexes = [index for index, status in enumerate(self.last) if under_way(status)]
        if isinstance(step, BootstrapNode) and step.index not in indexes:
            indexes.append(step.index)
        if indexes:
            state = list(self.last)
            for index in indexes:
                state[index] = self._read_node(index)
            self.last = state
        return self.last

    def _members(self):
        """The cluster's nodes as its first node lists them (``GET /v1/nodes``)."""
        return read_node_list(self._on_node(0, lambda client: client.get(NODES_PATH).data))

    def _check_first_node(self, state):
        """The first node, once completed, must be in a cluster of the wanted name (read once, unless this task created it)."""
        if node_state(state[0]) != COMPLETED:
            return
        if 0 not in self.names:
            outcome = self.bootstrapped(0)
            if outcome is not None and outcome.step.bootstrap.makes_cluster and not outcome.adopted:
                self.names[0] = self.name  # the cluster this task created
            else:
                self.names[0] = self._on_node(0, lambda client: client.cluster_name())
        if not same_cluster_name(self.names[0], self.name):
            raise PlanError("The first node, %s, belongs to cluster %r, not %r: remove it from that cluster (or reinstall it), "
                            "or give the nodes of cluster %r" % (self.urls[0], self.names[0], self.name, self.names[0]))

    def final(self, state):
        # Every node this task waited for must have ended a node of the cluster on the first node.
        self._check_first_node(state)
        uids = set(to_int(member.get("uid")) for member in self._members())
        outside = [self.urls[index] for index, status in enumerate(state) if self._uid(status) not in uids]
        if outside:
            raise PlanError("%s completed bootstrapping but %s not listed among the nodes of the cluster on %s"
                            % (", ".join(outside), "is" if len(outside) == 1 else "are", self.urls[0]))
        return state

    # --- deciding ----------------------------------------------------------------------------------
    def _strangers(self, state):
        """The nodes (indexes) that completed bootstrapping into another cluster than this one."""
        states = [node_state(status) for status in state]
        completed = [index for index in range(1, len(state)) if states[index] == COMPLETED]
        if states[0] != COMPLETED:
            return completed  # the cluster does not exist yet: a node in a cluster is in another one
        strangers = [index for index in completed if not same_cluster_name(self.names[index], self.name)]
        uids = [self._uid(state[index]) for index in [0] + completed]
        settled = len(completed) == len(state) - 1 and len(set(uids)) == len(uids)
        if strangers or settled or not completed:
            return strangers
        # Some nodes are still to bootstrap: each node that completed must be one of the first node's cluster.
        addresses = set(member.get("addr") for member in self._members())
        return [index for index in completed if not addresses & self._addresses(state[index])]

    def _refuse_strangers(self, state):
        if node_state(state[0]) == COMPLETED and not same_cluster_name(self.names[0], self.name):
            raise PlanError("Refusing to bootstrap (nothing was changed): the first node, %s, already belongs to cluster %r, "
                            "not %r: remove it from that cluster (or reinstall it) first, or list the first node of %r first"
                            % (self.urls[0], self.names[0], self.name, self.name))
        strangers = self._strangers(state)
        if strangers:
            named = ", ".join("%s (cluster %r)" % (self.urls[index], self.names.get(index)) for index in strangers)
            where = "on %s" % self.urls[0] if node_state(state[0]) == COMPLETED else "this task creates on %s" % self.urls[0]
            raise PlanError("Refusing to bootstrap (nothing was changed): %s already completed bootstrapping into another cluster "
                            "than the one %s: remove %s from that cluster (or reinstall %s) first"
                            % (named, where, "it" if len(strangers) == 1 else "them", "it" if len(strangers) == 1 else "them"))

    def node_params(self, index, bootstrap):
        """The options of one node's bootstrap, as :func:`build_body` takes them."""
        return dict(bootstrap.options(self), action=bootstrap.action, username=self.params["username"],
                    password=self.params["password"], node_paths=self.params.get("node_paths"),
                    node_identity=dict((key, self.nodes[index][key]) for key in IDENTITY_FIELDS))

    def plan(self, state):
        self.followed = set(index for index, status in enumerate(state) if under_way(status))
        self._refuse_strangers(state)
        steps = []
        for index, status in enumerate(state):
            if node_state(status) == COMPLETED or index in self.followed:
                continue
            bootstrap = node_bootstrap(self.params, index)
            what = "%s of the node at %s" % (bootstrap.action, self.urls[index])
            if node_state(status) == ERROR:
                self.task.warn("The previous bootstrap of the node at %s failed with %s; starting %s again"
                               % (self.urls[index], explain_error(status["bootstrap_status"]), bootstrap.action))
            body = build_body(self.node_params(index, bootstrap))
            if self.params["validate"]:
                steps.append(ValidateNode(text="validated " + what, index=index, url=self.urls[index], bootstrap=bootstrap, body=body,
                                          settle_text="the bootstraps under way to end before validating " + what))
            steps.append(BootstrapNode(text=bootstrap.text(self, index), waiting_for=what, index=index, bootstrap=bootstrap, body=body,
                                       settle_text="the bootstraps under way to end before starting " + what))
        if self.task.check_mode:
            self._validate_now(steps, state)
        planned = set(step.index for step in steps)
        return Plan(steps, after=self._comparable(state, planned), predicted=self._view(state, planned), adopting=bool(self.followed))

    def _validate_now(self, steps, state):
        # Check mode sends no step: the validations that can run now (they change nothing) run here.
        # A join validates against the running cluster, so only once the first node has completed.
        for step in steps:
            if isinstance(step, ValidateNode) and (step.index == 0 or node_state(state[0]) == COMPLETED):
                check_configuration(self.api.node(step.index), step.url, step.bootstrap.action, step.body)

    def writable(self, step, state):
        if not self.ready(state) or self.failed(state):
            return False
        if step.index:
            self._check_first_node(state)  # never join a node to a cluster of another name
        return True

    def ready(self, state):
        return not any(under_way(status) for status in state)

    def failed(self, state):
        return self._failed_node(state) is not None

    def _failed_node(self, state):
        """The first node whose bootstrap this task started or followed and that ended in error."""
        for index, status in enumerate(state or []):
            if node_state(status) == ERROR and (index in self.followed or self.bootstrapped(index) is not None):
                return index
        return None

    def ambiguity(self, error):
        # A validation changes nothing: whatever its failure, it may be sent again.
        if error.path.startswith(BOOTSTRAP_VALIDATE_PATH % "") and error.is_transient:
            return BUSY_ANSWER
        return super(Cluster, self).ambiguity(error)

    # --- showing -------------------------------------------------------------------------------------
    @staticmethod
    def _uid(status):
        return to_int(status["local_node_info"].get("uid"))

    @staticmethod
    def _addresses(status):
        return set(address.get("address") for address in status["local_node_info"]["available_addresses"] if isinstance(address, dict))

    def _node_view(self, index, status, predicted=False):
        if predicted:
            return dict(url=self.urls[index], uid=self.nodes[index]["uid"] or (self._uid(status) if status else None),
                        state=COMPLETED, changed=True, action=node_bootstrap(self.params, index).done)
        outcome = self.bootstrapped(index)
        changed = bool(outcome is not None and outcome.changed)
        return dict(url=self.urls[index], uid=self._uid(status) if status else None, state=node_state(status) if status else None,
                    changed=changed, action=outcome.step.bootstrap.done if changed else NO_ACTION)

    def _view(self, state, planned=()):
        state = state or [None] * len(self.nodes)
        cluster_name = self.names.get(0)
        if cluster_name is None and 0 in planned:
            cluster_name = self.name  # predicted: the cluster this task would create
        return dict(cluster_name=cluster_name,
                    nodes=[self._node_view(index, status, index in planned) for index, status in enumerate(state)])

    def view(self, state):
        return self._view(state)

    def _comparable(self, state, planned=()):
        return dict(nodes=[dict(url=self.urls[index], state=COMPLETED if index in planned else node_state(status))
                           for index, status in enumerate(state)])

    def comparable(self, state):
        return self._comparable(state)

    def describe(self, state):
        return ", ".join("%s %s" % (url, describe(status)) for url, status in zip(self.urls, state))

    def failure_result(self, state):
        index = self._failed_node(state)
        if index is None:
            return {}
        status = state[index]["bootstrap_status"]
        return dict(error_code=status.get("error_code"), error_details=status.get("error_details") or {})

    def failure_message(self, error, what):
        if error.last is None and isinstance(error.last_error, NodeReadError):
            return "Refusing to bootstrap (nothing was changed): the node at %s cannot be read: %s" % (
                self.urls[error.last_error.index], error.message)
        index = None if error.timed_out else self._failed_node(error.last)
        if index is None:
            return error.message
        outcome = self.bootstrapped(index)
        what = outcome.step.waiting_for if outcome else "the bootstrap found under way on the node at %s" % self.urls[index]
        return "%s failed with %s" % (what, explain_error(error.last[index]["bootstrap_status"]))

    def explain(self, error, step):
        read = isinstance(error, NodeReadError)
        if not read and step is None:
            return None
        url = self.urls[error.index if read else step.index]
        if error.status == 401:
            text = ("the node at %s already belongs to a cluster that rejects user %r (a node of another cluster, or a wrong password)"
                    % (url, self.params["username"]))
        elif read:
            text = "the node at %s cannot be read" % url
        else:
            text = "%s of the node at %s" % (step.bootstrap.action, url)
        if read and not self.journal.changed:
            text = "Refusing to bootstrap (nothing was changed): " + text
        return text
