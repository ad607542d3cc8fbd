"""The local drive: folders, idempotent uploads, listings, hostile paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.errors import InvalidInput
from tools.storage.local import LocalDrive, clean_relative_path


def test_ensure_folder_is_find_or_create(tmp_path: Path) -> None:
    drive = LocalDrive(tmp_path / "drive")
    assert drive.ensure_folder("Orders/2026-11-24 Jane 1a2b") == "Orders/2026-11-24 Jane 1a2b"
    assert drive.ensure_folder("Orders/2026-11-24 Jane 1a2b/") == "Orders/2026-11-24 Jane 1a2b"
    assert (tmp_path / "drive" / "Orders" / "2026-11-24 Jane 1a2b").is_dir()


def test_put_file_skips_identical_content(tmp_path: Path) -> None:
    drive = LocalDrive(tmp_path / "drive")
    source = tmp_path / "design.png"
    source.write_bytes(b"first")
    first = drive.put_file("Orders/x", "design.png", source)
    again = drive.put_file("Orders/x", "design.png", source)
    source.write_bytes(b"second")
    changed = drive.put_file("Orders/x", "design.png", source)
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


@pytest.mark.parametrize("bad", ["../etc", "Orders/../../x", "/etc/passwd", "a\x00b"])
def test_hostile_paths_are_refused(tmp_path: Path, bad: str) -> None:
    drive = LocalDrive(tmp_path / "drive")
    with pytest.raises(InvalidInput):
        drive.ensure_folder(bad)
    source = tmp_path / "f"
    source.write_bytes(b"x")
    with pytest.raises(InvalidInput):
        drive.put_file("Orders", bad, source)


def test_clean_relative_path_normalises_separators() -> None:
    assert clean_relative_path("Orders\\x/./y").as_posix() == "Orders/x/y"
