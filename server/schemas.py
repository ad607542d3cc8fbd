"""Request and response bodies of the API, with the examples the OpenAPI docs show."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.responses import Response

from persistence.models import OrderStatus
from tools.orders import MAX_OFFSET, Customer
from tools.products import PRODUCTS
from tools.safe_text import SafeLine, SafeText
from tools.tracing import TraceLink

MAX_OPTIONS = 20
OptionName = Annotated[SafeLine, Field(min_length=1, max_length=40)]
OptionValue = Annotated[SafeLine, Field(max_length=200)]

ORDER_EXAMPLE: dict[str, Any] = {
    "customer": {"name": "Jane Doe", "email": "jane@example.com", "phone": "+1 555 0100"},
    "product": "tshirt",
    "options": {"size": "M", "color": "navy"},
    "quantity": 12,
    "brief": "A fox reading a book under a crescent moon, line art, two colours",
}


class OrderCreate(BaseModel):
    """A customer's order. Send it as JSON, or as the ``order`` part of a multipart form with
    the reference image as the ``image`` part."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ORDER_EXAMPLE]})

    customer: Customer
    product: str = Field(max_length=40, description=f"One of: {', '.join(sorted(PRODUCTS))}")
    options: dict[OptionName, OptionValue] = Field(
        default_factory=dict,
        max_length=MAX_OPTIONS,
        description=f"At most {MAX_OPTIONS}: names up to 40 characters, values up to 200",
    )
    quantity: int = Field(ge=1, le=10_000)
    brief: SafeText = Field(min_length=1, max_length=4000)

    @field_validator("product")
    @classmethod
    def _known_product(cls, value: str) -> str:
        if value not in PRODUCTS:
            raise ValueError(
                f"unknown product {value!r}; choose one of {', '.join(sorted(PRODUCTS))}"
            )
        return value

    @field_validator("brief")
    @classmethod
    def _brief_has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the brief is empty")
        return value.strip()


class OrderAccepted(BaseModel):
    id: uuid.UUID
    status: OrderStatus
    session_id: uuid.UUID


class CheckpointOut(BaseModel):
    checkpoint_id: str
    created_at: str | None
    step: int | None
    source: str | None
    next: list[str]


class SessionOut(BaseModel):
    id: uuid.UUID
    kind: str
    subject: str
    created_at: datetime
    order_id: uuid.UUID | None
    next: list[str]
    state: dict[str, Any]
    history: list[CheckpointOut]
    trace: TraceLink | None = Field(
        default=None, description="The LangSmith trace of the latest run, when tracing is on"
    )


class AdminSessionsQuery(BaseModel):
    model_config = {"extra": "forbid"}

    subject: SafeLine | None = Field(
        default=None, max_length=200, description="Only this admin's conversations"
    )
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class AdminSessionOut(BaseModel):
    id: uuid.UUID
    subject: str = Field(description="The admin who started it")
    created_at: datetime
    updated_at: datetime = Field(description="When a command last ran in it")
    first_command: str | None = Field(description="The command that started it")


class AdminSessionPage(BaseModel):
    items: list[AdminSessionOut]
    total: int
    limit: int
    offset: int


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]


def json_reply(model: BaseModel, status_code: int = 200) -> Response:
    """``model`` as the JSON body, serialized once: a route declares its ``response_model`` for
    the docs, and returning a Response spares FastAPI validating the model again."""
    return Response(
        model.model_dump_json(by_alias=True), status_code, media_type="application/json"
    )
