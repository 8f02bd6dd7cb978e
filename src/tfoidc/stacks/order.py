"""Order between stacks: `depends_on` from tfoidc.toml, and dependencies inferred from
`terraform_remote_state` data sources that read another stack's state (same backend, bucket and key).

Plans run in parallel; applies follow this order. A cycle is an input error (exit 2) naming the cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from tfoidc.errors import InputError
from tfoidc.stacks.discovery import STATE_IDENTITY, StackSet


@dataclass(frozen=True)
class Dependency:
    stack: str
    on: str
    why: str  # `depends_on in stacks.settings."live/**"` or `reads its state (data.terraform_remote_state.net)`


@dataclass(frozen=True)
class StackGraph:
    """Edges run from a stack to the stacks it depends on."""

    graph: nx.DiGraph

    def dependencies(self, name: str) -> list[str]:
        return sorted(self.graph.successors(name))

    def dependents(self, name: str) -> list[str]:
        return sorted(self.graph.predecessors(name))

    def why(self, stack: str, on: str) -> str:
        return str(self.graph.edges[stack, on]["why"])

    def affected_by(self, changed: Iterable[str]) -> dict[str, str]:
        """Stacks depending, directly or not, on a changed one -> the changed stack they depend on."""
        changed = set(changed)
        out: dict[str, str] = {}
        for name in sorted(changed):
            for dependent in sorted(nx.ancestors(self.graph, name)):
                if dependent not in changed:
                    out.setdefault(dependent, name)
        return out

    def apply_order(self, names: Iterable[str]) -> list[list[str]]:
        """`names` in waves: each wave depends only on earlier waves (dependencies outside `names`
        count as already applied)."""
        sub = self.graph.subgraph(set(names))
        return [sorted(wave) for wave in nx.topological_generations(sub.reverse(copy=False))]

    def needs_within(self, name: str, names: set[str]) -> list[str]:
        """The dependencies of `name` among `names` that are not already implied by another of them."""
        sub = self.graph.subgraph(names | {name})
        direct = set(sub.successors(name))
        implied = {d for dep in direct for d in nx.descendants(sub, dep)}
        return sorted(direct - implied)


def build_graph(stack_set: StackSet) -> StackGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(stack_set.stacks)
    for dep in dependencies(stack_set):
        if not graph.has_edge(dep.stack, dep.on):
            graph.add_edge(dep.stack, dep.on, why=dep.why)
    cycle = _cycle(graph)
    if cycle:
        path = " -> ".join([*cycle, cycle[0]])
        reasons = "; ".join(f"{a} -> {b}: {graph.edges[a, b]['why']}" for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True))
        raise InputError(f"stacks depend on each other in a cycle: {path} ({reasons})")
    return StackGraph(graph)


def dependencies(stack_set: StackSet) -> list[Dependency]:
    out: list[Dependency] = []
    owners: dict[tuple[str, tuple[str, ...]], str] = {}
    for stack in stack_set.stacks.values():
        identity = stack.state_identity()
        if identity is not None:
            owners.setdefault(identity, stack.name)
    for stack in stack_set.stacks.values():
        origin = stack.origins.get("depends_on", "stacks.settings")
        out.extend(Dependency(stack.name, on, f"depends_on in {origin}") for on in stack.depends_on)
        for remote in stack.remote_states:
            keys = STATE_IDENTITY.get(remote.backend or "")
            if keys is None or any(remote.setting(k) is None for k in keys):
                continue
            owner = owners.get((remote.backend or "", tuple(remote.setting(k) or "" for k in keys)))
            if owner is not None and owner != stack.name:
                out.append(
                    Dependency(stack.name, owner, f"reads its state (data.terraform_remote_state.{remote.name})")
                )
    return out


def _cycle(graph: nx.DiGraph) -> list[str] | None:
    try:
        edges = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return None
    return [str(a) for a, _ in edges]
