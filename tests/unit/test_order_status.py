"""The one owner of an order's status: the allowed moves, and that no other code makes one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from persistence.models import OrderStatus
from persistence.repositories.order_status import ALLOWED, allowed, sources

S = OrderStatus
ROOT = Path(__file__).resolve().parents[2]
OWNER = ROOT / "persistence" / "repositories" / "order_status.py"


@pytest.mark.parametrize(
    ("current", "to", "ok"),
    [
        (S.RECEIVED, S.PROCESSING, True),
        (S.PROCESSING, S.AWAITING_APPROVAL, True),
        (S.AWAITING_APPROVAL, S.PROCESSING, True),  # a review
        (S.FAILED, S.PROCESSING, True),  # a retry
        (S.PROCESSING, S.PROCESSING, True),  # staying is always allowed
        (S.COMPLETED, S.PROCESSING, False),  # a completed order is never run again
        (S.FAILED, S.AWAITING_APPROVAL, False),  # only a run that ends well gets there
        (S.AWAITING_APPROVAL, S.COMPLETED, False),  # not without the run that finalizes
        (S.RECEIVED, S.COMPLETED, False),
    ],
)
def test_allowed_moves(current: OrderStatus, to: OrderStatus, ok: bool) -> None:
    assert allowed(current, to) is ok
    assert (current in sources(to)) is ok


def test_every_status_is_reachable_from_received_and_the_ends_are_final() -> None:
    seen, frontier = {S.RECEIVED}, [S.RECEIVED]
    while frontier:
        for nxt in ALLOWED[frontier.pop()] - seen:
            seen.add(nxt)
            frontier.append(nxt)
    assert seen == set(OrderStatus)
    assert ALLOWED[S.COMPLETED] == ALLOWED[S.CANCELLED] == frozenset()


WRITERS = ("update_order", "values")
# Notifications have a status of their own, set by their outbox.
OTHER_STATUSES = {ROOT / "persistence" / "repositories" / "notifications.py"}


def status_writes(path: Path) -> list[str]:
    """Where a module assigns ``….status`` or passes ``status=`` to a write."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [
                f"{path.name}:{node.lineno}"
                for t in targets
                if isinstance(t, ast.Attribute) and t.attr == "status"
            ]
        called = getattr(node, "func", None)
        # update_order(status=…), update(Order).values(status=…), insert(Order).values(…)
        if isinstance(node, ast.Call) and getattr(called, "attr", None) in WRITERS:
            found += [f"{path.name}:{node.lineno}" for k in node.keywords if k.arg == "status"]
    return found


def test_no_code_but_the_owner_sets_an_orders_status() -> None:
    writes = [
        w
        for package in ("tools", "graphs", "server", "persistence")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != OWNER and path not in OTHER_STATUSES
        for w in status_writes(path)
    ]
    assert writes == []
