"""Start an order's pipeline and die mid-way (os._exit) during generate_design.

Run as ``python -m tests.support.crash_run DATABASE_URL DATA_DIR ORDER_ID``: the process ends
with no clean-up at all, as a killed worker would.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

from graphs.order.runner import OrderRunner
from persistence.checkpoints import open_checkpointer
from persistence.database import Database
from tests.support.keys import use_test_keys
from tests.support.pipeline import make_backends
from tools.catalog import build_registry
from tools.context import ToolContext
from tools.design.base import DesignRequest, DesignResult, ProgressCallback

CRASH_EXIT_CODE = 37


class CrashingEngine:
    name = "crashing"

    def generate(
        self, request: DesignRequest, progress: ProgressCallback | None = None
    ) -> DesignResult:
        os._exit(CRASH_EXIT_CODE)


def main() -> None:
    url, data_dir, order_id = sys.argv[1:4]
    use_test_keys()
    db = Database(url)
    checkpointer, _pool = open_checkpointer(db.url)
    backends = make_backends(Path(data_dir), db, engine=CrashingEngine())
    OrderRunner(ToolContext(backends=backends), build_registry(), checkpointer).start(
        uuid.UUID(order_id)
    )


if __name__ == "__main__":
    main()
