"""`atelier serve` on Google storage (the fake Drive): it refuses to start when Drive cannot
work, writes nothing into Drive when it starts, and serves the admin sheet endpoints from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import DatabaseFactory
from tests.support.fake_google import FOLDER, SHEET, XLSX, FakeGoogle, xlsx
from tests.support.server import ServerProcess, client_for
from tools.access import Role

pytestmark = pytest.mark.slow


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    with FakeGoogle() as server:
        yield server


def google_env(fake: FakeGoogle, root: str | None) -> dict[str, str]:
    env = {
        "ATELIER_STORAGE": "google",
        "ATELIER_GOOGLE_API_URL": fake.root_url,
        "ATELIER_GOOGLE_ACCESS_TOKEN": fake.token,
    }
    if root is not None:
        env["ATELIER_GOOGLE_ROOT_FOLDER_ID"] = root
    return env


def refusal(data_dir: Path, env: dict[str, str]) -> str:
    """The log of a server that must not start: one line saying what to set, no traceback."""
    server = ServerProcess(data_dir, env, startup_timeout=30)
    with pytest.raises(RuntimeError, match="exited early") as caught:
        server.start()
    assert server.process is not None and server.process.returncode == 2
    assert "Traceback" not in str(caught.value)
    assert "atelier serve: " in str(caught.value)
    return str(caught.value)


def test_serve_refuses_to_start_without_a_root_folder(fake: FakeGoogle, tmp_path: Path) -> None:
    log = refusal(tmp_path, google_env(fake, None))
    assert "ATELIER_STORAGE=google needs ATELIER_GOOGLE_ROOT_FOLDER_ID" in log
    assert fake.count() == 0


def test_serve_refuses_to_start_with_a_wrong_root_id(fake: FakeGoogle, tmp_path: Path) -> None:
    log = refusal(tmp_path, google_env(fake, "no-such-folder"))
    assert "ATELIER_GOOGLE_ROOT_FOLDER_ID=no-such-folder" in log
    assert "share the folder with that account" in log
    assert not (tmp_path / "postgres").exists()  # refused before the database was touched


def test_serve_refuses_to_start_when_the_token_is_refused(fake: FakeGoogle, tmp_path: Path) -> None:
    env = {**google_env(fake, "root-folder"), "ATELIER_GOOGLE_ACCESS_TOKEN": "expired"}
    log = refusal(tmp_path, env)
    assert "ATELIER_GOOGLE_ACCESS_TOKEN" in log and "401" in log


def test_admin_sheet_endpoints_on_google_drive(
    fake: FakeGoogle, databases: DatabaseFactory, tmp_path: Path
) -> None:
    templates = fake.add_file("Templates", mime_type=FOLDER)
    fake.add_file("Price List.xlsx", templates, mime_type=XLSX, content=xlsx(["Product", "Price"]))
    before = dict(fake.files)
    env = {**google_env(fake, "root-folder"), "ATELIER_DATABASE_URL": databases.create()}
    with ServerProcess(tmp_path, env) as server, client_for(server, "ada", Role.ADMIN) as admin:
        assert fake.files == before  # starting wrote nothing into Drive
        assert not (tmp_path / "drive").exists()

        created = admin.post(
            "/admin/sheets", json={"template": "prise list", "title": "Prices 2027"}
        )
        assert created.status_code == 201, created.text
        assert created.json() == {
            "path": "Prices 2027",
            "name": "Prices 2027",
            "folder": "",
            "template": "Price List.xlsx",
        }
        assert [f["mimeType"] for f in fake.files.values() if f["name"] == "Prices 2027"] == [SHEET]
        again = admin.post("/admin/sheets", json={"template": "Price List", "title": "Prices 2027"})
        assert again.status_code == 409 and "already exists" in again.json()["detail"]

        sheets = admin.get("/admin/sheets", params={"name_contains": "prices"})
        assert sheets.status_code == 200, sheets.text
        assert [s["path"] for s in sheets.json()["sheets"]] == ["Prices 2027"]

        fake.fail_next(403, reason="insufficientFilePermissions", times=1)
        refused = admin.get("/admin/sheets")
        assert refused.status_code == 403 and "lacks access" in refused.json()["detail"]
