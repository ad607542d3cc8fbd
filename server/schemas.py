"""Request and response bodies of the API, with the examples the OpenAPI docs show."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from persistence.models import OrderStatus
from tools.orders import Customer
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


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]
