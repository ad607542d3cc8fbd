"""The order pipeline's tools: folder, design, workbook, upload, notify.

Each is idempotent, because a retried or resumed step runs again: find-or-create the folder,
reuse a design version whose file is intact, skip uploads whose checksum is already there, send
one notification per (order, event, version, audience).

The files they make are kept with the order in the database (persistence/repositories/
kept_files.py), never on one machine's disk: any process can run the next step, and the
storage being down loses nothing.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from datetime import UTC
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from persistence import slots
from persistence.models import DesignVersion, Order, OrderStatus
from persistence.repositories import kept_files, leases
from persistence.repositories import notifications as outbox
from persistence.repositories import orders as repo
from tools.context import ToolContext
from tools.design.base import DesignRequest, ProgressCallback
from tools.errors import Conflict, InvalidInput, NotFound
from tools.log_privacy import exception_name
from tools.metrics import DESIGN_SECONDS
from tools.notify.base import DeliveryError, Message
from tools.orders import find_order
from tools.products import get_product
from tools.storage.mime import XLSX
from tools.workbook import WorkbookOrder, WorkbookVersion, order_workbook

log = logging.getLogger(__name__)


class OrderRef(BaseModel):
    order_id: uuid.UUID = Field(description="The order's id")


class FolderResult(BaseModel):
    folder_path: str = Field(description="The order's folder, relative to the drive root")


class GenerateDesignArgs(BaseModel):
    order_id: uuid.UUID
    version: int = Field(default=1, ge=1, description="Design version to make (1, 2, …)")
    feedback: str | None = Field(default=None, description="Reviewer feedback to apply")


class DesignVersionResult(BaseModel):
    version: int
    file_name: str = Field(description="The design PNG among the order's files")
    sha256: str
    engine: str
    model: str | None
    width: int
    height: int
    reused: bool = Field(description="True when this version already existed intact")


class WorkbookResult(BaseModel):
    file_name: str = Field(description="The workbook among the order's files")
    sha256: str


class UploadFilesArgs(BaseModel):
    order_id: uuid.UUID
    files: list[str] = Field(min_length=1, description="Names of the order's files")


class UploadedFile(BaseModel):
    name: str
    path: str = Field(description="Where it is in the drive")
    sha256: str
    uploaded: bool = Field(description="False when an identical file was already there")
    id: str | None = Field(default=None, description="The file's Drive id (Google Drive)")
    link: str | None = Field(default=None, description="Where to open it (Google Drive)")


KEPT_FILE_FIELDS = {"name", "path", "sha256", "id", "link"}


class UploadResult(BaseModel):
    files: list[UploadedFile]


NotifyEvent = Literal["design_ready", "order_completed"]

# When each event is true of an order: while the order rests in the status, or while the
# pipeline is at the step that sends it (the order is processing then). Every caller (admin
# chat, a route, the pipeline) goes through this, so none can tell a customer something false.
EVENT_STATES: dict[NotifyEvent, tuple[OrderStatus, str]] = {
    "design_ready": (OrderStatus.AWAITING_APPROVAL, "notify_review"),
    "order_completed": (OrderStatus.COMPLETED, "finalize"),
}


class NotifyArgs(BaseModel):
    order_id: str = Field(
        min_length=8, max_length=36, description="The order's id, or its first 8+ characters"
    )
    event: NotifyEvent
    version: int = Field(ge=1)


class NotificationResult(BaseModel):
    audience: str
    recipient: str | None
    status: str
    channels: list[str]


# How long a claimed notification is its claimer's to deliver: longer than every channel's
# retries together. A caller that died holding one lets it go after this; an order run lets it
# go sooner, with its lease (persistence/repositories/notifications.py). So a run stalled past
# its lease mid-delivery can see the next run send it again: at least once, with the same
# delivery id, as everything a run does once it lost its lease.
CLAIM_S = 300


class NotifyResult(BaseModel):
    notifications: list[NotificationResult]


def order_folder_name(order: Order) -> str:
    """``2026-11-24 mug 1a2b3c4d``: sortable, readable, unique by the id's prefix. No personal
    data: folder names show in the drive, in paths and in logs; the workbook inside names the
    customer."""
    return f"{order.created_at:%Y-%m-%d} {order.product} {order.id.hex[:8]}"


ORDER_MARK = "atelier_order_id"  # the property that marks an order's folder in Google Drive


def order_mark(order_id: uuid.UUID) -> dict[str, str]:
    return {ORDER_MARK: str(order_id)}


def create_order_folder(ctx: ToolContext, args: OrderRef) -> FolderResult:
    """Find or create the order's folder under Orders/ in the drive.

    Args:
        order_id: the order.
    Returns:
        folder_path: the folder, relative to the drive root.
    """
    order = find_order(ctx, args.order_id)
    folder = ctx.backends.storage.ensure_folder(
        f"Orders/{order_folder_name(order)}", mark=order_mark(order.id)
    )
    with ctx.backends.db.session() as session:
        repo.update_order(session, order.id, folder_path=folder)
    return FolderResult(folder_path=folder)


def generate_design(ctx: ToolContext, args: GenerateDesignArgs) -> DesignVersionResult:
    """Generate design version ``version`` of an order with the configured engine.

    Args:
        order_id: the order.
        version: the version number to make; an intact existing version is reused.
        feedback: what the reviewer asked to change (for versions after the first).
    Returns:
        the design file, its checksum, size and the engine and model that made it.
    """
    order = find_order(ctx, args.order_id)
    file_name = f"design-v{args.version}.png"
    db = ctx.backends.db
    with db.session() as session:
        existing = repo.get_design_version(session, order.id, args.version)
        kept = kept_files.digest_of(session, order.id, file_name)
        if existing and kept == existing.sha256:
            return _design_result(existing, reused=True)
        reference = _reference_image(session, order)

    request = DesignRequest(
        order_id=str(order.id),
        brief=order.brief,
        product=get_product(order.product),
        version=args.version,
        reference_image=reference,
        feedback=args.feedback,
        options={k: str(v) for k, v in order.options.items()},
        # Stable per (order, version): a re-run draws the same design.
        seed=int.from_bytes(hashlib.sha256(f"{order.id}:{args.version}".encode()).digest()[:4]),
    )
    # One customer's many orders must not take every generator: they queue for a few slots.
    customer_slots = ctx.backends.settings.design_slots_per_customer
    with slots.slot(db, f"design:{order.customer_sub}", customer_slots):
        started = time.perf_counter()
        result = ctx.backends.design_engine.generate(request, _progress_recorder(ctx, order.id))
        DESIGN_SECONDS.labels(result.engine).observe(time.perf_counter() - started)
    with db.session() as session:
        # The design and its version row in one transaction: never one without the other.
        digest = kept_files.keep(session, order.id, file_name, result.png, "image/png")
        fields = dict(
            engine=result.engine,
            model=result.model,
            file_name=file_name,
            sha256=digest,
            width=result.width,
            height=result.height,
        )
        row = repo.get_design_version(session, order.id, args.version)
        if row is None:
            row = repo.add_design_version(
                session, order_id=order.id, version=args.version, **fields
            )
        else:
            for key, value in fields.items():
                setattr(row, key, value)
        return _design_result(row, reused=False)


def _reference_image(session: Session, order: Order) -> bytes | None:
    """The customer's reference image, kept with the order when it was placed."""
    if order.reference_image is None:
        return None
    data = kept_files.read(session, order.id, order.reference_image)
    if data is None:
        raise NotFound(f"order {order.id}'s reference image is not kept any more")
    return data


PROGRESS_INTERVAL_S = 0.5


def _progress_recorder(ctx: ToolContext, order_id: uuid.UUID) -> ProgressCallback:
    """Record the engine's steps on the order (at most every half second, and the last one),
    so GET /orders/{id} shows how far the design is."""
    last = 0.0

    def record(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if done < total and now - last < PROGRESS_INTERVAL_S:
            return
        last = now
        with ctx.backends.db.session() as session:
            repo.record_progress(session, order_id, "generate_design", done, total)

    return record


def _design_result(row: DesignVersion, *, reused: bool) -> DesignVersionResult:
    return DesignVersionResult(
        version=row.version,
        file_name=row.file_name,
        sha256=row.sha256,
        engine=row.engine,
        model=row.model,
        width=row.width,
        height=row.height,
        reused=reused,
    )


def fill_order_workbook(ctx: ToolContext, args: OrderRef) -> WorkbookResult:
    """Write the order's Excel workbook: order sheet with the current design, version history.

    Args:
        order_id: the order.
    Returns:
        the workbook's name among the order's files and its checksum.
    """
    order = find_order(ctx, args.order_id)
    product = get_product(order.product)
    versions = [
        WorkbookVersion(
            version=v.version,
            engine=v.engine,
            model=v.model,
            created_at=v.created_at,
            feedback=v.feedback,
            decision=v.decision,
            file_name=v.file_name,
        )
        for v in order.design_versions
    ]
    approved = next((v for v in order.design_versions if v.decision == "approved"), None)
    latest = order.design_versions[-1] if order.design_versions else None
    book = WorkbookOrder(
        order_id=str(order.id),
        customer_name=order.customer_name,
        customer_email=order.customer_email,
        customer_phone=order.customer_phone,
        product_key=product.key,
        product_name=product.name,
        options={k: str(v) for k, v in order.options.items()},
        quantity=order.quantity,
        unit_price=product.unit_price,
        brief=order.brief,
        status="approved" if approved else order.status,
        created_at=order.created_at.astimezone(UTC),
        updated_at=order.updated_at.astimezone(UTC),
        approved_at=approved.created_at if approved else None,
    )
    file_name = f"order-{order.id.hex[:8]}.xlsx"
    with ctx.backends.db.session() as session:
        design = kept_files.read(session, order.id, latest.file_name) if latest else None
        digest = kept_files.keep(
            session, order.id, file_name, order_workbook(book, versions, design), XLSX
        )
    return WorkbookResult(file_name=file_name, sha256=digest)


def upload_files(ctx: ToolContext, args: UploadFilesArgs) -> UploadResult:
    """Upload the order's files into its drive folder, skipping unchanged ones.

    Args:
        order_id: the order; its folder must exist (create_order_folder).
        files: names of the order's files (its designs and workbook).
    Returns:
        each file's drive path and checksum, and whether it was uploaded or already there.
    """
    order = find_order(ctx, args.order_id)
    if not order.folder_path:
        raise Conflict(f"order {order.id} has no folder yet; run create_order_folder first")
    contents: dict[str, bytes] = {}
    with ctx.backends.db.session() as session:
        for name in args.files:
            data = kept_files.read(session, order.id, name)
            if data is None:
                raise InvalidInput(f"order {order.id} has no file {name!r}")
            contents[name] = data
    storage = ctx.backends.storage
    # The folder carrying the order's mark (Google Drive), never one that only has its name.
    folder = storage.ensure_folder(order.folder_path, mark=order_mark(order.id))
    uploaded = [
        UploadedFile(
            name=stored.name,
            path=stored.path,
            sha256=stored.sha256 or "",  # put_files always reports the checksum it compared
            uploaded=stored.uploaded,
            id=stored.id,
            link=stored.link,
        )
        for stored in storage.put_files(folder, contents)
    ]
    with ctx.backends.db.session() as session:
        locked = repo.get_order(session, order.id, for_update=True)
        assert locked is not None
        if locked.folder_path != folder:  # renamed in the drive meanwhile
            locked.folder_path = folder
        files = {f["name"]: f for f in locked.files}
        # What the order keeps of each file; the Drive id and link only where there are.
        files.update(
            {f.name: f.model_dump(include=KEPT_FILE_FIELDS, exclude_none=True) for f in uploaded}
        )
        locked.files = sorted(files.values(), key=lambda f: f["name"])
    return UploadResult(files=uploaded)


def _messages(
    order: Order, event: NotifyEvent, version: int, operator: str | None
) -> list[dict[str, Any]]:
    ref = order.id.hex[:8]
    if event == "design_ready":
        customer = (
            f"Your design for order {ref} (version {version}) is ready",
            f"Hello {order.customer_name},\n\nversion {version} of your {order.product} design is "
            "ready for your review. Approve it, or tell us what to change.\n",
        )
        staff = (
            f"Order {ref}: design v{version} awaits approval",
            f"Order {order.id} awaits review.",
        )
    else:
        customer = (
            f"Order {ref} is approved",
            f"Hello {order.customer_name},\n\nthank you: your design (version {version}) is "
            "approved and your order goes to production.\n",
        )
        staff = (f"Order {ref} approved (v{version})", f"Order {order.id} is ready for production.")
    payload = {"order_id": str(order.id), "version": version, "folder": order.folder_path}
    return [
        dict(
            audience="customer",
            recipient=order.customer_email,
            subject=customer[0],
            body=customer[1],
            payload=payload,
        ),
        dict(
            audience="operator",
            recipient=operator,
            subject=staff[0],
            body=staff[1],
            payload=payload,
        ),
    ]


def check_event_fits(order: Order, event: NotifyEvent, version: int) -> None:
    """Refuse, with a Conflict naming the order's state, an event that state contradicts: a
    status or step the event does not belong to (EVENT_STATES), or a design version other
    than the order's current one."""
    status, step = EVENT_STATES[event]
    at_step = order.status == OrderStatus.PROCESSING and order.current_step == step
    if order.status != status and not at_step:
        where = f" at step {order.current_step}" if order.current_step else ""
        raise Conflict(
            f"order {order.id} is {order.status}{where}; {event} is sent only while it is "
            f"{status} or at its {step} step"
        )
    current = order.design_versions[-1].version if order.design_versions else None
    if version != current:
        has = f"its current design is version {current}" if current else "it has no design yet"
        raise Conflict(f"order {order.id} is {order.status} and {has}; not version {version}")


def notify(ctx: ToolContext, args: NotifyArgs) -> NotifyResult:
    """Notify the customer and the operator of an order event, once per design version.

    The notifications are written to the outbox first; delivery then goes to every configured
    channel (log, webhook, SMTP). A repeated call sends nothing already sent.

    Args:
        order_id: the order.
        event: design_ready (while its design awaits approval) or order_completed (once the
            order is approved and completed).
        version: the order's current design version, the one the event is about.
    Returns:
        each notification's audience, recipient, status and the channels that delivered it.
    Raises:
        Conflict: the order's state contradicts the event (see check_event_fits).
    """
    order = find_order(ctx, args.order_id)
    db = ctx.backends.db
    with db.session() as session:
        # Checked on the locked row, so a decision on the order cannot slip in between the
        # check and the outbox rows (approve_order takes the same lock).
        locked = repo.get_order(session, order.id, for_update=True)
        assert locked is not None  # orders are never deleted
        check_event_fits(locked, args.event, args.version)
        for fields in _messages(
            locked, args.event, args.version, ctx.backends.settings.operator_email
        ):
            outbox.enqueue(
                session, order_id=order.id, event=args.event, version=args.version, **fields
            )
        rows = outbox.for_event(session, order.id, args.event, args.version)
    failures: list[str] = []
    for row in rows:
        if row.status == "sent":
            continue
        # Claim, commit, deliver, mark: no transaction stays open while a channel talks to a
        # webhook or a mail server, and a claim keeps other runs from sending it meanwhile.
        with db.session() as session:
            claimed = outbox.claim(session, row.id, CLAIM_S, run=leases.current_run())
            if claimed is None:
                continue
            delivered = list(claimed.channels)
            message = Message(
                key=f"{order.id}:{args.event}:v{args.version}:{claimed.audience}",
                event=args.event,
                audience=claimed.audience,
                recipient=claimed.recipient,
                subject=claimed.subject,
                body=claimed.body,
                payload=claimed.payload,
            )
        errors = []
        for channel in ctx.backends.channels:
            if channel.name in delivered:
                continue  # a retry resends only what failed
            try:
                channel.deliver(message)
                delivered.append(channel.name)
            except DeliveryError as exc:
                # Ours, never the channel's message: it goes into the outbox row, the step's
                # error and the logs, and a channel's message may quote what it was sent
                # (an address, a server's reply). Our channels log their own details.
                errors.append(f"{channel.name}: {exception_name(exc)}")
        with db.session() as session:
            outbox.mark(
                session,
                row.id,
                sent=not errors,
                channels=delivered,
                error="; ".join(errors) or None,
            )
        failures.extend(errors)
    if failures:
        raise DeliveryError("notification delivery failed: " + "; ".join(failures))
    with db.session() as session:
        rows = outbox.for_event(session, order.id, args.event, args.version)
        return NotifyResult(
            notifications=[
                NotificationResult(
                    audience=r.audience, recipient=r.recipient, status=r.status, channels=r.channels
                )
                for r in rows
            ]
        )
