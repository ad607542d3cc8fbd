"""File helpers shared by the tools: checksums, and atomic writes that no reader sees half-done."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _replace_with(target: Path, fill: Callable[[str], object]) -> None:
    """Fill a temporary file beside ``target``, then rename it into place: readers (and a
    crash) only ever see the old file or the new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # Keep the mode of the file being replaced; a new one gets rw-r--r--, not mkstemp's 0600,
    # so a person browsing the drive can open it.
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        fill(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically."""
    _replace_with(target, lambda tmp: Path(tmp).write_bytes(data))


def copy_atomically(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` atomically."""
    _replace_with(target, lambda tmp: shutil.copyfile(source, tmp))
