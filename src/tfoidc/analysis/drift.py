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


@dataclass(frozen=True, slots=True)
class DriftedResource:
    address: str
    type: str
    action: str
    changed_attributes: tuple[str, ...]  # top-level attributes whose recorded and real values differ


def summarize_drift(report: DriftReport) -> tuple[DriftedResource, ...]:
    """What drifted and which attributes, for the drift summary file (values stay out of it)."""
    return tuple(
        DriftedResource(
            address=rc.address,
            type=rc.type,
            action=rc.action.value,
            changed_attributes=changed_attributes(rc.before, rc.after),
        )
        for rc in report.drifted
    )


def changed_attributes(before: object, after: object) -> tuple[str, ...]:
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ()
    keys = sorted(set(before) | set(after))
    return tuple(k for k in keys if before.get(k) != after.get(k))
