"""Per-caller rate limits on the expensive endpoints (placing orders, running admin commands).

A sliding window per (action, caller) in this process: each API process enforces the limit on
its own, so N processes behind a balancer let a caller through up to N times as often.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable
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

    def check(self, action: str, caller: str) -> None:
        """Count one call of ``action`` by ``caller``; RateLimited (429) when over the limit,
        saying how long until the oldest call in the window leaves it."""
        limit = self.limits[action]
        now = self.clock()
        with self._lock:
            calls = self._calls.setdefault((action, caller), deque())
            while calls and calls[0] <= now - limit.window_s:
                calls.popleft()
            if len(calls) >= limit.count:
                wait = math.ceil(calls[0] + limit.window_s - now)
                raise RateLimited(
                    f"too many {action}: at most {limit.count} per {limit.unit}; "
                    f"try again in {wait} s",
                    retry_after=wait,
                )
            calls.append(now)
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
