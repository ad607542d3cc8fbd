"""agent_sessions.trace_id: the LangSmith trace of the session's latest run

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("agent_sessions", sa.Column("trace_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    op.drop_column("agent_sessions", "trace_id")
