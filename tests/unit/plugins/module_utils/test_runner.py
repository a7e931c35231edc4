"""The runner driven through its declared contract, with a fake resource and a fake task (a
:class:`Task` on a fake clock): the ambiguous-write protocol, one deadline for waits and retries,
batches with a failing resource, failures that name what failed, and the wiring of every
module's API client."""

import importlib
import json
import pkgutil

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.redisops.platform.plugins import modules as module_package
from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError, ClientError, HttpClient
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
from ansible_collections.redisops.platform.plugins.module_utils.redis_enterprise.client import RedisEnterpriseClient
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


class FakeTask(Task):
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

    def warn(self, message):
        self.warnings.append(message)

    @staticmethod
    def error_text(error, intro=None):
        return "%s: %s" % (intro, error) if intro else str(error)

    def exit(self, **result):
        raise Exited(False, result)

    def fail(self, msg, **result):
        raise Exited(True, dict(result, msg=msg))


# Answers to a write that the API itself gave and that say it did not take it, and those that do not say so.
NOT_NOW = {
    "overloaded": ApiError("PUT", "/values/k", status=503, code="overloaded", message="try again later"),
    "slow down": ApiError("PUT", "/values/k", status=429, message="slow down", retry_after="20"),
    "asks for later": ApiError("PUT", "/values/k", status=503, message="maintenance", retry_after="120"),
    "bad gateway": ApiError("PUT", "/values/k", status=502, message="<html>502 Bad Gateway</html>"),
    "gateway timeout": ApiError("PUT", "/values/k", status=504, message="<html>504 Gateway Time-out</html>"),
    "proxy 503": ApiError("PUT", "/values/k", status=503, message="<html>503 Service Unavailable</html>"),
}


class FakeApi:
    """A server holding one value per key; ``script`` holds what the next writes meet."""

    def __init__(self, task):
        self.values = dict(task.params.get("initial", {}))
        self.busy = dict()  # key -> polls left while busy
        self.failing = set(task.params.get("failing", ()))
        self.script = list(task.params.get("script", ()))
        self.clock = task.clock
        self.sent = []
        self.reads = 0
        self.calls = []  # ("read" or "set", fake time), in order

    def set(self, key, value):
        self.sent.append((key, value))
        self.calls.append(("set", self.clock.now))
        answer = self.script.pop(0) if self.script else "ok"
        if answer == "busy":
            raise ApiError("PUT", "/values/%s" % key, status=409, message="busy")
        if answer in NOT_NOW:
            raise NOT_NOW[answer]
        if answer == "not now, done elsewhere":  # someone else's identical write was under way
            self.values[key] = value
            raise NOT_NOW["overloaded"]
        if answer == "lost before":
            raise ApiError("PUT", "/values/%s" % key, message="no answer")
        if answer == "closed before":  # the server closed the connection without answering, nothing done
            raise ApiError("PUT", "/values/%s" % key, message="closed the connection without answering", transport="connection",
                           closed=True)
        if answer == "refused":
            raise ApiError("PUT", "/values/%s" % key, status=400, message="refused")
        self.values[key] = value
        self.busy[key] = 2
        if answer == "lost after":
            raise ApiError("PUT", "/values/%s" % key, message="no answer")
        if answer == "closed after":
            raise ApiError("PUT", "/values/%s" % key, message="closed the connection without answering", transport="connection",
                           closed=True)
        if answer == "nothing":
            return NOTHING_DONE
        return "answer %s" % value

    def read(self, key):
        self.reads += 1
        self.calls.append(("read", self.clock.now))
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

    def __init__(self, task, api, params=None):
        super(Value, self).__init__(task, api, params)
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


def run(task, resource_class=Value):
    with pytest.raises(Exited) as exited:
        Runner(task, resource_class).run()
    return exited.value


def run_on_api(task, resource_class=Value):
    """What ``run`` gives, and the fake server the runner built (what was sent and read, and when)."""
    runner = Runner(task, resource_class)
    with pytest.raises(Exited) as exited:
        runner.run()
    return exited.value, runner.api


def test_a_write_is_sent_waited_for_and_reported():
    task = FakeTask(value=2, diff=True)
    outcome = run(task)
    assert not outcome.failed
    assert outcome.result["changed"] is True and outcome.result["actions"] == ["set 2"]
    assert outcome.result["value"] == dict(value=2, status="ready")
    assert outcome.result["diff"] == dict(before=dict(value=None), after=dict(value=2))
    assert task.wired == 60  # the task's deadline: wait_timeout after the start of the fake clock


def test_nothing_to_do_sends_nothing():
    task = FakeTask(value=2, initial={"k": 2})
    outcome = run(task)
    assert outcome.result["changed"] is False and outcome.result["actions"] == []


def test_check_mode_returns_the_prediction_and_sends_nothing():
    task = FakeTask(value=2, check_mode=True)
    with pytest.raises(Exited) as exited:
        runner = Runner(task, Value)
        runner.run()
    assert exited.value.result["changed"] is True and exited.value.result["value"]["status"] == "predicted"
    assert runner.api.sent == []


def test_a_lost_answer_whose_write_shows_is_not_sent_again():
    task = FakeTask(value=3, script=["lost after"])
    outcome = run(task)
    assert not outcome.failed and outcome.result["changed"] is True
    assert outcome.result["actions"] == ["set 3 (its answer was lost: found it done)"]


def test_a_lost_answer_whose_write_does_not_show_fails_without_a_second_send():
    task = FakeTask(value=3, initial={"k": 1}, script=["lost before"])
    with pytest.raises(Exited) as exited:
        runner = Runner(task, Value)
        runner.run()
    assert exited.value.failed and "read again: not done, so it was not sent again" in exited.value.result["msg"]
    assert runner.api.sent == [("k", 3)]


def test_a_write_whose_connection_closed_unanswered_is_sent_again_after_a_read_shows_it_not_done():
    # What the chaos test's seed 29 met: a bootstrap's connection closed before the node took it.
    task = FakeTask(value=3, initial={"k": 1}, script=["closed before", "closed before"])
    outcome, api = run_on_api(task)
    assert not outcome.failed and outcome.result["changed"] is True
    note = "its connection was closed without an answer and a read found it not done: sent again"
    assert outcome.result["actions"] == ["set 3 (%s)" % note]
    assert api.sent == [("k", 3)] * 3 and api.values["k"] == 3
    # Each send after the first comes after a read that found it not done.
    assert [call for call, _at in api.calls][:6] == ["read", "set", "read", "set", "read", "set"]


def test_a_write_whose_connection_closed_unanswered_and_that_shows_is_not_sent_again():
    task = FakeTask(value=3, initial={"k": 1}, script=["closed after"])
    outcome, api = run_on_api(task)
    assert not outcome.failed and outcome.result["actions"] == ["set 3 (its answer was lost: found it done)"]
    assert api.sent == [("k", 3)]


def test_a_create_of_a_unique_name_is_sent_once_more_when_a_read_finds_nothing():
    class CreateValue(SetValue):
        resend_when_absent = True

    class Created(Value):
        def plan(self, state):
            return Plan([CreateValue(text="created", key=self.key, value=1)], after=dict(value=1))

    task = FakeTask(value=1, script=["lost before"])
    with pytest.raises(Exited) as exited:
        runner = Runner(task, Created)
        runner.run()
    assert not exited.value.failed
    assert exited.value.result["actions"] == ["created (its answer was lost and a read found nothing: sent once more)"]
    assert runner.api.sent == [("k", 1), ("k", 1)]


def test_a_busy_answer_is_adopted_when_the_step_shows_and_sent_again_when_not():
    task = FakeTask(value=4, initial={"k": 1}, script=["busy"])
    with pytest.raises(Exited) as exited:
        runner = Runner(task, Value)
        runner.run()
    assert not exited.value.failed and exited.value.result["actions"] == ["set 4"]
    assert runner.api.sent == [("k", 4), ("k", 4)]  # busy, then sent again once writable


def test_a_write_the_api_answered_an_explicit_503_is_read_again_then_sent_again():
    task = FakeTask(value=4, initial={"k": 1}, script=["overloaded"])
    outcome, api = run_on_api(task)
    assert not outcome.failed and outcome.result["changed"] is True
    assert outcome.result["actions"] == ["set 4 (answered HTTP 503, not taken: sent again after a read found it not done)"]
    assert api.sent == [("k", 4), ("k", 4)]  # exactly two sends
    assert [call for call, _when in api.calls][:4] == ["read", "set", "read", "set"]  # read again before sending again


def test_a_write_refused_for_now_again_and_again_is_sent_again_at_a_slowing_pace_within_the_deadline():
    task = FakeTask(value=4, initial={"k": 1}, script=["overloaded"] * 6)
    outcome, api = run_on_api(task)
    assert not outcome.failed and len(api.sent) == 7
    times = [when for call, when in api.calls if call == "set"]
    gaps = [round(later - earlier, 3) for earlier, later in zip(times, times[1:])]
    assert gaps == sorted(gaps) and gaps[-1] > gaps[1] > 0  # never sent again at once, nor faster and faster


def test_a_write_answered_busy_again_and_again_on_a_writable_looking_resource_is_sent_again_at_a_slowing_pace():
    # A MemStore resource Running while its backup runs refuses node changes as busy: the reads show it
    # writable, so only the pace of the resends keeps the task from hammering the API.
    task = FakeTask(value=4, initial={"k": 1}, script=["busy"] * 6)
    outcome, api = run_on_api(task)
    assert not outcome.failed and len(api.sent) == 7 and outcome.result["actions"] == ["set 4"]
    times = [when for call, when in api.calls if call == "set"]
    gaps = [round(later - earlier, 3) for earlier, later in zip(times, times[1:])]
    assert gaps == sorted(gaps) and gaps[-1] > gaps[1] > 0  # never sent again at once, nor faster and faster


def test_a_retry_after_on_a_write_is_waited_before_it_is_read_and_sent_again():
    task = FakeTask(value=4, initial={"k": 1}, script=["slow down"])
    outcome, api = run_on_api(task)
    assert not outcome.failed and api.sent == [("k", 4), ("k", 4)]
    (first, _sent_at), (read, read_at), (second, second_at) = api.calls[1:4]  # after the first read
    assert (first, read, second) == ("set", "read", "set")
    assert read_at >= 20 and second_at >= 20  # the 429's Retry-After: 20 s on the fake clock


def test_a_retry_after_beyond_the_deadline_fails_at_once_without_a_second_send():
    task = FakeTask(value=4, initial={"k": 1}, script=["asks for later"], wait_timeout=60)
    outcome, api = run_on_api(task)
    assert outcome.failed and api.sent == [("k", 4)]
    assert "the API asked to be called again in 120 s (Retry-After), after the task's deadline" in outcome.result["msg"]
    assert task.clock.now < 1


def test_a_write_refused_for_now_that_shows_on_the_read_was_someone_else_s_and_is_adopted():
    task = FakeTask(value=4, initial={"k": 1}, script=["not now, done elsewhere"])
    outcome, api = run_on_api(task)
    assert not outcome.failed and outcome.result["changed"] is False
    assert outcome.result["actions"] == ["set 4 (already under way: adopted)"]
    assert api.sent == [("k", 4)]


@pytest.mark.parametrize("answer", ["bad gateway", "gateway timeout", "proxy 503"])
def test_a_gateway_error_on_a_write_is_read_again_and_never_sent_twice(answer):
    task = FakeTask(value=4, initial={"k": 1}, script=[answer])
    outcome, api = run_on_api(task)
    assert outcome.failed and "read again: not done, so it was not sent again" in outcome.result["msg"]
    assert api.sent == [("k", 4)]


@pytest.mark.parametrize("error, not_taken", [
    (ApiError("POST", "/x", status=503, code="overloaded"), True),  # the API's own error body
    (ApiError("POST", "/x", status=503, retry_after="5"), True),
    (ApiError("POST", "/x", status=429), True),  # whoever answered it, a 429 refused the request
    (ApiError("POST", "/x", status=503, message="<html>Service Unavailable</html>"), False),  # a proxy's page
    (ApiError("POST", "/x", status=502, code="bad_gateway", retry_after="5"), False),
    (ApiError("POST", "/x", status=504, code="gateway_timeout"), False),
    (ApiError("POST", "/x", message="no answer", transport="timeout"), False),
    (ApiError("POST", "/x", status=429, retry_after="7200", deadline_exceeded=True), False),  # waiting is pointless
    (ApiError("POST", "/x", status=503, code="node_not_in_cluster", permanent=True), False),  # a state, not overload
])
def test_what_counts_as_the_api_saying_it_did_not_take_a_write(error, not_taken):
    assert error.not_taken is not_taken


def test_a_state_answer_of_the_re_api_is_permanent_not_a_refusal_for_now(emulator):
    client = RedisEnterpriseClient(dict(url=emulator.node_url(1), validate_certs=True, ca_path=emulator.tls["ca"],
                                        request_timeout=5, username=None, password=None))
    with pytest.raises(ApiError) as caught:
        client.post("/v1/nodes/2/actions/maintenance_on", json_body={})  # a node not in a cluster
    assert caught.value.status == 503 and caught.value.code == "node_not_in_cluster"
    assert caught.value.permanent and not caught.value.not_taken


def test_outcomes_are_records_and_steps_immutable():
    step = SetValue(text="set 1", key="k", value=1)
    with pytest.raises(AttributeError):
        step.text = "changed"
    outcome = StepOutcome(step)
    with pytest.raises(AttributeError):
        outcome.changed = False
    assert outcome.text == "set 1" and outcome.changed is True


def test_a_failure_state_fails_with_what_was_last_seen_and_done_so_far():
    task = FakeTask(value=5, failing=["k"])
    outcome = run(task)
    assert outcome.failed
    assert outcome.result["msg"] == "set 5 failed: status failed; done so far: set 5"
    assert outcome.result["changed"] is True


def test_one_deadline_bounds_every_wait_of_the_task():
    task = FakeTask(value=5, wait_timeout=10)
    api_busy_forever = FakeApi(task)

    class Stuck(Value):
        def read(self):
            state = self.api.read(self.key)
            return dict(state, status="busy") if state else state

    with pytest.raises(Exited) as exited:
        Runner(task, Stuck).run()
    assert exited.value.failed and "timed out after 10s (wait_timeout) waiting for set 5" in exited.value.result["msg"]
    assert 10 <= task.clock.now < 11
    assert api_busy_forever.sent == []


def test_the_http_deadline_is_the_task_deadline():
    task = FakeTask(value=1, wait_timeout=30)
    runner = Runner(task, Value)
    assert task.wired == runner.waiter.deadline


@pytest.mark.parametrize("wait, check_mode", [(False, False), (True, True)])
def test_a_task_that_does_not_wait_gets_a_client_without_its_deadline(wait, check_mode):
    # No deadline: the client fails at once on an API it cannot reach, instead of retrying until wait_timeout.
    task = FakeTask(value=1, wait=wait, check_mode=check_mode, wait_timeout=30)
    task.wired = "no client built"
    Runner(task, Value)
    assert task.wired is None


def test_a_batch_reports_a_failing_resource_after_the_others_converge():
    task = FakeTask(failing=["b"], diff=True)
    items = [(Value, dict(key=key, value=value, state="present")) for key, value in (("a", 1), ("b", 2), ("c", 3))]
    with pytest.raises(Exited) as exited:
        runner = Runner(task, Value)
        runner.run_batch(items)
    result = exited.value.result
    assert exited.value.failed and result["msg"].startswith("1 of 3 resources failed: value 'b': set 2 failed")
    assert [(r["name"], r["failed"], r["changed"]) for r in result["resources"]] == [("a", False, True), ("b", True, True), ("c", False, True)]
    assert runner.api.values == {"a": 1, "b": 2, "c": 3}
    assert [d["after_header"] for d in result["diff"]] == ["value 'a'", "value 'c'"]


def test_a_batch_plan_error_fails_that_resource_only():
    task = FakeTask()
    items = [(Value, dict(key="a", value="impossible")), (Value, dict(key="b", value=7))]
    with pytest.raises(Exited) as exited:
        Runner(task, Value).run_batch(items)
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

    task = FakeTask()
    items = [(Counted, dict(key=key, value=1)) for key in "abcde"]
    with pytest.raises(Exited):
        Runner(task, Counted).run_batch(items)
    assert reads and reads[0] == 5  # one poll round reads every resource still waiting


class Unreadable(Value):
    """A value whose own reads may fail (a name of the other kind, a 403 on its members): with
    ``first_read_error`` its first read, with ``poll_errors`` its polls while it waits, one each."""

    def __init__(self, task, api, params=None):
        super(Unreadable, self).__init__(task, api, params)
        self.poll_errors = list(self.params.get("poll_errors", ()))

    def read(self):
        if self.params.get("first_read_error"):
            raise self.params["first_read_error"]
        return super(Unreadable, self).read()

    def poll(self, step=None):
        if self.poll_errors:
            raise self.poll_errors.pop(0)
        return self.read()


def run_batch(items, resource_class=Unreadable):
    task = FakeTask()
    runner = Runner(task, resource_class)
    with pytest.raises(Exited) as exited:
        runner.run_batch([(resource_class, dict(params, value=1)) for params in items])
    return exited.value, runner.api


OTHER_KIND = ClientError("'b' is a cluster with cluster mode enabled, not an instance set")
FORBIDDEN = ApiError("GET", "/values/b/members", status=403, message="forbidden")


@pytest.mark.parametrize("failing, msg", [
    (dict(first_read_error=OTHER_KIND), "value 'b': 'b' is a cluster with cluster mode enabled, not an instance set"),
    (dict(poll_errors=[FORBIDDEN]), "value 'b' (done so far: set 1): GET /values/b/members returned HTTP 403: forbidden"),
])
def test_a_read_error_of_one_resource_of_a_batch_fails_that_one_only(failing, msg):
    outcome, api = run_batch([dict(key="a"), dict(failing, key="b"), dict(key="c")])
    assert outcome.failed and outcome.result["msg"] == "1 of 3 resources failed: " + msg
    a, b, c = outcome.result["resources"]
    assert b["failed"] is True and msg.endswith(b["msg"])
    for created in (a, c):  # created, then waited for until ready
        assert (created["failed"], created["changed"], created["actions"]) == (False, True, ["set 1"])
        assert created["value"] == dict(value=1, status="ready")
    assert sorted(api.values) == (["a", "c"] if "first_read_error" in failing else ["a", "b", "c"])


def test_a_transient_read_error_of_one_resource_of_a_batch_is_polled_through():
    outage = ApiError("GET", "/values/b", status=503, message="try again")
    outcome, _api = run_batch([dict(key="a"), dict(key="b", poll_errors=[outage, outage])])
    assert not outcome.failed
    assert [entry["value"] for entry in outcome.result["resources"]] == [dict(value=1, status="ready")] * 2


def test_a_read_all_resources_of_a_batch_share_fails_them_all():
    class SharedList(Value):
        @classmethod
        def poll_all(cls, resources, steps):
            raise ApiError("GET", "/values", status=403, message="forbidden")

    outcome, _api = run_batch([dict(key="a"), dict(key="b")], SharedList)
    assert outcome.failed and outcome.result["msg"].startswith("2 of 2 resources failed")
    assert [(r["failed"], r["actions"]) for r in outcome.result["resources"]] == [(True, ["set 1"])] * 2


def test_steps_and_outcomes_take_only_their_declared_fields():
    with pytest.raises(TypeError):
        SetValue(text="set 1", colour="red")
    with pytest.raises(TypeError):
        StepOutcome(SetValue(text="set 1"), sent=True)  # every outcome was sent: not a field


class Explained(Value):
    """Puts what it was doing before an API error: the write the error answered, else a read."""

    def poll(self, step=None):
        if self.params.get("refuse_polls"):
            raise ApiError("GET", "/values/%s" % self.key, status=403, message="forbidden")
        return self.read()

    def explain(self, error, step):
        return "sending %r" % step.text if step is not None else "reading %s" % self.label


@pytest.mark.parametrize("script, intro", [
    (["refused"], "sending 'set 2'"),  # the write's own answer
    (["lost before"], "sending 'set 2'"),  # read again after a lost answer: not done, not sent twice
])
def test_an_api_error_of_a_write_names_that_write(script, intro):
    outcome = run(FakeTask(value=2, initial={"k": 1}, script=script), Explained)
    assert outcome.failed and outcome.result["msg"].startswith(intro + ": PUT /values/k")
    assert outcome.result["api_error"]["method"] == "PUT"
    assert outcome.result["changed"] is False and outcome.result["value"] == dict(value=1, status="ready")


def test_an_api_error_of_a_read_after_a_write_names_no_write():
    outcome = run(FakeTask(value=2, refuse_polls=True), Explained)
    assert outcome.failed
    assert outcome.result["msg"].startswith("reading value 'k' (done so far: set 2): GET /values/k")
    assert outcome.result["changed"] is True and outcome.result["actions"] == ["set 2"]


def test_a_batch_entry_of_a_refused_write_says_why_without_the_error_record():
    task = FakeTask(script=["ok", "refused"])
    items = [(Explained, dict(key=key, value=1)) for key in "ab"]
    with pytest.raises(Exited) as exited:
        Runner(task, Explained).run_batch(items)
    result = exited.value.result
    assert result["msg"] == "1 of 2 resources failed: value 'b': sending 'set 1': " + result["resources"][1]["msg"].split(": ", 1)[1]
    assert [(r["name"], r["failed"], r["changed"]) for r in result["resources"]] == [("a", False, True), ("b", True, False)]
    assert "api_error" not in result and "api_error" not in result["resources"][1]


def test_without_wait_the_writes_are_sent_and_a_fresh_read_reported():
    task = FakeTask(value=2, wait=False, diff=True)
    outcome = run(task)
    assert not outcome.failed and outcome.result["actions"] == ["set 2"]
    assert outcome.result["value"] == dict(value=2, status="busy")  # not waited for
    assert outcome.result["diff"] == dict(before=dict(value=None), after=dict(value=2))


def test_check_mode_in_a_batch_predicts_each_resource():
    task = FakeTask(check_mode=True, initial={"a": 1})
    items = [(Value, dict(key=key, value=1)) for key in "ab"]
    with pytest.raises(Exited) as exited:
        runner = Runner(task, Value)
        runner.run_batch(items)
    first, second = exited.value.result["resources"]
    assert (first["changed"], first["actions"], first["value"]["status"]) == (False, [], "ready")
    assert (second["changed"], second["actions"], second["value"]["status"]) == (True, ["set 1"], "predicted")
    assert runner.api.sent == []


# --- every module's client is wired to its task ---------------------------------------------------------
MINIMAL_ARGS = {
    "memstore": dict(api_url="https://memstore.invalid", auth_token="t0ken", project_id="p"),
    "re": dict(url="https://node.invalid:9443", username="admin@example.com", password="Secret-Passw0rd"),
}
MODULE_ARGS = {
    "memstore_backup": dict(name="nightly", instance_set="orders"),
    "memstore_backup_info": dict(),
    "memstore_cluster": dict(name="orders"),
    "memstore_cluster_info": dict(),
    "memstore_instance_set": dict(name="orders"),
    "memstore_instance_set_info": dict(),
    "memstore_flavor_info": dict(),
    "memstore_parameter_group": dict(name="tuned", base="default-redis-7.2.7"),
    "memstore_parameter_group_info": dict(),
    "memstore_resources": dict(instance_sets=[dict(name="orders")]),
    "re_bootstrap": dict(action="create_cluster", cluster_name="cluster.example.com"),
    "re_bootstrap_info": dict(),
    "re_certificates": dict(certificates=[dict(name="ldap_client")], state="absent"),
    "re_certificates_info": dict(),
    "re_cluster": dict(name="cluster.example.com", nodes=["https://node1.invalid:9443"]),
    "re_cluster_health": dict(),
    "re_database_recovery": dict(),
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
