"""The CLI's progress bar: redrawn in place on a terminal, a line per change elsewhere."""

from __future__ import annotations

import io

from server.progress_bar import ProgressBar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_pipe_gets_one_line_per_change() -> None:
    out = io.StringIO()
    bar = ProgressBar(out, "order 1a2b")
    bar.show(0, "create_folder")
    bar.show(0, "create_folder")  # unchanged: not repeated
    bar.show(55, "generate_design (3/4)")
    bar.show(140, "done")  # clamped
    bar.close("order 1a2b is awaiting_approval")
    lines = out.getvalue().splitlines()
    assert lines == [
        "order 1a2b [..............................]   0%  create_folder",
        "order 1a2b [################..............]  55%  generate_design (3/4)",
        "order 1a2b [##############################] 100%  done",
        "order 1a2b is awaiting_approval",
    ]


def test_a_terminal_redraws_one_line() -> None:
    out = Terminal()
    bar = ProgressBar(out, "o")
    bar.show(10, "a longer step name")
    bar.show(20, "short")
    bar.close("done")
    text = out.getvalue()
    assert text.count("\n") == 2 and text.count("\r") == 2
    first, second = text.split("\r")[1:3]
    assert len(second.rstrip("\n").split("\n")[0]) >= len(first)  # padded over the old line
    assert text.endswith("\ndone\n")
