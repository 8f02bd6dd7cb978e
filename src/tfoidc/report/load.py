"""`tfoidc.json` -> `Analysis`, to re-render reports without the plan (pure).

The JSON contract carries no attribute values, so a re-rendered report has no attribute diffs;
everything else (changes, graph, findings, cost, drift) round-trips.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeGuard

import networkx as nx

from tfoidc.analysis import SCHEMA_VERSION, Analysis
from tfoidc.cost.model import CostComponent, CostEstimate, NotPriced, ResourceCost
from tfoidc.errors import InputError
from tfoidc.guardrails.model import Finding, Severity
from tfoidc.plan.drift import DriftReport
from tfoidc.plan.graph import PlanGraph
from tfoidc.plan.model import Action, Plan, ResourceChange


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
        return _analysis(doc)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(
            f"{source}: not a valid tfoidc analysis document ({type(exc).__name__}: {exc})"
        ) from None


def _analysis(doc: dict[str, Any]) -> Analysis:
    plan_meta = doc["plan"]
    changes = tuple(_change(c) for c in doc["changes"])
    plan = Plan(
        format_version=str(plan_meta["format_version"]),
        terraform_version=plan_meta.get("terraform_version"),
        resource_changes=changes,
        errored=bool(plan_meta.get("errored")),
        notes=tuple(plan_meta.get("notes") or ()),
    )
    return Analysis(
        plan=plan,
        graph=_graph(doc.get("graph") or {}),
        findings=tuple(_finding(f) for f in doc.get("findings") or ()),
        cost=_cost(doc["cost"]) if doc.get("cost") else None,
        drift=_drift(doc["drift"]) if doc.get("drift") else None,
        environment=doc.get("environment"),
    )


def _change(c: dict[str, Any]) -> ResourceChange:
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


def _graph(g: dict[str, Any]) -> PlanGraph:
    graph: nx.DiGraph = nx.DiGraph()
    for node in g.get("nodes") or ():
        attrs = {k: v for k, v in node.items() if k != "id"}
        graph.add_node(node["id"], **attrs)
    for a, b in g.get("edges") or ():
        graph.add_edge(a, b)
    return PlanGraph.from_networkx(graph, inferred=bool(g.get("inferred")))


def _finding(f: dict[str, Any]) -> Finding:
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
    )


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _optional_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _cost(c: dict[str, Any]) -> CostEstimate:
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


def _drift(d: dict[str, Any]) -> DriftReport:
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
