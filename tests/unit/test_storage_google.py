"""GoogleDrive, the Storage protocol on Google Drive, with the real google-api-python-client
talking to the fake Drive (tests/support/fake_google.py); and the admin drive tools on it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from google.oauth2.credentials import Credentials

from settings import Settings
from tests.support.fake_google import FOLDER, ROOT_ID, SHEET, SHORTCUT, XLSX, FakeGoogle, xlsx
from tools.access import Principal, Role
from tools.backends import check_storage, make_storage
from tools.catalog import ADMIN_TOOLS
from tools.context import Backends, ToolContext
from tools.errors import AccessRefused, Conflict, InvalidInput, NotFound, StorageUnavailable
from tools.registry import ToolRegistry
from tools.retry import RetryPolicy
from tools.storage import google as google_storage
from tools.storage.google import GoogleDrive, quote
from tools.storage.google_api import GoogleApis, GoogleSetupError

NO_WAIT = RetryPolicy(attempts=4, backoff=0, sleep=lambda _: None)


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    with FakeGoogle() as server:
        yield server


def drive_for(fake: FakeGoogle, token: str | None = None) -> GoogleDrive:
    apis = GoogleApis.build(Credentials(token=token or fake.token), fake.root_url, retry=NO_WAIT)
    return GoogleDrive(apis, ROOT_ID, token_given=True)


@pytest.fixture
def drive(fake: FakeGoogle) -> GoogleDrive:
    return drive_for(fake)


def named(fake: FakeGoogle, name: str) -> list[dict[str, object]]:
    return [f for f in fake.files.values() if f["name"] == name and not f["trashed"]]


def test_quote_escapes_backslashes_and_quotes() -> None:
    assert quote("Shop's \\ files") == "'Shop\\'s \\\\ files'"


def test_ensure_folder_finds_or_creates_each_segment(fake: FakeGoogle, drive: GoogleDrive) -> None:
    assert drive.ensure_folder("Orders/2026/o-1") == "Orders/2026/o-1"
    assert drive.ensure_folder("Orders/2026/o-1") == "Orders/2026/o-1"
    assert fake.count("POST /drive/v3/files") == 3  # once per segment, never twice
    # A fresh process finds them by name instead of making more.
    again = drive_for(fake)
    again.ensure_folder("Orders/2026/o-1")
    assert fake.count("POST /drive/v3/files") == 3
    assert drive.exists("Orders/2026") and not drive.exists("Orders/2027")
    with pytest.raises(InvalidInput):
        drive.ensure_folder("../outside")


def test_every_call_passes_supports_all_drives(fake: FakeGoogle, drive: GoogleDrive) -> None:
    drive.ensure_folder("Templates")
    drive.list_files("", recursive=True)
    assert fake.requests
    for method, path, query in fake.requests:
        assert query.get("supportsAllDrives") == "true", (method, path)
        if method == "GET" and path == "/drive/v3/files":
            assert query.get("includeItemsFromAllDrives") == "true"


def test_put_file_uploads_once_and_skips_the_same_bytes(
    fake: FakeGoogle, drive: GoogleDrive, tmp_path: Path
) -> None:
    source = b"\x89PNG first"
    first = drive.put_files("Orders/o-1", {"design-v1.png": source})[0]
    assert first.uploaded and first.path == "Orders/o-1/design-v1.png"
    assert first.sha256 is not None and first.id in fake.contents
    assert fake.contents[first.id] == b"\x89PNG first"

    uploads = fake.count("POST /upload")
    same = drive.put_files("Orders/o-1", {"design-v1.png": b"\x89PNG first"})[0]
    assert not same.uploaded and same.id == first.id and same.sha256 == first.sha256
    assert fake.count("POST /upload") == uploads

    changed = drive.put_files("Orders/o-1", {"design-v1.png": b"\x89PNG second"})[0]
    assert changed.uploaded and changed.id == first.id  # new content, still one file
    assert fake.contents[first.id] == b"\x89PNG second"
    assert len(named(fake, "design-v1.png")) == 1


MARK = {"atelier_order_id": "0f6c1a52-order"}


def test_an_order_folder_is_found_by_its_mark_never_by_name(
    fake: FakeGoogle, drive: GoogleDrive, tmp_path: Path
) -> None:
    orders = fake.add_file("Orders", mime_type=FOLDER)
    impostor = fake.add_file("2026-12-03 mug 0f6c1a52", orders, mime_type=FOLDER)
    path = drive.ensure_folder("Orders/2026-12-03 mug 0f6c1a52", mark=MARK)
    assert path == "Orders/2026-12-03 mug 0f6c1a52"
    [made] = [f for f in named(fake, "2026-12-03 mug 0f6c1a52") if f["id"] != impostor]
    assert made["appProperties"] == MARK and made["parents"] == [orders]
    # Uploads into that path go into the marked folder, not the one of the same name.
    stored = drive.put_files(path, {"design-v1.png": b"\x89PNG 1"})[0]
    assert fake.files[stored.id or ""]["parents"] == [made["id"]]
    assert fake.children(impostor) == []

    creates = fake.count("POST /drive/v3/files")
    calls = fake.count()
    assert drive.ensure_folder(path, mark=MARK) == path
    assert fake.count() == calls  # warm: known in this process, no request

    # Another process finds it by the mark (one query), even after a person renamed it.
    fake.files[str(made["id"])]["name"] = "renamed by hand"
    again = drive_for(fake)
    assert again.ensure_folder(path, mark=MARK) == "Orders/renamed by hand"
    assert fake.count("POST /drive/v3/files") == creates
    queries = [
        q.get("q", "")
        for m, p, q in fake.requests
        if m == "GET" and "appProperties" in q.get("q", "")
    ]
    assert (
        queries
        and "appProperties has { key='atelier_order_id' and value='0f6c1a52-order' }" in queries[-1]
    )
    same = again.put_files("Orders/renamed by hand", {"design-v1.png": b"\x89PNG 1"})[0]
    assert not same.uploaded and same.id == stored.id

    # Another order's mark is another folder, though the name is the same.
    other = again.ensure_folder(path, mark={"atelier_order_id": "someone-else"})
    assert other == path and fake.count("POST /drive/v3/files") == creates + 1


def test_a_new_design_version_adds_a_file_with_its_id_and_link(
    fake: FakeGoogle, drive: GoogleDrive, tmp_path: Path
) -> None:
    first = drive.put_files("Orders/o-1", {"design-v1.png": b"v1"})[0]
    second = drive.put_files("Orders/o-1", {"design-v2.png": b"v2"})[0]
    assert first.id != second.id and first.uploaded and second.uploaded
    assert fake.contents[first.id or ""] == b"v1" and fake.contents[second.id or ""] == b"v2"
    assert second.link == fake.files[second.id or ""]["webViewLink"]
    assert second.link == f"https://drive.google.com/file/d/{second.id}/view"
    assert [f.name for f in drive.list_files("Orders/o-1")] == ["design-v1.png", "design-v2.png"]
    assert all(f.link for f in drive.list_files("Orders/o-1"))


def test_a_large_file_goes_up_resumably(
    fake: FakeGoogle, drive: GoogleDrive, tmp_path: Path
) -> None:
    data = bytes(range(256)) * (6 * 4096)  # 6 MiB
    stored = drive.put_files("", {"big.bin": data})[0]
    assert fake.contents[stored.id or ""] == data
    assert fake.count("PUT /upload/drive/v3/files") >= 1  # the resumable session's chunks
    assert stored.size == len(data) and stored.path == "big.bin"  # the root: no "./"


def test_listings_walk_folders_follow_pages_and_know_native_sheets(
    fake: FakeGoogle, drive: GoogleDrive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(google_storage, "PAGE_SIZE", 1)
    reports = fake.add_file("Reports", mime_type=FOLDER)
    odd = fake.add_file("Shop's odd", reports, mime_type=FOLDER)
    for n in range(5):
        fake.add_file(f"week {n}.xlsx", reports, mime_type=XLSX, content=b"x" * n)
    fake.add_spreadsheet("Budget", ROOT_ID, [["a"]])
    fake.add_file("inside.png", odd, mime_type="image/png")
    gone = fake.add_file("trashed.xlsx", reports, mime_type=XLSX)
    fake.files[gone]["trashed"] = True

    assert drive.list_folders() == ["Reports"]
    assert drive.list_folders(recursive=True) == ["Reports", "Reports/Shop's odd"]
    top = drive.list_files()
    assert [(f.path, f.mime_type) for f in top] == [("Budget", SHEET)]
    everything = [f.path for f in drive.list_files(recursive=True)]
    assert everything == [
        "Budget",
        "Reports/Shop's odd/inside.png",
        *[f"Reports/week {n}.xlsx" for n in range(5)],
    ]
    assert [f.size for f in drive.list_files("Reports")] == [0, 1, 2, 3, 4]
    assert drive.list_files("Reports/Shop's odd")[0].name == "inside.png"
    assert drive.list_files("Nowhere") == [] and drive.list_folders("Nowhere") == []


def test_exists(fake: FakeGoogle, drive: GoogleDrive) -> None:
    templates = fake.add_file("Templates", mime_type=FOLDER)
    fake.add_file("Price List.xlsx", templates, mime_type=XLSX)
    assert drive.exists("") and drive.exists("Templates")
    assert drive.exists("Templates/Price List.xlsx")
    assert not drive.exists("Templates/Nope.xlsx") and not drive.exists("Nope/x")


def test_copy_makes_a_native_sheet_and_never_replaces_one(
    fake: FakeGoogle, drive: GoogleDrive
) -> None:
    templates = fake.add_file("Templates", mime_type=FOLDER)
    fake.add_file("Price List.xlsx", templates, mime_type=XLSX, content=xlsx(["Product", "Price"]))
    fake.add_file("Pricing", mime_type=FOLDER)
    created = drive.copy_file("Templates/Price List.xlsx", "Pricing", "Prices 2027.xlsx")
    assert (created.path, created.name, created.mime_type) == (
        "Pricing/Prices 2027",
        "Prices 2027",
        SHEET,
    )
    assert fake.spreadsheets[created.id or ""].sheets["Sheet"] == [["Product", "Price"]]
    with pytest.raises(Conflict, match="already exists"):
        drive.copy_file("Templates/Price List.xlsx", "Pricing", "Prices 2027.xlsx")
    with pytest.raises(NotFound, match=r"Templates/Nope\.xlsx"):
        drive.copy_file("Templates/Nope.xlsx", "Pricing", "x.xlsx")
    plain = drive.copy_file("Templates/Price List.xlsx", "Pricing", "raw copy.bin")
    assert plain.mime_type == XLSX and plain.name == "raw copy.bin"


def test_files_are_read_by_id_and_sheets_by_values_get_or_openpyxl(
    fake: FakeGoogle, drive: GoogleDrive
) -> None:
    logo = fake.add_file("logo.png", mime_type="image/png", content=b"\x89PNG logo")
    fake.add_spreadsheet("Budget", ROOT_ID, [["Item", "Cost"], ["Ink", 12]])
    book = xlsx(["Item", "Cost"], ["Paper", 3.5])
    fake.add_file("Costs.xlsx", mime_type=XLSX, content=book)
    assert drive.read_file(logo) == b"\x89PNG logo"
    files = {f.name: f for f in drive.list_files()}

    calls = fake.count()
    assert drive.read_sheet(files["Budget"], "Sheet1") == [["Item", "Cost"], ["Ink", 12]]
    assert fake.count("GET /v4/spreadsheets/") == 1 and fake.count() == calls + 1
    assert drive.read_sheet(files["Costs.xlsx"], "Sheet") == [["Item", "Cost"], ["Paper", 3.5]]
    assert fake.count() == calls + 2  # one download, read with openpyxl
    with pytest.raises(InvalidInput, match="no 'Order' sheet"):
        drive.read_sheet(files["Budget"], "Order")
    with pytest.raises(InvalidInput, match="no 'Order' sheet"):
        drive.read_sheet(files["Costs.xlsx"], "Order")
    with pytest.raises(InvalidInput, match="not a readable workbook"):
        drive.read_sheet(files["logo.png"], "Sheet")
    with pytest.raises(NotFound):
        drive.read_file("no-such-id")


def test_rate_limits_are_retried_until_they_pass(fake: FakeGoogle, drive: GoogleDrive) -> None:
    fake.add_file("a.txt", mime_type="text/plain")
    fake.fail_next(429, reason="rateLimitExceeded", times=2, path_contains="/drive/v3/files")
    fake.fail_next(403, reason="userRateLimitExceeded", path_contains="/drive/v3/files")
    assert [f.name for f in drive.list_files()] == ["a.txt"]
    assert fake.count("GET /drive/v3/files") == 4


def test_a_lasting_outage_is_a_clear_503(fake: FakeGoogle, drive: GoogleDrive) -> None:
    fake.fail_next(503, times=10)
    with pytest.raises(StorageUnavailable, match="not answering") as caught:
        drive.list_files()
    assert caught.value.status_code == 503


def test_refusals_are_403s_that_name_the_account(
    fake: FakeGoogle, drive: GoogleDrive, tmp_path: Path
) -> None:
    locked = fake.add_file("secret.pdf", mime_type="application/pdf", content=b"%PDF")
    fake.denied.add(locked)
    with pytest.raises(AccessRefused, match="lacks access") as caught:
        drive.read_file(locked)
    assert caught.value.status_code == 403
    wrong = drive_for(fake, token="expired")
    with pytest.raises(AccessRefused, match=r"ATELIER_GOOGLE_ACCESS_TOKEN.*401"):
        wrong.list_files()


def test_a_gone_root_is_a_404_and_stale_folder_ids_are_dropped(
    fake: FakeGoogle, drive: GoogleDrive, tmp_path: Path
) -> None:
    drive.ensure_folder("Orders")
    old = named(fake, "Orders")[0]["id"]
    fake.files[str(old)]["trashed"] = True  # someone deleted it meanwhile
    stored = drive.put_files("Orders", {"a.txt": b"a"})[0]
    assert stored.path == "Orders/a.txt"
    [orders] = named(fake, "Orders")
    assert orders["id"] != old and fake.files[stored.id or ""]["parents"] == [orders["id"]]

    fake.files[ROOT_ID]["trashed"] = True
    with pytest.raises(NotFound, match="not in Google Drive") as caught:
        drive.put_files("Elsewhere", {"b.txt": b"b"})[0]
    assert caught.value.status_code == 404


def test_the_start_up_check(fake: FakeGoogle, drive: GoogleDrive, tmp_path: Path) -> None:
    before = len(fake.files)
    drive.check_root()
    assert len(fake.files) == before and fake.count() == 1  # one files.get, nothing written
    wrong = GoogleDrive(drive.apis, "no-such-folder")
    with pytest.raises(GoogleSetupError, match="ATELIER_GOOGLE_ROOT_FOLDER_ID=no-such-folder"):
        wrong.check_root()
    a_file = fake.add_file("notes.txt")
    with pytest.raises(GoogleSetupError, match="not a folder"):
        GoogleDrive(drive.apis, a_file).check_root()
    expired = drive_for(fake, token="expired")
    with pytest.raises(GoogleSetupError, match="401"):
        expired.check_root()


def test_settings_select_google_and_refuse_what_cannot_work(
    fake: FakeGoogle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = {"storage": "google", "data_dir": tmp_path, "google_api_url": fake.root_url}
    with pytest.raises(GoogleSetupError, match="ATELIER_GOOGLE_ROOT_FOLDER_ID"):
        make_storage(Settings(**base, google_access_token=fake.token))  # type: ignore[arg-type]
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    with pytest.raises(GoogleSetupError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        make_storage(Settings(**base, google_root_folder_id=ROOT_ID))  # type: ignore[arg-type]
    storage = make_storage(
        Settings(**base, google_root_folder_id=ROOT_ID, google_access_token=fake.token)  # type: ignore[arg-type]
    )
    assert isinstance(storage, GoogleDrive)
    check_storage(storage)


# --- the admin tools on Google Drive, through the registry ------------------------------------


@pytest.fixture
def admin(fake: FakeGoogle, drive: GoogleDrive) -> ToolContext:
    templates = fake.add_file("Templates", mime_type=FOLDER)
    fake.add_file(
        "Price List.xlsx",
        templates,
        mime_type=XLSX,
        content=xlsx(["Product", "Price"]),
        modified="2025-01-01T00:00:00.000Z",
    )
    fake.add_file(
        "Invoice.xlsx",
        templates,
        mime_type=XLSX,
        content=xlsx(["Invoice"]),
        modified="2025-01-01T00:00:00.000Z",
    )
    pricing = fake.add_file("Pricing", mime_type=FOLDER)
    fake.add_file(
        "Price List 2026.xlsx", pricing, mime_type=XLSX, modified="2026-10-01T00:00:00.000Z"
    )
    fake.add_file("Old prices.xlsx", pricing, mime_type=XLSX, modified="2025-06-01T00:00:00.000Z")
    reports = fake.add_file("Reports", mime_type=FOLDER)
    weekly = fake.add_spreadsheet("Weekly report", reports, [["Week"]])
    fake.files[weekly]["modifiedTime"] = "2026-11-20T00:00:00.000Z"
    fake.add_file("logo.png", reports, mime_type="image/png", modified="2026-11-21T00:00:00.000Z")
    backends = Backends(settings=None, db=None, storage=drive, design_engine=None)  # type: ignore[arg-type]
    return ToolContext(backends=backends, principal=Principal("ada", Role.ADMIN))


@pytest.fixture
def registry() -> ToolRegistry:
    registry = ToolRegistry()
    for func in ADMIN_TOOLS:
        registry.register(func, roles=(Role.ADMIN,))
    return registry


def sheet_names(result: object) -> list[str]:
    return [s["name"] for s in result.model_dump()["sheets"]]  # type: ignore[attr-defined]


def test_list_sheets_with_filters(admin: ToolContext, registry: ToolRegistry) -> None:
    everything = registry.execute("list_sheets", {}, admin)
    assert sheet_names(everything) == [
        "Weekly report",  # a native Google Sheet counts as a sheet
        "Price List 2026.xlsx",
        "Old prices.xlsx",
        "Price List.xlsx",  # same date: by path, descending
        "Invoice.xlsx",
    ]
    assert sheet_names(registry.execute("list_sheets", {"name_contains": "PRICE"}, admin)) == [
        "Price List 2026.xlsx",
        "Old prices.xlsx",
        "Price List.xlsx",
    ]
    in_pricing = registry.execute("list_sheets", {"folder": "pricng"}, admin)  # misspelt
    assert in_pricing.model_dump()["folder"] == "Pricing"
    assert sheet_names(in_pricing) == ["Price List 2026.xlsx", "Old prices.xlsx"]
    recent = registry.execute("list_sheets", {"modified_after": "2026-09-01"}, admin)
    assert sheet_names(recent) == ["Weekly report", "Price List 2026.xlsx"]
    older = registry.execute(
        "list_sheets", {"modified_before": date(2025, 12, 31).isoformat()}, admin
    )
    assert sheet_names(older) == ["Old prices.xlsx", "Price List.xlsx", "Invoice.xlsx"]


def test_create_sheet_from_template(
    fake: FakeGoogle, admin: ToolContext, registry: ToolRegistry
) -> None:
    args = {"template": "prise list", "title": "Prices 2027", "folder": "pricing"}
    created = registry.execute("create_sheet_from_template", args, admin).model_dump()
    [sheet] = named(fake, "Prices 2027")
    assert created == {
        "path": "Pricing/Prices 2027",
        "name": "Prices 2027",
        "folder": "Pricing",
        "template": "Price List.xlsx",
        "link": sheet["webViewLink"],  # where the console sends a person to open it
    }
    assert sheet["mimeType"] == SHEET
    with pytest.raises(Conflict, match="already exists"):
        registry.execute("create_sheet_from_template", args, admin)
    with pytest.raises(NotFound):
        registry.execute(
            "create_sheet_from_template", {"template": "spaceship", "title": "x"}, admin
        )
    listed = registry.execute("list_sheets", {"name_contains": "prices 2027"}, admin)
    assert sheet_names(listed) == ["Prices 2027"]
    assert listed.sheets[0].link == sheet["webViewLink"]


def test_list_files_gives_kinds_from_mime_types(admin: ToolContext, registry: ToolRegistry) -> None:
    listed = registry.execute("list_files", {"folder": "reports"}, admin).model_dump()
    assert listed["folder"] == "Reports"
    assert [(f["name"], f["kind"]) for f in listed["files"]] == [
        ("Weekly report", "sheet"),
        ("logo.png", "image"),
    ]
    root = registry.execute("list_files", {"kind": "folder"}, admin).model_dump()
    assert [f["name"] for f in root["files"]] == ["Pricing", "Reports", "Templates"]
    newest = registry.execute("list_files", {"folder": "Reports", "limit": 1}, admin)
    assert [f["name"] for f in newest.model_dump()["files"]] == ["logo.png"]


def test_shortcuts_are_resolved_to_what_they_point_at(fake: FakeGoogle, drive: GoogleDrive) -> None:
    reports = fake.add_file("Reports", mime_type=FOLDER)
    target = fake.add_file("Q3.xlsx", reports, mime_type=XLSX, content=xlsx(["Q3"]))
    fake._new_file("Q3 shortcut.xlsx", SHORTCUT, [ROOT_ID], {}, b"", target)
    [shortcut] = drive.list_files()
    assert (shortcut.name, shortcut.id, shortcut.mime_type) == ("Q3 shortcut.xlsx", target, XLSX)
    assert drive.read_file(shortcut.id) == fake.contents[target]


# --- find_sheets: the filters in the Drive query ----------------------------------------------


def sheet_queries(fake: FakeGoogle) -> list[dict[str, str]]:
    return [
        q
        for m, p, q in fake.requests
        if m == "GET" and p == "/drive/v3/files" and "spreadsheet" in q.get("q", "")
    ]


def test_find_sheets_puts_the_filters_in_the_query(
    fake: FakeGoogle, admin: ToolContext, drive: GoogleDrive
) -> None:
    fake.requests.clear()
    found, total = drive.find_sheets(
        "",
        name_contains="price list",
        modified_after=datetime(2025, 1, 1, tzinfo=UTC),
        modified_before=datetime(2026, 11, 1, tzinfo=UTC),
        limit=1,
    )
    assert [f.path for f in found] == ["Pricing/Price List 2026.xlsx"]  # newest first
    assert total == 2  # and Templates/Price List.xlsx
    [query] = sheet_queries(fake)
    q = query["q"]
    assert f"(mimeType = {quote(SHEET)} or mimeType = {quote(XLSX)} or " in q
    assert "trashed = false" in q
    assert "name contains 'list'" in q
    assert "modifiedTime >= '2025-01-01T00:00:00.000Z'" in q
    assert "modifiedTime < '2026-11-01T00:00:00.000Z'" in q
    assert f"{quote(ROOT_ID)} in parents" in q
    assert query["orderBy"] == "modifiedTime desc"
    assert "parents" in query["fields"] and "md5Checksum" not in query["fields"]
    # Every listing is restricted to folders: none covers the whole drive.
    for method, path, sent in fake.requests:
        if method == "GET" and path == "/drive/v3/files":
            assert "in parents" in sent["q"], sent


def test_sheets_are_what_the_local_drive_calls_sheets(fake: FakeGoogle, drive: GoogleDrive) -> None:
    """.xlsx, .xls and .csv files and native Sheets, as .xlsx, .xls and .csv are locally; an
    upload carries its type, whatever the host's MIME table knows."""
    reports = fake.add_file("Reports", mime_type=FOLDER)
    fake.add_file("legacy.xls", reports, mime_type="application/vnd.ms-excel")
    fake.add_file("data.csv", reports, mime_type="text/csv")
    fake.add_file("notes.txt", reports, mime_type="text/plain")
    fake.add_spreadsheet("Native", reports, [["a"]])
    drive.put_files("Reports", {"book.xlsx": xlsx(["x"])})
    found, total = drive.find_sheets("Reports")
    assert sorted(f.name for f in found) == ["Native", "book.xlsx", "data.csv", "legacy.xls"]
    assert total == 4
    assert [f["mimeType"] for f in named(fake, "book.xlsx")] == [XLSX]


def test_find_sheets_matches_anywhere_in_the_name_and_quotes_it(
    fake: FakeGoogle, drive: GoogleDrive
) -> None:
    fake.add_file("Ada's budget O'Brien.xlsx", mime_type=XLSX)
    fake.add_file("Pricelist.xlsx", mime_type=XLSX)
    fake.add_file("budget.png", mime_type="image/png")
    fake.requests.clear()
    found, total = drive.find_sheets(name_contains="a's budget o'brien")
    assert ([f.name for f in found], total) == (["Ada's budget O'Brien.xlsx"], 1)
    [query] = sheet_queries(fake)
    assert "name contains 'budget' and name contains 'o\\'brien'" in query["q"]
    assert "a\\'s" not in query["q"]  # it may sit inside a word: matched after the query
    # Inside a word, as on the local drive (Drive alone would match word starts only).
    assert [f.name for f in drive.find_sheets(name_contains="LIST")[0]] == ["Pricelist.xlsx"]


def test_find_sheets_in_a_folder_walks_its_subfolders_in_batches(
    fake: FakeGoogle, drive: GoogleDrive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(google_storage, "PARENTS_PER_QUERY", 2)
    monkeypatch.setattr(google_storage, "PAGE_SIZE", 1)
    fake.add_file("Outside.xlsx", mime_type=XLSX, modified="2026-12-01T00:00:00.000Z")
    pricing = fake.add_file("Pricing", mime_type=FOLDER)
    expected = []
    for year in range(2021, 2026):
        folder = fake.add_file(str(year), pricing, mime_type=FOLDER)
        quarter = fake.add_file("Q1", folder, mime_type=FOLDER)
        fake.add_file(f"{year}.xlsx", folder, mime_type=XLSX, modified=f"{year}-02-01T00:00:00Z")
        sheet = fake.add_spreadsheet(f"Q1 {year}", quarter, [["x"]])
        fake.files[sheet]["modifiedTime"] = f"{year}-03-01T00:00:00Z"
        fake.add_file("notes.txt", quarter, mime_type="text/plain")
        expected = [f"Pricing/{year}/Q1/Q1 {year}", f"Pricing/{year}/{year}.xlsx", *expected]
    fake.requests.clear()
    found, total = drive.find_sheets("Pricing", limit=100)
    assert [f.path for f in found] == expected and total == 10
    queries = sheet_queries(fake)
    assert len({q["q"] for q in queries}) == 6  # eleven folders, two per query
    for query in queries:
        assert query["q"].count("in parents") <= 2
    assert any("pageToken" in query for query in queries)  # every page followed
    for method, path, sent in fake.requests:
        if method == "GET" and path == "/drive/v3/files":
            assert "in parents" in sent["q"], sent
            # Only Pricing's id lookup (by name) looks in the root; no search starts there.
            assert ROOT_ID not in sent["q"] or "name = 'Pricing'" in sent["q"], sent
    assert drive.find_sheets("Nowhere") == ([], 0)


def test_list_sheets_on_drive_counts_all_and_gives_the_newest(
    admin: ToolContext, registry: ToolRegistry
) -> None:
    listed = registry.execute("list_sheets", {"limit": 2}, admin).model_dump()
    assert [s["name"] for s in listed["sheets"]] == ["Weekly report", "Price List 2026.xlsx"]
    assert listed["total"] == 5
