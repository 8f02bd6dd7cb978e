"""`Analysis`: the one object every renderer reads (model, graph, findings, cost, drift)."""

from __future__ import annotations

from dataclasses import dataclass

from tfoidc.analysis.drift import DriftReport
from tfoidc.analysis.graph import PlanGraph
from tfoidc.cost.model import CostEstimate
from tfoidc.guardrails.model import Finding
from tfoidc.plan.model import Action, Plan


@dataclass(frozen=True)
class Analysis:
    plan: Plan
    graph: PlanGraph
    findings: tuple[Finding, ...] = ()
    cost: CostEstimate | None = None
    drift: DriftReport | None = None
    environment: str | None = None

    @property
    def blocking_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)

    def action_counts(self) -> dict[str, int]:
        counts = {a: 0 for a in ("create", "update", "replace", "delete")}
        for rc in self.plan.changes():
            # A replace whose old object is forgotten destroys nothing: it adds one (as Terraform counts).
            action = "create" if rc.action is Action.REPLACE_FORGET else rc.action.value
            if action in counts:
                counts[action] += 1
        return counts
