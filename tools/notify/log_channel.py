"""The log channel: record each Message in the application log; always on, nothing to configure."""

from __future__ import annotations

import logging

from tools.log_privacy import mask_email
from tools.notify.base import Message

__all__ = ["LogChannel"]

logger = logging.getLogger(__name__)


class LogChannel:
    """Log a Message's event, audience, masked recipient and subject at INFO (never the full
    address, nor the body or payload, which may hold customer details the log does not need)."""

    name = "log"

    def deliver(self, message: Message) -> None:
        """Write one INFO record; logging cannot fail a delivery."""
        logger.info(
            "notify %s to %s <%s>: %s [%s]",
            message.event,
            message.audience,
            mask_email(message.recipient) if message.recipient else "no recipient",
            message.subject,
            message.key,
        )
