"""A fake Google Drive v3 and Sheets v4 on loopback, speaking the REST protocol the real
google-api-python-client sends (point it here with ATELIER_GOOGLE_API_URL).

What it answers, as Google documents it: ``files.list`` with the ``q`` language
(tests/support/drive_query.py), ``orderBy``, ``pageSize``/``pageToken`` and ``fields``;
``files.create`` (metadata), multipart, media and resumable uploads (308 with ``Range`` between
chunks); ``files.get`` (metadata or ``alt=media``), ``files.export`` (a native Sheet as xlsx),
``files.update`` (``addParents`` / ``removeParents``, or new content by upload), ``files.copy``
(an ``.xlsx`` converted to a native Sheet when the copy asks for one);
``spreadsheets.create``/``get``, ``values.get``/``update``/``append``/``batchUpdate`` and
``spreadsheets.batchUpdate`` (``addChart``, ``addSheet`` and formatting requests). Errors
come in Google's shape (``{"error": {"code", "message", "errors": [{"reason"}]}}``): 401 for a
wrong bearer token, 404 ``notFound``, 400 for a bad query, and whatever a test schedules with
:meth:`FakeGoogle.fail_next` (429, 403 ``rateLimitExceeded``, 5xx, with ``Retry-After``).
Every request is counted, so tests and the bench can say how many calls an operation made.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from openpyxl import Workbook, load_workbook

from tests.support.drive_query import QueryError, parse_query
from tests.support.receivers import LoopbackHTTPServer

FOLDER = "application/vnd.google-apps.folder"
SHEET = "application/vnd.google-apps.spreadsheet"
SHORTCUT = "application/vnd.google-apps.shortcut"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROOT_ID = "root-folder"  # the shop's root folder, shared with the account
MY_DRIVE = "my-drive"  # the account's own My Drive ("root" in the API), where Sheets creates


class GoogleError(Exception):
    def __init__(self, code: int, message: str, reason: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.code, self.message, self.reason = code, message, reason
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [{"domain": "global", "reason": self.reason, "message": self.message}],
            }
        }


@dataclass
class ScheduledFailure:
    status: int
    reason: str
    retry_after: str | None
    path_contains: str
    remaining: int


@dataclass
class Spreadsheet:
    title: str
    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)  # title -> rows
    sheet_ids: dict[str, int] = field(default_factory=dict)
    charts: list[dict[str, Any]] = field(default_factory=list)
    formulas: set[tuple[str, int, int]] = field(default_factory=set)  # (sheet, row, col)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _select(resource: dict[str, Any], spec: str | None) -> dict[str, Any]:
    """Google's partial response: ``fields=nextPageToken,files(id,name)``; '*' or none: all."""
    if not spec or spec.strip() == "*":
        return resource
    chosen: dict[str, Any] = {}
    for name, inner in _parse_fields(spec):
        if name not in resource:
            continue
        value = resource[name]
        if inner and isinstance(value, list):
            chosen[name] = [_select(v, inner) if isinstance(v, dict) else v for v in value]
        elif inner and isinstance(value, dict):
            chosen[name] = _select(value, inner)
        else:
            chosen[name] = value
    return chosen


def _parse_fields(spec: str) -> list[tuple[str, str | None]]:
    parts: list[tuple[str, str | None]] = []
    depth, start = 0, 0
    for i, char in enumerate(spec + ","):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            item = spec[start:i].strip()
            start = i + 1
            if not item:
                continue
            if "(" in item:
                parts.append((item[: item.index("(")].strip(), item[item.index("(") + 1 : -1]))
            else:
                parts.append((item.split("/")[0], None))
    return parts


class FakeGoogle(LoopbackHTTPServer):
    """The fake, with a root folder (``ROOT_ID``) and a bearer token it accepts."""

    def __init__(self, token: str = "fake-google-token") -> None:
        self.token = token
        self.files: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.uploads: dict[str, dict[str, Any]] = {}
        self.calls: Counter[str] = Counter()
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # method, path, query
        self.denied: set[str] = set()
        self._failures: list[ScheduledFailure] = []
        self.lock = threading.RLock()
        self.files[ROOT_ID] = self._resource(ROOT_ID, "Shop", FOLDER, [])
        self.files[MY_DRIVE] = self._resource(MY_DRIVE, "My Drive", FOLDER, [])
        super().__init__(_handler_for(self))

    # --- what tests arrange -------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        *,
        reason: str = "backendError",
        times: int = 1,
        retry_after: str | None = None,
        path_contains: str = "",
    ) -> None:
        """Answer the next ``times`` requests whose path holds ``path_contains`` with ``status``."""
        with self.lock:
            self._failures.append(
                ScheduledFailure(status, reason, retry_after, path_contains, times)
            )

    def recover(self) -> None:
        """Drop the failures ``fail_next`` scheduled and has not answered yet."""
        with self.lock:
            self._failures.clear()

    def add_file(
        self,
        name: str,
        parent: str = ROOT_ID,
        *,
        mime_type: str = "application/octet-stream",
        content: bytes = b"",
        modified: str | None = None,
        app_properties: dict[str, str] | None = None,
    ) -> str:
        """Put a file (or, with FOLDER, a folder) straight into the fake; its id."""
        with self.lock:
            file_id = self._new_file(name, mime_type, [parent], app_properties or {}, content)
            if modified:
                self.files[file_id]["modifiedTime"] = modified
            return file_id

    def add_spreadsheet(self, name: str, parent: str, rows: list[list[Any]]) -> str:
        """A native Google Sheet with ``rows`` in its first sheet, ``Sheet1``."""
        with self.lock:
            file_id = self._new_file(name, SHEET, [parent], {}, b"")
            self.spreadsheets[file_id] = Spreadsheet(
                name, sheets={"Sheet1": rows}, sheet_ids={"Sheet1": 0}
            )
            return file_id

    def convert_to_sheet(self, file_id: str) -> str:
        """What a person's "Save as Google Sheets" makes of an .xlsx file: a native Sheet
        beside it, named without the suffix, holding the same tabs; its id."""
        with self.lock:
            source = self.file(file_id)
            title = str(source["name"]).removesuffix(".xlsx")
            sheet_id = self._new_file(title, SHEET, list(source["parents"]), {}, b"")
            self.spreadsheets[sheet_id] = _from_xlsx(title, self.contents[file_id])
            return sheet_id

    def children(self, parent: str) -> list[dict[str, Any]]:
        return [f for f in self.files.values() if parent in f.get("parents", [])]

    def count(self, prefix: str = "") -> int:
        """Requests so far whose 'METHOD path' starts with ``prefix``."""
        return sum(n for key, n in self.calls.items() if key.startswith(prefix))

    # --- the store ----------------------------------------------------------------------------

    def _resource(
        self, file_id: str, name: str, mime_type: str, parents: list[str]
    ) -> dict[str, Any]:
        now = _now()
        link = {
            FOLDER: f"https://drive.google.com/drive/folders/{file_id}",
            SHEET: f"https://docs.google.com/spreadsheets/d/{file_id}/edit",
        }.get(mime_type, f"https://drive.google.com/file/d/{file_id}/view")
        return {
            "kind": "drive#file",
            "id": file_id,
            "name": name,
            "mimeType": mime_type,
            "parents": parents,
            "trashed": False,
            "createdTime": now,
            "modifiedTime": now,
            "webViewLink": link,
            "appProperties": {},
        }

    def _new_file(
        self,
        name: str,
        mime_type: str,
        parents: list[str],
        app_properties: dict[str, str],
        content: bytes,
        shortcut_target: str | None = None,
    ) -> str:
        file_id = secrets.token_urlsafe(21)
        resource = self._resource(file_id, name, mime_type, parents)
        resource["appProperties"] = dict(app_properties)
        if mime_type not in (FOLDER, SHEET, SHORTCUT):
            resource["md5Checksum"] = hashlib.md5(content).hexdigest()
            resource["size"] = str(len(content))
            self.contents[file_id] = content
        if shortcut_target:
            target = self.file(shortcut_target)
            resource["shortcutDetails"] = {
                "targetId": shortcut_target,
                "targetMimeType": target["mimeType"],
            }
        self.files[file_id] = resource
        return file_id

    def file(self, file_id: str) -> dict[str, Any]:
        found = self.files.get(MY_DRIVE if file_id == "root" else file_id)
        if found is None or found.get("trashed"):
            raise GoogleError(404, f"File not found: {file_id}.", "notFound")
        if file_id in self.denied:
            raise GoogleError(
                403,
                "The user does not have sufficient permissions for this file.",
                "insufficientFilePermissions",
            )
        return found

    def spreadsheet(self, file_id: str) -> Spreadsheet:
        self.file(file_id)
        found = self.spreadsheets.get(file_id)
        if found is None:
            raise GoogleError(404, "Requested entity was not found.", "notFound")
        return found

    def scheduled_failure(self, path: str) -> GoogleError | None:
        with self.lock:
            for failure in self._failures:
                if failure.remaining > 0 and failure.path_contains in path:
                    failure.remaining -= 1
                    headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                    return GoogleError(failure.status, "scheduled failure", failure.reason, headers)
        return None


# --- requests ---------------------------------------------------------------------------------

_A1 = re.compile(r"^([A-Z]+)?(\d+)?(?::([A-Z]+)?(\d+)?)?$")


def _column(letters: str | None, default: int) -> int:
    if not letters:
        return default
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number - 1


def _sheet_name(text: str) -> str:
    """A sheet's name as a range writes it: quoted with ' (a ' inside doubled), or bare."""
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return text


def _range(book: Spreadsheet, a1: str) -> tuple[str, int, int, int | None, int | None]:
    """(sheet, first row, first column, last row, last column), 0-based, last inclusive."""
    sheet, bang, cells = a1.rpartition("!")
    if not bang and _sheet_name(a1) in book.sheets:  # a sheet's name alone: the whole sheet
        sheet, cells = a1, ""
    sheet = _sheet_name(sheet) or next(iter(book.sheets))
    if sheet not in book.sheets:
        raise GoogleError(400, f"Unable to parse range: {a1}", "badRequest")
    if not cells or cells == sheet:
        return sheet, 0, 0, None, None
    match = _A1.match(cells)
    if match is None:
        raise GoogleError(400, f"Unable to parse range: {a1}", "badRequest")
    c1, r1, c2, r2 = match.groups()
    return (
        sheet,
        int(r1) - 1 if r1 else 0,
        _column(c1, 0),
        int(r2) - 1 if r2 else None,
        _column(c2, 0) if c2 else None,
    )


def _write(book: Spreadsheet, a1: str, values: list[list[Any]], entered: bool) -> dict[str, Any]:
    sheet, row0, col0, _, _ = _range(book, a1)
    grid = book.sheets[sheet]
    for r, row in enumerate(values):
        while len(grid) <= row0 + r:
            grid.append([])
        line = grid[row0 + r]
        for c, value in enumerate(row):
            while len(line) <= col0 + c:
                line.append("")
            line[col0 + c] = value
            # USER_ENTERED parses like typing into the cell: "=…" becomes a formula.
            key = (sheet, row0 + r, col0 + c)
            if entered and isinstance(value, str) and value.startswith("="):
                book.formulas.add(key)
            else:
                book.formulas.discard(key)
    cells = sum(len(r) for r in values)
    return {
        "updatedRange": a1,
        "updatedRows": len(values),
        "updatedColumns": max((len(r) for r in values), default=0),
        "updatedCells": cells,
    }


def _read(book: Spreadsheet, a1: str) -> list[list[Any]]:
    sheet, row0, col0, row1, col1 = _range(book, a1)
    grid = book.sheets[sheet]
    rows = grid[row0 : None if row1 is None else row1 + 1]
    picked = [r[col0 : None if col1 is None else col1 + 1] for r in rows]
    while picked and not any(v not in ("", None) for v in picked[-1]):
        picked.pop()
    return [[v for v in r] for r in picked]


SERIAL_EPOCH = datetime(1899, 12, 30)  # day 0 of Sheets' (and Excel's) serial numbers


def _render(value: Any, value_option: str, date_option: str) -> Any:
    """A cell as values.get gives it: FORMATTED_VALUE (the default) as the text shown;
    UNFORMATTED_VALUE with numbers as numbers, and dates and times as serial numbers
    (dateTimeRenderOption SERIAL_NUMBER, the default) or as text (FORMATTED_STRING)."""
    if isinstance(value, datetime | date):
        if value_option == "UNFORMATTED_VALUE" and date_option == "SERIAL_NUMBER":
            moment = value if isinstance(value, datetime) else datetime.combine(value, time())
            return (moment - SERIAL_EPOCH) / timedelta(days=1)
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if value_option != "FORMATTED_VALUE" or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return "" if value is None else str(value)


def _spreadsheet_resource(file_id: str, book: Spreadsheet) -> dict[str, Any]:
    return {
        "spreadsheetId": file_id,
        "properties": {"title": book.title},
        "sheets": [
            {
                "properties": {
                    "sheetId": book.sheet_ids[title],
                    "title": title,
                    "gridProperties": {"rowCount": max(1000, len(rows)), "columnCount": 26},
                },
                "charts": [c for c in book.charts if c["sheetId"] == book.sheet_ids[title]],
            }
            for title, rows in book.sheets.items()
        ],
        "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{file_id}/edit",
    }


def _from_xlsx(title: str, content: bytes) -> Spreadsheet:
    workbook = load_workbook(io.BytesIO(content))
    book = Spreadsheet(title)
    for index, sheet in enumerate(workbook.worksheets):
        book.sheets[sheet.title] = [
            ["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        book.sheet_ids[sheet.title] = index
    return book


def spreadsheet_as_xlsx(book: Spreadsheet) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for title, rows in book.sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _Routes:
    """One method per endpoint; each takes the request and answers (status, body, headers)."""

    def __init__(self, fake: FakeGoogle) -> None:
        self.fake = fake

    def dispatch(
        self, method: str, path: str, query: dict[str, str], headers: Any, body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        for pattern, verb, handler in self.table():
            match = re.fullmatch(pattern, path)
            if match and verb == method:
                return handler(query, headers, body, *[unquote(g) for g in match.groups()])
        raise GoogleError(404, f"no such endpoint: {method} {path}", "notFound")

    def table(self) -> list[tuple[str, str, Any]]:
        return [
            (r"/drive/v3/files", "GET", self.list_files),
            (r"/drive/v3/files", "POST", self.create_file),
            (r"/upload/drive/v3/files", "POST", self.upload),
            (r"/upload/drive/v3/files", "PUT", self.resume_upload),
            (r"/upload/drive/v3/files/([^/]+)", "PATCH", self.upload_update),
            (r"/drive/v3/files/([^/]+)/export", "GET", self.export_file),
            (r"/drive/v3/files/([^/]+)", "GET", self.get_file),
            (r"/drive/v3/files/([^/]+)", "PATCH", self.update_file),
            (r"/drive/v3/files/([^/]+)/copy", "POST", self.copy_file),
            (r"/v4/spreadsheets", "POST", self.create_spreadsheet),
            (r"/v4/spreadsheets/([^/:]+)", "GET", self.get_spreadsheet),
            (r"/v4/spreadsheets/([^/:]+):batchUpdate", "POST", self.batch_update),
            (r"/v4/spreadsheets/([^/:]+)/values:batchUpdate", "POST", self.values_batch),
            (r"/v4/spreadsheets/([^/:]+)/values/([^/]+):append", "POST", self.values_append),
            (r"/v4/spreadsheets/([^/:]+)/values/([^/]+)", "GET", self.values_get),
            (r"/v4/spreadsheets/([^/:]+)/values/([^/]+)", "PUT", self.values_update),
        ]

    # Drive ------------------------------------------------------------------------------------

    def list_files(self, query: dict[str, str], headers: Any, body: bytes) -> Any:
        try:
            matches = parse_query(query.get("q", ""))
        except QueryError as exc:
            raise GoogleError(400, str(exc), "invalid") from None
        roots = (ROOT_ID, MY_DRIVE)
        found = [f for f in self.fake.files.values() if f["id"] not in roots and matches(f)]
        if "trashed" not in query.get("q", ""):
            found = [f for f in found if not f.get("trashed")]
        for key in reversed([k.strip() for k in query.get("orderBy", "").split(",") if k]):
            name, _, direction = key.partition(" ")
            if name == "folder":
                found.sort(key=lambda f: f["mimeType"] != FOLDER)
            else:
                found.sort(key=lambda f: f.get(name, ""), reverse=direction == "desc")
        size = min(int(query.get("pageSize", "100")), 1000)
        start = int(query.get("pageToken", "0") or "0")
        page = found[start : start + size]
        answer: dict[str, Any] = {"kind": "drive#fileList", "files": page}
        if start + size < len(found):
            answer["nextPageToken"] = str(start + size)
        return 200, _select(answer, query.get("fields")), {}

    def _create(self, metadata: dict[str, Any], content: bytes) -> dict[str, Any]:
        parents = metadata.get("parents") or [MY_DRIVE]  # like Google: the caller's My Drive
        for parent in parents:
            if self.fake.file(parent)["mimeType"] != FOLDER:
                raise GoogleError(400, "The parent is not a folder.", "invalidParent")
        mime_type = metadata.get("mimeType") or "application/octet-stream"
        file_id = self.fake._new_file(
            metadata.get("name", "Untitled"),
            mime_type,
            list(parents),
            metadata.get("appProperties") or {},
            content,
            (metadata.get("shortcutDetails") or {}).get("targetId"),
        )
        if mime_type == SHEET:
            self.fake.spreadsheets[file_id] = Spreadsheet(
                metadata.get("name", "Untitled"), sheets={"Sheet1": []}, sheet_ids={"Sheet1": 0}
            )
        return self.fake.files[file_id]

    def create_file(self, query: dict[str, str], headers: Any, body: bytes) -> Any:
        created = self._create(json.loads(body or b"{}"), b"")
        return 200, _select(created, query.get("fields")), {}

    def _replace(self, file_id: str, metadata: dict[str, Any], content: bytes) -> dict[str, Any]:
        """files.update with media: the file's new content (and any metadata changes)."""
        found = self.fake.file(file_id)
        if found["mimeType"] in (FOLDER, SHEET, SHORTCUT):
            raise GoogleError(400, "This file cannot hold uploaded content.", "badContent")
        if "name" in metadata:
            found["name"] = metadata["name"]
        self.fake.contents[file_id] = content
        found["md5Checksum"] = hashlib.md5(content).hexdigest()
        found["size"] = str(len(content))
        found["modifiedTime"] = _now()
        return found

    def upload(
        self, query: dict[str, str], headers: Any, body: bytes, file_id: str | None = None
    ) -> Any:
        kind = query.get("uploadType")
        if kind == "resumable":
            upload_id = secrets.token_urlsafe(12)
            if file_id is not None:
                self.fake.file(file_id)
            metadata = json.loads(body or b"{}")
            # Like Google: no mimeType in the metadata, the type the upload declares.
            metadata.setdefault("mimeType", headers.get("X-Upload-Content-Type"))
            self.fake.uploads[upload_id] = {
                "metadata": metadata,
                "data": bytearray(),
                "fields": query.get("fields"),
                "file_id": file_id,
            }
            location = f"{self.fake.root_url}/upload/drive/v3/files?uploadType=resumable"
            return 200, {}, {"Location": f"{location}&upload_id={upload_id}"}
        if kind == "media":
            metadata: dict[str, Any] = {"mimeType": headers.get("Content-Type")}
            content = body
        elif kind == "multipart":
            raw = f"Content-Type: {headers['Content-Type']}\r\n\r\n".encode() + body
            parts = list(message_from_bytes(raw, policy=policy.HTTP).iter_parts())
            metadata = json.loads(parts[0].get_content())
            metadata.setdefault("mimeType", parts[1].get_content_type())
            payload = parts[1].get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
        else:
            raise GoogleError(400, f"Invalid uploadType: {kind}", "invalid")
        if file_id is not None:
            stored = self._replace(file_id, metadata, content)
        else:
            stored = self._create(metadata, content)
        return 200, _select(stored, query.get("fields")), {}

    def upload_update(self, query: dict[str, str], headers: Any, body: bytes, file_id: str) -> Any:
        return self.upload(query, headers, body, file_id)

    def resume_upload(self, query: dict[str, str], headers: Any, body: bytes) -> Any:
        upload = self.fake.uploads.get(query.get("upload_id", ""))
        if upload is None:
            raise GoogleError(404, "No such upload session.", "notFound")
        span = headers.get("Content-Range", "")
        match = re.fullmatch(r"bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)", span)
        if match is None:
            raise GoogleError(400, f"Invalid Content-Range: {span}", "invalid")
        first, _, total = match.groups()
        if first is not None and int(first) != len(upload["data"]):
            raise GoogleError(400, "Chunk does not continue the upload.", "invalid")
        upload["data"].extend(body)
        if total == "*" or len(upload["data"]) < int(total):
            return 308, None, {"Range": f"bytes=0-{len(upload['data']) - 1}"}
        if upload["file_id"] is not None:
            created = self._replace(upload["file_id"], upload["metadata"], bytes(upload["data"]))
        else:
            created = self._create(upload["metadata"], bytes(upload["data"]))
        del self.fake.uploads[query["upload_id"]]
        return 200, _select(created, upload["fields"]), {}

    def get_file(self, query: dict[str, str], headers: Any, body: bytes, file_id: str) -> Any:
        found = self.fake.file(file_id)
        if query.get("alt") == "media":
            if file_id not in self.fake.contents:
                raise GoogleError(
                    403, "Only files with binary content can be downloaded.", "fileNotDownloadable"
                )
            return 200, self.fake.contents[file_id], {"Content-Type": found["mimeType"]}
        return 200, _select(found, query.get("fields")), {}

    def export_file(self, query: dict[str, str], headers: Any, body: bytes, file_id: str) -> Any:
        """files.export: a native Google Sheet as an xlsx workbook (the one format needed)."""
        found = self.fake.file(file_id)
        if found["mimeType"] != SHEET:
            raise GoogleError(403, "Export only supports Docs Editors files.", "fileNotExportable")
        if query.get("mimeType") != XLSX:
            raise GoogleError(400, "The requested conversion is not supported.", "badRequest")
        return 200, spreadsheet_as_xlsx(self.fake.spreadsheets[file_id]), {"Content-Type": XLSX}

    def update_file(self, query: dict[str, str], headers: Any, body: bytes, file_id: str) -> Any:
        found = self.fake.file(file_id)
        changes = json.loads(body or b"{}")
        for key in ("name", "appProperties", "trashed"):
            if key in changes:
                found[key] = changes[key]
        parents = [
            p for p in found["parents"] if p not in query.get("removeParents", "").split(",")
        ]
        parents += [p for p in query.get("addParents", "").split(",") if p and p not in parents]
        found["parents"] = parents
        found["modifiedTime"] = _now()
        return 200, _select(found, query.get("fields")), {}

    def copy_file(self, query: dict[str, str], headers: Any, body: bytes, file_id: str) -> Any:
        source = self.fake.file(file_id)
        wanted = json.loads(body or b"{}")
        mime_type = wanted.get("mimeType") or source["mimeType"]
        metadata = {
            "name": wanted.get("name", f"Copy of {source['name']}"),
            "parents": wanted.get("parents") or source["parents"],
            "mimeType": mime_type,
            "appProperties": wanted.get("appProperties", {}),
        }
        content = self.fake.contents.get(file_id, b"")
        created = self._create(metadata, content if mime_type != SHEET else b"")
        if mime_type == SHEET:
            if source["mimeType"] == SHEET:
                original = self.fake.spreadsheets[file_id]
                book = Spreadsheet(
                    metadata["name"],
                    sheets={k: [list(r) for r in v] for k, v in original.sheets.items()},
                    sheet_ids=dict(original.sheet_ids),
                )
            elif source["mimeType"] == XLSX:
                book = _from_xlsx(metadata["name"], content)  # Drive converts on copy
            else:
                raise GoogleError(400, "This file cannot be converted to a Sheet.", "badRequest")
            self.fake.spreadsheets[created["id"]] = book
        return 200, _select(created, query.get("fields")), {}

    # Sheets -----------------------------------------------------------------------------------

    def create_spreadsheet(self, query: dict[str, str], headers: Any, body: bytes) -> Any:
        wanted = json.loads(body or b"{}")
        title = wanted.get("properties", {}).get("title", "Untitled spreadsheet")
        titles = [s["properties"]["title"] for s in wanted.get("sheets", [])] or ["Sheet1"]
        # Like Google: the new spreadsheet is in the caller's My Drive, in no folder asked for.
        created = self._create({"name": title, "mimeType": SHEET}, b"")
        self.fake.spreadsheets[created["id"]] = Spreadsheet(
            title, sheets={t: [] for t in titles}, sheet_ids={t: i for i, t in enumerate(titles)}
        )
        resource = _spreadsheet_resource(created["id"], self.fake.spreadsheets[created["id"]])
        return 200, resource, {}

    def get_spreadsheet(self, query: dict[str, str], headers: Any, body: bytes, sid: str) -> Any:
        return 200, _spreadsheet_resource(sid, self.fake.spreadsheet(sid)), {}

    def batch_update(self, query: dict[str, str], headers: Any, body: bytes, sid: str) -> Any:
        book = self.fake.spreadsheet(sid)
        replies: list[dict[str, Any]] = []
        for number, request in enumerate(json.loads(body or b"{}").get("requests", [])):
            (kind, details), *_ = request.items()
            if kind == "addChart":
                chart = {"chartId": len(book.charts) + 1, **details["chart"]}
                anchor = details["chart"].get("position", {}).get("overlayPosition", {})
                chart["sheetId"] = anchor.get("anchorCell", {}).get("sheetId", 0)
                book.charts.append(chart)
                replies.append({"addChart": {"chart": chart}})
            elif kind == "addSheet":
                title = details["properties"]["title"]
                book.sheets[title] = []
                book.sheet_ids[title] = max(book.sheet_ids.values(), default=-1) + 1
                replies.append({"addSheet": {"properties": {"title": title}}})
            elif kind in (
                "updateSheetProperties",
                "repeatCell",
                "autoResizeDimensions",
                "updateDimensionProperties",
            ):
                replies.append({})
            else:
                raise GoogleError(400, f"Invalid requests[{number}]: {kind}", "badRequest")
        self.fake.file(sid)["modifiedTime"] = _now()
        return 200, {"spreadsheetId": sid, "replies": replies}, {}

    def values_get(
        self, query: dict[str, str], headers: Any, body: bytes, sid: str, a1: str
    ) -> Any:
        value_option = query.get("valueRenderOption", "FORMATTED_VALUE")
        date_option = query.get("dateTimeRenderOption", "SERIAL_NUMBER")
        values = [
            [_render(v, value_option, date_option) for v in row]
            for row in _read(self.fake.spreadsheet(sid), a1)
        ]
        answer: dict[str, Any] = {"range": a1, "majorDimension": "ROWS"}
        if values:
            answer["values"] = values
        return 200, answer, {}

    def values_update(
        self, query: dict[str, str], headers: Any, body: bytes, sid: str, a1: str
    ) -> Any:
        option = query.get("valueInputOption")
        if option not in ("RAW", "USER_ENTERED"):
            raise GoogleError(400, "valueInputOption is required.", "badRequest")
        values = json.loads(body or b"{}").get("values", [])
        written = _write(self.fake.spreadsheet(sid), a1, values, option == "USER_ENTERED")
        return 200, {"spreadsheetId": sid, **written}, {}

    def values_append(
        self, query: dict[str, str], headers: Any, body: bytes, sid: str, a1: str
    ) -> Any:
        book = self.fake.spreadsheet(sid)
        sheet = _range(book, a1)[0]
        start = f"{sheet}!A{len(book.sheets[sheet]) + 1}"
        values = json.loads(body or b"{}").get("values", [])
        written = _write(book, start, values, query.get("valueInputOption") == "USER_ENTERED")
        return 200, {"spreadsheetId": sid, "updates": written}, {}

    def values_batch(self, query: dict[str, str], headers: Any, body: bytes, sid: str) -> Any:
        book = self.fake.spreadsheet(sid)
        request = json.loads(body or b"{}")
        entered = request.get("valueInputOption") == "USER_ENTERED"
        if request.get("valueInputOption") not in ("RAW", "USER_ENTERED"):
            raise GoogleError(400, "valueInputOption is required.", "badRequest")
        responses = [
            _write(book, d["range"], d.get("values", []), entered) for d in request["data"]
        ]
        return 200, {"spreadsheetId": sid, "responses": responses}, {}


def _handler_for(fake: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    routes = _Routes(fake)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            method = self.headers.get("X-HTTP-Method-Override") or self.command
            split = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
            path = split.path
            with fake.lock:
                fake.calls[f"{method} {path}"] += 1
                fake.requests.append((method, path, query))
            try:
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    raise GoogleError(
                        401,
                        "Request had invalid authentication credentials.",
                        "authError",
                    )
                failure = fake.scheduled_failure(path)
                if failure is not None:
                    raise failure
                with fake.lock:
                    status, answer, headers = routes.dispatch(
                        method, path, query, self.headers, body
                    )
            except GoogleError as exc:
                status, answer, headers = exc.code, exc.body(), exc.headers
            except Exception as exc:  # a bug in the fake: answered, so the test sees it
                error = GoogleError(500, f"fake failed: {type(exc).__name__}: {exc}", "fake")
                status, answer, headers = 500, error.body(), {}
            self._reply(status, answer, headers)

        def _reply(self, status: int, answer: Any, headers: dict[str, str]) -> None:
            if isinstance(answer, bytes):
                payload, kind = answer, headers.pop("Content-Type", "application/octet-stream")
            elif answer is None:
                payload, kind = b"", "text/plain"
            else:
                payload, kind = json.dumps(answer).encode(), "application/json; charset=UTF-8"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    return Handler


def xlsx(*rows: list[Any]) -> bytes:
    """An .xlsx file with ``rows`` in its first sheet, as a person would drop into the drive."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
