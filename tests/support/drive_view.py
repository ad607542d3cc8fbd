"""One view of the drive for tests, whichever backend the server runs on: the local folder
tree (``ATELIER_STORAGE=local``) or Google Drive (``ATELIER_STORAGE=google``, the fake of
tests/support/fake_google.py). A test seeds files, lists a folder, reads a file and checks a
path the same way on both, so the same assertions hold on both.

    with open_drive("google", data_dir) as drive:
        drive.seed("Pricing/Price List.xlsx", xlsx(["Product", "Price"]))
        with ServerProcess(data_dir, {**drive.env(), ...}) as server:
            ...
            assert drive.names("Pricing") == ["Price List.xlsx"]

Paths are relative to the drive's root, "/"-separated, as the product's own paths are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from tests.support.fake_google import FOLDER, ROOT_ID, SHEET, FakeGoogle, spreadsheet_as_xlsx
from tools.storage.mime import mime_type_of

BACKENDS = ("local", "google")
SHEET_SUFFIX = ".xlsx"


class DriveView(Protocol):
    """What a test sees of the drive; every method takes a path relative to its root."""

    backend: str

    def env(self) -> dict[str, str]:
        """The environment ``atelier serve`` needs to run on this drive."""
        ...

    def seed(self, path: str, content: bytes) -> None:
        """Put a file at ``path`` (its folders made as needed), as a person would."""
        ...

    def names(self, folder: str = "") -> list[str]:
        """The names in ``folder``, sorted (a name twice if two entries carry it);
        FileNotFoundError when there is no such folder."""
        ...

    def read(self, path: str) -> bytes:
        """The bytes of the file at ``path`` (a native Google Sheet as an xlsx workbook);
        FileNotFoundError when there is none."""
        ...

    def exists(self, path: str) -> bool:
        """Whether a file or folder is at ``path``."""
        ...

    def sheet_text(self, text: str) -> str:
        """``text`` as it compares across backends: on Google Drive a sheet the product makes
        (from a template, a summary) is a native Sheet named without ".xlsx", so the suffix
        is left out there; elsewhere ``text`` as it is."""
        ...


class LocalDriveView:
    """The local drive: a directory tree under ``root`` (``ATELIER_DATA_DIR``/drive)."""

    backend = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def env(self) -> dict[str, str]:
        return {"ATELIER_STORAGE": "local"}  # the drive is then DATA_DIR/drive

    def seed(self, path: str, content: bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)

    def names(self, folder: str = "") -> list[str]:
        return sorted(p.name for p in (self.root / folder).iterdir())

    def read(self, path: str) -> bytes:
        return (self.root / path).read_bytes()

    def exists(self, path: str) -> bool:
        return (self.root / path).exists()

    def sheet_text(self, text: str) -> str:
        return text


class GoogleDriveView:
    """Google Drive: the fake's files under its root folder (``ROOT_ID``), found by name one
    path segment at a time, as a person clicking through Drive would."""

    backend = "google"

    def __init__(self, fake: FakeGoogle) -> None:
        self.fake = fake
        self._last_seeded = datetime.min.replace(tzinfo=UTC)

    def env(self) -> dict[str, str]:
        return {
            "ATELIER_STORAGE": "google",
            "ATELIER_GOOGLE_API_URL": self.fake.root_url,
            "ATELIER_GOOGLE_ACCESS_TOKEN": self.fake.token,
            "ATELIER_GOOGLE_ROOT_FOLDER_ID": ROOT_ID,
        }

    def seed(self, path: str, content: bytes) -> None:
        *folders, name = _parts(path)
        parent = ROOT_ID
        for part in folders:
            found = [f for f in self._children(parent, part) if f["mimeType"] == FOLDER]
            parent = found[0]["id"] if found else self.fake.add_file(part, parent, mime_type=FOLDER)
        kind = mime_type_of(name)  # what Drive says an upload of that name is
        # Drive keeps milliseconds: files seeded in one would tie, where the local drive's
        # modification times (nanoseconds) follow the order of seeding; "newest first" must too.
        stamp = max(datetime.now(UTC), self._last_seeded + timedelta(milliseconds=1))
        self._last_seeded = stamp
        modified = stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.fake.add_file(name, parent, mime_type=kind, content=content, modified=modified)

    def names(self, folder: str = "") -> list[str]:
        found = self._find(folder)
        if found is None or found["mimeType"] != FOLDER:
            raise FileNotFoundError(f"no folder {folder!r} in the fake Drive")
        return sorted(str(f["name"]) for f in self._children(found["id"]))

    def read(self, path: str) -> bytes:
        found = self._find(path)
        if found is None or found["mimeType"] == FOLDER:
            raise FileNotFoundError(f"no file {path!r} in the fake Drive")
        with self.fake.lock:
            if found["mimeType"] == SHEET:  # as files.export gives it
                return spreadsheet_as_xlsx(self.fake.spreadsheets[found["id"]])
            return self.fake.contents[found["id"]]

    def exists(self, path: str) -> bool:
        return self._find(path) is not None

    def sheet_text(self, text: str) -> str:
        return text.replace(SHEET_SUFFIX, "")

    def _children(self, parent: str, name: str | None = None) -> list[dict[str, Any]]:
        """What is in the folder ``parent``, not trashed (under the fake's lock: the server
        writes meanwhile)."""
        with self.fake.lock:
            return [
                dict(f)
                for f in self.fake.files.values()
                if parent in f.get("parents", [])
                and not f.get("trashed")
                and (name is None or f["name"] == name)
            ]

    def _find(self, path: str) -> dict[str, Any] | None:
        """The file or folder at ``path`` (the root for ""); a name twice is a failure."""
        found: dict[str, Any] = {"id": ROOT_ID, "name": "", "mimeType": FOLDER}
        for part in _parts(path):
            if found["mimeType"] != FOLDER:
                return None
            matches = self._children(found["id"], part)
            if not matches:
                return None
            assert len(matches) == 1, f"{len(matches)} entries named {part!r} in the fake Drive"
            found = matches[0]
        return found


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p]


@contextmanager
def open_drive(backend: str, data_dir: Path) -> Iterator[DriveView]:
    """An empty drive on ``backend`` ("local": ``data_dir``/drive, what a server with
    ``ATELIER_DATA_DIR=data_dir`` uses; "google": a fake Drive, up while the block runs)."""
    if backend == "local":
        yield LocalDriveView(data_dir / "drive")
    elif backend == "google":
        with FakeGoogle() as fake:
            yield GoogleDriveView(fake)
    else:
        raise ValueError(f"no such backend: {backend!r} (one of {', '.join(BACKENDS)})")
