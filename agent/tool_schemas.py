"""What a bound tool tells a chat model beyond its parameters: the JSON schema of its result.

LangChain tools carry only their input schema. The admin graph attaches each registry tool's
output schema under ``tool.metadata["output_schema"]``, so a model that reads results by key
(the offline interpreter) can check at binding that those keys exist. Hosted models ignore it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.tools import BaseTool
from pydantic import BaseModel

__all__ = ["OUTPUT_SCHEMA", "output_schema_of", "with_output_schema"]

OUTPUT_SCHEMA = "output_schema"


def with_output_schema(tool: BaseTool, output: type[BaseModel]) -> BaseTool:
    """``tool`` with the JSON schema of ``output`` (as the tool's results are serialised)."""
    schema = output.model_json_schema(mode="serialization")
    tool.metadata = {**(tool.metadata or {}), OUTPUT_SCHEMA: schema}
    return tool


def output_schema_of(tool: Any) -> Mapping[str, Any] | None:
    """The result schema a bound tool carries, or None (a plain function, a dict schema)."""
    metadata = getattr(tool, "metadata", None)
    schema = metadata.get(OUTPUT_SCHEMA) if isinstance(metadata, Mapping) else None
    return schema if isinstance(schema, Mapping) else None
