"""The plan's dependency graph.  (First cut: nodes only; edges and queries land in the plan-core issue.)

Edges point from a dependent to what it depends on: `(a, b)` means *a depends on b*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from tfoidc.plan.model import Plan


@dataclass
class PlanGraph:
    graph: nx.DiGraph
    inferred: bool = False  # True when `configuration` was absent and edges were guessed
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "nodes": [{"id": n, **attrs} for n, attrs in self.graph.nodes(data=True)],
            "edges": [[a, b] for a, b in self.graph.edges()],
            "inferred": self.inferred,
        }


def build_graph(plan: Plan) -> PlanGraph:
    g: nx.DiGraph = nx.DiGraph()
    for rc in plan.resource_changes:
        g.add_node(rc.address, kind="resource", type=rc.type, action=rc.action.value, mode=rc.mode)
    return PlanGraph(graph=g, inferred=not plan.has_configuration)
