"""Safeguards: personal-data flags (what was found where, who cleared or redacted it) and
workshop retention (archived_at).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "personal_data_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("detected_seq", sa.Integer(), nullable=False),
        sa.Column("cleared", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_seq", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["decided_by"], ["member.id"]),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entity", "entity_id"),
    )
    with op.batch_alter_table("personal_data_flag", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_personal_data_flag_workshop_id"), ["workshop_id"], unique=False
        )
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
    with op.batch_alter_table("personal_data_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_personal_data_flag_workshop_id"))
    op.drop_table("personal_data_flag")
