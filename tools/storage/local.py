"""Local storage: the Drive is a folder tree under ATELIER_DRIVE_DIR that a person can browse."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from tools.errors import Conflict, InvalidInput, NotFound
from tools.files import copy_atomically, sha256_file
from tools.storage.base import StoredFile


def clean_relative_path(path: str) -> PurePosixPath:
    """A drive path as a relative POSIX path; refuses ``..``, absolute paths and NUL bytes."""
    if "\x00" in path:
        raise InvalidInput("path contains a NUL byte")
    pure = PurePosixPath(path.replace("\\", "/").strip())
    if pure.is_absolute():
        raise InvalidInput(f"path must be relative to the drive root, got {path!r}")
    if any(part == ".." for part in pure.parts):
        raise InvalidInput(f"path must not contain '..': {path!r}")
    return PurePosixPath(*[p for p in pure.parts if p not in ("", ".")])


def clean_name(name: str) -> str:
    """A single file or folder name: no separators, no ``..``, no NUL."""
    cleaned = clean_relative_path(name)
    if len(cleaned.parts) != 1:
        raise InvalidInput(f"a name cannot contain '/': {name!r}")
    return cleaned.parts[0]


class LocalDrive:
    """Folders are directories, files are files, sheets are ``.xlsx`` workbooks."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def resolve(self, path: str) -> Path:
        return self.root.joinpath(*clean_relative_path(path).parts)

    def ensure_folder(self, path: str) -> str:
        rel = clean_relative_path(path)
        self.root.joinpath(*rel.parts).mkdir(parents=True, exist_ok=True)
        return rel.as_posix()

    def put_file(self, folder: str, name: str, source: Path) -> StoredFile:
        rel = clean_relative_path(folder) / clean_name(name)
        target = self.root.joinpath(*rel.parts)
        digest = sha256_file(source)
        uploaded = not (target.exists() and sha256_file(target) == digest)
        if uploaded:
            copy_atomically(source, target)
        return self._describe(rel.as_posix(), target, digest, uploaded=uploaded)

    def list_files(self, folder: str = "", *, recursive: bool = False) -> list[StoredFile]:
        return [
            self._describe(self._relative(entry), entry, None)
            for entry in self._entries(folder, recursive)
            if entry.is_file()
        ]

    def list_folders(self, folder: str = "", *, recursive: bool = False) -> list[str]:
        return [self._relative(e) for e in self._entries(folder, recursive) if e.is_dir()]

    def exists(self, path: str) -> bool:
        return self.resolve(path).exists()

    def copy_file(self, source: str, folder: str, name: str) -> StoredFile:
        origin = self.resolve(source)
        if not origin.is_file():
            raise NotFound(f"no file at {source!r}")
        rel = clean_relative_path(folder) / clean_name(name)
        target = self.root.joinpath(*rel.parts)
        if target.exists():
            raise Conflict(f"{rel.as_posix()!r} already exists; choose another name")
        copy_atomically(origin, target)
        return self._describe(rel.as_posix(), target, sha256_file(target))

    def local_path(self, path: str) -> Path:
        target = self.resolve(path)
        if not target.is_file():
            raise NotFound(f"no file at {path!r}")
        return target

    def _entries(self, folder: str, recursive: bool) -> list[Path]:
        """Entries under ``folder`` by path, skipping hidden ones (and temporary files)."""
        directory = self.resolve(folder)
        if not directory.is_dir():
            return []
        found = directory.rglob("*") if recursive else directory.iterdir()
        return sorted(
            (
                e
                for e in found
                if not any(p.startswith(".") for p in e.relative_to(directory).parts)
            ),
            key=lambda e: e.relative_to(directory).as_posix(),
        )

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    @staticmethod
    def _describe(rel: str, path: Path, digest: str | None, *, uploaded: bool = True) -> StoredFile:
        stat = path.stat()
        return StoredFile(
            path=rel,
            name=path.name,
            sha256=digest,
            size=stat.st_size,
            modified=datetime.fromtimestamp(stat.st_mtime, UTC),
            uploaded=uploaded,
        )
