"""The admin command service: one AgentSession per conversation, the admin agent on its
checkpointed thread, and the reply with every tool action it took.

The service does not know which chat model runs: a reply's status comes from what every chat
model's messages say (see :func:`reply_status`).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, Field, field_validator

from graphs.admin.graph import AdminAgent
from persistence.checkpoints import Checkpointer
from persistence.database import Database
from persistence.models import SessionKind, utcnow
from persistence.repositories import orders as repo
from tools import audit
from tools.access import Principal
from tools.context import ToolContext
from tools.errors import NotFound
from tools.log_context import bound
from tools.safe_text import SafeText

ActionStatus = Literal["ok", "error", "denied"]
CommandStatus = Literal["ok", "error", "needs_input"]

# Commands are one or two sentences; anything longer is a paste, not a command. Longer ones are
# refused with a 422 before any model sees them.
MAX_COMMAND_CHARS = 4000


class CommandIn(BaseModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            # Each works as is on a new install (a test sends them); a follow-up names the
            # session_id an earlier answer gave.
            "examples": [
                {"command": "list the sheets in Templates modified since March 3"},
                {"command": "what files are in Templates?"},
            ]
        },
    }

    command: SafeText = Field(min_length=1, max_length=MAX_COMMAND_CHARS)
    session_id: uuid.UUID | None = Field(
        default=None,
        description="Continue this conversation (the session_id of an earlier answer), so a "
        "follow-up such as 'only the ones from last week' refines what came before",
    )

    @field_validator("command")
    @classmethod
    def _has_words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the command is empty")
        return value.strip()


class Action(BaseModel):
    tool: str
    args: dict[str, Any]
    status: ActionStatus
    result: Any


class CommandOut(BaseModel):
    session_id: uuid.UUID
    reply: str
    status: CommandStatus = Field(
        description="error when a tool was refused or the model refused (the standard "
        "'refusal' field); else needs_input when the reply ends with a question (a detail is "
        "missing, or which of several names was meant); else error when a tool failed; else ok"
    )
    actions: list[Action]


def _result(message: ToolMessage) -> tuple[ActionStatus, Any]:
    try:
        content: Any = json.loads(str(message.content))
    except json.JSONDecodeError:
        content = message.content
    if message.status == "error":
        artifact = message.artifact if isinstance(message.artifact, dict) else {}
        status: ActionStatus = "denied" if artifact.get("status") == "denied" else "error"
        return status, content
    return "ok", content


# A command's messages are checkpointed once, when its run ends: a short chat turn gains
# nothing from a checkpoint per step, and a crash mid-command loses only that command, which
# its caller sees fail.
DURABILITY: Literal["exit"] = "exit"


def _this_turn(messages: list[BaseMessage], command_id: str) -> list[BaseMessage]:
    """The messages from this command's HumanMessage on."""
    start = next(i for i, m in enumerate(messages) if m.id == command_id)
    return messages[start:]


_NO_RESULT: tuple[ActionStatus, Any] = ("error", "the tool did not answer")


def actions_of(messages: list[BaseMessage]) -> list[Action]:
    """The tool calls in ``messages`` with their results, in order."""
    results = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
    actions = []
    for message in messages:
        if not isinstance(message, AIMessage):
            continue
        for call in message.tool_calls:
            answer = results.get(call["id"] or "")
            status, result = _result(answer) if answer else _NO_RESULT
            actions.append(
                Action(tool=call["name"], args=call["args"], status=status, result=result)
            )
    return actions


# A question's last sentence: its end, before any closing quotes or brackets.
_ENDS_WITH_QUESTION = re.compile(r"\?[\s\"'”’)\]]*$")


def asks_question(reply: AIMessage) -> bool:
    """Whether the reply ends by asking the user something. Any model can say so: the admin
    prompt tells models to end with the question when they need an answer, and only then."""
    return bool(_ENDS_WITH_QUESTION.search(reply.text.strip()))


def refused(reply: AIMessage) -> bool:
    """Whether the model refused: the standard ``refusal`` field, where LangChain's OpenAI
    models put OpenAI's refusals (and the offline interpreter its own)."""
    return bool(reply.additional_kwargs.get("refusal"))


def reply_status(reply: AIMessage, actions: list[Action]) -> CommandStatus:
    """What the command came to, from the messages alone, whichever model wrote them: error
    when an action was denied or the model refused; needs_input when the reply asks a
    question (also after a tool error it asks about, such as which template was meant); error
    when an action failed; ok otherwise."""
    if any(a.status == "denied" for a in actions) or refused(reply):
        return "error"
    if asks_question(reply):
        return "needs_input"
    return "error" if any(a.status != "ok" for a in actions) else "ok"


@dataclass(frozen=True)
class PreparedRun:
    session_id: uuid.UUID
    input: dict[str, Any]
    config: RunnableConfig
    context: ToolContext
    command_id: str  # the id of this command's HumanMessage: what follows it is this turn
    new_session: bool  # its thread has no checkpoint yet


@dataclass
class CommandService:
    db: Database
    agent: AdminAgent
    tools: ToolContext

    def prepare(
        self, principal: Principal, body: CommandIn, request_id: str | None = None
    ) -> PreparedRun:
        """Find or open the session and set up the run (errors surface here, not mid-stream).

        With tracing on, the command is a new trace whose id the session keeps. The session
        and the audit entry of the command as asked are written in one transaction, before
        the run."""
        existing = None
        with self.db.session() as session:
            if body.session_id is not None:
                existing = repo.get_session(session, body.session_id)
                if (
                    existing is None
                    or existing.kind != SessionKind.ADMIN
                    or existing.subject != principal.sub
                ):
                    raise NotFound(f"session {body.session_id} not found")
            session_id = existing.id if existing else uuid.uuid4()
            config: RunnableConfig = {
                "configurable": {"thread_id": str(session_id)},
                "run_name": "admin command",
                "tags": ["admin"],
                "metadata": {"session_id": str(session_id)},
            }
            config, trace = self.tools.backends.tracing.traced(
                config,
                kind=SessionKind.ADMIN,
                metadata={
                    "subject": principal.sub,
                    "role": str(principal.role),
                    "request_id": request_id,
                    "llm": self.tools.backends.settings.llm,
                },
            )
            trace_id = str(trace) if trace else None
            context = replace(
                self.tools, principal=principal, request_id=request_id, session_id=str(session_id)
            )
            if existing is None:
                repo.add_session(
                    session,
                    session_id,
                    kind=SessionKind.ADMIN,
                    subject=principal.sub,
                    role=principal.role,
                    trace_id=trace_id,
                )
            else:
                existing.updated_at = utcnow()  # GET /admin/sessions: the latest active first
                if trace_id:
                    existing.trace_id = trace_id
            # Each tool call the command leads to gets its own entry.
            audit.record(context, "admin_command", {"command": body.command}, "ok", session=session)
        command = HumanMessage(body.command, id=str(uuid.uuid4()))
        return PreparedRun(
            session_id, {"messages": [command]}, config, context, command.id or "", existing is None
        )

    def _starting(self, run: PreparedRun) -> None:
        """Just before the agent starts: a new session's first checkpoint read needs no
        database (said here, not in prepare, so a stream never started leaves nothing behind)."""
        if run.new_session and isinstance(self.agent.checkpointer, Checkpointer):
            self.agent.checkpointer.expect_new_thread(str(run.session_id))

    def run(self, run: PreparedRun) -> CommandOut:
        self._starting(run)
        with bound(session_id=str(run.session_id)):
            state = self.agent.invoke(
                run.input, run.config, context=run.context, durability=DURABILITY
            )
        return self._answer(run.session_id, _this_turn(state["messages"], run.command_id))

    def _answer(self, session_id: uuid.UUID, messages: list[BaseMessage]) -> CommandOut:
        actions = actions_of(messages)
        reply = next((m for m in reversed(messages) if isinstance(m, AIMessage)), AIMessage(""))
        return CommandOut(
            session_id=session_id,
            reply=str(reply.content),
            status=reply_status(reply, actions),
            actions=actions,
        )

    def stream(self, run: PreparedRun) -> Iterator[tuple[str, dict[str, Any]]]:
        """The same run as (event, data) pairs: session, token, tool_call, tool_result, done."""
        yield "session", {"session_id": str(run.session_id)}
        self._starting(run)
        parts: Iterator[Any] = self.agent.stream(
            run.input,
            run.config,
            context=run.context,
            durability=DURABILITY,
            stream_mode=["messages", "updates"],
        )
        for mode, data in parts:
            if mode == "messages":
                chunk, _meta = data
                if isinstance(chunk, AIMessageChunk) and chunk.content:
                    yield "token", {"text": str(chunk.content)}
            elif mode == "updates":
                for update in data.values():
                    for message in (update or {}).get("messages", []):
                        if isinstance(message, AIMessage):
                            for call in message.tool_calls:
                                yield "tool_call", {"tool": call["name"], "args": call["args"]}
                        elif isinstance(message, ToolMessage):
                            status, result = _result(message)
                            yield (
                                "tool_result",
                                {"tool": message.name, "status": status, "result": result},
                            )
        messages = _this_turn(self.agent.get_state(run.config).values["messages"], run.command_id)
        yield "done", self._answer(run.session_id, messages).model_dump(mode="json")
