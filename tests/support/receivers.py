"""Real servers that notification tests deliver to: an HTTP webhook receiver and an SMTP server.

Both run in a background thread on 127.0.0.1, record what they receive, and can be scripted to
answer with failures first, so retry paths are exercised over real sockets, without mocks.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

__all__ = [
    "LoopbackHTTPServer",
    "ReceivedEmail",
    "ReceivedRequest",
    "Reply",
    "SmtpReceiver",
    "WebhookReceiver",
    "free_port",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the moment of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LoopbackHTTPServer:
    """Base of the test servers: a threading HTTP server on 127.0.0.1, serving from a daemon
    thread while the object is used as a context manager. Subclasses give the handler class."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # A short poll interval: shutdown() waits up to one interval, at every test's teardown.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        host, port = self._server.server_address[:2]
        self.root_url = f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


# --- webhook -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A scripted HTTP answer; ``delay`` seconds pass before it is sent (to provoke timeouts)."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as the receiver saw it."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    at: float  # time.monotonic() on arrival

    @property
    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


class WebhookReceiver(LoopbackHTTPServer):
    """An HTTP server that records every request and answers from a script, then ``default``.

    Usage::

        with WebhookReceiver() as receiver:
            receiver.fail_first(2)  # the first two requests get 503
            WebhookChannel(receiver.url, secret).deliver(message)
            assert len(receiver.requests) == 3
    """

    def __init__(self, default: Reply | None = None, path: str = "/hooks/atelier") -> None:
        self.default = default or Reply(200)
        self.requests: list[ReceivedRequest] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        super().__init__(self._handler_class())
        self.url = f"{self.root_url}{path}"

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies``, in order, before falling back to default."""
        with self._lock:
            self._script.extend(replies)

    def fail_first(
        self, count: int, status: int = 503, headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next ``count`` requests with ``status``."""
        self.script(*(Reply(status, headers or {}) for _ in range(count)))

    def _next_reply(self, request: ReceivedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            return self._script.popleft() if self._script else self.default

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                request = ReceivedRequest(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                    at=time.monotonic(),
                )
                reply = receiver._next_reply(request)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the client gave up (a timeout test); nothing to answer

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return Handler


# --- SMTP ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedEmail:
    """One accepted e-mail: the envelope, the parsed message and who logged in to send it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None


class _Handler:
    def __init__(self, receiver: SmtpReceiver) -> None:
        self.receiver = receiver

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return self.receiver._on_data(session, envelope)


class SmtpReceiver:
    """An aiosmtpd server on 127.0.0.1 that keeps every accepted message.

    ``fail_first(n, "451 ...")`` makes the next n messages get that reply at end of DATA (a 4xx is
    a temporary failure, a 5xx a permanent one); ``credentials=(user, password)`` requires login.
    """

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.messages: list[ReceivedEmail] = []
        self.attempts = 0  # DATA commands seen, accepted or not
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self._credentials = credentials
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if credentials:
            # Plain-text AUTH over a loopback socket is fine in a test; production uses STARTTLS.
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
        self._controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, **kwargs
        )

    def fail_first(self, count: int, reply: str = "451 4.3.0 Try again later") -> None:
        """Answer the next ``count`` messages with ``reply`` instead of accepting them."""
        with self._lock:
            self._script.extend([reply] * count)

    def __enter__(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._controller.stop()

    def _on_data(self, session: Session, envelope: Envelope) -> str:
        with self._lock:
            self.attempts += 1
            if self._script:
                return self._script.popleft()
            content = envelope.original_content or b""
            parsed = message_from_bytes(content, policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            login = session.login_data.decode() if session.login_data else None
            self.messages.append(
                ReceivedEmail(str(envelope.mail_from), list(envelope.rcpt_tos), parsed, login)
            )
        return "250 OK"

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and self._credentials is not None
            and (auth_data.login.decode(), auth_data.password.decode()) == self._credentials
        )
        # handled=False: aiosmtpd then answers 535 itself (True would leave the client hanging).
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
