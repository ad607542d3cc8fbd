"""The order graph's nodes. Each calls its registry tool by name and records its progress on
the order row; none holds image bytes."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from langchain_core.callbacks import CallbackManager, CallbackManagerForToolRun
from langchain_core.runnables import ensure_config
from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import BaseModel

from graphs.order.context import OrderContext
from graphs.order.state import OrderState, ReviewDecision
from persistence.repositories import orders as repo
from tools.log_privacy import exception_name
from tools.metrics import PIPELINE_STEP

# What a failed step says on the order (its error, and the step's entry in its progress). The
# text is ours, never the exception's message: that may quote the customer's name or brief
# (openpyxl's IllegalCharacterError quotes the cell), and may hold a NUL, which PostgreSQL
# refuses to store, stranding the order. The exception's class tells an operator the rest;
# the traceback is in the log (graphs/order/runner.py).
STEP_FAILURES = {
    "create_folder": "the order's folder could not be created",
    "generate_design": "the design could not be generated",
    "fill_workbook": "the order workbook could not be written",
    "upload_files": "the order's files could not be uploaded",
    "notify_review": "the review notifications could not be delivered",
    "await_review": "the review could not be recorded",
    "finalize": "the approved order could not be finalised",
}


def failure_message(step: str | None, exc: BaseException) -> str:
    """The error saved on an order whose ``step`` failed with ``exc``: our words for the step
    and the exception's class name, so it holds no customer text and always fits the column."""
    what = STEP_FAILURES.get(step or "", "the order pipeline stopped")
    return f"{what} ({exception_name(exc)})"


def call_tool(
    runtime: Runtime[OrderContext], step: str, tool: str, args: dict[str, Any]
) -> BaseModel:
    """Run one registry tool as pipeline step ``step``, recording start, end or failure.

    The call is reported to the run's callbacks as a tool run, so a trace shows each tool
    under its step with its arguments and result."""
    ctx = runtime.context
    db = ctx.tools.backends.db
    order_id = uuid.UUID(args["order_id"])
    with db.session() as session:
        repo.record_step(session, order_id, step, "running")
    traced = _tool_run(tool, args)
    started = time.perf_counter()
    try:
        result = ctx.registry.execute(tool, args, ctx.tools)
    except Exception as exc:
        traced.on_tool_error(exc)
        PIPELINE_STEP.labels(step, "failed").observe(time.perf_counter() - started)
        with db.session() as session:
            repo.record_step(session, order_id, step, "failed", error=failure_message(step, exc))
        raise
    traced.on_tool_end(result.model_dump(mode="json"))
    PIPELINE_STEP.labels(step, "ok").observe(time.perf_counter() - started)
    with db.session() as session:
        repo.record_step(session, order_id, step, "done")
    return result


def _tool_run(tool: str, args: dict[str, Any]) -> CallbackManagerForToolRun:
    """Open a tool run under the current node's run (a no-op without callbacks, and outside a
    graph run)."""
    config = ensure_config()
    manager = CallbackManager.configure(
        inheritable_callbacks=config.get("callbacks"),
        inheritable_tags=config.get("tags"),
        inheritable_metadata=config.get("metadata"),
    )
    return manager.on_tool_start({"name": tool}, json.dumps(args), name=tool, inputs=args)


def create_folder(state: OrderState, runtime: Runtime[OrderContext]) -> OrderState:
    result = call_tool(
        runtime, "create_folder", "create_order_folder", {"order_id": state["order_id"]}
    )
    return {"folder_path": result.folder_path, "version": state.get("version", 1)}  # type: ignore[attr-defined]


# The steps a new design version runs again; their earlier round's records no longer count.
DESIGN_ROUND = ("generate_design", "fill_workbook", "upload_files", "notify_review")


def generate_design(state: OrderState, runtime: Runtime[OrderContext]) -> OrderState:
    version = state.get("version", 1)
    order_id = uuid.UUID(state["order_id"])
    feedback = None
    if version > 1:
        with runtime.context.tools.backends.db.session() as session:
            repo.reset_steps(session, order_id, DESIGN_ROUND)
            previous = repo.get_design_version(session, order_id, version - 1)
            feedback = previous.feedback if previous else None
    args = {"order_id": state["order_id"], "version": version, "feedback": feedback}
    result: Any = call_tool(runtime, "generate_design", "generate_design", args)
    return {
        "design_file": result.file_name,
        "design_sha256": result.sha256,
        "design_engine": result.engine,
    }


def fill_workbook(state: OrderState, runtime: Runtime[OrderContext]) -> OrderState:
    result: Any = call_tool(
        runtime, "fill_workbook", "fill_order_workbook", {"order_id": state["order_id"]}
    )
    return {"workbook_file": result.file_name, "workbook_sha256": result.sha256}


def upload_files(state: OrderState, runtime: Runtime[OrderContext]) -> OrderState:
    files = [state["design_file"], state["workbook_file"]]
    result: Any = call_tool(
        runtime, "upload_files", "upload_files", {"order_id": state["order_id"], "files": files}
    )
    return {"uploaded": [f.path for f in result.files]}


def notify_review(state: OrderState, runtime: Runtime[OrderContext]) -> OrderState:
    args = {"order_id": state["order_id"], "event": "design_ready", "version": state["version"]}
    call_tool(runtime, "notify_review", "notify", args)
    return {}


def await_review(state: OrderState) -> OrderState:
    """Pause until the design is approved or changes are requested.

    Nothing comes before ``interrupt``: the node re-runs from its start on resume.
    """
    decision: ReviewDecision = interrupt(
        {"order_id": state["order_id"], "version": state["version"], "design": state["design_file"]}
    )
    if decision.get("approved"):
        return {"decision": "approved"}
    # The feedback itself was stored on the design version by whoever recorded the review.
    return {"decision": "changes_requested", "version": state["version"] + 1}


def after_review(state: OrderState) -> str:
    return "finalize" if state.get("decision") == "approved" else "generate_design"


def finalize(state: OrderState, runtime: Runtime[OrderContext]) -> OrderState:
    """Mark the workbook approved, upload it, and tell customer and operator."""
    order_id = state["order_id"]
    workbook: Any = call_tool(runtime, "finalize", "fill_order_workbook", {"order_id": order_id})
    call_tool(
        runtime, "finalize", "upload_files", {"order_id": order_id, "files": [workbook.file_name]}
    )
    call_tool(
        runtime,
        "finalize",
        "notify",
        {"order_id": order_id, "event": "order_completed", "version": state["version"]},
    )
    return {"workbook_file": workbook.file_name, "workbook_sha256": workbook.sha256}
