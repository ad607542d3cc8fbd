"""Build the backends the settings ask for."""

from __future__ import annotations

from persistence.database import Database
from settings import Settings
from tools.context import Backends
from tools.design.factory import make_design_engine
from tools.notify.base import Channel
from tools.notify.log_channel import LogChannel
from tools.notify.smtp import SmtpChannel
from tools.notify.webhook import WebhookChannel
from tools.storage.base import Storage
from tools.storage.local import LocalDrive
from tools.tracing import Tracing


def make_storage(settings: Settings) -> Storage:
    if settings.storage == "google":
        raise NotImplementedError(
            "ATELIER_STORAGE=google is not available yet; use the local drive (the default)"
        )
    return LocalDrive(settings.drive_root)


def make_channels(settings: Settings) -> tuple[Channel, ...]:
    """The log channel always, plus webhook and SMTP when configured."""
    channels: list[Channel] = [LogChannel()]
    if settings.webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        channels.append(WebhookChannel(settings.webhook_url, secret))
    if settings.smtp_host:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        channels.append(
            SmtpChannel(
                settings.smtp_host,
                settings.smtp_port,
                settings.mail_from,
                username=settings.smtp_username,
                password=password,
                starttls=settings.smtp_starttls,
            )
        )
    return tuple(channels)


def make_backends(settings: Settings, db: Database) -> Backends:
    return Backends(
        settings=settings,
        db=db,
        storage=make_storage(settings),
        design_engine=make_design_engine(settings),
        channels=make_channels(settings),
        tracing=Tracing.from_environment(settings.environment),
    )
