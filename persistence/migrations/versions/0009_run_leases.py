"""run leases: the run that holds an order, until when, and when a run was last queued; the
outbox's claims, which outlive their transaction

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("lease_owner", sa.String(length=100), nullable=True))
    op.add_column(
        "orders", sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("orders", sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "notifications", sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("notifications", "claimed_until")
    op.drop_column("orders", "dispatched_at")
    op.drop_column("orders", "lease_expires_at")
    op.drop_column("orders", "lease_owner")
