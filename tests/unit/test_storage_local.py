"""The local drive: folders, idempotent uploads, listings, hostile paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.errors import InvalidInput, NotFound
from tools.storage.local import LocalDrive, clean_relative_path


def test_ensure_folder_is_find_or_create(tmp_path: Path) -> None:
    drive = LocalDrive(tmp_path / "drive")
    assert drive.ensure_folder("Orders/2026-11-24 Jane 1a2b") == "Orders/2026-11-24 Jane 1a2b"
    assert drive.ensure_folder("Orders/2026-11-24 Jane 1a2b/") == "Orders/2026-11-24 Jane 1a2b"
    # A local folder cannot carry a mark: the order's folder is the one at its path.
    mark = {"atelier_order_id": "1a2b"}
    assert (
        drive.ensure_folder("Orders/2026-11-24 Jane 1a2b", mark=mark)
        == "Orders/2026-11-24 Jane 1a2b"
    )
    assert (tmp_path / "drive" / "Orders" / "2026-11-24 Jane 1a2b").is_dir()


def test_put_file_skips_identical_content(tmp_path: Path) -> None:
    drive = LocalDrive(tmp_path / "drive")
    first = drive.put_files("Orders/x", {"design.png": b"first"})[0]
    again = drive.put_files("Orders/x", {"design.png": b"first"})[0]
    changed = drive.put_files("Orders/x", {"design.png": b"second"})[0]
    assert (first.uploaded, again.uploaded, changed.uploaded) == (True, False, True)
    assert first.sha256 == again.sha256 != changed.sha256
    assert (tmp_path / "drive/Orders/x/design.png").read_bytes() == b"second"
    assert [f.name for f in drive.list_files("Orders/x")] == ["design.png"]  # no temp files


def test_list_files_sees_files_a_person_dropped_in(tmp_path: Path) -> None:
    drive = LocalDrive(tmp_path / "drive")
    (tmp_path / "drive/Templates").mkdir(parents=True)
    (tmp_path / "drive/Templates/Invoice.xlsx").write_bytes(b"x" * 10)
    (tmp_path / "drive/Templates/.hidden").write_bytes(b"")
    files = drive.list_files("Templates")
    assert [(f.path, f.size) for f in files] == [("Templates/Invoice.xlsx", 10)]
    assert drive.list_files("Nowhere") == []


def test_names_that_are_not_text_are_left_out_of_listings(tmp_path: Path) -> None:
    """A file dropped in with a name in another encoding, or holding a line break: no tool
    could name it and no JSON answer could carry it."""
    drive = LocalDrive(tmp_path / "drive")
    folder = tmp_path / "drive/Orders"
    folder.mkdir(parents=True)
    (folder / "Fine.xlsx").write_bytes(b"x")
    with open(os.fsencode(folder) + b"/Caf\xe9.xlsx", "wb"):  # Latin-1, not UTF-8
        pass
    (folder / "line\nbreak.xlsx").write_bytes(b"x")
    assert [f.name for f in drive.list_files("Orders", recursive=True)] == ["Fine.xlsx"]


@pytest.mark.parametrize("bad", ["../etc", "Orders/../../x", "/etc/passwd", "a\x00b", "n" * 256])
def test_hostile_paths_are_refused(tmp_path: Path, bad: str) -> None:
    drive = LocalDrive(tmp_path / "drive")
    with pytest.raises(InvalidInput):
        drive.ensure_folder(bad)
    with pytest.raises(InvalidInput):
        drive.put_files("Orders", {bad: b"x"})[0]


def test_a_file_is_read_by_its_id_its_path(tmp_path: Path) -> None:
    drive = LocalDrive(tmp_path / "drive")
    stored = drive.put_files("Orders/x", {"design.png": b"png"})[0]
    assert stored.id == stored.path == "Orders/x/design.png"
    assert drive.read_file(stored.id) == b"png"
    [listed] = drive.list_files("Orders/x")
    assert listed.id == stored.id
    with pytest.raises(NotFound):
        drive.read_file("Orders/x/missing.png")
    with pytest.raises(InvalidInput, match="not a readable workbook"):
        drive.read_sheet(listed, "Sheet")


def test_clean_relative_path_normalises_separators() -> None:
    assert clean_relative_path("Orders\\x/./y").as_posix() == "Orders/x/y"


# --- The root is a wall: symlinks a person made in the drive ------------------------------------


@pytest.fixture
def walled(tmp_path: Path) -> LocalDrive:
    """A drive with symlinks that leave it (a folder, a file, a dangling one) and symlinks that
    stay inside (a folder, a file, a loop to its own parent), and a secret outside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.xlsx").write_bytes(b"secret")
    root = tmp_path / "drive"
    for folder in ("Orders/real", "Templates", "Reports"):
        (root / folder).mkdir(parents=True)
    (root / "Templates/Invoice.xlsx").write_bytes(b"invoice")
    (root / "Orders/real/order-1.xlsx").write_bytes(b"order")
    (root / "Orders/linkdir").symlink_to(outside, target_is_directory=True)
    (root / "Templates/Leak.xlsx").symlink_to(outside / "secret.xlsx")
    (root / "Orders/dangling.xlsx").symlink_to(outside / "not yet.xlsx")
    (root / "Orders/reports").symlink_to(root / "Reports", target_is_directory=True)
    (root / "Templates/Alias.xlsx").symlink_to(root / "Templates/Invoice.xlsx")
    (root / "Orders/real/loop").symlink_to(root / "Orders", target_is_directory=True)
    return LocalDrive(root)


def outside_now(tmp_path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (tmp_path / "outside").iterdir()}


def test_listings_leave_out_what_leads_outside_the_drive(walled: LocalDrive) -> None:
    files = [f.path for f in walled.list_files("", recursive=True)]
    assert files == [
        "Orders/real/order-1.xlsx",
        "Templates/Alias.xlsx",  # a link that stays inside works
        "Templates/Invoice.xlsx",
    ]
    # The inside links are listed, not descended into (no loop, no duplicates).
    assert walled.list_folders("", recursive=True) == [
        "Orders",
        "Orders/real",
        "Orders/real/loop",
        "Orders/reports",
        "Reports",
        "Templates",
    ]
    assert [f.name for f in walled.list_files("Templates")] == ["Alias.xlsx", "Invoice.xlsx"]
    assert walled.list_folders("Orders") == ["Orders/real", "Orders/reports"]


@pytest.mark.parametrize(
    "path", ["Orders/linkdir", "Orders/linkdir/secret.xlsx", "Templates/Leak.xlsx"]
)
def test_a_path_through_a_link_outside_is_refused_by_every_operation(
    walled: LocalDrive, tmp_path: Path, path: str
) -> None:
    source = b"upload"
    before = outside_now(tmp_path)
    operations = {
        "resolve": lambda: walled.resolve(path),
        "exists": lambda: walled.exists(path),
        "read_file": lambda: walled.read_file(path),
        "list_files": lambda: walled.list_files(path),
        "list_folders": lambda: walled.list_folders(path, recursive=True),
        "ensure_folder": lambda: walled.ensure_folder(f"{path}/new"),
        "put_file into": lambda: walled.put_files(path, {"new.xlsx": source})[0],
        "copy_file from": lambda: walled.copy_file(path, "Reports", "copy.xlsx"),
        "copy_file into": lambda: walled.copy_file("Templates/Invoice.xlsx", path, "copy.xlsx"),
    }
    for name, operation in operations.items():
        with pytest.raises(InvalidInput, match="outside the drive"):
            operation()
            pytest.fail(f"{name} went through")
    assert outside_now(tmp_path) == before
    assert not (walled.root / "Reports/copy.xlsx").exists()


def test_writing_onto_a_link_that_leads_outside_is_refused(
    walled: LocalDrive, tmp_path: Path
) -> None:
    source = b"upload"
    with pytest.raises(InvalidInput):
        walled.put_files("Templates", {"Leak.xlsx": source})[0]  # would overwrite the secret
    with pytest.raises(InvalidInput):
        walled.put_files("Orders", {"dangling.xlsx": source})[0]  # would create a file outside
    with pytest.raises(InvalidInput):
        walled.copy_file("Templates/Invoice.xlsx", "Orders", "dangling.xlsx")
    assert outside_now(tmp_path) == {"secret.xlsx": b"secret"}


def test_links_that_stay_inside_the_drive_work(walled: LocalDrive) -> None:
    assert walled.read_file("Templates/Alias.xlsx") == b"invoice"
    copied = walled.copy_file("Templates/Alias.xlsx", "Orders/reports", "Invoice copy.xlsx")
    assert copied.path == "Orders/reports/Invoice copy.xlsx"
    assert (walled.root / "Reports/Invoice copy.xlsx").read_bytes() == b"invoice"
    assert [f.path for f in walled.list_files("Orders/real/loop/real")] == [
        "Orders/real/loop/real/order-1.xlsx"
    ]
