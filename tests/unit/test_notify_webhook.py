"""WebhookChannel against a real HTTP server: format, signature, retries and failures."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.support.receivers import Reply, WebhookReceiver, free_port
from tools.notify.base import DeliveryError, Message
from tools.notify.webhook import WebhookChannel, sign, verify
from tools.retry import RetryPolicy

SECRET = "s3cret-webhook-key"

MESSAGE = Message(
    key="ord-42:design_ready:v2:customer",
    event="design_ready",
    audience="customer",
    recipient="ada@example.com",
    subject="Your design is ready",
    body="Version 2 of your mug design is ready for review. ✓",
    payload={"order_id": "ord-42", "version": 2},
)


class SleepRecorder:
    """Records the delays the channel asks for instead of waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


def channel_for(
    url: str, sleeps: SleepRecorder, *, attempts: int = 4, backoff: float = 0.01, **kwargs: object
) -> WebhookChannel:
    retry = RetryPolicy(attempts=attempts, backoff=backoff, sleep=sleeps)
    options: dict[str, object] = {"timeout": 2.0, "retry": retry}
    options.update(kwargs)
    return WebhookChannel(url, SECRET, **options)  # type: ignore[arg-type]


def test_posts_the_message_as_json_with_delivery_headers(
    receiver: WebhookReceiver, sleeps: SleepRecorder
) -> None:
    with channel_for(receiver.url, sleeps) as channel:
        channel.deliver(MESSAGE)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.method == "POST"
    assert request.path == "/hooks/atelier"
    assert request.json == {
        "id": MESSAGE.key,
        "event": "design_ready",
        "audience": "customer",
        "recipient": "ada@example.com",
        "subject": "Your design is ready",
        "body": MESSAGE.body,
        "payload": {"order_id": "ord-42", "version": 2},
    }
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-atelier-event"] == "design_ready"
    assert request.headers["x-atelier-delivery"] == MESSAGE.key
    assert abs(int(request.headers["x-atelier-timestamp"]) - time.time()) < 5
    assert sleeps.delays == []


def test_signature_verifies_and_rejects_forgeries(
    receiver: WebhookReceiver, sleeps: SleepRecorder
) -> None:
    with channel_for(receiver.url, sleeps) as channel:
        channel.deliver(MESSAGE)
    request = receiver.requests[0]
    timestamp = request.headers["x-atelier-timestamp"]
    signature = request.headers["x-atelier-signature"]

    assert signature.startswith("sha256=")
    assert signature == sign(SECRET, timestamp, request.body)
    assert verify(SECRET, timestamp, request.body, signature)
    assert not verify("wrong-secret", timestamp, request.body, signature)
    assert not verify(SECRET, timestamp, request.body + b" ", signature)
    assert not verify(SECRET, timestamp, request.body.replace(b"ord-42", b"ord-43"), signature)
    assert not verify(SECRET, int(timestamp) + 1, request.body, signature)
    assert not verify(SECRET, timestamp, request.body, "sha256=" + "0" * 64)
    assert not verify(SECRET, timestamp, request.body, "sha256=ünïcode")
    assert not verify(SECRET, "not-a-number", request.body, signature)


def test_verify_rejects_stale_and_future_timestamps() -> None:
    body = b'{"id":"x"}'
    sent_at = 1_700_000_000
    signature = sign(SECRET, sent_at, body)

    assert verify(SECRET, sent_at, body, signature, now=sent_at + 299)
    assert not verify(SECRET, sent_at, body, signature, now=sent_at + 301)
    assert not verify(SECRET, sent_at, body, signature, now=sent_at - 301)
    assert verify(SECRET, sent_at, body, signature, now=sent_at + 3000, tolerance_s=3600)


def test_without_a_secret_requests_are_unsigned(
    receiver: WebhookReceiver, sleeps: SleepRecorder
) -> None:
    with WebhookChannel(receiver.url, None, retry=RetryPolicy(sleep=sleeps)) as channel:
        channel.deliver(MESSAGE)

    assert "x-atelier-signature" not in receiver.requests[0].headers


def test_retries_5xx_with_exponential_backoff_then_succeeds(
    receiver: WebhookReceiver, sleeps: SleepRecorder
) -> None:
    receiver.fail_first(2, status=503)
    receiver.script(Reply(500))

    with channel_for(receiver.url, sleeps, attempts=4, backoff=0.1) as channel:
        channel.deliver(MESSAGE)

    assert len(receiver.requests) == 4
    assert {r.headers["x-atelier-delivery"] for r in receiver.requests} == {MESSAGE.key}
    assert len({r.body for r in receiver.requests}) == 1
    # 0.1, 0.2, 0.4 plus at most 10 % jitter each.
    for delay, base in zip(sleeps.delays, [0.1, 0.2, 0.4], strict=True):
        assert base <= delay <= base * 1.1


def test_gives_up_after_the_last_attempt_naming_host_and_status(
    receiver: WebhookReceiver, sleeps: SleepRecorder
) -> None:
    receiver.default = Reply(502)

    with (
        channel_for(receiver.url, sleeps, attempts=3) as channel,
        pytest.raises(DeliveryError) as failure,
    ):
        channel.deliver(MESSAGE)

    assert len(receiver.requests) == 3
    assert len(sleeps.delays) == 2
    assert "127.0.0.1" in str(failure.value)
    assert "HTTP 502" in str(failure.value)
    assert "3 attempt" in str(failure.value)


@pytest.mark.parametrize("status", [400, 401, 404, 410, 422])
def test_client_errors_fail_at_once(
    receiver: WebhookReceiver, sleeps: SleepRecorder, status: int
) -> None:
    receiver.default = Reply(status)

    with channel_for(receiver.url, sleeps) as channel, pytest.raises(DeliveryError) as failure:
        channel.deliver(MESSAGE)

    assert len(receiver.requests) == 1
    assert sleeps.delays == []
    assert f"HTTP {status}" in str(failure.value)


@pytest.mark.parametrize("status", [408, 429])
def test_request_timeout_and_too_many_requests_are_retried(
    receiver: WebhookReceiver, sleeps: SleepRecorder, status: int
) -> None:
    receiver.fail_first(1, status=status)

    with channel_for(receiver.url, sleeps) as channel:
        channel.deliver(MESSAGE)

    assert len(receiver.requests) == 2


def test_honours_retry_after_seconds(receiver: WebhookReceiver, sleeps: SleepRecorder) -> None:
    receiver.script(Reply(429, {"Retry-After": "7"}), Reply(503, {"Retry-After": "0"}))

    with channel_for(receiver.url, sleeps) as channel:
        channel.deliver(MESSAGE)

    assert len(receiver.requests) == 3
    assert sleeps.delays == [7.0, 0.0]


def test_retry_after_is_capped_and_dates_fall_back_to_backoff(
    receiver: WebhookReceiver, sleeps: SleepRecorder
) -> None:
    receiver.script(
        Reply(503, {"Retry-After": "86400"}),
        Reply(503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
    )

    with channel_for(receiver.url, sleeps, backoff=0.05) as channel:
        channel.deliver(MESSAGE)

    assert sleeps.delays[0] == 30.0
    assert 0.1 <= sleeps.delays[1] <= 0.11  # the second retry's backoff


def test_really_waits_between_attempts(receiver: WebhookReceiver) -> None:
    receiver.fail_first(1)

    with WebhookChannel(receiver.url, SECRET, retry=RetryPolicy(backoff=0.05)) as channel:
        channel.deliver(MESSAGE)

    first, second = receiver.requests
    assert second.at - first.at >= 0.05


def test_timeouts_are_retried(receiver: WebhookReceiver, sleeps: SleepRecorder) -> None:
    receiver.script(Reply(200, delay=0.5))

    with channel_for(receiver.url, sleeps, timeout=0.1) as channel:
        channel.deliver(MESSAGE)

    assert len(receiver.requests) == 2
    assert len(sleeps.delays) == 1


def test_unreachable_url_raises_delivery_error(sleeps: SleepRecorder) -> None:
    url = f"http://127.0.0.1:{free_port()}/hook"

    with channel_for(url, sleeps, attempts=3) as channel, pytest.raises(DeliveryError) as failure:
        channel.deliver(MESSAGE)

    assert "127.0.0.1" in str(failure.value)
    assert "ConnectError" in str(failure.value)
    assert len(sleeps.delays) == 2


def test_the_secret_never_reaches_errors_or_logs(
    receiver: WebhookReceiver, sleeps: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.default = Reply(503)
    caplog.set_level(logging.DEBUG)

    with channel_for(receiver.url, sleeps) as channel, pytest.raises(DeliveryError) as failure:
        channel.deliver(MESSAGE)

    assert SECRET not in str(failure.value)
    assert SECRET not in repr(channel)
    assert caplog.records, "retries should be logged"
    assert all(SECRET not in record.getMessage() for record in caplog.records)


def test_uses_a_shared_client_without_closing_it(
    receiver: WebhookReceiver, sleeps: SleepRecorder
) -> None:
    with httpx.Client() as client:
        with channel_for(receiver.url, sleeps, client=client) as channel:
            channel.deliver(MESSAGE)
        assert not client.is_closed

    assert len(receiver.requests) == 1


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "/relative/hook", "not a url"])
def test_rejects_urls_it_cannot_post_to(url: str) -> None:
    with pytest.raises(ValueError):
        WebhookChannel(url, SECRET)
