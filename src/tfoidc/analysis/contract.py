"""The versioned JSON contract of an `Analysis`, both ways: what `tfoidc analyze --format json` prints
and `tfoidc.json` holds, and reading it back to re-render reports without the plan.

`SCHEMA_VERSION` changes on any incompatible change (see docs/analysis-json.md). The contract carries no
attribute values, so a re-rendered report has no attribute diffs; everything else round-trips.
Documents of an earlier major version this tfoidc still reads are listed in `READS_MAJORS`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, TypeGuard

from tfoidc.analysis.drift import DriftReport
from tfoidc.analysis.graph import FULL, RESOURCES, PlanGraph
from tfoidc.analysis.model import Analysis
from tfoidc.cost.model import CostComponent, CostEstimate, FreeResource, NotPriced, ResourceCost
from tfoidc.errors import InputError
from tfoidc.guardrails.model import Finding, Severity
from tfoidc.plan.fingerprint import change_fingerprint
from tfoidc.plan.model import Action, DeferredChange, Plan, ResourceChange

SCHEMA_VERSION = "2.1"
# 2.0: the graph is resource-level unless `--graph full` (graph.detail says which); 1.x graphs are
# full graphs and read back as such.
READS_MAJORS = ("1", "2")


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
            "complete": not analysis.plan.incomplete,
            "deferred": [
                {"address": d.address, "action": d.action.value, "reason": d.reason}
                for d in analysis.plan.deferred
            ],
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
        "detail": graph.detail,
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
                "module_address": r.module_address,
                "region": r.region,
                "action": r.action,
                "monthly_before": money(r.monthly_before),
                "monthly_after": money(r.monthly_after),
                "monthly_delta": money(r.monthly_delta),
                "depends_on_usage": r.depends_on_usage,
                "notes": list(r.notes),
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
                        "usage_keys": list(comp.usage_keys),
                        "depends_on_usage": comp.depends_on_usage,
                    }
                    for comp in r.components
                ],
            }
            for r in c.resources
        ],
        "not_priced": [{"address": n.address, "type": n.type, "reason": n.reason} for n in c.not_priced],
        "free": [{"address": f.address, "type": f.type, "reason": f.reason} for f in c.free_resources],
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
    """Read back a document `analysis_to_dict` wrote, after checking it against the shipped schema
    (a document that fails is one `InputError` line naming the first bad key path)."""
    version = str(doc.get("schema_version", ""))
    if version.split(".")[0] not in READS_MAJORS:
        raise InputError(
            f"{source}: analysis schema version {version or '(none)'} is not supported "
            f"(this tfoidc reads {' and '.join(m + '.x' for m in READS_MAJORS)})"
        )
    if version.split(".")[0] == "1":
        doc = _upgraded_from_1(doc)
    validate_document(doc, source=source)
    try:
        return _analysis_from(doc)
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:
        # The schema leaves nothing here to fail; kept so that a gap in it is still one line.
        raise InputError(
            f"{source}: not a valid tfoidc analysis document ({type(exc).__name__}: {exc})"
        ) from None


def _upgraded_from_1(doc: dict[str, Any]) -> dict[str, Any]:
    """A 1.x document in 2.0's shape: its graph had every node (what 2.0 calls `detail: full`)."""
    graph = doc.get("graph")
    if isinstance(graph, dict) and "detail" not in graph:
        return {**doc, "graph": {**graph, "detail": "full"}}
    return doc


def validate_document(doc: Any, *, source: str = "tfoidc.json") -> None:
    """Check `doc` against schema.json; the first problem is an `InputError` with its key path.

    The graph's node and edge lists (two thirds of a large document: 180k nodes at 10k resources)
    are checked by `_check_graph_lists`, which states the same rules for those two lists in a loop
    a hundred times faster than a generated validator (tests hold the two to the same verdicts)."""
    import fastjsonschema  # here: only `report`/`comment` of a tfoidc.json pay for it

    graph = doc.get("graph") if isinstance(doc, dict) else None
    lists: dict[str, Any] = {}
    if isinstance(graph, dict):
        lists = {key: graph[key] for key in ("nodes", "edges") if isinstance(graph.get(key), list)}
        doc = {**doc, "graph": {**graph, **{key: [] for key in lists}}}
    try:
        _validator()(doc)
        _check_graph_lists(lists.get("nodes", []), lists.get("edges", []))
    except fastjsonschema.JsonSchemaValueException as exc:
        where = _key_path([str(p) for p in exc.path[1:]])
        message = exc.message.removeprefix(exc.name or "").strip() or "is not valid"
        raise InputError(f"{source}: {where}: {message} (see docs/analysis-json.md)") from None
    except RecursionError:
        raise InputError(f"{source}: the analysis document is nested too deeply") from None


@cache
def _validator() -> Any:
    import fastjsonschema

    return fastjsonschema.compile(json_schema())


def _key_path(parts: list[str]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if part.isdigit() else (f".{part}" if path else part)
    return path or "(top level)"


_NODE_KEYS = frozenset({"id", "kind", "type", "action", "mode", "module"})
_NODE_KINDS = frozenset({"resource", "module", "output", "variable"})
_ACTIONS = frozenset(a.value for a in Action)


def _check_graph_lists(nodes: list[Any], edges: list[Any]) -> None:
    """schema.json's rules for `graph.nodes[]` and `graph.edges[]`, as a loop."""
    import fastjsonschema

    def bad(where: str, message: str) -> fastjsonschema.JsonSchemaValueException:
        name = f"data.{where}"  # the validator's own naming: data.graph.nodes[3].kind
        return fastjsonschema.JsonSchemaValueException(f"{name} {message}", name=name)

    for i, node in enumerate(nodes):
        if type(node) is not dict:
            raise bad(f"graph.nodes[{i}]", "must be object")
        if node.keys() != _NODE_KEYS:
            missing, extra = _NODE_KEYS - node.keys(), node.keys() - _NODE_KEYS
            if missing:
                raise bad(f"graph.nodes[{i}]", f"must contain {sorted(missing)} properties")
            raise bad(f"graph.nodes[{i}]", f"must not contain {sorted(extra)} properties")
        if type(node["id"]) is not str or not node["id"]:
            raise bad(f"graph.nodes[{i}].id", "must be a non-empty string")
        if type(node["kind"]) is not str or node["kind"] not in _NODE_KINDS:
            raise bad(f"graph.nodes[{i}].kind", f"must be one of {sorted(_NODE_KINDS)}")
        for key in ("type", "mode"):
            if node[key] is not None and type(node[key]) is not str:
                raise bad(f"graph.nodes[{i}].{key}", "must be string or null")
        action = node["action"]
        if action is not None and (type(action) is not str or action not in _ACTIONS):
            raise bad(f"graph.nodes[{i}].action", "must be a known action or null")
        if type(node["module"]) is not str:
            raise bad(f"graph.nodes[{i}].module", "must be string")
    for i, edge in enumerate(edges):
        if type(edge) is not list or len(edge) != 2 or type(edge[0]) is not str or type(edge[1]) is not str:
            raise bad(f"graph.edges[{i}]", "must be a [from, to] pair of strings")


def _analysis_from(doc: dict[str, Any]) -> Analysis:
    plan_meta = doc["plan"]
    changes = tuple(_change_from(c) for c in doc["changes"])
    plan = Plan(
        format_version=str(plan_meta["format_version"]),
        terraform_version=plan_meta.get("terraform_version"),
        resource_changes=changes,
        errored=bool(plan_meta.get("errored")),
        complete=plan_meta.get("complete") is not False,  # 1.0 documents say nothing: complete
        deferred=tuple(
            DeferredChange(address=d["address"], action=Action(d["action"]), reason=d.get("reason") or "")
            for d in plan_meta.get("deferred") or ()
        ),
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
        actions=_ACTIONS_OF.get(action, (action.value,)),
        replace_paths=tuple(tuple(p) for p in c.get("replace_paths") or ()),
        action_reason=c.get("action_reason"),
        previous_address=c.get("previous_address"),
    )


# Terraform's action list for the normalised actions that are not a list of one.
_ACTIONS_OF = {Action.REPLACE: ("delete", "create"), Action.REPLACE_FORGET: ("create", "forget")}


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
    # 1.x documents carry no `detail`: their graphs are full graphs.
    detail = RESOURCES if g.get("detail") == RESOURCES else FULL
    return PlanGraph(nodes, succ, pred, inferred=bool(g.get("inferred")), detail=detail)


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
    free = tuple(
        FreeResource(f["address"], f.get("type") or "", f.get("reason") or "") for f in c.get("free") or ()
    )
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
                    usage_keys=tuple(comp.get("usage_keys") or ()),
                )
                for comp in r.get("components") or ()
            ),
            region=r.get("region"),
            notes=tuple(r.get("notes") or ()),
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
        free=tuple(f.address for f in free),
        free_resources=free,
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
