"""Session, health and metrics routes."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from server.deps import CurrentPrincipal, Services
from server.schemas import Health, SessionOut, json_reply

router = APIRouter()


@router.get("/sessions/{session_id}", response_model=SessionOut, tags=["sessions"])
def get_session(
    session_id: uuid.UUID, principal: CurrentPrincipal, services: Services
) -> SessionOut:
    """An AgentSession: its graph state, what runs next, and its checkpoint history."""
    return services.sessions.get(principal, session_id)


@router.get("/metrics", tags=["health"], response_class=PlainTextResponse)
def metrics() -> PlainTextResponse:
    """Prometheus metrics: HTTP latency and errors by route and status, pipeline steps and runs,
    orders by status, design time by engine, chat-model calls and tokens, process CPU, memory
    and open files."""
    return PlainTextResponse(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


@router.get("/health", response_model=Health, tags=["health"])
async def health(services: Services) -> Response:
    """Liveness and database reachability (asked at most once a second); 503 when the database
    does not answer."""
    ok = await services.health.reachable()
    body = Health(status="ok" if ok else "degraded", database="ok" if ok else "unreachable")
    return json_reply(body, status_code=200 if ok else 503)
