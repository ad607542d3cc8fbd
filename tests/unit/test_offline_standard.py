"""LangChain's standard chat-model suites, run against the offline interpreter.

Both suites run: the unit suite (construction, bind_tools, LangSmith params) and the integration
suite, which calls the model for real. That is cheap here: the model is offline and
deterministic, so "integration" means invoke/stream/batch/async, tool calling, tool-choice
forcing, tool-message histories, usage metadata and an agent loop, all in-process.

What does not run, and why:
- tests of features the interpreter does not have would skip themselves (driven by the
  ``supports_*`` properties below, each commented). ``make test`` runs no skipped tests, so they
  are deselected at collection instead, each with its reason in NOT_APPLICABLE (tests/conftest.py
  does the deselecting and prints the reasons);
- the suite forbids overriding a standard test unless it is marked xfail with a reason, so the
  tests the interpreter cannot pass are overridden as xfail, each with a comment and a reason.
"""

from __future__ import annotations

from typing import Any, Literal

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.unit_tests import ChatModelUnitTests

from agent.offline import OfflineChatModel

NOT_APPLICABLE = {
    "test_init_from_env": "the model reads no environment variables (no API key, no endpoint)",
    "test_serdes": "the model is deliberately not serializable: it holds no settings to restore",
    "test_json_mode": "JSON mode means free-form JSON answers, which an interpreter cannot write",
    "test_pdf_inputs": "commands are text; PDF blocks are not read",
    "test_audio_inputs": "commands are text; audio blocks are not read",
    "test_image_inputs": "commands are text; image blocks are not read",
    "test_image_tool_message": "tool results are read as text; image blocks are not read",
    "test_pdf_tool_message": "tool results are read as text; PDF blocks are not read",
    "test_stream_time": "VCR cassettes replay HTTP traffic; the offline model makes none",
}

# Structured output of arbitrary schemas means writing free-form content (the suite asks for a
# joke with a setup and a punchline). An interpreter cannot author that; the variants that would
# pass only do so because the suite checks the result's type and keys, not what is in them.
STRUCTURED_REASON = (
    "an interpreter cannot author free-form values (a joke) for arbitrary output schemas"
)


class _OfflineModelSettings:
    """What both suites need to know about the model under test."""

    @property
    def chat_model_class(self) -> type[OfflineChatModel]:
        return OfflineChatModel

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {}

    # Commands are text. Image, audio, video and PDF blocks are ignored rather than read, so the
    # model does not claim them (the suite skips those tests itself).
    @property
    def supports_image_inputs(self) -> bool:
        return False

    @property
    def supports_image_urls(self) -> bool:
        return False

    @property
    def supports_audio_inputs(self) -> bool:
        return False

    @property
    def supports_video_inputs(self) -> bool:
        return False

    @property
    def supports_pdf_inputs(self) -> bool:
        return False

    @property
    def supports_image_tool_message(self) -> bool:
        return False

    @property
    def supports_pdf_tool_message(self) -> bool:
        return False

    # JSON mode means free-form JSON answers, which an interpreter cannot write (the suite skips
    # test_json_mode itself).
    @property
    def supports_json_mode(self) -> bool:
        return False

    # Anthropic-style content (text/tool_use/thinking blocks, Anthropic tool dicts) is read: the
    # text blocks are the command, the rest is ignored. Worth testing, so it is claimed.
    @property
    def supports_anthropic_inputs(self) -> bool:
        return True

    # A per-call ``model=...`` is reported back in response_metadata["model_name"].
    @property
    def model_override_value(self) -> str:
        return "atelier-offline-pinned"

    # No HTTP calls to record, so the VCR benchmark (test_stream_time) has nothing to replay
    # (the suite skips it itself).
    @property
    def enable_vcr_tests(self) -> bool:
        return False


class TestOfflineChatModelUnit(_OfflineModelSettings, ChatModelUnitTests):
    """The unit suite: construction, bind_tools, with_structured_output wiring, LangSmith.

    Two tests skip themselves, with the suite's own reason strings:
    - test_init_from_env ("init_from_env_params not specified."): the model reads no
      environment variables (no key, no endpoint), so there is nothing to check;
    - test_serdes ("Model is not serializable."): the model holds no endpoint or secret, so it
      is deliberately not LangChain-serializable; there is nothing to restore (and the test
      would need a committed syrupy snapshot).
    """


@pytest.mark.anyio  # runs the suite's async tests; sync tests ignore the mark
class TestOfflineChatModelIntegration(_OfflineModelSettings, ChatModelIntegrationTests):
    """The integration suite, calling the model for real (offline, deterministic, fast).

    The suite only allows an overridden standard test when it is marked xfail with a reason;
    the overrides below are exactly the tests the interpreter cannot pass. Tests for inputs it
    does not read (images, audio, PDF), JSON mode and VCR skip themselves (see the properties).
    """

    @pytest.fixture
    def anyio_backend(self) -> str:
        return "asyncio"

    # The suite binds a runnable-as-tool and asks to "generate a Pirate greeting", expecting the
    # model to invent the free-form argument answer_style="pirate". The interpreter fills
    # arguments only from what the command states (quoted text, numbers, name=value pairs).
    @pytest.mark.xfail(
        reason="an interpreter cannot invent a free-form argument (answer_style)", strict=True
    )
    def test_bind_runnables_as_tools(self, model: BaseChatModel) -> None:
        super().test_bind_runnables_as_tools(model)

    # Not run (run=False): the pydantic variant fails and the dict variants would pass only
    # vacuously (the suite checks keys, and an empty dict has no wrong keys).
    @pytest.mark.xfail(reason=STRUCTURED_REASON, run=False)
    @pytest.mark.parametrize("schema_type", ["pydantic", "typeddict", "json_schema"])
    def test_structured_output(
        self,
        model: BaseChatModel,
        schema_type: Literal["pydantic", "typeddict", "json_schema"],
    ) -> None:
        super().test_structured_output(model, schema_type)

    @pytest.mark.xfail(reason=STRUCTURED_REASON, run=False)
    @pytest.mark.parametrize("schema_type", ["pydantic", "typeddict", "json_schema"])
    async def test_structured_output_async(
        self,
        model: BaseChatModel,
        schema_type: Literal["pydantic", "typeddict", "json_schema"],
    ) -> None:
        await super().test_structured_output_async(model, schema_type)

    @pytest.mark.xfail(reason=STRUCTURED_REASON, strict=True)
    def test_structured_output_pydantic_2_v1(self, model: BaseChatModel) -> None:
        super().test_structured_output_pydantic_2_v1(model)

    # Not run: it would pass only by accident (the "setup" filled with the rest of the sentence
    # after the word "joke", which the suite does not look at).
    @pytest.mark.xfail(reason=STRUCTURED_REASON, run=False)
    def test_structured_output_optional_param(self, model: BaseChatModel) -> None:
        super().test_structured_output_optional_param(model)
