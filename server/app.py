"""The FastAPI application: built by ``create_app``, its services started in the lifespan."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from prometheus_client import REGISTRY
from prometheus_client.registry import Collector

from agent.models import make_chat_model
from graphs.admin.graph import build_admin_agent
from server.accounts import Accounts
from server.api_docs import install_api_docs
from server.api_keys import ApiKeys
from server.commands import CommandService
from server.console import install_console
from server.deps import AppServices
from server.dispatch import (
    QUEUE,
    CeleryDispatcher,
    Dispatcher,
    InProcessDispatcher,
    Sweeper,
    sweep_grace,
)
from server.errors import install_error_handlers
from server.health import DatabaseHealth
from server.http_security import BodySizeLimit, allow_origins
from server.metrics import OrdersByStatus, QueueLength
from server.orders import OrderService
from server.rate_limits import RateLimit, RateLimiter
from server.request_context import RequestContext
from server.routes import admin, auth, designs, orders, sessions
from server.runtime import Runtime, build_runtime
from server.schemas import OrderCreate
from server.security import check_production, key_ring
from server.sessions import SessionService
from server.sign_in import SignIn
from settings import Settings, get_settings
from tools.context import ToolContext

log = logging.getLogger(__name__)


def make_dispatcher(runtime: Runtime) -> tuple[Dispatcher, Sweeper]:
    """Runs go to Celery workers with ATELIER_REDIS_URL, else to threads of this process;
    the sweeper queues what waits without a run (run here only without Redis)."""
    settings, db = runtime.settings, runtime.db
    dispatcher: Dispatcher
    if settings.redis_url:
        from server import worker  # Celery, only where Redis is used

        worker.configure(settings)
        dispatcher = CeleryDispatcher(db)
    else:
        dispatcher = InProcessDispatcher(runtime.runs, settings.pipeline_workers)
    return dispatcher, Sweeper(db, dispatcher, settings.sweep_interval_s, sweep_grace(settings))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        check_production(settings)  # also when the app is served by another ASGI server
        runtime = build_runtime(settings)
        db, backends, registry = runtime.db, runtime.backends, runtime.registry
        dispatcher, sweeper = make_dispatcher(runtime)
        order_service = OrderService(db=db, dispatcher=dispatcher)
        tools = ToolContext(backends=backends, runs=dispatcher)
        agent = build_admin_agent(make_chat_model(settings), registry, runtime.checkpointer)
        keys = key_ring(settings)
        app.state.services = AppServices(
            db=db,
            orders=order_service,
            sessions=SessionService(
                db=db, order_graph=runtime.runner.graph, admin_agent=agent, tracing=backends.tracing
            ),
            commands=CommandService(db=db, agent=agent, tools=tools),
            tools=tools,
            registry=registry,
            keys=keys,
            # Shared by every API process through Redis when there is one, else per process.
            limits=RateLimiter(
                {
                    "orders": RateLimit.parse(settings.rate_limit_orders),
                    "commands": RateLimit.parse(settings.rate_limit_commands),
                },
                redis_url=settings.redis_url,
            ),
            sign_in=SignIn(db, Accounts(db), keys, settings),
            api_keys=ApiKeys(db),
            health=DatabaseHealth(db),
        )
        gauges: list[Collector] = [OrdersByStatus(db)]
        if settings.redis_url:
            gauges.append(QueueLength(settings.redis_url, QUEUE))
        for gauge in gauges:
            REGISTRY.register(gauge)
        # Orders a stopped process left unfinished, through the same claim as every run: two
        # processes starting at once never run one order twice.
        recovered = sweeper.sweep(grace_s=0)
        if recovered:
            log.info("resuming %d unfinished orders from their checkpoints", recovered)
        if isinstance(dispatcher, InProcessDispatcher):
            sweeper.start()  # with Redis, the workers sweep
        # What start-up built lives as long as the process: out of the collector's sight, a
        # full collection scans a fraction of the objects (a pause of ~110 ms every few
        # seconds under load otherwise, measured by bench/api_throughput.py).
        gc.freeze()
        try:
            yield
        finally:
            for gauge in gauges:
                REGISTRY.unregister(gauge)
            sweeper.stop()
            dispatcher.shutdown()
            runtime.close()

    app = FastAPI(
        title="Atelier",
        version="0.1.0",
        summary="The AI back office of a custom-design shop",
        lifespan=lifespan,
        # Ours instead (server/api_docs.py): FastAPI's pages load Swagger UI from a CDN.
        docs_url=None,
        redoc_url=None,
    )

    allow_origins(app, settings.cors_origins)
    # Inside the middleware below, so its redirect from / gets the security headers too.
    install_console(app)
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
    app.include_router(designs.router)
    app.include_router(sessions.router)
    app.include_router(admin.router)
    app.include_router(auth.router)
    install_api_docs(app)
    return app
