"""Google storage: the Drive is a folder in Google Drive (ATELIER_GOOGLE_ROOT_FOLDER_ID).

Paths are relative to that root folder, as with the local drive ("Templates/Price List.xlsx"),
and are resolved to Drive ids segment by segment; folder ids are cached per process and the
cache is dropped when Drive answers 404 for one (a folder moved or deleted meanwhile). Every
call passes ``supportsAllDrives`` (and listings ``includeItemsFromAllDrives``), so a root on a
shared drive works; every listing follows ``nextPageToken``.

Google's refusals become our errors, each naming what is missing or who lacks access: 404 is
NotFound, 401 and 403 (other than rate limits, which google_api retries) are AccessRefused, and
a call that keeps failing after its retries is StorageUnavailable. Never a 500.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any, TypeVar

from google.auth.exceptions import RefreshError

from tools.cells import CellValue
from tools.errors import AccessRefused, Conflict, InvalidInput, NotFound, StorageUnavailable
from tools.retry import RetriesExhausted
from tools.storage.base import ChartSpec, SheetLayout, StoredFile, free_name, newest_sheets
from tools.storage.google_api import (
    GoogleApis,
    GoogleSetupError,
    HttpError,
    HttpRequest,
    MediaIoBaseUpload,
)
from tools.storage.local import clean_name, clean_relative_path
from tools.storage.mime import (
    FOLDER,
    SHEET,
    SHEET_SUFFIX,
    SHEET_TYPES,
    SHORTCUT,
    XLSX,
    mime_type_of,
)
from tools.storage.xlsx import workbook_rows

__all__ = ["GoogleDrive", "quote"]


# Google's guidance: a simple (multipart) upload up to 5 MB, a resumable one above.
RESUMABLE_ABOVE = 5 * 1024 * 1024
CHUNK_SIZE = 8 * 1024 * 1024  # a multiple of 256 KiB, as resumable uploads require
PAGE_SIZE = 1000  # the most files.list gives per page
FILE_FIELDS = "id, name, mimeType, size, modifiedTime, md5Checksum, webViewLink, shortcutDetails"
LIST_FIELDS = f"nextPageToken, files({FILE_FIELDS})"
SHEET_FIELDS = "nextPageToken, files(id, name, mimeType, size, modifiedTime, webViewLink, parents)"
FOLDER_FIELDS = "nextPageToken, files(id, name, parents)"
# Folder ids per query ("'id' in parents or …"): keeps a query well under Drive's URL limits.
PARENTS_PER_QUERY = 50

T = TypeVar("T")


def quote(value: str) -> str:
    """``value`` as a string literal of Drive's query language: quoted, ``\\`` and ``'``
    escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class _Gone(NotFound):
    """Drive answered 404 for an id we held: cached ids may be stale."""


def _target(resource: dict[str, Any]) -> tuple[str, str]:
    """(id, MIME type) of what ``resource`` is, a shortcut's target for a shortcut."""
    details = resource.get("shortcutDetails")
    if resource.get("mimeType") == SHORTCUT and details:
        return str(details["targetId"]), str(details.get("targetMimeType", ""))
    return str(resource["id"]), str(resource.get("mimeType", ""))


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _posix(rel: PurePosixPath) -> str:
    """A cleaned drive path as text, "" for the root (PurePosixPath says ".")."""
    return rel.as_posix() if rel.parts else ""


def _rfc3339(when: datetime) -> str:
    """``when`` as Drive's query language writes a time (UTC; a naive time is taken as UTC)."""
    utc = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _name_words(needle: str) -> list[str]:
    """The words of ``needle`` that must start a word of any name holding it: Drive's
    ``name contains`` matches word prefixes only, so the needle's first word (which may sit
    inside a word of the name) is left out unless the needle starts with a space."""
    words = needle.split()
    return words if needle[:1].isspace() else words[1:]


def _in_parents(ids: list[str]) -> str:
    return "(" + " or ".join(f"{quote(i)} in parents" for i in ids) + ")"


def _describe(
    path: str, resource: dict[str, Any], *, sha256: str | None = None, uploaded: bool = True
) -> StoredFile:
    file_id, mime_type = _target(resource)
    modified = resource.get("modifiedTime")
    return StoredFile(
        path=path,
        name=str(resource["name"]),
        size=int(resource.get("size") or 0),  # native Google files have no size
        modified=datetime.fromisoformat(modified) if modified else datetime.now(UTC),
        sha256=sha256,
        uploaded=uploaded,
        mime_type=mime_type,
        id=file_id,
        link=resource.get("webViewLink"),
    )


def _raw(value: CellValue) -> str | int | float | bool:
    """A cell value as JSON for values written RAW (a string stays text, never a formula)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _grid(sheet_id: int, row: int, column: int, last_row: int | None = None) -> dict[str, Any]:
    """A GridRange over one column from ``row`` (1-based, inclusive) down to ``last_row``."""
    grid: dict[str, Any] = {
        "sheetId": sheet_id,
        "startRowIndex": row - 1,
        "startColumnIndex": column - 1,
        "endColumnIndex": column,
    }
    if last_row is not None:
        grid["endRowIndex"] = last_row
    return grid


def _sheet_requests(
    sheet_id: int, rows: list[list[CellValue]], chart: ChartSpec | None, layout: SheetLayout
) -> list[dict[str, Any]]:
    """The spreadsheets.batchUpdate requests for ``layout`` and ``chart`` (a column chart,
    like openpyxl's default bar chart on the local drive)."""
    requests: list[dict[str, Any]] = []
    width = max((len(r) for r in rows), default=0)
    for number in sorted(
        {*layout.bold_rows, *([layout.heading_row] if layout.heading_row else [])}
    ):
        if number > len(rows):
            continue
        text: dict[str, Any] = {"bold": True}
        if number == layout.heading_row:
            text["fontSize"] = 13
        requests.append(
            {
                "repeatCell": {
                    "range": {
                        "sheetId": sheet_id,
                        "startRowIndex": number - 1,
                        "endRowIndex": number,
                        "startColumnIndex": 0,
                        "endColumnIndex": max(1, len(rows[number - 1])),
                    },
                    "cell": {"userEnteredFormat": {"textFormat": text}},
                    "fields": "userEnteredFormat.textFormat",
                }
            }
        )
    if layout.money_column is not None and layout.money_column <= width:
        requests.append(
            {
                "repeatCell": {
                    "range": _grid(sheet_id, layout.money_from_row, layout.money_column),
                    "cell": {
                        "userEnteredFormat": {
                            "numberFormat": {"type": "NUMBER", "pattern": "#,##0.00"}
                        }
                    },
                    "fields": "userEnteredFormat.numberFormat",
                }
            }
        )
    if layout.first_column_width is not None:
        requests.append(
            {
                "updateDimensionProperties": {
                    "range": {
                        "sheetId": sheet_id,
                        "dimension": "COLUMNS",
                        "startIndex": 0,
                        "endIndex": 1,
                    },
                    "properties": {"pixelSize": layout.first_column_width * 7},
                    "fields": "pixelSize",
                }
            }
        )
    if chart is not None:
        header = rows[chart.header_row - 1] if chart.header_row <= len(rows) else []

        def title(column: int) -> str:
            return str(header[column - 1]) if column <= len(header) else ""

        row, column = chart.anchor
        requests.append(
            {
                "addChart": {
                    "chart": {
                        "spec": {
                            "title": chart.title,
                            "basicChart": {
                                "chartType": "COLUMN",
                                "legendPosition": "RIGHT_LEGEND",
                                "headerCount": 1,
                                "axis": [
                                    {"position": "BOTTOM_AXIS", "title": title(chart.labels)},
                                    {"position": "LEFT_AXIS", "title": title(chart.values)},
                                ],
                                "domains": [
                                    {
                                        "domain": {
                                            "sourceRange": {
                                                "sources": [
                                                    _grid(
                                                        sheet_id,
                                                        chart.header_row,
                                                        chart.labels,
                                                        chart.last_row,
                                                    )
                                                ]
                                            }
                                        }
                                    }
                                ],
                                "series": [
                                    {
                                        "series": {
                                            "sourceRange": {
                                                "sources": [
                                                    _grid(
                                                        sheet_id,
                                                        chart.header_row,
                                                        chart.values,
                                                        chart.last_row,
                                                    )
                                                ]
                                            }
                                        },
                                        "targetAxis": "LEFT_AXIS",
                                    }
                                ],
                            },
                        },
                        "position": {
                            "overlayPosition": {
                                "anchorCell": {
                                    "sheetId": sheet_id,
                                    "rowIndex": row - 1,
                                    "columnIndex": column - 1,
                                }
                            }
                        },
                    }
                }
            }
        )
    return requests


def _account(apis: GoogleApis, token_given: bool) -> str:
    """Who Drive sees, in words for error messages."""
    email = getattr(apis.credentials, "service_account_email", None)
    if isinstance(email, str) and email:
        return f"the service account {email}"
    if token_given:
        return "the account of ATELIER_GOOGLE_ACCESS_TOKEN"
    return "the Application Default Credentials' account"


class GoogleDrive:
    """The Storage protocol on Google Drive v3, under one root folder.

    A sheet is a native Google Sheet or an ``.xlsx`` file; copying one to a name ending in
    ``.xlsx`` (create_sheet_from_template) makes a native Google Sheet named without the
    suffix. Files are read by their Drive ids; a native Sheet's values through Sheets' values.get.
    """

    def __init__(
        self,
        apis: GoogleApis,
        root_id: str,
        *,
        account: str | None = None,
        token_given: bool = False,
    ) -> None:
        self.apis = apis
        self.root_id = root_id
        self.account = account or _account(apis, token_given)
        self._folders: dict[str, str] = {"": root_id}
        # Marked folders found or made: (parent path, mark) -> (path, id).
        self._marked: dict[tuple[str, ...], tuple[str, str]] = {}
        # Two threads must not create one folder twice; one lock per folder, so that making
        # one order's folder never waits for another's.
        self._locks: dict[tuple[str, ...], threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._own_root: str | None = None  # the account's My Drive, where Sheets creates

    # --- start-up -------------------------------------------------------------------------

    def check_root(self) -> None:
        """One files.get of the root folder; GoogleSetupError saying what to fix otherwise."""
        setting = f"ATELIER_GOOGLE_ROOT_FOLDER_ID={self.root_id}"
        try:
            found = self._run(
                self.apis.drive.files().get(
                    fileId=self.root_id, fields="id, name, mimeType", supportsAllDrives=True
                ),
                f"the root folder {self.root_id!r}",
            )
        except NotFound as exc:
            raise GoogleSetupError(
                f"{setting}: Google Drive has no folder with that id that {self.account} can "
                "see; check the id (the last part of the folder's URL) and share the folder "
                "with that account"
            ) from exc
        except (AccessRefused, StorageUnavailable) as exc:
            raise GoogleSetupError(f"{setting}: {exc.message}") from exc
        if found.get("mimeType") != FOLDER:
            raise GoogleSetupError(f"{setting}: that id is a file, not a folder")

    # --- the Storage protocol -------------------------------------------------------------

    def ensure_folder(self, path: str, mark: dict[str, str] | None = None) -> str:
        rel = clean_relative_path(path)
        if mark:
            if not rel.parts:
                raise InvalidInput("the root folder cannot carry a mark")
            return self._fresh(lambda: self._marked_folder(rel, mark))
        self._fresh(lambda: self._folder_id(rel.parts, create=True))
        return rel.as_posix()

    def put_files(self, folder: str, files: Mapping[str, bytes]) -> list[StoredFile]:
        """One listing of the folder for every name, then an upload for each file whose bytes
        are not there (md5Checksum): a new file, or a new revision of the file of that name."""
        rel = clean_relative_path(folder)
        contents = {clean_name(name): content for name, content in files.items()}

        def upload() -> list[StoredFile]:
            parent = self._folder_id(rel.parts, create=True)
            assert parent is not None
            there: dict[str, list[dict[str, Any]]] = {}
            for found in self._children(parent, names=tuple(contents)):
                if found["mimeType"] != FOLDER:
                    there.setdefault(str(found["name"]), []).append(found)
            return [
                self._upload(rel, parent, name, content, there.get(name, []))
                for name, content in contents.items()
            ]

        return self._fresh(upload)

    def _upload(
        self,
        rel: PurePosixPath,
        parent: str,
        name: str,
        content: bytes,
        existing: list[dict[str, Any]],
    ) -> StoredFile:
        path = _join(_posix(rel), name)
        sha256 = hashlib.sha256(content).hexdigest()  # what the pipeline records
        md5 = hashlib.md5(content, usedforsecurity=False).hexdigest()  # what Drive compares
        for found in existing:
            if found.get("md5Checksum") == md5:
                return _describe(path, found, sha256=sha256, uploaded=False)
        files = self.apis.drive.files()
        mime_type = mime_type_of(name)
        media = MediaIoBaseUpload(
            io.BytesIO(content),
            mime_type,
            chunksize=CHUNK_SIZE,
            resumable=len(content) > RESUMABLE_ABOVE,
        )
        if existing:  # new content for the file of that name, as on the local drive
            request = files.update(
                fileId=existing[0]["id"],
                media_body=media,
                fields=FILE_FIELDS,
                supportsAllDrives=True,
            )
        else:
            request = files.create(
                body={"name": name, "mimeType": mime_type, "parents": [parent]},
                media_body=media,
                fields=FILE_FIELDS,
                supportsAllDrives=True,
            )
        stored = self._run(request, f"the folder {_posix(rel) or '(root)'!r}")
        return _describe(path, stored, sha256=sha256)

    def write_sheet(
        self,
        folder: str,
        name: str,
        rows: list[list[CellValue]],
        chart: ChartSpec | None = None,
        layout: SheetLayout | None = None,
        *,
        number_if_taken: bool = False,
    ) -> StoredFile:
        """A native Google Sheet: spreadsheets.create, the values in one values.batchUpdate
        (RAW: text that starts with "=" stays text), the layout and chart in one
        spreadsheets.batchUpdate, then moved into ``folder`` (Sheets creates it in the
        account's own root). Should a step fail, the half-made sheet is put in the trash."""
        rel = clean_relative_path(folder)
        name = clean_name(name)
        wanted = name.removesuffix(SHEET_SUFFIX)
        layout = layout or SheetLayout()
        where = f"the folder {_posix(rel) or '(root)'!r}"

        def write() -> StoredFile:
            nonlocal wanted
            if number_if_taken:
                parent = self._folder_id(rel.parts, create=True)
                assert parent is not None
                taken = [str(f["name"]).removesuffix(SHEET_SUFFIX) for f in self._children(parent)]
                wanted = free_name(wanted, taken)
            else:
                parent = self._free_folder(rel, name, wanted)
            sheets = self.apis.sheets.spreadsheets()
            created = self._run(
                sheets.create(
                    body={
                        "properties": {"title": wanted},
                        "sheets": [{"properties": {"title": layout.tab}}],
                    },
                    fields="spreadsheetId,sheets.properties",
                ),
                f"a new sheet {wanted!r}",
            )
            spreadsheet_id = str(created["spreadsheetId"])
            try:
                grid_id = int(created["sheets"][0]["properties"].get("sheetId", 0))
                if rows:
                    tab = layout.tab.replace("'", "''")
                    self._run(
                        sheets.values().batchUpdate(
                            spreadsheetId=spreadsheet_id,
                            body={
                                "valueInputOption": "RAW",
                                "data": [
                                    {
                                        "range": f"'{tab}'!A1",
                                        "majorDimension": "ROWS",
                                        "values": [[_raw(v) for v in r] for r in rows],
                                    }
                                ],
                            },
                        ),
                        f"the new sheet {wanted!r}",
                    )
                requests = _sheet_requests(grid_id, rows, chart, layout)
                if requests:
                    self._run(
                        sheets.batchUpdate(
                            spreadsheetId=spreadsheet_id, body={"requests": requests}
                        ),
                        f"the new sheet {wanted!r}",
                    )
                moved = self._run(
                    self.apis.drive.files().update(
                        fileId=spreadsheet_id,
                        addParents=parent,
                        removeParents=self._own_root_id(),
                        fields=FILE_FIELDS,
                        supportsAllDrives=True,
                    ),
                    where,
                )
            except Exception:
                self._discard(spreadsheet_id)
                raise
            return _describe(_join(_posix(rel), wanted), moved)

        return self._fresh(write)

    def _own_root_id(self) -> str:
        """The id of the account's own My Drive, where Sheets puts a new spreadsheet: asked
        for once per process (``root`` is Drive's alias for it)."""
        if self._own_root is None:
            found = self._run(
                self.apis.drive.files().get(fileId="root", fields="id"), "the account's My Drive"
            )
            self._own_root = str(found["id"])
        return self._own_root

    def _discard(self, file_id: str) -> None:
        """Best effort: the trash for a sheet that could not be finished."""
        # The error that brought us here is the one to report.
        with contextlib.suppress(Exception):
            self._run(
                self.apis.drive.files().update(
                    fileId=file_id, body={"trashed": True}, supportsAllDrives=True
                ),
                "a half-made sheet",
            )

    def list_files(self, folder: str = "", *, recursive: bool = False) -> list[StoredFile]:
        entries = self._fresh(lambda: self._entries(folder, recursive))
        return [_describe(p, r) for p, r in entries if _target(r)[1] != FOLDER]

    def list_folders(self, folder: str = "", *, recursive: bool = False) -> list[str]:
        """Recursively: one folders-only query per level of the tree (per batch of parents),
        never one per folder."""
        if not recursive:
            return self.children(folder)[0]
        rel = clean_relative_path(folder)

        def walk() -> list[str]:
            start = self._folder_id(rel.parts, create=False)
            if start is None:
                return []
            below = self._subtree(start, _posix(rel))
            del below[start]
            return sorted(below.values())

        return self._fresh(walk)

    def children(self, folder: str = "") -> tuple[list[str], list[StoredFile]]:
        entries = self._fresh(lambda: self._entries(folder, recursive=False))
        return (
            [p for p, r in entries if _target(r)[1] == FOLDER],
            [_describe(p, r) for p, r in entries if _target(r)[1] != FOLDER],
        )

    def is_folder(self, path: str) -> bool:
        rel = clean_relative_path(path)
        return self._fresh(lambda: self._folder_id(rel.parts, create=False) is not None)

    def find_sheets(
        self,
        folder: str = "",
        *,
        name_contains: str | None = None,
        modified_after: datetime | None = None,
        modified_before: datetime | None = None,
        limit: int = 20,
    ) -> tuple[list[StoredFile], int]:
        """Native Google Sheets and ``.xlsx`` files, found by Drive queries restricted to the
        folder's subtree (one query per level for its folders, then one per batch of folder
        ids for the sheets, with the name words and dates in ``q``, ``orderBy`` newest
        first, every page followed). Drive's ``name contains`` matches word prefixes, so the
        query holds the needle's words that must start a word, and the whole needle is then
        matched anywhere in the name (any case), as on the local drive."""
        rel = clean_relative_path(folder)

        def find() -> tuple[list[StoredFile], int]:
            start = self._folder_id(rel.parts, create=False)
            if start is None:
                return [], 0
            folders = self._subtree(start, _posix(rel))
            kinds = " or ".join(f"mimeType = {quote(t)}" for t in SHEET_TYPES)
            terms = [f"({kinds})", "trashed = false"]
            terms += [f"name contains {quote(w)}" for w in _name_words(name_contains or "")]
            if modified_after is not None:
                terms.append(f"modifiedTime >= {quote(_rfc3339(modified_after))}")
            if modified_before is not None:
                terms.append(f"modifiedTime < {quote(_rfc3339(modified_before))}")
            found: list[StoredFile] = []
            ids = list(folders)
            for at in range(0, len(ids), PARENTS_PER_QUERY):
                q = " and ".join([*terms, _in_parents(ids[at : at + PARENTS_PER_QUERY])])
                for item in self._pages(q, SHEET_FIELDS, "modifiedTime desc", "sheets"):
                    parent = next((p for p in item.get("parents", []) if p in folders), None)
                    if parent is not None:
                        found.append(_describe(_join(folders[parent], str(item["name"])), item))
            # The query narrowed by words and dates; the tool's own rule decides.
            return newest_sheets(
                found,
                name_contains=name_contains,
                modified_after=modified_after,
                modified_before=modified_before,
                limit=limit,
            )

        return self._fresh(find)

    def exists(self, path: str) -> bool:
        rel = clean_relative_path(path)
        return self._fresh(lambda: self._lookup(rel) is not None)

    def copy_file(self, source: str, folder: str, name: str) -> StoredFile:
        origin_rel = clean_relative_path(source)
        rel = clean_relative_path(folder)
        name = clean_name(name)

        def copy() -> StoredFile:
            origin = self._lookup(origin_rel)
            if origin is None or _target(origin)[1] == FOLDER:
                raise NotFound(f"no file at {source!r} in Google Drive")
            origin_id, origin_type = _target(origin)
            # A sheet copied to an .xlsx name becomes a native Google Sheet, named without it.
            as_sheet = origin_type in (SHEET, XLSX) and name.lower().endswith(SHEET_SUFFIX)
            wanted = name[: -len(SHEET_SUFFIX)] if as_sheet else name
            parent = self._free_folder(rel, name, wanted)
            body: dict[str, Any] = {"name": wanted, "parents": [parent]}
            if as_sheet:
                body["mimeType"] = SHEET
            created = self._run(
                self.apis.drive.files().copy(
                    fileId=origin_id, body=body, fields=FILE_FIELDS, supportsAllDrives=True
                ),
                f"{source!r}",
            )
            return _describe(_join(_posix(rel), wanted), created)

        return self._fresh(copy)

    def _free_folder(self, rel: PurePosixPath, *names: str) -> str:
        """The id of the folder at ``rel`` (made if missing), when none of ``names`` is taken
        in it; Conflict otherwise (a new sheet never replaces one)."""
        parent = self._folder_id(rel.parts, create=True)
        assert parent is not None
        taken = {f["name"] for f in self._children(parent, names=names)}
        if taken:
            there = _join(_posix(rel), sorted(taken)[0])
            raise Conflict(f"{there!r} already exists; choose another name")
        return parent

    def read_file(self, file_id: str) -> bytes:
        what = f"the file {file_id!r}"
        data = self._run(
            self.apis.drive.files().get_media(fileId=file_id, supportsAllDrives=True), what
        )
        return data if isinstance(data, bytes) else bytes(data)

    def read_sheet(self, file: StoredFile, tab: str) -> list[list[CellValue]]:
        """A native Sheet's values through values.get (numbers as numbers, dates and times
        as serial numbers, as Sheets keeps them); an .xlsx file downloaded and read."""
        if file.mime_type != SHEET:
            return workbook_rows(self.read_file(file.id), tab, repr(file.path))
        what = f"the sheet {file.path!r}"
        try:
            answer = self._run(
                self.apis.sheets.spreadsheets()
                .values()
                .get(
                    spreadsheetId=file.id,
                    range=f"'{tab.replace(chr(39), chr(39) * 2)}'",
                    valueRenderOption="UNFORMATTED_VALUE",
                    dateTimeRenderOption="SERIAL_NUMBER",
                ),
                what,
            )
        except StorageUnavailable as exc:
            if isinstance(exc.__cause__, HttpError) and exc.__cause__.resp.status == 400:
                # Sheets answers 400 "Unable to parse range" for a tab it does not have.
                raise InvalidInput(f"{file.path!r} has no {tab!r} sheet") from None
            raise
        rows: list[list[CellValue]] = answer.get("values", [])
        return rows

    # --- ids, listings, calls -------------------------------------------------------------

    def _fresh(self, operation: Callable[[], T]) -> T:
        """Run ``operation``; when Drive says an id it used is gone, forget the cached folder
        ids and run it once more (from the root)."""
        try:
            return operation()
        except _Gone:
            if len(self._folders) == 1 and not self._marked:
                raise
            self._folders = {"": self.root_id}
            self._marked = {}
            return operation()

    def _marked_folder(self, rel: PurePosixPath, mark: dict[str, str]) -> str:
        """The path of the folder in ``rel``'s parent that carries ``mark`` (in its
        appProperties), made as ``rel`` with the mark when there is none. Its id is what the
        path resolves to from then on in this process, even beside a folder of the same name
        without the mark."""
        base = _posix(rel.parent)
        key = (base, *sorted(f"{k}={v}" for k, v in mark.items()))
        known = self._marked.get(key)
        if known is None:
            parent = self._folder_id(rel.parent.parts, create=True)
            assert parent is not None
            with self._lock(key):
                known = self._marked.get(key) or self._find_marked(parent, base, mark)
                if known is None:
                    known = (_posix(rel), self._make_folder(parent, rel.name, mark))
                self._marked[key] = known
        path, folder_id = known
        self._folders[path] = folder_id
        return path

    def _lock(self, key: tuple[str, ...]) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def _find_marked(self, parent: str, base: str, mark: dict[str, str]) -> tuple[str, str] | None:
        q = f"{quote(parent)} in parents and trashed = false and mimeType = {quote(FOLDER)}"
        for key, value in sorted(mark.items()):
            q += f" and appProperties has {{ key={quote(key)} and value={quote(value)} }}"
        page = self._run(
            self.apis.drive.files().list(
                q=q,
                pageSize=10,
                fields="files(id, name)",
                orderBy="createdTime",
                supportsAllDrives=True,
                includeItemsFromAllDrives=True,
            ),
            "a folder",
        )
        found = page.get("files", [])
        if not found:
            return None
        first = found[0]  # the oldest, should two ever carry one mark
        return _join(base, clean_name(str(first["name"]))), str(first["id"])

    def _folder_id(self, parts: tuple[str, ...], *, create: bool) -> str | None:
        """The id of the folder at ``parts`` (found segment by segment, made when ``create``),
        or None when it is not there."""
        parent, path = self.root_id, ""
        for part in parts:
            path = _join(path, part)
            cached = self._folders.get(path)
            if cached is None and create:
                with self._lock(("folder", path)):
                    cached = (
                        self._folders.get(path)
                        or self._find_folder(parent, part)
                        or self._make_folder(parent, part)
                    )
            elif cached is None:
                cached = self._find_folder(parent, part)
            if cached is None:
                return None
            self._folders[path] = parent = cached
        return parent

    def _find_folder(self, parent: str, name: str) -> str | None:
        found = [f for f in self._children(parent, name=name) if f["mimeType"] == FOLDER]
        return str(found[0]["id"]) if found else None

    def _make_folder(self, parent: str, name: str, mark: dict[str, str] | None = None) -> str:
        body: dict[str, Any] = {"name": name, "mimeType": FOLDER, "parents": [parent]}
        if mark:
            body["appProperties"] = dict(mark)
        created = self._run(
            self.apis.drive.files().create(
                body=body,
                fields="id",
                supportsAllDrives=True,
            ),
            f"the folder to hold {name!r}",
        )
        return str(created["id"])

    def _lookup(self, rel: PurePosixPath) -> dict[str, Any] | None:
        """The Drive resource at ``rel`` (the root for ""), or None."""
        if not rel.parts:
            return {"id": self.root_id, "name": "", "mimeType": FOLDER}
        parent = self._folder_id(rel.parts[:-1], create=False)
        if parent is None:
            return None
        found = self._children(parent, name=rel.name)
        # Drive allows two files of one name; a folder's id is also worth keeping.
        for item in found:
            if item["mimeType"] == FOLDER:
                self._folders.setdefault(_posix(rel), str(item["id"]))
        return found[0] if found else None

    def _entries(self, folder: str, recursive: bool) -> list[tuple[str, dict[str, Any]]]:
        rel = clean_relative_path(folder)
        start = self._folder_id(rel.parts, create=False)
        if start is None:
            return []
        found: list[tuple[str, dict[str, Any]]] = []

        def walk(folder_id: str, base: str) -> None:
            for item in self._children(folder_id):
                path = _join(base, str(item["name"]))
                found.append((path, item))
                if item["mimeType"] == FOLDER:  # a shortcut to a folder is not walked: loops
                    self._folders.setdefault(path, str(item["id"]))
                    if recursive:
                        walk(str(item["id"]), path)

        walk(start, _posix(rel))
        return sorted(found, key=lambda e: e[0])

    def _subtree(self, start: str, base: str) -> dict[str, str]:
        """Folder id -> path of ``start`` and every folder under it: one folders query per
        level (per batch of parent ids), never one over the whole drive."""
        folders = {start: base}
        level = [start]
        while level:
            below: list[str] = []
            for at in range(0, len(level), PARENTS_PER_QUERY):
                batch = level[at : at + PARENTS_PER_QUERY]
                q = f"mimeType = {quote(FOLDER)} and trashed = false and {_in_parents(batch)}"
                for item in self._pages(q, FOLDER_FIELDS, "name", "a folder"):
                    folder_id = str(item["id"])
                    parent = next((p for p in item.get("parents", []) if p in batch), None)
                    if parent is None or folder_id in folders:  # seen already: no loops
                        continue
                    path = _join(folders[parent], str(item["name"]))
                    folders[folder_id] = path
                    self._folders.setdefault(path, folder_id)
                    below.append(folder_id)
            level = below
        return folders

    def _pages(self, q: str, fields: str, order_by: str, what: str) -> list[dict[str, Any]]:
        """Every file ``q`` finds, every page followed."""
        files: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self._run(
                self.apis.drive.files().list(
                    q=q,
                    pageSize=PAGE_SIZE,
                    pageToken=token,
                    fields=fields,
                    orderBy=order_by,
                    supportsAllDrives=True,
                    includeItemsFromAllDrives=True,
                ),
                what,
            )
            files += page.get("files", [])
            token = page.get("nextPageToken")
            if not token:
                return files

    def _children(
        self, parent: str, *, name: str | None = None, names: tuple[str, ...] = ()
    ) -> list[dict[str, Any]]:
        """What is in the folder ``parent`` (not trashed), optionally only by these names;
        every page followed."""
        q = f"{quote(parent)} in parents and trashed = false"
        wanted = sorted({*names, *([name] if name is not None else [])})
        if wanted:
            q += " and (" + " or ".join(f"name = {quote(n)}" for n in wanted) + ")"
        return self._pages(q, LIST_FIELDS, "name", "a folder")

    def _run(self, request: HttpRequest, what: str) -> Any:
        """Execute ``request`` (with google_api's retries), Google's refusals as our errors."""
        try:
            return self.apis.run(request)
        except HttpError as exc:
            status = exc.resp.status
            if status == 404:
                raise _Gone(
                    f"{what} is not in Google Drive: gone, or not shared with {self.account}"
                ) from exc
            if status == 401:
                raise AccessRefused(
                    f"Google Drive refused the credentials of {self.account} (HTTP 401): "
                    "invalid or expired"
                ) from exc
            if status == 403:
                raise AccessRefused(
                    f"{self.account} lacks access to {what} in Google Drive (HTTP 403)"
                ) from exc
            raise StorageUnavailable(f"Google Drive answered HTTP {status} about {what}") from exc
        except RefreshError as exc:
            # google-auth refreshes after a 401; a token that cannot be refreshed ends here.
            raise AccessRefused(
                f"Google Drive refused the credentials of {self.account} (HTTP 401) and they "
                "could not be refreshed: invalid or expired"
            ) from exc
        except RetriesExhausted as exc:
            raise StorageUnavailable(
                f"Google Drive is not answering ({exc.problem} after {exc.attempts} attempts); "
                "try again later"
            ) from exc
