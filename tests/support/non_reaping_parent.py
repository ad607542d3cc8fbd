"""Run a command under a parent that adopts its orphans and never reaps them.

    python -m tests.support.non_reaping_parent PROGRAM [ARGS...]

As `make` does when it is a container's PID 1: a server the command daemonizes (pg_ctl starts
PostgreSQL that way) is handed to this process when its launcher exits, and once killed it
stays a zombie, its pid still in the process table, until this process ends. Tests use it to
hold "a moment after a crash" open for as long as they need. Linux only (prctl).
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>


def main() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")
    subprocess.Popen(sys.argv[1:]).wait()  # reaps the command, and nothing else
    while True:  # holds on to every orphan, dead or alive, until this process is killed
        signal.pause()


if __name__ == "__main__":
    main()
