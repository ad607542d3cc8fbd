"""The diffusers engine on a tiny Stable Diffusion model built from configs (no download).

The model is real (saved with save_pretrained, loaded with StableDiffusionPipeline.from_pretrained)
and runs real txt2img and img2img; it is random, so it draws noise, fast.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import huggingface_hub.constants
import numpy as np
import pytest
from PIL import Image

from tests.support.design import decode
from tests.support.tiny_sd import build_tiny_sd
from tools.design.base import DesignError, DesignRequest
from tools.design.diffusers_engine import (
    DiffusersEngine,
    cached_pipelines,
    working_size,
)
from tools.products import get_product

STEPS = 3


@pytest.fixture(scope="module", autouse=True)
def offline() -> Iterator[None]:
    """No test here may reach the Hugging Face Hub.

    huggingface_hub reads HF_HUB_OFFLINE once, at import (long before this fixture), so the
    module constant it consults at request time is set along with the environment variable.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
        yield


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(build_tiny_sd(tmp_path_factory.mktemp("tiny-sd")))


@pytest.fixture
def engine(tiny_model: str) -> DiffusersEngine:
    return DiffusersEngine(tiny_model, steps=STEPS, device="cpu")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ref") / "reference.png"
    image = Image.new("RGB", (120, 80), (220, 30, 30))
    image.paste((30, 30, 220), (0, 0, 60, 40))
    image.save(path)
    return path


BASE_REQUEST = DesignRequest(
    order_id="ord-7",
    brief="a fox reading under the moon",
    product=get_product("mug"),
    seed=1234,
)


def request(**overrides: Any) -> DesignRequest:
    return replace(BASE_REQUEST, **overrides)


def test_txt2img_makes_a_print_size_png_and_reports_every_step(
    engine: DiffusersEngine, tiny_model: str
) -> None:
    calls: list[tuple[int, int]] = []
    product = get_product("mug")
    result = engine.generate(
        request(product=product), lambda done, total: calls.append((done, total))
    )

    image = decode(result)
    assert image.format == "PNG"
    assert image.size == product.size_px == (result.width, result.height)
    assert tuple(round(v) for v in image.info["dpi"]) == (product.dpi, product.dpi)
    assert (result.engine, result.model) == ("diffusers", tiny_model)
    assert calls == [(1, STEPS), (2, STEPS), (3, STEPS)]
    # Noise from a random model, but not a blank image.
    assert np.ptp(np.asarray(image.convert("L"))) > 20


def test_img2img_from_the_reference_runs_the_configured_steps(
    engine: DiffusersEngine, reference: Path, tmp_path: Path
) -> None:
    calls: list[tuple[int, int]] = []
    product = get_product("tshirt")
    result = engine.generate(
        request(product=product, reference_image=reference.read_bytes()),
        lambda done, total: calls.append((done, total)),
    )

    assert decode(result).size == product.size_px
    assert calls == [(1, STEPS), (2, STEPS), (3, STEPS)]
    # The reference really feeds the image: same prompt and seed, other reference → other image;
    # no reference → other image.
    other = tmp_path / "other.png"
    Image.new("RGB", (120, 80), (20, 200, 20)).save(other)
    from_other = engine.generate(request(product=product, reference_image=other.read_bytes()))
    text_only = engine.generate(request(product=product))
    assert len({result.png, from_other.png, text_only.png}) == 3


def test_same_seed_same_bytes_other_seed_other_image(engine: DiffusersEngine) -> None:
    first = engine.generate(request(seed=7)).png
    assert engine.generate(request(seed=7)).png == first
    assert engine.generate(request(seed=8)).png != first
    # The feedback is part of the prompt, so a revision draws something else.
    assert engine.generate(request(seed=7, feedback="more stars")).png != first


def test_pipeline_is_loaded_once_per_process_and_its_scheduler_never_used(
    engine: DiffusersEngine, tiny_model: str
) -> None:
    shared = engine.pipeline()
    engine.generate(request())
    another_engine = DiffusersEngine(tiny_model, steps=2, device="cpu")
    another_engine.generate(request())

    assert another_engine.pipeline() is shared
    assert cached_pipelines().count((tiny_model, "cpu")) == 1
    # Each request ran its own scheduler: the shared one was never set up for a run.
    assert shared.scheduler.num_inference_steps is None


def test_concurrent_requests_match_sequential_ones(tiny_model: str) -> None:
    # Different step counts on one shared model: a scheduler shared between requests would mix
    # their timesteps (DDIM steps by num_inference_steps), and the images would change.
    jobs = [
        (DiffusersEngine(tiny_model, steps=steps, device="cpu"), request(seed=steps))
        for steps in (2, 3, 4, 5)
    ]
    sequential = [engine.generate(req).png for engine, req in jobs]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        concurrent = list(pool.map(lambda job: job[0].generate(job[1]).png, jobs))
    assert concurrent == sequential


def test_missing_model_directory_raises_design_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    engine = DiffusersEngine(str(missing), steps=2, device="cpu")
    with pytest.raises(DesignError, match="cannot load the Stable Diffusion model") as caught:
        engine.generate(request())
    assert str(missing) in str(caught.value)
    assert (str(missing), "cpu") not in cached_pipelines()


def test_a_directory_that_is_no_model_raises_design_error(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("not a model")
    with pytest.raises(DesignError, match=r"model_index\.json"):
        DiffusersEngine(str(tmp_path), steps=2, device="cpu").generate(request())


@pytest.mark.parametrize(
    ("product_size", "side"),
    [((1500, 1800), 512), ((1700, 700), 512), ((900, 900), 512), ((1700, 700), 64)],
)
def test_working_size_keeps_area_and_aspect_in_multiples_of_8(
    product_size: tuple[int, int], side: int
) -> None:
    width, height = working_size(product_size, side)
    assert width % 8 == 0 and height % 8 == 0
    assert width * height == pytest.approx(side * side, rel=0.15)
    assert width / height == pytest.approx(product_size[0] / product_size[1], rel=0.12)
