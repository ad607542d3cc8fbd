"""The diffusers engine: Stable Diffusion, txt2img from the brief or img2img from the reference.

Loading a pipeline costs seconds (tens on a cold disk), so each (model, device) is loaded once
per process and shared by every engine and thread. What is not safe to share is made per request:

- the scheduler keeps per-run state (timesteps, step index), so each request runs a pipeline
  object of its own, built from the shared components with a fresh scheduler;
- the fast CLIP tokenizer switches its truncation/padding settings on every call, so two threads
  encoding prompts at once can get each other's settings (measured with 8 threads: ~1 % of calls
  came back untruncated, longer than the text encoder's 77 positions); prompts are encoded
  under a lock, which costs little next to the denoising.

Working size: the model's default area (``unet.sample_size × vae_scale_factor`` squared, 512² for
SD 1.5) reshaped to the product's aspect ratio, each side a multiple of 8. The model works at the
resolution it was trained at, for the same cost as its default size, and the LANCZOS upscale to
the print size does not distort the image (at most a few pixels of rounding are cropped).
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass, field
from typing import Any

import torch
from diffusers import StableDiffusionImg2ImgPipeline, StableDiffusionPipeline
from PIL import Image, ImageOps

from tools.design._png import print_result
from tools.design.base import (
    DesignError,
    DesignRequest,
    DesignResult,
    ProgressCallback,
    open_reference,
)
from tools.products import Product

logger = logging.getLogger(__name__)

IMG2IMG_STRENGTH = 0.75  # how far from the reference: keeps its composition, redraws the rest
GUIDANCE_SCALE = 7.5
SIZE_MULTIPLE = 8  # the SD pipelines reject heights and widths that are not multiples of 8


@dataclass
class _SharedPipeline:
    """A loaded pipeline and the lock that serializes its (non-thread-safe) tokenizer."""

    # Any, not StableDiffusionPipeline: diffusers registers a pipeline's components (unet,
    # scheduler, …) at runtime, so mypy sees none of the attributes this module uses.
    pipeline: Any
    encode_lock: threading.Lock = field(default_factory=threading.Lock)


_PIPELINES: dict[tuple[str, str], _SharedPipeline] = {}
# One lock for the cache: two requests that arrive together must not load the same model twice.
# Loads of different models also wait for each other, which is rare and saves memory spikes.
_PIPELINES_LOCK = threading.Lock()


def cached_pipelines() -> list[tuple[str, str]]:
    """The (model, device) pairs loaded in this process, in load order."""
    with _PIPELINES_LOCK:
        return list(_PIPELINES)


def default_device() -> str:
    """``cuda`` when a GPU is usable, else ``cpu``."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def _load(model: str, device: str) -> Any:
    # fp16 halves memory and roughly doubles speed on GPUs; CPUs have no fast fp16 kernels.
    dtype = torch.float16 if device.startswith("cuda") else torch.float32
    try:
        pipeline = StableDiffusionPipeline.from_pretrained(  # type: ignore[no-untyped-call]
            model, dtype=dtype, safety_checker=None, requires_safety_checker=False
        )
        pipeline = pipeline.to(device)
    except Exception as exc:  # from_pretrained raises OSError, ValueError, hub errors, …
        reason = str(exc).rstrip(". ")
        raise DesignError(
            f"cannot load the Stable Diffusion model {model!r} on {device}: {reason}. "
            "ATELIER_DESIGN_MODEL must name a local diffusers model directory "
            "(with model_index.json) or a hub id that is in the local cache or reachable."
        ) from exc
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def _shared_pipeline(model: str, device: str) -> _SharedPipeline:
    key = (model, device)
    with _PIPELINES_LOCK:
        shared = _PIPELINES.get(key)
        if shared is None:
            logger.info("loading Stable Diffusion model %s on %s", model, device)
            shared = _PIPELINES[key] = _SharedPipeline(_load(model, device))
        return shared


def working_size(product_size: tuple[int, int], default_side: int) -> tuple[int, int]:
    """The generation size: ``default_side²`` pixels in the product's aspect ratio, each side
    rounded to a multiple of 8 (at least 8)."""
    width, height = product_size
    scale = default_side / math.sqrt(width * height)

    def snap(side: float) -> int:
        return max(SIZE_MULTIPLE, round(side / SIZE_MULTIPLE) * SIZE_MULTIPLE)

    return snap(width * scale), snap(height * scale)


def product_working_size(pipeline: Any, product: Product) -> tuple[int, int]:
    """The size ``pipeline`` generates at for ``product`` (see ``working_size``)."""
    return working_size(
        product.size_px, pipeline.unet.config.sample_size * pipeline.vae_scale_factor
    )


class DiffusersEngine:
    """Stable Diffusion through diffusers: txt2img, or img2img when the order has a reference.

    Args:
        model: a local diffusers model directory or a hub id (loaded once per process).
        steps: denoising steps per design; img2img runs the same number of steps.
        device: ``cuda``, ``cpu``, …; None picks ``cuda`` (fp16) when available, else ``cpu``.
    """

    name = "diffusers"

    def __init__(self, model: str, steps: int, device: str | None = None) -> None:
        if steps < 1:
            raise ValueError(f"steps must be at least 1, not {steps}")
        self.model = model
        self.steps = steps
        self.device = device or default_device()

    def pipeline(self) -> Any:
        """The process-wide StableDiffusionPipeline for this engine's model and device, loaded
        on first use (typed Any for the reason given on ``_SharedPipeline``)."""
        return _shared_pipeline(self.model, self.device).pipeline

    def generate(
        self, request: DesignRequest, progress: ProgressCallback | None = None
    ) -> DesignResult:
        """Draw the design for ``request`` at the product's print size.

        Raises DesignError when the model cannot be loaded or the reference image cannot be read.
        """
        shared = _shared_pipeline(self.model, self.device)
        base = shared.pipeline
        size = product_working_size(base, request.product)
        reference = (
            _load_reference(request.reference_image, size) if request.reference_image else None
        )

        # Components are shared (no copies of the weights); the scheduler is this request's own.
        components: dict[str, Any] = {
            **base.components,
            "scheduler": base.scheduler.from_config(base.scheduler.config),
            "requires_safety_checker": False,
        }
        pipeline_class = (
            StableDiffusionPipeline if reference is None else StableDiffusionImg2ImgPipeline
        )
        # Built directly rather than with Pipeline.from_pipe: from_pipe ends with .to(dtype) on
        # the shared modules (float32 unless told otherwise), which would silently re-cast a
        # shared fp16 pipeline under other requests' feet, and logs a warning on every call.
        pipeline: Any = pipeline_class(**components)
        pipeline.set_progress_bar_config(disable=True)

        with torch.no_grad(), shared.encode_lock:
            prompt_embeds, negative_embeds = pipeline.encode_prompt(
                request.prompt,
                device=pipeline.device,
                num_images_per_prompt=1,
                do_classifier_free_guidance=GUIDANCE_SCALE > 1,
            )

        def on_step_end(
            pipe: Any, step: int, timestep: Any, callback_kwargs: dict[str, Any]
        ) -> dict[str, Any]:
            if progress is not None:
                progress(step + 1, pipe.num_timesteps)
            return callback_kwargs

        common: dict[str, Any] = {
            "prompt_embeds": prompt_embeds,
            "negative_prompt_embeds": negative_embeds,
            "guidance_scale": GUIDANCE_SCALE,
            # A CPU generator gives the same noise on every device: a seed means one design.
            "generator": torch.Generator().manual_seed(request.seed),
            "callback_on_step_end": on_step_end,
        }
        if reference is None:
            width, height = size
            output = pipeline(height=height, width=width, num_inference_steps=self.steps, **common)
        else:
            # img2img runs int(num_inference_steps × strength) steps; ask for enough that it
            # runs the configured number.
            output = pipeline(
                image=reference,
                strength=IMG2IMG_STRENGTH,
                num_inference_steps=math.ceil(self.steps / IMG2IMG_STRENGTH),
                **common,
            )
        image: Image.Image = output.images[0]
        return print_result(image, request.product, self.name, self.model)


def _load_reference(reference: bytes, size: tuple[int, int]) -> Image.Image:
    """The reference image padded (never distorted or cropped) to ``size`` on white."""
    image = open_reference(reference, size).convert("RGBA")
    contained = ImageOps.contain(image, size, method=Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", size, (255, 255, 255))
    canvas.paste(
        contained, ((size[0] - contained.width) // 2, (size[1] - contained.height) // 2), contained
    )
    return canvas
