"""Choose the design engine the settings ask for."""

from __future__ import annotations

from settings import Settings
from tools.design.base import DesignEngine
from tools.design.layout import LayoutEngine

DEFAULT_OPENAI_IMAGE_MODEL = "gpt-image-1"


def make_design_engine(settings: Settings) -> DesignEngine:
    """``layout`` (default), ``diffusers`` (with the OpenAI fallback unless disabled) or ``openai``.

    The generative engines are imported only when chosen: importing torch and diffusers costs
    seconds that the default engine should not pay.
    """
    if settings.design_engine == "layout":
        return LayoutEngine()
    from tools.design.openai_engine import OpenAIImageEngine

    if settings.design_engine == "openai":
        return OpenAIImageEngine(model=settings.design_model or DEFAULT_OPENAI_IMAGE_MODEL)
    if not settings.design_model:
        raise ValueError(
            "ATELIER_DESIGN_ENGINE=diffusers needs ATELIER_DESIGN_MODEL: a local model "
            "directory or a hub id"
        )
    from tools.design.diffusers_engine import DiffusersEngine
    from tools.design.fallback import FallbackEngine

    engine = DiffusersEngine(model=settings.design_model, steps=settings.design_steps)
    if settings.design_fallback == "openai":
        return FallbackEngine(engine, OpenAIImageEngine(model=DEFAULT_OPENAI_IMAGE_MODEL))
    return engine
