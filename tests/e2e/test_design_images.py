"""Design images over real HTTP against `atelier serve`, on each storage backend: the print
file as kept, previews, proofs in the ordered colour, ETag revalidation, and who may see them
(as GET /orders/{id}: the owner and staff; someone else's order is not found)."""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from server.schemas import ORDER_EXAMPLE
from tests.support.drive_view import BACKENDS, DriveView
from tests.support.http import wait_for_status
from tests.support.server import ServerProcess, client_for
from tools.access import Role
from tools.products import get_product
from tools.proofs import COLOURS, proof_layout

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("drive_view", BACKENDS, indirect=True)]

# Every image of design version 1: (path suffix, query), for the checks they all share.
VARIANTS = [
    ("", {}),
    ("", {"size": "preview"}),
    ("/proof", {}),
    ("/proof", {"size": "preview"}),
]


def place(client: httpx.Client, **changes: Any) -> dict[str, Any]:
    """An order placed by ``client`` (the docs' example with ``changes``), awaiting approval."""
    placed = client.post("/orders", json={**ORDER_EXAMPLE, **changes})
    assert placed.status_code == 202, placed.text
    order = wait_for_status(client, placed.json()["id"], "awaiting_approval", "failed")
    assert order["status"] == "awaiting_approval", order["error"]
    return order


@pytest.fixture(scope="module")
def order(server: ServerProcess) -> dict[str, Any]:
    """Jane's navy t-shirt (ORDER_EXAMPLE), its design v1 awaiting approval."""
    with client_for(server, "jane", Role.CUSTOMER) as jane:
        return place(jane)


def decode(response: httpx.Response) -> Image.Image:
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


def url(order: dict[str, Any], version: int | str = 1, suffix: str = "") -> str:
    return f"/orders/{order['id']}/designs/{version}{suffix}"


def test_the_print_file_is_the_design_as_kept(
    drive_view: DriveView, jane: httpx.Client, order: dict[str, Any]
) -> None:
    [v1] = order["design_versions"]
    response = jane.get(url(order))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert hashlib.sha256(response.content).hexdigest() == v1["sha256"]
    assert response.headers["etag"] == f'"{v1["sha256"]}"'
    assert response.headers["cache-control"] == "private, max-age=86400"
    assert "Authorization" in response.headers["vary"]
    assert 'filename="order-' in response.headers["content-disposition"]
    with decode(response) as design:
        assert design.size == (v1["width"], v1["height"]) == (1500, 1800)
        assert design.info["dpi"] == pytest.approx((150, 150), abs=0.1)
    # The very file the order's folder holds on the storage backend.
    assert response.content == drive_view.read(f"{order['folder_path']}/design-v1.png")


def test_the_preview_is_small(jane: httpx.Client, order: dict[str, Any]) -> None:
    full = decode(jane.get(url(order)))
    response = jane.get(url(order), params={"size": "preview"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] in ("image/webp", "image/png")
    assert response.headers["cache-control"].startswith("private, max-age=")
    assert len(response.content) < 60_000
    with decode(response) as preview:
        assert max(preview.size) == 320
        assert preview.width / preview.height == pytest.approx(full.width / full.height, abs=0.01)
        # It is the design, made small: the same picture, within a little blur.
        small = np.asarray(full.convert("RGB").resize(preview.size, Image.Resampling.BOX))
        assert np.abs(np.asarray(preview.convert("RGB")).astype(int) - small).mean() < 8


def test_the_proof_shows_the_design_on_a_navy_tshirt(
    jane: httpx.Client, order: dict[str, Any]
) -> None:
    design = decode(jane.get(url(order))).convert("RGB")
    response = jane.get(url(order, suffix="/proof"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    layout = proof_layout(get_product("tshirt"), 1200)
    with decode(response) as proof:
        assert proof.size == layout.size
        pixels = np.asarray(proof.convert("RGB")).astype(int)
    left, top, right, bottom = layout.print_box
    # The product is bigger than its print area, and its body is the ordered navy.
    assert proof.width > right - left and proof.height > bottom - top
    navy = np.all(pixels == COLOURS["navy"], axis=-1)
    assert navy.sum() > 0.2 * navy.size
    assert not navy[top:bottom, left:right].any()
    # The design, at scale, in the print area.
    placed = pixels[top:bottom, left:right]
    expected = np.asarray(design.resize((right - left, bottom - top), Image.Resampling.BOX))
    assert np.abs(placed - expected.astype(int)).mean() < 8

    preview = jane.get(url(order, suffix="/proof"), params={"size": "preview"})
    assert preview.status_code == 200, preview.text
    assert preview.headers["content-type"] in ("image/webp", "image/png")
    with decode(preview) as small:
        assert max(small.size) == 320
        assert small.size == proof_layout(get_product("tshirt"), 320).size


@pytest.mark.parametrize(("suffix", "params"), VARIANTS)
def test_etags_are_revalidated_with_a_304(
    jane: httpx.Client, order: dict[str, Any], suffix: str, params: dict[str, str]
) -> None:
    first = jane.get(url(order, suffix=suffix), params=params)
    assert first.status_code == 200, first.text
    etag = first.headers["etag"]
    again = jane.get(url(order, suffix=suffix), params=params)
    assert again.headers["etag"] == etag and again.content == first.content
    cached = jane.get(url(order, suffix=suffix), params=params, headers={"If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["etag"] == etag
    assert cached.headers["cache-control"] == first.headers["cache-control"]
    stale = jane.get(
        url(order, suffix=suffix), params=params, headers={"If-None-Match": '"not-this-one"'}
    )
    assert stale.status_code == 200 and stale.content == first.content


def test_each_image_has_its_own_etag(jane: httpx.Client, order: dict[str, Any]) -> None:
    etags = {jane.get(url(order, suffix=s), params=p).headers["etag"] for s, p in VARIANTS}
    assert len(etags) == len(VARIANTS)


def test_staff_see_every_order_with_a_token_or_an_api_key(
    operator: httpx.Client, admin: httpx.Client, server: ServerProcess, order: dict[str, Any]
) -> None:
    for staff in (operator, admin):
        for suffix, params in VARIANTS:
            response = staff.get(url(order, suffix=suffix), params=params)
            assert response.status_code == 200, response.text
    made = admin.post("/auth/api-keys", json={"name": "print-shop", "role": "operator"})
    assert made.status_code == 201, made.text
    with httpx.Client(
        base_url=server.url, headers={"X-API-Key": made.json()["key"]}, timeout=30
    ) as service:
        response = service.get(url(order, suffix="/proof"))
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "image/png"


def test_others_and_strangers_see_nothing(
    bob: httpx.Client, server: ServerProcess, order: dict[str, Any]
) -> None:
    for suffix, params in VARIANTS:
        response = bob.get(url(order, suffix=suffix), params=params)
        assert response.status_code == 404, response.text
        assert response.json()["detail"] == f"order {order['id']} not found"
        assert "etag" not in response.headers
    with httpx.Client(base_url=server.url, timeout=30) as anonymous:
        for suffix, params in VARIANTS:
            response = anonymous.get(url(order, suffix=suffix), params=params)
            assert response.status_code == 401, response.text
            assert "authentication required" in response.json()["detail"]
    # Even with the right ETag, someone else's order is not found (a 304 would tell it exists).
    etag = bob.get(url(order)).headers.get("etag")
    assert etag is None
    with client_for(server, "jane", Role.CUSTOMER) as jane:
        jane_etag = jane.get(url(order)).headers["etag"]
    sneaky = bob.get(url(order), headers={"If-None-Match": jane_etag})
    assert sneaky.status_code == 404


@pytest.mark.parametrize("version", ["0", "-1", "abc", "1.5", str(2**31)])
def test_bad_versions_are_refused_clearly(
    jane: httpx.Client, order: dict[str, Any], version: str
) -> None:
    for suffix in ("", "/proof"):
        response = jane.get(url(order, version, suffix))
        assert response.status_code == 422, response.text
        [error] = response.json()["detail"]
        assert error["loc"] == ["path", "version"]


def test_unknown_versions_orders_and_sizes(jane: httpx.Client, order: dict[str, Any]) -> None:
    for suffix in ("", "/proof"):
        missing = jane.get(url(order, 2, suffix))
        assert missing.status_code == 404, missing.text
        assert missing.json()["detail"] == (
            f"order {order['id']} has no design version 2; it has 1"
        )
    unknown = {"id": str(uuid.uuid4())}
    response = jane.get(url(unknown))
    assert response.status_code == 404
    assert response.json()["detail"] == f"order {unknown['id']} not found"
    assert jane.get(url({"id": "not-an-order"})).status_code == 422
    huge = jane.get(url(order), params={"size": "huge"})
    assert huge.status_code == 422
    assert huge.json()["detail"][0]["loc"] == ["query", "size"]


def test_a_new_version_gets_new_images_and_the_old_ones_stay(jane: httpx.Client) -> None:
    mug = place(jane, product="mug", options={"color": "red"})
    v1 = jane.get(url(mug))
    v1_proof = jane.get(url(mug, suffix="/proof"))
    with decode(v1_proof) as proof:
        assert proof.size == proof_layout(get_product("mug"), 1200).size
        red = np.all(np.asarray(proof.convert("RGB")) == COLOURS["red"], axis=-1)
        assert red.sum() > 0.1 * red.size  # the mug is the red the order asked for

    changes = jane.post(
        f"/orders/{mug['id']}/approve", json={"approved": False, "feedback": "Bigger letters"}
    )
    assert changes.status_code == 200, changes.text
    mug = wait_for_status(jane, mug["id"], "awaiting_approval", "failed")
    assert [v["version"] for v in mug["design_versions"]] == [1, 2]

    v2 = jane.get(url(mug, 2))
    assert v2.status_code == 200, v2.text
    assert hashlib.sha256(v2.content).hexdigest() == mug["design_versions"][1]["sha256"]
    assert v2.headers["etag"] != v1.headers["etag"]
    assert v2.content != v1.content
    v2_proof = jane.get(url(mug, 2, "/proof"))
    assert v2_proof.headers["etag"] != v1_proof.headers["etag"]
    # Version 1 is what it was: same bytes, and the copy a browser holds is still current.
    assert jane.get(url(mug)).content == v1.content
    held = jane.get(url(mug), headers={"If-None-Match": v1.headers["etag"]})
    assert held.status_code == 304
