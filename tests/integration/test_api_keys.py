"""API keys at the service level: expiry on a clock the test chooses, and hashes only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from persistence.database import Database
from server.api_keys import ApiKeyIn, ApiKeys
from tools.access import Principal, Role

ADA = Principal("ada", Role.ADMIN)


def test_a_key_works_until_it_expires(db: Database) -> None:
    keys = ApiKeys(db)
    made = keys.create(ApiKeyIn(name="storefront", role=Role.CUSTOMER, expires_in_days=30), ADA)
    now = datetime.now(UTC)
    assert keys.principal_for(made.key, now) == Principal(f"key:{made.id}", Role.CUSTOMER)
    assert keys.principal_for(made.key, now + timedelta(days=29)) is not None
    assert keys.principal_for(made.key, now + timedelta(days=31)) is None


def test_keys_without_expiry_and_only_hashes_stored(db: Database) -> None:
    keys = ApiKeys(db)
    made = keys.create(ApiKeyIn(name="erp", role=Role.OPERATOR, expires_in_days=None), ADA)
    assert made.expires_at is None
    assert keys.principal_for(made.key, datetime.now(UTC) + timedelta(days=3650)) is not None
    with db.engine.connect() as conn:
        stored = " ".join(
            str(v) for row in conn.execute(text("SELECT * FROM api_keys")) for v in row
        )
    assert made.key not in stored and made.key[:10] in stored  # the prefix, for lists


def test_keys_with_the_same_name_are_different_callers(db: Database) -> None:
    keys = ApiKeys(db)
    first, second = (
        keys.create(ApiKeyIn(name="storefront", role=Role.CUSTOMER), ADA) for _ in range(2)
    )
    one, other = keys.principal_for(first.key), keys.principal_for(second.key)
    assert one is not None and other is not None
    assert (one.sub, other.sub) == (f"key:{first.id}", f"key:{second.id}")
