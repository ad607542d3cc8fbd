"""The FastAPI application: built by ``create_app``, its services started in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
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
from server.errors import install_error_handlers
from server.http_security import BodySizeLimit, allow_origins
from server.metrics import OrdersByStatus
from server.orders import OrderService
from server.rate_limits import RateLimit, RateLimiter
from server.request_context import RequestContext
from server.routes import admin, auth, orders, sessions
from server.schemas import OrderCreate
from server.security import check_production, key_ring
from server.sessions import SessionService
from server.sign_in import SignIn
from settings import Settings, get_settings
from tools.backends import check_storage, make_backends, make_storage
from tools.catalog import build_registry
from tools.context import ToolContext
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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_production(settings)  # also when the app is served by another ASGI server
        # Storage first: a Google drive that cannot work stops start-up before anything opens.
        try:
            storage = make_storage(settings)
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
        dispatcher = InProcessDispatcher(runner, settings.pipeline_workers)
        order_service = OrderService(db=db, dispatcher=dispatcher)
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

    allow_origins(app, settings.cors_origins)
    # Outside the app, so an oversized body is refused before anything reads it.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Outermost (added last): its headers go on every answer, 413s and 500s included.
    app.add_middleware(RequestContext)
    install_error_handlers(app)

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
