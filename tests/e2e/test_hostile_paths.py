"""Folder, file and sheet names that try to leave the drive: `..`, absolute paths, NUL bytes
and backslashes are refused with a 4xx, and nothing is written outside (or inside) the drive."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import drive
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

HOSTILE = ["../outside", "../../etc", "/etc", "Orders/../../x", "a\x00b", "..", "C:\\Windows"]


def files_outside(server: ServerProcess) -> set[Path]:
    root = drive(server).resolve()
    return {p for p in server.data_dir.rglob("*") if root not in p.resolve().parents}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_refused_everywhere(
    server: ServerProcess, admin: httpx.Client, name: str
) -> None:
    before = files_outside(server)
    drive_before = sorted(drive(server).rglob("*"))
    answers = [
        admin.get("/admin/files", params={"folder": name}),
        admin.get("/admin/sheets", params={"folder": name}),
        admin.post("/admin/sheets", json={"template": "Invoice", "title": name}),
        admin.post("/admin/sheets", json={"template": name, "title": "fine"}),
        admin.post("/admin/sheets", json={"template": "Invoice", "title": "ok", "folder": name}),
        admin.post("/admin/summary", json={"folder": name}),
    ]
    for response in answers:
        assert 400 <= response.status_code < 500, (response.request.url, response.text)
        assert response.json()["detail"]
    assert files_outside(server) == before
    assert sorted(drive(server).rglob("*")) == drive_before


def test_links_that_leave_the_drive_are_neither_listed_nor_followed(
    server: ServerProcess, admin: httpx.Client, tmp_path: Path
) -> None:
    """A person made symlinks in the drive to a folder and a file outside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Payroll.xlsx").write_bytes(b"secret")
    orders = drive(server) / "Orders"
    made_orders = not orders.exists()
    orders.mkdir(exist_ok=True)
    links = [orders / "linkdir", drive(server) / "Templates" / "Leak.xlsx"]
    links[0].symlink_to(outside, target_is_directory=True)
    links[1].symlink_to(outside / "Payroll.xlsx")
    try:
        listings = [
            admin.get("/admin/files", params={"folder": "Orders"}),
            admin.get("/admin/files", params={"folder": "Templates"}),
            admin.get("/admin/sheets", params={"limit": 200}),
        ]
        for response in listings:
            assert response.status_code == 200, (response.request.url, response.text)
            for name in ("linkdir", "Leak", "Payroll"):
                assert name not in response.text, (response.request.url, response.text)
        refused = [
            admin.get("/admin/files", params={"folder": "Orders/linkdir"}),
            admin.get("/admin/sheets", params={"folder": "Orders/linkdir"}),
            admin.post("/admin/sheets", json={"template": "Leak", "title": "Stolen"}),
            admin.post(
                "/admin/sheets",
                json={"template": "Invoice", "title": "Planted", "folder": "Orders/linkdir"},
            ),
            admin.post(
                "/admin/summary", json={"sources": ["workbooks"], "folder": "Orders/linkdir"}
            ),
        ]
        for response in refused:
            assert 400 <= response.status_code < 500, (response.request.url, response.text)
            assert response.json()["detail"]
            assert "Payroll" not in response.text
        assert [p.name for p in outside.iterdir()] == ["Payroll.xlsx"]
        assert not (drive(server) / "Stolen.xlsx").exists()
    finally:
        for link in links:
            link.unlink()
        if made_orders:
            orders.rmdir()
