"""Drift: what changed outside Terraform, from a plan's `resource_drift` (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from tfoidc.plan.model import Plan, ResourceChange


@dataclass(frozen=True, slots=True)
class DriftReport:
    drifted: tuple[ResourceChange, ...]

    @property
    def has_drift(self) -> bool:
        return bool(self.drifted)


def detect_drift(plan: Plan) -> DriftReport:
    return DriftReport(drifted=tuple(rc for rc in plan.resource_drift if rc.action.is_change))
