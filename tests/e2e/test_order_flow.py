"""The customer flow over real HTTP against `atelier serve`: order, review, changes, approval,
on each storage backend (the local drive and Google Drive), with the same assertions on both."""

from __future__ import annotations

import io
import json
import uuid

import httpx
import openpyxl
import pytest
from PIL import Image

from server.schemas import ORDER_EXAMPLE
from tests.support.drive_view import BACKENDS, DriveView
from tests.support.http import wait_for_status
from tests.support.metrics import delta, scrape
from tests.support.server import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("drive_view", BACKENDS, indirect=True)]


def png(color: tuple[int, int, int] = (20, 120, 220), size: tuple[int, int] = (120, 80)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def test_order_to_approval_with_a_change_request(drive_view: DriveView, jane: httpx.Client) -> None:
    placed = jane.post("/orders", json=ORDER_EXAMPLE)  # the docs' example, as it stands
    assert placed.status_code == 202, placed.text
    order_id = placed.json()["id"]
    assert placed.headers["location"] == f"/orders/{order_id}"

    order = wait_for_status(jane, order_id, "awaiting_approval", "failed")
    assert order["status"] == "awaiting_approval", order["error"]
    assert order["current_step"] == "await_review"
    assert [v["version"] for v in order["design_versions"]] == [1]
    assert order["design_versions"][0]["engine"] == "layout"
    steps = {s["step"]: s for s in order["steps"]}
    for step in (
        "create_folder",
        "generate_design",
        "fill_workbook",
        "upload_files",
        "notify_review",
    ):
        assert steps[step]["status"] == "done"
        assert steps[step]["started_at"] <= steps[step]["finished_at"]
    folder = order["folder_path"]
    workbook_name = f"order-{order_id.replace('-', '')[:8]}.xlsx"
    assert drive_view.names(folder) == ["design-v1.png", workbook_name]
    with Image.open(io.BytesIO(drive_view.read(f"{folder}/design-v1.png"))) as design:
        assert design.size == (1500, 1800)  # the t-shirt print area at 150 dpi

    changes = jane.post(
        f"/orders/{order_id}/approve", json={"approved": False, "feedback": "Make the fox orange"}
    )
    assert changes.status_code == 200, changes.text
    order = wait_for_status(jane, order_id, "awaiting_approval", "failed")
    assert [v["version"] for v in order["design_versions"]] == [1, 2]
    assert order["design_versions"][0]["decision"] == "changes_requested"
    assert order["design_versions"][0]["feedback"] == "Make the fox orange"
    assert drive_view.names(folder) == ["design-v1.png", "design-v2.png", workbook_name]

    approved = jane.post(f"/orders/{order_id}/approve", json={"approved": True})
    assert approved.status_code == 200, approved.text
    order = wait_for_status(jane, order_id, "completed", "failed")
    assert order["status"] == "completed", order["error"]
    assert order["design_versions"][1]["decision"] == "approved"

    assert drive_view.names(folder) == ["design-v1.png", "design-v2.png", workbook_name]
    book = openpyxl.load_workbook(io.BytesIO(drive_view.read(f"{folder}/{workbook_name}")))
    assert "Versions" in book.sheetnames
    versions = list(book["Versions"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in versions] == [1, 2]
    order_cells = [v for row in book["Order"].iter_rows(values_only=True) for v in row]
    assert "approved" in order_cells

    session = jane.get(f"/sessions/{order['session_id']}")
    assert session.status_code == 200
    body = session.json()
    assert body["order_id"] == order_id and body["next"] == []
    assert body["state"]["version"] == 2 and body["state"]["decision"] == "approved"
    assert len(body["history"]) >= 10
    # State holds references and small metadata only, never image bytes.
    assert len(json.dumps(body["state"])) < 2000
    assert body["state"]["design_file"] == "design-v2.png"


def test_multipart_order_with_reference_image(drive_view: DriveView, jane: httpx.Client) -> None:
    response = jane.post(
        "/orders",
        data={"order": json.dumps({**ORDER_EXAMPLE, "product": "sticker"})},
        files={"image": ("whatever.txt", png((250, 10, 10)), "text/plain")},
    )
    assert response.status_code == 202, response.text
    order = wait_for_status(jane, response.json()["id"], "awaiting_approval", "failed")
    assert order["has_reference_image"] is True
    design_path = f"{order['folder_path']}/design-v1.png"
    with Image.open(io.BytesIO(drive_view.read(design_path))) as design:
        assert design.size == (900, 900)
        colors = design.convert("RGB").getcolors(maxcolors=1_000_000) or []
    # The reference image's red shows in the design.
    assert any(c[1] == (250, 10, 10) and c[0] > 1000 for c in colors)


def count_orders(client: httpx.Client) -> int:
    return int(client.get("/orders").json()["total"])


@pytest.mark.parametrize(
    ("image", "status", "message"),
    [
        (b"GIF89a" + b"\0" * 100, 422, "not an image"),
        (png()[:60], 422, "damaged or truncated"),
        (b"%PDF-1.4 not an image", 422, "not an image"),
        (b"\x89PNG" + b"\0" * (10 * 1024 * 1024 + 10), 413, "limit is 10 MB"),
    ],
    ids=["gif-bytes", "truncated", "pdf", "too-big"],
)
def test_bad_images_create_no_order(
    server: ServerProcess, jane: httpx.Client, image: bytes, status: int, message: str
) -> None:
    before = count_orders(jane)
    response = jane.post(
        "/orders",
        data={"order": json.dumps(ORDER_EXAMPLE)},
        files={"image": ("photo.png", image, "image/png")},
    )
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]
    assert count_orders(jane) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ORDER_EXAMPLE, "colour": "red"}, "colour"),
        ({k: v for k, v in ORDER_EXAMPLE.items() if k != "brief"}, "brief"),
        ({**ORDER_EXAMPLE, "quantity": "twelve"}, "quantity"),
        ({**ORDER_EXAMPLE, "product": "spaceship"}, "product"),
        ({**ORDER_EXAMPLE, "customer": {"name": "Jane", "email": "not-an-email"}}, "email"),
    ],
    ids=["unknown-field", "missing-brief", "wrong-type", "unknown-product", "bad-email"],
)
def test_invalid_orders_get_422_naming_the_field(
    jane: httpx.Client, body: dict[str, object], field: str
) -> None:
    before = count_orders(jane)
    response = jane.post("/orders", json=body)
    assert response.status_code == 422
    assert any(field in [str(p) for p in error["loc"]] for error in response.json()["detail"])
    assert count_orders(jane) == before


def test_idempotency_key_returns_the_same_order(jane: httpx.Client) -> None:
    headers = {"Idempotency-Key": "storefront-cart-4711"}
    first = jane.post("/orders", json=ORDER_EXAMPLE, headers=headers)
    second = jane.post("/orders", json=ORDER_EXAMPLE, headers=headers)
    assert first.status_code == 202 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]


def test_customers_see_only_their_own_orders(
    jane: httpx.Client, bob: httpx.Client, operator: httpx.Client, server: ServerProcess
) -> None:
    order_id = jane.post("/orders", json=ORDER_EXAMPLE).json()["id"]
    order = wait_for_status(jane, order_id, "awaiting_approval", "failed")
    assert bob.get(f"/orders/{order_id}").status_code == 404
    assert bob.post(f"/orders/{order_id}/approve", json={"approved": True}).status_code == 404
    assert bob.get(f"/sessions/{order['session_id']}").status_code == 404
    assert order_id not in [o["id"] for o in bob.get("/orders").json()["items"]]
    assert operator.get(f"/orders/{order_id}").status_code == 200
    listed = operator.get("/orders", params={"status": "awaiting_approval", "limit": 100}).json()
    assert order_id in [o["id"] for o in listed["items"]]
    assert all(o["status"] == "awaiting_approval" for o in listed["items"])
    assert httpx.get(f"{server.url}/orders/{order_id}").status_code == 401
    bad = httpx.get(f"{server.url}/orders", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401


def test_conflicts_and_roles_on_review_and_retry(
    jane: httpx.Client, operator: httpx.Client
) -> None:
    order_id = jane.post("/orders", json=ORDER_EXAMPLE).json()["id"]
    wait_for_status(jane, order_id, "awaiting_approval", "failed")
    assert jane.post(f"/orders/{order_id}/retry").status_code == 403
    retry = operator.post(f"/orders/{order_id}/retry")
    assert retry.status_code == 409 and "awaiting_approval" in retry.json()["detail"]
    missing_feedback = jane.post(f"/orders/{order_id}/approve", json={"approved": False})
    assert missing_feedback.status_code == 422
    assert jane.post(f"/orders/{order_id}/approve", json={"approved": True}).status_code == 200
    wait_for_status(jane, order_id, "completed")
    again = jane.post(f"/orders/{order_id}/approve", json={"approved": True})
    assert again.status_code == 409 and "completed" in again.json()["detail"]


def test_health_and_openapi(server: ServerProcess) -> None:
    assert httpx.get(f"{server.url}/health").json() == {"status": "ok", "database": "ok"}
    spec = httpx.get(f"{server.url}/openapi.json").json()
    body = spec["paths"]["/orders"]["post"]["requestBody"]["content"]
    assert body["application/json"]["example"] == ORDER_EXAMPLE
    assert "multipart/form-data" in body


def test_multipart_without_the_order_part_is_a_422(jane: httpx.Client) -> None:
    before = count_orders(jane)
    response = jane.post("/orders", files={"image": ("ref.png", png(), "image/png")})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "order"]
    unsupported = jane.post("/orders", content=b"order", headers={"Content-Type": "text/plain"})
    assert unsupported.status_code == 415
    assert count_orders(jane) == before


def log_entries(server: ServerProcess) -> list[dict[str, object]]:
    return [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]


def test_request_ids_reach_the_logs_of_the_run(server: ServerProcess, jane: httpx.Client) -> None:
    placed = jane.post("/orders", json=ORDER_EXAMPLE, headers={"X-Request-ID": "req-e2e-42"})
    assert placed.headers["x-request-id"] == "req-e2e-42"
    order_id = placed.json()["id"]
    wait_for_status(jane, order_id, "awaiting_approval", "failed")
    generated = jane.get(f"/orders/{order_id}").headers["x-request-id"]
    assert len(generated) == 32 and generated != "req-e2e-42"

    entries = log_entries(server)  # not a terminal: one JSON object per line
    tagged = [e for e in entries if e.get("request_id") == "req-e2e-42"]
    access = [e for e in tagged if e["logger"] == "atelier.access"]
    assert access and access[0]["message"] == "POST /orders 202" and access[0]["status"] == 202
    # The pipeline ran in a worker thread, and its tools' log lines still carry the id.
    notified = [e for e in tagged if e["logger"] == "tools.notify.log_channel"]
    assert len(notified) == 2
    assert all(e["order_id"] == order_id and e.get("session_id") for e in notified)


def test_metrics_move_by_the_right_amounts(server: ServerProcess, jane: httpx.Client) -> None:
    before = scrape(server.url)
    order_id = jane.post("/orders", json=ORDER_EXAMPLE).json()["id"]
    wait_for_status(jane, order_id, "awaiting_approval")
    assert jane.get(f"/orders/{uuid.uuid4()}").status_code == 404
    after = scrape(server.url)

    def moved(name: str, **labels: str) -> float:
        return delta(before, after, name, **labels)

    assert moved("atelier_http_requests_total", method="POST", route="/orders", status="202") == 1
    assert (
        moved(
            "atelier_http_request_duration_seconds_count",
            method="POST",
            route="/orders",
            status="202",
        )
        == 1
    )
    assert moved("atelier_http_errors_total", route="/orders/{order_id}", status="404") == 1
    for step in (
        "create_folder",
        "generate_design",
        "fill_workbook",
        "upload_files",
        "notify_review",
    ):
        assert moved("atelier_pipeline_step_duration_seconds_count", step=step, outcome="ok") == 1
    assert moved("atelier_pipeline_runs_total", outcome="awaiting_approval") == 1
    assert moved("atelier_design_generation_seconds_count", engine="layout") == 1
    assert moved("atelier_orders", status="awaiting_approval") == 1
    names = {name for name, _ in after}
    assert {
        "process_resident_memory_bytes",
        "process_open_fds",
        "process_cpu_seconds_total",
    } <= names
