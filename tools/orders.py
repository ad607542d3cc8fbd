"""Order tools: look orders up, list them, retry a failed one, approve or send back a design.

The same functions serve the order routes (customers included, limited to their own orders)
and the registry (operators and admins). Runs are handed to the dispatcher only after the
commit that made them possible.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from persistence.models import Order, OrderStatus
from persistence.repositories import leases, order_reads, order_status
from persistence.repositories import orders as repo
from persistence.repositories.order_reads import OrderRead
from tools.context import ToolContext
from tools.errors import Conflict, InvalidInput, NotFound
from tools.safe_text import SafeLine, SafeText
from tools.tracing import TraceLink, Tracing

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# Far past any page a person reads, and well inside PostgreSQL's bigint.
MAX_OFFSET = 1_000_000


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: SafeLine = Field(min_length=1, max_length=200)
    email: SafeLine = Field(max_length=320, pattern=EMAIL_PATTERN)
    phone: SafeLine | None = Field(default=None, max_length=40)


class WorkDone(BaseModel):
    done: int
    total: int


class StepProgress(BaseModel):
    step: str
    status: str
    attempts: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    progress: WorkDone | None = Field(default=None, description="Work done inside the step")


class DesignVersionView(BaseModel):
    version: int
    engine: str
    model: str | None
    file: str
    sha256: str
    width: int
    height: int
    created_at: datetime
    decision: str | None
    feedback: str | None


class StoredFileView(BaseModel):
    name: str
    path: str
    sha256: str
    id: str | None = Field(default=None, description="The file's Drive id (Google Drive)")
    link: str | None = Field(
        default=None, description="Where a person opens it: Drive's webViewLink (Google Drive)"
    )


class OrderView(BaseModel):
    """An order as callers see it: status, progress, files and design versions."""

    id: uuid.UUID
    session_id: uuid.UUID
    status: OrderStatus
    current_step: str | None
    failed_step: str | None
    error: str | None
    customer: Customer
    product: str
    options: dict[str, Any]
    quantity: int
    brief: str
    has_reference_image: bool
    progress_percent: int = Field(
        description="How far the current run is: a design round reaches 100 when the design "
        "awaits approval; after approval, finalizing reaches 100 when the order is completed"
    )
    folder_path: str | None
    files: list[StoredFileView]
    steps: list[StepProgress]
    design_versions: list[DesignVersionView]
    created_at: datetime
    updated_at: datetime
    trace: TraceLink | None = Field(
        default=None, description="The LangSmith trace of the latest run, when tracing is on"
    )


class OrderList(BaseModel):
    items: list[OrderView]
    total: int
    limit: int
    offset: int


class OrderId(BaseModel):
    order_id: SafeLine = Field(
        min_length=8, max_length=36, description="The order's id, or its first 8+ characters"
    )


class ListOrdersArgs(BaseModel):
    status: OrderStatus | None = Field(default=None, description="Only orders in this status")
    customer: SafeLine | None = Field(
        default=None, max_length=200, description="Customer name, e-mail or account contains"
    )
    created_after: date | None = Field(default=None, description="Created on or after (ISO date)")
    created_before: date | None = Field(default=None, description="Created before (ISO date)")
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)

    @model_validator(mode="after")
    def _range(self) -> ListOrdersArgs:
        if self.created_after and self.created_before and self.created_before <= self.created_after:
            raise ValueError("created_before must be after created_after")
        return self


class Review(BaseModel):
    """A decision on an order's current design (the body of POST /orders/{id}/approve)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"approved": True},
                {"approved": False, "feedback": "Make the fox orange and the moon larger"},
            ]
        },
    )

    approved: bool
    feedback: SafeText | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _feedback_when_rejected(self) -> Review:
        if not self.approved and not (self.feedback and self.feedback.strip()):
            raise ValueError("feedback is required when requesting changes")
        return self


class ReviewArgs(Review):
    # Tool arguments reach validation with the injected runtime beside them: not forbidden.
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {"order_id": "3f1c2a9e", "approved": True},
                {"order_id": "3f1c2a9e", "approved": False, "feedback": "Make the fox orange"},
            ]
        },
    )

    order_id: SafeLine = Field(min_length=8, max_length=36)


# A design round's steps and their share of its time (the design dominates).
ROUND_WEIGHTS = {
    "create_folder": 1,
    "generate_design": 6,
    "fill_workbook": 1,
    "upload_files": 1,
    "notify_review": 1,
}


def progress_percent(order: Any) -> int:
    """How far the current run is, from its steps' records (see OrderView.progress_percent).
    ``order``: anything with the order's status, current_step and steps (a row, an Order)."""
    if order.status in (OrderStatus.AWAITING_APPROVAL, OrderStatus.COMPLETED):
        return 100
    steps = {s["step"]: s for s in order.steps}
    if order.current_step in ("await_review", "finalize"):
        finalize = steps.get("finalize", {})
        return 50 if finalize.get("status") == "running" else 0
    done = 0.0
    for step, weight in ROUND_WEIGHTS.items():
        entry = steps.get(step, {})
        if entry.get("status") == "done":
            done += weight
        elif entry.get("status") == "running" and entry.get("progress"):
            work = entry["progress"]
            done += weight * work["done"] / max(1, work["total"])
    return min(99, int(100 * done / sum(ROUND_WEIGHTS.values())))


def view_fields(read: OrderRead, tracing: Tracing) -> dict[str, Any]:
    """The order's OrderView as plain fields. Validated in one call (``OrderView`` for one
    order, ``OrderList`` for a page), pydantic checks the whole nested structure at once: a
    page of 20 built model by model (a StepProgress per step, a view per version) spent a third
    of its time in those constructors."""
    order = read.order
    return {
        "id": order.id,
        "session_id": order.session_id,
        "status": order.status,
        "current_step": order.current_step,
        "failed_step": order.failed_step,
        "error": order.error,
        # Stored data is shown as it is: the checks are for what comes in (a model instance
        # is taken as it is, not validated again).
        "customer": Customer.model_construct(
            name=order.customer_name, email=order.customer_email, phone=order.customer_phone
        ),
        "product": order.product,
        "options": order.options,
        "quantity": order.quantity,
        "brief": order.brief,
        "has_reference_image": order.reference_image is not None,
        "progress_percent": progress_percent(order),
        "folder_path": order.folder_path,
        "files": order.files,
        "steps": order.steps,
        "design_versions": [
            {
                "version": v.design_version,
                "engine": v.design_engine,
                "model": v.design_model,
                "file": v.design_file_name,
                "sha256": v.design_sha256,
                "width": v.design_width,
                "height": v.design_height,
                "created_at": v.design_created_at,
                "decision": v.design_decision,
                "feedback": v.design_feedback,
            }
            for v in read.versions
        ],
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "trace": tracing.link(order.trace_id),
    }


def order_view(read: OrderRead, tracing: Tracing) -> OrderView:
    return OrderView.model_validate(view_fields(read, tracing))


def find_order(ctx: ToolContext, order_id: str | uuid.UUID) -> Order:
    """The order by id or unique id prefix, if the caller may see it; NotFound otherwise."""
    principal = ctx.principal
    owner = None if principal.sees_all_orders else principal.sub
    with ctx.backends.db.reading() as session:
        if isinstance(order_id, uuid.UUID):
            order = repo.get_order(session, order_id)
        else:
            order = _by_id_or_prefix(session, order_id.strip().lower(), owner)
    if order is None or (owner is not None and order.customer_sub != owner):
        raise NotFound(f"order {order_id} not found")
    return order


def _by_id_or_prefix(session: Any, text: str, owner: str | None) -> Order | None:
    try:
        return repo.get_order(session, uuid.UUID(text))
    except ValueError:
        pass
    matches = repo.orders_with_id_prefix(session, text.replace("-", ""), customer_sub=owner)
    if len(matches) > 1:
        raise InvalidInput(f"several orders start with {text!r}; give more of the id")
    return matches[0] if matches else None


def show_order(ctx: ToolContext, order_id: str | uuid.UUID) -> OrderView:
    """The order as the caller sees it (see find_order), read for showing (order_reads): a
    full id in one statement; a prefix is found first."""
    try:
        full_id = order_id if isinstance(order_id, uuid.UUID) else uuid.UUID(order_id.strip())
    except ValueError:
        full_id = find_order(ctx, order_id).id
    owner = None if ctx.principal.sees_all_orders else ctx.principal.sub
    with ctx.backends.db.reading() as session:
        read = order_reads.get(session, full_id)
    if read is None or (owner is not None and read.order.customer_sub != owner):
        raise NotFound(f"order {order_id} not found")
    return order_view(read, ctx.backends.tracing)


def get_order(ctx: ToolContext, args: OrderId) -> OrderView:
    """Look up one order: status, current step, progress, files and design versions.

    Args:
        order_id: the order's id, or its first 8 or more characters.
    """
    return show_order(ctx, args.order_id)


def list_orders(ctx: ToolContext, args: ListOrdersArgs) -> OrderList:
    """List orders newest first, filtered by status, customer and creation dates.

    Args:
        status: received, processing, awaiting_approval, completed, failed or cancelled.
        customer: part of the customer's name, e-mail or account.
        created_after: only orders created on or after this date.
        created_before: only orders created before this date.
        limit: how many to return (at most 100).
    """
    principal = ctx.principal
    with ctx.backends.db.reading() as session:
        reads, total = order_reads.page(
            session,
            customer_sub=None if principal.sees_all_orders else principal.sub,
            status=args.status,
            customer=args.customer,
            created_after=_start_of(args.created_after),
            created_before=_start_of(args.created_before),
            limit=args.limit,
            offset=args.offset,
        )
    return OrderList.model_validate(
        {
            "items": [view_fields(read, ctx.backends.tracing) for read in reads],
            "total": total,
            "limit": args.limit,
            "offset": args.offset,
        }
    )


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min).astimezone() if day else None


def retry_order(ctx: ToolContext, args: OrderId) -> OrderView:
    """Retry a failed order: re-run the step that failed, then carry on.

    Args:
        order_id: the failed order's id, or its first 8 or more characters.
    """
    order = find_order(ctx, args.order_id)
    with ctx.backends.db.session() as session:
        moved = order_status.move(
            session,
            order.id,
            OrderStatus.PROCESSING,
            only_from=(OrderStatus.FAILED,),
            error=None,
            dispatched_at=leases.QUEUED_NOW,
        )
    if not moved:
        raise Conflict(f"order {order.id} is {order.status}; only a failed order can be retried")
    ctx.dispatcher.run(order.id)
    return show_order(ctx, order.id)


def approve_order(ctx: ToolContext, args: ReviewArgs) -> OrderView:
    """Approve an order's current design, or send it back with feedback for a new version.

    Args:
        order_id: the order awaiting approval, or its first 8 or more characters.
        approved: true to approve; false to request changes.
        feedback: what should change (required when approved is false).
    """
    order = find_order(ctx, args.order_id)
    feedback = args.feedback.strip() if args.feedback else None
    with ctx.backends.db.session() as session:
        locked = repo.get_order(session, order.id, for_update=True)
        assert locked is not None
        if locked.status != OrderStatus.AWAITING_APPROVAL:
            raise Conflict(
                f"order {order.id} is {locked.status}; only an order awaiting approval "
                "can be approved or sent back"
            )
        latest = locked.design_versions[-1]
        latest.decision = "approved" if args.approved else "changes_requested"
        latest.feedback = feedback
        order_status.set_status(locked, OrderStatus.PROCESSING)
        locked.dispatched_at = leases.QUEUED_NOW
    ctx.dispatcher.run(order.id)  # the run reads the decision recorded here
    return show_order(ctx, order.id)
