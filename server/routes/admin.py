"""Admin routes: the admin tools called directly, no language involved (admins only)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import StreamingResponse

from server import audit_log
from server.audit_log import AuditPage, AuditQuery
from server.commands import CommandIn, CommandOut
from server.deps import AdminPrincipal, Services
from server.schemas import AdminSessionPage, AdminSessionsQuery
from tools import audit
from tools.drive import (
    CreatedSheet,
    CreateSheetArgs,
    FileList,
    ListFilesArgs,
    ListSheetsArgs,
    SheetList,
)
from tools.log_context import current
from tools.summary import Summary, SummaryArgs

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/sheets", response_model=SheetList, summary="List sheets")
def list_sheets(
    principal: AdminPrincipal,
    services: Services,
    query: Annotated[ListSheetsArgs, Query()],
) -> Any:
    """Spreadsheets in the drive, newest first, filtered by name, folder and modification dates."""
    return services.act(principal, "list_sheets", query)


@router.post(
    "/sheets",
    response_model=CreatedSheet,
    status_code=status.HTTP_201_CREATED,
    summary="Create a sheet from a template",
)
def create_sheet(body: CreateSheetArgs, principal: AdminPrincipal, services: Services) -> Any:
    """Copy a template from Templates/ to a new sheet; 409 if the name is taken."""
    return services.act(principal, "create_sheet_from_template", body)


@router.get("/files", response_model=FileList, summary="List a folder")
def list_files(
    principal: AdminPrincipal,
    services: Services,
    query: Annotated[ListFilesArgs, Query()],
) -> Any:
    """A folder's files and subfolders (the root when none), filtered by kind and name."""
    return services.act(principal, "list_files", query)


@router.post(
    "/summary",
    response_model=Summary,
    status_code=status.HTTP_201_CREATED,
    summary="Build a summary sheet",
)
def build_summary(body: SummaryArgs, principal: AdminPrincipal, services: Services) -> Any:
    """Group orders by product, status, customer or day over a date range into a new sheet."""
    return services.act(principal, "build_summary_sheet", body)


@router.get("/audit", response_model=AuditPage, summary="Search the audit log")
def read_audit_log(
    principal: AdminPrincipal, services: Services, query: Annotated[AuditQuery, Query()]
) -> AuditPage:
    """Admin operations and tool calls, newest first: who, role, action, arguments, outcome,
    request id and time. Reading the log is itself recorded."""
    context = services.context_for(principal)
    audit.record(context, "read_audit_log", query.model_dump(mode="json", exclude_none=True), "ok")
    return audit_log.search(services.db, query)


@router.get("/sessions", response_model=AdminSessionPage, summary="List admin conversations")
def list_admin_sessions(
    principal: AdminPrincipal, services: Services, query: Annotated[AdminSessionsQuery, Query()]
) -> AdminSessionPage:
    """Admin conversations, the latest active first, each with the command that started it;
    continue one with its ``id`` as ``session_id`` in POST /admin/commands."""
    return services.sessions.admin_sessions(query)


def _sse(events: Iterator[tuple[str, dict[str, Any]]]) -> Iterator[str]:
    for event, data in events:
        yield f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


@router.post(
    "/commands",
    response_model=CommandOut,
    summary="Run a natural-language admin command",
    responses={
        200: {"content": {"text/event-stream": {}}},
        429: {"description": "Too many commands; Retry-After says when to try again"},
    },
)
def run_command(
    body: CommandIn, request: Request, principal: AdminPrincipal, services: Services
) -> Any:
    """Run a command through the admin agent in a new or continued session. With
    ``Accept: text/event-stream`` the run streams as server-sent events: ``session``, ``token``,
    ``tool_call``, ``tool_result`` and finally ``done`` with the whole answer."""
    services.limits.check("commands", principal.sub)
    run = services.commands.prepare(principal, body, current("request_id"))
    if "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(
            _sse(services.commands.stream(run)), media_type="text/event-stream"
        )
    return services.commands.run(run)
