"""The fallback engine and the engine factory, with real engines on both sides."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import huggingface_hub.constants
import openai
import pytest

from settings import Settings
from tests.support.fake_openai import FakeOpenAI
from tools.design.base import DesignError, DesignRequest, DesignResult, ProgressCallback
from tools.design.diffusers_engine import DiffusersEngine
from tools.design.factory import make_design_engine
from tools.design.fallback import FallbackEngine
from tools.design.layout import LayoutEngine
from tools.design.openai_engine import OpenAIImageEngine
from tools.products import get_product


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Diffusers loads here must fail locally, never by asking the Hugging Face Hub.

    huggingface_hub reads HF_HUB_OFFLINE at import, so its module constant is set as well.
    """
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def openai_engine(fake: FakeOpenAI) -> OpenAIImageEngine:
    return OpenAIImageEngine(
        client=openai.OpenAI(base_url=fake.base_url, api_key="test", max_retries=0)
    )


def request() -> DesignRequest:
    return DesignRequest(order_id="ord-5", brief="a fox", product=get_product("sticker"))


class Crashing:
    """An engine with a bug: raises something other than DesignError."""

    name = "crashing"

    def generate(
        self, request: DesignRequest, progress: ProgressCallback | None = None
    ) -> DesignResult:
        raise ZeroDivisionError("division by zero in the primary")


def test_missing_diffusers_model_falls_back_to_openai(
    fake: FakeOpenAI,
    openai_engine: OpenAIImageEngine,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    diffusers = DiffusersEngine(str(tmp_path / "no-such-model"), steps=2, device="cpu")
    engine = FallbackEngine(diffusers, openai_engine)

    with caplog.at_level(logging.WARNING, logger="tools.design.fallback"):
        result = engine.generate(request())

    assert (result.engine, result.model) == ("openai", "gpt-image-1")
    assert (result.width, result.height) == get_product("sticker").size_px
    assert [r.path for r in fake.requests] == ["/v1/images/generations"]
    [record] = [r for r in caplog.records if r.name == "tools.design.fallback"]
    assert record.levelno == logging.WARNING
    assert "diffusers failed for order ord-5" in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], DesignError)


def test_an_unexpected_primary_exception_also_falls_back_logged_as_error(
    openai_engine: OpenAIImageEngine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="tools.design.fallback"):
        result = FallbackEngine(Crashing(), openai_engine).generate(request())

    assert result.engine == "openai"
    [record] = [r for r in caplog.records if r.name == "tools.design.fallback"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None and isinstance(record.exc_info[1], ZeroDivisionError)


def test_a_working_primary_is_used_and_the_fallback_never_called(
    fake: FakeOpenAI, openai_engine: OpenAIImageEngine
) -> None:
    engine = FallbackEngine(LayoutEngine(), openai_engine)
    assert engine.generate(request()).engine == "layout"
    assert fake.requests == []
    assert engine.name == "layout+openai"


def test_when_both_fail_the_error_names_both(
    fake: FakeOpenAI, openai_engine: OpenAIImageEngine, tmp_path: Path
) -> None:
    fake.fail(500, "images are down")
    diffusers = DiffusersEngine(str(tmp_path / "no-such-model"), steps=2, device="cpu")
    with pytest.raises(DesignError, match=r"diffusers failed .*no-such-model") as caught:
        FallbackEngine(diffusers, openai_engine).generate(request())
    assert "fallback openai failed too" in str(caught.value)
    assert "images are down" in str(caught.value)


# --- factory -------------------------------------------------------------------------------------


def settings(**values: Any) -> Settings:
    """Settings from ``values`` only: no .env file (the process environment still applies)."""
    return Settings(**{"_env_file": None, **values})


def test_factory_default_is_the_layout_engine() -> None:
    assert isinstance(make_design_engine(settings()), LayoutEngine)


def test_factory_openai_uses_design_model_or_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Built without any OpenAI credentials: the client is made on first use.
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    default = make_design_engine(settings(design_engine="openai"))
    assert isinstance(default, OpenAIImageEngine) and default.model == "gpt-image-1"
    chosen = make_design_engine(settings(design_engine="openai", design_model="dall-e-3"))
    assert isinstance(chosen, OpenAIImageEngine) and chosen.model == "dall-e-3"


def test_factory_diffusers_needs_a_model() -> None:
    with pytest.raises(ValueError, match="ATELIER_DESIGN_MODEL"):
        make_design_engine(settings(design_engine="diffusers"))


def test_factory_diffusers_with_and_without_the_openai_fallback(tmp_path: Path) -> None:
    model = str(tmp_path / "sd")
    wrapped = make_design_engine(
        settings(design_engine="diffusers", design_model=model, design_steps=12)
    )
    assert isinstance(wrapped, FallbackEngine)
    assert isinstance(wrapped.primary, DiffusersEngine)
    assert (wrapped.primary.model, wrapped.primary.steps) == (model, 12)
    assert isinstance(wrapped.fallback, OpenAIImageEngine)
    assert wrapped.fallback.model == "gpt-image-1"

    alone = make_design_engine(
        settings(design_engine="diffusers", design_model=model, design_fallback="none")
    )
    assert isinstance(alone, DiffusersEngine)


def test_factory_engine_falls_back_end_to_end(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Configured only through settings and the standard OpenAI variables, as in production."""
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    engine = make_design_engine(
        settings(design_engine="diffusers", design_model=str(tmp_path / "missing"))
    )
    result = engine.generate(request())
    assert result.engine == "openai"
    assert fake.requests[0].json["prompt"] == "a fox"
