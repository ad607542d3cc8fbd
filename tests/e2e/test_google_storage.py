"""`atelier serve` on Google storage (the fake Drive): it refuses to start when Drive cannot
work, writes nothing into Drive when it starts, and serves the admin sheet endpoints from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.schemas import ORDER_EXAMPLE
from tests.support.databases import DatabaseFactory
from tests.support.fake_google import FOLDER, ROOT_ID, SHEET, XLSX, FakeGoogle, xlsx
from tests.support.http import wait_for_status
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
        [made] = [f for f in fake.files.values() if f["name"] == "Prices 2027"]
        assert created.json() == {
            "path": "Prices 2027",
            "name": "Prices 2027",
            "folder": "",
            "template": "Price List.xlsx",
            "link": made["webViewLink"],  # Drive's page for it, which the console links
        }
        assert made["mimeType"] == SHEET
        again = admin.post("/admin/sheets", json={"template": "Price List", "title": "Prices 2027"})
        assert again.status_code == 409 and "already exists" in again.json()["detail"]

        sheets = admin.get("/admin/sheets", params={"name_contains": "prices"})
        assert sheets.status_code == 200, sheets.text
        assert [(s["path"], s["link"]) for s in sheets.json()["sheets"]] == [
            ("Prices 2027", made["webViewLink"])
        ]

        fake.fail_next(403, reason="insufficientFilePermissions", times=1)
        refused = admin.get("/admin/sheets")
        assert refused.status_code == 403 and "lacks access" in refused.json()["detail"]


def test_an_order_on_google_drive_through_changes_an_outage_and_a_retry(
    fake: FakeGoogle, databases: DatabaseFactory, tmp_path: Path
) -> None:
    env = {**google_env(fake, ROOT_ID), "ATELIER_DATABASE_URL": databases.create()}
    with (
        ServerProcess(tmp_path, env) as server,
        client_for(server, "jane", Role.CUSTOMER) as jane,
        client_for(server, "olga", Role.OPERATOR) as operator,
    ):
        placed = jane.post("/orders", json=ORDER_EXAMPLE)
        assert placed.status_code == 202, placed.text
        order_id = placed.json()["id"]
        order = wait_for_status(jane, order_id, "awaiting_approval", "failed")
        assert order["status"] == "awaiting_approval", order["error"]

        # The order's folder in Orders/ carries the order's id as its mark.
        [folder] = [
            f for f in fake.files.values() if f["appProperties"].get("atelier_order_id") == order_id
        ]
        [orders] = [f for f in fake.children(ROOT_ID) if f["name"] == "Orders"]
        assert folder["mimeType"] == FOLDER and folder["parents"] == [orders["id"]]
        assert order["folder_path"] == f"Orders/{folder['name']}"
        workbook = f"order-{order_id.replace('-', '')[:8]}.xlsx"

        def in_drive() -> dict[str, dict[str, object]]:
            files = fake.children(folder["id"])
            assert len({f["name"] for f in files}) == len(files)  # no name twice
            return {str(f["name"]): f for f in files}

        assert sorted(in_drive()) == ["design-v1.png", workbook]
        workbook_id = in_drive()[workbook]["id"]

        # Changes requested; Drive keeps failing the workbook's new version: the step fails.
        fake.fail_next(
            503, times=1000, retry_after="0", path_contains=f"/upload/drive/v3/files/{workbook_id}"
        )
        changes = jane.post(
            f"/orders/{order_id}/approve", json={"approved": False, "feedback": "Make it orange"}
        )
        assert changes.status_code == 200, changes.text
        order = wait_for_status(jane, order_id, "failed", "awaiting_approval")
        assert order["status"] == "failed" and order["failed_step"] == "upload_files"
        # Our words and the error's class (never an exception's text: see failure_message).
        assert order["error"] == "the order's files could not be uploaded (StorageUnavailable)"

        # Drive recovers; an operator's retry carries on, uploading nothing twice.
        fake.recover()
        assert fake.count("POST /upload/drive/v3/files") == 3  # design-v2 went up before
        patched = fake.count(f"PATCH /upload/drive/v3/files/{workbook_id}")
        retried = operator.post(f"/orders/{order_id}/retry")
        assert retried.status_code in (200, 202), retried.text
        order = wait_for_status(jane, order_id, "awaiting_approval", "failed")
        assert order["status"] == "awaiting_approval", order["error"]
        assert [v["version"] for v in order["design_versions"]] == [1, 2]

        approved = jane.post(f"/orders/{order_id}/approve", json={"approved": True})
        assert approved.status_code == 200, approved.text
        order = wait_for_status(jane, order_id, "completed", "failed")
        assert order["status"] == "completed", order["error"]

        files = in_drive()
        assert sorted(files) == ["design-v1.png", "design-v2.png", workbook]
        assert files[workbook]["id"] == workbook_id  # one workbook, rewritten per version
        assert files["design-v1.png"]["md5Checksum"] != files["design-v2.png"]["md5Checksum"]
        # GET /orders/{id}: each file's Drive id and link.
        shown = {f["name"]: f for f in order["files"]}
        assert sorted(shown) == sorted(files)
        for name, found in files.items():
            assert shown[name]["id"] == found["id"]
            assert shown[name]["link"] == found["webViewLink"]
            assert shown[name]["path"] == f"{order['folder_path']}/{name}"

        # Each design went up once; the workbook once per new content (v1, v2, approval).
        assert fake.count("POST /upload/drive/v3/files") == 3
        # After the outage: the retry's workbook (v2) and the approved one, nothing more.
        assert fake.count(f"PATCH /upload/drive/v3/files/{workbook_id}") - patched <= 2
