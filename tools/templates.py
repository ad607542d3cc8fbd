"""The starter templates a new drive gets in Templates/, so "create a sheet from a template"
works from the first start. A drive that already has a Templates/ folder is left alone."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from tools.cells import write_row
from tools.drive import TEMPLATES
from tools.storage.base import Storage

STARTER_TEMPLATES: dict[str, list[list[str]]] = {
    "Order Tracker.xlsx": [["Order", "Customer", "Product", "Quantity", "Status", "Due"]],
    "Price List.xlsx": [["Product", "Size", "Unit price", "Bulk price (25+)"]],
    "Production Schedule.xlsx": [["Date", "Order", "Product", "Quantity", "Printer", "Done"]],
    "Invoice.xlsx": [["Invoice", ""], ["Customer", ""], ["Item", "Quantity", "Price", "Total"]],
}


def _workbook(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for number, row in enumerate(rows, start=1):
        write_row(sheet, number, row)
    for cell in sheet[len(rows)]:  # the last row holds the column titles
        cell.font = Font(bold=True)
    buf = BytesIO()
    book.save(buf)
    return buf.getvalue()


def ensure_starter_templates(storage: Storage) -> list[str]:
    """Create Templates/ with the starter templates if the drive has no Templates/ folder."""
    if storage.exists(TEMPLATES):
        return []
    folder = storage.ensure_folder(TEMPLATES)
    books = {name: _workbook(rows) for name, rows in STARTER_TEMPLATES.items()}
    return [stored.path for stored in storage.put_files(folder, books)]
