"""LangSmith tracing: one client per process, customer personal data redacted before upload.

Tracing is on when ``LANGSMITH_TRACING=true`` (the library's own variables name the endpoint,
key and project). Each order run and admin command is one trace whose root run is named for
what it is, tagged with the environment and session kind, and carries ids as metadata; its
trace id is kept on the AgentSession so the API can link to it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig
from langchain_core.tracers import LangChainTracer
from langchain_core.tracers.schemas import Run
from langsmith import Client
from langsmith import utils as ls_utils
from langsmith.schemas import TracerSession
from pydantic import BaseModel, Field

log = logging.getLogger(__name__)

REDACTED = "[redacted]"

# Keys whose values are a customer's personal data wherever they appear: order views,
# tool arguments, notification recipients.
PII_KEYS = frozenset(
    {
        "customer",
        "customer_name",
        "customer_email",
        "customer_phone",
        "customer_address",
        "email",
        "phone",
        "address",
        "recipient",
        "recipients",
    }
)
# How a personal key appears in a payload's JSON text (json.dumps' default separators);
# the quotes keep ordinary values such as a role named "customer" off the slow path.
_KEYS_IN_JSON = tuple(f'"{key}":' for key in PII_KEYS)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
MIN_KNOWN_CHARS = 3  # shorter values would blank out ordinary words


class Redactor:
    """Removes personal data from a traced payload: values under :data:`PII_KEYS`, e-mail
    addresses anywhere, and every value it has seen under such a key (or been told about with
    :meth:`protect`) wherever it shows up later, such as a customer's name quoted in a reply.

    JSON text inside strings (a tool message's content) is parsed and redacted the same way.

    Most payloads (run metadata, the order graph's state) hold none of it, so each is first
    checked as one JSON text and returned as it is when it cannot: that costs a C-level dump
    and a few substring searches instead of a walk through every value.
    """

    def __init__(self, remember: int = 2000) -> None:
        self._known: OrderedDict[str, None] = OrderedDict()
        self._remember = remember
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def protect(self, *values: str | None) -> None:
        """Redact these values (a customer's name, e-mail, phone) from every later payload."""
        with self._lock:
            for value in values:
                if value is None or len(value.strip()) < MIN_KNOWN_CHARS:
                    continue
                value = value.strip()
                if value in self._known:
                    self._known.move_to_end(value)
                    continue
                self._known[value] = None
                if len(self._known) > self._remember:
                    self._known.popitem(last=False)
                self._pattern = None

    def __call__(self, payload: Any) -> Any:
        if not self._may_hold_personal_data(payload):
            return payload
        self._learn(payload)
        return self._redact(payload)

    def _may_hold_personal_data(self, payload: Any) -> bool:
        """False only when the payload surely holds nothing to redact or learn: no personal
        key (not even inside a JSON string), no '@', no value known to be personal.

        Any backslash sends the payload the slow way: escaped text (a JSON string inside a
        string, a quote, a newline, a \\u escape) may spell a key or a known value differently
        from the search below."""
        try:
            text = json.dumps(payload, ensure_ascii=False)
        except (TypeError, ValueError):
            return True
        if "\\" in text or "@" in text:
            return True
        lowered = text.lower()
        if any(key in lowered for key in _KEYS_IN_JSON):
            return True
        pattern = self._known_pattern()
        return bool(pattern and pattern.search(text))

    def _learn(self, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                if str(key).lower() in PII_KEYS:
                    self.protect(*_strings(item))
                else:
                    self._learn(item)
        elif isinstance(value, list | tuple):
            for item in value:
                self._learn(item)

    def _redact(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            return {
                key: REDACTED
                if str(key).lower() in PII_KEYS and item not in (None, "", [], {})
                else self._redact(item)
                for key, item in value.items()
            }
        if isinstance(value, list | tuple):
            return [self._redact(item) for item in value]
        if isinstance(value, str):
            return self._redact_text(value)
        return value

    def _redact_text(self, text: str) -> str:
        stripped = text.strip()
        if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
            try:
                parsed = json.loads(stripped)
            except ValueError:
                pass
            else:
                self._learn(parsed)
                return json.dumps(self._redact(parsed), ensure_ascii=False)
        if "@" in text:
            text = EMAIL.sub(REDACTED, text)
        pattern = self._known_pattern()
        return pattern.sub(REDACTED, text) if pattern else text

    def _known_pattern(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._pattern is None and self._known:
                # Longest first, so a full name wins over a part of it.
                values = sorted(self._known, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in values), re.IGNORECASE)
            return self._pattern


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _strings(item)]
    return []


class FinishedRunTracer(LangChainTracer):
    """LangChain's tracer, sending each run once, when it ends, with its inputs, outputs and
    error together, where LangChainTracer creates it at the start and patches it at the end.

    That halves the client's work per run (each send is copied, redacted and serialised),
    which is most of what tracing costs an order. The price: a run shows up in LangSmith when
    it finishes, not while it runs, and a run cut short by a crash is never sent. (The start
    hooks also set an evaluation example on root runs; these tracers never have one.)

    It overrides private hooks of LangChainTracer (LangChain has no public way to send a run
    once), so it is kept only for what it measurably buys. Measured with
    ``bench/order_pipeline.py --orders 96 --compare-stock-tracer`` (quiet orders, orders traced
    with this tracer and orders traced with the stock LangChainTracer taking turns in one
    process), five runs: observability on/off 1.01-1.06x with it, 1.05-1.12x with the stock
    tracer; it saves 2-6% of an order's time (the stock tracer missed the bench's target, at
    most 1.10x, in one run of the five). :data:`PRIVATE_HOOKS` must exist at import (checked
    below), and tests/unit/test_library_pins.py pins the source of every LangChainTracer
    method this relies on (and langchain-core's version), so an upgrade that changes any of
    them fails the tests until it is re-read and re-measured.
    """

    # The start hooks post a run; this tracer posts it when it ends instead.
    def _on_chain_start(self, run: Run) -> None:
        pass

    def _on_tool_start(self, run: Run) -> None:
        pass

    def _on_llm_start(self, run: Run) -> None:
        pass

    def _on_chat_model_start(self, run: Run) -> None:
        pass

    def _on_retriever_start(self, run: Run) -> None:
        pass

    # A static method in LangChainTracer; its hooks call it through self, so this one is used.
    def _update_run_single(self, run: Run) -> None:  # type: ignore[override]
        """Every end and error hook of LangChainTracer comes here: send the whole run."""
        self._persist_run_single(run)


# The LangChainTracer methods FinishedRunTracer overrides, and the one it calls.
PRIVATE_HOOKS = (
    "_on_chain_start",
    "_on_tool_start",
    "_on_llm_start",
    "_on_chat_model_start",
    "_on_retriever_start",
    "_update_run_single",
    "_persist_run_single",
)
_missing = [name for name in PRIVATE_HOOKS if not callable(getattr(LangChainTracer, name, None))]
if _missing:
    raise RuntimeError(
        f"LangChainTracer no longer has {', '.join(_missing)}: FinishedRunTracer in "
        "tools/tracing.py needs updating for this langchain-core version"
    )


LOOKUP_RETRY_SECONDS = 60.0


class TraceLink(BaseModel):
    """The LangSmith trace of a session's latest run."""

    id: str
    url: str | None = Field(description="Its page in LangSmith; null until the project is found")


@dataclass
class Tracing:
    """Where traces go. ``client`` None means tracing is off and every method is a no-op."""

    client: Client | None = None
    project: str = "default"
    environment: str = "development"
    redactor: Redactor = field(default_factory=Redactor)
    # The stock LangChainTracer only for bench/order_pipeline.py's comparison.
    tracer: type[LangChainTracer] = FinishedRunTracer
    _project: TracerSession | None = field(default=None, init=False, repr=False)
    _lookup_after: float = field(default=0.0, init=False, repr=False)
    _worker: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _pending: list[Future[None]] = field(default_factory=list, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def from_environment(cls, environment: str) -> Tracing:
        """On when ``LANGSMITH_TRACING=true``; the client reads ``LANGSMITH_ENDPOINT`` and
        ``LANGSMITH_API_KEY`` itself."""
        if not ls_utils.tracing_is_enabled():
            return cls(environment=environment)
        return cls.to(Client, ls_utils.get_tracer_project() or "default", environment)

    @classmethod
    def to(
        cls, make_client: Callable[..., Client], project: str, environment: str, **client_args: Any
    ) -> Tracing:
        """Tracing through ``make_client(anonymizer=..., **client_args)``, redacting with the
        same :class:`Redactor` the instance keeps."""
        redactor = Redactor()
        client = make_client(anonymizer=redactor, **client_args)
        return cls(client=client, project=project, environment=environment, redactor=redactor)

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def traced(
        self,
        config: RunnableConfig,
        *,
        kind: str,
        metadata: Mapping[str, str | None],
    ) -> tuple[RunnableConfig, uuid.UUID | None]:
        """``config`` with the tracer, a fresh trace id, tags and metadata; and that trace id
        (None when tracing is off)."""
        if self.client is None:
            return config, None
        trace_id = uuid.uuid4()
        tracer = self.tracer(client=self.client, project_name=self.project)
        traced: RunnableConfig = {
            **config,
            "run_id": trace_id,
            "callbacks": [tracer],
            "tags": [*config.get("tags", []), f"env:{self.environment}", f"session:{kind}"],
            "metadata": {
                **config.get("metadata", {}),
                **{k: v for k, v in metadata.items() if v is not None},
                "environment": self.environment,
            },
        }
        return traced, trace_id

    def review_feedback(self, trace_id: str, approved: bool, comment: str | None) -> None:
        """Score the run that brought a design to review: 1 approved, 0 changes requested.

        Sent in the background, so an unreachable LangSmith never holds up the order. The
        feedback id is derived from the trace, so recording the same review twice (a run
        recovered after a crash) leaves one piece of feedback."""
        if self.client is not None:
            self._in_background(self._send_feedback, trace_id, approved, comment)

    def _send_feedback(self, trace_id: str, approved: bool, comment: str | None) -> None:
        assert self.client is not None
        self._look_up_project()
        try:
            self.client.create_feedback(
                run_id=trace_id,
                trace_id=trace_id,
                key="design_approved",
                score=1 if approved else 0,
                comment=comment,
                feedback_id=uuid.uuid5(uuid.UUID(trace_id), "design_approved"),
                session_id=self._project.id if self._project else None,
                stop_after_attempt=3,  # bounded: shutdown waits for this
            )
        except Exception:  # tracing must never fail an order
            log.warning("could not send review feedback for trace %s", trace_id, exc_info=True)

    def link(self, trace_id: str | None) -> TraceLink | None:
        """The trace, with its page in LangSmith once the project has been looked up (in the
        background: a request never waits on LangSmith)."""
        if self.client is None or trace_id is None:
            return None
        project = self._project
        if project is None and time.monotonic() >= self._lookup_after:
            self._in_background(self._look_up_project)
        url = f"{project.url}/r/{trace_id}?poll=true" if project and project.url else None
        return TraceLink(id=trace_id, url=url)

    def _look_up_project(self) -> None:
        """Find the project (LangSmith makes it with the first trace); after a miss, wait a
        minute before asking again."""
        assert self.client is not None
        if self._project is not None or time.monotonic() < self._lookup_after:
            return
        try:
            self._project = self.client.read_project(project_name=self.project)
        except Exception:
            self._lookup_after = time.monotonic() + LOOKUP_RETRY_SECONDS
            log.info("LangSmith project %r not found yet; traces have no link", self.project)

    def _in_background(self, task: Callable[..., None], *args: Any) -> None:
        with self._lock:
            if self._worker is None:
                self._worker = ThreadPoolExecutor(1, thread_name_prefix="tracing")
            self._pending = [f for f in self._pending if not f.done()]
            self._pending.append(self._worker.submit(task, *args))

    def flush(self) -> None:
        """Wait for background work and queued traces to be sent (at shutdown, in tests)."""
        if self.client is None:
            return
        with self._lock:
            pending = list(self._pending)
        futures.wait(pending)
        self.client.flush()
