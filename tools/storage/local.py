"""Local storage: the Drive is a folder tree under ATELIER_DRIVE_DIR that a person can browse."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from tools.cells import CellValue
from tools.errors import Conflict, InvalidInput, NotFound
from tools.files import copy_atomically, sha256_file, write_atomically
from tools.safe_text import first_unsafe_character
from tools.storage.base import ChartSpec, SheetLayout, StoredFile, free_name, newest_sheets
from tools.storage.mime import SHEET_SUFFIX, SHEET_SUFFIXES
from tools.storage.xlsx import workbook_bytes, workbook_rows

MAX_NAME_BYTES = 255  # what Linux, macOS and Windows file systems (and so a drive) allow


def clean_relative_path(path: str) -> PurePosixPath:
    """A drive path as a relative POSIX path; refuses ``..``, absolute paths and NUL bytes."""
    if "\x00" in path:
        raise InvalidInput("path contains a NUL byte")
    pure = PurePosixPath(path.replace("\\", "/").strip())
    if pure.is_absolute():
        raise InvalidInput(f"path must be relative to the drive root, got {path!r}")
    if any(part == ".." for part in pure.parts):
        raise InvalidInput(f"path must not contain '..': {path!r}")
    if any(len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for part in pure.parts):
        raise InvalidInput(f"a file or folder name is at most {MAX_NAME_BYTES} bytes long")
    return PurePosixPath(*[p for p in pure.parts if p not in ("", ".")])


def clean_name(name: str) -> str:
    """A single file or folder name: no separators, no ``..``, no NUL."""
    cleaned = clean_relative_path(name)
    if len(cleaned.parts) != 1:
        raise InvalidInput(f"a name cannot contain '/': {name!r}")
    return cleaned.parts[0]


class LocalDrive:
    """Folders are directories, files are files, sheets are ``.xlsx`` workbooks.

    The root is a wall. A person may put anything in the folder tree, symlinks included, so
    every path is resolved with its symlinks followed and must stay inside the root: a path
    named directly that leaves it is refused (InvalidInput), and listings leave out what leads
    outside. Symlinks that stay inside work like what they point to; a recursive listing does
    not descend into a symlinked folder (what it points to is listed where it really is, and a
    link to its own parent cannot loop).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self._wall = root.resolve()

    def resolve(self, path: str) -> Path:
        """The real location of the drive path ``path`` (symlinks followed; it need not
        exist yet). Raises InvalidInput when it lies outside the root."""
        real = self._inside(self.root.joinpath(*clean_relative_path(path).parts))
        if real is None:
            raise InvalidInput(f"{path!r} leads outside the drive")
        return real

    def ensure_folder(self, path: str, mark: dict[str, str] | None = None) -> str:
        # A local folder has no properties to carry a mark: it is found by its path.
        rel = clean_relative_path(path)
        self.resolve(rel.as_posix()).mkdir(parents=True, exist_ok=True)
        return rel.as_posix()

    def put_files(self, folder: str, files: Mapping[str, bytes]) -> list[StoredFile]:
        stored = []
        for name, content in files.items():
            rel = clean_relative_path(folder) / clean_name(name)
            target = self.resolve(rel.as_posix())
            digest = hashlib.sha256(content).hexdigest()
            uploaded = not (target.exists() and sha256_file(target) == digest)
            if uploaded:
                write_atomically(target, content)
            stored.append(self._describe(rel.as_posix(), target, digest, uploaded=uploaded))
        return stored

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
        rel = clean_relative_path(folder) / clean_name(name)
        if number_if_taken:
            stem = rel.name.removesuffix(SHEET_SUFFIX)
            taken = [f.name.removesuffix(SHEET_SUFFIX) for f in self.list_files(folder)]
            rel = rel.with_name(free_name(stem, taken) + rel.name[len(stem) :])
        target = self.resolve(rel.as_posix())
        if target.exists():
            raise Conflict(f"{rel.as_posix()!r} already exists; choose another name")
        data = workbook_bytes(rows, chart, layout)
        write_atomically(target, data)
        return self._describe(rel.as_posix(), target, hashlib.sha256(data).hexdigest())

    def list_files(self, folder: str = "", *, recursive: bool = False) -> list[StoredFile]:
        return [
            self._describe(rel, real, None)
            for rel, real in self._entries(folder, recursive)
            if real.is_file()
        ]

    def list_folders(self, folder: str = "", *, recursive: bool = False) -> list[str]:
        return [rel for rel, real in self._entries(folder, recursive) if real.is_dir()]

    def children(self, folder: str = "") -> tuple[list[str], list[StoredFile]]:
        entries = self._entries(folder, recursive=False)
        return (
            [rel for rel, real in entries if real.is_dir()],
            [self._describe(rel, real, None) for rel, real in entries if real.is_file()],
        )

    def is_folder(self, path: str) -> bool:
        # What listings leave out (hidden names, names that are not text) is no folder here.
        parts = clean_relative_path(path).parts
        if any(p.startswith(".") or first_unsafe_character(p) for p in parts):
            return False
        return self.resolve(path).is_dir()

    def find_sheets(
        self,
        folder: str = "",
        *,
        name_contains: str | None = None,
        modified_after: datetime | None = None,
        modified_before: datetime | None = None,
        limit: int = 20,
    ) -> tuple[list[StoredFile], int]:
        sheets = (
            f
            for f in self.list_files(folder, recursive=True)
            if PurePosixPath(f.name).suffix.lower() in SHEET_SUFFIXES
        )
        return newest_sheets(
            sheets,
            name_contains=name_contains,
            modified_after=modified_after,
            modified_before=modified_before,
            limit=limit,
        )

    def exists(self, path: str) -> bool:
        return self.resolve(path).exists()

    def copy_file(self, source: str, folder: str, name: str) -> StoredFile:
        origin = self.resolve(source)
        if not origin.is_file():
            raise NotFound(f"no file at {source!r}")
        rel = clean_relative_path(folder) / clean_name(name)
        target = self.resolve(rel.as_posix())
        if target.exists():
            raise Conflict(f"{rel.as_posix()!r} already exists; choose another name")
        copy_atomically(origin, target)
        return self._describe(rel.as_posix(), target, sha256_file(target))

    def read_file(self, file_id: str) -> bytes:
        # A local file's id is its path in the drive.
        target = self.resolve(file_id)
        if not target.is_file():
            raise NotFound(f"no file at {file_id!r}")
        return target.read_bytes()

    def read_sheet(self, file: StoredFile, tab: str) -> list[list[CellValue]]:
        return workbook_rows(self.read_file(file.id), tab, repr(file.path))

    def _inside(self, path: Path) -> Path | None:
        """``path`` with every symlink followed, or None when that leaves the root (or loops)."""
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
            return None
        return real if real.is_relative_to(self._wall) else None

    def _entries(self, folder: str, recursive: bool) -> list[tuple[str, Path]]:
        """(drive path, real path) of each entry under ``folder``, by drive path; hidden ones
        (and temporary files), those whose names are not text and those leading outside the
        root are left out."""
        base = clean_relative_path(folder)
        directory = self.resolve(folder)
        if not directory.is_dir():
            return []
        found: list[tuple[str, Path]] = []

        def walk(real_dir: Path, rel_dir: PurePosixPath) -> None:
            try:
                entries = list(real_dir.iterdir())
            except OSError:  # unreadable, or removed meanwhile: nothing to list there
                return
            for entry in entries:
                # Hidden files, and names that are not text (bytes that are not UTF-8, control
                # characters): no tool could name them, no answer could carry them.
                if entry.name.startswith(".") or first_unsafe_character(entry.name):
                    continue
                real = self._inside(entry)
                if real is None:
                    continue
                rel = rel_dir / entry.name
                found.append((rel.as_posix(), real))
                if recursive and real.is_dir() and not entry.is_symlink():
                    walk(real, rel)

        walk(directory, base)
        return sorted(found, key=lambda e: e[0])

    @staticmethod
    def _describe(rel: str, path: Path, digest: str | None, *, uploaded: bool = True) -> StoredFile:
        stat = path.stat()
        return StoredFile(
            id=rel,
            path=rel,
            name=PurePosixPath(rel).name,  # the name in the drive, even when it is a symlink
            sha256=digest,
            size=stat.st_size,
            modified=datetime.fromtimestamp(stat.st_mtime, UTC),
            uploaded=uploaded,
        )
