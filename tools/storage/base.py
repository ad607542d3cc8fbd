"""The storage interface: a Drive-like tree of folders and files (local folders or Google Drive)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from tools.cells import CellValue


@dataclass(frozen=True)
class StoredFile:
    """A file in the drive: its backend's own identifier, by which it is read (a Drive file
    id; on the local drive, its path), and its path relative to the root, by which people
    name it (``Orders/…/design-v1.png``)."""

    id: str
    path: str
    name: str
    size: int
    modified: datetime
    sha256: str | None = None  # computed on upload; listings leave it out (it reads the file)
    uploaded: bool = True  # False when an identical file was already there
    mime_type: str | None = None  # what the backend says the file is (Google Drive); None: local
    link: str | None = None  # where a person opens it (Drive's webViewLink); None: local


@dataclass(frozen=True)
class ChartSpec:
    """A bar chart of one column of values against a column of labels (rows and columns
    1-based): the headers in ``header_row``, the data below it down to ``last_row``."""

    title: str
    header_row: int
    last_row: int
    labels: int = 1  # the column of the labels (the categories)
    values: int = 2  # the column of the values (the one series)
    anchor: tuple[int, int] = (2, 6)  # (row, column) of the chart's top-left corner: F2


@dataclass(frozen=True)
class SheetLayout:
    """How a written sheet looks beyond its values (1-based rows and columns); each backend
    does what it can."""

    tab: str = "Sheet1"
    heading_row: int | None = None  # bold and larger
    bold_rows: tuple[int, ...] = ()
    money_column: int | None = None  # "#,##0.00" from money_from_row down
    money_from_row: int = 1
    first_column_width: int | None = None  # in characters


class Storage(Protocol):
    def ensure_folder(self, path: str, mark: dict[str, str] | None = None) -> str:
        """Find or create the folder at ``path``; return its canonical path.

        With ``mark`` (properties such as ``{"atelier_order_id": "…"}``) the folder is the one
        in ``path``'s parent that carries the mark, whatever its name, never one matched by
        name alone; made with the mark when there is none. Backends without properties (the
        local drive) find it by path.
        """
        ...

    def put_files(self, folder: str, files: Mapping[str, bytes]) -> list[StoredFile]:
        """Store each content of ``files`` in ``folder`` under its name; skip those whose
        bytes are there already. A file of that name with other bytes gets the new ones (the
        same file, a new revision)."""
        ...

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
        """A new sheet ``name`` in ``folder`` holding ``rows`` (from A1; every string stays
        text, never a formula) and ``chart``: an ``.xlsx`` workbook on the local drive, a
        native Google Sheet named without ``.xlsx`` on Drive. When a sheet has that name:
        Conflict, or with ``number_if_taken`` the first free ``name (2)``, ``name (3)``…
        (see free_name)."""
        ...

    def list_files(self, folder: str = "", *, recursive: bool = False) -> list[StoredFile]:
        """The files inside ``folder`` (the root when empty), by path; [] if it doesn't exist."""
        ...

    def list_folders(self, folder: str = "", *, recursive: bool = False) -> list[str]:
        """The folders inside ``folder``, by path."""
        ...

    def children(self, folder: str = "") -> tuple[list[str], list[StoredFile]]:
        """What is directly in ``folder``, in one listing: its folders' paths and its files."""
        ...

    def is_folder(self, path: str) -> bool:
        """Whether a folder is at ``path`` (cheap: no listing where the path is known)."""
        ...

    def find_sheets(
        self,
        folder: str = "",
        *,
        name_contains: str | None = None,
        modified_after: datetime | None = None,
        modified_before: datetime | None = None,
        limit: int = 20,
    ) -> tuple[list[StoredFile], int]:
        """The sheets in ``folder`` and its subfolders (the whole drive when empty) whose name
        holds ``name_contains`` (any case, anywhere in the name) and that were modified at or
        after ``modified_after`` and before ``modified_before``: the first ``limit`` of them,
        newest first (then by path, descending), and how many matched in all."""
        ...

    def exists(self, path: str) -> bool:
        """Whether a file or folder is at ``path``."""
        ...

    def copy_file(self, source: str, folder: str, name: str) -> StoredFile:
        """Copy the file at ``source`` into ``folder`` as ``name``; Conflict if one is there."""
        ...

    def read_file(self, file_id: str) -> bytes:
        """The content of the file ``file_id`` (a StoredFile's id); NotFound when it is gone."""
        ...

    def read_sheet(self, file: StoredFile, tab: str) -> list[list[CellValue]]:
        """The values of the tab ``tab`` of the sheet ``file`` (as listed), row by row: an
        ``.xlsx`` workbook, or a native Google Sheet (dates as serial numbers there).
        InvalidInput when it is no readable sheet or has no such tab."""
        ...


def newest_sheets(
    sheets: Iterable[StoredFile],
    *,
    name_contains: str | None,
    modified_after: datetime | None,
    modified_before: datetime | None,
    limit: int,
) -> tuple[list[StoredFile], int]:
    """What :meth:`Storage.find_sheets` answers from the sheets a backend found: those whose
    name holds ``name_contains`` (any case) and whose time is in the range, the first
    ``limit`` newest first (then by path, descending), and how many matched. One rule for
    every backend, whatever its own query could narrow first."""
    needle = (name_contains or "").lower()
    found = [
        f
        for f in sheets
        if needle in f.name.lower()
        and (modified_after is None or f.modified >= modified_after)
        and (modified_before is None or f.modified < modified_before)
    ]
    found.sort(key=lambda f: (f.modified, f.path), reverse=True)
    return found[:limit], len(found)


def free_name(stem: str, taken: Collection[str]) -> str:
    """``stem``, or else the first of ``stem (2)``, ``stem (3)``… that is not ``taken``."""
    name, n = stem, 2
    while name in taken:
        name, n = f"{stem} ({n})", n + 1
    return name
