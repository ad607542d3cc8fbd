"""The summary-sheet tool: orders grouped by product, status, customer or day, with a chart."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from persistence.repositories import order_reads
from tools.cells import CellValue
from tools.context import ToolContext
from tools.drive import OPEN_LINK, resolve_folder
from tools.errors import InvalidInput
from tools.products import PRODUCTS
from tools.safe_text import SafeLine
from tools.storage.base import ChartSpec, SheetLayout, StoredFile
from tools.storage.local import clean_name
from tools.storage.mime import SHEET_SUFFIX
from tools.workbook import ORDER_SHEET, order_fields

log = logging.getLogger(__name__)

GroupBy = Literal["product", "status", "customer", "day"]
Source = Literal["orders", "workbooks"]
SUMMARIES = "Summaries"
MAX_ORDERS = 100_000


def _orders_only() -> list[Source]:
    return ["orders"]


class SummaryArgs(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "sources": ["orders"],
                    "group_by": "product",
                    "start": "2026-11-01",
                    "end": "2026-11-30",
                }
            ]
        }
    }

    sources: list[Source] = Field(
        default_factory=_orders_only, min_length=1, description="orders and/or workbooks"
    )
    group_by: GroupBy = Field(default="product", description="product, status, customer or day")
    start: date | None = Field(default=None, description="First day included (ISO date)")
    end: date | None = Field(default=None, description="Last day included (ISO date)")
    folder: SafeLine | None = Field(
        default=None, max_length=500, description="Where to read workbooks from (default Orders)"
    )
    title: SafeLine | None = Field(default=None, max_length=150, description="The new sheet's name")

    @model_validator(mode="after")
    def _range(self) -> SummaryArgs:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"the end date {self.end} is before the start date {self.start}")
        return self


class SummaryRow(BaseModel):
    group: str
    orders: int
    quantity: int
    total: float


class Summary(BaseModel):
    path: str = Field(description="The new summary sheet in the drive")
    link: str | None = Field(default=None, description=OPEN_LINK)
    group_by: GroupBy
    start: date | None
    end: date | None
    sources: list[Source]
    rows: list[SummaryRow]
    totals: SummaryRow


@dataclass(frozen=True)
class _Entry:
    order_id: str
    product: str
    status: str
    customer: str
    quantity: int
    total: float
    created: datetime


def _in_range(created: datetime, start: date | None, end: date | None) -> bool:
    day = created.astimezone(UTC).date() if created.tzinfo else created.date()
    return (start is None or day >= start) and (end is None or day <= end)


def _from_database(ctx: ToolContext, start: date | None, end: date | None) -> list[_Entry]:
    after = datetime.combine(start, time.min, tzinfo=UTC) if start else None
    before = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC) if end else None
    with ctx.backends.db.reading() as session:
        reads, _ = order_reads.page(
            session, created_after=after, created_before=before, limit=MAX_ORDERS
        )
    return [
        _Entry(
            order_id=str(o.id),
            product=o.product,
            status=o.status,
            customer=o.customer_name,
            quantity=o.quantity,
            total=o.quantity * (PRODUCTS[o.product].unit_price if o.product in PRODUCTS else 0.0),
            created=o.created_at,
        )
        for o in (read.order for read in reads)
    ]


def _from_workbooks(
    ctx: ToolContext, folder: str, start: date | None, end: date | None
) -> list[_Entry]:
    storage = ctx.backends.storage
    entries = []
    # Sheets named order-…, in the folder and below (Drive: one query per level, not per folder).
    workbooks, _ = storage.find_sheets(folder, name_contains="order-", limit=MAX_ORDERS)
    for file in workbooks:
        if not file.name.startswith("order-"):
            continue
        try:
            fields = order_fields(storage.read_sheet(file, ORDER_SHEET), repr(file.path))
        except (ValueError, InvalidInput) as exc:
            log.warning("skipping %s in the summary: %s", file.path, exc)
            continue
        if _in_range(fields.created_at, start, end):
            entries.append(
                _Entry(
                    order_id=fields.order_id,
                    product=fields.product_key,
                    status=fields.status,
                    customer=fields.customer_name,
                    quantity=fields.quantity,
                    total=fields.quantity * fields.unit_price,
                    created=fields.created_at,
                )
            )
    return entries


def _group_key(entry: _Entry, group_by: GroupBy) -> str:
    if group_by == "day":
        created = entry.created.astimezone(UTC) if entry.created.tzinfo else entry.created
        return created.date().isoformat()
    return {"product": entry.product, "status": entry.status, "customer": entry.customer}[group_by]


def _sheet(
    args: SummaryArgs, rows: list[SummaryRow], totals: SummaryRow
) -> tuple[list[list[CellValue]], ChartSpec | None, SheetLayout]:
    """The summary's cells, its chart (orders per group) and how it looks."""
    span = f"{args.start or 'the beginning'} to {args.end or 'today'}"
    title = f"Orders by {args.group_by}, {span} ({' + '.join(args.sources)})"
    # A group is data (a customer's name, a product or status a person typed in a workbook):
    # write_sheet keeps every string text.
    body: list[list[CellValue]] = [[row.group, row.orders, row.quantity, row.total] for row in rows]
    cells: list[list[CellValue]] = [
        [title],
        [args.group_by.capitalize(), "Orders", "Quantity", "Total"],
        *body,
        ["Total", totals.orders, totals.quantity, totals.total],
    ]
    last = 2 + len(rows)
    chart = ChartSpec(f"Orders by {args.group_by}", header_row=2, last_row=last) if rows else None
    layout = SheetLayout(
        tab="Summary",
        heading_row=1,
        bold_rows=(2, last + 1),
        money_column=4,
        money_from_row=3,
        first_column_width=30,
    )
    return cells, chart, layout


def build_summary_sheet(ctx: ToolContext, args: SummaryArgs) -> Summary:
    """Build a summary sheet of orders grouped by product, status, customer or day.

    Reads the orders in the database and/or the order workbooks in a folder, over a date
    range, and writes a new sheet (counts, quantities, totals and a chart) into Summaries/.

    Args:
        sources: "orders" (the database), "workbooks" (order workbooks in a folder), or both.
        group_by: product, status, customer or day.
        start: first day included; end: last day included (ISO dates; end not before start).
        folder: where to read workbooks from (default Orders).
        title: the new sheet's name (default describes the summary).
    Returns:
        where the sheet is, and the grouped figures with their totals.
    """
    entries: dict[str, _Entry] = {}
    # A named folder is checked even when only the database is read: a bad name is an error.
    if args.folder is not None or "workbooks" in args.sources:
        folder = resolve_folder(ctx.backends.storage, args.folder or "Orders")
    if "workbooks" in args.sources:
        entries.update((e.order_id, e) for e in _from_workbooks(ctx, folder, args.start, args.end))
    if "orders" in args.sources:
        # The database wins where both know an order: a workbook may lag behind.
        entries.update((e.order_id, e) for e in _from_database(ctx, args.start, args.end))
    groups: dict[str, list[_Entry]] = defaultdict(list)
    for entry in entries.values():
        groups[_group_key(entry, args.group_by)].append(entry)
    rows = [
        SummaryRow(
            group=key,
            orders=len(items),
            quantity=sum(e.quantity for e in items),
            total=round(sum(e.total for e in items), 2),
        )
        for key, items in sorted(groups.items())
    ]
    totals = SummaryRow(
        group="Total",
        orders=sum(r.orders for r in rows),
        quantity=sum(r.quantity for r in rows),
        total=round(sum(r.total for r in rows), 2),
    )
    stored = _store(ctx, args, *_sheet(args, rows, totals))
    return Summary(
        path=stored.path,
        link=stored.link,
        group_by=args.group_by,
        start=args.start,
        end=args.end,
        sources=args.sources,
        rows=rows,
        totals=totals,
    )


def _store(
    ctx: ToolContext,
    args: SummaryArgs,
    cells: list[list[CellValue]],
    chart: ChartSpec | None,
    layout: SheetLayout,
) -> StoredFile:
    """Write the sheet into Summaries/ under a name no other file has (never overwrites; a
    native Google Sheet's name has no .xlsx)."""
    storage = ctx.backends.storage
    folder = storage.ensure_folder(SUMMARIES)
    base = clean_name(args.title.strip()) if args.title else _default_title(args)
    name = base.removesuffix(SHEET_SUFFIX) + SHEET_SUFFIX
    return storage.write_sheet(folder, name, cells, chart, layout, number_if_taken=True)


def _default_title(args: SummaryArgs) -> str:
    end = args.end or date.today()
    span = f"{args.start} to {end}" if args.start else f"until {end}"
    return f"Orders by {args.group_by} {span}"
