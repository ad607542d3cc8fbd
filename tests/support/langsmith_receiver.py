"""A local HTTP server that speaks LangSmith's ingestion endpoints, for tracing tests.

The real langsmith client talks to it: ``GET /info`` (answered ``{}``: defaults),
``POST /runs/multipart`` (parts ``post.<id>``, ``patch.<id>``, ``post.<id>.inputs``, …),
``POST /runs/batch``, ``POST /runs``, ``PATCH /runs/<id>``, ``POST /feedback`` and
``GET /sessions?name=`` (one project, so trace links can be built). It keeps every body it
received, raw, so a test can also search them for what must never leave the process.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.receivers import LoopbackHTTPServer

TENANT_ID = "00000000-0000-4000-8000-000000000001"
PROJECT_ID = "00000000-0000-4000-8000-000000000002"


class LangSmithReceiver(LoopbackHTTPServer):
    """Usage::

    with LangSmithReceiver() as smith:
        ... run something traced to smith.url ...
        client.flush()
        root = smith.roots()[0]
    """

    def __init__(self, *, sink: bool = False) -> None:
        """``sink``: only count the bytes received (a benchmark's receiver must cost little)."""
        self.sink = sink
        self.received_bytes = 0
        self.runs: dict[str, dict[str, Any]] = {}
        self.operations: Counter[str] = Counter()  # "post" and "patch" run operations received
        self.feedback: list[dict[str, Any]] = []
        self.bodies: list[bytes] = []
        self.api_keys: set[str] = set()
        # Cleared, it holds every feedback request unanswered until set again.
        self.feedback_gate = threading.Event()
        self.feedback_gate.set()
        self._lock = threading.Lock()
        super().__init__(self._handler_class())
        self.url = self.root_url

    # --- what tests read ---------------------------------------------------------------------

    def roots(self) -> list[dict[str, Any]]:
        """Runs without a parent: one per trace."""
        with self._lock:
            return [r for r in self.runs.values() if not r.get("parent_run_id")]

    def trace(self, trace_id: str) -> list[dict[str, Any]]:
        """Every run of one trace, in start order."""
        with self._lock:
            runs = [r for r in self.runs.values() if str(r.get("trace_id")) == trace_id]
        return sorted(runs, key=lambda r: r.get("dotted_order", ""))

    def children(self, run: dict[str, Any]) -> list[dict[str, Any]]:
        with self._lock:
            found = [r for r in self.runs.values() if r.get("parent_run_id") == run["id"]]
        return sorted(found, key=lambda r: r.get("dotted_order", ""))

    def received_text(self) -> str:
        """Everything received, as one string (to assert that something never arrived)."""
        with self._lock:
            return b"\n".join(self.bodies).decode("utf-8", errors="replace")

    # --- ingestion ---------------------------------------------------------------------------

    def _record(self, run: dict[str, Any], operation: str) -> None:
        """A run's create ("post") or its later "patch": fields merge into one record per run
        id."""
        with self._lock:
            self.operations[operation] += 1
            merged = self.runs.setdefault(str(run["id"]), {})
            merged.update({k: v for k, v in run.items() if v is not None})

    def _multipart(self, content_type: str, body: bytes) -> None:
        message = message_from_bytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body, policy=policy.HTTP
        )
        pending: dict[str, dict[str, Any]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            op, run_id, *field = str(name).split(".")
            value = json.loads(part.get_payload(decode=True))
            if op == "feedback":
                with self._lock:
                    self.feedback.append(value)
                continue
            run = pending.setdefault(f"{op}.{run_id}", {"id": run_id})
            if field:
                if field[0] == "extra":
                    run.setdefault("extra", {}).update(value)
                else:
                    run[field[0]] = value
            else:
                run.update(value)
        for key, run in pending.items():
            self._record(run, key.split(".", 1)[0])

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self, status: int, payload: Any) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> bytes:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.received_bytes += len(body)
                    if receiver.sink:
                        return b""
                    receiver.bodies.append(body)
                    if key := self.headers.get("x-api-key"):
                        receiver.api_keys.add(key)
                return body

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/info":
                    self._answer(200, {})
                elif url.path == "/received":  # ours: for a receiver in another process
                    self._answer(200, {"bytes": receiver.received_bytes})
                elif url.path == "/sessions":
                    name = parse_qs(url.query).get("name", ["default"])[0]
                    project = {
                        "id": PROJECT_ID,
                        "tenant_id": TENANT_ID,
                        "name": name,
                        "start_time": "2026-01-01T00:00:00+00:00",
                        "reference_dataset_id": None,
                    }
                    self._answer(200, [project])
                else:
                    self._answer(404, {"detail": "not found"})

            def do_POST(self) -> None:
                body = self._body()
                path = urlsplit(self.path).path
                if receiver.sink:
                    pass
                elif path == "/runs/multipart":
                    receiver._multipart(self.headers["Content-Type"], body)
                elif path == "/runs/batch":
                    batch = json.loads(body)
                    for operation in ("post", "patch"):
                        for run in batch.get(operation, []):
                            receiver._record(run, operation)
                elif path == "/runs":
                    receiver._record(json.loads(body), "post")
                elif path == "/feedback":
                    receiver.feedback_gate.wait(timeout=60)
                    with receiver._lock:
                        receiver.feedback.append(json.loads(body))
                else:
                    self._answer(404, {"detail": "not found"})
                    return
                self._answer(200, {"id": str(uuid.uuid4())})

            def do_PATCH(self) -> None:
                body = self._body()
                if not receiver.sink:
                    run_id = urlsplit(self.path).path.rsplit("/", 1)[-1]
                    receiver._record({**json.loads(body), "id": run_id}, "patch")
                self._answer(200, {})

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
