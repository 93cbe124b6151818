"""What the safeguards remember: one flag per item or comment that looked personal.

A flag keeps *where* the details are (kind, field, start, end), never the text itself,
so the review queue adds no copy of a victim's details to the database. A cleared flag
keeps digests of what was cleared, so the same text does not come back to the queue
after an unrelated edit, while anything new does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

FLAG_STATUSES = ("open", "cleared", "redacted")


class PersonalDataFlag(SQLModel, table=True):
    __tablename__ = "personal_data_flag"
    __table_args__ = (UniqueConstraint("entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", index=True, ondelete="CASCADE")
    entity: str = Field(max_length=16)  # "item" or "comment"
    entity_id: str = Field(max_length=40)
    # [{"kind": "phone", "field": "detail", "start": 12, "end": 27}, ...]
    findings: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default="open", max_length=16)
    detected_seq: int = 0
    # Digests of the details a facilitator cleared (not the details).
    cleared: list[str] = Field(default_factory=list, sa_type=JSON)
    decided_by: int | None = Field(default=None, foreign_key="member.id")
    decided_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    decided_seq: int | None = None
