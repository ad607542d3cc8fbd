"""The ``atelier`` command: serve, worker, migrate, token, users, wait."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import shutil
import sys
import time
from typing import Any

import httpx

from persistence import crypto, migrate
from persistence.crypto import cipher_from_settings
from persistence.database import Database, resolve_database
from server.accounts import Accounts
from server.logs import configure_logging
from server.progress_bar import ProgressBar
from server.security import (
    DEFAULT_TTL_S,
    UnsafeForProduction,
    check_production,
    issue_token,
    key_ring,
)
from settings import Settings, get_settings
from tools import audit
from tools.access import ISSUABLE_ROLES, Principal, Role
from tools.backends import check_storage, make_storage
from tools.errors import AtelierError, InvalidInput
from tools.storage.google_api import GoogleSetupError


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        print("atelier serve: --ssl-certfile and --ssl-keyfile go together", file=sys.stderr)
        return 2
    if refused("serve", get_settings()):
        return 2
    settings = get_settings()
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_config=None,  # ours, set up in main(): JSON lines or console, ids on every line
        access_log=False,  # the app logs each request itself, with its request id
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
    )
    return 0


def refused(command: str, settings: Settings) -> bool:
    """What stops a process before it starts, said in one line: keys every process must
    share, a Google drive that cannot work."""
    try:
        check_production(settings)
        if settings.storage == "google":
            check_storage(make_storage(settings))
    except (UnsafeForProduction, GoogleSetupError) as exc:
        print(f"atelier {command}: {exc}", file=sys.stderr)
        return True
    return False


def worker(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.redis_url:
        print(
            "atelier worker: set ATELIER_REDIS_URL (redis://host:6379/0); without it the API "
            "process runs the pipelines itself",
            file=sys.stderr,
        )
        return 2
    if refused("worker", settings):
        return 2
    metrics_dir = settings.data_dir / "worker-metrics" / str(os.getpid())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR") != str(metrics_dir):
        # Two settings read when their libraries are first imported, which this process did
        # already: SIGTERM as a soft shutdown that hands running runs back (billiard), and
        # metrics kept in files that the worker's processes share (prometheus_client). So
        # the command starts again, as the same process, with them set.
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        env = {
            **os.environ,
            "REMAP_SIGTERM": "SIGQUIT",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        }
        again = ["worker", f"--concurrency={args.concurrency}"]
        if args.metrics_port:
            again.append(f"--metrics-port={args.metrics_port}")
        os.execve(sys.executable, [sys.executable, "-m", "server.cli", *again], env)
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    from server import worker as celery_worker

    if args.metrics_port:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # every process of this worker
        start_http_server(args.metrics_port, registry=registry)
    celery_worker.configure(settings)
    celery_worker.celery_app.worker_main(
        [
            "worker",
            "--pool=prefork",
            f"--concurrency={args.concurrency}",
            f"--hostname=atelier-{os.getpid()}@%h",
            f"--loglevel={settings.log_level}",
        ]
    )
    return 0


def migrate_command(args: argparse.Namespace) -> int:
    settings = get_settings()
    crypto.configure(cipher_from_settings(settings))  # rows written before are encrypted now
    url, embedded = resolve_database(settings)
    try:
        migrate.upgrade(url, settings.data_dir)
    finally:
        if embedded is not None:
            embedded.cleanup()
    print("database schema is current")
    return 0


def token(args: argparse.Namespace) -> int:
    print(issue_token(key_ring(get_settings()), args.sub, Role(args.role), ttl_s=args.ttl))
    return 0


def users_command(args: argparse.Namespace) -> int:
    """create, disable, enable, list: accounts that sign in at POST /auth/token.

    Works while the service runs, on the embedded database too: this process joins the server
    the service started (persistence/database.py), and starts one only when none runs.
    """
    root = logging.getLogger()
    if root.getEffectiveLevel() > logging.DEBUG:
        # The command prints its outcome; the database's start-up chatter is for a service's
        # log, not for someone making an account (unless they asked for DEBUG).
        root.setLevel(max(root.level, logging.WARNING))
    settings = get_settings()
    try:
        # Before the database: a prompt must not keep a server up while someone types, and a
        # password from the environment must be gone before a server started from here
        # could inherit it.
        password = _new_password(args) if args.action == "create" else ""
    except AtelierError as exc:
        print(f"atelier users: {exc.message}", file=sys.stderr)
        return 1
    crypto.configure(cipher_from_settings(settings))
    db = Database.from_settings(settings)
    try:
        if not migrate.is_current(db.url):
            print(
                "atelier users: the database schema is not current: run `atelier migrate` "
                "(or start the service once, which migrates the embedded database)",
                file=sys.stderr,
            )
            return 2
        accounts = Accounts(db)
        try:
            if args.action == "create":
                account = accounts.create(args.username, Role(args.role), password)
                _audit(db, "create_user", {"username": account.username, "role": account.role})
                print(f"created {account.username} ({account.role})")
            elif args.action in ("disable", "enable"):
                account = accounts.set_disabled(args.username, args.action == "disable")
                _audit(db, f"{args.action}_user", {"username": account.username})
                print(f"{account.username} is {'disabled' if account.disabled else 'enabled'}")
            else:
                for account in accounts.list():
                    state = "disabled" if account.disabled else "active"
                    last = (
                        f"{account.last_login_at:%Y-%m-%d %H:%M}"
                        if account.last_login_at
                        else "never"
                    )
                    print(f"{account.username}\t{account.role}\t{state}\tlast sign-in {last}")
        except AtelierError as exc:
            print(f"atelier users: {exc.message}", file=sys.stderr)
            return 1
    finally:
        db.dispose()
    return 0


def _audit(db: Database, action: str, arguments: dict[str, Any]) -> None:
    """Account changes made at the command line go on the audit trail too, under the
    machine's user (whoever can run this can reach the database)."""
    with db.session() as session:
        audit.append(
            session,
            Principal(sub=f"cli:{getpass.getuser()}", role=Role.ADMIN),
            action,
            arguments,
            "ok",
        )


def _new_password(args: argparse.Namespace) -> str:
    """The new account's password: the first line of stdin (``--password-stdin``), or the
    environment variable that ``--password-env`` names, for scripts; else asked twice at the
    terminal. Never an argument, which ``ps`` shows to every user of the machine."""
    if args.password_stdin:
        # One line, as `echo`, `printf '%s\n'` and files from Windows end it.
        return sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    if args.password_env:
        # Taken out of the environment, so no process started from here (pg_ctl and the
        # embedded PostgreSQL, which can outlive this one) carries it.
        password = os.environ.pop(args.password_env, None)
        if password is None:
            raise InvalidInput(f"--password-env: {args.password_env} is not set")
        return password
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise InvalidInput("the passwords differ")
    return first


# How a wait ends: the exit status says it to scripts.
WAIT_DONE = {"awaiting_approval": 0, "completed": 0, "failed": 1, "cancelled": 1}
WAIT_TIMED_OUT = 2


def wait(args: argparse.Namespace) -> int:
    """Follow an order through the API with a progress bar until it awaits approval, completes
    or fails."""
    settings = get_settings()
    url = args.url or f"http://{settings.host}:{settings.port}"
    bearer = args.token or issue_token(key_ring(settings), "atelier-cli", Role.OPERATOR)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per poll would drown the bar
    bar = ProgressBar(sys.stderr, f"order {args.order_id[:8]}")
    deadline = time.monotonic() + args.timeout
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {bearer}"}) as client:
        while True:
            response = client.get(f"/orders/{args.order_id}")
            if response.status_code != 200:
                bar.close(
                    f"cannot follow the order: {response.json().get('detail', response.text)}"
                )
                return 1
            order = response.json()
            bar.show(order["progress_percent"], _step_note(order))
            if order["status"] in WAIT_DONE:
                error = f": {order['error']}" if order.get("error") else ""
                bar.close(f"order {order['id']} is {order['status']}{error}")
                return WAIT_DONE[order["status"]]
            if time.monotonic() >= deadline:
                bar.close(f"still {order['status']} after {args.timeout:g} s")
                return WAIT_TIMED_OUT
            time.sleep(args.interval)


def _step_note(order: dict[str, Any]) -> str:
    step = order.get("current_step") or order["status"]
    running = next((s for s in order["steps"] if s["step"] == step), None)
    work = running.get("progress") if running else None
    return f"{step} ({work['done']}/{work['total']})" if work else step


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atelier", description="Atelier back office")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="serve the API (docs at /docs)")
    p.add_argument("--host", help="address to bind (default ATELIER_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default ATELIER_PORT or 8000)")
    p.add_argument("--ssl-certfile", help="serve HTTPS with this PEM certificate (chain)")
    p.add_argument("--ssl-keyfile", help="the certificate's PEM private key")
    p.set_defaults(func=serve)

    p = commands.add_parser("worker", help="run pipelines from Redis (ATELIER_REDIS_URL)")
    p.add_argument(
        "--concurrency", type=int, default=os.cpu_count() or 1, help="runs at once (processes)"
    )
    p.add_argument("--metrics-port", type=int, help="serve Prometheus metrics on this port")
    p.set_defaults(func=worker)

    p = commands.add_parser("migrate", help="create or upgrade the database schema")
    p.set_defaults(func=migrate_command)

    p = commands.add_parser("token", help="print a signed JWT for a subject and role")
    p.add_argument("--sub", required=True, help="the subject (user or service name)")
    p.add_argument("--role", required=True, choices=[str(r) for r in ISSUABLE_ROLES])
    p.add_argument("--ttl", type=int, default=DEFAULT_TTL_S, help="lifetime in seconds")
    p.set_defaults(func=token)

    p = commands.add_parser("users", help="create, disable, enable or list user accounts")
    actions = p.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="a new account (asks for its password)")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=[str(r) for r in ISSUABLE_ROLES])
    source = create.add_mutually_exclusive_group()
    source.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (scripts)",
    )
    source.add_argument(
        "--password-env",
        metavar="NAME",
        help="read the password from the environment variable NAME (scripts, container jobs)",
    )
    for action in ("disable", "enable"):
        actions.add_parser(action, help=f"{action} an account").add_argument("username")
    actions.add_parser("list", help="every account with its role and state")
    p.set_defaults(func=users_command)

    p = commands.add_parser("wait", help="follow an order with a progress bar until it settles")
    p.add_argument("order_id", help="the order's id")
    p.add_argument("--url", help="the service (default http://ATELIER_HOST:ATELIER_PORT)")
    p.add_argument(
        "--token", help="a bearer token (default: an operator token signed with the local key)"
    )
    p.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    p.add_argument("--interval", type=float, default=0.5, help="seconds between polls")
    p.set_defaults(func=wait)
    return parser


def main(argv: list[str] | None = None) -> int:
    configure_logging(get_settings().log_level)
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
