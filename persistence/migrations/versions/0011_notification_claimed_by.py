"""notifications.claimed_by: the order run (its lease owner) that made a claim, so the claim
lapses with that run's lease instead of waiting out its own time

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("claimed_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.drop_column("notifications", "claimed_by")
