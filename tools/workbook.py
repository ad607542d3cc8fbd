"""The order workbook: one .xlsx per order that a person can open, read and approve in.

Sheet "Order" lists the order as field/value rows with the current design's preview beside them;
sheet "Versions" lists every design version. Writing is reproducible: the same inputs give a
byte-identical file (the zip entries and document properties carry ``updated_at``, not the
clock), so the returned sha256 can tell an upload step whether anything changed.

Excel has no time zones: every date is written as naive UTC, and the labels say so.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.functions import tostring
from PIL import Image

from tools.cells import CellValue, write_cell, write_row
from tools.log_privacy import exception_name

__all__ = [
    "ORDER_SHEET",
    "PREVIEW_MAX_PX",
    "WorkbookFields",
    "WorkbookOrder",
    "WorkbookVersion",
    "order_fields",
    "order_workbook",
]

PREVIEW_MAX_PX = 600  # long side of the embedded design preview; the print file stays in Drive

ORDER_SHEET = "Order"
VERSIONS_SHEET = "Versions"
STATUS_LABEL = "Status"

DATE_FORMAT = "yyyy-mm-dd hh:mm"
MONEY_FORMAT = "#,##0.00"
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")

_VALUE_WIDTH = 60  # characters; also used to estimate the wrapped brief's row height
_LINE_HEIGHT_PT = 15
_MAX_ROW_HEIGHT_PT = 409  # Excel's limit

_VERSION_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Version", 9),
    ("Engine", 12),
    ("Model", 30),
    ("Created (UTC)", 18),
    ("Feedback", 50),
    ("Decision", 18),
    ("File", 36),
)


@dataclass(frozen=True)
class WorkbookOrder:
    """The order fields the workbook shows. Datetimes may be aware (any zone) or naive UTC."""

    order_id: str
    customer_name: str
    customer_email: str
    customer_phone: str | None
    product_key: str
    product_name: str
    options: dict[str, str]
    quantity: int
    unit_price: float
    brief: str
    status: str
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None = None


@dataclass(frozen=True)
class WorkbookVersion:
    """One design version as listed on the "Versions" sheet."""

    version: int
    engine: str
    model: str | None
    created_at: datetime
    feedback: str | None
    decision: str | None
    file_name: str


@dataclass
class _Row:
    label: str
    value: CellValue
    number_format: str | None = None
    alignment: Alignment = field(default_factory=lambda: _TOP)


def order_workbook(
    order: WorkbookOrder,
    versions: list[WorkbookVersion],
    design_png: bytes | None,
) -> bytes:
    """The order workbook, as the bytes of an .xlsx file; equal inputs give equal bytes.

    Args:
        order: the order's fields.
        versions: every design version, in any order (listed by version number).
        design_png: the current design's image, embedded as a downscaled preview; None for none.
    """
    stamp = _utc_naive(order.updated_at)
    workbook = Workbook()
    order_sheet = workbook.active
    assert order_sheet is not None  # a new Workbook always has one sheet
    _fill_order_sheet(order_sheet, order, versions)
    if design_png is not None:
        preview = SheetImage(_preview_png(design_png))
        order_sheet.add_image(preview, "D2")
    _fill_versions_sheet(workbook.create_sheet(VERSIONS_SHEET), versions)

    workbook.properties.creator = "Atelier"
    workbook.properties.title = f"Order {order.order_id}"
    workbook.properties.created = stamp
    return _reproducible(_to_bytes(workbook), workbook, stamp)


def _fill_order_sheet(
    sheet: Worksheet, order: WorkbookOrder, versions: list[WorkbookVersion]
) -> None:
    sheet.title = ORDER_SHEET
    for cell in write_row(sheet, 1, ["Field", "Value"]):
        cell.font = _BOLD

    rows = [
        _Row("Order ID", order.order_id),
        _Row("Customer name", order.customer_name),
        _Row("Customer email", order.customer_email),
        _Row("Customer phone", order.customer_phone),
        _Row("Product", order.product_name),
        _Row("Product key", order.product_key),
        *(_Row(f"Option: {name}", value) for name, value in order.options.items()),
        _Row("Quantity", order.quantity, "0"),
        _Row("Unit price", order.unit_price, MONEY_FORMAT),
        _Row("Total", None, MONEY_FORMAT),  # the formula needs the rows above; set below
        _Row("Brief", order.brief, alignment=_WRAP),
        _Row(STATUS_LABEL, order.status),
        _Row("Design version", max((v.version for v in versions), default=None), "0"),
        _Row("Created (UTC)", _excel_datetime(order.created_at), DATE_FORMAT),
        _Row("Updated (UTC)", _excel_datetime(order.updated_at), DATE_FORMAT),
        _Row("Approved (UTC)", _excel_datetime(order.approved_at), DATE_FORMAT),
    ]
    row_of: dict[str, int] = {}
    for offset, row in enumerate(rows, start=2):
        row_of[row.label] = offset
        label_cell = write_cell(sheet, offset, 1, row.label)  # option names are data too
        label_cell.font = _BOLD
        label_cell.alignment = _TOP
        cell = write_cell(sheet, offset, 2, row.value)
        cell.alignment = row.alignment
        if row.number_format:
            cell.number_format = row.number_format

    # A formula, not a computed number, so the total follows when someone edits quantity or price.
    # The one formula in the workbook, set directly: it is ours, not data (see tools/cells.py).
    sheet.cell(
        row=row_of["Total"], column=2
    ).value = f"=B{row_of['Quantity']}*B{row_of['Unit price']}"
    # openpyxl cannot autofit; size the brief's row from its length so the text is visible.
    sheet.row_dimensions[row_of["Brief"]].height = _wrapped_height(order.brief)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = _VALUE_WIDTH
    sheet.column_dimensions["C"].width = 3  # a gutter between the fields and the preview


def _fill_versions_sheet(sheet: Worksheet, versions: list[WorkbookVersion]) -> None:
    for cell in write_row(sheet, 1, [title for title, _ in _VERSION_COLUMNS]):
        cell.font = _BOLD
    for row_number, version in enumerate(sorted(versions, key=lambda v: v.version), start=2):
        write_row(
            sheet,
            row_number,
            [
                version.version,
                version.engine,
                version.model,
                _excel_datetime(version.created_at),
                version.feedback,
                version.decision,
                version.file_name,
            ],
        )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _TOP
        row[3].number_format = DATE_FORMAT
        row[4].alignment = _WRAP
    for index, (_, width) in enumerate(_VERSION_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(_VERSION_COLUMNS))}{sheet.max_row}"


def _excel_datetime(value: datetime | None) -> datetime | None:
    return None if value is None else _utc_naive(value)


def _utc_naive(value: datetime) -> datetime:
    """Naive UTC to the second: Excel stores no zone, and sub-second parts do not round-trip."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _wrapped_height(text: str) -> float:
    lines = sum(max(1, math.ceil(len(line) / _VALUE_WIDTH)) for line in text.splitlines() or [""])
    return float(min(lines * _LINE_HEIGHT_PT, _MAX_ROW_HEIGHT_PT))


def _preview_png(design: bytes) -> io.BytesIO:
    """A PNG of ``design`` at most PREVIEW_MAX_PX on its long side (never enlarged)."""
    with Image.open(io.BytesIO(design)) as image:
        # PNG cannot hold CMYK (a common print mode) and friends; those become RGB.
        preview = image if image.mode in ("RGB", "RGBA", "L", "LA", "P") else image.convert("RGB")
        # Reduced by whole factors first, then LANCZOS: a third of the time of LANCZOS alone
        # on a print-size design, and no difference a preview shows.
        preview.thumbnail((PREVIEW_MAX_PX, PREVIEW_MAX_PX), Image.Resampling.LANCZOS, 1.0)
        buffer = io.BytesIO()
        preview.save(buffer, format="PNG", compress_level=1)  # a preview: speed over size
    buffer.seek(0)
    return buffer


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _reproducible(data: bytes, workbook: Workbook, stamp: datetime) -> bytes:
    """Re-pack the xlsx so nothing in it depends on the clock.

    openpyxl stamps the zip entries and the "modified" property with the current time on save;
    both are replaced with ``stamp`` (the order's last update), the entries kept in order.
    """
    workbook.properties.modified = stamp
    core_xml = tostring(workbook.properties.to_tree())
    date_time = max(stamp, datetime(1980, 1, 1)).timetuple()[:6]  # zip dates start in 1980
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = core_xml if info.filename == "docProps/core.xml" else source.read(info)
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, content)
    return output.getvalue()


@dataclass(frozen=True)
class WorkbookFields:
    """What a summary needs from an order workbook's "Order" sheet."""

    order_id: str
    customer_name: str
    product_key: str
    status: str
    quantity: int
    unit_price: float
    created_at: datetime  # naive UTC, as written


def order_fields(rows: list[list[CellValue]], name: str) -> WorkbookFields:
    """An order workbook's fields from the rows of its "Order" sheet (a person may have
    edited them), as an .xlsx file or a native Google Sheet gives them; ``name`` is the
    file's, for messages.

    Raises:
        ValueError: the sheet is not an order sheet, or a field is missing or malformed.
    """
    values = {str(row[0]): row[1] if len(row) > 1 else None for row in rows if row and row[0]}
    created = values.get("Created (UTC)")
    if isinstance(created, int | float) and not isinstance(created, bool):
        created = from_excel(created)  # Sheets gives dates as serial numbers
    if not isinstance(created, datetime):
        raise ValueError(f"{name} is not an order workbook (Created (UTC) is not a date)")
    try:
        return WorkbookFields(
            order_id=str(values["Order ID"]),
            customer_name=str(values["Customer name"] or ""),
            product_key=str(values["Product key"]),
            status=str(values[STATUS_LABEL] or ""),
            quantity=int(values["Quantity"]),  # type: ignore[arg-type]
            unit_price=float(values["Unit price"]),  # type: ignore[arg-type]
            created_at=created,
        )
    except KeyError as exc:
        raise ValueError(f"{name} is not an order workbook (no {exc.args[0]!r} row)") from None
    except (TypeError, ValueError) as exc:
        # int() and float() quote the value they could not read, and a person may have typed
        # anything there: the message names the problem, and the cause is not chained.
        raise ValueError(
            f"{name} is not an order workbook (a malformed number: {exception_name(exc)})"
        ) from None
