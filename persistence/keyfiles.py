"""Secrets generated once and kept in a file (mode 0600) for development set-ups."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def kept_secret(path: Path, make: Callable[[], str]) -> str:
    """The secret in ``path``; on first use, ``make()`` one and write it there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when two processes start together, one writes and both read its secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    secret = make()
    with os.fdopen(fd, "w") as f:
        f.write(secret)
    return secret
