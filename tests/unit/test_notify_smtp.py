"""SmtpChannel against a real SMTP server (aiosmtpd): addressing, retries and failures."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.support.receivers import SmtpReceiver, free_port
from tools.notify.base import DeliveryError, Message
from tools.notify.log_channel import LogChannel
from tools.notify.smtp import SmtpChannel, message_id
from tools.retry import RetryPolicy

SENDER = "studio@atelier.example"

MESSAGE = Message(
    key="ord-42.design_ready.v2.customer",
    event="design_ready",
    audience="customer",
    recipient="ada@example.com",
    subject="Your design is ready",
    body="Version 2 of your mug design is ready for review. Merci ✓\n",
    payload={"order_id": "ord-42"},
)


class SleepRecorder:
    """Records the delays the channel asks for instead of waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def server() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


def channel_for(
    port: int, sleeps: SleepRecorder, *, attempts: int = 3, backoff: float = 0.01, **kwargs: object
) -> SmtpChannel:
    retry = RetryPolicy(attempts=attempts, backoff=backoff, sleep=sleeps)
    options: dict[str, object] = {"timeout": 2.0, "retry": retry}
    options.update(kwargs)
    return SmtpChannel("127.0.0.1", port, SENDER, **options)  # type: ignore[arg-type]


def test_delivers_with_addresses_subject_body_and_message_id(
    server: SmtpReceiver, sleeps: SleepRecorder
) -> None:
    channel_for(server.port, sleeps).deliver(MESSAGE)

    assert len(server.messages) == 1
    received = server.messages[0]
    assert received.mail_from == SENDER
    assert received.rcpt_tos == ["ada@example.com"]
    assert received.login is None
    email = received.message
    assert email["From"] == SENDER
    assert email["To"] == "ada@example.com"
    assert email["Subject"] == "Your design is ready"
    assert email["Message-ID"] == "<ord-42.design_ready.v2.customer@atelier>"
    assert email["X-Atelier-Event"] == "design_ready"
    assert email["Date"]
    assert email.get_content().replace("\r\n", "\n") == MESSAGE.body


def test_message_id_is_stable_per_key_and_always_well_formed() -> None:
    key = "ord-42:design ready:v2:customer"

    assert message_id(key) == message_id(key)
    assert message_id(key) != message_id("ord-42:design-ready:v2:customer")
    local = message_id(key)[1:-1].split("@")[0]
    assert ":" not in local and " " not in local
    assert message_id("").startswith("<") and message_id("").endswith("@atelier>")


def test_multi_line_subjects_are_flattened(server: SmtpReceiver, sleeps: SleepRecorder) -> None:
    message = Message("k1", "e", "operator", "ops@example.com", "Order failed\nBcc: x@evil", "b")

    channel_for(server.port, sleeps).deliver(message)

    email = server.messages[0].message
    assert email["Subject"] == "Order failed Bcc: x@evil"
    assert email["Bcc"] is None
    assert server.messages[0].rcpt_tos == ["ops@example.com"]


def test_temporary_failure_is_retried(server: SmtpReceiver, sleeps: SleepRecorder) -> None:
    server.fail_first(1, "451 4.3.0 Mailbox busy, try later")

    channel_for(server.port, sleeps, attempts=3, backoff=0.1).deliver(MESSAGE)

    assert server.attempts == 2
    assert len(server.messages) == 1
    assert len(sleeps.delays) == 1 and 0.1 <= sleeps.delays[0] <= 0.11


def test_temporary_failures_past_the_last_attempt_raise(
    server: SmtpReceiver, sleeps: SleepRecorder
) -> None:
    server.fail_first(3, "421 4.7.0 Too busy")

    with pytest.raises(DeliveryError) as failure:
        channel_for(server.port, sleeps, attempts=3).deliver(MESSAGE)

    assert server.attempts == 3
    assert server.messages == []
    assert "421" in str(failure.value)
    assert "127.0.0.1" in str(failure.value)


def test_permanent_failure_raises_at_once(server: SmtpReceiver, sleeps: SleepRecorder) -> None:
    server.fail_first(1, "550 5.1.1 No such user")

    with pytest.raises(DeliveryError) as failure:
        channel_for(server.port, sleeps).deliver(MESSAGE)

    assert server.attempts == 1
    assert sleeps.delays == []
    assert "550" in str(failure.value)


def test_no_recipient_sends_nothing(
    server: SmtpReceiver, sleeps: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="tools.notify.smtp")
    message = Message("k2", "order_failed", "operator", None, "Order failed", "details")

    channel_for(server.port, sleeps).deliver(message)

    assert server.attempts == 0
    assert "no recipient" in caplog.text


def test_unreachable_server_raises_after_retries(sleeps: SleepRecorder) -> None:
    with pytest.raises(DeliveryError) as failure:
        channel_for(free_port(), sleeps, attempts=2).deliver(MESSAGE)

    assert "ConnectionRefusedError" in str(failure.value)
    assert len(sleeps.delays) == 1


def test_logs_in_when_credentials_are_set(sleeps: SleepRecorder) -> None:
    with SmtpReceiver(credentials=("atelier", "pa55word")) as server:
        channel_for(server.port, sleeps, username="atelier", password="pa55word").deliver(MESSAGE)

    assert [m.login for m in server.messages] == ["atelier"]


def test_wrong_credentials_fail_without_leaking_the_password(
    sleeps: SleepRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with SmtpReceiver(credentials=("atelier", "pa55word")) as server:
        channel = channel_for(server.port, sleeps, username="atelier", password="wrong-pa55")
        with pytest.raises(DeliveryError) as failure:
            channel.deliver(MESSAGE)

    assert "535" in str(failure.value)
    assert sleeps.delays == []
    assert "wrong-pa55" not in str(failure.value)
    assert "wrong-pa55" not in caplog.text


def test_log_channel_records_the_message_at_info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="tools.notify.log_channel")

    LogChannel().deliver(MESSAGE)

    (record,) = caplog.records
    assert record.levelno == logging.INFO
    text = record.getMessage()
    for part in ("design_ready", "customer", "a***@example.com", "Your design is ready"):
        assert part in text
    assert MESSAGE.body not in text and "ada@" not in text  # the address is masked
