"""The versioned JSON contract of an `Analysis`, both ways: what `tfoidc analyze --format json` prints
and `tfoidc.json` holds, and reading it back to re-render reports without the plan.

`SCHEMA_VERSION` changes on any incompatible change (see docs/analysis-json.md). The contract carries no
attribute values, so a re-rendered report has no attribute diffs; everything else round-trips.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, TypeGuard

from tfoidc.analysis.drift import DriftReport
from tfoidc.analysis.graph import PlanGraph
from tfoidc.analysis.model import Analysis
from tfoidc.cost.model import CostComponent, CostEstimate, NotPriced, ResourceCost
from tfoidc.errors import InputError
from tfoidc.guardrails.model import Finding, Severity
from tfoidc.plan.fingerprint import change_fingerprint
from tfoidc.plan.model import Action, Plan, ResourceChange

SCHEMA_VERSION = "1.1"


@cache
def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of `analysis_to_dict`, shipped as analysis/schema.json."""
    text = resources.files("tfoidc.analysis").joinpath("schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


# --- Analysis -> JSON ---------------------------------------------------------------------------


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """The JSON contract of `analysis` (what `tfoidc analyze --format json` prints)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "environment": analysis.environment,
        "plan": {
            "format_version": analysis.plan.format_version,
            "terraform_version": analysis.plan.terraform_version,
            "errored": analysis.plan.errored,
            "notes": list(analysis.plan.notes),
        },
        "summary": analysis.action_counts(),
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
                "fingerprint": change_fingerprint(rc) if rc.action.is_change else None,
            }
            for rc in analysis.plan.resource_changes
        ],
        "graph": graph_to_dict(analysis.graph),
        "findings": [_finding_dict(f) for f in analysis.findings],
        "cost": _cost_dict(analysis.cost) if analysis.cost else None,
        "drift": _drift_dict(analysis.drift) if analysis.drift else None,
    }


def graph_to_dict(graph: PlanGraph) -> dict[str, Any]:
    return {
        "nodes": [{"id": n, **attrs} for n, attrs in graph.nodes.items()],
        "edges": [[a, b] for a, b in graph.edges()],
        "inferred": graph.inferred,
        "notes": list(graph.notes),
        "cycles": graph.cycles(),
        "orphaned_references": [{"from": n, "reference": r} for n, r in graph.orphans],
    }


def _finding_dict(f: Finding) -> dict[str, Any]:
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
        "source": f.source,
        "also_reported_by": list(f.also_reported_by),
    }


def money(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, 2))


def _cost_dict(c: CostEstimate) -> dict[str, Any]:
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


def _drift_dict(d: DriftReport) -> dict[str, Any]:
    return {
        "has_drift": d.has_drift,
        "resources": [
            {"address": rc.address, "type": rc.type, "action": rc.action.value} for rc in d.drifted
        ],
    }


# --- JSON -> Analysis ---------------------------------------------------------------------------


def is_analysis_document(doc: object) -> TypeGuard[dict[str, Any]]:
    return isinstance(doc, dict) and "schema_version" in doc and "changes" in doc


def analysis_from_dict(doc: dict[str, Any], *, source: str = "tfoidc.json") -> Analysis:
    version = str(doc.get("schema_version", ""))
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise InputError(
            f"{source}: analysis schema version {version or '(none)'} is not supported "
            f"(this tfoidc reads {SCHEMA_VERSION.split('.')[0]}.x)"
        )
    try:
        return _analysis_from(doc)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"{source}: not a valid tfoidc analysis document ({type(exc).__name__}: {exc})"
        ) from None


def _analysis_from(doc: dict[str, Any]) -> Analysis:
    plan_meta = doc["plan"]
    changes = tuple(_change_from(c) for c in doc["changes"])
    plan = Plan(
        format_version=str(plan_meta["format_version"]),
        terraform_version=plan_meta.get("terraform_version"),
        resource_changes=changes,
        errored=bool(plan_meta.get("errored")),
        notes=tuple(plan_meta.get("notes") or ()),
    )
    return Analysis(
        plan=plan,
        graph=_graph_from(doc.get("graph") or {}),
        findings=tuple(_finding_from(f) for f in doc.get("findings") or ()),
        cost=_cost_from(doc["cost"]) if doc.get("cost") else None,
        drift=_drift_from(doc["drift"]) if doc.get("drift") else None,
        environment=doc.get("environment"),
    )


def _change_from(c: dict[str, Any]) -> ResourceChange:
    action = Action(c["action"])
    return ResourceChange(
        address=c["address"],
        module_address=c.get("module_address") or "",
        mode=c.get("mode") or "managed",
        type=c.get("type") or "",
        name=c.get("name") or "",
        index=c.get("index"),
        provider_name=c.get("provider_name") or "",
        action=action,
        actions=("delete", "create") if action is Action.REPLACE else (action.value,),
        replace_paths=tuple(tuple(p) for p in c.get("replace_paths") or ()),
        action_reason=c.get("action_reason"),
        previous_address=c.get("previous_address"),
    )


def _graph_from(g: dict[str, Any]) -> PlanGraph:
    nodes: dict[str, dict[str, Any]] = {}
    succ: dict[str, dict[str, dict[str, Any]]] = {}
    pred: dict[str, dict[str, dict[str, Any]]] = {}
    for node in g.get("nodes") or ():
        nodes[node["id"]] = {k: v for k, v in node.items() if k != "id"}
        succ[node["id"]], pred[node["id"]] = {}, {}
    for a, b in g.get("edges") or ():
        for end in (a, b):
            if end not in nodes:
                nodes[end], succ[end], pred[end] = {}, {}, {}
        succ[a][b] = pred[b][a] = {}
    return PlanGraph(nodes, succ, pred, inferred=bool(g.get("inferred")))


def _finding_from(f: dict[str, Any]) -> Finding:
    return Finding(
        rule=f["rule"],
        severity=Severity(f["severity"]),
        address=f["address"],
        message=f.get("message") or "",
        title=f.get("title") or "",
        attribute=f.get("attribute"),
        fix=f.get("fix"),
        blast_radius=tuple(f.get("blast_radius") or ()),
        waived=bool(f.get("waived")),
        waiver_reason=f.get("waiver_reason"),
        references=tuple(f.get("references") or ()),
        source=f.get("source") or "tfoidc",
        also_reported_by=tuple(f.get("also_reported_by") or ()),
    )


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _optional_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _cost_from(c: dict[str, Any]) -> CostEstimate:
    resources = tuple(
        ResourceCost(
            address=r["address"],
            type=r.get("type") or "",
            module_address=r.get("module_address") or "",
            action=r.get("action") or "",
            monthly_before=_decimal(r.get("monthly_before")),
            monthly_after=_decimal(r.get("monthly_after")),
            components=tuple(
                CostComponent(
                    name=comp["name"],
                    unit=comp.get("unit") or "",
                    unit_price=_decimal(comp.get("unit_price")),
                    monthly_quantity=_optional_decimal(comp.get("monthly_quantity")),
                    monthly_cost=_optional_decimal(comp.get("monthly_cost")),
                    price_source=comp.get("price_source") or "",
                )
                for comp in r.get("components") or ()
            ),
        )
        for r in c.get("resources") or ()
    )
    return CostEstimate(
        currency=c.get("currency") or "USD",
        region=c.get("region"),
        resources=resources,
        not_priced=tuple(
            NotPriced(address=n["address"], type=n.get("type") or "", reason=n.get("reason") or "")
            for n in c.get("not_priced") or ()
        ),
        notes=tuple(c.get("notes") or ()),
    )


def _drift_from(d: dict[str, Any]) -> DriftReport:
    drifted = tuple(
        ResourceChange(
            address=r["address"],
            module_address="",
            mode="managed",
            type=r.get("type") or "",
            name="",
            index=None,
            provider_name="",
            action=Action(r["action"]),
            actions=(r["action"],),
        )
        for r in d.get("resources") or ()
    )
    return DriftReport(drifted=drifted)
