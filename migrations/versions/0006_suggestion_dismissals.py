"""Suggestion dismissals: merges a facilitator said are not one point, per workshop.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "suggestion_dismissal",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("created_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workshop_id", "key"),
    )
    with op.batch_alter_table("suggestion_dismissal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_suggestion_dismissal_workshop_id"), ["workshop_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("suggestion_dismissal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suggestion_dismissal_workshop_id"))
    op.drop_table("suggestion_dismissal")
