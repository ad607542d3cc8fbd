"""What the test's own server processes (atelier serve, atelier worker, redis-server) share."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Self


class ManagedProcess:
    """A process a test starts and stops, as a context manager; its output goes to a log."""

    log_path: Path

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> object:
        raise NotImplementedError

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
