"""The fake Drive and Sheets server, checked against Google's documented behaviour with the real
google-api-python-client in the loop (built the way the service builds it, from the packaged
discovery documents pointed at the fake)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from tests.support.fake_google import FOLDER, ROOT_ID, SHEET, XLSX, FakeGoogle, xlsx
from tools.retry import RetriesExhausted, RetryPolicy
from tools.storage.google_api import GoogleApis


@pytest.fixture
def fake() -> Iterator[FakeGoogle]:
    with FakeGoogle() as server:
        yield server


@pytest.fixture
def apis(fake: FakeGoogle) -> GoogleApis:
    """Clients that do not retry: these tests look at the fake's own answers."""
    once = RetryPolicy(attempts=1)
    return GoogleApis.build(Credentials(token=fake.token), fake.root_url, retry=once)


def names(apis: GoogleApis, q: str, **params: Any) -> list[str]:
    found: list[str] = []
    token = None
    while True:
        page = apis.run(apis.drive.files().list(q=q, pageToken=token, **params))
        found += [f["name"] for f in page["files"]]
        token = page.get("nextPageToken")
        if not token:
            return found


def reason(error: HttpError) -> str:
    return str(json.loads(error.content)["error"]["errors"][0]["reason"])


def test_name_contains_is_a_prefix_match_on_words(fake: FakeGoogle, apis: GoogleApis) -> None:
    for name in ("HelloWorld", "Price List 2027", "price-list draft", "Invoice"):
        fake.add_file(name)
    assert names(apis, "name contains 'Hello'") == ["HelloWorld"]
    assert names(apis, "name contains 'World'") == []
    assert sorted(names(apis, "name contains 'list'")) == ["Price List 2027", "price-list draft"]
    assert names(apis, "name = 'Invoice'") == ["Invoice"]
    assert names(apis, "name != 'Invoice' and name contains 'Hello'") == ["HelloWorld"]


def test_boolean_operators_parentheses_and_escapes(fake: FakeGoogle, apis: GoogleApis) -> None:
    folder = fake.add_file("Pricing", mime_type=FOLDER)
    fake.add_file("Shop's prices", folder, mime_type=XLSX)
    fake.add_file("Old prices", folder, mime_type="text/csv")
    fake.add_file("Loose sheet", mime_type=XLSX)
    q = f"'{folder}' in parents and (mimeType = '{XLSX}' or name contains 'Old')"
    assert sorted(names(apis, q)) == ["Old prices", "Shop's prices"]
    assert names(apis, "name = 'Shop\\'s prices'") == ["Shop's prices"]
    assert sorted(names(apis, f"not mimeType = '{XLSX}' and not mimeType = '{FOLDER}'")) == [
        "Old prices"
    ]


def test_trashed_dates_and_app_properties(fake: FakeGoogle, apis: GoogleApis) -> None:
    fake.add_file("October", modified="2026-10-15T12:00:00.000Z")
    fake.add_file("November", modified="2026-11-15T12:00:00.000Z")
    marked = fake.add_file("Marked", app_properties={"order_id": "o-1"})
    gone = fake.add_file("Gone")
    fake.files[gone]["trashed"] = True
    assert names(apis, "modifiedTime < '2026-11-01T00:00:00Z'") == ["October"]
    assert names(apis, "modifiedTime >= '2026-11-01T00:00:00' and name contains 'Nov'") == [
        "November"
    ]
    assert names(apis, "appProperties has { key='order_id' and value='o-1' }") == ["Marked"]
    assert names(apis, "trashed = true") == ["Gone"]
    assert "Gone" not in names(apis, "trashed = false")
    assert fake.files[marked]["appProperties"] == {"order_id": "o-1"}


@pytest.mark.parametrize(
    "bad", ["name contains", "colour = 'red'", "name < 'x'", "(name = 'x'", "trashed = maybe"]
)
def test_an_invalid_query_is_a_400(apis: GoogleApis, bad: str) -> None:
    with pytest.raises(HttpError) as caught:
        apis.run(apis.drive.files().list(q=bad))
    assert caught.value.resp.status == 400


def test_pages_are_followed_and_fields_select(fake: FakeGoogle, apis: GoogleApis) -> None:
    for number in range(7):
        fake.add_file(f"File {number}", modified=f"2026-11-0{number + 1}T00:00:00.000Z")
    listed = names(apis, "", pageSize=3, orderBy="modifiedTime desc")
    assert listed == [f"File {n}" for n in reversed(range(7))]
    assert fake.count("GET /drive/v3/files") == 3  # 3 + 3 + 1
    page = apis.run(apis.drive.files().list(pageSize=2, fields="nextPageToken, files(id, name)"))
    assert set(page) == {"files", "nextPageToken"}
    assert all(set(f) == {"id", "name"} for f in page["files"])


def test_multipart_and_resumable_uploads_keep_the_bytes(fake: FakeGoogle, apis: GoogleApis) -> None:
    small, large = b"design" * 10, bytes(range(256)) * 3000  # 768 KB: three chunks
    for data, resumable in ((small, False), (large, True)):
        media = MediaIoBaseUpload(
            io.BytesIO(data), "image/png", resumable=resumable, chunksize=256 * 1024
        )
        body = {"name": "design.png", "parents": [ROOT_ID], "appProperties": {"v": "1"}}
        created = apis.run(
            apis.drive.files().create(
                body=body, media_body=media, fields="id, md5Checksum, size", supportsAllDrives=True
            )
        )
        assert created["md5Checksum"] == hashlib.md5(data).hexdigest()
        assert int(created["size"]) == len(data)
        downloaded = apis.run(apis.drive.files().get_media(fileId=created["id"]))
        assert downloaded == data
    assert fake.count("PUT /upload/drive/v3/files") == 3


def test_copying_an_xlsx_as_a_sheet_converts_it(fake: FakeGoogle, apis: GoogleApis) -> None:
    templates = fake.add_file("Templates", mime_type=FOLDER)
    source = fake.add_file(
        "Price List.xlsx", templates, mime_type=XLSX, content=xlsx(["Product", "Price"])
    )
    body = {"name": "Price List 2027", "parents": [ROOT_ID], "mimeType": SHEET}
    copied = apis.run(apis.drive.files().copy(fileId=source, body=body, supportsAllDrives=True))
    values = apis.run(
        apis.sheets.spreadsheets().values().get(spreadsheetId=copied["id"], range="A1:B1")
    )
    assert values["values"] == [["Product", "Price"]]
    assert fake.files[copied["id"]]["parents"] == [ROOT_ID]


def test_spreadsheets_values_and_charts(fake: FakeGoogle, apis: GoogleApis) -> None:
    created = apis.run(
        apis.sheets.spreadsheets().create(
            body={"properties": {"title": "Summary"}, "sheets": [{"properties": {"title": "Data"}}]}
        )
    )
    sid = created["spreadsheetId"]
    values = apis.sheets.spreadsheets().values()
    apis.run(
        values.update(
            spreadsheetId=sid,
            range="Data!A1",
            valueInputOption="RAW",
            body={"values": [["Group", "Orders"], ["=1+1", 3]]},
        )
    )
    apis.run(
        values.update(
            spreadsheetId=sid,
            range="Data!C2",
            valueInputOption="USER_ENTERED",
            body={"values": [["=SUM(B2)"]]},
        )
    )
    book = fake.spreadsheets[sid]
    assert book.formulas == {("Data", 1, 2)}  # RAW keeps "=1+1" as text; USER_ENTERED does not
    chart = {
        "spec": {"title": "Orders"},
        "position": {"overlayPosition": {"anchorCell": {"sheetId": 0}}},
    }
    apis.run(
        apis.sheets.spreadsheets().batchUpdate(
            spreadsheetId=sid, body={"requests": [{"addChart": {"chart": chart}}]}
        )
    )
    got = apis.run(apis.sheets.spreadsheets().get(spreadsheetId=sid))
    assert got["sheets"][0]["charts"][0]["spec"]["title"] == "Orders"
    read = apis.run(values.get(spreadsheetId=sid, range="Data!A1:B2"))
    assert read["values"] == [["Group", "Orders"], ["=1+1", "3"]]  # as shown, by default
    read = apis.run(
        values.get(spreadsheetId=sid, range="'Data'", valueRenderOption="UNFORMATTED_VALUE")
    )
    assert read["values"] == [["Group", "Orders"], ["=1+1", 3, "=SUM(B2)"]]  # a sheet alone
    with pytest.raises(HttpError) as caught:
        apis.run(
            apis.sheets.spreadsheets().batchUpdate(
                spreadsheetId=sid, body={"requests": [{"deleteEverything": {}}]}
            )
        )
    assert caught.value.resp.status == 400


def test_values_get_renders_dates_as_google_documents(fake: FakeGoogle, apis: GoogleApis) -> None:
    """A date read with UNFORMATTED_VALUE is a serial number (days since 1899-12-30) unless
    dateTimeRenderOption is FORMATTED_STRING; FORMATTED_VALUE gives text."""
    moment = datetime(2026, 11, 24, 18, 0)
    sid = fake.add_spreadsheet("Dates", ROOT_ID, [["Created", moment], ["Paid", True]])
    values = apis.sheets.spreadsheets().values()

    def read(**options: str) -> list[list[object]]:
        got = apis.run(values.get(spreadsheetId=sid, range="Sheet1!B1:B2", **options))
        return [row[0] for row in got["values"]]

    assert read(valueRenderOption="UNFORMATTED_VALUE") == [46350.75, True]
    assert read(valueRenderOption="UNFORMATTED_VALUE", dateTimeRenderOption="FORMATTED_STRING")[
        0
    ] == ("2026-11-24 18:00:00")
    assert read() == ["2026-11-24 18:00:00", "TRUE"]


def test_errors_come_in_googles_shape(fake: FakeGoogle, apis: GoogleApis) -> None:
    with pytest.raises(HttpError) as missing:
        apis.run(apis.drive.files().get(fileId="no-such-file"))
    assert (missing.value.resp.status, reason(missing.value)) == (404, "notFound")
    stranger = GoogleApis.build(Credentials(token="someone else"), fake.root_url)
    # A 401 makes google-auth try to refresh; a bare token cannot, so the refusal surfaces so.
    with pytest.raises(RefreshError):
        stranger.run(stranger.drive.files().list())
    assert fake.calls["GET /drive/v3/files"] == 1
    fake.fail_next(429, reason="rateLimitExceeded", retry_after="2", path_contains="/files")
    with pytest.raises(RetriesExhausted) as limited:
        apis.run(apis.drive.files().list())
    answer = limited.value.__cause__.__cause__  # RetriesExhausted ← TemporaryFailure ← HttpError
    assert isinstance(answer, HttpError)
    assert (answer.resp.status, answer.resp["retry-after"]) == (429, "2")
    assert apis.run(apis.drive.files().list())["files"] == []  # once only


# --- the service's own calls: retried as Google asks ---------------------------------------------


def quick(fake: FakeGoogle, waits: list[float]) -> GoogleApis:
    policy = RetryPolicy(attempts=4, backoff=0.5, sleep=waits.append)
    return GoogleApis.build(Credentials(token=fake.token), fake.root_url, retry=policy)


@pytest.mark.parametrize(
    ("status", "why"),
    [
        (429, "rateLimitExceeded"),
        (403, "userRateLimitExceeded"),
        (403, "rateLimitExceeded"),
        (503, "backendError"),
    ],
)
def test_rate_limits_and_server_errors_are_retried_until_they_pass(
    fake: FakeGoogle, status: int, why: str
) -> None:
    waits: list[float] = []
    apis = quick(fake, waits)
    fake.fail_next(status, reason=why, times=2)
    assert apis.run(apis.drive.files().list())["files"] == []
    assert fake.calls["GET /drive/v3/files"] == 3
    assert len(waits) == 2 and waits[1] > waits[0]  # exponential


def test_retry_after_is_honoured(fake: FakeGoogle) -> None:
    waits: list[float] = []
    apis = quick(fake, waits)
    fake.fail_next(429, reason="rateLimitExceeded", retry_after="7")
    apis.run(apis.drive.files().list())
    assert waits == [7.0]


def test_a_lasting_outage_gives_up_and_a_refusal_is_not_retried(fake: FakeGoogle) -> None:
    waits: list[float] = []
    apis = quick(fake, waits)
    fake.fail_next(500, times=4)
    with pytest.raises(RetriesExhausted):
        apis.run(apis.drive.files().list())
    assert fake.calls["GET /drive/v3/files"] == 4
    fake.fail_next(403, reason="insufficientFilePermissions", path_contains="/files/x")
    with pytest.raises(HttpError) as refused:
        apis.run(apis.drive.files().get(fileId="x"))
    assert refused.value.resp.status == 403
    assert fake.calls["GET /drive/v3/files/x"] == 1
