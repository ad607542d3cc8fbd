"""The FastAPI application: built by ``create_app``, its services started in the lifespan."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import REGISTRY

from agent.models import make_chat_model
from graphs.admin.graph import build_admin_agent
from graphs.order.runner import OrderRunner
from persistence import crypto, migrate
from persistence.checkpoints import open_checkpointer
from persistence.crypto import cipher_from_settings
from persistence.database import Database
from server.accounts import Accounts
from server.api_keys import ApiKeys
from server.commands import CommandService
from server.deps import AppServices
from server.dispatch import InProcessDispatcher
from server.http_security import BodySizeLimit, add_security_headers, allow_origins
from server.metrics import OrdersByStatus
from server.orders import OrderService
from server.rate_limits import RateLimit, RateLimited, RateLimiter
from server.routes import admin, auth, orders, sessions
from server.schemas import OrderCreate
from server.security import check_production, key_ring
from server.sessions import SessionService
from server.sign_in import SignIn
from settings import Settings, get_settings
from tools.backends import make_backends
from tools.catalog import build_registry
from tools.context import ToolContext
from tools.errors import AtelierError
from tools.log_context import bound
from tools.metrics import HTTP_ERRORS, HTTP_LATENCY, HTTP_REQUESTS
from tools.templates import ensure_starter_templates

log = logging.getLogger(__name__)
access = logging.getLogger("atelier.access")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def observe_request(request: Request, status: int, seconds: float) -> None:
    """Request metrics by route template (``/orders/{order_id}``), never by raw path."""
    route = getattr(request.scope.get("route"), "path", "unmatched")
    labels = (request.method, route, str(status))
    HTTP_REQUESTS.labels(*labels).inc()
    HTTP_LATENCY.labels(*labels).observe(seconds)
    if status >= 400:
        HTTP_ERRORS.labels(route, str(status)).inc()


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is a sane token, else a new one."""
    if header and _REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def prepare_database(settings: Settings) -> Database:
    """Connect; the embedded database is migrated here, a configured one must be already."""
    crypto.configure(cipher_from_settings(settings))
    db = Database.from_settings(settings)
    if settings.database_url is None:
        migrate.upgrade(db.url)
    elif not migrate.is_current(db.url):
        db.dispose()
        raise RuntimeError("the database schema is not current: run `atelier migrate` first")
    return db


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_production(settings)  # also when the app is served by another ASGI server
        db = prepare_database(settings)
        checkpointer, pool = open_checkpointer(db.url)
        backends = make_backends(settings, db)
        ensure_starter_templates(backends.storage, backends.work_dir)
        registry = build_registry()
        runner = OrderRunner(ToolContext(backends=backends), registry, checkpointer)
        dispatcher = InProcessDispatcher(runner, settings.pipeline_workers)
        order_service = OrderService(db=db, dispatcher=dispatcher, data_dir=settings.data_dir)
        tools = ToolContext(backends=backends, runs=dispatcher)
        agent = build_admin_agent(make_chat_model(settings), registry, checkpointer)
        keys = key_ring(settings)
        app.state.services = AppServices(
            db=db,
            orders=order_service,
            sessions=SessionService(
                db=db, order_graph=runner.graph, admin_agent=agent, tracing=backends.tracing
            ),
            commands=CommandService(db=db, agent=agent, tools=tools),
            tools=tools,
            registry=registry,
            keys=keys,
            limits=RateLimiter(
                {
                    "orders": RateLimit.parse(settings.rate_limit_orders),
                    "commands": RateLimit.parse(settings.rate_limit_commands),
                    "sign-ins": RateLimit.parse(settings.rate_limit_logins),
                }
            ),
            sign_in=SignIn(db, Accounts(db), keys, settings),
            api_keys=ApiKeys(db),
        )
        orders_gauge = OrdersByStatus(db)
        REGISTRY.register(orders_gauge)
        recovered = order_service.recover_unfinished()
        if recovered:
            log.info("resuming %d unfinished orders from their checkpoints", recovered)
        try:
            yield
        finally:
            REGISTRY.unregister(orders_gauge)
            dispatcher.shutdown()
            backends.tracing.flush()
            pool.close()
            db.dispose()

    app = FastAPI(
        title="Atelier",
        version="0.1.0",
        summary="The AI back office of a custom-design shop",
        lifespan=lifespan,
    )

    @app.middleware("http")
    async def request_context(request: Request, call_next: Any) -> Response:
        """A request id (the caller's X-Request-ID, or a new one) for every log line of the
        request and of the runs it starts; it comes back in the response, with Server-Timing."""
        request_id = request_id_from(request.headers.get("x-request-id"))
        started = time.perf_counter()
        with bound(request_id=request_id):
            response: Response = await call_next(request)
            elapsed = time.perf_counter() - started
            elapsed_ms = elapsed * 1000
            observe_request(request, response.status_code, elapsed)
            access.info(
                "%s %s %d",
                request.method,
                request.url.path,
                response.status_code,
                extra={"status": response.status_code, "duration_ms": round(elapsed_ms, 2)},
            )
        response.headers["X-Request-ID"] = request_id
        response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.2f}"
        add_security_headers(response.headers, request.url.scheme)
        return response

    allow_origins(app, settings.cors_origins)
    # Outermost, so an oversized body is refused before anything reads it.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)

    @app.exception_handler(AtelierError)
    async def atelier_error(request: Request, exc: AtelierError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code, headers=headers)

    def openapi_schema() -> dict[str, Any]:
        """FastAPI's schema, plus the order body POST /orders reads itself (so FastAPI does
        not see the model) and documents by reference."""
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            body = OrderCreate.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(body.pop("$defs", {}))
            components["OrderCreate"] = body
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi_schema  # type: ignore[method-assign]
    app.include_router(orders.router)
    app.include_router(sessions.router)
    app.include_router(admin.router)
    app.include_router(auth.router)
    return app
