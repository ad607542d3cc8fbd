"""Per-caller rate limits on the expensive endpoints (placing orders, running admin commands,
signing in), and a gate on how many costly checks (Argon2) run at once.

The counting is the `limits` library's: in this process (its MemoryStorage) by default, or in
Redis (its RedisStorage) when the limiter is given a Redis URL, so that every API process
behind a balancer shares one count per (action, caller). Should Redis not answer, a request
is counted in this process instead, and Redis is tried again a few seconds later.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis
from limits import (
    RateLimitItem,
    RateLimitItemPerDay,
    RateLimitItemPerHour,
    RateLimitItemPerMinute,
    RateLimitItemPerSecond,
)
from limits.errors import StorageError
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis.backoff import NoBackoff
from redis.retry import Retry

from tools.errors import AtelierError

log = logging.getLogger(__name__)

SWEEP_ABOVE = 10_000  # callers remembered before the stale ones are forgotten
# A Redis that does not answer costs a request at most about this long (connect or reply, once
# retried), and is then left alone for RETRY_SHARED_AFTER_S: requests meanwhile count here.
REDIS_TIMEOUT_S = 0.25
RETRY_SHARED_AFTER_S = 5.0
REDIS_KEY_PREFIX = "atelier"  # keys: atelier:rate-limits/<action>/<caller>/<count>/1/<unit>
_ITEMS: dict[str, type[RateLimitItem]] = {
    "second": RateLimitItemPerSecond,
    "minute": RateLimitItemPerMinute,
    "hour": RateLimitItemPerHour,
    "day": RateLimitItemPerDay,
}
_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}
_SPEC = re.compile(r"\s*(\d+)\s*/\s*(second|minute|hour|day)\s*")


class RateLimited(AtelierError):
    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Busy(RateLimited):
    """The server is at its limit of some costly work: 503, try again shortly."""

    status_code = 503


@dataclass(frozen=True)
class RateLimit:
    count: int
    unit: str

    @classmethod
    def parse(cls, spec: str) -> RateLimit:
        """``"30/minute"``: 30 calls per rolling minute (units: second, minute, hour, day)."""
        match = _SPEC.fullmatch(spec)
        if match is None or int(match[1]) < 1:
            raise ValueError(f"{spec!r} is not a rate such as 30/minute")
        return cls(int(match[1]), match[2])

    @property
    def window_s(self) -> float:
        return _UNITS[self.unit]

    def item(self) -> RateLimitItem:
        """This limit as the `limits` library's item."""
        return _ITEMS[self.unit](self.count, namespace="rate-limits")


def redis_storage(url: str) -> RedisStorage:
    """`limits`' Redis storage on ``url`` that gives up quickly: short timeouts and one
    immediate retry (a dropped idle connection), instead of redis-py's default of ten retries
    with back-off, which would hold a request for seconds while Redis is away."""
    pool = redis.ConnectionPool.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_S,
        socket_timeout=REDIS_TIMEOUT_S,
        retry=Retry(NoBackoff(), retries=1),
    )
    return RedisStorage(
        url, connection_pool=pool, key_prefix=REDIS_KEY_PREFIX, wrap_exceptions=True
    )


class RateLimiter:
    """Counts calls per (action, caller) against each action's limit.

    The strategy is `limits`' moving window: it keeps each call's time and refuses a call
    when ``count`` calls fall within the last window, which is the rolling window this
    limiter always had, with the same Retry-After (when the oldest call leaves). A fixed window
    would let a caller through up to twice the limit across a window's edge. Both storages
    implement it: in Redis a list per key, trimmed to ``count`` entries, expiring after a
    window; its times are each API process's clock, so their machines' clocks should agree.

    With ``redis_url`` the count is shared through Redis, and every call Redis lets through is
    also counted here, so that when Redis stops answering this process goes on from what it
    has seen itself (a per-process limit, as without Redis) rather than from nothing.
    """

    def __init__(
        self,
        limits: dict[str, RateLimit],
        redis_url: str | None = None,
        *,
        retry_shared_after_s: float = RETRY_SHARED_AFTER_S,
    ) -> None:
        self.limits = limits
        self._items = {action: limit.item() for action, limit in limits.items()}
        self._memory = MemoryStorage()
        self._local = MovingWindowRateLimiter(self._memory)
        self._shared = MovingWindowRateLimiter(redis_storage(redis_url)) if redis_url else None
        self.retry_shared_after_s = retry_shared_after_s
        self._shared_down_until: float | None = None  # time.monotonic(); None: Redis answers
        self._lock = threading.Lock()
        self._quiet_at: dict[str, float] = {}  # memory key -> when its last call leaves
        self._sweep_above = SWEEP_ABOVE

    @property
    def shared(self) -> bool:
        """Whether calls are counted in Redis now (configured, and answering lately)."""
        return self._shared is not None and not self._shared_resting()

    def check(self, action: str, caller: str, *, record: bool = True) -> None:
        """Count one call of ``action`` by ``caller``; RateLimited (429) when over the limit,
        saying how long until the oldest call in the window leaves it. With ``record=False``
        only refuse when the window is full, and let the caller ``record`` the calls that
        count (failed sign-ins, say)."""
        limit, item = self.limits[action], self._items[action]
        if self._shared is not None and not self._shared_resting():
            try:
                if record:
                    allowed = self._shared.hit(item, action, caller)
                else:
                    allowed = self._shared.test(item, action, caller)
                wait = None if allowed else self._wait(self._shared, item, action, caller)
            except (StorageError, redis.RedisError) as exc:
                self._shared_failed(exc)
            else:
                self._shared_answered()
                if wait is not None:
                    raise self._refusal(action, limit, wait)
                if record:
                    self._count_here(item, action, caller)
                return
        if record:
            allowed = self._count_here(item, action, caller)
        else:
            allowed = self._local.test(item, action, caller)
        if not allowed:
            raise self._refusal(action, limit, self._wait(self._local, item, action, caller))

    def record(self, action: str, caller: str) -> None:
        """Count one call of ``action`` by ``caller`` without refusing it (a window already
        full stays full: it is not made longer)."""
        item = self._items[action]
        if self._shared is not None and not self._shared_resting():
            try:
                self._shared.hit(item, action, caller)
            except (StorageError, redis.RedisError) as exc:
                self._shared_failed(exc)
            else:
                self._shared_answered()
        self._count_here(item, action, caller)

    def _count_here(self, item: RateLimitItem, action: str, caller: str) -> bool:
        if not self._local.hit(item, action, caller):
            return False
        with self._lock:
            self._quiet_at[item.key_for(action, caller)] = time.time() + item.get_expiry()
            if len(self._quiet_at) > self._sweep_above:
                self._sweep()
        return True

    @staticmethod
    def _wait(
        strategy: MovingWindowRateLimiter, item: RateLimitItem, action: str, caller: str
    ) -> int:
        """Whole seconds until the oldest call in the window leaves it (at least one)."""
        stats = strategy.get_window_stats(item, action, caller)
        if stats.remaining > 0:  # a call left the window meanwhile
            return 1
        return max(1, math.ceil(stats.reset_time - time.time()))

    @staticmethod
    def _refusal(action: str, limit: RateLimit, wait: int) -> RateLimited:
        return RateLimited(
            f"too many {action}: at most {limit.count} per {limit.unit}; try again in {wait} s",
            retry_after=wait,
        )

    def _shared_resting(self) -> bool:
        down_until = self._shared_down_until
        return down_until is not None and time.monotonic() < down_until

    def _shared_failed(self, exc: Exception) -> None:
        cause = exc.storage_error if isinstance(exc, StorageError) else exc
        with self._lock:
            first = self._shared_down_until is None
            self._shared_down_until = time.monotonic() + self.retry_shared_after_s
        if first:
            log.warning(
                "rate limits: Redis does not answer (%s: %s); counting in this process "
                "until it does",
                type(cause).__name__,
                cause,
            )

    def _shared_answered(self) -> None:
        if self._shared_down_until is not None:
            with self._lock:
                self._shared_down_until = None
            log.info("rate limits: Redis answers again; counts are shared again")

    def _sweep(self) -> None:
        """Forget callers with no call left in their window: keys come from callers (sign-in
        attempts name any username), and the memory storage keeps a key once seen, so the
        table must not grow without bound."""
        now = time.time()
        for key, quiet_at in list(self._quiet_at.items()):
            if quiet_at <= now:
                self._memory.clear(key)
                del self._quiet_at[key]
        self._sweep_above = max(SWEEP_ABOVE, 2 * len(self._quiet_at))


class ConcurrencyGate:
    """At most ``limit`` holders at once. A caller beyond them waits up to ``wait_s`` for a
    place, then is refused with Busy (503, Retry-After) instead of piling up: each holder may
    hold much memory (an Argon2 check takes 64 MiB), waiting callers hold none."""

    def __init__(self, what: str, limit: int, wait_s: float) -> None:
        self.what = what
        self.limit = limit
        self.wait_s = wait_s
        self._places = threading.BoundedSemaphore(limit)

    @contextmanager
    def held(self) -> Iterator[None]:
        if not self._places.acquire(timeout=self.wait_s):
            raise Busy(
                f"too many {self.what} at once (at most {self.limit}); try again in a second",
                retry_after=1,
            )
        try:
            yield
        finally:
            self._places.release()
