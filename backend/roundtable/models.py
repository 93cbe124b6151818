"""Imports every table so ``SQLModel.metadata`` is complete (Alembic, tests, create_all)."""

from sqlmodel import SQLModel

from roundtable.accounts.models import Account, LoginSession
from roundtable.assessments.models import Assessment, AssessmentEntry
from roundtable.checklists.models import Checklist, Comment, Item, Vote
from roundtable.consolidation.models import (
    Agreement,
    ConsolidationStep,
    ItemSource,
    SuggestionDismissal,
)
from roundtable.groups.models import Group, Member
from roundtable.publishing.models import Edition, ItemCode
from roundtable.safeguards.models import PersonalDataFlag
from roundtable.sync.models import Event, SyncClient
from roundtable.workshops.models import Theme, Workshop

metadata = SQLModel.metadata

__all__ = [
    "Account",
    "Agreement",
    "Assessment",
    "AssessmentEntry",
    "Checklist",
    "Comment",
    "ConsolidationStep",
    "Edition",
    "Event",
    "Group",
    "Item",
    "ItemCode",
    "ItemSource",
    "LoginSession",
    "Member",
    "PersonalDataFlag",
    "SuggestionDismissal",
    "SyncClient",
    "Theme",
    "Vote",
    "Workshop",
    "metadata",
]
