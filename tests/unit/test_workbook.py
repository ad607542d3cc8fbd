"""The order workbook, written to disk and read back with openpyxl (and read as Google Sheets
gives a native Sheet's values)."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image

from tools.cells import IllegalCellText
from tools.errors import InvalidInput
from tools.storage.xlsx import workbook_rows
from tools.workbook import (
    ORDER_SHEET,
    PREVIEW_MAX_PX,
    WorkbookFields,
    WorkbookOrder,
    WorkbookVersion,
    order_fields,
    order_workbook,
)


def write_order_workbook(
    path: Path, order: WorkbookOrder, versions: list[WorkbookVersion], design: Path | None
) -> str:
    """The workbook written to ``path``, as the local drive stores it; its sha256."""
    data = order_workbook(order, versions, design.read_bytes() if design else None)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def read_order_workbook(path: Path) -> WorkbookFields:
    """Its fields, read as the summary reads an .xlsx file."""
    return order_fields(workbook_rows(path.read_bytes(), ORDER_SHEET, path.name), path.name)


PARIS_SUMMER = timezone(timedelta(hours=2))

ORDER = WorkbookOrder(
    order_id="ord-42",
    customer_name="Ada Lovelace",
    customer_email="ada@example.com",
    customer_phone="+44 20 7946 0000",
    product_key="mug-11oz",
    product_name="Ceramic mug, 11 oz",
    options={"colour": "navy", "finish": "matte"},
    quantity=3,
    unit_price=14.5,
    brief="A fox reading a book under a lamp.\nWarm colours, no text.",
    status="awaiting_approval",
    created_at=datetime(2024, 5, 1, 10, 0, 0, 250_000, tzinfo=PARIS_SUMMER),
    updated_at=datetime(2024, 5, 2, 9, 30, tzinfo=UTC),
)

VERSIONS = [
    WorkbookVersion(
        2,
        "diffusers",
        "sd-turbo",
        datetime(2024, 5, 2, 9, 0, tzinfo=UTC),
        None,
        None,
        "ord-42-v2.png",
    ),
    WorkbookVersion(
        1,
        "layout",
        None,
        datetime(2024, 5, 1, 8, 5, tzinfo=UTC),
        "Make the fox bigger",
        "changes_requested",
        "ord-42-v1.png",
    ),
]


@pytest.fixture
def design(tmp_path: Path) -> Path:
    path = tmp_path / "design.png"
    Image.new("RGB", (2400, 1600), (30, 60, 120)).save(path)
    return path


@pytest.fixture
def workbook_path(tmp_path: Path) -> Path:
    folder = tmp_path / "Orders" / "ord-42"
    folder.mkdir(parents=True)
    return folder / "ord-42.xlsx"


def fields(sheet: Worksheet) -> dict[str, Any]:
    return {
        label: value for label, value in sheet.iter_rows(min_row=2, max_col=2, values_only=True)
    }


def row_of(sheet: Worksheet, label: str) -> int:
    for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
        if cell.value == label:
            return int(cell.row)
    raise AssertionError(f"no {label!r} row")


def test_order_sheet_lists_every_field(workbook_path: Path, design: Path) -> None:
    write_order_workbook(workbook_path, ORDER, VERSIONS, design)

    sheet = load_workbook(workbook_path)["Order"]
    assert sheet["A1"].value == "Field" and sheet["B1"].value == "Value"
    values = fields(sheet)
    assert values["Order ID"] == "ord-42"
    assert values["Customer name"] == "Ada Lovelace"
    assert values["Customer email"] == "ada@example.com"
    assert values["Customer phone"] == "+44 20 7946 0000"
    assert values["Product"] == "Ceramic mug, 11 oz"
    assert values["Product key"] == "mug-11oz"
    assert values["Quantity"] == 3
    assert values["Unit price"] == 14.5
    assert values["Brief"] == ORDER.brief
    assert values["Status"] == "awaiting_approval"
    assert values["Design version"] == 2
    assert values["Approved (UTC)"] is None


def test_each_option_has_its_own_row_in_order(workbook_path: Path) -> None:
    write_order_workbook(workbook_path, ORDER, VERSIONS, None)

    sheet = load_workbook(workbook_path)["Order"]
    labels = [label for (label,) in sheet.iter_rows(min_row=2, max_col=1, values_only=True)]
    options = [label for label in labels if label.startswith("Option: ")]
    assert options == ["Option: colour", "Option: finish"]
    assert fields(sheet)["Option: colour"] == "navy"
    assert fields(sheet)["Option: finish"] == "matte"


def test_total_is_a_formula_over_quantity_and_price(workbook_path: Path) -> None:
    write_order_workbook(workbook_path, ORDER, VERSIONS, None)

    sheet = load_workbook(workbook_path)["Order"]
    total = sheet.cell(row=row_of(sheet, "Total"), column=2)
    quantity_row, price_row = row_of(sheet, "Quantity"), row_of(sheet, "Unit price")
    assert total.value == f"=B{quantity_row}*B{price_row}"
    assert total.number_format == "#,##0.00"
    assert sheet.cell(row=price_row, column=2).number_format == "#,##0.00"


def test_dates_are_naive_utc_datetimes_with_a_date_format(workbook_path: Path) -> None:
    approved = replace(ORDER, approved_at=datetime(2024, 5, 3, 12, 0))  # naive: taken as UTC
    write_order_workbook(workbook_path, approved, VERSIONS, None)

    sheet = load_workbook(workbook_path)["Order"]
    created = sheet.cell(row=row_of(sheet, "Created (UTC)"), column=2)
    assert created.is_date
    assert created.value == datetime(2024, 5, 1, 8, 0)  # 10:00 at +02:00, sub-seconds dropped
    assert created.number_format == "yyyy-mm-dd hh:mm"
    assert fields(sheet)["Updated (UTC)"] == datetime(2024, 5, 2, 9, 30)
    assert fields(sheet)["Approved (UTC)"] == datetime(2024, 5, 3, 12, 0)


# Strings openpyxl would store as a formula ("=...") or an error value ("#N/A"), and ones a
# spreadsheet app reads as a formula when typed ("+", "-", "@").
FORMULA_LIKE = [
    '=HYPERLINK("http://evil.example","click")',
    "=1+1",
    "=cmd|' /C calc'!A0",
    "#N/A",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
]


def test_every_string_from_data_is_text_in_every_sheet(workbook_path: Path) -> None:
    sneaky = iter(FORMULA_LIKE * 3)
    order = replace(
        ORDER,
        order_id=next(sneaky),
        customer_name=next(sneaky),
        customer_email=next(sneaky),
        customer_phone=next(sneaky),
        product_key=next(sneaky),
        product_name=next(sneaky),
        options={next(sneaky): next(sneaky), "engraving": next(sneaky)},
        brief=next(sneaky),
        status=next(sneaky),
    )
    version = WorkbookVersion(
        1,
        next(sneaky),
        next(sneaky),
        datetime(2024, 5, 1, tzinfo=UTC),
        next(sneaky),
        next(sneaky),
        next(sneaky),
    )
    written = {
        *(getattr(order, name) for name in ("order_id", "customer_name", "brief", "status")),
        *(getattr(order, name) for name in ("customer_email", "customer_phone", "product_key")),
        order.product_name,
        *order.options.values(),
        *(version.engine, version.model, version.feedback, version.decision, version.file_name),
    }
    write_order_workbook(workbook_path, order, [version], None)

    workbook = load_workbook(workbook_path)
    order_sheet = workbook["Order"]
    total = order_sheet.cell(row=row_of(order_sheet, "Total"), column=2)
    assert total.data_type == "f"  # the one formula we make ourselves
    strings = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell is not total
    ]
    assert written <= {cell.value for cell in strings}  # each value intact
    for cell in strings:
        assert cell.data_type == "s", (cell.parent.title, cell.coordinate, cell.value)
        assert cell.quotePrefix == cell.value.startswith(("=", "+", "-", "@")), cell.value


def test_a_character_a_workbook_cannot_hold_is_refused_without_quoting_it(
    workbook_path: Path,
) -> None:
    with pytest.raises(IllegalCellText) as refused:
        write_order_workbook(
            workbook_path, replace(ORDER, customer_name="Ada\x00Lovelace"), [], None
        )
    assert "Ada" not in str(refused.value) and "U+0000" in str(refused.value)
    assert "B3" in str(refused.value)  # the cell, for whoever fixes the data
    assert not workbook_path.exists()


def test_brief_wraps(workbook_path: Path) -> None:
    write_order_workbook(workbook_path, ORDER, VERSIONS, None)

    sheet = load_workbook(workbook_path)["Order"]
    brief_row = row_of(sheet, "Brief")
    assert sheet.cell(row=brief_row, column=2).alignment.wrap_text
    assert sheet.row_dimensions[brief_row].height >= 30  # two lines of text


def test_design_preview_is_embedded_downscaled(workbook_path: Path, design: Path) -> None:
    write_order_workbook(workbook_path, ORDER, VERSIONS, design)

    sheet = load_workbook(workbook_path)["Order"]
    (image,) = sheet._images
    assert image.anchor._from.col == 3 and image.anchor._from.row == 1  # D2, beside the fields
    with Image.open(io.BytesIO(image._data())) as embedded:
        assert embedded.size == (PREVIEW_MAX_PX, 400)  # 2400x1600, aspect ratio kept
    with zipfile.ZipFile(workbook_path) as archive:
        media = [name for name in archive.namelist() if name.startswith("xl/media/")]
    assert media == ["xl/media/image1.png"]  # only the preview, not the print file


def test_small_and_cmyk_designs_are_embedded_as_they_fit(
    workbook_path: Path, tmp_path: Path
) -> None:
    small = tmp_path / "small.jpg"
    Image.new("CMYK", (300, 500), (0, 80, 80, 0)).save(small)

    write_order_workbook(workbook_path, ORDER, VERSIONS, small)

    (image,) = load_workbook(workbook_path)["Order"]._images
    with Image.open(io.BytesIO(image._data())) as embedded:
        assert embedded.size == (300, 500)  # never enlarged
        assert embedded.mode == "RGB"


def test_without_a_design_there_is_no_image(workbook_path: Path) -> None:
    write_order_workbook(workbook_path, ORDER, [], None)

    sheet = load_workbook(workbook_path)["Order"]
    assert sheet._images == []
    assert fields(sheet)["Design version"] is None


def test_versions_sheet_lists_versions_by_number(workbook_path: Path) -> None:
    write_order_workbook(workbook_path, ORDER, VERSIONS, None)

    sheet = load_workbook(workbook_path)["Versions"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [
        ("Version", "Engine", "Model", "Created (UTC)", "Feedback", "Decision", "File"),
        (
            1,
            "layout",
            None,
            datetime(2024, 5, 1, 8, 5),
            "Make the fox bigger",
            "changes_requested",
            "ord-42-v1.png",
        ),
        (2, "diffusers", "sd-turbo", datetime(2024, 5, 2, 9, 0), None, None, "ord-42-v2.png"),
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet["D2"].is_date
    assert sheet.column_dimensions["E"].width >= 40  # feedback has room
    assert sheet["E2"].alignment.wrap_text


def test_returns_the_sha256_of_the_file(workbook_path: Path, design: Path) -> None:
    digest = write_order_workbook(workbook_path, ORDER, VERSIONS, design)

    assert digest == hashlib.sha256(workbook_path.read_bytes()).hexdigest()


def test_same_inputs_give_a_byte_identical_file(tmp_path: Path, design: Path) -> None:
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"

    digest = write_order_workbook(first, ORDER, VERSIONS, design)
    again = write_order_workbook(second, ORDER, VERSIONS, design)

    assert digest == again
    assert first.read_bytes() == second.read_bytes()
    # Nothing comes from the clock, so the two writes could be any time apart.
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2024, 5, 2, 9, 30, 0)}
    properties = load_workbook(first).properties
    assert properties.created == properties.modified == datetime(2024, 5, 2, 9, 30)


def test_different_inputs_give_a_different_digest(workbook_path: Path) -> None:
    before = write_order_workbook(workbook_path, ORDER, VERSIONS, None)
    after = write_order_workbook(workbook_path, replace(ORDER, status="completed"), VERSIONS, None)

    assert before != after


def test_overwrites_an_existing_workbook(workbook_path: Path) -> None:
    write_order_workbook(workbook_path, ORDER, VERSIONS, None)
    os.chmod(workbook_path, 0o640)

    write_order_workbook(workbook_path, replace(ORDER, status="completed"), VERSIONS, None)

    assert read_order_workbook(workbook_path).status == "completed"
    assert workbook_path.stat().st_mode & 0o777 == 0o640  # the replaced file's mode is kept
    assert os.listdir(workbook_path.parent) == ["ord-42.xlsx"]  # no temporary files left


def test_a_new_workbook_is_readable_by_others(workbook_path: Path) -> None:
    write_order_workbook(workbook_path, ORDER, VERSIONS, None)

    assert workbook_path.stat().st_mode & 0o777 == 0o644


def test_read_order_workbook_sees_a_persons_edit(workbook_path: Path) -> None:
    write_order_workbook(workbook_path, ORDER, VERSIONS, None)
    assert read_order_workbook(workbook_path).status == "awaiting_approval"

    workbook = load_workbook(workbook_path)
    sheet = workbook["Order"]
    sheet.cell(row=row_of(sheet, "Status"), column=2).value = "approved"
    workbook.save(workbook_path)

    assert read_order_workbook(workbook_path).status == "approved"


def test_read_order_workbook_rejects_a_foreign_workbook(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    Workbook().save(path)

    with pytest.raises(InvalidInput, match="no 'Order' sheet"):
        read_order_workbook(path)


def test_order_fields_read_a_native_sheets_serial_dates(workbook_path: Path) -> None:
    """Google Sheets' values.get (UNFORMATTED_VALUE, SERIAL_NUMBER) gives a date as days since
    1899-12-30: the fields come out as from the .xlsx file."""
    write_order_workbook(workbook_path, ORDER, VERSIONS, None)
    rows = workbook_rows(workbook_path.read_bytes(), ORDER_SHEET, "book")
    from_xlsx = order_fields(rows, "book")
    epoch = datetime(1899, 12, 30)
    as_sheets = [
        [label, (value - epoch) / timedelta(days=1) if isinstance(value, datetime) else value]
        for label, value, *_ in rows
    ]
    assert order_fields(as_sheets, "sheet") == from_xlsx
    assert from_xlsx.created_at == datetime(2024, 5, 1, 8, 0)  # UTC, to the second
