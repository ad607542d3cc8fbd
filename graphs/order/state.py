"""The order graph's state: identifiers, paths, checksums and small metadata, never bytes
(checkpoints copy the state at every step)."""

from __future__ import annotations

from typing import Literal, TypedDict


class OrderInput(TypedDict):
    """What starts a run: just the order's id; everything else is read from the database."""

    order_id: str


class ReviewDecision(TypedDict, total=False):
    """The value a review resumes the graph with."""

    approved: bool
    feedback: str | None


class OrderState(TypedDict, total=False):
    """No personal data: checkpoints keep strings as plain JSON, so the reviewer's feedback
    stays in the (encrypted) design_versions table and is read from there."""

    order_id: str
    folder_path: str
    version: int
    design_file: str
    design_sha256: str
    design_engine: str
    workbook_file: str
    workbook_sha256: str
    uploaded: list[str]
    decision: Literal["approved", "changes_requested"]
