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
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(fd)
    try:
        fill(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` beside ``target`` and rename it into place."""
    _replace_with(target, lambda tmp: Path(tmp).write_bytes(data))


def copy_atomically(source: Path, target: Path) -> None:
    """Copy ``source`` beside ``target`` and rename it into place."""
    _replace_with(target, lambda tmp: shutil.copyfile(source, tmp))
