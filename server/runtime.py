"""What every Atelier process runs on, built in one place: the API (`atelier serve`) and the
workers (`atelier worker`) get the same settings, database, storage, engines and graphs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from psycopg_pool import ConnectionPool

from graphs.order.runner import OrderRunner
from graphs.order.runs import OrderRuns
from persistence import crypto, migrate
from persistence.checkpoints import open_checkpointer
from persistence.crypto import cipher_from_settings
from persistence.database import Database
from settings import Settings
from tools.backends import check_storage, make_backends, make_storage
from tools.catalog import build_registry
from tools.context import Backends, ToolContext
from tools.registry import ToolRegistry
from tools.storage.base import Storage
from tools.storage.google_api import GoogleSetupError
from tools.templates import ensure_starter_templates

log = logging.getLogger(__name__)


def prepare_database(settings: Settings) -> Database:
    """Connect; the embedded database is migrated here, a configured one must be already."""
    crypto.configure(cipher_from_settings(settings))
    db = Database.from_settings(settings)
    if settings.database_url is None:
        migrate.upgrade(db.url, settings.data_dir)
    elif not migrate.is_current(db.url):
        db.dispose()
        raise RuntimeError("the database schema is not current: run `atelier migrate` first")
    return db


@dataclass
class Runtime:
    settings: Settings
    db: Database
    backends: Backends
    registry: ToolRegistry
    checkpointer: BaseCheckpointSaver[Any]
    runner: OrderRunner
    runs: OrderRuns
    pool: ConnectionPool

    def close(self) -> None:
        self.backends.tracing.flush()
        self.pool.close()
        self.db.dispose()


def build_runtime(settings: Settings) -> Runtime:
    """The process's runtime. Storage is checked first: a Google drive that cannot work
    stops start-up (GoogleSetupError) before anything opens."""
    storage: Storage = make_storage(settings)
    try:
        check_storage(storage)
    except GoogleSetupError as exc:
        log.error("cannot start: %s", exc)  # the one line to read above the traceback
        raise
    db = prepare_database(settings)
    checkpointer, pool = open_checkpointer(db.url)
    backends = make_backends(settings, db, storage)
    if settings.storage == "local":  # starting writes nothing into a shop's Google Drive
        ensure_starter_templates(backends.storage)
    registry = build_registry()
    runner = OrderRunner(ToolContext(backends=backends), registry, checkpointer)
    return Runtime(
        settings=settings,
        db=db,
        backends=backends,
        registry=registry,
        checkpointer=checkpointer,
        runner=runner,
        runs=OrderRuns(runner, settings.run_lease_s),
        pool=pool,
    )
