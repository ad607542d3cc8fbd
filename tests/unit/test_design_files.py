"""The design image service's pure parts (tools/design_files.py): If-None-Match matching,
the render cache's LRU and byte budget, and what ``render`` makes. The endpoints themselves,
with the database and authorization, are tested over HTTP in tests/e2e/test_design_images.py."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tools.design_files import (
    PREVIEW_FORMAT,
    PREVIEW_LONG_SIDE,
    PROOF_LONG_SIDE,
    DesignKind,
    ImageSize,
    RenderCache,
    etag_matches,
    render,
)
from tools.products import get_product
from tools.proofs import COLOURS, proof_layout


@pytest.mark.parametrize(
    ("header", "etag", "matches"),
    [
        (None, '"abc"', False),
        ("", '"abc"', False),
        ('"abc"', '"abc"', True),
        ('"abd"', '"abc"', False),
        ('W/"abc"', '"abc"', True),  # weak comparison, as for GET
        ('"abc"', 'W/"abc"', True),
        ('"x", W/"abc" , "y"', 'W/"abc"', True),
        ('"x", "y"', 'W/"abc"', False),
        ("*", '"abc"', True),
        ("abc", '"abc"', False),  # an unquoted tag is not the same tag
    ],
)
def test_if_none_match(header: str | None, etag: str, matches: bool) -> None:
    assert etag_matches(header, etag) is matches


def test_the_cache_drops_the_least_recently_used_beyond_its_budget() -> None:
    cache = RenderCache(max_bytes=10)
    cache.put("a", b"aaaa")
    cache.put("b", b"bbbb")
    assert cache.get("a") == b"aaaa"  # a is now the most recently used
    cache.put("c", b"cccc")  # 12 bytes: b goes
    assert cache.get("b") is None
    assert cache.get("a") == b"aaaa" and cache.get("c") == b"cccc"
    assert len(cache) == 2


def test_the_cache_replaces_a_key_and_skips_what_cannot_fit() -> None:
    cache = RenderCache(max_bytes=10)
    cache.put("a", b"aaaa")
    cache.put("a", b"aaaaaaaa")  # counted once, not 12 bytes
    cache.put("b", b"bb")
    assert cache.get("a") == b"aaaaaaaa" and cache.get("b") == b"bb"
    cache.put("huge", b"x" * 11)
    assert cache.get("huge") is None and len(cache) == 2


def print_file(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (255, 0, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_preview_is_small_and_keeps_the_aspect_ratio() -> None:
    product = get_product("tshirt")
    content = render(
        print_file(product.size_px),
        DesignKind.PRINT,
        ImageSize.PREVIEW,
        product,
        COLOURS["navy"],
        PREVIEW_FORMAT,
    )
    with Image.open(io.BytesIO(content)) as preview:
        assert preview.format == PREVIEW_FORMAT
        assert max(preview.size) == PREVIEW_LONG_SIDE
        assert abs(preview.width / preview.height - 1500 / 1800) < 0.01


@pytest.mark.parametrize(
    ("size", "long_side", "image_format"),
    [(ImageSize.FULL, PROOF_LONG_SIDE, "PNG"), (ImageSize.PREVIEW, PREVIEW_LONG_SIDE, "WEBP")],
)
def test_a_proof_is_the_layouts_size(size: ImageSize, long_side: int, image_format: str) -> None:
    product = get_product("mug")
    content = render(
        print_file(product.size_px), DesignKind.PROOF, size, product, (0, 0, 0), image_format
    )
    with Image.open(io.BytesIO(content)) as proof:
        assert proof.format == image_format
        assert proof.size == proof_layout(product, long_side).size
