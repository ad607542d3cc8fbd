"""The audit trail: every tool call an admin makes (from a chat session or a direct endpoint),
every tool call refused to anyone, and admin operations outside the tools. Entries go to the
append-only ``audit_log`` table."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from persistence.repositories import audit
from tools.access import Role
from tools.context import ToolContext
from tools.log_context import current
from tools.registry import Outcome

MAX_DETAIL = 2000


def record(
    ctx: ToolContext,
    action: str,
    arguments: Mapping[str, Any],
    outcome: Outcome,
    detail: str | None = None,
    *,
    session: Session | None = None,
) -> None:
    """Append one entry for ``ctx``'s caller, under its request and session: in ``session``
    when given (it commits with the caller's other writes), else in a transaction of its own."""
    fields = {
        "subject": ctx.principal.sub,
        "role": str(ctx.principal.role),
        "action": action,
        "arguments": json.dumps(arguments, default=str),
        "outcome": outcome,
        "detail": detail[:MAX_DETAIL] if detail else None,
        "request_id": ctx.request_id or current("request_id"),
        "session_id": ctx.session_id or current("session_id"),
    }
    if session is not None:
        audit.append(session, **fields)
        return
    with ctx.backends.db.session() as own:
        audit.append(own, **fields)


def tool_call(
    ctx: ToolContext, tool: str, arguments: dict[str, Any], outcome: Outcome, detail: str | None
) -> None:
    """The registry's observer: records admins' calls always, and anyone's refused calls."""
    if ctx.principal.role == Role.ADMIN or outcome == "denied":
        record(ctx, f"tool:{tool}", arguments, outcome, detail)
