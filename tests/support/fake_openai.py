"""A local OpenAI-compatible server for tests: the real ``openai`` client talks to it over HTTP.

It runs on 127.0.0.1 (a free port) in a background thread, records every request, and answers
from a routing table, so a test points ``openai.OpenAI(base_url=fake.base_url, api_key="test")``
at it and asserts on what the client really sent. Out of the box it answers the image endpoints::

    with FakeOpenAI() as fake:
        client = openai.OpenAI(base_url=fake.base_url, api_key="test")
        client.images.generate(model="gpt-image-1", prompt="a fox")
        assert fake.requests[0].json["prompt"] == "a fox"

        fake.fail(500, "the server had an error")  # the next request gets an OpenAI-shaped 500

Other endpoints are added as routes: a handler takes the recorded request and returns a Reply::

    def chat(request: OpenAIRequest) -> Reply:
        return Reply(200, {"id": "chatcmpl-1", "object": "chat.completion", "choices": [...]})

    fake.routes["POST", "/v1/chat/completions"] = chat
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any

from PIL import Image

from tests.support.receivers import LoopbackHTTPServer

__all__ = ["FakeOpenAI", "OpenAIRequest", "Reply", "ScriptedChat", "UploadedFile", "error_body"]

DEFAULT_IMAGE_SIZE = (1024, 1024)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass(frozen=True)
class OpenAIRequest:
    """One request as the server saw it: JSON bodies parsed into ``json``, multipart forms into
    ``fields`` (text parts) and ``files`` (file parts)."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    json: Any = None
    fields: dict[str, str] = field(default_factory=dict)
    files: list[UploadedFile] = field(default_factory=list)

    def file(self, name: str) -> UploadedFile:
        """The first uploaded file of the form field ``name`` (``image`` or ``image[]``)."""
        for upload in self.files:
            if upload.field in (name, f"{name}[]"):
                return upload
        raise KeyError(f"no file field {name!r}; got {[f.field for f in self.files]}")

    @property
    def params(self) -> dict[str, Any]:
        """The request's parameters, whichever encoding they came in (JSON or form fields)."""
        return dict(self.json) if isinstance(self.json, dict) else dict(self.fields)


@dataclass(frozen=True)
class Reply:
    """An answer: a status and a JSON body."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[OpenAIRequest], Reply]


def error_body(message: str, type_: str = "invalid_request_error", code: str | None = None) -> Any:
    """An error body shaped like the OpenAI API's, which the client turns into APIStatusError."""
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


class FakeOpenAI(LoopbackHTTPServer):
    """The fake server. Use it as a context manager; ``base_url`` ends in ``/v1``.

    Attributes:
        requests: every request received, in order.
        routes: (method, path) → handler; extend it for endpoints beyond images.
        image_color: the colour of the images it draws (solid, at the requested size).
        delay_s: how long each image takes to draw (a slow model, for tests that need a
            design step in progress).
    """

    def __init__(self, image_color: tuple[int, int, int] = (40, 160, 90)) -> None:
        self.requests: list[OpenAIRequest] = []
        self.image_color = image_color
        self.delay_s = 0.0
        self.routes: dict[tuple[str, str], Handler] = {
            ("POST", "/v1/images/generations"): self._image_reply,
            ("POST", "/v1/images/edits"): self._image_reply,
        }
        self._failures: deque[Reply] = deque()
        self._lock = threading.Lock()
        super().__init__(self._handler_class())
        self.base_url = f"{self.root_url}/v1"  # what the client takes as base_url

    def fail(
        self,
        status: int = 500,
        message: str = "The server had an error while processing your request.",
        *,
        times: int = 1,
        type_: str | None = None,
        code: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests (any route) with an OpenAI-shaped error."""
        kind = type_ or ("server_error" if status >= 500 else "invalid_request_error")
        reply = Reply(status, error_body(message, kind, code))
        with self._lock:
            self._failures.extend([reply] * times)

    # --- answering -------------------------------------------------------------------------------

    def _answer(self, request: OpenAIRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._failures:
                return self._failures.popleft()
            handler = self.routes.get((request.method, request.path.split("?")[0]))
        if handler is None:
            return Reply(404, error_body(f"Unknown request URL: {request.method} {request.path}"))
        return handler(request)

    def _image_reply(self, request: OpenAIRequest) -> Reply:
        """``{"created", "data": [{"b64_json"}]}`` with ``n`` solid images of the asked size."""
        time.sleep(self.delay_s)
        params = request.params
        size = _parse_size(str(params.get("size", "")))
        count = int(params.get("n") or 1)
        buf = io.BytesIO()
        Image.new("RGB", size, self.image_color).save(buf, format="PNG", compress_level=1)
        encoded = base64.b64encode(buf.getvalue()).decode("ascii")
        return Reply(200, {"created": int(time.time()), "data": [{"b64_json": encoded}] * count})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real API does

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = fake._answer(_parse_request(self.command, self.path, headers, body))
                payload = b"" if reply.body is None else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

        return RequestHandler


def _parse_request(method: str, path: str, headers: dict[str, str], body: bytes) -> OpenAIRequest:
    content_type = headers.get("content-type", "")
    if content_type.startswith("application/json") and body:
        return OpenAIRequest(method, path, headers, body, json=json.loads(body))
    if content_type.startswith("multipart/form-data"):
        fields, files = _parse_multipart(content_type, body)
        return OpenAIRequest(method, path, headers, body, fields=fields, files=files)
    return OpenAIRequest(method, path, headers, body)


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], list[UploadedFile]]:
    """Split a multipart/form-data body with the stdlib e-mail parser (``cgi`` is gone in 3.13)."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    assert isinstance(message, EmailMessage)
    fields: dict[str, str] = {}
    files: list[UploadedFile] = []
    for part in message.iter_parts():
        assert isinstance(part, EmailMessage)
        name = str(part.get_param("name", header="content-disposition") or "")
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        filename = part.get_filename()
        if filename is None:
            fields[name] = data.decode("utf-8")
        else:
            files.append(UploadedFile(name, filename, part.get_content_type(), data))
    return fields, files


def _parse_size(size: str) -> tuple[int, int]:
    """``"1536x1024"`` → (1536, 1024); anything else (``auto``, missing) → 1024×1024."""
    width, _, height = size.partition("x")
    if width.isdigit() and height.isdigit():
        return int(width), int(height)
    return DEFAULT_IMAGE_SIZE


class ScriptedChat:
    """A /v1/chat/completions handler answering from a script: each completion is either a
    tool call ``("tool_name", {args})`` or a text reply. Install with ``fake.routes[...] = chat``.
    """

    def __init__(self, *steps: str | tuple[str, dict[str, Any]]) -> None:
        self._steps = deque(steps)
        self._count = 0

    def __call__(self, request: OpenAIRequest) -> Reply:
        self._count += 1
        if not self._steps:
            return Reply(500, error_body("the script has no more replies", "server_error"))
        step = self._steps.popleft()
        if isinstance(step, str):
            message: dict[str, Any] = {"role": "assistant", "content": step}
            finish = "stop"
        else:
            name, args = step
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"call_{self._count}",
                        "type": "function",
                        "function": {"name": name, "arguments": json.dumps(args)},
                    }
                ],
            }
            finish = "tool_calls"
        return Reply(
            200,
            {
                "id": f"chatcmpl-{self._count}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": str(request.params.get("model", "")),
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            },
        )
