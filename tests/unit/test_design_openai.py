"""The OpenAI images engine, with the real openai client, against a local fake of the API."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import openai
import pytest
from PIL import Image

from tests.support.design import decode
from tests.support.fake_openai import FakeOpenAI, OpenAIRequest, Reply
from tools.design.base import DesignError, DesignRequest
from tools.design.openai_engine import OpenAIImageEngine, request_size
from tools.products import get_product


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(image_color=(40, 160, 90)) as server:
        yield server


@pytest.fixture
def client(fake: FakeOpenAI) -> openai.OpenAI:
    # No retries: a test of a failure should see the failure, not wait out the client's backoff.
    return openai.OpenAI(base_url=fake.base_url, api_key="test", max_retries=0)


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    path = tmp_path / "reference.jpg"
    Image.new("RGB", (300, 200), (200, 40, 40)).save(path, quality=95)
    return path


BASE_REQUEST = DesignRequest(
    order_id="ord-9",
    brief="A fox reading a book under a crescent moon",
    product=get_product("mug"),
)


def request(**overrides: Any) -> DesignRequest:
    return replace(BASE_REQUEST, **overrides)


def test_text_brief_calls_images_generate_and_fills_the_print_area(
    fake: FakeOpenAI, client: openai.OpenAI
) -> None:
    calls: list[tuple[int, int]] = []
    product = get_product("mug")
    result = OpenAIImageEngine(client=client).generate(
        request(product=product, feedback="make the moon bigger"),
        lambda done, total: calls.append((done, total)),
    )

    [sent] = fake.requests
    assert (sent.method, sent.path) == ("POST", "/v1/images/generations")
    assert sent.headers["authorization"] == "Bearer test"
    assert sent.json == {
        "model": "gpt-image-1",
        "prompt": "A fox reading a book under a crescent moon. "
        "Revision requested: make the moon bigger",
        "size": "1536x1024",  # the landscape size: closest to the mug's 17:7
        "n": 1,
    }
    image = decode(result)
    assert image.size == product.size_px == (result.width, result.height)
    assert tuple(round(v) for v in image.info["dpi"]) == (product.dpi, product.dpi)
    assert image.convert("RGB").getpixel((850, 350)) == (40, 160, 90)  # the server's image
    assert (result.engine, result.model) == ("openai", "gpt-image-1")
    assert calls == [(1, 1)]


def test_reference_image_goes_to_images_edit_as_a_png_upload(
    fake: FakeOpenAI, client: openai.OpenAI, reference: Path
) -> None:
    product = get_product("poster")
    result = OpenAIImageEngine("gpt-image-1", client).generate(
        request(product=product, reference_image=reference.read_bytes())
    )

    [sent] = fake.requests
    assert (sent.method, sent.path) == ("POST", "/v1/images/edits")
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert sent.fields["model"] == "gpt-image-1"
    assert sent.fields["prompt"] == "A fox reading a book under a crescent moon"
    assert sent.fields["size"] == "1024x1536"  # portrait, like the poster
    upload = sent.file("image")
    assert (upload.filename, upload.content_type) == ("reference.png", "image/png")
    with Image.open(io.BytesIO(upload.data)) as uploaded:
        assert (uploaded.format, uploaded.size) == ("PNG", (300, 200))
        assert uploaded.convert("RGB").getpixel((150, 100)) == pytest.approx((200, 40, 40), abs=3)
    assert decode(result).size == product.size_px


def test_a_huge_reference_is_shrunk_before_upload(
    fake: FakeOpenAI, client: openai.OpenAI, tmp_path: Path
) -> None:
    big = tmp_path / "big.png"
    Image.new("RGB", (4000, 2000), (10, 10, 10)).save(big)
    OpenAIImageEngine(client=client).generate(request(reference_image=big.read_bytes()))
    with Image.open(io.BytesIO(fake.requests[0].file("image").data)) as uploaded:
        assert uploaded.size == (1536, 768)


def test_dall_e_is_asked_for_base64_at_a_size_it_supports(
    fake: FakeOpenAI, client: openai.OpenAI
) -> None:
    result = OpenAIImageEngine("dall-e-2", client).generate(request())
    assert fake.requests[0].json["response_format"] == "b64_json"
    assert fake.requests[0].json["size"] == "1024x1024"
    assert result.model == "dall-e-2"


@pytest.mark.parametrize(
    ("status", "message"),
    [(400, "Your request was rejected by the safety system"), (500, "The server had an error")],
)
def test_api_errors_become_design_errors(
    fake: FakeOpenAI, client: openai.OpenAI, status: int, message: str
) -> None:
    fake.fail(status, message)
    with pytest.raises(DesignError, match=f"{status}.*{message}") as caught:
        OpenAIImageEngine(client=client).generate(request())
    assert isinstance(caught.value.__cause__, openai.APIStatusError)


def test_edit_errors_name_the_edit(
    fake: FakeOpenAI, client: openai.OpenAI, reference: Path
) -> None:
    fake.fail(400, "Invalid image")
    with pytest.raises(DesignError, match="OpenAI image edit with gpt-image-1 failed"):
        OpenAIImageEngine(client=client).generate(request(reference_image=reference.read_bytes()))


def test_unreachable_server_is_a_design_error() -> None:
    with FakeOpenAI() as closed:
        base_url = closed.base_url
    client = openai.OpenAI(base_url=base_url, api_key="test", max_retries=0, timeout=5)
    with pytest.raises(DesignError, match="Connection error"):
        OpenAIImageEngine(client=client).generate(request())


def test_a_response_without_base64_is_a_design_error(
    fake: FakeOpenAI, client: openai.OpenAI
) -> None:
    def url_only(received: OpenAIRequest) -> Reply:
        return Reply(200, {"created": 0, "data": [{"url": "https://example.invalid/x.png"}]})

    fake.routes["POST", "/v1/images/generations"] = url_only
    with pytest.raises(DesignError, match="no base64 image"):
        OpenAIImageEngine(client=client).generate(request())


def test_client_comes_from_the_standard_environment(
    fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    result = OpenAIImageEngine().generate(request())
    assert fake.requests[0].headers["authorization"] == "Bearer from-env"
    assert result.engine == "openai"


def test_missing_api_key_is_a_design_error_on_use_not_at_construction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_ADMIN_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    engine = OpenAIImageEngine()  # a process that never draws with it needs no key
    with pytest.raises(DesignError, match="OPENAI_API_KEY"):
        engine.generate(request())


@pytest.mark.parametrize(
    ("model", "product", "size"),
    [
        ("gpt-image-1", "mug", "1536x1024"),
        ("gpt-image-1", "poster", "1024x1536"),
        ("gpt-image-1", "hoodie", "1024x1024"),
        ("gpt-image-1", "tshirt", "1024x1024"),
        ("dall-e-3", "mug", "1792x1024"),
        ("dall-e-2", "poster", "1024x1024"),
    ],
)
def test_request_size_is_the_closest_aspect_the_model_supports(
    model: str, product: str, size: str
) -> None:
    assert request_size(model, get_product(product)) == size
