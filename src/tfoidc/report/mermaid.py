"""A Mermaid flowchart of the changed resources and what they touch (pure).

GitLab renders ```mermaid blocks in notes. Edges follow the plan graph: `a --> b` means a depends on b.
"""

from __future__ import annotations

from dataclasses import dataclass

from tfoidc.analysis import Analysis

ACTION_STYLE = {
    "create": "fill:#d3f9d8,stroke:#2b8a3e",
    "update": "fill:#fff3bf,stroke:#e67700",
    "replace": "fill:#ffe8cc,stroke:#d9480f",
    "delete": "fill:#ffe3e3,stroke:#c92a2a",
    "forget": "fill:#e7f5ff,stroke:#1864ab",
    "context": "fill:#f1f3f5,stroke:#868e96",
}


@dataclass(frozen=True, slots=True)
class MermaidGraph:
    text: str
    drawn: int
    left_out: int


def changed_subgraph_mermaid(analysis: Analysis, *, max_nodes: int) -> MermaidGraph | None:
    """The changed resources plus their direct neighbours, at most `max_nodes` of them."""
    g = analysis.graph.graph
    changed = [rc.address for rc in analysis.plan.changes() if rc.address in g]
    if not changed:
        return None
    changed_set = set(changed)
    neighbours = sorted(
        {n for a in changed for n in (*g.predecessors(a), *g.successors(a)) if n not in changed_set}
    )
    wanted = [*changed, *neighbours]
    kept = wanted[:max_nodes]
    kept_set = set(kept)
    ids = {address: f"n{i}" for i, address in enumerate(kept)}
    lines = ["flowchart LR"]
    for address in kept:
        lines.append(f'  {ids[address]}["{_label(address)}"]')
    for a, b in g.edges():
        if a in kept_set and b in kept_set:
            lines.append(f"  {ids[a]} --> {ids[b]}")
    for style, css in ACTION_STYLE.items():
        lines.append(f"  classDef {style} {css}")
    for address in kept:
        action = g.nodes[address].get("action", "") if address in changed_set else "context"
        if action in ACTION_STYLE:
            lines.append(f"  class {ids[address]} {action}")
    return MermaidGraph(text="\n".join(lines), drawn=len(kept), left_out=len(wanted) - len(kept))


def _label(address: str) -> str:
    # Mermaid labels: quotes and angle brackets must be entities, backticks would end the code block.
    return (
        address.replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("`", "#96;")
    )
