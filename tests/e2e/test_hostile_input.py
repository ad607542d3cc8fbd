"""Hostile input, a class at a time, at every door it can come through, over real HTTP:
unsafe characters in every text a caller can send (JSON bodies, the multipart order, query
strings, forms, headers), numbers that are not finite or not in range, bodies that are not
UTF-8, damaged images of every accepted format, and oversized options. Each is a 4xx that
quotes nothing back, writes nothing, and leaves no 500 or traceback in the server's log."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from server.schemas import ORDER_EXAMPLE
from tests.support.server import ServerProcess, client_for
from tools.access import Role

pytestmark = pytest.mark.slow

MARK = "<<HOSTILE>>"  # stands where the hostile character goes, then is looked for in answers
# Each as it is written inside a JSON string.
UNSAFE_JSON = {
    "NUL": "\\u0000",
    "unpaired surrogate": "\\ud800",
    "escape": "\\u001b",
    "C1 control": "\\u0085",
    "DEL": "\\u007f",
    "carriage return": "\\r",
}
# Each as it is written in a query string or a form.
UNSAFE_QUERY = {"NUL": "%00", "escape": "%1B", "C1 control": "%C2%85", "DEL": "%7F"}
ANY_ORDER = "00000000-0000-4000-8000-000000000000"

# Every JSON body that takes text: (path, body with MARK in one field) per text field.
JSON_TEXT_FIELDS: list[tuple[str, dict[str, Any]]] = [
    ("/orders", {**ORDER_EXAMPLE, "customer": {**ORDER_EXAMPLE["customer"], "name": MARK}}),
    ("/orders", {**ORDER_EXAMPLE, "customer": {"name": "J", "email": f"j{MARK}@example.com"}}),
    ("/orders", {**ORDER_EXAMPLE, "customer": {**ORDER_EXAMPLE["customer"], "phone": MARK}}),
    ("/orders", {**ORDER_EXAMPLE, "brief": f"a fox {MARK}"}),
    ("/orders", {**ORDER_EXAMPLE, "options": {"size": MARK}}),
    ("/orders", {**ORDER_EXAMPLE, "options": {MARK: "M"}}),
    ("/orders", {**ORDER_EXAMPLE, "product": MARK}),
    (f"/orders/{ANY_ORDER}/approve", {"approved": False, "feedback": MARK}),
    ("/admin/commands", {"command": f"list the sheets {MARK}"}),
    ("/admin/sheets", {"template": MARK, "title": "T"}),
    ("/admin/sheets", {"template": "Invoice", "title": MARK}),
    ("/admin/sheets", {"template": "Invoice", "title": "T", "folder": MARK}),
    ("/admin/summary", {"title": MARK}),
    ("/admin/summary", {"folder": MARK}),
    ("/auth/api-keys", {"name": MARK, "role": "customer"}),
    ("/auth/revoke", {"token": MARK}),
]
QUERY_TEXT_FIELDS = [
    "/orders?customer=",
    "/admin/sheets?name_contains=",
    "/admin/sheets?folder=",
    "/admin/files?folder=",
    "/admin/files?name_contains=",
    "/admin/audit?subject=",
    "/admin/audit?action=",
    "/admin/audit?request_id=",
]
# Every JSON body, with a value that JSON's grammar lacks or Python reads as infinite.
NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400"]
JSON_BODIES: list[tuple[str, str]] = [
    ("/orders", json.dumps({**ORDER_EXAMPLE, "quantity": MARK})),
    (f"/orders/{ANY_ORDER}/approve", json.dumps({"approved": MARK})),
    (f"/orders/{ANY_ORDER}/approve", json.dumps({"approved": False, "feedback": MARK})),
    ("/admin/commands", json.dumps({"command": MARK})),
    ("/admin/sheets", json.dumps({"template": "Invoice", "title": MARK})),
    ("/admin/summary", json.dumps({"start": MARK})),
    ("/auth/api-keys", json.dumps({"name": "k", "role": "customer", "expires_in_days": MARK})),
    ("/auth/revoke", json.dumps({"token": MARK})),
]
TOO_BIG = "9" * 30  # beyond PostgreSQL's bigint
QUERY_NUMBERS = [
    "/orders?offset=",
    "/orders?limit=",
    "/admin/sheets?limit=",
    "/admin/audit?offset=",
    "/admin/audit?limit=",
]


@pytest.fixture(scope="module")
def admin(server: ServerProcess) -> Iterator[httpx.Client]:
    with client_for(server, "ada", Role.ADMIN) as client:
        yield client


def order_count(admin: httpx.Client) -> int:
    return int(admin.get("/orders").json()["total"])


def assert_refused(response: httpx.Response, *, quoting: str = MARK) -> None:
    """A 4xx with a readable JSON answer that does not echo the input, and the headers every
    answer carries."""
    assert 400 <= response.status_code < 500, response.text
    detail = response.json()["detail"]
    assert detail
    assert quoting not in response.text
    if isinstance(detail, list):  # validation errors: where and what, never the value
        assert all(set(error) == {"type", "loc", "msg"} for error in detail), detail
    assert response.headers["X-Request-ID"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def assert_no_server_error(server: ServerProcess) -> None:
    log = server.log()
    assert "Traceback" not in log and "unhandled error" not in log
    assert '"status": 500' not in log


@pytest.mark.parametrize("char", list(UNSAFE_JSON), ids=list(UNSAFE_JSON))
def test_unsafe_characters_in_json_text_are_refused(
    server: ServerProcess, admin: httpx.Client, char: str
) -> None:
    before = order_count(admin)
    for path, body in JSON_TEXT_FIELDS:
        raw = json.dumps(body).replace(MARK, f"x{UNSAFE_JSON[char]}y")
        response = admin.post(path, content=raw, headers={"Content-Type": "application/json"})
        assert_refused(response)
        assert response.status_code == 422, (path, body, response.text)
        if path == "/orders" and "product" not in body:
            assert any("must not contain" in e["msg"] for e in response.json()["detail"]), (
                response.text
            )
    assert order_count(admin) == before
    assert_no_server_error(server)


def test_unsafe_characters_in_the_multipart_order_are_refused(
    server: ServerProcess, admin: httpx.Client
) -> None:
    before = order_count(admin)
    for char in UNSAFE_JSON.values():
        raw = json.dumps({**ORDER_EXAMPLE, "brief": MARK}).replace(MARK, f"x{char}y")
        assert_refused(admin.post("/orders", files={"order": (None, raw)}))
    assert order_count(admin) == before
    assert_no_server_error(server)


@pytest.mark.parametrize("char", list(UNSAFE_QUERY), ids=list(UNSAFE_QUERY))
def test_unsafe_characters_in_queries_forms_and_headers_are_refused(
    server: ServerProcess, admin: httpx.Client, char: str
) -> None:
    encoded = UNSAFE_QUERY[char]
    for prefix in QUERY_TEXT_FIELDS:
        response = admin.get(f"{prefix}a{encoded}b")
        assert response.status_code == 422, (prefix, response.text)
        assert_refused(response)
    sign_in = admin.post(
        "/auth/token",
        content=f"username=a{encoded}b&password=secret-password",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert sign_in.status_code == 422, sign_in.text
    assert_refused(sign_in)
    assert_no_server_error(server)


def test_control_characters_in_the_idempotency_key_are_refused(
    server: ServerProcess, admin: httpx.Client
) -> None:
    before = order_count(admin)
    # HTTP lets a header carry bytes 0x80-0xFF (read as Latin-1): \x85 is a C1 control there.
    response = admin.post("/orders", json=ORDER_EXAMPLE, headers={"Idempotency-Key": b"k\x85"})
    assert response.status_code == 422, response.text
    assert_refused(response)
    assert order_count(admin) == before


@pytest.mark.parametrize("value", NON_FINITE)
def test_non_finite_numbers_in_any_json_body_are_refused(
    server: ServerProcess, admin: httpx.Client, value: str
) -> None:
    before = order_count(admin)
    for path, template in JSON_BODIES:
        raw = template.replace(f'"{MARK}"', value)
        response = admin.post(path, content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, (path, raw, response.text)
        assert_refused(response)
    assert order_count(admin) == before
    assert_no_server_error(server)


def test_numbers_out_of_range_are_refused(server: ServerProcess, admin: httpx.Client) -> None:
    for prefix in QUERY_NUMBERS:
        for value in (TOO_BIG, "-1", "1e3", "NaN"):
            response = admin.get(f"{prefix}{value}")
            assert response.status_code == 422, (prefix, value, response.text)
            assert_refused(response, quoting=TOO_BIG)
    too_many = admin.post("/orders", json={**ORDER_EXAMPLE, "quantity": int(TOO_BIG)})
    assert too_many.status_code == 422
    assert_no_server_error(server)


def test_bodies_that_are_not_utf8_are_refused(server: ServerProcess, admin: httpx.Client) -> None:
    before = order_count(admin)
    secret = "jane.doe.invalid-utf8@example.com"
    for path, template in [*JSON_BODIES, ("/orders", json.dumps(ORDER_EXAMPLE))]:
        raw = template.replace("jane@example.com", secret).encode().replace(b"M", b"\xff\xfe")
        raw = raw.replace(f'"{MARK}"'.encode(), b'"\xc3\x28"')
        response = admin.post(path, content=raw, headers={"Content-Type": "application/json"})
        assert response.status_code in (400, 422), (path, response.text)
        assert_refused(response, quoting=secret)
    # Latin-1's é, a lone byte where UTF-8 needs two, in the order part sent as a file.
    # (Starlette reads a multipart text part that is not UTF-8 as Latin-1: valid text.)
    raw = json.dumps({**ORDER_EXAMPLE, "brief": "cafe"}).encode().replace(b"cafe", b"caf\xe9")
    sent_as_file = admin.post("/orders", files={"order": ("order.json", raw, "application/json")})
    assert sent_as_file.status_code == 422, sent_as_file.text
    assert_refused(sent_as_file)
    assert order_count(admin) == before
    assert secret not in server.log()
    assert_no_server_error(server)


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((160, 120), 60).convert("RGB").save(buffer, format=fmt)
    return buffer.getvalue()


def damaged(data: bytes) -> dict[str, bytes]:
    return {
        "header only": data[:80],
        "half": data[: len(data) // 2],
        "last byte cut": data[:-1],
        "end cut": data[:-12],
        "header then noise": data[:40] + bytes(range(256)) * 8,
    }


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_damaged_images_of_every_format_leave_no_order_and_no_file(
    server: ServerProcess, admin: httpx.Client, fmt: str
) -> None:
    uploads = server.data_dir / "uploads"
    files_before = set(uploads.iterdir()) if uploads.exists() else set()
    before = order_count(admin)
    for what, data in damaged(image(fmt)).items():
        response = admin.post(
            "/orders",
            data={"order": json.dumps(ORDER_EXAMPLE)},
            files={"image": ("photo", data, "application/octet-stream")},
        )
        assert response.status_code == 422, (fmt, what, response.text)
        assert_refused(response)
    assert order_count(admin) == before
    assert (set(uploads.iterdir()) if uploads.exists() else set()) == files_before
    whole = admin.post(
        "/orders",
        data={"order": json.dumps(ORDER_EXAMPLE)},
        files={"image": ("photo", image(fmt), "application/octet-stream")},
    )
    assert whole.status_code == 202, whole.text


@pytest.mark.parametrize(
    "options",
    [
        {f"option{i}": "x" for i in range(21)},
        {"o" * 41: "x"},
        {"size": "x" * 201},
        {"": "x"},
    ],
    ids=["21 options", "long name", "long value", "empty name"],
)
def test_options_are_capped(
    server: ServerProcess, admin: httpx.Client, options: dict[str, str]
) -> None:
    before = order_count(admin)
    response = admin.post("/orders", json={**ORDER_EXAMPLE, "options": options})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][:2] == ["body", "options"]
    assert "x" * 201 not in response.text
    assert order_count(admin) == before


def test_a_refused_order_quotes_no_personal_data(admin: httpx.Client) -> None:
    """The 422 says where and what, never the value sent (here: a customer's e-mail)."""
    email = f"jane.{uuid.uuid4().hex}@example"  # no dot after the @: not an address
    response = admin.post(
        "/orders", json={**ORDER_EXAMPLE, "customer": {"name": "J", "email": email}}
    )
    assert response.status_code == 422
    assert email not in response.text
    assert response.json()["detail"][0]["loc"] == ["body", "customer", "email"]
