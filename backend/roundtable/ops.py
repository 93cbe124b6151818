"""Builds the op registry from every domain's ops module."""

from __future__ import annotations

from roundtable.checklists import ops as checklist_ops
from roundtable.consolidation import agreement as agreement_ops
from roundtable.consolidation import decisions as decision_ops
from roundtable.consolidation import ops as consolidation_ops
from roundtable.groups import ops as group_ops
from roundtable.interchange import ops as interchange_ops
from roundtable.publishing import ops as publishing_ops
from roundtable.safeguards import ops as safeguard_ops
from roundtable.sync.registry import OpRegistry
from roundtable.workshops import ops as workshop_ops


def build_registry() -> OpRegistry:
    registry = OpRegistry()
    workshop_ops.register(registry)
    group_ops.register(registry)
    checklist_ops.register(registry)
    interchange_ops.register(registry)
    consolidation_ops.register(registry)
    agreement_ops.register(registry)
    decision_ops.register(registry)
    publishing_ops.register(registry)
    safeguard_ops.register(registry)
    return registry
