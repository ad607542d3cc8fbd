"""The webhook channel: POST each Message as signed JSON to one URL, retrying transient failures.

What a receiver gets::

    POST <url>
    Content-Type: application/json
    X-Atelier-Event: <event>
    X-Atelier-Delivery: <message key>     # stable across retries: dedupe on it
    X-Atelier-Timestamp: <unix seconds>   # when this attempt was signed
    X-Atelier-Signature: sha256=<hex>     # only when a secret is configured

    {"id", "event", "audience", "recipient", "subject", "body", "payload"}

Verifying a delivery: compute ``HMAC-SHA256(secret, f"{timestamp}.".encode() + raw_body)`` over the
raw request body exactly as received (before any JSON parsing), hex-encode it, compare it with the
part of ``X-Atelier-Signature`` after ``sha256=`` in constant time, and reject timestamps more than
a few minutes from your clock (replay protection). :func:`verify` does all of that.

A delivery succeeds on any 2xx answer. Connection errors, timeouts, 408, 429 and 5xx are retried
by the channels' retry policy (tools/notify/retry.py: exponential backoff with jitter, a 429's or
503's ``Retry-After`` seconds honoured, both capped); any other answer fails at once, since sending
the same request again cannot change it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any

import httpx

from tools.log_privacy import exception_name
from tools.notify.base import DeliveryError, Message
from tools.retry import (
    RetriesExhausted,
    RetryPolicy,
    TemporaryFailure,
    http_retry_after,
    http_status_is_temporary,
)

__all__ = ["WebhookChannel", "sign", "verify"]

logger = logging.getLogger(__name__)

DEFAULT_RETRY = RetryPolicy(attempts=4)


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Atelier-Signature`` value for ``body`` sent at ``timestamp``: ``sha256=<hex>``."""
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    timestamp: int | str,
    body: bytes,
    signature: str,
    *,
    tolerance_s: float = 300,
    now: float | None = None,
) -> bool:
    """Whether ``signature`` is valid for ``body`` at ``timestamp`` and the timestamp is fresh.

    Args:
        secret: the shared webhook secret.
        timestamp: the ``X-Atelier-Timestamp`` header (unix seconds).
        body: the raw request body, byte for byte as received.
        signature: the ``X-Atelier-Signature`` header.
        tolerance_s: how far the timestamp may be from ``now``, either way.
        now: unix seconds to check against; defaults to the current time.

    Returns:
        True only when the signature matches and the timestamp is within tolerance.
    """
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance_s:
        return False
    expected = sign(secret, sent_at, body)
    # Bytes, not str: compare_digest rejects non-ASCII str, and a forged header may contain any.
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


class WebhookChannel:
    """Deliver Messages as signed JSON POSTs to one URL (see the module docstring for the format).

    Args:
        url: the receiver's endpoint (http or https).
        secret: the HMAC key; None sends unsigned requests.
        timeout: seconds per attempt (connect, read, write each).
        retry: attempts and backoff (tools/notify/retry.py); four attempts by default.
        client: an httpx client to share; by default the channel makes and owns one.
    """

    name = "webhook"

    def __init__(
        self,
        url: str,
        secret: str | None,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        client: httpx.Client | None = None,
    ) -> None:
        parsed = httpx.URL(url)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError("webhook URL must be an absolute http(s) URL")
        self.url = url
        self.host = parsed.host  # the only part of the URL we report: paths may hold tokens
        self._secret = secret
        self._retry = retry
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client()
        self._timeout = timeout  # passed per request, so it holds for a shared client too

    def close(self) -> None:
        """Close the HTTP client if this channel created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> WebhookChannel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def deliver(self, message: Message) -> None:
        """POST ``message``; return on a 2xx answer, raise DeliveryError when retries run out."""
        body = _encode(message)
        try:
            self._retry.run(
                lambda: self._post(message, body),
                channel=self.name,
                server=self.host,
                recipient=message.recipient,
            )
        except RetriesExhausted as exc:
            raise self._failed(f"failed after {exc.attempts} attempt(s): {exc.problem}") from None

    def _post(self, message: Message, body: bytes) -> None:
        """One attempt: TemporaryFailure for what another may fix, DeliveryError otherwise."""
        try:
            response = self._client.post(
                self.url, content=body, headers=self._headers(message, body), timeout=self._timeout
            )
        except httpx.TransportError as exc:
            # The class only: a transport error's message quotes what the network stack saw.
            raise TemporaryFailure(exception_name(exc)) from exc
        if response.is_success:
            return
        status = response.status_code
        if not http_status_is_temporary(status):
            raise self._failed(f"refused: HTTP {status} (not retried)")
        retry_after = http_retry_after(status, response.headers.get("Retry-After"))
        raise TemporaryFailure(f"HTTP {status}", retry_after=retry_after)

    def _failed(self, problem: str) -> DeliveryError:
        """The error to raise, logged here: the outbox keeps only the error's class, so this
        line (host, HTTP status, transport error) is the detail. Never the URL's path (it may
        hold a token) nor the message (it holds the customer's address)."""
        text = f"webhook to {self.host} {problem}"
        logger.warning("%s", text)
        return DeliveryError(text)

    def _headers(self, message: Message, body: bytes) -> dict[str, str]:
        # Signed per attempt, so a late retry still passes the receiver's freshness check.
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Atelier-Event": message.event,
            "X-Atelier-Delivery": message.key,
            "X-Atelier-Timestamp": timestamp,
        }
        if self._secret:
            headers["X-Atelier-Signature"] = sign(self._secret, timestamp, body)
        return headers


def _encode(message: Message) -> bytes:
    document: dict[str, Any] = {
        "id": message.key,
        "event": message.event,
        "audience": message.audience,
        "recipient": message.recipient,
        "subject": message.subject,
        "body": message.body,
        "payload": message.payload,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode()
