"""Publishing: editions with stable item codes, and governments' self-assessments.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_text = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "edition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", _text(length=500), nullable=False),
        sa.Column("notes", _text(), nullable=False),
        sa.Column("slug", _text(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["published_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workshop_id", "number"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_edition_workshop_id"), ["workshop_id"], unique=False)

    op.create_table(
        "item_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("item_id", _text(length=40), nullable=False),
        sa.Column("theme_key", _text(length=64), nullable=True),
        sa.Column("prefix", _text(length=8), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("code", _text(length=16), nullable=False),
        sa.Column("first_edition", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workshop_id", "item_id"),
        sa.UniqueConstraint("workshop_id", "prefix", "number"),
    )
    with op.batch_alter_table("item_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_code_workshop_id"), ["workshop_id"], unique=False)

    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", _text(length=64), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("title", _text(length=200), nullable=False),
        sa.Column("country", _text(length=100), nullable=False),
        sa.Column("carried_from_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["edition_id"], ["edition.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secret_hash"),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_edition_id"), ["edition_id"], unique=False)

    op.create_table(
        "assessment_entry",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("code", _text(length=16), nullable=False),
        sa.Column("status", _text(length=16), nullable=True),
        sa.Column("evidence", _text(), nullable=False),
        sa.Column("agency", _text(length=300), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("assessment_id", "code"),
    )


def downgrade() -> None:
    op.drop_table("assessment_entry")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_edition_id"))
    op.drop_table("assessment")
    with op.batch_alter_table("item_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_code_workshop_id"))
    op.drop_table("item_code")
    with op.batch_alter_table("edition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_edition_workshop_id"))
    op.drop_table("edition")
