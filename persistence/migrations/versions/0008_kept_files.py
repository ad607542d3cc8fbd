"""kept_files: the reference image, designs and workbook of each order, in the database

Revision ID: 0008
Revises: 0007

Until now they were files under ATELIER_DATA_DIR on the API's machine, which another process
(a worker elsewhere) cannot read. The files of existing orders are brought in from the data
directory ``atelier migrate`` was given (``config.attributes["data_dir"]``), encrypted with the
current key. A design whose file is gone is made again by its next run (its seed is stable); a
reference image that is gone makes its order's next design step fail, saying so.
"""

import hashlib
import uuid
from pathlib import Path

import sqlalchemy as sa
from alembic import context, op

from persistence.crypto import current_cipher

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".webp": "image/webp"}


def upgrade() -> None:
    op.create_table(
        "kept_files",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.PrimaryKeyConstraint("order_id", "name"),
    )
    op.alter_column("design_versions", "path", new_column_name="file_name")
    data_dir = context.config.attributes.get("data_dir")
    if data_dir is not None:
        _bring_in(Path(data_dir))
    op.execute("UPDATE design_versions SET file_name = regexp_replace(file_name, '^.*/', '')")
    op.alter_column("design_versions", "file_name", type_=sa.String(length=255))


def _bring_in(data_dir: Path) -> None:
    conn = op.get_bind()
    references = conn.execute(
        sa.text("SELECT id, reference_image FROM orders WHERE reference_image LIKE 'uploads/%'")
    ).all()
    for order_id, rel in references:
        source = data_dir / rel
        if source.is_file():
            name = f"reference{source.suffix}"
            _keep(order_id, name, source, MEDIA_TYPES.get(source.suffix, "image/png"))
            conn.execute(
                sa.text("UPDATE orders SET reference_image = :name WHERE id = :id"),
                {"name": name, "id": order_id},
            )
    designs = conn.execute(sa.text("SELECT order_id, file_name FROM design_versions")).all()
    for order_id, path in designs:
        source = Path(path)
        if source.is_file():
            _keep(order_id, source.name, source, "image/png")


def _keep(order_id: uuid.UUID, name: str, source: Path, media_type: str) -> None:
    content = source.read_bytes()
    op.get_bind().execute(
        sa.text(
            "INSERT INTO kept_files (order_id, name, media_type, sha256, size, content, updated_at)"
            " VALUES (:order_id, :name, :media_type, :sha256, :size, :content, now())"
            " ON CONFLICT DO NOTHING"
        ),
        {
            "order_id": order_id,
            "name": name,
            "media_type": media_type,
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
            "content": current_cipher().encrypt_bytes(content),
        },
    )


def downgrade() -> None:
    op.alter_column("design_versions", "file_name", new_column_name="path")
    op.alter_column("design_versions", "path", type_=sa.String(length=500))
    op.drop_table("kept_files")
