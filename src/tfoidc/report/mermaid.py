"""A Mermaid flowchart of the changed resources and the resources they touch (pure).

GitLab renders ```mermaid blocks in notes. Edges follow the plan graph: `a --> b` means a depends on b.
Only resources are drawn: a dependency through variables, outputs or module calls is drawn as one
edge between the resources at its ends, so a reviewer sees what a change can reach, not the wiring.
"""

from __future__ import annotations

from dataclasses import dataclass

from tfoidc.analysis.model import Analysis
from tfoidc.report.escape import Markdown, visible

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
    text: Markdown  # the inside of a ```mermaid block: every label escaped, one node per line
    drawn: int
    left_out: int


def changed_subgraph_mermaid(analysis: Analysis, *, max_nodes: int) -> MermaidGraph | None:
    """The changed resources plus the resources next to them, at most `max_nodes` of them."""
    graph = analysis.graph
    changed, wanted = _changed_and_wanted(analysis)
    if not changed:
        return None
    changed_set = set(changed)
    kept = wanted[:max_nodes]
    kept_set = set(kept)
    ids = {address: f"n{i}" for i, address in enumerate(kept)}
    lines = ["flowchart LR"]
    lines.extend(f'  {ids[address]}["{_label(address)}"]' for address in kept)
    order = {address: i for i, address in enumerate(kept)}
    for address in kept:
        targets = analysis.graph.resource_neighbours(address) & kept_set
        lines.extend(f"  {ids[address]} --> {ids[t]}" for t in sorted(targets, key=order.__getitem__))
    by_class: dict[str, list[str]] = {}
    for address in kept:
        action = graph.nodes[address].get("action", "") if address in changed_set else "context"
        if action in ACTION_STYLE:
            by_class.setdefault(action, []).append(ids[address])
    for style, members in by_class.items():
        lines.append(f"  classDef {style} {ACTION_STYLE[style]}")
        lines.append(f"  class {','.join(members)} {style}")
    return MermaidGraph(text=Markdown("\n".join(lines)), drawn=len(kept), left_out=len(wanted) - len(kept))


# One slot: the note's size-budget loop draws the same analysis several times with smaller caps,
# and the neighbour walk over every change was most of a 10k-resource note (bench/README.md).
_last_wanted: list[tuple[Analysis, list[str], list[str]]] = []


def _changed_and_wanted(analysis: Analysis) -> tuple[list[str], list[str]]:
    """The changed resources, and them followed by their resource neighbours (sorted)."""
    if _last_wanted and _last_wanted[0][0] is analysis:
        return _last_wanted[0][1], _last_wanted[0][2]
    changed = [rc.address for rc in analysis.plan.changes() if rc.address in analysis.graph]
    changed_set = set(changed)
    neighbours: set[str] = set()
    for address in changed:
        neighbours |= analysis.graph.resource_neighbours(address)
        neighbours |= analysis.graph.resource_neighbours(address, dependents=True)
    wanted = [*changed, *sorted(neighbours - changed_set)]
    _last_wanted[:] = [(analysis, changed, wanted)]
    return changed, wanted


def _label(address: str) -> str:
    # Mermaid labels: one line (`visible`), quotes and angle brackets as entities, no backtick (it
    # would end the code block).
    return (
        visible(address)
        .replace("#", "#35;")
        .replace("&", "#amp;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("`", "#96;")
    )
