"""Sheets as ``.xlsx`` workbooks (the local drive's sheets, and .xlsx files on Drive), written
and read with openpyxl."""

from __future__ import annotations

import zipfile
from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from tools.cells import CellValue, write_row
from tools.errors import InvalidInput
from tools.log_privacy import exception_name
from tools.storage.base import ChartSpec, SheetLayout

MONEY_FORMAT = "#,##0.00"


def workbook_bytes(
    rows: list[list[CellValue]], chart: ChartSpec | None, layout: SheetLayout | None
) -> bytes:
    """The workbook holding ``rows`` from A1 (strings always text: tools/cells.py)."""
    layout = layout or SheetLayout()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = layout.tab
    for number, values in enumerate(rows, start=1):
        cells = write_row(sheet, number, values)
        if number == layout.heading_row:
            for cell in cells:
                cell.font = Font(bold=True, size=13)
        elif number in layout.bold_rows:
            for cell in cells:
                cell.font = Font(bold=True)
    if layout.money_column is not None:
        column = layout.money_column
        for row_cells in sheet.iter_rows(
            min_row=layout.money_from_row, min_col=column, max_col=column
        ):
            row_cells[0].number_format = MONEY_FORMAT
    if layout.first_column_width is not None:
        sheet.column_dimensions["A"].width = layout.first_column_width
    if chart is not None:
        bars = BarChart()
        bars.title = chart.title
        bars.add_data(
            Reference(
                sheet, min_col=chart.values, min_row=chart.header_row, max_row=chart.last_row
            ),
            titles_from_data=True,
        )
        bars.set_categories(
            Reference(
                sheet, min_col=chart.labels, min_row=chart.header_row + 1, max_row=chart.last_row
            )
        )
        row, column = chart.anchor
        sheet.add_chart(bars, f"{get_column_letter(column)}{row}")
    buf = BytesIO()
    book.save(buf)
    return buf.getvalue()


def workbook_rows(content: bytes, tab: str, name: str) -> list[list[CellValue]]:
    """The values of the tab ``tab`` of the workbook ``content`` (called ``name`` in messages),
    as last calculated (a formula's cached result, never its text)."""
    try:
        book = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise InvalidInput(f"{name} is not a readable workbook ({exception_name(exc)})") from None
    try:
        if tab not in book.sheetnames:
            raise InvalidInput(f"{name} has no {tab!r} sheet")
        return [list(row) for row in book[tab].iter_rows(values_only=True)]
    finally:
        book.close()
