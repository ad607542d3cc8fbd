"""encrypt personal data at rest: customer name, e-mail, phone, brief, review feedback,
notification recipients and bodies

Revision ID: 0004
Revises: 0003

Needs the encryption keys (``persistence.crypto.configure``, as ``atelier migrate`` does):
existing rows are encrypted in place with the current key.
"""

import sqlalchemy as sa
from alembic import op

from persistence.crypto import PREFIX, current_cipher

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = {
    "orders": ("id", ["customer_name", "customer_email", "customer_phone", "brief"]),
    "design_versions": ("id", ["feedback"]),
    "notifications": ("id", ["recipient", "body"]),
}


def _convert(table: str, key: str, columns: list[str], upgrade: bool) -> None:
    """Encrypt (or, going down, decrypt) the rows in place; the keys are needed only when
    there are rows, so a new database migrates without them."""
    conn = op.get_bind()
    for column in columns:
        rows = conn.execute(
            sa.text(f"SELECT {key}, {column} FROM {table} WHERE {column} IS NOT NULL")
        ).all()
        for row_id, value in rows:
            encrypted = value.startswith(f"{PREFIX}:")
            if upgrade and not encrypted:
                value = current_cipher().encrypt_text(value)
            elif not upgrade and encrypted:
                value = current_cipher().decrypt_text(value)
            else:
                continue
            conn.execute(
                sa.text(f"UPDATE {table} SET {column} = :value WHERE {key} = :id"),
                {"value": value, "id": row_id},
            )


def upgrade() -> None:
    for table, (key, columns) in COLUMNS.items():
        for column in columns:
            op.alter_column(table, column, type_=sa.Text())
        _convert(table, key, columns, upgrade=True)


def downgrade() -> None:
    for table, (key, columns) in COLUMNS.items():
        _convert(table, key, columns, upgrade=False)
    op.alter_column("orders", "customer_name", type_=sa.String(200))
    op.alter_column("orders", "customer_email", type_=sa.String(320))
    op.alter_column("orders", "customer_phone", type_=sa.String(40))
    op.alter_column("notifications", "recipient", type_=sa.String(320))
