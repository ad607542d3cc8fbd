"""The tool registry: every tool registered once with its name, schemas and allowed roles.

Tools are plain typed functions ``fn(ctx, args) -> result`` whose docstring is what the model
reads. The registry validates arguments, refuses callers whose role may not run a tool (at
execution, whatever a model asked for), and hands out each tool as a LangChain tool.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, get_type_hints

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, ValidationError

from tools.access import Role
from tools.context import ToolContext
from tools.errors import AtelierError, InvalidInput, ToolDenied
from tools.log_privacy import exception_name

ToolFunction = Callable[[ToolContext, Any], BaseModel]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    input_model: type[BaseModel]
    output_model: type[BaseModel]
    roles: frozenset[Role]
    func: ToolFunction

    def allows(self, role: Role) -> bool:
        return role in self.roles


Outcome = Literal["ok", "error", "denied"]
# Told of every call's outcome: (context, tool name, arguments, outcome, error detail).
CallObserver = Callable[[ToolContext, str, dict[str, Any], Outcome, str | None], None]


class ToolRegistry:
    def __init__(self, observer: CallObserver | None = None) -> None:
        """``observer`` hears of every call once it has ended (the service's audit trail)."""
        self._specs: dict[str, ToolSpec] = {}
        self._observer = observer

    def register(
        self, func: ToolFunction, *, roles: Iterable[Role], name: str | None = None
    ) -> None:
        """Register ``func``; its input and output models come from its type hints."""
        hints = get_type_hints(func)
        params = list(inspect.signature(func).parameters)
        if len(params) != 2:
            raise TypeError(f"tool {func.__name__} must take (ctx, args)")
        spec = ToolSpec(
            name=name or func.__name__,
            description=inspect.cleandoc(func.__doc__ or ""),
            input_model=hints[params[1]],
            output_model=hints["return"],
            roles=frozenset(roles),
            func=func,
        )
        if not spec.description:
            raise TypeError(f"tool {spec.name} needs a docstring: the model reads it")
        if spec.name in self._specs:
            raise ValueError(f"tool {spec.name} is registered twice")
        self._specs[spec.name] = spec

    def spec(self, name: str) -> ToolSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise InvalidInput(f"no tool named {name!r}") from None

    def names(self, role: Role | None = None) -> list[str]:
        return sorted(n for n, s in self._specs.items() if role is None or s.allows(role))

    def execute(self, name: str, args: dict[str, Any] | BaseModel, ctx: ToolContext) -> BaseModel:
        """Run tool ``name`` for ``ctx.principal``: authorize, validate, call; then tell the
        observer how it went."""
        spec = self.spec(name)
        raw = args.model_dump(mode="json") if isinstance(args, BaseModel) else dict(args)
        outcome: Outcome = "ok"
        detail = None
        try:
            if not spec.allows(ctx.principal.role):
                raise ToolDenied(f"role {ctx.principal.role} may not use the tool {name}")
            try:
                parsed = spec.input_model.model_validate(raw)
            except ValidationError as exc:
                raise InvalidInput(f"bad arguments for {name}: {_problems(exc)}") from exc
            return spec.func(ctx, parsed)
        except Exception as exc:
            outcome = "denied" if isinstance(exc, ToolDenied) else "error"
            # Our errors' messages are written for the caller; another library's may quote
            # the data it failed on, so only its type is kept.
            message = f": {exc.message}" if isinstance(exc, AtelierError) else ""
            detail = f"{exception_name(exc)}{message}"
            raise
        finally:
            if self._observer is not None:
                self._observer(ctx, name, raw, outcome, detail)

    def as_langchain_tool(self, name: str) -> BaseTool:
        """Tool ``name`` as a LangChain tool. It authorizes when it runs, with the principal
        from the run's context (``ToolRuntime.context`` is a ToolContext), whoever it was
        handed to."""
        spec = self.spec(name)

        def run(runtime: ToolRuntime[ToolContext], **kwargs: Any) -> dict[str, Any]:
            return self.execute(spec.name, kwargs, runtime.context).model_dump(mode="json")

        return StructuredTool.from_function(
            func=run,
            name=spec.name,
            description=spec.description,
            args_schema=spec.input_model,
            infer_schema=False,
        )


def _problems(exc: ValidationError) -> str:
    """What is wrong with each argument, without quoting the values (they may be anything)."""
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}"
        for e in exc.errors(include_url=False, include_input=False)
    )
