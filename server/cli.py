"""The ``atelier`` command: serve, migrate, token."""

from __future__ import annotations

import argparse
import sys

from persistence import migrate
from persistence.database import resolve_database
from server.logs import configure_logging
from server.security import DEFAULT_TTL_S, issue_token, jwt_secret
from settings import get_settings
from tools.access import ISSUABLE_ROLES, Role


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_config=None,  # ours, set up in main(): JSON lines or console, ids on every line
        access_log=False,  # the app logs each request itself, with its request id
    )
    return 0


def migrate_command(args: argparse.Namespace) -> int:
    url, embedded = resolve_database(get_settings())
    try:
        migrate.upgrade(url)
    finally:
        if embedded is not None:
            embedded.cleanup()
    print("database schema is current")
    return 0


def token(args: argparse.Namespace) -> int:
    print(issue_token(jwt_secret(get_settings()), args.sub, Role(args.role), ttl_s=args.ttl))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="atelier", description="Atelier back office")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="serve the API (docs at /docs)")
    p.add_argument("--host", help="address to bind (default ATELIER_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default ATELIER_PORT or 8000)")
    p.set_defaults(func=serve)

    p = commands.add_parser("migrate", help="create or upgrade the database schema")
    p.set_defaults(func=migrate_command)

    p = commands.add_parser("token", help="print a signed JWT for a subject and role")
    p.add_argument("--sub", required=True, help="the subject (user or service name)")
    p.add_argument("--role", required=True, choices=[str(r) for r in ISSUABLE_ROLES])
    p.add_argument("--ttl", type=int, default=DEFAULT_TTL_S, help="lifetime in seconds")
    p.set_defaults(func=token)
    return parser


def main(argv: list[str] | None = None) -> int:
    configure_logging(get_settings().log_level)
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
