"""The notification channels' one retry policy: both channels retry through it (real HTTP and SMTP
servers), and the policy itself: backoff, cap, Retry-After, permanent failures, what it logs."""

from __future__ import annotations

import logging

import pytest

from tests.support.receivers import SmtpReceiver, WebhookReceiver, free_port
from tools.notify.base import DeliveryError, Message
from tools.notify.smtp import SmtpChannel
from tools.notify.webhook import WebhookChannel
from tools.retry import (
    RetriesExhausted,
    RetryPolicy,
    TemporaryFailure,
    http_retry_after,
    http_status_is_temporary,
    smtp_code_is_temporary,
)

MESSAGE = Message(
    key="ord-42:design_ready:v1:customer",
    event="design_ready",
    audience="customer",
    recipient="ada@example.com",
    subject="Your design is ready",
    body="Version 1 is ready.",
)


class SleepRecorder:
    """Records the delays asked for instead of waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def retry_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "tools.retry"]


def test_both_channels_retry_through_the_one_policy(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    sleeps = SleepRecorder()
    policy = RetryPolicy(attempts=3, backoff=0.1, sleep=sleeps)

    with WebhookReceiver() as receiver, SmtpReceiver() as server:
        receiver.fail_first(1, status=503)
        server.fail_first(1, "451 4.3.0 Mailbox busy")
        with WebhookChannel(receiver.url, None, retry=policy) as webhook:
            webhook.deliver(MESSAGE)
        SmtpChannel("127.0.0.1", server.port, "studio@atelier.example", retry=policy).deliver(
            MESSAGE
        )

        assert len(receiver.requests) == 2 and server.attempts == 2

    # One wait per channel, both from the policy's backoff (0.1 s plus at most 10 % jitter).
    assert len(sleeps.delays) == 2 and all(0.1 <= d <= 0.11 for d in sleeps.delays)
    webhook_line, smtp_line = retry_lines(caplog)
    assert webhook_line.startswith("webhook via 127.0.0.1 to a***@example.com: attempt 1/3")
    assert "(HTTP 503)" in webhook_line
    assert smtp_line.startswith(
        f"smtp via 127.0.0.1:{server.port} to a***@example.com: attempt 1/3"
    )
    assert "(SMTP 451)" in smtp_line
    assert "ada@" not in caplog.text and "Mailbox busy" not in caplog.text


def test_network_errors_are_logged_by_class_without_their_message(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    policy = RetryPolicy(attempts=2, backoff=0.0, sleep=SleepRecorder())
    port = free_port()

    with pytest.raises(DeliveryError, match="ConnectionRefusedError"):
        SmtpChannel("127.0.0.1", port, "studio@atelier.example", retry=policy).deliver(MESSAGE)
    with (
        WebhookChannel(f"http://127.0.0.1:{port}/hook", None, retry=policy) as webhook,
        pytest.raises(DeliveryError, match="ConnectError"),
    ):
        webhook.deliver(MESSAGE)

    assert len(retry_lines(caplog)) == 2
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("tools.notify"))
    # The exceptions' messages ("[Errno 111] Connection refused") stay out of every line.
    assert "Errno" not in ours and "Connection refused" not in ours
    assert "ada@" not in ours


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    sleeps = SleepRecorder()
    calls: list[int] = []

    def always_busy() -> None:
        calls.append(1)
        raise TemporaryFailure("HTTP 503")

    policy = RetryPolicy(attempts=5, backoff=4.0, max_delay=10.0, sleep=sleeps)
    with pytest.raises(RetriesExhausted) as exhausted:
        policy.run(always_busy, channel="test", server="here", recipient=None)

    assert len(calls) == 5
    assert exhausted.value.attempts == 5 and exhausted.value.problem == "HTTP 503"
    assert str(exhausted.value) == "HTTP 503 after 5 attempt(s)"
    first, second, *capped = sleeps.delays
    assert 4.0 <= first <= 4.4 and 8.0 <= second <= 8.8
    assert capped == [10.0, 10.0]


def test_retry_after_replaces_the_backoff_within_the_cap() -> None:
    sleeps = SleepRecorder()
    answers = iter([TemporaryFailure("HTTP 429", retry_after=3.0), None])

    def attempt() -> str:
        failure = next(answers)
        if failure is not None:
            raise failure
        return "sent"

    policy = RetryPolicy(attempts=3, backoff=0.01, max_delay=2.0, sleep=sleeps)
    assert policy.run(attempt, channel="test", server="here", recipient=None) == "sent"
    assert sleeps.delays == [2.0]


def test_other_errors_end_the_delivery_at_once() -> None:
    sleeps = SleepRecorder()
    calls: list[int] = []

    def refused() -> None:
        calls.append(1)
        raise DeliveryError("refused: HTTP 404")

    with pytest.raises(DeliveryError, match="HTTP 404"):
        RetryPolicy(sleep=sleeps).run(refused, channel="test", server="here", recipient=None)
    assert calls == [1] and sleeps.delays == []


def test_a_policy_needs_an_attempt() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(attempts=0)


@pytest.mark.parametrize(
    ("status", "temporary"),
    [(408, True), (429, True), (500, True), (503, True), (400, False), (404, False), (422, False)],
)
def test_which_http_answers_are_retried(status: int, temporary: bool) -> None:
    assert http_status_is_temporary(status) is temporary


@pytest.mark.parametrize(
    ("code", "temporary"), [(421, True), (451, True), (452, True), (550, False), (554, False)]
)
def test_which_smtp_replies_are_retried(code: int, temporary: bool) -> None:
    assert smtp_code_is_temporary(code) is temporary


@pytest.mark.parametrize(
    ("status", "header", "seconds"),
    [
        (429, "7", 7.0),
        (503, " 2.5 ", 2.5),
        (503, "-3", 0.0),
        (500, "7", None),  # only 429 and 503 say when to come back
        (429, "Wed, 21 Oct 2015 07:28:00 GMT", None),
        (429, "inf", None),
        (429, None, None),
    ],
)
def test_retry_after_is_read_from_429_and_503_only(
    status: int, header: str | None, seconds: float | None
) -> None:
    assert http_retry_after(status, header) == seconds
