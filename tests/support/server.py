"""Run `atelier serve` as a real process for end-to-end tests."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from server.security import KeyRing, issue_token
from tests.support.processes import ManagedProcess
from tests.support.receivers import free_port
from tools.access import Role

ATELIER = Path(sys.executable).parent / "atelier"


JWT_SECRET = "e2e-test-secret-that-is-long-enough-for-hs256"


def atelier_env(data_dir: Path, env: dict[str, str]) -> dict[str, str]:
    """The environment of an `atelier` process in a test: this one's, without its ATELIER_
    settings, plus ``env``."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("ATELIER_")},
        "ATELIER_DATA_DIR": str(data_dir),
        "ATELIER_JWT_SECRET": JWT_SECRET,
        # Test scripts call faster than people; the rate-limit test sets its own limits.
        "ATELIER_RATE_LIMIT_ORDERS": "100000/minute",
        "ATELIER_RATE_LIMIT_COMMANDS": "100000/minute",
        **env,
    }


class ServerProcess(ManagedProcess):
    """``atelier serve`` on a free port with the given environment; its output goes to a log."""

    def __init__(
        self,
        data_dir: Path,
        env: dict[str, str],
        *,
        startup_timeout: float = 90,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        """``tls``: (certificate, key) to serve HTTPS with."""
        self.data_dir = data_dir
        self.port = free_port()
        self.tls = tls
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.log_path = data_dir / f"server-{self.port}.log"
        self.env = atelier_env(data_dir, env)
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        tls_args = []
        if self.tls:
            tls_args = ["--ssl-certfile", str(self.tls[0]), "--ssl-keyfile", str(self.tls[1])]
        self.process = subprocess.Popen(
            [str(ATELIER), "serve", "--port", str(self.port), *tls_args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"atelier serve exited early:\n{self.log()}")
            try:
                if (
                    httpx.get(f"{self.url}/health", timeout=1, verify=self.verify).status_code
                    == 200
                ):
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"atelier serve did not become healthy:\n{self.log()}")

    def token(self, sub: str, role: Role, **kwargs: Any) -> str:
        """A token this server accepts, signed with its key."""
        return issue_token(KeyRing.single(self.env["ATELIER_JWT_SECRET"]), sub, role, **kwargs)

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """What an httpx client needs to trust this server."""
        return ssl.create_default_context(cafile=self.tls[0]) if self.tls else True

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def kill(self) -> None:
        """A crash: SIGKILL, no clean-up of any kind."""
        self.stop(signal.SIGKILL)


def client_for(server: ServerProcess, sub: str, role: Role) -> httpx.Client:
    """An HTTP client of ``server`` signed in as ``sub`` with ``role``."""
    token = server.token(sub, role)
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
