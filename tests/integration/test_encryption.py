"""Personal data encrypted at rest: the raw tables hold no plaintext (orders, notifications,
design feedback, checkpoints), keys rotate, and a wrong or missing key never yields data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from graphs.order.runner import OrderRunner
from persistence import crypto
from persistence.checkpoints import open_checkpointer
from persistence.crypto import KeyRingCipher
from persistence.database import Database
from persistence.models import OrderStatus
from persistence.repositories import order_reads
from persistence.repositories import orders as repo
from tests.support.keys import NEW_KEY, OLD_KEY, TEST_CIPHER
from tests.support.pipeline import ORDER_FIELDS, add_order, make_backends
from tools.catalog import build_registry
from tools.context import ToolContext

PERSONAL = [
    ORDER_FIELDS["customer_name"],
    ORDER_FIELDS["customer_email"],
    ORDER_FIELDS["customer_phone"],
    ORDER_FIELDS["brief"],
    "make the lighthouse taller",  # the reviewer's feedback
]


@pytest.fixture
def rotated() -> Iterator[KeyRingCipher]:
    """A second key becomes current; the first one still decrypts."""
    cipher = KeyRingCipher({"test-1": OLD_KEY, "test-2": NEW_KEY}, "test-2")
    crypto.configure(cipher)
    yield cipher
    crypto.configure(TEST_CIPHER)


def raw_dump(db: Database) -> str:
    """Every row of every table as text, the way someone with the database files sees it."""
    with db.engine.connect() as conn:
        tables = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        parts = []
        for table in tables:
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts.extend(
                    bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                    for v in row
                )
    return "\n".join(parts)


def run_order_through_review(db: Database, tmp_path: Path) -> uuid.UUID:
    checkpointer, pool = open_checkpointer(db.url, max_size=4)
    try:
        runner = OrderRunner(
            ToolContext(backends=make_backends(tmp_path, db)), build_registry(), checkpointer
        )
        order_id = add_order(db)
        runner.start(order_id)
        with db.session() as session:
            order = repo.get_order(session, order_id, for_update=True)
            assert order is not None
            order.design_versions[-1].decision = "changes_requested"
            order.design_versions[-1].feedback = PERSONAL[-1]
            order.status = OrderStatus.PROCESSING
        status = runner.resume(order_id, {"approved": False, "feedback": PERSONAL[-1]})
        assert status == OrderStatus.AWAITING_APPROVAL
        return order_id
    finally:
        pool.close()


def test_no_personal_data_in_the_raw_tables(db: Database, tmp_path: Path) -> None:
    order_id = run_order_through_review(db, tmp_path)
    dump = raw_dump(db)
    assert str(order_id) in dump  # the dump does see the rows...
    for value in PERSONAL:
        assert value not in dump  # ...but none of the personal data
    with db.session() as session:  # while the application reads it back whole
        order = repo.get_order(session, order_id)
        assert order is not None
        assert (order.customer_name, order.brief) == (
            ORDER_FIELDS["customer_name"],
            ORDER_FIELDS["brief"],
        )
        assert order.design_versions[0].feedback == PERSONAL[-1]


def test_rotation_writes_with_the_new_key_and_reads_the_old(
    db: Database, rotated: KeyRingCipher
) -> None:
    crypto.configure(TEST_CIPHER)
    old_id = add_order(db, customer_name="Old Key")
    crypto.configure(rotated)
    new_id = add_order(db, customer_name="New Key")
    with db.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, customer_name FROM orders")).all())
    assert stored[old_id].startswith("enc1:test-1:")
    assert stored[new_id].startswith("enc1:test-2:")
    with db.session() as session:
        names = {r.order.id: r.order.customer_name for r in order_reads.page(session)[0]}
    assert names == {old_id: "Old Key", new_id: "New Key"}


def test_customer_filter_still_finds_orders(db: Database) -> None:
    add_order(db, customer_name="Ann Lee", customer_email="ann@shop.test")
    add_order(db, customer_name="Bo Chen", customer_email="bo@shop.test")
    with db.session() as session:
        found, total = order_reads.page(session, customer="ANN@shop")
    assert total == 1 and found[0].order.customer_name == "Ann Lee"


def test_a_missing_key_refuses_instead_of_reading_garbage(db: Database) -> None:
    add_order(db)
    crypto.configure(KeyRingCipher({"elsewhere": NEW_KEY}, "elsewhere"))
    try:
        with pytest.raises(KeyError, match="test-1"), db.session() as session:
            order_reads.page(session)
    finally:
        crypto.configure(TEST_CIPHER)


def test_a_tampered_value_is_refused(db: Database) -> None:
    order_id = add_order(db)
    with db.engine.begin() as conn:
        stored = conn.execute(
            text("SELECT customer_name FROM orders WHERE id = :id"), {"id": order_id}
        ).scalar_one()
        forged = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
        conn.execute(
            text("UPDATE orders SET customer_name = :v WHERE id = :id"),
            {"v": forged, "id": order_id},
        )
    with pytest.raises(ValueError, match="failed its integrity check"), db.session() as session:
        repo.get_order(session, order_id)


def test_keys_must_be_32_bytes_with_plain_ids() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        KeyRingCipher({"k": b"short"}, "k")
    with pytest.raises(ValueError, match="letters, digits"):
        KeyRingCipher({"k:1": OLD_KEY}, "k:1")
    with pytest.raises(ValueError, match="not among the keys"):
        KeyRingCipher({"k": OLD_KEY}, "other")


def test_values_stored_by_the_earlier_cipher_still_read() -> None:
    # Written by the first implementation (pycryptodome's AES-GCM: nonce 00..0b, key 00..1f);
    # the stored format, nonce | tag | ciphertext, must not change under existing rows.
    stored = "enc1:k1:AAECAwQFBgcICQoLl/BBUxajf82tBOaPGxGg+w1juH7loa1+oWH96t+MOAj7t+pEnB5xH1cK"
    cipher = KeyRingCipher({"k1": bytes(range(32))}, "k1")
    assert cipher.decrypt_text(stored) == "Jane Doe, jane@example.com"
    assert cipher.decrypt_text(cipher.encrypt_text("Jane Doe")) == "Jane Doe"
