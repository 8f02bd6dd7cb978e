"""The resource-level builder against the full graph on generated configurations: module trees with
shared module contents, counted and keyed module calls and resources, references through inputs,
outputs and whole modules, `depends_on` on resources and module calls, locals, orphans and planned
instances the configuration does not declare. Whatever the shape, an edge a -> b of the resource-level
graph must be exactly "a reaches b in the full graph with no other resource in between"."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.analysis.test_graph import assert_same_reachability
from tfoidc.analysis.graph import FULL
from tfoidc.analysis.graph_build import build_graph
from tfoidc.plan.parse import parse_plan

RESOURCES = ("null_resource.r0", "null_resource.r1", "null_resource.r2")
VARIABLES = ("v0", "v1", "v2")
OUTPUTS = ("o0", "o1")
KEYS: tuple[tuple[str, ...], ...] = ((""), ("[0]", "[1]"), ('["a"]',), ())  # plain, count, for_each, none


def _refs(draw: st.DrawFn, module: dict[str, Any], calls: list[str]) -> list[str]:
    """References as Terraform writes them, to what `module` declares and to what it does not."""
    pool = [f"var.{v}" for v in module["variables"]] + ["var.undeclared"]
    pool += [f"{r}.id" for r in RESOURCES] + ["null_resource.planned_only.id"]
    for call in calls:
        pool += [f"module.{call}.{o}" for o in OUTPUTS] + [f"module.{call}", f"module.{call}.missing"]
    pool += ["local.x", "count.index", "each.key", "module.nothing.o0"]
    refs = draw(st.lists(st.sampled_from(pool), max_size=3))
    # Terraform also lists the object a reference goes through: `module.a.o0` comes with `module.a`.
    return refs + [r.rsplit(".", 1)[0] for r in refs if r.startswith("null_resource.") or r.count(".") == 2]


@st.composite
def modules(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    calls: dict[str, Any] = {}
    if depth < 2:
        names = draw(st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=3 - depth))
        shared = draw(modules(depth + 1)) if names else None
        for name in names:
            # Often the very same content under several calls: one shape, laid out per call.
            child = shared if draw(st.booleans()) else draw(modules(depth + 1))
            calls[name] = {"source": "./m", "module": child}
    module: dict[str, Any] = {
        "variables": {v: {} for v in draw(st.lists(st.sampled_from(VARIABLES), unique=True))},
        "module_calls": calls,
    }
    module["resources"] = [
        {
            "address": address,
            "mode": "managed",
            "type": "null_resource",
            "name": address.split(".")[1],
            "expressions": {"triggers": {"references": _refs(draw, module, list(calls))}},
            "depends_on": draw(
                st.lists(st.sampled_from([*RESOURCES, *(f"module.{c}" for c in calls)]), max_size=2)
            ),
        }
        for address in draw(st.lists(st.sampled_from(RESOURCES), unique=True, max_size=3))
    ]
    module["outputs"] = {
        name: {"expression": {"references": _refs(draw, module, list(calls))}}
        for name in draw(st.lists(st.sampled_from(OUTPUTS), unique=True))
    }
    return module


@st.composite
def wired_calls(draw: st.DrawFn, module: dict[str, Any]) -> dict[str, Any]:
    """`module` with its calls' inputs, depends_on and count filled from what it declares (a copy:
    shared contents stay shared only below this level)."""
    calls = {}
    for name, call in module["module_calls"].items():
        child = draw(wired_calls(call["module"]))
        others = [c for c in module["module_calls"] if c != name]
        expressions = {
            v: {"references": _refs(draw, module, others)} for v in child["variables"] if draw(st.booleans())
        }
        wired = {**call, "module": child, "expressions": expressions}
        if draw(st.booleans()):
            wired["depends_on"] = draw(
                st.lists(st.sampled_from([*RESOURCES, *(f"module.{c}" for c in others)]), max_size=2)
            )
        if draw(st.booleans()):
            wired["count_expression"] = {"references": _refs(draw, module, others)}
        calls[name] = wired
    return {**module, "module_calls": calls}


def _instances(draw: st.DrawFn, module: dict[str, Any], prefix: str, out: list[dict[str, Any]]) -> None:
    for resource in module["resources"]:
        for key in draw(st.sampled_from(KEYS)):
            out.append(_change(f"{prefix}{resource['address']}{key}", prefix))
    if draw(st.booleans()):  # an instance the configuration does not declare (a filtered configuration)
        out.append(_change(f"{prefix}null_resource.planned_only", prefix))
    for name, call in module["module_calls"].items():
        for key in draw(st.sampled_from(KEYS)):
            _instances(draw, call["module"], f"{prefix}module.{name}{key}.", out)


def _change(address: str, prefix: str) -> dict[str, Any]:
    return {
        "address": address,
        "module_address": prefix[:-1],
        "mode": "managed",
        "type": "null_resource",
        "name": address.rsplit(".", 1)[1].split("[")[0],
        "change": {"actions": ["create"], "before": None, "after": {}},
    }


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    root = draw(wired_calls(draw(modules())))
    changes: list[dict[str, Any]] = []
    _instances(draw, root, "", changes)
    unique = list({c["address"]: c for c in changes}.values())
    if unique and draw(st.booleans()):  # a deposed object beside its current one
        unique.append({**unique[0], "deposed": "00000001"})
    return {"format_version": "1.2", "resource_changes": unique, "configuration": {"root_module": root}}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_resource_graph_equals_the_full_graphs_resource_reachability(doc: dict[str, Any]) -> None:
    plan = parse_plan(orjson.dumps(doc), source="generated.json")
    assert_same_reachability(build_graph(plan, detail=FULL), build_graph(plan))
