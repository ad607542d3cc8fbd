"""The per-caller moving-window rate limiter, counting in this process and in a real Redis
(a server of the test's own) shared by several limiters as by several API processes, and
what it does when that Redis stops answering; and the gate that lets only so many costly
checks run at once, with real threads. Windows are real time: a second, or a minute where only
the answer's wording matters."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from server.rate_limits import (
    SWEEP_ABOVE,
    Busy,
    ConcurrencyGate,
    RateLimit,
    RateLimited,
    RateLimiter,
)
from tests.support.redis_server import RedisServer

MakeLimiter = Callable[[dict[str, RateLimit]], RateLimiter]


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(params=["memory", "redis"])
def make_limiter(request: pytest.FixtureRequest) -> MakeLimiter:
    """Limiters counting in this process, or in an emptied Redis."""
    if request.param == "memory":
        return RateLimiter
    server: RedisServer = request.getfixturevalue("redis_server")
    redis.Redis.from_url(server.url).flushdb()
    return lambda limits: RateLimiter(limits, redis_url=server.url)


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


def test_the_window_slides_and_says_when_to_come_back(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter({"orders": RateLimit(2, "second")})
    started = time.monotonic()
    limiter.check("orders", "jane")
    time.sleep(0.4)
    limiter.check("orders", "jane")
    with pytest.raises(RateLimited) as refused:
        limiter.check("orders", "jane")
    assert refused.value.status_code == 429
    assert refused.value.retry_after == 1  # the first call leaves the window in 0.6 s
    assert refused.value.message == "too many orders: at most 2 per second; try again in 1 s"
    limiter.check("orders", "bob")  # others have their own window
    time.sleep(max(0.0, started + 1.1 - time.monotonic()))
    limiter.check("orders", "jane")  # the first call has left the window...
    with pytest.raises(RateLimited):  # ...the second has not (a moving window, not a fixed one)
        limiter.check("orders", "jane")


def test_a_refusal_says_when_the_oldest_call_leaves(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter({"commands": RateLimit(2, "minute")})
    limiter.check("commands", "ada")
    limiter.check("commands", "ada")
    with pytest.raises(RateLimited) as refused:
        limiter.check("commands", "ada")
    assert refused.value.retry_after == 60
    assert "at most 2 per minute; try again in 60 s" in refused.value.message


def test_refused_calls_do_not_count(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter({"commands": RateLimit(1, "second")})
    limiter.check("commands", "ada")
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.check("commands", "ada")
    time.sleep(1.05)
    limiter.check("commands", "ada")


def test_only_recorded_calls_count_when_checking_without_recording(
    make_limiter: MakeLimiter,
) -> None:
    """Sign-ins count failures only: checking leaves no trace, recording does."""
    limiter = make_limiter({"failures": RateLimit(2, "second")})
    for _ in range(5):
        limiter.check("failures", "jane", record=False)
    limiter.record("failures", "jane")
    limiter.record("failures", "jane")
    with pytest.raises(RateLimited):
        limiter.check("failures", "jane", record=False)
    limiter.check("failures", "bob", record=False)
    time.sleep(1.05)
    limiter.check("failures", "jane", record=False)


def test_processes_on_one_redis_share_their_counts(redis_server: RedisServer) -> None:
    redis.Redis.from_url(redis_server.url).flushdb()
    limits = {"orders": RateLimit(3, "minute"), "commands": RateLimit(1, "minute")}
    one, two = (RateLimiter(limits, redis_url=redis_server.url) for _ in range(2))
    for limiter in (one, two, one):
        limiter.check("orders", "jane")
    for limiter in (two, one):
        with pytest.raises(RateLimited, match="at most 3 per minute"):
            limiter.check("orders", "jane")
    two.check("orders", "bob")  # a caller of his own
    two.check("commands", "jane")  # an action of its own
    assert one.shared and two.shared


def test_processes_without_redis_count_on_their_own() -> None:
    limits = {"orders": RateLimit(3, "minute")}
    one, two = RateLimiter(limits), RateLimiter(limits)
    for _ in range(3):
        one.check("orders", "jane")
    with pytest.raises(RateLimited):
        one.check("orders", "jane")
    two.check("orders", "jane")
    assert not one.shared


def test_without_redis_a_process_counts_what_it_saw_and_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Redis stops: requests are neither failed nor held, they are counted in this process,
    which has counted every call it let through all along; Redis back, counts are shared
    again."""
    caplog.set_level(logging.INFO, logger="server.rate_limits")
    with RedisServer(tmp_path / "redis") as server:
        limiter = RateLimiter(
            {"orders": RateLimit(2, "minute")}, redis_url=server.url, retry_shared_after_s=0.3
        )
        limiter.check("orders", "jane")
        limiter.check("orders", "jane")
        server.stop()
        started = time.monotonic()
        with pytest.raises(RateLimited, match="at most 2 per minute") as refused:
            limiter.check("orders", "jane")  # what this process saw of jane is enough
        assert 55 <= refused.value.retry_after <= 60
        limiter.check("orders", "bob")
        limiter.check("orders", "bob")
        with pytest.raises(RateLimited):
            limiter.check("orders", "bob")
        assert time.monotonic() - started < 2
        assert not limiter.shared
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1, warnings  # once per outage, not once per request
        assert "Redis does not answer" in warnings[0].getMessage()
        assert "counting in this process" in warnings[0].getMessage()

        server.start()  # on the same port, empty
        time.sleep(0.4)
        limiter.check("orders", "ada")
        assert limiter.shared
        assert redis.Redis.from_url(server.url).keys("atelier:rate-limits/orders/ada/*")
        assert "Redis answers again" in caplog.records[-1].getMessage()


def test_a_redis_that_never_answers_holds_a_request_briefly(tmp_path: Path) -> None:
    """A Redis that accepts connections but never replies (hung, or a black hole) costs the
    first request its short timeouts, and the requests after it nothing while it rests."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # the kernel accepts; nobody ever reads or writes
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        limiter = RateLimiter({"orders": RateLimit(1, "minute")}, redis_url=url)
        started = time.monotonic()
        limiter.check("orders", "jane")
        assert time.monotonic() - started < 2
        started = time.monotonic()
        with pytest.raises(RateLimited):
            limiter.check("orders", "jane")
        assert time.monotonic() - started < 0.1
        assert not limiter.shared


def test_callers_gone_quiet_are_forgotten() -> None:
    """Sign-in attempts can name any username: the table of callers must not grow forever
    (the library's memory storage keeps every key it has seen; the limiter clears them)."""
    limiter = RateLimiter({"sign-ins": RateLimit(3, "second")})
    for i in range(SWEEP_ABOVE):
        limiter.check("sign-ins", f"user-{i}")
    time.sleep(1.1)
    limiter.check("sign-ins", "late")  # one caller too many: the quiet ones are swept
    limiter.check("sign-ins", "one more")
    assert len(limiter._quiet_at) == 2
    assert len(limiter._memory.events) == 2
    limiter.check("sign-ins", "late")
    limiter.check("sign-ins", "late")
    with pytest.raises(RateLimited):  # the live ones keep their counts
        limiter.check("sign-ins", "late")


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
