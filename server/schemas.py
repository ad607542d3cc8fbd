"""Request and response bodies of the API, with the examples the OpenAPI docs show."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from persistence.models import OrderStatus
from tools.products import PRODUCTS

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(max_length=320, pattern=EMAIL_PATTERN)
    phone: str | None = Field(default=None, max_length=40)


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
    product: str = Field(description=f"One of: {', '.join(sorted(PRODUCTS))}")
    options: dict[str, str] = Field(default_factory=dict, max_length=20)
    quantity: int = Field(ge=1, le=10_000)
    brief: str = Field(min_length=1, max_length=4000)

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


class ReviewIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"approved": True},
                {"approved": False, "feedback": "Make the fox orange and the moon larger"},
            ]
        },
    )

    approved: bool
    feedback: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _feedback_when_rejected(self) -> ReviewIn:
        if not self.approved and not (self.feedback and self.feedback.strip()):
            raise ValueError("feedback is required when requesting changes")
        return self


class OrderAccepted(BaseModel):
    id: uuid.UUID
    status: OrderStatus
    session_id: uuid.UUID


class StepProgress(BaseModel):
    step: str
    status: str
    attempts: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None


class DesignVersionOut(BaseModel):
    version: int
    engine: str
    model: str | None
    file: str
    sha256: str
    width: int
    height: int
    created_at: datetime
    decision: str | None
    feedback: str | None


class StoredFileOut(BaseModel):
    name: str
    path: str
    sha256: str


class OrderOut(BaseModel):
    id: uuid.UUID
    session_id: uuid.UUID
    status: OrderStatus
    current_step: str | None
    failed_step: str | None
    error: str | None
    customer: Customer
    product: str
    options: dict[str, Any]
    quantity: int
    brief: str
    has_reference_image: bool
    folder_path: str | None
    files: list[StoredFileOut]
    steps: list[StepProgress]
    design_versions: list[DesignVersionOut]
    created_at: datetime
    updated_at: datetime


class OrderPage(BaseModel):
    items: list[OrderOut]
    total: int
    limit: int
    offset: int


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


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]
