"""The plan's dependency graph (networkx) and the queries and exports the rest of tfoidc uses.

Edges point from a dependent to what it depends on: `(a, b)` means *a depends on b*.

Node ids: resource instances by their address (a deposed object as "<address> (deposed <key>)")
(a configured resource with no planned instance, e.g. `count = 0`, has no node); module calls as
"module.a" / "module.a.module.b" (no instance keys); outputs as "output.x" (root) and
"module.a.output.x"; variables as "var.x" and "module.a.var.x". Every node carries `kind`
(resource | module | output | variable), `type`, `action`, `mode` and `module`.

A module node stands for the module as a whole: it depends on everything directly inside it, so
`depends_on = [module.a]` makes a dependent of every resource in module.a.

The graph is built in networkx's own adjacency layout and `PlanGraph.graph` wraps it in an
`nx.DiGraph` without copying, the first time a networkx query needs it: importing networkx is a
quarter second, and most runs (the JSON contract, the note, the HTML report) never need it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

import orjson

from tfoidc.plan.addresses import strip_instance_keys
from tfoidc.plan.memory import cyclic_gc_paused
from tfoidc.plan.model import Action, Plan, ResourceChange

if TYPE_CHECKING:
    import networkx as nx

RESOURCE, MODULE, OUTPUT, VARIABLE = "resource", "module", "output", "variable"
CHANGED_ACTIONS = frozenset(a.value for a in Action if a.is_change)
# References that name no graph object: loop and path values, workspace, self (provisioners).
_NO_EDGE_HEADS = frozenset({"count", "each", "path", "terraform", "self"})
# Locals are not part of `terraform show -json` configuration, so references through them
# cannot be followed (their own references are already folded into the expression's list).
_UNFOLLOWABLE_HEADS = frozenset({"local"})
# Id-like values shorter than this are too generic ("default", "true") to infer an edge from.
_MIN_INFERRED_ID = 8
_FOUND, _NO_EDGE, _LOCAL, _ORPHAN = range(4)  # how a reference resolved
_DESTROY_FIRST = {"delete": 0, "replace": 1, "forget": 2, "create": 3, "update": 4}


Attributes = dict[str, Any]
Adjacency = dict[str, dict[str, Attributes]]  # node -> neighbour -> edge data (networkx's layout)


@dataclass(eq=False)
class PlanGraph:
    nodes: dict[str, Attributes]  # node id -> attributes
    succ: Adjacency  # node -> what it depends on
    pred: Adjacency  # node -> what depends on it
    inferred: bool = False  # True when `configuration` was absent and edges were guessed
    notes: list[str] = field(default_factory=list)
    orphans: list[tuple[str, str]] = field(default_factory=list)  # (node, reference resolving to nothing)
    _cycles: list[list[str]] | None = field(default=None, repr=False)

    @classmethod
    def from_networkx(cls, graph: nx.DiGraph, *, inferred: bool = False) -> PlanGraph:
        plan_graph = cls(graph._node, graph._succ, graph._pred, inferred=inferred)  # type: ignore[attr-defined]
        plan_graph.__dict__["graph"] = graph
        return plan_graph

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The graph as an `nx.DiGraph` sharing these dicts (networkx is imported here, on first use).
        Read-only by contract: the graph is not changed after `build_graph`."""
        import networkx as nx

        graph: nx.DiGraph = nx.DiGraph()
        graph._node = self.nodes  # type: ignore[attr-defined]
        graph._adj = self.succ  # type: ignore[attr-defined]  # also networkx's _succ
        graph._pred = self.pred  # type: ignore[attr-defined]
        return graph

    def __contains__(self, node: object) -> bool:
        return node in self.nodes

    def successors(self, node: str) -> list[str]:
        """What `node` depends on."""
        return list(self.succ[node])

    def edges(self) -> Iterator[tuple[str, str]]:
        """Every (dependent, dependency) pair."""
        for a, targets in self.succ.items():
            for b in targets:
                yield a, b

    # --- queries --------------------------------------------------------------------------------

    def blast_radius(self, address: str, *, kinds: Collection[str] | None = None) -> tuple[str, ...]:
        """Every node that transitively depends on `address` (an instance or configuration
        address), sorted; restricted to the given node kinds when `kinds` is set."""
        import networkx as nx

        starts = self._nodes_for(address)
        found: set[str] = set()
        for start in starts:
            found |= nx.ancestors(self.graph, start)
        found -= set(starts)
        return tuple(sorted(n for n in found if kinds is None or self.nodes[n].get("kind") in kinds))

    def creation_order(self, *, kinds: Collection[str] | None = (RESOURCE,)) -> list[str]:
        """Nodes with every dependency before its dependents (ties by id). Nodes of a cycle come
        together, in id order, where the cycle is."""
        import networkx as nx

        condensed = nx.condensation(self.graph)
        order: list[str] = []
        # Condensation edges run dependent -> dependency, so dependencies come last in a topological
        # sort; reversing gives creation order.
        for component in reversed(list(nx.lexicographical_topological_sort(condensed, key=str))):
            order.extend(sorted(condensed.nodes[component]["members"]))
        return [n for n in order if kinds is None or self.nodes[n].get("kind") in kinds]

    def orphaned_references(self) -> list[tuple[str, str]]:
        """(node, reference) pairs whose reference names nothing in the configuration."""
        return list(self.orphans)

    def cycles(self) -> list[list[str]]:
        """One cycle per strongly connected component (linear time, never hangs). Computed once:
        the graph is not changed after `build_graph`."""
        if self._cycles is None:
            self._cycles = _find_cycles(self.graph) if _cycles_possible(self.succ, self.pred) else []
        return [list(c) for c in self._cycles]

    def changed_nodes(self) -> list[str]:
        return [n for n, attrs in self.nodes.items() if attrs.get("action") in CHANGED_ACTIONS]

    def changed_subgraph(self, radius: int = 1) -> nx.DiGraph:
        """Changed resources and every node within `radius` edges of one (either direction)."""
        keep = set(self.changed_nodes())
        frontier = set(keep)
        for _ in range(radius):
            frontier = {m for n in frontier for m in (*self.pred[n], *self.succ[n]) if m not in keep}
            keep |= frontier
        return self.graph.subgraph(keep)

    def resource_neighbours(self, node: str, *, dependents: bool = False) -> set[str]:
        """The resources `node` depends on (with `dependents`: that depend on it) one step away,
        looking through module, variable and output nodes: the edges a reader of resources sees."""
        step = self.pred if dependents else self.succ
        attrs = self.nodes
        found: set[str] = set()
        seen = {node}
        stack = [node]
        while stack:
            for nxt in step[stack.pop()]:
                if nxt in seen:
                    continue
                seen.add(nxt)
                if attrs[nxt].get("kind") == RESOURCE:
                    found.add(nxt)
                else:
                    stack.append(nxt)
        return found

    def _nodes_for(self, address: str) -> list[str]:
        if address in self.nodes:
            return [address]
        return [
            n
            for n, attrs in self.nodes.items()
            if attrs.get("kind") == RESOURCE and strip_instance_keys(n) == address
        ]

    # --- exports --------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": [{"id": n, **attrs} for n, attrs in self.nodes.items()],
            "edges": [[a, b] for a, b in self.edges()],
            "inferred": self.inferred,
            "notes": list(self.notes),
            "cycles": self.cycles(),
            "orphaned_references": [{"from": n, "reference": r} for n, r in self.orphans],
        }

    def to_mermaid(self, max_nodes: int = 60) -> str:
        """Mermaid flowchart of the changed subgraph (radius 1), at most `max_nodes` nodes.

        Arrows point from a dependency to what depends on it (the order things are created in).
        Changed resources are kept first (destroying ones before others) when the cap bites.
        """
        sub = self.changed_subgraph(1)
        changed = sorted(
            (n for n in sub if sub.nodes[n]["action"] in CHANGED_ACTIONS),
            key=lambda n: (_DESTROY_FIRST.get(sub.nodes[n]["action"], 9), n),
        )
        others = sorted(n for n in sub if sub.nodes[n]["action"] not in CHANGED_ACTIONS)
        shown = (changed + others)[: max(max_nodes, 1)]
        ids = {n: f"n{i}" for i, n in enumerate(shown)}
        lines = ["flowchart LR"]
        if not shown:
            lines.append('  nochanges["no resource changes"]')
        for n in shown:
            attrs = sub.nodes[n]
            label = _mermaid_text(n if attrs["action"] is None else f"{n} ({attrs['action']})")
            lines.append(f'  {ids[n]}["{label}"]')
        hidden = len(sub) - len(shown)
        if hidden > 0:
            lines.append(f'  more["… {hidden} more not shown"]')
        for a, b in sub.edges():
            if a in ids and b in ids:
                lines.append(f"  {ids[b]} --> {ids[a]}")
        by_class: dict[str, list[str]] = defaultdict(list)
        for n in shown:
            action = sub.nodes[n]["action"]
            if action in CHANGED_ACTIONS:
                by_class[str(action)].append(ids[n])
        for action, colour in _MERMAID_COLOURS.items():
            if by_class.get(action):
                css = action.replace("-", "")
                lines.append(f"  classDef {css} {colour}")
                lines.append(f"  class {','.join(by_class[action])} {css}")
        return "\n".join(lines) + "\n"

    def to_dot(self) -> str:
        """Graphviz DOT of the whole graph; an edge `a -> b` means a depends on b."""
        lines = ["digraph plan {", "  rankdir=LR;", "  node [shape=box];"]
        for n, attrs in self.nodes.items():
            label = n if attrs["action"] is None else f"{n}\\n{attrs['action']}"
            colour = _DOT_COLOURS.get(str(attrs["action"]), "black")
            shape = "box" if attrs["kind"] == RESOURCE else "ellipse"
            lines.append(
                f'  "{_dot_text(n)}" [label="{_dot_text(label, keep_newline=True)}", '
                f"color={colour}, shape={shape}];"
            )
        for a, b in self.edges():
            lines.append(f'  "{_dot_text(a)}" -> "{_dot_text(b)}";')
        lines.append("}")
        return "\n".join(lines) + "\n"


def _cycles_possible(succ: Adjacency, pred: Adjacency) -> bool:
    """False when the graph is certainly acyclic (Kahn's algorithm on the adjacency dicts): a valid
    plan is, and proving it here spares importing networkx for the components."""
    indegree = {n: len(p) for n, p in pred.items()}
    ready = [n for n, d in indegree.items() if not d]
    seen = 0
    while ready:
        n = ready.pop()
        seen += 1
        for b in succ[n]:
            d = indegree[b] - 1
            indegree[b] = d
            if not d:
                ready.append(b)
    return seen != len(indegree)


def _find_cycles(graph: nx.DiGraph) -> list[list[str]]:
    import networkx as nx

    found = []
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1 or graph.has_edge(*(next(iter(component)),) * 2):
            edges = nx.find_cycle(graph.subgraph(component))
            found.append([a for a, _ in edges])
    return sorted(found)


_MERMAID_COLOURS = {
    "create": "fill:#d4f7d4,stroke:#2d882d",
    "update": "fill:#fff3c4,stroke:#b08800",
    "replace": "fill:#ffd8b0,stroke:#c25e00",
    "delete": "fill:#ffd4d4,stroke:#c00000",
    "forget": "fill:#e8e8e8,stroke:#666666",
}
_DOT_COLOURS = {"create": "green", "update": "orange", "replace": "darkorange", "delete": "red"}


def _mermaid_text(text: str) -> str:
    # Mermaid entity codes; `#` first so the entities themselves survive.
    for raw, entity in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("`", "#96;")):
        text = text.replace(raw, entity)
    return " ".join(text.split())


def _dot_text(text: str, *, keep_newline: bool = False) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if keep_newline:
        escaped = escaped.replace("\\\\n", "\\n")
    return " ".join(escaped.split())


# --- building -----------------------------------------------------------------------------------


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
