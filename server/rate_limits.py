"""Per-caller rate limits on the expensive endpoints (placing orders, running admin commands,
signing in), and a gate on how many costly checks (Argon2) run at once.

A sliding window per (action, caller) in this process: each API process enforces the limit on
its own, so N processes behind a balancer let a caller through up to N times as often.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tools.errors import AtelierError

SWEEP_ABOVE = 10_000  # callers remembered before the stale ones are forgotten
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


class RateLimiter:
    def __init__(
        self, limits: dict[str, RateLimit], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self.clock = clock
        self._calls: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()
        self._sweep_above = SWEEP_ABOVE

    def check(self, action: str, caller: str, *, record: bool = True) -> None:
        """Count one call of ``action`` by ``caller``; RateLimited (429) when over the limit,
        saying how long until the oldest call in the window leaves it. With ``record=False``
        only refuse when the window is full, and let the caller ``record`` the calls that
        count (failed sign-ins, say)."""
        limit = self.limits[action]
        now = self.clock()
        with self._lock:
            calls = self._calls.get((action, caller), deque())
            while calls and calls[0] <= now - limit.window_s:
                calls.popleft()
            if len(calls) >= limit.count:
                wait = math.ceil(calls[0] + limit.window_s - now)
                raise RateLimited(
                    f"too many {action}: at most {limit.count} per {limit.unit}; "
                    f"try again in {wait} s",
                    retry_after=wait,
                )
            if record:
                self._record(action, caller, now)

    def record(self, action: str, caller: str) -> None:
        """Count one call of ``action`` by ``caller`` without refusing it."""
        with self._lock:
            self._record(action, caller, self.clock())

    def _record(self, action: str, caller: str, now: float) -> None:
        self._calls.setdefault((action, caller), deque()).append(now)
        if len(self._calls) > self._sweep_above:
            self._sweep(now)

    def _sweep(self, now: float) -> None:
        """Forget callers with no call left in their window: keys come from callers (sign-in
        attempts name any username), so the table must not grow without bound."""
        self._calls = {
            key: calls
            for key, calls in self._calls.items()
            if calls and calls[-1] > now - self.limits[key[0]].window_s
        }
        self._sweep_above = max(SWEEP_ABOVE, 2 * len(self._calls))


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
