"""The outermost layer: every answer, a 500 and a 413 included, carries the request id, its
timing and the security headers; a 500 names the request id and nothing of the error."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI

from server.http_security import BodySizeLimit
from server.request_context import RequestContext


def app() -> FastAPI:
    made = FastAPI()

    @made.get("/fails")
    def fails() -> None:
        raise RuntimeError("jane@example.com broke it")

    @made.post("/echo")
    def echo(body: dict[str, str]) -> dict[str, str]:
        return body

    made.add_middleware(BodySizeLimit, max_bytes=100)
    made.add_middleware(RequestContext)
    return made


def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app(), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://atelier")


def assert_full_headers(response: httpx.Response) -> None:
    assert response.headers["X-Request-ID"]
    assert response.headers["Server-Timing"].startswith("app;dur=")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.asyncio
async def test_an_unhandled_error_is_a_500_with_every_header(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with client() as http:
        with caplog.at_level(logging.ERROR):
            response = await http.get("/fails", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert_full_headers(response)
    assert response.headers["X-Request-ID"] == "req-42"
    assert response.json() == {
        "detail": "internal error; quote request id req-42 when you report it"
    }
    assert any(r.exc_info for r in caplog.records)  # logged, with its traceback


@pytest.mark.asyncio
async def test_a_413_from_the_body_cap_has_every_header() -> None:
    async with client() as http:
        response = await http.post("/echo", json={"text": "x" * 500})
    assert response.status_code == 413
    assert_full_headers(response)


@pytest.mark.asyncio
async def test_answers_that_succeed_have_them_too() -> None:
    async with client() as http:
        response = await http.post("/echo", json={"text": "hi"})
    assert response.status_code == 200 and response.json() == {"text": "hi"}
    assert_full_headers(response)
