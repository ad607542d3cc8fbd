"""Orders read for showing (persistence/repositories/order_reads.py) on real PostgreSQL: one
statement for an order or a page, each order with its own design versions oldest first, personal
data decrypted, the same fields the ORM reads, and the page's filters and total."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from persistence.database import Database
from persistence.models import OrderStatus
from persistence.repositories import order_reads
from persistence.repositories import orders as repo
from tests.support.pipeline import add_design_versions, add_order


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL of each statement the block sends."""
    sent: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def with_versions(db: Database, count: int, **fields: Any) -> uuid.UUID:
    order_id = add_order(db, **fields)
    # Written newest first, to be read back oldest first; each version its own width.
    for version in range(count, 0, -1):
        add_design_versions(db, order_id, [version], width=10 * version, feedback=f"v{version}")
    return order_id


def test_one_order_in_one_statement_as_the_orm_reads_it(db: Database) -> None:
    order_id = with_versions(db, 2, customer_name="Ann Lee")
    with db.reading() as session, statements(db) as sent:
        read = order_reads.get(session, order_id)
    assert len(sent) == 1
    assert read is not None
    with db.reading() as session:
        orm = repo.get_order(session, order_id)
    assert orm is not None
    for column in ("id", "customer_name", "customer_email", "customer_phone", "brief", "steps"):
        assert getattr(read.order, column) == getattr(orm, column), column
    assert read.order.customer_name == "Ann Lee"  # decrypted
    assert read.order.trace_id == orm.session.trace_id
    assert [(v.design_version, v.design_width, v.design_feedback) for v in read.versions] == [
        (1, 10, "v1"),
        (2, 20, "v2"),
    ]


def test_an_order_without_versions_or_none_at_all(db: Database) -> None:
    order_id = add_order(db)
    with db.reading() as session:
        read = order_reads.get(session, order_id)
        assert read is not None and read.versions == []
        assert order_reads.get(session, uuid.uuid4()) is None


def test_a_page_is_one_statement_with_each_orders_own_versions(db: Database) -> None:
    versions = {with_versions(db, n): n for n in (2, 0, 1, 3)}
    oldest_first = list(versions)
    with db.reading() as session, statements(db) as sent:
        reads, total = order_reads.page(session, limit=3, offset=0)
    assert len(sent) == 1
    assert total == 4
    assert [r.order.id for r in reads] == oldest_first[::-1][:3]  # newest first
    for read in reads:
        assert [v.design_version for v in read.versions] == list(
            range(1, versions[read.order.id] + 1)
        )
    with db.reading() as session:
        rest, total = order_reads.page(session, limit=3, offset=3)
    assert [r.order.id for r in rest] == [oldest_first[0]] and total == 4


def test_a_page_past_the_end_still_counts(db: Database) -> None:
    add_order(db)
    with db.reading() as session:
        assert order_reads.page(session, offset=5) == ([], 1)


def test_a_page_filters_by_account_status_and_decrypted_customer(db: Database) -> None:
    ann = with_versions(db, 1, customer_sub="ann", customer_email="ann@shop.test")
    bo = with_versions(db, 2, customer_sub="bo", customer_name="Bo Chen")
    with db.session() as session:
        repo.update_order(session, bo, status=OrderStatus.FAILED)
    with db.reading() as session:
        assert [r.order.id for r in order_reads.page(session, customer_sub="ann")[0]] == [ann]
        assert [r.order.id for r in order_reads.page(session, status="failed")[0]] == [bo]
        found, total = order_reads.page(session, customer="bo CHEN")
        assert total == 1 and [v.design_version for v in found[0].versions] == [1, 2]
        found, total = order_reads.page(session, customer="ANN@shop")
        assert total == 1 and found[0].order.id == ann
        assert order_reads.page(session, customer="nobody") == ([], 0)
