"""The storage interface: a Drive-like tree of folders and files (local folders or Google Drive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredFile:
    """A file in the drive: its path relative to the root (``Orders/…/design-v1.png``)."""

    path: str
    name: str
    sha256: str
    size: int
    modified: datetime
    uploaded: bool = True  # False when an identical file was already there


class Storage(Protocol):
    def ensure_folder(self, path: str) -> str:
        """Find or create the folder at ``path``; return its canonical path."""
        ...

    def put_file(self, folder: str, name: str, source: Path) -> StoredFile:
        """Upload ``source`` into ``folder`` as ``name``; skip when the same bytes are there."""
        ...

    def list_files(self, folder: str = "") -> list[StoredFile]:
        """The files directly inside ``folder`` (the root when empty), by name."""
        ...
