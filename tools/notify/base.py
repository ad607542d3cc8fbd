"""The notification-channel interface: the outbox hands each channel one Message to deliver."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Message:
    """One notification as delivered. ``key`` is stable per (order, event, version, audience)."""

    key: str
    event: str
    audience: str  # "customer" or "operator"
    recipient: str | None  # an e-mail address, when known
    subject: str
    body: str
    payload: dict[str, Any] = field(default_factory=dict)


class DeliveryError(RuntimeError):
    """A channel failed to deliver after its own retries."""


class Channel(Protocol):
    name: str

    def deliver(self, message: Message) -> None:
        """Deliver or raise DeliveryError. Must be safe to call again with the same message."""
        ...
