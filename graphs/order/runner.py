"""Runs order graphs on their checkpointed threads and keeps the order's status in step.

The runner is the one place that moves an order between processing, awaiting_approval,
completed and failed as the graph pauses, ends or raises.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command

from graphs.order.context import OrderContext
from graphs.order.graph import CompiledOrderGraph, build_order_graph
from graphs.order.nodes import failure_message
from graphs.order.state import ReviewDecision
from persistence.connection_errors import connection_lost
from persistence.models import OrderStatus, SessionKind
from persistence.repositories import order_status
from persistence.repositories import orders as repo
from tools.context import ToolContext
from tools.log_context import bound, current
from tools.metrics import PIPELINE_RUNS
from tools.registry import ToolRegistry

log = logging.getLogger(__name__)

REVIEW_NODE = "await_review"


class OrderRunner:
    def __init__(
        self, tools: ToolContext, registry: ToolRegistry, checkpointer: BaseCheckpointSaver[Any]
    ) -> None:
        self.context = OrderContext(tools=tools, registry=registry)
        self.db = tools.backends.db
        self.graph: CompiledOrderGraph = build_order_graph().compile(
            checkpointer=checkpointer, name="order pipeline"
        )

    def config(self, order_id: uuid.UUID) -> RunnableConfig:
        with self.db.session() as session:
            agent_session = repo.order_session(session, order_id)
            if agent_session is None:
                raise LookupError(f"order {order_id} not found")
            return self._config_for(order_id, agent_session.id)

    @staticmethod
    def _config_for(order_id: uuid.UUID, session_id: uuid.UUID) -> RunnableConfig:
        thread_id = str(session_id)
        metadata = {"order_id": str(order_id), "session_id": thread_id}
        request_id = current("request_id")
        if request_id:
            metadata["request_id"] = request_id
        return {
            "configurable": {"thread_id": thread_id},
            "run_name": "order pipeline",
            "tags": ["order"],
            "metadata": metadata,
        }

    def _traced_config(self, order_id: uuid.UUID) -> tuple[RunnableConfig, str | None]:
        """The run's config, traced when tracing is on: a new trace, kept on the session in
        place of the previous one, which is returned too (None when tracing is off).

        The customer's name, e-mail and phone are handed to the redactor first, so they are
        blanked wherever they appear in the trace."""
        tracing = self.context.tools.backends.tracing
        if not tracing.enabled:
            return self.config(order_id), None
        settings = self.context.tools.backends.settings
        with self.db.session() as session:
            found = repo.order_session_and_contacts(session, order_id)
            if found is None:
                raise LookupError(f"order {order_id} not found")
            agent_session, contacts = found
            tracing.redactor.protect(*contacts)
            config, trace_id = tracing.traced(
                self._config_for(order_id, agent_session.id),
                kind=SessionKind.ORDER,
                metadata={
                    "subject": agent_session.subject,
                    "role": agent_session.role,
                    "design_engine": settings.design_engine,
                    "design_model": settings.design_model,
                },
            )
            previous = agent_session.trace_id
            agent_session.trace_id = str(trace_id)
        return config, previous

    def start(self, order_id: uuid.UUID) -> str:
        """Run a new order up to its first review."""
        return self._run(order_id, {"order_id": str(order_id)})

    def resume(self, order_id: uuid.UUID, decision: ReviewDecision) -> str:
        """Continue a paused order with the reviewer's decision, first scoring the traced run
        that brought the design to review."""
        return self._run(order_id, Command(resume=decision), review=decision)

    def retry(self, order_id: uuid.UUID) -> str:
        """Re-run the step that failed, then carry on; earlier steps are not run again."""
        return self._run(order_id, None)

    def recover(self, order_id: uuid.UUID) -> str:
        """Carry on an order a stopped process left unfinished, from its last checkpoint."""
        snapshot = self.graph.get_state(self.config(order_id))
        if not snapshot.values:
            return self.start(order_id)
        if snapshot.interrupts:
            with self.db.session() as session:
                latest = repo.latest_design_version(session, order_id)
            if latest is not None and latest.decision:
                # The review was accepted but the process stopped before it was applied.
                decision: ReviewDecision = {
                    "approved": latest.decision == "approved",
                    "feedback": latest.feedback,
                }
                return self.resume(order_id, decision)
            return self._settle(order_id)
        return self._run(order_id, None)

    def state(self, order_id: uuid.UUID) -> dict[str, Any]:
        return dict(self.graph.get_state(self.config(order_id)).values)

    def _run(
        self, order_id: uuid.UUID, graph_input: Any, review: ReviewDecision | None = None
    ) -> str:
        config, previous_trace = self._traced_config(order_id)
        if review is not None and previous_trace:
            self.context.tools.backends.tracing.review_feedback(
                previous_trace, bool(review.get("approved")), review.get("feedback")
            )
        with bound(order_id=str(order_id), session_id=config["configurable"]["thread_id"]):
            return self._invoke(order_id, graph_input, config)

    def _invoke(self, order_id: uuid.UUID, graph_input: Any, config: RunnableConfig) -> str:
        try:
            self.graph.invoke(graph_input, config, context=self.context, durability="sync")
        except Exception as exc:
            if connection_lost(exc):
                # Not the order's failure: the run goes again from its last checkpoint
                # (graphs/order/runs.py), and a step cut short runs again (idempotent).
                raise
            self._record_failure(order_id, config, exc)
            PIPELINE_RUNS.labels(OrderStatus.FAILED).inc()
            return OrderStatus.FAILED
        status = self._settle(order_id, config)
        PIPELINE_RUNS.labels(status).inc()
        return status

    def _record_failure(self, order_id: uuid.UUID, config: RunnableConfig, exc: Exception) -> None:
        """Leave the order failed at the step that raised, with our words for that step (the
        log's formatter leaves the exception's message out of the traceback, too). Nothing
        saved comes from the order, so only the database can fail here; then the order stays
        processing and the next start recovers it, re-running the step from its checkpoint."""
        snapshot = self.graph.get_state(config)
        step = snapshot.next[0] if snapshot.next else self._current_step(order_id)
        message = failure_message(step, exc)
        log.exception("order %s failed at %s: %s", order_id, step, message)
        with self.db.session() as session:
            order_status.move(
                session, order_id, OrderStatus.FAILED, failed_step=step, error=message
            )

    def _current_step(self, order_id: uuid.UUID) -> str | None:
        with self.db.session() as session:
            order = repo.get_order(session, order_id)
            return order.current_step if order else None

    def _settle(self, order_id: uuid.UUID, config: RunnableConfig | None = None) -> str:
        """Set the order's status from where its graph stands now."""
        snapshot = self.graph.get_state(config or self.config(order_id))
        if snapshot.interrupts:
            status, step = OrderStatus.AWAITING_APPROVAL, REVIEW_NODE
        elif not snapshot.next:
            status, step = OrderStatus.COMPLETED, None
        else:
            status, step = OrderStatus.PROCESSING, snapshot.next[0]
        with self.db.session() as session:
            moved = order_status.move(
                session, order_id, status, current_step=step, failed_step=None, error=None
            )
        if not moved:
            log.warning("order %s: its status does not allow %s; left as it is", order_id, status)
        return status
