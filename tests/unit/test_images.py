"""Reference-image checks: type by content, size and pixel limits, damaged files."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from server.images import ImageRejected, ImageTooLarge, check_image


def encode(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else 1).save(buf, format=fmt)
    return buf.getvalue()


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_accepts_png_jpeg_webp(fmt: str, ext: str) -> None:
    checked = check_image(encode(fmt))
    assert (checked.extension, checked.width, checked.height) == (ext, 64, 48)


def test_type_comes_from_content_not_name() -> None:
    with pytest.raises(ImageRejected, match="GIF"):
        check_image(encode("GIF"))
    with pytest.raises(ImageRejected, match="not an image"):
        check_image(b"%PDF-1.7 this is not a picture")


def test_empty_truncated_and_oversized_files_are_refused() -> None:
    with pytest.raises(ImageRejected, match="empty"):
        check_image(b"")
    png = encode("PNG", (300, 300))
    with pytest.raises(ImageRejected, match="damaged or truncated"):
        check_image(png[: len(png) // 2])
    with pytest.raises(ImageTooLarge, match="limit is 10 MB"):
        check_image(b"\x89PNG" + b"\0" * (10 * 1024 * 1024))


def test_pixel_limit_and_decompression_bombs() -> None:
    # 8000×6000 = 48 MP of one colour compresses to a few kB: a small file, a huge bitmap.
    bomb = encode("PNG", (8000, 6000), mode="1")
    assert len(bomb) < 100_000
    with pytest.raises(ImageTooLarge) as info:
        check_image(bomb)
    assert info.value.status_code == 413
    # Past Pillow's own bomb limit (2 × 89 MP) the open itself refuses; still a clear 413.
    with pytest.raises(ImageTooLarge, match=r"decompression bomb|limit is 40 MP"):
        check_image(encode("PNG", (15000, 15000), mode="1"))


@pytest.mark.parametrize(
    ("fmt", "name", "media_type"),
    [("PNG", "reference.png", "image/png"), ("JPEG", "reference.jpg", "image/jpeg")],
)
def test_a_checked_image_is_named_and_typed_by_its_content(
    fmt: str, name: str, media_type: str
) -> None:
    checked = check_image(encode(fmt))
    assert (checked.name, checked.media_type) == (name, media_type)
