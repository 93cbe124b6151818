"""Builds the op registry from every domain's ops module."""

from __future__ import annotations

from roundtable.checklists import ops as checklist_ops
from roundtable.groups import ops as group_ops
from roundtable.interchange import ops as interchange_ops
from roundtable.sync.registry import OpRegistry
from roundtable.workshops import ops as workshop_ops


def build_registry() -> OpRegistry:
    registry = OpRegistry()
    workshop_ops.register(registry)
    group_ops.register(registry)
    checklist_ops.register(registry)
    interchange_ops.register(registry)
    return registry
