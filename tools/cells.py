"""Putting values into worksheet cells: the one way every sheet we write (order workbooks,
summaries, starter templates) stores a value, so that data is never taken for a formula.

openpyxl turns any string that starts with "=" into a live formula, and "#N/A" and friends
into error values. From data (a customer's name, a brief, a product, a person's edit read
back) that is formula injection: a ``=HYPERLINK(...)`` or a DDE call would run in whoever
opens the sheet. So a string written here is always text (data type ``s``); the only formulas
in our sheets are the ones our code sets itself, beside a comment that says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

from tools.errors import InvalidInput

__all__ = ["CellValue", "IllegalCellText", "write_cell", "write_row"]

CellValue = str | int | float | Decimal | bool | datetime | date | time | None

# What spreadsheet apps read as the start of a formula when a person types it into a cell.
_FORMULA_STARTS = ("=", "+", "-", "@")


class IllegalCellText(InvalidInput):
    """A string holds a control character that an .xlsx file cannot store. The message names
    the cell and the character's code point, never the text (it is often personal data)."""


def write_cell(sheet: Worksheet, row: int, column: int, value: CellValue) -> Cell:
    """Store ``value`` in the cell at ``row``/``column``; a string always stays text.

    Raises:
        IllegalCellText: a string holds a character a workbook cannot store (NUL and most
            other control characters; tab and line breaks are fine).
    """
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        # Checked here, before openpyxl's own check, whose error quotes the whole value.
        bad = ILLEGAL_CHARACTERS_RE.search(value)
        if bad is not None:
            raise IllegalCellText(
                f"cell {cell.coordinate} of sheet {sheet.title!r} would hold "
                f"U+{ord(bad.group()):04X}, a character a workbook cannot store"
            )
        cell.value = value
        cell.data_type = "s"  # openpyxl guessed "f" (formula) or "e" (error) from the text
        if value.startswith(_FORMULA_STARTS):
            # Excel keeps the cell text even after a person edits it (a leading apostrophe).
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def write_row(sheet: Worksheet, row: int, values: Iterable[CellValue]) -> list[Cell]:
    """Store ``values`` in ``row`` from column A on, each with ``write_cell``."""
    return [write_cell(sheet, row, column, v) for column, v in enumerate(values, start=1)]
