"""`atelier worker` as a real process (Celery, prefork) for fault tests: start it, find its
children, signal them."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.support.keys import OLD_KEY
from tests.support.processes import ManagedProcess
from tests.support.procfs import children
from tests.support.server import ATELIER, atelier_env

# Every process of a scaled-out Atelier shares its keys (it refuses to start otherwise).
SHARED_KEYS = {
    "ATELIER_ENCRYPTION_KEYS": json.dumps({"test-1": base64.b64encode(OLD_KEY).decode()}),
    "ATELIER_ENCRYPTION_KID": "test-1",
}


class WorkerProcess(ManagedProcess):
    def __init__(
        self,
        data_dir: Path,
        env: dict[str, str],
        *,
        concurrency: int = 1,
        metrics_port: int | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.env = atelier_env(data_dir, env)
        self.concurrency = concurrency
        self.metrics_port = metrics_port
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / f"worker-{id(self):x}.log"

    def start(self, timeout: float = 60) -> WorkerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        mark = self.log_path.stat().st_size
        metrics = ["--metrics-port", str(self.metrics_port)] if self.metrics_port else []
        self.process = subprocess.Popen(
            [str(ATELIER), "worker", "--concurrency", str(self.concurrency), *metrics],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"atelier worker exited early:\n{self.log()}")
            if " ready." in self.log()[mark:] and len(self.children()) >= self.concurrency:
                return self
            time.sleep(0.1)
        self.stop(signal.SIGKILL)
        raise RuntimeError(f"atelier worker did not become ready:\n{self.log()}")

    def children(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        pids = self.children()
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
        finally:
            for pid in pids:  # no child outlives a test
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
