"""Building the plan's dependency graph from `terraform show -json` output (see `graph` for its shape).

Edges come from the plan's `configuration` (references between resources, variables, outputs and module
calls). Each distinct module configuration is read once, as a "shape", and laid out under every call's
prefix. Without a configuration, edges are inferred from prior state `depends_on` and matching ids.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import orjson

from tfoidc.analysis.graph import (
    FULL,
    MODULE,
    OUTPUT,
    RESOURCE,
    RESOURCES,
    VARIABLE,
    Adjacency,
    Attributes,
    GraphDetail,
    PlanGraph,
)
from tfoidc.plan.addresses import strip_instance_keys
from tfoidc.plan.memory import cyclic_gc_paused
from tfoidc.plan.model import Plan, ResourceChange

# References that name no graph object: loop and path values, workspace, self (provisioners).
_NO_EDGE_HEADS = frozenset({"count", "each", "path", "terraform", "self"})
# Locals are not part of `terraform show -json` configuration, so references through them
# cannot be followed (their own references are already folded into the expression's list).
_UNFOLLOWABLE_HEADS = frozenset({"local"})
# Id-like values shorter than this are too generic ("default", "true") to infer an edge from.
_MIN_INFERRED_ID = 8
_FOUND, _NO_EDGE, _LOCAL, _ORPHAN = range(4)  # how a reference resolved


def build_graph(plan: Plan, *, detail: GraphDetail = RESOURCES) -> PlanGraph:
    """The plan's dependency graph: resources only (`detail="resources"`, what every stage and report
    reads), or with the configuration's variables, outputs and module calls as nodes (`"full"`)."""
    with cyclic_gc_paused():
        if detail == FULL:
            return _build_graph(plan, _Builder(plan), FULL)
        if _root_module(plan) is None:
            # Inferred edges run from module nodes to resources only: collapsing them is cheap.
            return _build_graph(plan, _Builder(plan), FULL).resource_graph()
        try:
            return _build_graph(plan, _ResourceBuilder(plan), RESOURCES)
        except _WiringCycle:  # an invalid configuration: exact reachability through the full graph
            return _build_graph(plan, _Builder(plan), FULL).resource_graph()


def _root_module(plan: Plan) -> dict[str, Any] | None:
    root = (plan.configuration or {}).get("root_module")
    return root if isinstance(root, dict) else None


def _build_graph(plan: Plan, builder: _Builder, detail: GraphDetail) -> PlanGraph:
    root = _root_module(plan)
    if root is not None:
        builder.from_configuration(root)
        notes = []
    else:
        builder.inferred_edges(plan)
        notes = [
            "the plan has no configuration: dependencies are inferred from prior state `depends_on` "
            "and matching ids, and may be incomplete"
        ]
    g = builder.g
    result = PlanGraph(
        g.nodes, g.succ, g.pred, inferred=not plan.has_configuration, notes=notes, detail=detail
    )
    result.orphans = sorted(builder.orphans)
    if builder.local_references:
        result.notes.append(
            f"{builder.local_references} reference(s) go through locals, which plan JSON does not "
            "describe; dependencies through them are not shown"
        )
    if not plan.resource_changes and plan.planned_values:
        result.notes.append("resources come from planned_values (the plan has no resource_changes)")
    if result.orphans:
        result.notes.append(f"{len(result.orphans)} reference(s) name nothing in the configuration")
    cycles = result.cycles()
    if cycles:
        result.notes.append(
            f"{len(cycles)} dependency cycle(s): " + "; ".join(" -> ".join(c) for c in cycles)
        )
    return result


class _Draft:
    """The graph while it is built, in networkx's adjacency layout (what `PlanGraph` keeps).
    Same semantics as the DiGraph calls: attributes update, edges to unknown nodes create them,
    edges carry no data."""

    def __init__(self) -> None:
        self.nodes: dict[str, Attributes] = {}
        self.succ: Adjacency = {}
        self.pred: Adjacency = {}

    def __contains__(self, node: object) -> bool:
        return node in self.nodes

    def add_node(self, node: str, attrs: Attributes) -> None:
        """Add `node` with `attrs` (the dict becomes the node's own), or update its attributes."""
        current = self.nodes.get(node)
        if current is None:
            self.nodes[node] = attrs
            self.succ[node] = {}
            self.pred[node] = {}
        else:
            current.update(attrs)

    def add_edge(self, a: str, b: str) -> None:
        succ = self.succ
        if a not in succ:
            self.add_node(a, {})
        if b not in succ:
            self.add_node(b, {})
        out = succ[a]
        if b not in out:
            out[b] = self.pred[b][a] = {}


@dataclass
class _Shape:
    """What one module's configuration declares and references, relative to the module. Built once
    per distinct module content: a module called many times (one source, many environments) is
    read and resolved once, then laid out under each call's prefix."""

    variables: list[str]
    outputs: list[tuple[str, list[str]]]  # (name, references)
    resources: list[tuple[str, list[str]]]  # (configuration address, references)
    calls: list[_CallShape]
    names: set[str]  # what a reference inside the module can name: var.x, aws_x.y, module.m[.output.o]
    resolved: dict[str, tuple[str | None, int]] = field(default_factory=dict)  # ref -> (relative target, how)
    reach: dict[str, _Reach] = field(default_factory=dict)  # what its wiring reaches (resource level)
    ref_reach: dict[str, _Reach] = field(default_factory=dict)  # what each reference reaches
    resource_refs: dict[str, tuple[list[str], list[list[str]], list[str]]] = field(default_factory=dict)
    unresolved: tuple[int, list[tuple[str, str]]] | None = None  # (local refs, orphan (source, ref)s)

    @cached_property
    def resource_addresses(self) -> frozenset[str]:
        return frozenset(address for address, _ in self.resources)

    @cached_property
    def output_refs(self) -> dict[str, list[str]]:
        return dict(self.outputs)

    @cached_property
    def call_by_name(self) -> dict[str, _CallShape]:
        return {call.name: call for call in self.calls}


@dataclass
class _CallShape:
    name: str
    source: str | None
    module: _Shape
    inputs: list[tuple[str, list[str]]]  # (variable, references)
    holds: list[str]  # count / for_each / depends_on references: they hold back the whole module
    input_reach: dict[str, _Reach] = field(default_factory=dict)  # input variable -> what it reaches

    @cached_property
    def input_refs(self) -> dict[str, list[str]]:
        return dict(self.inputs)


class _Builder:
    def __init__(self, plan: Plan) -> None:
        self.g = _Draft()
        self.orphans: set[tuple[str, str]] = set()
        # configuration address -> module instance address -> instance node ids
        self.instances: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.module_of: dict[str, str] = {}
        self._by_module: dict[str, list[str]] | None = None
        self.declared: set[str] = set()  # configuration addresses of configured resources
        self.local_references = 0
        self._shapes: dict[bytes, _Shape] = {}
        self._expanded: dict[str, list[str]] = {}  # resolved target -> the nodes it stands for
        self.output_actions = {oc.name: oc.action.value for oc in plan.output_changes}
        for rc in plan.resource_changes:
            self._add_instance(rc)
        if not plan.resource_changes and plan.planned_values:
            # Some plans carry resources only in planned_values: show them, with no action.
            root = _dict(plan.planned_values.get("root_module"))
            for resource in _state_resources(root):
                self._add_planned_value(resource)

    def _add_instance(self, rc: ResourceChange) -> None:
        node = rc.node_id
        self.g.add_node(
            node,
            {
                "kind": RESOURCE,
                "type": rc.type,
                "action": rc.action.value,
                "mode": rc.mode,
                "module": rc.module_address,
            },
        )
        if rc.deposed is None:  # nothing depends on a deposed object: it only waits to be destroyed
            address = rc.address
            config_address = strip_instance_keys(address) if "[" in address else address
            self.instances[config_address][rc.module_address].append(node)
            self.module_of[node] = rc.module_address

    def _add_planned_value(self, resource: dict[str, Any]) -> None:
        address = _str(resource.get("address"))
        if not address:
            return
        config_address = strip_instance_keys(address)
        module = _module_address(address)
        self.g.add_node(
            address,
            _attrs(RESOURCE, module, type=_str(resource.get("type")), mode=_str(resource.get("mode"))),
        )
        self.instances[config_address][module].append(address)
        self.module_of[address] = module

    def _is_resource(self, target: str) -> bool:
        """Whether a resolved target is a configured resource (then expand it to its instances)."""
        return target in self.declared or self.g.nodes[target].get("kind") == RESOURCE

    def _instances_of(self, config_address: str, module_instance: str | None = None) -> list[str]:
        """Instance nodes of a configured resource; only those in `module_instance` when it has any."""
        by_module = self.instances.get(config_address)
        if not by_module:
            return []
        if module_instance is not None and module_instance in by_module:
            return by_module[module_instance]
        return [n for nodes in by_module.values() for n in nodes]

    # --- from configuration ---------------------------------------------------------------------

    def from_configuration(self, root: dict[str, Any]) -> None:
        modules: list[tuple[_Shape, str]] = []  # every configured module instance, with its prefix
        self._declare(self._shape(root), "", modules)
        for shape, prefix in modules:
            for config_address, refs in shape.resources:
                self._resource_edges(prefix + config_address, refs, shape, prefix)
        for shape, prefix in modules:
            for call in shape.calls:
                self._module_call_edges(call, shape, prefix)
        self._output_edges(modules[0][0], "")

    def _shape(self, module: dict[str, Any]) -> _Shape:
        """The shape of `module`, shared with every earlier module of the very same content."""
        # Identical serialisations are identical configurations; a different key order only misses.
        try:
            key = orjson.dumps(module)
        except orjson.JSONEncodeError:  # nested deeper than orjson writes: read it, unshared
            return self._read_shape(module)
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = self._read_shape(module)
        return shape

    def _read_shape(self, module: dict[str, Any]) -> _Shape:
        variables = list(_dict(module.get("variables")))
        outputs = [
            (name, _dedupe_module_refs([*_references(o.get("expression")), *_strings(o.get("depends_on"))]))
            for name, o in _dict(module.get("outputs")).items()
            if isinstance(o, dict)
        ]
        resources = []
        for config in _list(module.get("resources")):
            address = _config_resource_address(config)
            if address is not None:
                refs = [
                    *_references(config.get("expressions")),
                    *_references(config.get("count_expression")),
                    *_references(config.get("for_each_expression")),
                    *_references(config.get("provisioners")),
                    *_strings(config.get("depends_on")),
                ]
                resources.append((address, _dedupe_module_refs(refs)))
        calls = []
        for name, call in _dict(module.get("module_calls")).items():
            if not isinstance(call, dict):
                continue
            inputs = [
                (variable, _dedupe_module_refs(_references(expression)))
                for variable, expression in _dict(call.get("expressions")).items()
            ]
            holds = [
                *_references(call.get("count_expression")),
                *_references(call.get("for_each_expression")),
                *_strings(call.get("depends_on")),
            ]
            child = self._shape(_dict(call.get("module")))
            calls.append(
                _CallShape(name, _str(call.get("source")), child, inputs, _dedupe_module_refs(holds))
            )
        names = {f"var.{v}" for v in variables} | {address for address, _ in resources}
        for call_shape in calls:
            names.add(f"module.{call_shape.name}")
            names.update(f"module.{call_shape.name}.output.{o}" for o, _ in call_shape.module.outputs)
        return _Shape(variables, outputs, resources, calls, names)

    def _declare(self, shape: _Shape, prefix: str, modules: list[tuple[_Shape, str]]) -> None:
        modules.append((shape, prefix))
        module_name = prefix[:-1]
        add_node = self.g.add_node
        variable = _attrs(VARIABLE, module_name)
        for name in shape.variables:
            add_node(f"{prefix}var.{name}", variable.copy())
        output = _attrs(OUTPUT, module_name)
        for name, _ in shape.outputs:
            attrs = output.copy()
            if not prefix:
                attrs["action"] = self.output_actions.get(name)
            add_node(f"{prefix}output.{name}", attrs)
        for address, _ in shape.resources:
            self.declared.add(prefix + address)
        for call in shape.calls:
            node = f"{prefix}module.{call.name}"
            add_node(node, _attrs(MODULE, module_name, type=call.source))
            if prefix:
                self.g.add_edge(module_name, node)
            self._declare(call.module, node + ".", modules)

    def _resource_edges(self, config_address: str, refs: list[str], shape: _Shape, prefix: str) -> None:
        sources = self._instances_of(config_address)
        module_node = prefix[:-1]
        add_edge = self.g.add_edge
        if module_node:
            for source in sources:
                add_edge(module_node, source)
        for ref in refs:
            target = self._resolve(ref, shape, prefix, config_address)
            if target is None:
                continue
            if not self._is_resource(target):
                for source in sources:
                    add_edge(source, target)
                continue
            # A reference inside a module instance names the resource in that same instance.
            for source in sources:
                for dependency in self._instances_of(target, self.module_of.get(source)):
                    if dependency != source:
                        add_edge(source, dependency)

    def _module_call_edges(self, call: _CallShape, shape: _Shape, prefix: str) -> None:
        node = f"{prefix}module.{call.name}"
        variables = node + ".var."
        nodes, add_edge = self.g.nodes, self.g.add_edge
        for name, refs in call.inputs:
            variable = variables + name
            if variable not in nodes:
                self.g.add_node(variable, _attrs(VARIABLE, node))
            if refs:
                for target in self._targets(refs, shape, prefix, variable):
                    if target != variable:
                        add_edge(variable, target)
        # depends_on / count / for_each of a module call hold back everything inside the module.
        targets = self._targets(call.holds, shape, prefix, node)
        if targets:
            for source in self._resources_under(node):
                for target in targets:
                    add_edge(source, target)
        self._output_edges(call.module, node + ".")

    def _resources_under(self, module_node: str) -> Iterator[str]:
        """Resource nodes in a module or any module nested in it."""
        if self._by_module is None:
            self._by_module = defaultdict(list)
            for node, attrs in self.g.nodes.items():
                if attrs.get("kind") == RESOURCE:
                    self._by_module[strip_instance_keys(attrs["module"])].append(node)
        for module, nodes in self._by_module.items():
            if module == module_node or module.startswith(module_node + "."):
                yield from nodes

    def _output_edges(self, shape: _Shape, prefix: str) -> None:
        add_edge = self.g.add_edge
        for name, refs in shape.outputs:
            node = f"{prefix}output.{name}"
            if prefix:
                add_edge(prefix[:-1], node)
            for target in self._targets(refs, shape, prefix, node):
                if target != node:
                    add_edge(node, target)

    def _targets(self, refs: list[str], shape: _Shape, prefix: str, source: str) -> list[str]:
        """The nodes `refs` (written in the module `shape` at `prefix`, by `source`) depend on,
        resources expanded to their instances."""
        targets: list[str] = []
        expanded_cache = self._expanded
        for ref in refs:
            target = self._resolve(ref, shape, prefix, source)
            if target is None:
                continue
            expanded = expanded_cache.get(target)
            if expanded is None:
                expanded = self._instances_of(target) if self._is_resource(target) else [target]
                expanded_cache[target] = expanded
            targets.extend(expanded)
        return targets

    def _resolve(self, ref: str, shape: _Shape, prefix: str, source: str) -> str | None:
        """The node a reference written in the module `shape` at `prefix` names, or None (no edge /
        orphan). Resolved once per module shape: what a name means depends only on the module."""
        resolved = shape.resolved.get(ref)
        if resolved is None:
            resolved = shape.resolved[ref] = _lookup(ref, shape.names)
        target, status = resolved
        if target is not None:
            return prefix + target
        if status == _LOCAL:
            self.local_references += 1
        elif status == _ORPHAN:
            # Not configured in this module; a planned instance at that address still counts.
            instance = _orphan_fallback(ref, prefix, self.g)
            if instance is not None:
                return instance
            self.orphans.add((source, ref))
        return None

    # --- without configuration ------------------------------------------------------------------

    def inferred_edges(self, plan: Plan) -> None:
        for node, module in list(self.module_of.items()):
            if module:
                module_node = strip_instance_keys(module)
                if module_node not in self.g:
                    self.g.add_node(module_node, _attrs(MODULE, ""))
                self.g.add_edge(module_node, node)
        self._state_depends_on(plan)
        self._matching_ids(plan)

    def _state_depends_on(self, plan: Plan) -> None:
        values = _dict(_dict(plan.prior_state).get("values"))
        for resource in _state_resources(_dict(values.get("root_module"))):
            address = _str(resource.get("address"))
            if address is None or address not in self.g:
                continue
            for dependency in _list(resource.get("depends_on")):
                if isinstance(dependency, str):
                    for target in self._instances_of(strip_instance_keys(dependency)):
                        if target != address:
                            self.g.add_edge(address, target)

    def _matching_ids(self, plan: Plan) -> None:
        owners: dict[str, set[str]] = defaultdict(set)
        for rc in plan.resource_changes:
            for values in (rc.before, rc.after):
                if isinstance(values, dict):
                    for key in ("id", "arn"):
                        value = values.get(key)
                        if isinstance(value, str) and len(value) >= _MIN_INFERRED_ID:
                            owners[value].add(rc.address)
        # An id two resources share (a trail named after its random_id) says nothing about which
        # depends on which: guessing would invent a cycle, so it infers no edge.
        owner = {value: next(iter(found)) for value, found in owners.items() if len(found) == 1}
        if not owner:
            return
        for rc in plan.resource_changes:
            for values in (rc.before, rc.after):
                if not isinstance(values, dict):
                    continue
                for key, value in values.items():
                    if key in ("id", "arn"):
                        continue
                    for candidate in value if isinstance(value, list) else (value,):
                        target = owner.get(candidate) if isinstance(candidate, str) else None
                        if target is not None and target != rc.address and rc.deposed is None:
                            self.g.add_edge(rc.address, target)


# --- the resource-level graph -------------------------------------------------------------------


class _WiringCycle(Exception):
    """The configuration's variables, outputs and module calls loop back on themselves (Terraform
    refuses such a configuration): the graph is then collapsed from the full graph instead."""


_NOTHING: frozenset[Any] = frozenset()


@dataclass(frozen=True, slots=True)
class _Reach:
    """The resources a variable, output or module call leads to, relative to its module: configured
    resources (`local`), planned instances named by references the configuration does not declare
    (`fallback`: each a tuple of candidate ids, the first that exists wins), and the module's own
    input variables it leads out through (`escapes`: resolved by each call of the module)."""

    local: frozenset[str] = _NOTHING
    fallback: frozenset[tuple[str, ...]] = _NOTHING
    escapes: frozenset[str] = _NOTHING


_NO_REACH = _Reach()


def _union(reaches: list[_Reach]) -> _Reach:
    if len(reaches) == 1:
        return reaches[0]
    local: set[str] = set()
    fallback: set[tuple[str, ...]] = set()
    escapes: set[str] = set()
    for reach in reaches:
        local |= reach.local
        fallback |= reach.fallback
        escapes |= reach.escapes
    if not (local or fallback or escapes):
        return _NO_REACH
    return _Reach(frozenset(local), frozenset(fallback), frozenset(escapes))


@dataclass(eq=False)
class _Placed:
    """A module of the configuration at its place (prefix without instance keys) in the tree."""

    shape: _Shape
    prefix: str  # "" for the root, else "module.a." / "module.a.module.b."
    parent: _Placed | None
    call: _CallShape | None  # the call in the parent module that places it
    reached: dict[str, list[str]] = field(default_factory=dict)  # wiring target -> resource instances
    escaped: dict[str, list[str]] = field(default_factory=dict)  # own variable -> resource instances


class _ResourceBuilder(_Builder):
    """The resource-level graph: an edge a -> b for every resource b that resource a reaches through
    references, variables, outputs and module calls, with no other resource between them (exactly the
    full graph's resource-to-resource reachability, `PlanGraph.resource_neighbours`).

    The wiring is never laid out node by node: what each variable, output and module call of a module
    reaches is worked out once per distinct module content (`_Reach`, relative to the module), and a
    variable's way out through its call once per placed module (`_escape`)."""

    def from_configuration(self, root: dict[str, Any]) -> None:
        placed: list[_Placed] = []
        self._root = self._read_shape(root)  # never shared: it is the only module at the root
        self._place(self._root, "", None, None, placed)
        self._placed_at = {p.prefix: p for p in placed}
        self._held: dict[str, list[str]] = {}
        self._in_progress: set[tuple[int, str]] = set()
        edges: dict[str, set[str]] = {}
        for p in placed:
            self._note_unresolved(p)
            for address, refs in p.shape.resources:
                self._resource_edges_at(p, address, refs, edges)
        if any(p.call is not None and p.call.holds for p in placed):
            self._hold_edges(edges)
        add_edge = self.g.add_edge
        for source, targets in edges.items():
            for target in sorted(targets):
                add_edge(source, target)

    def _place(
        self,
        shape: _Shape,
        prefix: str,
        parent: _Placed | None,
        call: _CallShape | None,
        placed: list[_Placed],
    ) -> None:
        here = _Placed(shape, prefix, parent, call)
        placed.append(here)
        for child in shape.calls:
            self._place(child.module, f"{prefix}module.{child.name}.", here, child, placed)

    def _note_unresolved(self, p: _Placed) -> None:
        """Count references through locals and record orphans, as the full graph does for every
        reference of every placed module."""
        shape = p.shape
        if shape.unresolved is None:
            items = [(address, refs) for address, refs in shape.resources]
            for call in shape.calls:
                items.extend((f"module.{call.name}.var.{v}", refs) for v, refs in call.inputs if refs)
                items.append((f"module.{call.name}", call.holds))
            items.extend((f"output.{name}", refs) for name, refs in shape.outputs)
            locals_, orphans = 0, []
            for source, refs in items:
                for ref in refs:
                    status = self._resolved(shape, ref)[1]
                    if status == _LOCAL:
                        locals_ += 1
                    elif status == _ORPHAN:
                        orphans.append((source, ref))
            shape.unresolved = (locals_, orphans)
        locals_, orphans = shape.unresolved
        self.local_references += locals_
        for source, ref in orphans:
            if self._fallback(_candidates(ref), p.prefix) is None:
                self.orphans.add((p.prefix + source, ref))

    def _resource_edges_at(
        self, p: _Placed, address: str, refs: list[str], edges: dict[str, set[str]]
    ) -> None:
        by_module = self.instances.get(p.prefix + address)
        if not by_module:
            return
        prefix = p.prefix
        named, fallbacks, wiring = self._resource_refs(p.shape, address, refs)
        direct = [prefix + target for target in named]  # the same module instance first
        for candidates in fallbacks:
            node = self._fallback(candidates, prefix)
            if node is not None:
                direct.append(node)
        through: list[str] = []  # resources reached through variables, outputs and module calls
        for target in wiring:
            reached = p.reached.get(target)
            if reached is None:
                reached = p.reached[target] = self._expand(self._wiring_reach(p.shape, target), p)
            through.extend(reached)
        for module_instance, sources in by_module.items():
            for source in sources:
                found = edges.get(source)
                if found is None:
                    found = edges[source] = set()
                for dependency in direct:
                    found.update(self._instances_of(dependency, module_instance))
                found.update(through)
                found.discard(source)

    def _resource_refs(
        self, shape: _Shape, address: str, refs: list[str]
    ) -> tuple[list[str], list[list[str]], list[str]]:
        """A configured resource's references, sorted once per module content: the resources they
        name, candidates for undeclared ones, and the variables, outputs and module calls."""
        found = shape.resource_refs.get(address)
        if found is None:
            named: list[str] = []
            fallbacks: list[list[str]] = []
            wiring: list[str] = []
            for ref in refs:
                target, status = self._resolved(shape, ref)
                if target is None:
                    if status == _ORPHAN and (candidates := _candidates(ref)):
                        fallbacks.append(candidates)
                elif target in shape.resource_addresses:
                    named.append(target)
                else:
                    wiring.append(target)
            found = shape.resource_refs[address] = (named, fallbacks, wiring)
        return found

    def _hold_edges(self, edges: dict[str, set[str]]) -> None:
        """count / for_each / depends_on of a module call hold back every resource under it."""
        holding: dict[str, list[_Placed]] = {}
        for node, attrs in self.g.nodes.items():
            module = strip_instance_keys(attrs.get("module") or "")
            if not module:
                continue
            calls = holding.get(module)
            if calls is None:
                calls = holding[module] = self._holding_calls(module)
            for p in calls:
                targets = self._held_targets(p)
                if targets:
                    found = edges.get(node)
                    if found is None:
                        found = edges[node] = set()
                    found.update(targets)
                    found.discard(node)

    def _holding_calls(self, module: str) -> list[_Placed]:
        """The placed modules on the path to `module` ("module.a.module.b") whose call holds."""
        parts = module.split(".")
        found = []
        for end in range(2, len(parts) + 1, 2):
            p = self._placed_at.get(".".join(parts[:end]) + ".")
            if p is not None and p.call is not None and p.call.holds:
                found.append(p)
        return found

    def _held_targets(self, p: _Placed) -> list[str]:
        held = self._held.get(p.prefix)
        if held is None:
            assert p.parent is not None and p.call is not None
            parent = p.parent
            held = self._held[p.prefix] = self._expand(self._refs_reach(parent.shape, p.call.holds), parent)
        return held

    # --- what a module's wiring reaches, once per module content -------------------------------

    def _resolved(self, shape: _Shape, ref: str) -> tuple[str | None, int]:
        resolved = shape.resolved.get(ref)
        if resolved is None:
            resolved = shape.resolved[ref] = _lookup(ref, shape.names)
        return resolved

    def _ref_reach(self, shape: _Shape, ref: str) -> _Reach:
        found = shape.ref_reach.get(ref)
        if found is None:
            target, status = self._resolved(shape, ref)
            if target is None:
                candidates = _candidates(ref) if status == _ORPHAN else []
                found = _Reach(fallback=frozenset({tuple(candidates)})) if candidates else _NO_REACH
            elif target in shape.resource_addresses:
                found = _Reach(local=frozenset({target}))
            else:
                found = self._wiring_reach(shape, target)
            shape.ref_reach[ref] = found
        return found

    def _refs_reach(self, shape: _Shape, refs: Iterable[str]) -> _Reach:
        return _union([self._ref_reach(shape, ref) for ref in refs])

    def _computing(self, shape: _Shape, key: str) -> None:
        mark = (id(shape), key)
        if mark in self._in_progress:
            raise _WiringCycle(key)
        self._in_progress.add(mark)

    def _computed(self, shape: _Shape, key: str, reach: _Reach) -> _Reach:
        self._in_progress.discard((id(shape), key))
        shape.reach[key] = reach
        return reach

    def _wiring_reach(self, shape: _Shape, target: str) -> _Reach:
        """`target`: var.x, module.c or module.c.output.o, relative to `shape`."""
        found = shape.reach.get(target)
        if found is not None:
            return found
        if target.startswith("var."):
            # The root module's variables are set by whoever runs Terraform: they lead nowhere.
            reach = _NO_REACH if shape is self._root else _Reach(escapes=frozenset({target[4:]}))
            return self._computed(shape, target, reach)
        self._computing(shape, target)
        parts = target.split(".", 3)
        call = shape.call_by_name[parts[1]]
        inside = (
            self._output_reach(call.module, parts[3]) if len(parts) == 4 else self._whole_reach(call.module)
        )
        return self._computed(shape, target, self._lift(shape, call, inside))

    def _output_reach(self, shape: _Shape, name: str) -> _Reach:
        key = "\0output\0" + name
        found = shape.reach.get(key)
        if found is None:
            self._computing(shape, key)
            found = self._computed(shape, key, self._refs_reach(shape, shape.output_refs.get(name, ())))
        return found

    def _whole_reach(self, shape: _Shape) -> _Reach:
        """A module as a whole: every resource in it and in the modules it calls, and what its
        outputs reach."""
        found = shape.reach.get("\0whole")
        if found is None:
            self._computing(shape, "\0whole")
            reaches = [_Reach(local=shape.resource_addresses)]
            reaches.extend(self._output_reach(shape, name) for name, _ in shape.outputs)
            reaches.extend(self._lift(shape, call, self._whole_reach(call.module)) for call in shape.calls)
            found = self._computed(shape, "\0whole", _union(reaches))
        return found

    def _input_reach(self, shape: _Shape, call: _CallShape, variable: str) -> _Reach:
        # No cycle mark of its own: a loop back to an input runs through a module output or a
        # whole module, which are marked.
        found = call.input_reach.get(variable)
        if found is None:
            refs = call.input_refs.get(variable, ())
            found = self._ref_reach(shape, refs[0]) if len(refs) == 1 else self._refs_reach(shape, refs)
            call.input_reach[variable] = found
        return found

    def _lift(self, shape: _Shape, call: _CallShape, reach: _Reach) -> _Reach:
        """A reach relative to `call`'s module, seen from the calling module `shape`."""
        if reach is _NO_REACH:
            return _NO_REACH
        inside = f"module.{call.name}."
        lifted = _Reach(
            frozenset(inside + address for address in reach.local),
            frozenset(tuple(inside + c for c in candidates) for candidates in reach.fallback),
        )
        if not reach.escapes:
            return lifted
        return _union([lifted, *(self._input_reach(shape, call, v) for v in reach.escapes)])

    # --- laid out under a placed module ----------------------------------------------------------

    def _expand(self, reach: _Reach, p: _Placed) -> list[str]:
        """The resource instances `reach` stands for in the placed module `p` (do not change the
        list: it may be a memo)."""
        if reach is _NO_REACH:
            return []
        if not reach.local and not reach.fallback and len(reach.escapes) == 1:
            for variable in reach.escapes:  # most module inputs pass one variable on
                return self._escape(p, variable)
        prefix = p.prefix
        found: list[str] = []
        for address in reach.local:
            found.extend(self._instances_of(prefix + address))
        for candidates in reach.fallback:
            node = self._fallback(candidates, prefix)
            if node is not None:
                found.extend(self._instances_of(node))
        for variable in reach.escapes:
            found.extend(self._escape(p, variable))
        return found

    def _escape(self, p: _Placed, variable: str) -> list[str]:
        """What `var.<variable>` of the placed module reaches through its call's input (nothing for
        the root module's variables, which the caller of Terraform sets)."""
        found = p.escaped.get(variable)
        if found is None:
            found = []
            if p.parent is not None and p.call is not None:
                found = self._expand(self._input_reach(p.parent.shape, p.call, variable), p.parent)
            p.escaped[variable] = found
        return found

    def _fallback(self, candidates: Iterable[str], prefix: str) -> str | None:
        """A planned resource instance a reference names without the configuration declaring it."""
        nodes = self.g.nodes
        for candidate in candidates:
            if prefix + candidate in nodes:
                return prefix + candidate
        return None


def _module_address(address: str) -> str:
    """ "module.a[0].module.b.aws_x.y[1]" -> "module.a[0].module.b" (keys may contain dots)."""
    parts: list[str] = []
    rest = address
    while rest.startswith("module."):
        match = _MODULE_STEP.match(rest)
        if not match:
            break
        parts.append(match.group(0).rstrip("."))
        rest = rest[match.end() :]
    return ".".join(parts)


_MODULE_STEP = re.compile(r'module\.[^.\[]+(?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?\.')


def _attrs(
    kind: str, module: str, *, type: str | None = None, action: str | None = None, mode: str | None = None
) -> dict[str, Any]:
    return {"kind": kind, "type": type, "action": action, "mode": mode, "module": module}


def _config_resource_address(config: Any) -> str | None:
    if not isinstance(config, dict):
        return None
    address = config.get("address")
    if isinstance(address, str) and address:
        return address
    rtype, name = config.get("type"), config.get("name")
    if not (isinstance(rtype, str) and isinstance(name, str)):
        return None
    return f"data.{rtype}.{name}" if config.get("mode") == "data" else f"{rtype}.{name}"


_NOT_EXPRESSIONS = frozenset({"constant_value", "references"})


def _references(expression: Any) -> list[str]:
    """Every `references` entry in an expression tree, nested blocks included (constants are values,
    not expressions, and are not searched)."""
    if type(expression) is dict and len(expression) == 1:  # the common {"references": [...]}
        refs = expression.get("references")
        if type(refs) is list:
            return [r for r in refs if type(r) is str]
        if "constant_value" in expression:
            return []
    found: list[str] = []
    stack = [expression]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            refs = item.get("references")
            if type(refs) is list:
                found.extend(r for r in refs if type(r) is str)
            for key, value in item.items():
                if (type(value) is dict or type(value) is list) and key not in _NOT_EXPRESSIONS:
                    stack.append(value)
        elif type(item) is list:
            stack.extend(v for v in item if type(v) is dict or type(v) is list)
    return found


def _lookup(ref: str, names: set[str]) -> tuple[str | None, int]:
    """What `ref` names among a module's `names`, relative to the module, and how it resolved."""
    for candidate in _candidates(ref):
        if candidate in names:
            return candidate, _FOUND
    head = _reference_parts(ref)[0]
    if head in _NO_EDGE_HEADS:
        return None, _NO_EDGE
    if head in _UNFOLLOWABLE_HEADS:
        return None, _LOCAL
    return None, _ORPHAN


def _candidates(ref: str) -> list[str]:
    """The relative node ids a reference can name, most precise first."""
    parts = _reference_parts(ref)
    head = parts[0]
    if head in _NO_EDGE_HEADS or head in _UNFOLLOWABLE_HEADS:
        return []
    if head == "var" and len(parts) >= 2:
        return [f"var.{parts[1]}"]
    if head == "module" and len(parts) >= 2:
        call = f"module.{parts[1]}"
        return [f"{call}.output.{parts[2]}", call] if len(parts) >= 3 else [call]
    if head == "data" and len(parts) >= 3:
        return [f"data.{parts[1]}.{parts[2]}"]
    if len(parts) >= 2:
        return [f"{parts[0]}.{parts[1]}"]
    return []


def _orphan_fallback(ref: str, prefix: str, graph: _Draft) -> str | None:
    """A reference to something the configuration does not declare can still name a node the plan
    has (a resource instance of a filtered configuration)."""
    for candidate in _candidates(ref):
        if prefix + candidate in graph:
            return prefix + candidate
    return None


@lru_cache(maxsize=65536)
def _reference_parts(ref: str) -> tuple[str, ...]:
    """ "module.a[0].out[1]" -> ("module", "a", "out"). Plans repeat the same references in
    every module instance, so the parse is cached."""
    return tuple(p.split("[", 1)[0] for p in strip_instance_keys(ref).split("."))


_MODULE_REF = re.compile(r"^module\.([^.\[]+)")


def _dedupe_module_refs(refs: list[str]) -> list[str]:
    """Drop a bare `module.x` when `module.x.<output>` is also referenced: Terraform lists both,
    and the output is the precise dependency."""
    if len(refs) < 2:
        return list(refs)
    if not any(r.startswith("module.") for r in refs):
        return list(dict.fromkeys(refs))
    with_output = {m.group(1) for r in refs if (m := _MODULE_REF.match(r)) and _has_output_part(r)}
    seen: set[str] = set()
    kept = []
    for ref in refs:
        m = _MODULE_REF.match(ref)
        if m and m.group(1) in with_output and not _has_output_part(ref):
            continue
        if ref not in seen:
            seen.add(ref)
            kept.append(ref)
    return kept


def _has_output_part(ref: str) -> bool:
    return len(_reference_parts(ref)) >= 3


def _state_resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for resource in _list(module.get("resources")):
        if isinstance(resource, dict):
            yield resource
    for child in _list(module.get("child_modules")):
        if isinstance(child, dict):
            yield from _state_resources(child)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
