"""Building the plan's dependency graph from `terraform show -json` output (see `graph` for its shape).

Edges come from the plan's `configuration` (references between resources, variables, outputs and module
calls). Each distinct module configuration is read once, as a "shape", and laid out under every call's
prefix. Without a configuration, edges are inferred from prior state `depends_on` and matching ids.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson

from tfoidc.analysis.graph import MODULE, OUTPUT, RESOURCE, VARIABLE, Adjacency, Attributes, PlanGraph
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


def build_graph(plan: Plan) -> PlanGraph:
    with cyclic_gc_paused():
        return _build_graph(plan)


def _build_graph(plan: Plan) -> PlanGraph:
    builder = _Builder(plan)
    if plan.configuration and isinstance(plan.configuration.get("root_module"), dict):
        builder.from_configuration(plan.configuration["root_module"])
        notes = []
    else:
        builder.inferred_edges(plan)
        notes = [
            "the plan has no configuration: dependencies are inferred from prior state `depends_on` "
            "and matching ids, and may be incomplete"
        ]
    g = builder.g
    result = PlanGraph(g.nodes, g.succ, g.pred, inferred=not plan.has_configuration, notes=notes)
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


@dataclass
class _CallShape:
    name: str
    source: str | None
    module: _Shape
    inputs: list[tuple[str, list[str]]]  # (variable, references)
    holds: list[str]  # count / for_each / depends_on references: they hold back the whole module


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
            self.instances[rc.config_address][rc.module_address].append(node)
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
