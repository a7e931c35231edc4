# -*- coding: utf-8 -*-
# Copyright: redisops.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Redis Enterprise bootstrap: one object per action (create, join, recover: the option only
it takes, its checks, its part of the body, what a completed node shows), input rules, the
request body, the states, what each documented error code means, and the ``re_bootstrap``
resource (``GET /v1/bootstrap``, one POST, a wait)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

from ansible_collections.redisops.platform.plugins.module_utils._resource import Plan, PlanError, Resource, Step, step_class
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.identity import NamesItsCluster

IDLE = "idle"
ERROR = "error"
COMPLETED = "completed"
# States in which the node works on a bootstrap already: a POST would answer 409.
IN_PROGRESS = ("initiated", "creating_cluster", "joining_cluster", "recovering_cluster")
# POST /v1/bootstrap/{action} is permitted only in these states.
STARTABLE = (IDLE, ERROR)

MAX_CLUSTER_NAME_LENGTH = 64
FORBIDDEN_USERNAME_CHARACTERS = '&<>"'
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")

# Body fields the module's own options set: extra_config may not set them too.
MANAGED_FIELDS = {
    ("action",): "action",
    ("cluster", "name"): "cluster_name",
    ("cluster", "nodes"): "cluster_nodes",
    ("node", "paths"): "node_paths",
    ("node", "identity"): "node_identity",
    ("credentials",): "username and password",
    ("license",): "license",
    ("recovery_filename",): "recovery_filename",
}

# Plain-language meaning of every error code the bootstrap documents list.
ERROR_MEANINGS = {
    "config_error": "the bootstrap configuration was rejected (for example a malformed or incomplete request body)",
    "connect_error": "the node could not reach the cluster (a cluster node address that does not answer, "
                     "a cluster name that does not resolve in DNS, or a wrong node address)",
    "access_denied": "the cluster rejected the credentials: username and password must be those of an admin user of the cluster",
    "invalid_license": "the license is invalid, or valid but its terms are violated (see the violation code in the details)",
    "repair_required": "the cluster is degraded and only accepts a node that replaces a failed one",
    "insufficient_node_memory": "the node does not have enough memory to replace the failed node",
    "insufficient_node_flash": "the node does not have enough flash storage to replace the failed node",
    "time_not_sync": "the node's clock is not synchronized with the cluster's: configure NTP (chrony) on every node and retry",
    "rack_id_required": "the cluster is rack-aware, so the joining node needs a rack id (node_identity.rack_id)",
    "socket_directory_mismatch": "the node's socket directory setting differs from the cluster's: install it with the same settings",
    "node_config_mismatch": "a node setting (such as confdir, osuser or installdir) differs from the cluster's: "
                            "install the node with the same settings",
    "path_error": "a path the bootstrap needs does not exist on the node or is not accessible (check node_paths)",
    "internal_error": "the node hit an unspecified internal error: check its logs and retry",
}


def cluster_name_problem(name):
    """Why ``name`` is not a valid cluster name (an FQDN of RFC 1123 labels, at most 64 characters), or None."""
    if not name:
        return "cluster_name must not be empty"
    if len(name) > MAX_CLUSTER_NAME_LENGTH:
        return "cluster_name must be at most %d characters long, %r has %d" % (MAX_CLUSTER_NAME_LENGTH, name, len(name))
    for label in name.split("."):
        if not _LABEL.match(label):
            return ("cluster_name must be a fully qualified domain name made of RFC 1123 labels (1 to 63 letters, digits "
                    "or hyphens each, not starting or ending with a hyphen, separated by single dots): %r is not" % name)
    return None


def username_problem(username):
    """Why ``username`` cannot be a cluster admin's name, or None."""
    found = sorted(set(c for c in username if c in FORBIDDEN_USERNAME_CHARACTERS))
    if found:
        return "username must not contain any of the characters & < > \" (found %s)" % " ".join(found)
    return None


def _field_path(body, path):
    for key in path:
        if not isinstance(body, dict) or key not in body:
            return False
        body = body[key]
    return True


class BootstrapAction:
    """One bootstrap action (``POST /v1/bootstrap/{name}``): ``required`` is the option it needs,
    ``own_option`` the one no other action takes; the node shows it under way, then completed, at
    ``GET /v1/bootstrap`` whatever the action."""

    name = None
    required = None
    own_option = None

    def problems(self, params):
        """What is wrong with the options only this action reads."""
        return []

    def body(self, params):
        """This action's part of the bootstrap body."""
        raise NotImplementedError

    def cluster_made(self, params):
        """The name of the cluster a completed bootstrap of this action made, None when the node
        must be asked (it joined or recovered a cluster named elsewhere)."""
        return None


class CreateCluster(BootstrapAction):
    name = "create_cluster"
    required = "cluster_name"
    own_option = "license"

    def body(self, params):
        return {"cluster": {"name": params["cluster_name"], "nodes": []}}

    def cluster_made(self, params):
        return params["cluster_name"]


class JoinCluster(BootstrapAction):
    name = "join_cluster"
    required = own_option = "cluster_nodes"

    def problems(self, params):
        nodes = params.get("cluster_nodes") or []
        if not nodes or any(not str(node).strip() for node in nodes):
            return ["cluster_nodes must list at least one address of a node already in the cluster (action=join_cluster)"]
        if any("://" in node for node in nodes):
            return ["cluster_nodes lists node addresses (IP addresses or host names), not URLs"]
        return []

    def body(self, params):
        return {"cluster": {"nodes": list(params["cluster_nodes"])}}


class RecoverCluster(BootstrapAction):
    name = "recover_cluster"
    required = own_option = "recovery_filename"

    def problems(self, params):
        if not (params.get("recovery_filename") or "").strip():
            return ["recovery_filename must name the cluster configuration backup to recover from (action=recover_cluster)"]
        return []

    def body(self, params):
        return {"recovery_filename": params["recovery_filename"]}


#: Every bootstrap action by name, in the order the module documents them.
BOOTSTRAP_ACTIONS = dict((action.name, action) for action in (CreateCluster(), JoinCluster(), RecoverCluster()))
ACTIONS = tuple(BOOTSTRAP_ACTIONS)


def validate_params(params):
    """Every rule the module checks before sending a request, as a list of messages."""
    action = params["action"]
    problems = []
    if not params.get("username") or not params.get("password"):
        problems.append("username and password are required: they are sent as the cluster admin credentials "
                        "(action=%s) and used to read the node once it belongs to a cluster" % action)
    elif username_problem(params["username"]):
        problems.append(username_problem(params["username"]))
    if params.get("cluster_name") is not None:
        problem = cluster_name_problem(params["cluster_name"])
        if problem:
            problems.append(problem)
    for other in BOOTSTRAP_ACTIONS.values():
        if params.get(other.own_option) is not None and other.name != action:
            problems.append("%s applies only to action=%s, not to action=%s" % (other.own_option, other.name, action))
    problems.extend(BOOTSTRAP_ACTIONS[action].problems(params))
    for path, option in sorted(MANAGED_FIELDS.items()):
        if _field_path(params.get("extra_config") or {}, path):
            problems.append("extra_config must not set %s: use %s" % (".".join(path), option))
    return problems


def _without_none(options):
    return dict((key, value) for key, value in (options or {}).items() if value is not None)


def merge(base, extra):
    """``extra`` merged into a copy of ``base``, nested dicts merged key by key."""
    merged = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def build_body(params):
    """The bootstrap configuration object, as the documents show it, plus extra_config."""
    body = {"action": params["action"]}
    body.update(BOOTSTRAP_ACTIONS[params["action"]].body(params))
    node = {}
    paths = _without_none(params.get("node_paths"))
    identity = _without_none(params.get("node_identity"))
    if paths:
        node["paths"] = paths
    if identity:
        node["identity"] = identity
    if node:
        body["node"] = node
    body["credentials"] = {"username": params["username"], "password": params["password"]}
    if params.get("license") is not None:
        body["license"] = params["license"]
    return merge(body, params.get("extra_config") or {})


def describe(status):
    state = status["bootstrap_status"]
    if state["state"] == ERROR:
        return "state error (%s)" % (state.get("error_code") or "no error_code")
    return "state %s" % state["state"]


def _node_list(failed_nodes):
    parts = []
    for node in failed_nodes or []:
        if isinstance(node, dict):
            text = "node %s" % node.get("uid", "?")
            if node.get("rack_id"):
                text += " (rack %s)" % node["rack_id"]
            parts.append(text)
        else:
            parts.append("node %s" % node)
    return ", ".join(parts) or "none listed"


def explain_error(bootstrap_status):
    """One sentence for a bootstrap status in the error state: code, meaning, useful details."""
    code = bootstrap_status.get("error_code") or "unknown"
    details = bootstrap_status.get("error_details")
    details = details if isinstance(details, dict) else {}
    meaning = ERROR_MEANINGS.get(code, "an error code this module does not know")
    text = "error_code %s: %s" % (code, meaning)
    facts = []
    if code == "repair_required":
        facts.append("replace candidate: node %s" % details.get("replace_candidate", "not given"))
        facts.append("failed nodes: %s" % _node_list(details.get("failed_nodes")))
    if "required_memory" in details:
        facts.append("required memory: %s" % details["required_memory"])
    if "required_flash" in details:
        facts.append("required flash: %s" % details["required_flash"])
    if "current_rack_ids" in details:
        facts.append("rack ids in use: %s" % (", ".join(str(rack) for rack in details["current_rack_ids"] or []) or "none"))
    for key in sorted(details):
        if key in ("message", "replace_candidate", "failed_nodes", "required_memory", "required_flash", "current_rack_ids"):
            continue
        if not isinstance(details[key], (dict, list)):
            facts.append("%s: %s" % (key, details[key]))
    if details.get("message"):
        facts.append("server message: %s" % details["message"])
    if facts:
        text += " (%s)" % "; ".join(facts)
    return text


def validation_status(body):
    """The bootstrap status a 406 of ``/v1/bootstrap/validate`` returns, bare or wrapped."""
    if isinstance(body, dict) and isinstance(body.get("bootstrap_status"), dict):
        body = body["bootstrap_status"]
    status = dict(body) if isinstance(body, dict) else {}
    status.setdefault("state", ERROR)
    return status


def same_cluster_name(left, right):
    """DNS names compare without case and without a trailing dot."""
    return (left or "").rstrip(".").lower() == (right or "").rstrip(".").lower()


# --- the resource ------------------------------------------------------------------------------------
ARGUMENT_SPEC = dict(
    action=dict(type="str", required=True, choices=list(ACTIONS)),
    cluster_name=dict(type="str"),
    cluster_nodes=dict(type="list", elements="str"),
    license=dict(type="str", no_log=True),
    node_paths=dict(type="dict", options=dict(
        persistent_path=dict(type="str"),
        ephemeral_path=dict(type="str"),
        ccs_persistent_path=dict(type="str"),
        bigstore_path=dict(type="str"),
    )),
    node_identity=dict(type="dict", options=dict(
        addr=dict(type="str"),
        external_addr=dict(type="list", elements="str"),
        name=dict(type="str"),
        rack_id=dict(type="str"),
        uid=dict(type="int"),
    )),
    recovery_filename=dict(type="str"),
    extra_config=dict(type="dict"),
    validate_only=dict(type="bool", default=False),
)

REQUIRED_IF = [("action", action.name, (action.required,)) for action in BOOTSTRAP_ACTIONS.values()]


def node_state(status):
    return status["bootstrap_status"]["state"]


class BootstrapClient(RedisEnterpriseClient):
    """The client of ``re_bootstrap``: the license it sends is a secret, like the password."""

    def __init__(self, params, **kwargs):
        super(BootstrapClient, self).__init__(params, **kwargs)
        self.http.add_secret(params.get("license"))


@step_class
class StartBootstrap(Step):
    """``POST /v1/bootstrap/{action}``; shown once the node's bootstrap is under way or done."""

    lost_text: str = "its answer was lost: found it under way"
    action: str = None
    body: dict = None

    def send(self, api):
        api.start_bootstrap(self.action, self.body)

    def shows(self, state):
        return node_state(state) in IN_PROGRESS + (COMPLETED,)


class Bootstrap(NamesItsCluster, Resource):
    """The node's bootstrap (``GET /v1/bootstrap``): one POST from idle or error, then a wait.

    A state is the normalised ``GET /v1/bootstrap``: ``{"bootstrap_status", "local_node_info"}``.
    Once the node has completed, the cluster's name is read too (once).
    """

    client_class = BootstrapClient
    first_read_waits_for = "the node's REST API to answer"

    def __init__(self, task, api, params=None):
        super(Bootstrap, self).__init__(task, api, params)
        self.action = self.params["action"]
        self.url = self.params["url"]
        self.settling = "the bootstrap already running on %s" % self.url

    @classmethod
    def validate(cls, params):
        return validate_params(params)

    @classmethod
    def invalid_message(cls, errors):
        return "Invalid options: %s" % "; ".join(errors)

    def started_here(self):
        """Whether this task started the bootstrap (not adopted one under way)."""
        return any(not outcome.adopted for outcome in self.journal.of_type(StartBootstrap))

    # --- reading -------------------------------------------------------------------------
    def read(self):
        state = self.api.bootstrap()
        if node_state(state) == COMPLETED and not self.cluster_name_read:
            made = BOOTSTRAP_ACTIONS[self.action].cluster_made(self.params)
            if made is not None and self.started_here():
                self.know_cluster_name(made)  # the cluster this task made
            else:
                self.learn_cluster_name(self.api)
        return state

    def final(self, state):
        # A bootstrap this task did not start must have produced the cluster asked for.
        if not self.started_here():
            self.check_cluster_name(state)
        return state

    def check_cluster_name(self, state):
        """With create_cluster (or cluster_name set), a completed node's cluster must carry that name."""
        wanted = self.params.get("cluster_name")
        if not wanted or node_state(state) != COMPLETED:
            return
        # Read again when the first read could not tell: its error says why.
        actual = self.cluster_name if self.cluster_name is not None else self.api.cluster_name()
        if not same_cluster_name(actual, wanted):
            raise PlanError("The node at %s already belongs to cluster %r, not %r: remove it from that cluster "
                            "(or reinstall it) before bootstrapping it into another one" % (self.url, actual, wanted))

    # --- deciding ------------------------------------------------------------------------
    def validate_on_node(self):
        """``validate_only``: the server checks the configuration and changes nothing."""
        response = self.api.validate_bootstrap(self.action, build_body(self.params))
        if response.status == 406:
            status = validation_status(response.data)
            raise PlanError("Validation of %s on %s failed with %s" % (self.action, self.url, explain_error(status)),
                            bootstrap_status=status, error_code=status.get("error_code"),
                            error_details=status.get("error_details") or {})

    def plan(self, state):
        current = node_state(state)
        if current == COMPLETED:
            self.check_cluster_name(state)
            return Plan()
        if self.params["validate_only"]:
            self.validate_on_node()
            return Plan()
        if current not in STARTABLE:
            return Plan()  # a bootstrap is under way: wait for it, never start another
        if current == ERROR:
            self.task.warn("The previous bootstrap of this node failed with %s; starting %s again"
                           % (explain_error(state["bootstrap_status"]), self.action))
        what = "%s of the node at %s" % (self.action, self.url)
        step = StartBootstrap(text="started " + what, waiting_for=what, action=self.action, body=build_body(self.params))
        return Plan([step], after=self.started_comparable(), predicted=self.view(state))

    def ready(self, state):
        return node_state(state) not in IN_PROGRESS

    def failed(self, state):
        return node_state(state) == ERROR

    # --- showing -----------------------------------------------------------------------------
    def view(self, state):
        return dict(state, cluster_name=self.cluster_name)

    def started_comparable(self):
        """The diff's after once this task's bootstrap has completed."""
        after = {"state": COMPLETED, "action": self.action}
        for option in ("cluster_name", "cluster_nodes", "recovery_filename"):
            if self.params.get(option) is not None:
                after[option] = self.params[option]
        return after

    def comparable(self, state):
        if self.started_here() and node_state(state) == COMPLETED:
            return self.started_comparable()
        return {"state": node_state(state)}

    def describe(self, state):
        return describe(state)

    def failure_result(self, state):
        if state is None or node_state(state) != ERROR:
            return {}
        status = state["bootstrap_status"]
        return dict(error_code=status.get("error_code"), error_details=status.get("error_details") or {})

    def failure_message(self, error, what):
        if error.timed_out or error.last is None:
            return error.message
        return "%s failed with %s" % (what, explain_error(error.last["bootstrap_status"]))

    def explain(self, error, step):
        if error.status == 401:
            return ("The node at %s already belongs to a cluster that rejects user %r "
                    "(a node of another cluster, or a wrong password)" % (self.url, self.params["username"]))
        return None
