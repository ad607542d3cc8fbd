"""A text progress bar for CLI commands that wait: redrawn in place on a terminal, one line per
change otherwise (so logs and CI output stay readable)."""

from __future__ import annotations

from typing import TextIO

WIDTH = 30


class ProgressBar:
    def __init__(self, stream: TextIO, label: str) -> None:
        self.stream = stream
        self.label = label
        self.interactive = stream.isatty()
        self._last: str | None = None

    def show(self, percent: int, note: str = "") -> None:
        """Draw ``percent`` (0-100) with a short note (the current step)."""
        percent = max(0, min(100, percent))
        filled = WIDTH * percent // 100
        line = f"{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {percent:3d}%  {note}"
        if line == self._last:
            return
        if self.interactive:
            # Pad to wipe what a longer previous line left behind.
            self.stream.write("\r" + line.ljust(len(self._last or "")))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
        self._last = line

    def close(self, message: str) -> None:
        """End the bar's line and print how it ended."""
        if self.interactive and self._last is not None:
            self.stream.write("\n")
        self.stream.write(message + "\n")
        self.stream.flush()
