"""Admin drive tools on a temporary drive: list sheets, create from a template, list a folder."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tools.access import Principal, Role
from tools.context import Backends, ToolContext
from tools.drive import (
    CreateSheetArgs,
    ListFilesArgs,
    ListSheetsArgs,
    create_sheet_from_template,
    list_files,
    list_sheets,
)
from tools.errors import Conflict, InvalidInput, NotFound
from tools.storage.local import LocalDrive
from tools.templates import STARTER_TEMPLATES, ensure_starter_templates

DAY = 86400
NOW = time.time()


def touch(root: Path, rel: str, days_ago: float = 0) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * 10)
    stamp = NOW - days_ago * DAY
    os.utime(path, (stamp, stamp))


@pytest.fixture
def drive(tmp_path: Path) -> LocalDrive:
    root = tmp_path / "drive"
    drive = LocalDrive(root)
    for created in ensure_starter_templates(drive):
        os.utime(root / created, (NOW - 500 * DAY, NOW - 500 * DAY))
    touch(root, "Pricing/Price List 2026.xlsx", days_ago=40)
    touch(root, "Pricing/Old prices.xlsx", days_ago=400)
    touch(root, "Reports/Weekly report.xlsx", days_ago=3)
    touch(root, "Reports/logo.png", days_ago=3)
    touch(root, "Reports/notes.pdf", days_ago=1)
    touch(root, "Budget.xlsx", days_ago=1)
    return drive


@pytest.fixture
def ctx(drive: LocalDrive, tmp_path: Path) -> ToolContext:
    backends = Backends(settings=None, db=None, storage=drive, design_engine=None)  # type: ignore[arg-type]
    return ToolContext(backends=backends, principal=Principal("ada", Role.ADMIN))


def names(result: object) -> list[str]:
    return [s.name for s in result.sheets]  # type: ignore[attr-defined]


def test_list_sheets_newest_first_with_filters(ctx: ToolContext) -> None:
    everything = list_sheets(ctx, ListSheetsArgs())
    assert names(everything)[:2] == ["Budget.xlsx", "Weekly report.xlsx"]
    assert "logo.png" not in names(everything)
    assert everything.total == 4 + len(STARTER_TEMPLATES)
    assert names(list_sheets(ctx, ListSheetsArgs(name_contains="PRICE"))) == [
        "Price List 2026.xlsx",
        "Old prices.xlsx",
        "Price List.xlsx",
    ]
    in_pricing = list_sheets(ctx, ListSheetsArgs(folder="pricng"))  # misspelt
    assert in_pricing.folder == "Pricing"
    assert names(in_pricing) == ["Price List 2026.xlsx", "Old prices.xlsx"]
    recent = list_sheets(ctx, ListSheetsArgs(modified_after=date.fromtimestamp(NOW - 10 * DAY)))
    assert names(recent) == ["Budget.xlsx", "Weekly report.xlsx"]
    older = list_sheets(ctx, ListSheetsArgs(modified_before=date.fromtimestamp(NOW - 100 * DAY)))
    assert names(older)[0] == "Old prices.xlsx"
    assert "Budget.xlsx" not in names(older)
    assert len(list_sheets(ctx, ListSheetsArgs(limit=2)).sheets) == 2


def test_the_local_drive_finds_sheets_inside_names_with_a_total(drive: LocalDrive) -> None:
    found, total = drive.find_sheets("Pricing", name_contains="RICE", limit=1)
    assert ([f.path for f in found], total) == (["Pricing/Price List 2026.xlsx"], 2)
    assert drive.find_sheets("Nowhere") == ([], 0)


def test_list_sheets_rejects_an_inverted_range() -> None:
    with pytest.raises(ValueError, match="modified_before must be after"):
        ListSheetsArgs(modified_after=date(2026, 3, 10), modified_before=date(2026, 3, 1))


def test_create_sheet_from_a_misspelt_template(ctx: ToolContext, drive: LocalDrive) -> None:
    created = create_sheet_from_template(
        ctx, CreateSheetArgs(template="price lsit", title="Prices 2027", folder="pricing")
    )
    assert (created.template, created.path) == ("Price List.xlsx", "Pricing/Prices 2027.xlsx")
    book = openpyxl.load_workbook(drive.root / created.path)
    assert book.active["A1"].value == "Product"  # type: ignore[index]


def test_create_sheet_defaults_to_the_root_and_never_overwrites(ctx: ToolContext) -> None:
    created = create_sheet_from_template(
        ctx, CreateSheetArgs(template="Invoice", title="Invoice 7")
    )
    assert created.path == "Invoice 7.xlsx"
    with pytest.raises(Conflict, match="already exists"):
        create_sheet_from_template(ctx, CreateSheetArgs(template="Invoice", title="Invoice 7"))


def test_create_sheet_errors_name_what_exists(ctx: ToolContext, drive: LocalDrive) -> None:
    before = sorted(p.as_posix() for p in drive.root.rglob("*"))
    with pytest.raises(NotFound, match=r"no template matches 'spaceship'; known: Invoice\.xlsx"):
        create_sheet_from_template(ctx, CreateSheetArgs(template="spaceship", title="X"))
    with pytest.raises(NotFound, match="no folder matches"):
        create_sheet_from_template(
            ctx, CreateSheetArgs(template="Invoice", title="X", folder="Zzz")
        )
    with pytest.raises(InvalidInput):
        create_sheet_from_template(ctx, CreateSheetArgs(template="Invoice", title="../escape"))
    assert sorted(p.as_posix() for p in drive.root.rglob("*")) == before  # nothing created


def test_list_files_of_a_folder_by_kind_and_name(ctx: ToolContext) -> None:
    root = list_files(ctx, ListFilesArgs())
    assert root.folder == ""
    assert {(f.name, f.kind) for f in root.files} >= {
        ("Pricing", "folder"),
        ("Reports", "folder"),
        ("Templates", "folder"),
        ("Budget.xlsx", "sheet"),
    }
    reports = list_files(ctx, ListFilesArgs(folder="reports"))
    assert [(f.name, f.kind) for f in reports.files] == [
        ("Weekly report.xlsx", "sheet"),
        ("logo.png", "image"),
        ("notes.pdf", "document"),
    ]
    images = list_files(ctx, ListFilesArgs(folder="Reports", kind="image"))
    assert [f.name for f in images.files] == ["logo.png"]
    assert [
        f.name for f in list_files(ctx, ListFilesArgs(folder="Reports", name_contains="WEEK")).files
    ] == ["Weekly report.xlsx"]


def test_files_a_person_drops_in_are_seen(ctx: ToolContext, drive: LocalDrive) -> None:
    touch(drive.root, "Reports/dropped in.xlsx")
    assert "dropped in.xlsx" in names(list_sheets(ctx, ListSheetsArgs(folder="Reports")))


def test_starter_templates_only_seed_a_new_drive(tmp_path: Path) -> None:
    drive = LocalDrive(tmp_path / "d")
    assert len(ensure_starter_templates(drive)) == len(STARTER_TEMPLATES)
    (tmp_path / "d/Templates/Invoice.xlsx").unlink()
    assert ensure_starter_templates(drive) == []  # a person's deletion stands
    assert not (tmp_path / "d/Templates/Invoice.xlsx").exists()


def test_the_tools_do_not_reach_through_links_that_leave_the_drive(
    ctx: ToolContext, drive: LocalDrive, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Payroll.xlsx").write_bytes(b"secret")
    (drive.root / "Reports/linkdir").symlink_to(outside, target_is_directory=True)
    (drive.root / "Templates/Leak.xlsx").symlink_to(outside / "Payroll.xlsx")

    everything = list_sheets(ctx, ListSheetsArgs(limit=200))
    assert not {"Leak.xlsx", "Payroll.xlsx"} & set(names(everything))
    assert "linkdir" not in [f.name for f in list_files(ctx, ListFilesArgs(folder="Reports")).files]
    # Named directly, the link is refused, not matched loosely to a folder that is inside.
    with pytest.raises(InvalidInput, match="outside the drive"):
        list_files(ctx, ListFilesArgs(folder="Reports/linkdir"))
    with pytest.raises(InvalidInput, match="outside the drive"):
        list_sheets(ctx, ListSheetsArgs(folder="Reports/linkdir"))
    with pytest.raises(NotFound, match="no template matches 'Leak'"):
        create_sheet_from_template(ctx, CreateSheetArgs(template="Leak", title="Stolen"))
    with pytest.raises(InvalidInput, match="outside the drive"):
        create_sheet_from_template(
            ctx, CreateSheetArgs(template="Invoice", title="Planted", folder="Reports/linkdir")
        )
    assert sorted(p.name for p in outside.iterdir()) == ["Payroll.xlsx"]
    assert not (drive.root / "Stolen.xlsx").exists()
