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
