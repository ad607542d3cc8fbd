"""build_summary_sheet on real PostgreSQL and a temporary drive, read back with openpyxl."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from google.oauth2.credentials import Credentials
from langgraph.checkpoint.postgres import PostgresSaver

from graphs.order.runner import OrderRunner
from persistence.checkpoints import open_checkpointer
from persistence.database import Database
from tests.support.fake_google import MY_DRIVE, ROOT_ID, SHEET, FakeGoogle
from tests.support.pipeline import add_order, make_backends
from tools.access import Principal, Role
from tools.catalog import build_registry
from tools.context import ToolContext
from tools.errors import Conflict
from tools.retry import RetryPolicy
from tools.storage.google import GoogleDrive
from tools.storage.google_api import GoogleApis
from tools.summary import SummaryArgs, build_summary_sheet

NO_WAIT = RetryPolicy(attempts=4, backoff=0, sleep=lambda _: None)


def at(day: int) -> datetime:
    return datetime(2026, 11, day, 12, tzinfo=UTC)


@pytest.fixture
def ctx(db: Database, tmp_path: Path) -> ToolContext:
    backends = make_backends(tmp_path, db)
    return ToolContext(backends=backends, principal=Principal("ada", Role.ADMIN))


def seed(db: Database) -> None:
    add_order(db, product="mug", quantity=2, created_at=at(2), status="completed")
    add_order(db, product="mug", quantity=4, created_at=at(10), status="failed")
    add_order(db, product="tshirt", quantity=10, created_at=at(10), customer_name="Bo")
    add_order(db, product="poster", quantity=1, created_at=at(28))


def test_orders_grouped_by_product_over_a_range(
    ctx: ToolContext, db: Database, tmp_path: Path
) -> None:
    seed(db)
    summary = build_summary_sheet(
        ctx, SummaryArgs(group_by="product", start=date(2026, 11, 1), end=date(2026, 11, 15))
    )
    assert [(r.group, r.orders, r.quantity, r.total) for r in summary.rows] == [
        ("mug", 2, 6, 84.0),  # 6 × 14.00
        ("tshirt", 1, 10, 240.0),
    ]
    assert (summary.totals.orders, summary.totals.quantity, summary.totals.total) == (3, 16, 324.0)
    assert summary.path.startswith("Summaries/Orders by product 2026-11-01 to 2026-11-15")

    book = openpyxl.load_workbook(tmp_path / "drive" / summary.path)
    sheet = book["Summary"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("Product", "Orders", "Quantity", "Total")
    assert rows[1:] == [("mug", 2, 6, 84), ("tshirt", 1, 10, 240), ("Total", 3, 16, 324)]
    assert len(sheet._charts) == 1


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        ("status", {"completed": 1, "failed": 1, "received": 2}),
        ("day", {"2026-11-02": 1, "2026-11-10": 2, "2026-11-28": 1}),
        ("customer", {"Bo": 1, "Jane Doe": 3}),
    ],
)
def test_other_groupings(
    ctx: ToolContext, db: Database, group_by: str, expected: dict[str, int]
) -> None:
    seed(db)
    summary = build_summary_sheet(ctx, SummaryArgs(group_by=group_by))  # type: ignore[arg-type]
    assert {r.group: r.orders for r in summary.rows} == expected


def test_summaries_never_overwrite(ctx: ToolContext, db: Database) -> None:
    seed(db)
    first = build_summary_sheet(ctx, SummaryArgs(title="November"))
    second = build_summary_sheet(ctx, SummaryArgs(title="November"))
    assert (first.path, second.path) == ("Summaries/November.xlsx", "Summaries/November (2).xlsx")


def test_end_before_start_is_refused() -> None:
    with pytest.raises(ValueError, match="end date 2026-11-01 is before the start date"):
        SummaryArgs(start=date(2026, 11, 5), end=date(2026, 11, 1))


def test_from_order_workbooks_and_both_sources(
    ctx: ToolContext, db: Database, tmp_path: Path
) -> None:
    checkpointer, pool = open_checkpointer(db.url, max_size=2)
    try:
        runner = OrderRunner(ToolContext(backends=ctx.backends), build_registry(), checkpointer)
        assert isinstance(checkpointer, PostgresSaver)
        for product in ("mug", "mug", "sticker"):
            runner.start(add_order(db, product=product, quantity=5))
    finally:
        pool.close()
    add_order(db, product="poster", quantity=1)  # in the database only: no workbook yet

    from_books = build_summary_sheet(ctx, SummaryArgs(sources=["workbooks"]))
    assert {r.group: (r.orders, r.quantity) for r in from_books.rows} == {
        "mug": (2, 10),
        "sticker": (1, 5),
    }
    both = build_summary_sheet(ctx, SummaryArgs(sources=["orders", "workbooks"]))
    # The same order in a workbook and the database counts once.
    assert {r.group: r.orders for r in both.rows} == {"mug": 2, "poster": 1, "sticker": 1}


def test_a_damaged_workbook_is_skipped_not_fatal(
    ctx: ToolContext, db: Database, tmp_path: Path
) -> None:
    damaged = tmp_path / "drive" / "Orders" / "2026-11-02 X 0a1b2c3d" / "order-0a1b2c3d.xlsx"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"not a zip file")
    summary = build_summary_sheet(ctx, SummaryArgs(sources=["workbooks"]))
    assert summary.rows == [] and summary.totals.orders == 0


FORMULA_LIKE = ['=HYPERLINK("http://x","y")', "=1+1", "#N/A", "+1+1", "-1", "@SUM(A1)"]


def test_customer_names_that_look_like_formulas_stay_text(
    ctx: ToolContext, db: Database, tmp_path: Path
) -> None:
    for name in FORMULA_LIKE:
        add_order(db, customer_name=name, created_at=at(3))
    summary = build_summary_sheet(ctx, SummaryArgs(group_by="customer"))

    sheet = openpyxl.load_workbook(tmp_path / "drive" / summary.path)["Summary"]
    groups = [row[0] for row in sheet.iter_rows(min_row=3, max_col=1) if row[0].value != "Total"]
    assert sorted(cell.value for cell in groups) == sorted(FORMULA_LIKE)  # intact
    for cell in groups:
        assert cell.data_type == "s", cell.value
    # A summary makes no formula at all.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


# --- on Google Drive: a native Sheet, written RAW, with a chart, moved into Summaries/ ---------


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    with FakeGoogle() as server:
        yield server


@pytest.fixture
def on_drive(db: Database, tmp_path: Path, fake: FakeGoogle) -> ToolContext:
    apis = GoogleApis.build(Credentials(token=fake.token), fake.root_url, retry=NO_WAIT)
    drive = GoogleDrive(apis, ROOT_ID, token_given=True)
    backends = replace(make_backends(tmp_path, db), storage=drive)
    return ToolContext(backends=backends, principal=Principal("ada", Role.ADMIN))


def test_on_drive_a_native_sheet_with_raw_values_and_a_chart(
    on_drive: ToolContext, db: Database, fake: FakeGoogle
) -> None:
    seed(db)
    add_order(db, product="mug", quantity=1, created_at=at(3), customer_name="=1+1")
    fake.requests.clear()
    fake.calls.clear()
    summary = build_summary_sheet(on_drive, SummaryArgs(group_by="customer", title="November"))
    assert summary.path == "Summaries/November"
    summaries = next(f for f in fake.files.values() if f["name"] == "Summaries")
    [made] = [f for f in fake.children(summaries["id"]) if not f["trashed"]]
    assert (made["name"], made["mimeType"], made["parents"]) == (
        "November",
        SHEET,
        [summaries["id"]],
    )

    book = fake.spreadsheets[made["id"]]
    rows = book.sheets["Summary"]
    assert rows[1] == ["Customer", "Orders", "Quantity", "Total"]
    assert [r[:3] for r in rows[2:]] == [
        ["=1+1", 1, 1],
        ["Bo", 1, 10],
        ["Jane Doe", 3, 7],
        ["Total", 5, 18],
    ]
    assert [r[3] for r in rows[2:]] == [*(r.total for r in summary.rows), summary.totals.total]
    assert book.formulas == set()  # written RAW: "=1+1" is text, not a formula
    [chart] = book.charts
    basic = chart["spec"]["basicChart"]
    domain = basic["domains"][0]["domain"]["sourceRange"]["sources"][0]
    series = basic["series"][0]["series"]["sourceRange"]["sources"][0]
    assert (domain["startColumnIndex"], series["startColumnIndex"]) == (0, 1)
    assert (domain["startRowIndex"], domain["endRowIndex"]) == (1, 5)

    # One create, one values call, one batchUpdate; then the move out of the account's My
    # Drive, whose id is asked for once per process.
    assert fake.count("POST /v4/spreadsheets") == 3
    assert fake.count("POST /v4/spreadsheets/" + made["id"] + "/values:batchUpdate") == 1
    assert fake.count("POST /v4/spreadsheets/" + made["id"] + ":batchUpdate") == 1
    [move] = [q for m, p, q in fake.requests if m == "PATCH" and made["id"] in p]
    assert move["addParents"] == summaries["id"] and move["removeParents"] == MY_DRIVE
    assert move["supportsAllDrives"] == "true"
    assert fake.count("GET /drive/v3/files/root") == 1

    calls = fake.count()
    again = build_summary_sheet(on_drive, SummaryArgs(group_by="customer", title="November"))
    assert again.path == "Summaries/November (2)"  # never overwrites
    # Warm: one listing of Summaries/ for a free name, create, values, batchUpdate, move.
    assert fake.count() - calls == 5


def test_on_drive_from_order_workbooks_xlsx_and_native(
    on_drive: ToolContext, db: Database, fake: FakeGoogle
) -> None:
    """Order workbooks in Drive's Orders/ are read where they are: an .xlsx file downloaded
    and read with openpyxl, one a person saved as a Google Sheet through values.get."""
    checkpointer, pool = open_checkpointer(db.url, max_size=2)
    try:
        runner = OrderRunner(
            ToolContext(backends=on_drive.backends), build_registry(), checkpointer
        )
        ids = [runner_order(runner, db, product) for product in ("mug", "mug", "sticker")]
    finally:
        pool.close()
    [book] = [f for f in fake.files.values() if f["name"] == f"order-{ids[2].hex[:8]}.xlsx"]
    fake.convert_to_sheet(book["id"])
    book["trashed"] = True  # only the native Sheet is left of the sticker's workbook

    fake.calls.clear()
    fake.requests.clear()
    summary = build_summary_sheet(on_drive, SummaryArgs(sources=["workbooks"]))
    assert {r.group: (r.orders, r.quantity) for r in summary.rows} == {
        "mug": (2, 10),
        "sticker": (1, 5),
    }
    assert fake.count("GET /v4/spreadsheets/") == 1  # the native one, through values.get
    downloads = [p for m, p, q in fake.requests if q.get("alt") == "media"]
    assert len(downloads) == 2  # the two .xlsx files


def runner_order(runner: OrderRunner, db: Database, product: str) -> uuid.UUID:
    order_id = add_order(db, product=product, quantity=5)
    runner.start(order_id)
    return order_id


def test_on_drive_write_sheet_refuses_a_taken_name(on_drive: ToolContext) -> None:
    storage = on_drive.backends.storage
    storage.write_sheet("Summaries", "Report.xlsx", [["a"]])
    with pytest.raises(Conflict):
        storage.write_sheet("Summaries", "Report.xlsx", [["b"]])
