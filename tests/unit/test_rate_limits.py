"""The per-caller sliding-window rate limiter, on a clock the test moves; and the gate that
lets only so many costly checks run at once, with real threads."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from server.rate_limits import (
    SWEEP_ABOVE,
    Busy,
    ConcurrencyGate,
    RateLimit,
    RateLimited,
    RateLimiter,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("spec", "count", "window"),
    [("30/minute", 30, 60), ("5 / second", 5, 1), ("100/hour", 100, 3600), ("1/day", 1, 86400)],
)
def test_rates_parse(spec: str, count: int, window: float) -> None:
    limit = RateLimit.parse(spec)
    assert (limit.count, limit.window_s) == (count, window)


@pytest.mark.parametrize("spec", ["", "30", "0/minute", "ten/minute", "5/fortnight", "-1/hour"])
def test_bad_rates_are_refused_with_an_example(spec: str) -> None:
    with pytest.raises(ValueError, match="such as 30/minute"):
        RateLimit.parse(spec)


def test_the_window_slides_and_says_when_to_come_back() -> None:
    clock = Clock()
    limiter = RateLimiter({"orders": RateLimit(2, "minute")}, clock)
    limiter.check("orders", "jane")
    clock.now += 20
    limiter.check("orders", "jane")
    clock.now += 10
    with pytest.raises(RateLimited) as refused:
        limiter.check("orders", "jane")
    assert refused.value.status_code == 429
    assert refused.value.retry_after == 30  # the first call leaves the window at +60
    assert "at most 2 per minute; try again in 30 s" in refused.value.message
    limiter.check("orders", "bob")  # others have their own window
    clock.now += 30
    limiter.check("orders", "jane")  # the first call has left the window


def test_refused_calls_do_not_count() -> None:
    clock = Clock()
    limiter = RateLimiter({"commands": RateLimit(1, "second")}, clock)
    limiter.check("commands", "ada")
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.check("commands", "ada")
    clock.now += 1
    limiter.check("commands", "ada")


def test_callers_gone_quiet_are_forgotten() -> None:
    """Sign-in attempts can name any username: the table of callers must not grow forever."""
    clock = Clock()
    limiter = RateLimiter({"sign-ins": RateLimit(3, "minute")}, clock)
    for i in range(SWEEP_ABOVE):
        limiter.check("sign-ins", f"user-{i}")
    clock.now += 61
    limiter.check("sign-ins", "late")  # one caller too many: the quiet ones are swept
    limiter.check("sign-ins", "one more")
    assert len(limiter._calls) == 2
    limiter.check("sign-ins", "late")
    limiter.check("sign-ins", "late")
    with pytest.raises(RateLimited):  # the live ones keep their counts
        limiter.check("sign-ins", "late")


def test_only_recorded_calls_count_when_checking_without_recording() -> None:
    """Sign-ins count failures only: checking leaves no trace, recording does."""
    clock = Clock()
    limiter = RateLimiter({"failures": RateLimit(2, "minute")}, clock)
    for _ in range(5):
        limiter.check("failures", "jane", record=False)
    assert limiter._calls == {}  # checks alone remember nobody
    limiter.record("failures", "jane")
    limiter.record("failures", "jane")
    with pytest.raises(RateLimited):
        limiter.check("failures", "jane", record=False)
    limiter.check("failures", "bob", record=False)
    clock.now += 60
    limiter.check("failures", "jane", record=False)


def test_the_gate_lets_no_more_than_its_limit_run_at_once() -> None:
    gate = ConcurrencyGate("checks", limit=3, wait_s=10)
    running, most = 0, 0
    lock = threading.Lock()

    def check() -> None:
        nonlocal running, most
        with gate.held():
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.05)
            with lock:
                running -= 1

    with ThreadPoolExecutor(max_workers=12) as pool:
        for done in [pool.submit(check) for _ in range(24)]:
            done.result()
    assert most == 3


def test_a_caller_that_waits_too_long_is_told_to_come_back() -> None:
    gate = ConcurrencyGate("password checks", limit=1, wait_s=0.1)
    inside, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with gate.held():
            inside.set()
            leave.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert inside.wait(5)
        started = time.monotonic()
        with pytest.raises(Busy) as refused, gate.held():
            pass
        assert 0.1 <= time.monotonic() - started < 2  # waited a little, then gave up
        assert refused.value.status_code == 503 and refused.value.retry_after >= 1
        assert "too many password checks at once" in refused.value.message
    finally:
        leave.set()
        holder.join()
    with gate.held():  # the place is free again
        pass
