"""The FastAPI application: built by ``create_app``, its services started in the lifespan."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from agent.models import make_chat_model
from graphs.admin.graph import build_admin_agent
from graphs.order.runner import OrderRunner
from persistence import migrate
from persistence.checkpoints import open_checkpointer
from persistence.database import Database
from server.commands import CommandService
from server.deps import AppServices
from server.dispatch import InProcessDispatcher
from server.orders import OrderService
from server.routes import admin, orders, sessions
from server.security import jwt_secret
from server.sessions import SessionService
from settings import Settings, get_settings
from tools.backends import make_backends
from tools.catalog import build_registry
from tools.context import ToolContext
from tools.errors import AtelierError
from tools.templates import ensure_starter_templates

log = logging.getLogger(__name__)


def prepare_database(settings: Settings) -> Database:
    """Connect; the embedded database is migrated here, a configured one must be already."""
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
        app.state.services = AppServices(
            db=db,
            orders=order_service,
            sessions=SessionService(db=db, order_graph=runner.graph, admin_agent=agent),
            commands=CommandService(db=db, agent=agent, tools=tools),
            tools=tools,
            registry=registry,
            jwt_secret=jwt_secret(settings),
        )
        recovered = order_service.recover_unfinished()
        if recovered:
            log.info("resuming %d unfinished orders from their checkpoints", recovered)
        try:
            yield
        finally:
            dispatcher.shutdown()
            pool.close()
            db.dispose()

    app = FastAPI(
        title="Atelier",
        version="0.1.0",
        summary="The AI back office of a custom-design shop",
        lifespan=lifespan,
    )

    @app.middleware("http")
    async def server_timing(request: Request, call_next: Any) -> Response:
        """Server-Timing: how long the app took, for clients and benchmarks to read."""
        started = time.perf_counter()
        response: Response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response

    @app.exception_handler(AtelierError)
    async def atelier_error(request: Request, exc: AtelierError) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code)

    app.include_router(orders.router)
    app.include_router(sessions.router)
    app.include_router(admin.router)
    return app
