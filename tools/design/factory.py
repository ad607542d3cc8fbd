"""Choose the design engine the settings ask for."""

from __future__ import annotations

from settings import Settings
from tools.design.base import DesignEngine
from tools.design.layout import LayoutEngine

DEFAULT_OPENAI_IMAGE_MODEL = "gpt-image-1"


def make_design_engine(settings: Settings) -> DesignEngine:
    """The engine for ``settings.design_engine``.

    - ``layout`` (default): the Pillow renderer, no model.
    - ``diffusers``: Stable Diffusion from ``design_model`` (required) with ``design_steps``,
      wrapped in a fallback to OpenAI images unless ``design_fallback`` is ``none``.
    - ``openai``: OpenAI images with ``design_model`` (default ``gpt-image-1``).

    Raises ValueError when ``diffusers`` is chosen without a model. Nothing is loaded here:
    models load on the first design, so start-up stays fast and needs no GPU or API key.
    """
    if settings.design_engine == "layout":
        return LayoutEngine()
    # Imported only when chosen: torch and diffusers take seconds to import, which the default
    # engine should not pay.
    from tools.design.openai_engine import OpenAIImageEngine

    if settings.design_engine == "openai":
        return OpenAIImageEngine(model=settings.design_model or DEFAULT_OPENAI_IMAGE_MODEL)
    if not settings.design_model:
        raise ValueError(
            "ATELIER_DESIGN_ENGINE=diffusers needs ATELIER_DESIGN_MODEL: a local diffusers model "
            "directory or a hub id (e.g. stable-diffusion-v1-5/stable-diffusion-v1-5)"
        )
    from tools.design.diffusers_engine import DiffusersEngine
    from tools.design.fallback import FallbackEngine

    engine = DiffusersEngine(model=settings.design_model, steps=settings.design_steps)
    if settings.design_fallback == "openai":
        # design_model names the diffusers model here, so the fallback uses the default one.
        return FallbackEngine(engine, OpenAIImageEngine(model=DEFAULT_OPENAI_IMAGE_MODEL))
    return engine
