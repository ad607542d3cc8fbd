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
from tools.storage.google import GoogleDrive
from tools.storage.google_api import GoogleApis, GoogleSetupError, credentials_for
from tools.storage.local import LocalDrive
from tools.tracing import Tracing


def make_storage(settings: Settings) -> Storage:
    """The drive the settings select. Google storage is checked here, before anything runs:
    GoogleSetupError, saying what to set, when its root folder or credentials are missing."""
    if settings.storage == "google":
        return make_google_drive(settings)
    return LocalDrive(settings.drive_root)


def make_google_drive(settings: Settings) -> GoogleDrive:
    if not settings.google_root_folder_id:
        raise GoogleSetupError(
            "ATELIER_STORAGE=google needs ATELIER_GOOGLE_ROOT_FOLDER_ID: the id of the shop's "
            "root folder in Google Drive (the last part of its URL), shared with the account "
            "Atelier runs as"
        )
    token = settings.google_access_token
    credentials = credentials_for(token.get_secret_value() if token else None)
    apis = GoogleApis.build(credentials, settings.google_api_url)
    return GoogleDrive(apis, settings.google_root_folder_id, token_given=token is not None)


def check_storage(storage: Storage) -> None:
    """At start-up, before serving: a Google root folder must exist and be reachable
    (GoogleSetupError otherwise). Writes nothing."""
    if isinstance(storage, GoogleDrive):
        storage.check_root()


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


def make_backends(settings: Settings, db: Database, storage: Storage | None = None) -> Backends:
    return Backends(
        settings=settings,
        db=db,
        storage=storage or make_storage(settings),
        design_engine=make_design_engine(settings),
        channels=make_channels(settings),
        tracing=Tracing.from_environment(settings.environment),
    )
