"""The SMTP channel: send each Message as a plain-text e-mail, retrying temporary failures.

The ``Message-ID`` is derived from the message key, so a retried send is recognisably the same
e-mail (mail clients and many MTAs collapse duplicates on it). SMTP 4xx replies, dropped
connections and network errors are retried by the channels' retry policy (tools/notify/retry.py);
5xx replies are permanent and fail at once.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from tools.log_privacy import exception_name
from tools.notify.base import DeliveryError, Message
from tools.retry import (
    RetriesExhausted,
    RetryPolicy,
    TemporaryFailure,
    smtp_code_is_temporary,
)

__all__ = ["SmtpChannel", "message_id"]

logger = logging.getLogger(__name__)

DEFAULT_RETRY = RetryPolicy(attempts=3)
_MESSAGE_ID_DOMAIN = "atelier"
# RFC 5322 atext plus ".": what may appear left of "@" in a Message-ID without quoting.
_NOT_ATEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]")


def message_id(key: str) -> str:
    """The ``Message-ID`` for a message key: ``<key@atelier>``, made safe when the key is not.

    Characters a Message-ID may not hold become ``-``, and a short hash of the original key is
    appended so that two keys differing only in those characters keep distinct ids.
    """
    safe = _NOT_ATEXT.sub("-", key)
    safe = re.sub(r"\.{2,}", ".", safe).strip(".")
    if safe != key or not safe:
        safe = f"{safe}.{hashlib.sha256(key.encode()).hexdigest()[:12]}".lstrip(".")
    return f"<{safe}@{_MESSAGE_ID_DOMAIN}>"


class SmtpChannel:
    """Deliver Messages by SMTP to ``message.recipient``; messages without one are skipped.

    Args:
        host, port: the SMTP server (the submission port, usually 587 with ``starttls``).
        sender: the ``From`` address and envelope sender.
        username, password: log in when both are set.
        starttls: upgrade the connection with STARTTLS (certificate verified) before logging in.
        timeout: socket timeout in seconds.
        retry: attempts and backoff (tools/notify/retry.py); three attempts by default.
    """

    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout
        self._retry = retry

    def deliver(self, message: Message) -> None:
        """Send ``message`` as an e-mail; raise DeliveryError on a permanent or lasting failure."""
        if not message.recipient:
            logger.info(
                "smtp: %s for %s has no recipient; skipped", message.event, message.audience
            )
            return
        email = self._compose(message)
        try:
            self._retry.run(
                lambda: self._attempt(email),
                channel=self.name,
                server=f"{self.host}:{self.port}",
                recipient=message.recipient,
            )
        except RetriesExhausted as exc:
            raise self._failed(str(exc), permanent=False) from None

    def _attempt(self, email: EmailMessage) -> None:
        """One send: TemporaryFailure for what another may fix, DeliveryError otherwise. The
        problems name codes and exception classes only: SMTP errors quote the addresses."""
        try:
            self._send(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            problem = f"recipient refused ({', '.join(map(str, codes))})"
            if not all(smtp_code_is_temporary(code) for code in codes):
                raise self._failed(problem, permanent=True) from exc
            raise TemporaryFailure(problem) from exc
        except smtplib.SMTPResponseException as exc:
            problem = f"SMTP {exc.smtp_code}"
            if not smtp_code_is_temporary(exc.smtp_code):
                raise self._failed(problem, permanent=True) from exc
            raise TemporaryFailure(problem) from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise TemporaryFailure(exception_name(exc)) from exc
        except (smtplib.SMTPException, ssl.SSLError) as exc:
            # e.g. STARTTLS unsupported or a bad certificate: configuration, not luck.
            raise self._failed(exception_name(exc), permanent=True) from exc
        except OSError as exc:  # refused, reset, timed out, DNS: the network, worth retrying
            raise TemporaryFailure(exception_name(exc)) from exc

    def _compose(self, message: Message) -> EmailMessage:
        email = EmailMessage()
        try:
            email["From"] = self.sender
            email["To"] = message.recipient
            # Header values may not hold line breaks; a multi-line subject is flattened.
            email["Subject"] = " ".join(message.subject.split())
        except ValueError as exc:
            # The header check's message may quote the address or subject: name its class only.
            raise self._failed(
                f"cannot address this message ({exception_name(exc)})", permanent=True
            ) from None
        email["Date"] = formatdate(usegmt=True)
        email["Message-ID"] = message_id(message.key)
        email["X-Atelier-Event"] = message.event
        email.set_content(message.body)
        return email

    def _send(self, email: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self._timeout) as smtp:
            if self._starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self._username and self._password:
                smtp.login(self._username, self._password)
            smtp.send_message(email)

    def _failed(self, problem: str, *, permanent: bool) -> DeliveryError:
        """The error to raise, logged here: the outbox keeps only the error's class, so this
        line (host, port, SMTP codes and exception classes, never an address) is the detail."""
        kind = "refused" if permanent else "failed"
        text = f"smtp via {self.host}:{self.port} {kind}: {problem}"
        logger.warning("%s", text)
        return DeliveryError(text)
