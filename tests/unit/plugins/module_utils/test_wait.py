"""The waiter with a fake clock: no real sleeps."""

from itertools import accumulate

import pytest

from ansible_collections.redisops.platform.plugins.module_utils._http import ApiError
from ansible_collections.redisops.platform.plugins.module_utils._wait import (
    DONE,
    FAILED,
    MIN_GAP,
    NOTICE_MARGIN,
    ProgressRate,
    Waiter,
    WaitError,
)


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def waiter(clock, timeout=60, check_mode=False):
    return Waiter(timeout, check_mode=check_mode, clock=clock, sleep=clock.sleep)


def classify(status):
    return {"Running": DONE, "Failed": FAILED}.get(status)  # anything else: still waiting


def sequence(*values):
    values = list(values)

    def fetch():
        value = values.pop(0) if len(values) > 1 else values[0]
        if isinstance(value, Exception):
            raise value
        return value

    return fetch


def test_done_returns_value_and_duration():
    clock = FakeClock()
    result = waiter(clock).until(sequence("Creating", "Creating", "Running"), classify)
    assert result.value == "Running"
    assert result.polls == 3
    assert result.duration == pytest.approx(sum(clock.sleeps))


def test_failure_state_raises_with_last_value():
    clock = FakeClock()
    with pytest.raises(WaitError) as caught:
        waiter(clock).until(sequence("Creating", "Failed"), classify, describe=lambda s: "status %s" % s, what="creating set1")
    assert caught.value.message == "creating set1 failed: status Failed"
    assert caught.value.last == "Failed" and not caught.value.timed_out


def test_timeout_names_the_last_state_seen():
    clock = FakeClock()
    with pytest.raises(WaitError) as caught:
        waiter(clock, timeout=30).until(sequence("Scaling(horizontal)"), classify, describe=lambda s: "status %s" % s,
                                        what="scaling set1")
    error = caught.value
    assert error.timed_out
    assert "timed out after 30s (wait_timeout) waiting for scaling set1 (last seen: status Scaling(horizontal))" == error.message
    assert clock.now - 1000.0 == pytest.approx(30)  # never sleeps past the deadline


def test_transient_errors_are_tolerated():
    clock = FakeClock()
    outage = ApiError("GET", "/v1/x", status=503, message="busy")
    refused = ApiError("GET", "/v1/x", message="connection refused", transport="connection")
    result = waiter(clock).until(sequence(outage, refused, "Creating", "Running"), classify)
    assert result.value == "Running"


def test_waits_of_one_waiter_share_its_deadline():
    clock = FakeClock()
    task_waiter = waiter(clock, timeout=30)
    clock.now += 20  # the task spent 20 s before (or in) an earlier wait
    with pytest.raises(WaitError) as caught:
        task_waiter.until(sequence("Creating"), classify, describe=str, what="the second step")
    assert clock.now - 1000.0 == pytest.approx(30)  # only the 10 s left were waited
    assert caught.value.duration == pytest.approx(10)
    assert caught.value.message.startswith("timed out after 30s (wait_timeout) waiting for the second step")


def test_timeout_during_an_outage_names_the_last_error():
    clock = FakeClock()
    outage = ApiError("GET", "/v1/x", status=503, message="busy")
    with pytest.raises(WaitError) as caught:
        waiter(clock, timeout=10).until(sequence("Creating", outage), classify, describe=str)
    assert "last seen: Creating" in caught.value.message
    assert "GET /v1/x returned HTTP 503: busy" in caught.value.message


def test_other_errors_propagate_at_once():
    clock = FakeClock()
    forbidden = ApiError("GET", "/v1/x", status=403, message="no")
    with pytest.raises(ApiError):
        waiter(clock).until(sequence(forbidden), classify)
    assert clock.sleeps == []


def test_polls_start_fast_and_back_off_to_the_cap():
    clock = FakeClock()
    with pytest.raises(WaitError):
        waiter(clock, timeout=3600).until(sequence("Creating"), classify)
    assert clock.sleeps[:4] == [0.1, 0.2, 0.4, 0.6]
    waited = 0.0
    for delay in clock.sleeps:
        # A finished operation is noticed, and its task returns, within 1 s or 10% of the wait:
        # the gap leaves NOTICE_MARGIN for the task to return.
        assert delay <= max(MIN_GAP, max(1.0, waited / 10.0) - NOTICE_MARGIN) + 1e-9
        waited += delay
    assert max(clock.sleeps) == 30.0
    # Fewer polls than a 5-second loop for a wait of 5 minutes or more.
    polls_in_600 = len([1 for total in accumulate(clock.sleeps) if total <= 600])
    assert polls_in_600 < 600 / 5


def progressing(clock, start, seconds_per_percent, done_at):
    """An operation whose progress grows linearly from ``start``; Running at ``done_at``."""
    def fetch():
        if clock.now >= done_at:
            return ("Running", 100)
        return ("Creating", max(0, int((clock.now - start) / seconds_per_percent)))

    return fetch


def by_status(value):
    return classify(value[0])


def test_progress_lets_a_long_operation_be_polled_less_and_noticed_no_later():
    plain, informed = FakeClock(), FakeClock()
    # 1% per 3 s, started with the wait: over at 300 s.
    ends = {}
    for clock, progress in ((plain, None), (informed, lambda value: value[1] / 100.0)):
        start = clock.now
        result = waiter(clock, timeout=3600).until(progressing(clock, start, 3.0, start + 300), by_status, progress=progress)
        ends[id(clock)] = (result.polls, clock.now - (start + 300))
    plain_polls, plain_late = ends[id(plain)]
    informed_polls, informed_late = ends[id(informed)]
    assert informed_polls < plain_polls / 2
    assert informed_late <= plain_late


def test_a_sleep_longer_than_the_usual_gap_never_sleeps_past_the_end():
    clock = FakeClock()
    start = clock.now
    waiter(clock, timeout=3600).until(progressing(clock, start, 1.0, start + 100), by_status, progress=lambda value: value[1] / 100.0)
    elapsed = 0.0
    longer = 0
    for delay in clock.sleeps:
        usual = max(MIN_GAP, max(1.0, elapsed / 10.0) - NOTICE_MARGIN)
        if delay > usual + 1e-9:
            longer += 1
            assert elapsed + delay <= 100  # woke before the operation ended
        elapsed += delay
    assert longer > 0


def test_progress_without_movement_gives_no_estimate():
    clock = FakeClock()
    rate = ProgressRate(clock)
    for share in (None, 0, 0.2):
        rate.observe(share)
        clock.now += 5
    assert rate.time_left() is None  # moved once only: no speed yet
    rate.observe(0.1)  # moved back: ignored
    assert rate.time_left() is None
    rate.observe(0.4)  # 0.2 in the 5 s since the first reading above zero: 0.6 left takes 15 s
    assert rate.time_left() == pytest.approx(15.0)
    clock.now += 10
    assert rate.time_left() == pytest.approx(5.0)


def test_check_mode_polls_nothing():
    def fetch():
        raise AssertionError("polled in check mode")

    result = waiter(FakeClock(), check_mode=True).until(fetch, classify)
    assert result.value is None and result.duration == 0.0
