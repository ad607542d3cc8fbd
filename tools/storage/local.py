"""Local storage: the Drive is a folder tree under ATELIER_DRIVE_DIR that a person can browse."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from tools.errors import InvalidInput
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

    def list_files(self, folder: str = "") -> list[StoredFile]:
        rel = clean_relative_path(folder)
        directory = self.root.joinpath(*rel.parts)
        if not directory.is_dir():
            return []
        return [
            self._describe((rel / entry.name).as_posix(), entry, sha256_file(entry))
            for entry in sorted(directory.iterdir(), key=lambda e: e.name)
            if entry.is_file() and not entry.name.startswith(".")
        ]

    @staticmethod
    def _describe(rel: str, path: Path, digest: str, *, uploaded: bool = True) -> StoredFile:
        stat = path.stat()
        return StoredFile(
            path=rel,
            name=path.name,
            sha256=digest,
            size=stat.st_size,
            modified=datetime.fromtimestamp(stat.st_mtime, UTC),
            uploaded=uploaded,
        )
