"""The one retry policy for calls to other services: which failures are retried, how long to
wait between attempts, and what each retry logs. The webhook and SMTP channels deliver through
:meth:`RetryPolicy.run`, and the Google storage backend calls Drive and Sheets through it; the
loop itself is tenacity's.

- An attempt raises :class:`TemporaryFailure` for what another attempt may fix
  (dropped connections, timeouts, HTTP 408, 429 and 5xx, SMTP 4xx); anything else it raises
  (its DeliveryError for a permanent refusal) ends the delivery at once.
- Waits grow exponentially from ``backoff`` (doubling), each with up to 10 % random jitter so
  that senders failing together do not retry in lockstep, and never exceed ``max_delay``. A
  receiver's ``Retry-After`` (HTTP 429 and 503) replaces the backoff, within the same cap.
- Each retry is logged at WARNING with the channel, its server, the recipient masked and the
  problem in our words (a status code, an exception's class): never an exception's message,
  which may quote an address or a server's reply.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from tools.log_privacy import mask_email

__all__ = [
    "MAX_DELAY_S",
    "RetriesExhausted",
    "RetryPolicy",
    "TemporaryFailure",
    "http_retry_after",
    "http_status_is_temporary",
    "smtp_code_is_temporary",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A receiver asking for a long pause must not stall the outbox worker for minutes.
MAX_DELAY_S = 30.0
_JITTER = 0.1  # of each backoff delay, at most
_TEMPORARY_HTTP = frozenset({408, 429})
_RETRY_AFTER_HTTP = frozenset({429, 503})


class TemporaryFailure(Exception):
    """One attempt failed in a way a later attempt may not.

    Args:
        problem: what went wrong, in our words (a status code, an exception's class); it is
            logged and may end up in the channel's DeliveryError, so no personal data.
        retry_after: seconds the other side asked us to wait, when it said.
    """

    def __init__(self, problem: str, *, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


class RetriesExhausted(Exception):
    """Every attempt failed temporarily; ``problem`` is the last one's."""

    def __init__(self, problem: str, attempts: int) -> None:
        super().__init__(f"{problem} after {attempts} attempt(s)")
        self.problem = problem
        self.attempts = attempts


@dataclass(frozen=True)
class RetryPolicy:
    """How a channel retries a delivery.

    Args:
        attempts: tries in total, the first included.
        backoff: the first retry's delay in seconds; it doubles on each further retry.
        max_delay: the longest wait, backoff or Retry-After alike.
        sleep: how to wait between attempts; tests pass a recorder.
    """

    attempts: int = 3
    backoff: float = 0.5
    max_delay: float = MAX_DELAY_S
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.backoff < 0 or self.max_delay < 0:
            raise ValueError("backoff and max_delay cannot be negative")

    def run(
        self,
        attempt: Callable[[], T],
        *,
        channel: str,
        server: str,
        recipient: str | None = None,
    ) -> T:
        """Call ``attempt`` until it returns, retrying while it raises TemporaryFailure.

        Args:
            attempt: one delivery attempt.
            channel, server, recipient: what the retry log lines name (the recipient masked;
                calls that deliver to nobody in particular leave it out).
        Returns:
            what the successful attempt returned.
        Raises:
            RetriesExhausted: the last attempt failed temporarily too.
            whatever else ``attempt`` raised, at once.
        """

        def log_retry(state: tenacity.RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome else None
            problem = failure.problem if isinstance(failure, TemporaryFailure) else "failure"
            to = f" to {mask_email(recipient)}" if recipient is not None else ""
            logger.warning(
                "%s via %s%s: attempt %d/%d failed (%s); retrying in %.2fs",
                channel,
                server,
                to,
                state.attempt_number,
                self.attempts,
                problem,
                state.upcoming_sleep,
            )

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(TemporaryFailure),
            sleep=self.sleep,
            before_sleep=log_retry,
            reraise=True,  # the last TemporaryFailure itself, not tenacity's RetryError
        )
        try:
            return retrying(attempt)
        except TemporaryFailure as exc:
            raise RetriesExhausted(exc.problem, self.attempts) from exc

    def _wait(self, state: tenacity.RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, TemporaryFailure) and failure.retry_after is not None:
            return min(failure.retry_after, self.max_delay)
        delay = tenacity.wait_exponential(multiplier=self.backoff, max=self.max_delay)(state)
        return min(delay + random.uniform(0, delay * _JITTER), self.max_delay)


def http_status_is_temporary(status: int) -> bool:
    """408, 429 and 5xx may pass on another try; any other answer would be the same again."""
    return status >= 500 or status in _TEMPORARY_HTTP


def http_retry_after(status: int, value: str | None) -> float | None:
    """The seconds a 429 or 503 answer's ``Retry-After`` asks for; None for other answers, an
    absent or malformed header, or an HTTP date (the backoff is used then)."""
    if status not in _RETRY_AFTER_HTTP or not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def smtp_code_is_temporary(code: int) -> bool:
    """SMTP 4xx replies are transient by definition (RFC 5321); 5xx are permanent."""
    return 400 <= code < 500
