"""`Analysis`: the one object every renderer reads, and its versioned JSON contract.

The JSON form (`Analysis.to_dict`) is what `tfoidc analyze --format json` prints and `tfoidc.json`
holds; `SCHEMA_VERSION` changes on any incompatible change (see docs/analysis-json.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from tfoidc.cost.model import CostEstimate
from tfoidc.guardrails.model import Finding
from tfoidc.plan.drift import DriftReport
from tfoidc.plan.graph import PlanGraph
from tfoidc.plan.model import Plan

SCHEMA_VERSION = "1.0"


@cache
def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `Analysis.to_dict()`, shipped as analysis_schema.json."""
    text = resources.files("tfoidc").joinpath("analysis_schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


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
            if rc.action.value in counts:
                counts[rc.action.value] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "environment": self.environment,
            "plan": {
                "format_version": self.plan.format_version,
                "terraform_version": self.plan.terraform_version,
                "errored": self.plan.errored,
                "notes": list(self.plan.notes),
            },
            "summary": self.action_counts(),
            "changes": [
                {
                    "address": rc.address,
                    "module_address": rc.module_address,
                    "mode": rc.mode,
                    "type": rc.type,
                    "name": rc.name,
                    "index": rc.index,
                    "provider_name": rc.provider_name,
                    "action": rc.action.value,
                    "action_reason": rc.action_reason,
                    "previous_address": rc.previous_address,
                    "replace_paths": [list(p) for p in rc.replace_paths],
                }
                for rc in self.plan.resource_changes
            ],
            "graph": self.graph.to_json(),
            "findings": [_finding(f) for f in self.findings],
            "cost": _cost(self.cost) if self.cost else None,
            "drift": _drift(self.drift) if self.drift else None,
        }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "title": f.title,
        "severity": f.severity.value,
        "address": f.address,
        "attribute": f.attribute,
        "message": f.message,
        "fix": f.fix,
        "blast_radius": list(f.blast_radius),
        "waived": f.waived,
        "waiver_reason": f.waiver_reason,
        "references": list(f.references),
    }


def money(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, 2))


def _cost(c: CostEstimate) -> dict[str, Any]:
    return {
        "currency": c.currency,
        "region": c.region,
        "monthly_before": money(c.monthly_before),
        "monthly_after": money(c.monthly_after),
        "monthly_delta": money(c.monthly_delta),
        "resources": [
            {
                "address": r.address,
                "type": r.type,
                "action": r.action,
                "monthly_before": money(r.monthly_before),
                "monthly_after": money(r.monthly_after),
                "monthly_delta": money(r.monthly_delta),
                "components": [
                    {
                        "name": comp.name,
                        "unit": comp.unit,
                        "unit_price": str(comp.unit_price),
                        "monthly_quantity": None
                        if comp.monthly_quantity is None
                        else str(comp.monthly_quantity),
                        "monthly_cost": money(comp.monthly_cost),
                        "price_source": comp.price_source,
                    }
                    for comp in r.components
                ],
            }
            for r in c.resources
        ],
        "not_priced": [{"address": n.address, "type": n.type, "reason": n.reason} for n in c.not_priced],
        "notes": list(c.notes),
    }


def _drift(d: DriftReport) -> dict[str, Any]:
    return {
        "has_drift": d.has_drift,
        "resources": [
            {"address": rc.address, "type": rc.type, "action": rc.action.value} for rc in d.drifted
        ],
    }
