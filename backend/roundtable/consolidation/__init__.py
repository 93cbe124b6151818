"""Consolidation: turning the groups' overlapping lists into one checklist.

``suggest`` proposes merges (items that make the same point, across groups and languages) and
lists each item's nearest others; a facilitator decides. See docs/suggestions.md for the method.
"""

from roundtable.consolidation.document import DocumentError, items_from_document
from roundtable.consolidation.models import Cluster, Suggestions, SuggestItem
from roundtable.consolidation.suggest import suggest

__all__ = [
    "Cluster",
    "DocumentError",
    "SuggestItem",
    "Suggestions",
    "items_from_document",
    "suggest",
]
