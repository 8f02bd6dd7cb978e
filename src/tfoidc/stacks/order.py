"""Order between stacks: `depends_on` from tfoidc.toml, and dependencies inferred from
`terraform_remote_state` data sources that read another stack's state (same backend, bucket and key).

Plans run in parallel; applies follow this order. A cycle is an input error (exit 2) naming the cycle.
The graph is a plain adjacency map: the queries here are a few lines each, and `tfoidc stacks list`
stays clear of importing a graph library.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from tfoidc.errors import InputError
from tfoidc.stacks.discovery import STATE_IDENTITY, StackSet


@dataclass(frozen=True)
class Dependency:
    stack: str
    on: str
    why: str  # `depends_on in stacks.settings.live/**` or `reads its state (data.terraform_remote_state.net)`


@dataclass(frozen=True)
class StackGraph:
    """Edges run from a stack to the stacks it depends on."""

    on: dict[str, dict[str, str]]  # stack -> {dependency: why}
    by: dict[str, set[str]] = field(default_factory=dict)  # stack -> its dependents

    @property
    def edges(self) -> list[tuple[str, str]]:
        return [(a, b) for a, deps in self.on.items() for b in deps]

    def dependencies(self, name: str) -> list[str]:
        return sorted(self.on.get(name, {}))

    def dependents(self, name: str) -> list[str]:
        return sorted(self.by.get(name, ()))

    def why(self, stack: str, on: str) -> str:
        return self.on[stack][on]

    def reachable(self, name: str, *, upward: bool = False) -> set[str]:
        """Every stack `name` depends on, directly or not (`upward`: every stack depending on it)."""
        step = (lambda n: self.by.get(n, ())) if upward else (lambda n: self.on.get(n, {}))
        seen: set[str] = set()
        queue = deque(step(name))
        while queue:
            current = queue.popleft()
            if current not in seen:
                seen.add(current)
                queue.extend(step(current))
        return seen

    def path(self, start: str, end: str) -> list[str]:
        """A shortest chain of dependencies from `start` to `end` (both included)."""
        previous: dict[str, str] = {}
        queue = deque([start])
        while queue:
            current = queue.popleft()
            if current == end:
                chain = [end]
                while chain[-1] != start:
                    chain.append(previous[chain[-1]])
                return chain[::-1]
            for nxt in sorted(self.on.get(current, {})):
                if nxt not in previous and nxt != start:
                    previous[nxt] = current
                    queue.append(nxt)
        return []

    def affected_by(self, changed: Iterable[str]) -> dict[str, str]:
        """Stacks depending, directly or not, on a changed one -> the changed stack they depend on."""
        changed = set(changed)
        out: dict[str, str] = {}
        for name in sorted(changed):
            for dependent in sorted(self.reachable(name, upward=True)):
                if dependent not in changed:
                    out.setdefault(dependent, name)
        return out

    def apply_order(self, names: Iterable[str]) -> list[list[str]]:
        """`names` in waves: each wave depends only on earlier waves (dependencies outside `names`
        count as already applied)."""
        todo = set(names)
        waves: list[list[str]] = []
        while todo:
            wave = sorted(n for n in todo if not (set(self.on.get(n, {})) & todo))
            waves.append(wave)
            todo -= set(wave)
        return waves

    def needs_within(self, name: str, names: set[str]) -> list[str]:
        """The dependencies of `name` among `names` that another of them does not already imply."""
        direct = set(self.on.get(name, {})) & names
        implied = {d for dep in direct for d in self.reachable(dep)}
        return sorted(direct - implied)


def build_graph(stack_set: StackSet) -> StackGraph:
    on: dict[str, dict[str, str]] = {name: {} for name in stack_set.stacks}
    by: dict[str, set[str]] = {name: set() for name in stack_set.stacks}
    for dep in dependencies(stack_set):
        on[dep.stack].setdefault(dep.on, dep.why)
        by[dep.on].add(dep.stack)
    graph = StackGraph(on, by)
    cycle = _cycle(on)
    if cycle:
        path = " -> ".join([*cycle, cycle[0]])
        pairs = zip(cycle, [*cycle[1:], cycle[0]], strict=True)
        reasons = "; ".join(f"{a} -> {b}: {on[a][b]}" for a, b in pairs)
        raise InputError(f"stacks depend on each other in a cycle: {path} ({reasons})")
    return graph


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
                    Dependency(
                        stack.name, owner, f"reads its state (data.terraform_remote_state.{remote.name})"
                    )
                )
    return out


def _cycle(on: dict[str, dict[str, str]]) -> list[str] | None:
    """One cycle of the graph, as the stacks along it, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(on):
        if state.get(start):
            continue
        path: list[str] = []
        stack: list[tuple[str, list[str]]] = [(start, sorted(on[start]))]
        state[start] = 1
        path.append(start)
        while stack:
            node, todo = stack[-1]
            if not todo:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            nxt = todo.pop(0)
            if state.get(nxt) == 1:
                return path[path.index(nxt) :]
            if not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, sorted(on.get(nxt, {}))))
    return None
