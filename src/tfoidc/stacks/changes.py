"""Which stacks a change reaches, and why (pure: two stack sets and a list of changed files in).

A stack is changed when a file under its folder changed (not under a nested stack or module folder),
when a local module it calls, through any depth of modules, changed, when one of its var files or
watched paths changed, or when the tfoidc.toml settings it ends up with changed. A stack of the base
that no longer exists is removed (a rename is a removal and a new stack).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from tfoidc.stacks.discovery import Stack, StackSet
from tfoidc.stacks.git import FileChange
from tfoidc.stacks.globs import PathGlob
from tfoidc.stacks.order import StackGraph

Status = Literal["changed", "affected", "removed"]
_VERB = {"A": "added", "M": "changed", "D": "deleted"}
# Reasons listed per source before "and N more".
MAX_FILES_PER_REASON = 5


@dataclass(frozen=True)
class StackChange:
    name: str
    status: Status
    why: tuple[str, ...]
    root: str


def detect_changes(
    now: StackSet,
    base: StackSet | None,
    files: Sequence[FileChange],
    graph: StackGraph,
    *,
    plan_affected: bool,
    config_path: str | None = None,
    base_problem: str | None = None,
) -> list[StackChange]:
    """Changed (and, with `plan_affected`, affected) stacks of `now`, and removed stacks of `base`.

    `base` is None when the base tree could not be read as stacks (`base_problem` says why): then
    every stack counts as changed.
    """
    units = set(now.calls) | (set(base.calls) if base is not None else set())
    by_unit: dict[str, list[FileChange]] = {}
    for change in files:
        if change.path == config_path:
            continue  # tfoidc.toml: compared setting by setting below
        unit = _owner(change.path, units)
        if unit is not None:
            by_unit.setdefault(unit, []).append(change)
    out: list[StackChange] = []
    for stack in now.stacks.values():
        if base is None:
            why = [f"every stack is planned: {base_problem or 'the base could not be read'}"]
        else:
            why = _reasons(stack, base.stacks.get(stack.name), by_unit, files)
        if why:
            out.append(StackChange(stack.name, "changed", tuple(why), stack.root))
    changed = {c.name for c in out}
    if plan_affected:
        for dependent, on in graph.affected_by(changed).items():
            reason = (
                f"depends on {on}, which changed ({graph.why(dependent, _next_hop(graph, dependent, on))})"
            )
            out.append(StackChange(dependent, "affected", (reason,), now.stacks[dependent].root))
    if base is not None:
        for name, old in base.stacks.items():
            if name not in now.stacks:
                out.append(StackChange(name, "removed", (_removed_reason(old, now),), old.root))
    return sorted(out, key=lambda c: c.name)


def _owner(path: str, units: set[str]) -> str | None:
    """The deepest folder holding Terraform files that contains `path`."""
    folder = posixpath.dirname(path) or "."
    while True:
        if folder in units:
            return folder
        if folder == ".":
            return None
        folder = posixpath.dirname(folder) or "."


def _reasons(
    stack: Stack, old: Stack | None, by_unit: dict[str, list[FileChange]], files: Sequence[FileChange]
) -> list[str]:
    why: list[str] = []
    if old is None:
        why.append(f"new stack in {stack.root}")
    elif old.root != stack.root:
        why.append(f"its root moved from {old.root} to {stack.root}")
    why.extend(_cap((f"file {c.path} {_VERB[c.status]}" for c in by_unit.get(stack.root, ())), "files"))
    for module in stack.modules:
        changed = by_unit.get(module)
        if not changed:
            continue
        chain = " → ".join(stack.module_chains[module])
        names = ", ".join(posixpath.relpath(c.path, module) for c in changed[:MAX_FILES_PER_REASON])
        more = (
            f" and {len(changed) - MAX_FILES_PER_REASON} more" if len(changed) > MAX_FILES_PER_REASON else ""
        )
        verb = (
            "changed"
            if len(changed) == 1 and changed[0].status == "M"
            else "changed (added, changed or deleted)"
        )
        why.append(f"calls module {chain}, whose {names}{more} {verb}")
    var_files = set(stack.var_files)
    why.extend(
        _cap((f"var file {c.path} {_VERB[c.status]}" for c in files if c.path in var_files), "var files")
    )
    globs = [PathGlob(w) for w in stack.watch]
    if globs:
        origin = stack.origins.get("watch", "stacks.settings")
        why.extend(
            _cap(
                (
                    f"watched path {c.path} {_VERB[c.status]} (watch in {origin})"
                    for c in files
                    if any(g.matches(c.path) for g in globs)
                ),
                "watched paths",
            )
        )
    if old is not None:
        keys = sorted(
            k for k in set(stack.settings) | set(old.settings) if stack.settings.get(k) != old.settings.get(k)
        )
        if keys:
            why.append(f"its settings in tfoidc.toml changed: {', '.join(keys)}")
    return why


def _cap(reasons: Iterable[str], what: str) -> list[str]:
    items = list(reasons)
    if len(items) <= MAX_FILES_PER_REASON:
        return items
    return [*items[:MAX_FILES_PER_REASON], f"and {len(items) - MAX_FILES_PER_REASON} more {what}"]


def _next_hop(graph: StackGraph, dependent: str, on: str) -> str:
    """The first dependency on the way from `dependent` to `on` (for the reason of the edge)."""
    return graph.path(dependent, on)[1]


def _removed_reason(old: Stack, now: StackSet) -> str:
    if old.root in now.calls:
        return f"{old.root} holds Terraform files but is no longer a stack (called as a module or excluded)"
    return f"{old.root} no longer holds Terraform files"
