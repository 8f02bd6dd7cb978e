"""Which resource does an attribute point at?  (e.g. the bucket an `aws_s3_bucket_acl` configures)

Resolved, in order, from: the attribute's known value (a bucket name or id in the after/before
state), the attribute's references in the plan's `configuration` (module- and instance-aware), and,
when neither decides, the dependency graph's single neighbour of the wanted type.
"""

from __future__ import annotations

import re
from typing import Any

from tfoidc.analysis.graph import PlanGraph
from tfoidc.guardrails.resources import known
from tfoidc.plan.model import Plan, ResourceChange

_MODULE_STEP = re.compile(r'module\.([^.\[]+)(\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?')
_REFERENCE = re.compile(r'^(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)(\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?')


def linked(
    plan: Plan,
    graph: PlanGraph,
    rc: ResourceChange,
    attribute: str,
    target_types: tuple[str, ...],
    *,
    id_attributes: tuple[str, ...] = ("id",),
) -> list[ResourceChange]:
    """The resources of `target_types` that `rc.<attribute>` refers to (empty when undecidable)."""
    targets = plan.derived(
        ("linked", target_types, id_attributes), lambda: _Targets(plan, target_types, id_attributes)
    )
    by_value = _by_value(rc, attribute, targets)
    if len(by_value) > 1:
        # One name in several accounts or regions (a module per account, each with its provider): the
        # configuration's reference says which of them this resource means.
        chosen = [t for t in _by_configuration(plan, rc, attribute, targets) if id(t) in by_value]
        if chosen:
            return chosen
    if by_value:
        return list(by_value.values())
    by_reference = _by_configuration(plan, rc, attribute, targets)
    if by_reference:
        return by_reference
    return _by_graph(graph, rc, targets)


class _Targets:
    """The plan's managed resources of some types, indexed the three ways `linked` looks them up."""

    def __init__(self, plan: Plan, types: tuple[str, ...], id_attributes: tuple[str, ...]) -> None:
        self.by_address: dict[str, ResourceChange] = {}
        self.by_value: dict[str, dict[int, ResourceChange]] = {}  # value -> the targets holding it, by id
        self.by_config: dict[tuple[str, str], list[ResourceChange]] = {}
        for target in plan.resource_changes:
            if target.type not in types or target.is_data:
                continue
            self.by_address[target.address] = target
            self.by_config.setdefault((target.module_address, _config_name(target)), []).append(target)
            values = {
                found
                for state in (target.after, target.before)
                if isinstance(state, dict)
                for a in id_attributes
                if isinstance(found := state.get(a), str)
            }
            for found in values:
                self.by_value.setdefault(found, {})[id(target)] = target


def _by_value(rc: ResourceChange, attribute: str, targets: _Targets) -> dict[int, ResourceChange]:
    # a resource this plan deletes points at its target through its before-state
    state = rc.after if isinstance(rc.after, dict) else rc.before
    wanted = state.get(attribute) if isinstance(state, dict) else None
    if not known(wanted) or not isinstance(wanted, str):
        return {}
    return targets.by_value.get(wanted, {})


def _by_configuration(
    plan: Plan, rc: ResourceChange, attribute: str, targets: _Targets
) -> list[ResourceChange]:
    block = configuration_block(plan, rc)
    expression = ((block or {}).get("expressions") or {}).get(attribute)
    references = expression.get("references") if isinstance(expression, dict) else None
    if not references:
        return []
    for reference in references:
        match = _REFERENCE.match(reference)
        if match is None:
            continue
        config_address = f"{rc.module_address}.{match.group(2)}.{match.group(3)}".lstrip(".")
        key = match.group(4)
        same_config = targets.by_config.get((rc.module_address, config_address), [])
        if not same_config:
            continue
        if key is not None:
            exact = [t for t in same_config if t.address == config_address + key]
            if exact:
                return exact
            continue
        if len(same_config) == 1:
            return same_config
        same_key = [t for t in same_config if t.index is not None and t.index == rc.index]
        return same_key
    return []


def _config_name(rc: ResourceChange) -> str:
    """`module.a[0].aws_s3_bucket.b["k"]` -> `module.a[0].aws_s3_bucket.b` (module keys kept)."""
    local = f"{rc.type}.{rc.name}"
    return f"{rc.module_address}.{local}" if rc.module_address else local


def _by_graph(graph: PlanGraph, rc: ResourceChange, targets: _Targets) -> list[ResourceChange]:
    if rc.address not in graph:
        return []
    wanted = targets.by_address
    neighbours = [wanted[n] for n in graph.successors(rc.address) if n in wanted]
    return neighbours if len(neighbours) == 1 else []


def attribute_references(plan: Plan, rc: ResourceChange, attribute: str) -> list[str]:
    """The references the configuration's expression for `rc.<attribute>` makes (empty when none)."""
    block = configuration_block(plan, rc)
    expression = ((block or {}).get("expressions") or {}).get(attribute)
    references = expression.get("references") if isinstance(expression, dict) else None
    return [str(r) for r in references or ()]


def configuration_block(plan: Plan, rc: ResourceChange) -> dict[str, Any] | None:
    """The `configuration` entry declaring `rc` (None when the plan carries no configuration)."""
    module: Any = (plan.configuration or {}).get("root_module")
    for step in _MODULE_STEP.finditer(rc.module_address):
        calls = (module or {}).get("module_calls") or {}
        module = (calls.get(step.group(1)) or {}).get("module")
        if module is None:
            return None
    local = f"{'data.' if rc.is_data else ''}{rc.type}.{rc.name}"
    for resource in (module or {}).get("resources") or ():
        if resource.get("address") in (local, rc.config_address):
            return dict(resource)
    return None
