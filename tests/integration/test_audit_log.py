"""The audit log on the real database: append-only for every role, and every admin tool call
and every refused one recorded with who, what, arguments, outcome and request."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from persistence.database import Database
from persistence.repositories import audit as audit_repo
from tests.support.pipeline import make_backends
from tools.access import Principal, Role
from tools.catalog import build_registry
from tools.context import ToolContext
from tools.errors import NotFound, ToolDenied


def entries(db: Database, subject: str) -> list[tuple[str, str, dict, str]]:
    with db.session() as session:
        rows, _ = audit_repo.search(session, subject=subject)
        return [(r.action, r.outcome, json.loads(r.arguments), r.request_id or "") for r in rows]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET outcome = 'ok'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ],
)
def test_entries_cannot_be_changed_or_removed(db: Database, statement: str) -> None:
    with db.session() as session:
        audit_repo.append(
            session,
            subject=f"s-{uuid.uuid4()}",
            role="admin",
            action="x",
            arguments="{}",
            outcome="denied",
        )
    with pytest.raises(DBAPIError, match="append-only") as raised, db.engine.begin() as conn:
        conn.execute(text(statement))
    assert isinstance(raised.value.orig, psycopg.errors.RaiseException)


def test_admin_tool_calls_and_refusals_are_recorded(db: Database, tmp_path: Path) -> None:
    registry = build_registry()
    backends = make_backends(tmp_path, db)
    admin = f"ada-{uuid.uuid4().hex[:6]}"
    customer = f"jane-{uuid.uuid4().hex[:6]}"
    as_admin = ToolContext(backends, Principal(admin, Role.ADMIN), request_id="req-audit-1")
    as_customer = ToolContext(backends, Principal(customer, Role.CUSTOMER), request_id="req-2")

    registry.execute("list_files", {"name_contains": "inv"}, as_admin)
    with pytest.raises(NotFound):
        registry.execute("create_sheet_from_template", {"template": "nope", "title": "t"}, as_admin)
    with pytest.raises(ToolDenied):
        registry.execute("list_sheets", {}, as_customer)

    recorded = entries(db, admin)
    assert [(a, o) for a, o, _, _ in recorded] == [
        ("tool:create_sheet_from_template", "error"),
        ("tool:list_files", "ok"),
    ]
    assert recorded[1][2]["name_contains"] == "inv" and recorded[1][3] == "req-audit-1"
    assert entries(db, customer) == [("tool:list_sheets", "denied", {}, "req-2")]


def test_the_arguments_are_encrypted_at_rest(db: Database, tmp_path: Path) -> None:
    marker = f"Customer Name {uuid.uuid4().hex[:6]}"
    ctx = ToolContext(make_backends(tmp_path, db), Principal("ada", Role.ADMIN))
    build_registry().execute("list_orders", {"customer": marker}, ctx)
    with db.engine.connect() as conn:
        raw = " ".join(
            str(v) for v in conn.execute(text("SELECT arguments FROM audit_log")).scalars()
        )
    assert marker not in raw
