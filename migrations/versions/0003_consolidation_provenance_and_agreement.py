"""Consolidation: item provenance (item_source) and the agreement round.

Items gain a display number (``ref_number``, consolidated items only) and the recorded
agreement level and note; ``item_source`` links sources to consolidated items,
``agreement`` holds each member's level, ``consolidation_step`` what undo needs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ref_number", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("agreement_level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "agreement_note",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="",
            )
        )

    number_consolidated_items()

    op.create_table(
        "item_source",
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("consolidated_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("source_version", sa.Integer(), nullable=False),
        sa.Column("merged_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["consolidated_id"], ["item.id"]),
        sa.ForeignKeyConstraint(["source_id"], ["item.id"]),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("source_id"),
    )
    with op.batch_alter_table("item_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_item_source_consolidated_id"), ["consolidated_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_item_source_workshop_id"), ["workshop_id"], unique=False
        )

    op.create_table(
        "agreement",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reservation", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["checklist_id"], ["checklist.id"]),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "member_id"),
    )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_workshop_id"), ["workshop_id"], unique=False)

    op.create_table(
        "consolidation_step",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("undone_seq", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["workshop_id"], ["workshop.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("workshop_id", "seq"),
    )


def number_consolidated_items() -> None:
    """Gives the consolidated items that exist already their display numbers, K1 up."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT item.id, item.workshop_id FROM item"
            " JOIN checklist ON checklist.id = item.checklist_id"
            " WHERE checklist.group_id IS NULL"
            " ORDER BY item.workshop_id, item.created_seq, item.position, item.id"
        )
    ).all()
    numbers: dict[int, int] = {}
    for item_id, workshop_id in rows:
        numbers[workshop_id] = numbers.get(workshop_id, 0) + 1
        bind.execute(
            sa.text("UPDATE item SET ref_number = :n WHERE id = :id"),
            {"n": numbers[workshop_id], "id": item_id},
        )


def downgrade() -> None:
    op.drop_table("consolidation_step")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_workshop_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_member_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_item_id"))
    op.drop_table("agreement")
    with op.batch_alter_table("item_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_source_workshop_id"))
        batch_op.drop_index(batch_op.f("ix_item_source_consolidated_id"))
    op.drop_table("item_source")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("agreement_note")
        batch_op.drop_column("agreement_level")
        batch_op.drop_column("ref_number")
