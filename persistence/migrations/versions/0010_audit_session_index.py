"""audit_log.session_id indexed: the admin sessions list finds each session's first command

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_audit_log_session_id"), "audit_log", ["session_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_log_session_id"), table_name="audit_log")
