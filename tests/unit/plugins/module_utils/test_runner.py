"""The runner driven directly with a fake resource and a fake clock: the ambiguous-write
protocol, one deadline for waits and retries, batches with a failing resource, and the
wiring of every module's API client."""

import importlib
import json
import pkgutil

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.redisops.platform.plugins import modules as module_package
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, HttpClient
from ansible_collections.redisops.platform.plugins.module_utils._module import RedisOpsModule
from ansible_collections.redisops.platform.plugins.module_utils._resource import (
    NOTHING_DONE,
    Plan,
    PlanError,
    Resource,
    Runner,
    Step,
    StepOutcome,
    step_class,
)
from ansible_collections.redisops.platform.plugins.module_utils._task import Task
from ansible_collections.redisops.platform.plugins.module_utils._wait import Waiter


class Exited(Exception):
    def __init__(self, failed, result):
        super(Exited, self).__init__(result.get("msg"))
        self.failed = failed
        self.result = result


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class FakeModule(Task):
    """The task protocol the runner drives: params, check mode, a waiter on a fake clock, clients."""

    def __init__(self, check_mode=False, diff=False, **params):
        self.params = dict(dict(wait=True, wait_timeout=60), **params)
        self.check_mode = check_mode
        self.diff = diff
        self.clock = FakeClock()
        self.warnings = []
        self.wired = None

    def waiter(self):
        return Waiter(self.params["wait_timeout"], check_mode=self.check_mode, clock=self.clock, sleep=self.clock.sleep)

    def client(self, client_class, deadline=None):
        self.wired = deadline
        return client_class(self)

    def warn(self, text):
        self.warnings.append(text)

    @staticmethod
    def error_text(error, intro=None):
        return "%s: %s" % (intro, error) if intro else str(error)

    def exit(self, **result):
        raise Exited(False, result)

    def fail(self, msg, **result):
        raise Exited(True, dict(result, msg=msg))


class FakeApi:
    """A server holding one value per key; ``script`` holds what the next writes meet."""

    def __init__(self, module):
        self.module = module
        self.values = dict(module.params.get("initial", {}))
        self.busy = dict()  # key -> polls left while busy
        self.failing = set(module.params.get("failing", ()))
        self.script = list(module.params.get("script", ()))
        self.sent = []
        self.reads = 0

    def set(self, key, value):
        self.sent.append((key, value))
        answer = self.script.pop(0) if self.script else "ok"
        if answer == "busy":
            raise ApiError("PUT", "/values/%s" % key, status=409, message="busy")
        if answer == "lost before":
            raise ApiError("PUT", "/values/%s" % key, message="no answer")
        self.values[key] = value
        self.busy[key] = 2
        if answer == "lost after":
            raise ApiError("PUT", "/values/%s" % key, message="no answer")
        if answer == "nothing":
            return NOTHING_DONE
        return "answer %s" % value

    def read(self, key):
        self.reads += 1
        if key not in self.values:
            return None
        busy = self.busy.get(key, 0)
        if busy:
            self.busy[key] = busy - 1
        status = "failed" if key in self.failing and not busy else ("busy" if busy else "ready")
        return dict(value=self.values[key], status=status)


@step_class
class SetValue(Step):
    key: str = None
    value: object = None

    def send(self, api):
        return api.set(self.key, self.value)

    def shows(self, state):
        return state is not None and state["value"] == self.value


class Value(Resource):
    """A resource that is one value on the fake server."""

    client_class = FakeApi

    def __init__(self, module, api, params=None):
        super(Value, self).__init__(module, api, params)
        self.key = self.params.get("key", "k")
        self.label = "value %r" % self.key

    def read(self):
        return self.api.read(self.key)

    def plan(self, state):
        wanted = self.params["value"]
        if wanted == "impossible":
            raise PlanError("value: impossible is not allowed here")
        if state is not None and state["value"] == wanted:
            return Plan()
        step = SetValue(text="set %s" % wanted, key=self.key, value=wanted)
        return Plan([step], after=dict(value=wanted), predicted=dict(value=dict(value=wanted, status="predicted")))

    def ready(self, state):
        return state is None or state["status"] != "busy"

    def failed(self, state):
        return state is not None and state["status"] == "failed"

    def view(self, state):
        return dict(value=state)

    def comparable(self, state):
        return dict(value=(state or {}).get("value"))

    def describe(self, state):
        return "status %s" % (state or {}).get("status")

    def batch_entry(self, view):
        return dict(name=self.key)


def run(module):
    with pytest.raises(Exited) as exited:
        Runner(module, Value).run()
    return exited.value


def test_a_write_is_sent_waited_for_and_reported():
    module = FakeModule(value=2, diff=True)
    outcome = run(module)
    assert not outcome.failed
    assert outcome.result["changed"] is True and outcome.result["actions"] == ["set 2"]
    assert outcome.result["value"] == dict(value=2, status="ready")
    assert outcome.result["diff"] == dict(before=dict(value=None), after=dict(value=2))
    assert module.wired == 60  # the task's deadline: wait_timeout after the start of the fake clock


def test_nothing_to_do_sends_nothing():
    module = FakeModule(value=2, initial={"k": 2})
    outcome = run(module)
    assert outcome.result["changed"] is False and outcome.result["actions"] == []


def test_check_mode_returns_the_prediction_and_sends_nothing():
    module = FakeModule(value=2, check_mode=True)
    with pytest.raises(Exited) as exited:
        runner = Runner(module, Value)
        runner.run()
    assert exited.value.result["changed"] is True and exited.value.result["value"]["status"] == "predicted"
    assert runner.api.sent == []


def test_a_lost_answer_whose_write_shows_is_not_sent_again():
    module = FakeModule(value=3, script=["lost after"])
    outcome = run(module)
    assert not outcome.failed and outcome.result["changed"] is True
    assert outcome.result["actions"] == ["set 3 (its answer was lost: found it done)"]


def test_a_lost_answer_whose_write_does_not_show_fails_without_a_second_send():
    module = FakeModule(value=3, initial={"k": 1}, script=["lost before"])
    with pytest.raises(Exited) as exited:
        runner = Runner(module, Value)
        runner.run()
    assert exited.value.failed and "read again: not done, so it was not sent again" in exited.value.result["msg"]
    assert runner.api.sent == [("k", 3)]


def test_a_create_of_a_unique_name_is_sent_once_more_when_a_read_finds_nothing():
    class CreateValue(SetValue):
        resend_when_absent = True

    class Created(Value):
        def plan(self, state):
            return Plan([CreateValue(text="created", key=self.key, value=1)], after=dict(value=1))

    module = FakeModule(value=1, script=["lost before"])
    with pytest.raises(Exited) as exited:
        runner = Runner(module, Created)
        runner.run()
    assert not exited.value.failed
    assert exited.value.result["actions"] == ["created (its answer was lost and a read found nothing: sent once more)"]
    assert runner.api.sent == [("k", 1), ("k", 1)]


def test_a_busy_answer_is_adopted_when_the_step_shows_and_sent_again_when_not():
    module = FakeModule(value=4, initial={"k": 1}, script=["busy"])
    with pytest.raises(Exited) as exited:
        runner = Runner(module, Value)
        runner.run()
    assert not exited.value.failed and exited.value.result["actions"] == ["set 4"]
    assert runner.api.sent == [("k", 4), ("k", 4)]  # busy, then sent again once writable


def test_outcomes_are_records_and_steps_immutable():
    step = SetValue(text="set 1", key="k", value=1)
    with pytest.raises(AttributeError):
        step.text = "changed"
    outcome = StepOutcome(step)
    with pytest.raises(AttributeError):
        outcome.changed = False
    assert outcome.text == "set 1" and outcome.changed is True


def test_a_failure_state_fails_with_what_was_last_seen_and_done_so_far():
    module = FakeModule(value=5, failing=["k"])
    outcome = run(module)
    assert outcome.failed
    assert outcome.result["msg"] == "set 5 failed: status failed; done so far: set 5"
    assert outcome.result["changed"] is True


def test_one_deadline_bounds_every_wait_of_the_task():
    module = FakeModule(value=5, wait_timeout=10)
    api_busy_forever = FakeApi(module)

    class Stuck(Value):
        def read(self):
            state = self.api.read(self.key)
            return dict(state, status="busy") if state else state

    with pytest.raises(Exited) as exited:
        Runner(module, Stuck).run()
    assert exited.value.failed and "timed out after 10s (wait_timeout) waiting for set 5" in exited.value.result["msg"]
    assert 10 <= module.clock.now < 11
    assert api_busy_forever.sent == []


def test_the_http_deadline_is_the_task_deadline():
    module = FakeModule(value=1, wait_timeout=30)
    runner = Runner(module, Value)
    assert module.wired == runner.waiter.deadline


def test_a_batch_reports_a_failing_resource_after_the_others_converge():
    module = FakeModule(failing=["b"], diff=True)
    items = [(Value, dict(key=key, value=value, state="present")) for key, value in (("a", 1), ("b", 2), ("c", 3))]
    with pytest.raises(Exited) as exited:
        runner = Runner(module, Value)
        runner.run_batch(items)
    result = exited.value.result
    assert exited.value.failed and result["msg"].startswith("1 of 3 resources failed: value 'b': set 2 failed")
    assert [(r["name"], r["failed"], r["changed"]) for r in result["resources"]] == [("a", False, True), ("b", True, True), ("c", False, True)]
    assert runner.api.values == {"a": 1, "b": 2, "c": 3}
    assert [d["after_header"] for d in result["diff"]] == ["value 'a'", "value 'c'"]


def test_a_batch_plan_error_fails_that_resource_only():
    module = FakeModule()
    items = [(Value, dict(key="a", value="impossible")), (Value, dict(key="b", value=7))]
    with pytest.raises(Exited) as exited:
        Runner(module, Value).run_batch(items)
    first, second = exited.value.result["resources"]
    assert first["failed"] and first["msg"] == "value: impossible is not allowed here"
    assert not second["failed"] and second["value"]["value"] == 7


def test_a_batch_polls_all_resources_together():
    reads = []

    class Counted(Value):
        @classmethod
        def poll_all(cls, resources, steps):
            reads.append(len(resources))
            return [resource.read() for resource in resources]

    module = FakeModule()
    items = [(Counted, dict(key=key, value=1)) for key in "abcde"]
    with pytest.raises(Exited):
        Runner(module, Counted).run_batch(items)
    assert reads and reads[0] == 5  # one poll round reads every resource still waiting


# --- every module's client is wired to its task ---------------------------------------------------------
MINIMAL_ARGS = {
    "memstore": dict(api_url="https://memstore.invalid", auth_token="t0ken", project_id="p"),
    "re": dict(url="https://node.invalid:9443", username="admin@example.com", password="Secret-Passw0rd"),
}
MODULE_ARGS = {
    "memstore_cluster": dict(name="orders"),
    "memstore_cluster_info": dict(),
    "memstore_instance_set": dict(name="orders"),
    "memstore_instance_set_info": dict(),
    "memstore_resources": dict(instance_sets=[dict(name="orders")]),
    "re_bootstrap": dict(action="create_cluster", cluster_name="cluster.example.com"),
    "re_bootstrap_info": dict(),
    "re_certificates": dict(certificates=[dict(name="ldap_client")], state="absent"),
    "re_certificates_info": dict(),
    "re_cluster_health": dict(),
    "re_node_action": dict(node_uid=2, action="maintenance_on"),
    "re_node_action_info": dict(),
    "re_node_info": dict(),
}


def every_module():
    return sorted(info.name for info in pkgutil.iter_modules(module_package.__path__))


def test_every_module_is_listed():
    assert every_module() == sorted(MODULE_ARGS)


@pytest.mark.parametrize("name", sorted(MODULE_ARGS))
def test_every_module_wires_its_client_to_the_task(name, monkeypatch, capsys):
    seen = []

    def first_request(http, method, path, **_kwargs):
        seen.append((http.on_retry, http.deadline))
        raise ApiError(method, path, status=418, message="stop here")

    monkeypatch.setattr(HttpClient, "request", first_request)
    module = importlib.import_module("ansible_collections.redisops.platform.plugins.modules.%s" % name)
    args = dict(MINIMAL_ARGS["memstore" if name.startswith("memstore") else "re"], **MODULE_ARGS[name])
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    result = json.loads(capsys.readouterr().out)
    assert seen, result
    on_retry, deadline = seen[0]
    assert on_retry is not None and getattr(on_retry, "__func__", None) is RedisOpsModule.warn, name
    # A module that waits: every request within its wait_timeout; one that does not: within a request's budget.
    assert deadline is not None, "%s: its requests' retries are not bounded by a task deadline" % name
