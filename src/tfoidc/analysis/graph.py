"""The plan's dependency graph (networkx) and the queries the rest of tfoidc uses (built by `graph_build`).

Edges point from a dependent to what it depends on: `(a, b)` means *a depends on b*.

Two levels of detail (`PlanGraph.detail`):

- `"resources"` (what the analysis, the guardrails and every report read): the nodes are the resource
  instances, and `(a, b)` is an edge when a reaches b through references, input variables, outputs
  and module calls with no other resource in between. A dependency through a module's wiring is one
  edge, so reachability between resources is the same as in the full graph.
- `"full"` (`tfoidc analyze --graph full`): the configuration's wiring as nodes as well, module calls
  as "module.a" / "module.a.module.b" (no instance keys), outputs as "output.x" (root) and
  "module.a.output.x", variables as "var.x" and "module.a.var.x". A module node stands for the module
  as a whole: it depends on everything directly inside it, so `depends_on = [module.a]` makes a
  dependent of every resource in module.a. At 10k resources this is ~18 nodes per resource.

Resource instances are identified by their address (a deposed object as "<address> (deposed <key>)");
a configured resource with no planned instance, e.g. `count = 0`, has no node. Every node carries
`kind` (resource | module | output | variable), `type`, `action`, `mode` and `module`.

The graph is built in networkx's own adjacency layout and `PlanGraph.graph` wraps it in an
`nx.DiGraph` without copying, the first time a networkx query needs it: importing networkx is a
quarter second, and most runs (the JSON contract, the note, the HTML report) never need it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from tfoidc.plan.addresses import strip_instance_keys
from tfoidc.plan.model import Action

if TYPE_CHECKING:
    import networkx as nx

RESOURCE, MODULE, OUTPUT, VARIABLE = "resource", "module", "output", "variable"
GraphDetail = Literal["resources", "full"]
RESOURCES: GraphDetail = "resources"
FULL: GraphDetail = "full"
GRAPH_DETAILS: tuple[GraphDetail, ...] = (RESOURCES, FULL)
CHANGED_ACTIONS = frozenset(a.value for a in Action if a.is_change)


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
    detail: GraphDetail = FULL  # RESOURCES: resource nodes only, dependencies through wiring folded in
    _cycles: list[list[str]] | None = field(default=None, repr=False)

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

    @cached_property
    def _resource_level(self) -> PlanGraph:
        return _collapse(self)

    def resource_graph(self) -> PlanGraph:
        """This graph at resource level: itself when it is, else the wiring folded into
        resource-to-resource edges (computed once)."""
        return self if self.detail == RESOURCES else self._resource_level

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


def _collapse(full: PlanGraph) -> PlanGraph:
    """The resource nodes of `full`, with an edge to every resource each reaches through
    non-resource nodes only."""
    nodes = {n: attrs for n, attrs in full.nodes.items() if attrs.get("kind") == RESOURCE}
    succ: Adjacency = {n: {} for n in nodes}
    pred: Adjacency = {n: {} for n in nodes}
    for node in nodes:
        out = succ[node]
        for target in sorted(full.resource_neighbours(node)):
            out[target] = pred[target][node] = {}
    return PlanGraph(
        nodes,
        succ,
        pred,
        inferred=full.inferred,
        notes=list(full.notes),
        orphans=list(full.orphans),
        detail=RESOURCES,
    )


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
            cycle = [a for a, _ in nx.find_cycle(graph.subgraph(component))]
            start = cycle.index(min(cycle))  # the same rotation whatever the set order
            found.append(cycle[start:] + cycle[:start])
    return sorted(found)
