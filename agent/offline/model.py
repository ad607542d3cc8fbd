"""The offline chat model: a deterministic command interpreter behind LangChain's chat-model API.

``OfflineChatModel`` is what the admin agent runs when no hosted model is configured
(``ATELIER_LLM=offline``). It supports ``bind_tools`` and emits real tool calls, so
``create_agent`` drives it exactly like a hosted model, and it streams its replies word by word.

Per turn it either interprets the last human message (:func:`agent.offline.intents.interpret`)
or, when that message's tool calls have been answered, writes the final reply from the results
(:func:`agent.offline.replies.write_reply`). Tool results are only ever summarised: text inside
a ToolMessage never leads to a tool call, whatever it says.

What a reply is, it says in fields any chat model has: a refusal carries its text in
``additional_kwargs["refusal"]`` (where LangChain's OpenAI models put a refusal), a question ends
with a question mark, and anything else is an answer. Binding it to tools checks the phrasebook
against their schemas (:mod:`agent.offline.schema_check`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.base import LangSmithParams
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolCall,
    ToolMessage,
)
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr

from agent.offline.calls import Interpretation, PreviousCall, ToolSchema
from agent.offline.intents import interpret
from agent.offline.replies import ToolResult, choice_pending, parse_content, write_reply
from agent.offline.schema_check import check_bound_tools
from agent.offline.text import detect_injection
from agent.tool_schemas import output_schema_of

__all__ = ["MODEL_NAME", "OfflineChatModel", "today_from_messages"]

MODEL_NAME = "atelier-offline"
# Where a clarifying question keeps the call it is waiting to complete, and where a call made
# in place of another keeps what to say about it (response_metadata is the interpreter's own:
# it is not sent to hosted providers, so a conversation can switch models safely).
PENDING_KEY = "atelier_pending"
NOTE_KEY = "atelier_note"
# The standard field for a refusal (langchain-openai fills it from OpenAI's ``refusal``).
REFUSAL = "refusal"
_TODAY_RE = re.compile(r"\bToday is (\d{4}-\d{2}-\d{2})\b")
_INJECTION_NOTE = "I ignored the part of your message that asked me to change my rules."


def today_from_messages(messages: Sequence[BaseMessage], default: date | None = None) -> date:
    """The date in a system message's "Today is YYYY-MM-DD." line, else ``default``, else
    today in UTC. The agent's prompt states the date so replies are reproducible."""
    for message in messages:
        if isinstance(message, SystemMessage):
            match = _TODAY_RE.search(message.text)
            if match:
                try:
                    return date.fromisoformat(match.group(1))
                except ValueError:
                    continue
    return default or datetime.now(UTC).date()


def _words(text: str) -> int:
    return len(text.split())


def _tool_choice(choice: Any) -> str | None:
    """tool_choice in any of LangChain's spellings, as "any", a tool name, "none" or None."""
    if choice is None or choice is False or choice == "auto":
        return None
    if choice is True or choice in ("any", "required"):
        return "any"
    if isinstance(choice, Mapping):
        function = choice.get("function") or {}
        name = function.get("name") or choice.get("name")
        return str(name) if name else "any"
    return str(choice)


def _schemas(tools: Sequence[Any] | None) -> dict[str, ToolSchema]:
    schemas: dict[str, ToolSchema] = {}
    for tool in tools or ():
        schema = ToolSchema.from_openai(convert_to_openai_tool(tool))
        schemas[schema.name] = schema
    return schemas


def _last_human(messages: Sequence[BaseMessage]) -> int | None:
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return index
    return None


def _previous_call(messages: Sequence[BaseMessage], last_human: int) -> PreviousCall | None:
    """What the human turn before ``last_human`` led to: its first tool call, or the call a
    clarifying question was waiting to complete."""
    earlier = _last_human(messages[:last_human])
    if earlier is None:
        return None
    turn = messages[earlier + 1 : last_human]
    final = next((m for m in reversed(turn) if isinstance(m, AIMessage)), None)
    pending = final.response_metadata.get(PENDING_KEY) if final is not None else None
    if isinstance(pending, Mapping) and pending.get("tool"):
        asks = pending.get("asks")
        return PreviousCall(
            tool=str(pending["tool"]),
            args=dict(pending.get("args") or {}),
            pending=True,
            asks=str(asks) if asks else None,
            choices=tuple(str(c) for c in pending.get("choices") or ()),
        )
    for message in turn:
        if isinstance(message, AIMessage) and message.tool_calls:
            call = message.tool_calls[0]
            return PreviousCall(tool=call["name"], args=dict(call["args"]))
    return None


def _pending(call: PreviousCall) -> dict[str, Any]:
    """A call waiting for an answer, as kept in the question's response_metadata."""
    kept: dict[str, Any] = {"tool": call.tool, "args": dict(call.args)}
    if call.asks:
        kept["asks"] = call.asks
    if call.choices:
        kept["choices"] = list(call.choices)
    return kept


def _notes(turn: Sequence[BaseMessage]) -> list[str]:
    """What this turn's calls said they would say before their results."""
    return [
        str(m.response_metadata[NOTE_KEY])
        for m in turn
        if isinstance(m, AIMessage) and m.response_metadata.get(NOTE_KEY)
    ]


def _results(turn: Sequence[BaseMessage]) -> list[ToolResult]:
    """The tool results answering this turn's calls, in call order."""
    calls: dict[str, ToolCall] = {}
    for message in turn:
        if isinstance(message, AIMessage):
            calls.update({c["id"]: c for c in message.tool_calls if c["id"] is not None})
    results = []
    for message in turn:
        if isinstance(message, ToolMessage):
            call = calls.get(message.tool_call_id)
            results.append(
                ToolResult(
                    tool=call["name"] if call else (message.name or "the tool"),
                    args=dict(call["args"]) if call else {},
                    content=parse_content(message.content),
                    error=message.status == "error",
                )
            )
    return results


def _call_id(messages: Sequence[BaseMessage], index: int) -> str:
    """A tool-call id derived from the conversation, so the same input gives the same id."""
    digest = hashlib.sha256()
    for message in messages:
        digest.update(message.type.encode())
        digest.update(message.text.encode())
        digest.update(b"\x00")
    digest.update(str(index).encode())
    return "call_" + digest.hexdigest()[:24]


def _truncate(text: str, stop: Sequence[str] | None) -> str:
    """The text up to the first stop sequence, as hosted models do."""
    for sequence in stop or ():
        if sequence and sequence in text:
            text = text[: text.index(sequence)]
    return text


class OfflineChatModel(BaseChatModel):
    """A deterministic command interpreter with tool calling, for running without a hosted model.

    It accepts the usual chat-model settings (``temperature``, ``max_tokens``, ``timeout``,
    ``max_retries``, ``api_key``) so the model factory can pass the same ones to every model;
    none of them changes what it answers. ``today`` pins the date relative dates are resolved
    against when no system message says "Today is YYYY-MM-DD." (tests use it).
    """

    model: str = Field(default=MODEL_NAME, alias="model_name")
    temperature: float | None = None
    max_tokens: int | None = None
    timeout: float | None = None
    max_retries: int | None = None
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    streaming: bool = False
    api_key: SecretStr | None = None
    today: date | None = None

    model_config = ConfigDict(populate_by_name=True)
    # The agent binds the same tool objects on every model call; converting their schemas is
    # most of bind_tools' cost, so each object is converted once (kept alive with its result).
    _converted: dict[int, tuple[Any, dict[str, Any]]] = PrivateAttr(default_factory=dict)

    @property
    def _llm_type(self) -> str:
        return "atelier-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = super()._get_ls_params(stop=stop, **kwargs)
        params["ls_provider"] = "atelier"
        params["ls_model_name"] = str(kwargs.get("model") or self.model)
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | dict[str, Any] | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (any form ``convert_to_openai_tool`` accepts); the interpreter only ever
        calls these. ``tool_choice``: "auto"/None, "none", "any"/"required"/True, or a name."""
        formatted = [self._convert(tool) for tool in tools]
        check_bound_tools(
            (
                str(spec["function"]["name"]),
                spec["function"].get("parameters", {}).get("properties") or {},
                output_schema_of(tool),
            )
            for tool, spec in zip(tools, formatted, strict=True)
            if "function" in spec
        )
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return super().bind(tools=formatted, **kwargs)

    def _convert(self, tool: Any) -> dict[str, Any]:
        cached = self._converted.get(id(tool))
        if cached is None or cached[0] is not tool:
            cached = (tool, convert_to_openai_tool(tool))
            self._converted[id(tool)] = cached
        return cached[1]

    # ------------------------------------------------------------------ generation

    def _respond(
        self, messages: Sequence[BaseMessage], stop: Sequence[str] | None, **kwargs: Any
    ) -> AIMessage:
        """This turn's answer: a tool call, a reply from tool results, or a plain reply."""
        choice = _tool_choice(kwargs.get("tool_choice"))
        tools = {} if choice == "none" else _schemas(kwargs.get("tools"))
        model_name = str(kwargs.get("model") or self.model)
        metadata: dict[str, Any] = {"model_name": model_name}
        last = _last_human(messages)
        if last is None:
            text = "Please type a command, for example “list sheets modified last week”."
            return self._text_message(messages, text, stop, metadata)

        command = messages[last].text
        results = _results(messages[last + 1 :])
        if results:
            notes = [_INJECTION_NOTE] if detect_injection(command.lower()) else []
            notes += _notes(messages[last + 1 :])
            pending = choice_pending(results)
            if pending is not None:
                metadata[PENDING_KEY] = _pending(pending)
            reply = write_reply(results, notes=notes)
            return self._text_message(messages, reply, stop, metadata)

        decided = interpret(
            command,
            tools,
            today_from_messages(messages, self.today),
            previous=_previous_call(messages, last),
            tool_choice=None if choice == "none" else choice,
        )
        if decided.tool is not None and decided.tool in tools:
            if decided.note:
                metadata[NOTE_KEY] = decided.note
            return self._call_message(messages, decided, metadata)
        if decided.asks_for:
            metadata[PENDING_KEY] = _pending(PreviousCall(decided.asks_for, decided.args))
        refusal = (decided.reply or "") if decided.kind == "refusal" else None
        return self._text_message(messages, decided.reply or "", stop, metadata, refusal)

    def _usage(self, messages: Sequence[BaseMessage], output: int) -> UsageMetadata:
        # Words stand in for tokens: deterministic, and the right order of magnitude.
        prompt = sum(_words(m.text) for m in messages)
        return UsageMetadata(
            input_tokens=prompt, output_tokens=output, total_tokens=prompt + output
        )

    def _text_message(
        self,
        messages: Sequence[BaseMessage],
        text: str,
        stop: Sequence[str] | None,
        metadata: dict[str, Any],
        refusal: str | None = None,
    ) -> AIMessage:
        """A reply without a tool call; a refusal says so in the standard field."""
        text = _truncate(text, list(stop or ()) + list(self.stop or ()))
        return AIMessage(
            content=text,
            additional_kwargs={REFUSAL: refusal} if refusal else {},
            response_metadata=metadata,
            usage_metadata=self._usage(messages, _words(text)),
        )

    def _call_message(
        self,
        messages: Sequence[BaseMessage],
        decided: Interpretation,
        metadata: dict[str, Any],
    ) -> AIMessage:
        assert decided.tool is not None
        call = ToolCall(
            name=decided.tool, args=decided.args, id=_call_id(messages, 0), type="tool_call"
        )
        output = _words(decided.tool) + _words(json.dumps(decided.args))
        return AIMessage(
            content="",
            tool_calls=[call],
            response_metadata=metadata,
            usage_metadata=self._usage(messages, output),
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))
        message = self._respond(messages, stop, **kwargs)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """The same answer as ``_generate``, in pieces: a tool call as one tool-call chunk, a
        reply word by word. Usage, model name and refusal ride on the last chunk only, since
        chunks are added together."""
        message = self._respond(messages, stop, **kwargs)
        pieces: list[AIMessageChunk] = []
        for index, call in enumerate(message.tool_calls):
            pieces.append(
                AIMessageChunk(
                    content="",
                    tool_call_chunks=[
                        tool_call_chunk(
                            name=call["name"],
                            args=json.dumps(call["args"]),
                            id=call["id"],
                            index=index,
                        )
                    ],
                )
            )
        pieces.extend(
            AIMessageChunk(content=word) for word in re.findall(r"\s*\S+\s*", message.text)
        )
        if not pieces:
            pieces.append(AIMessageChunk(content=""))
        last = pieces[-1]
        pieces[-1] = AIMessageChunk(
            content=last.content,
            tool_call_chunks=last.tool_call_chunks,
            additional_kwargs=message.additional_kwargs,
            response_metadata=message.response_metadata,
            usage_metadata=message.usage_metadata,
            chunk_position="last",
        )
        for piece in pieces:
            chunk = ChatGenerationChunk(message=piece)
            if run_manager:
                run_manager.on_llm_new_token(piece.text, chunk=chunk)
            yield chunk
