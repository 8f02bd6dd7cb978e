"""Apply order between stacks, checked by `tfoidc apply` before any credential is requested.

A guard against mistakes, not a security boundary (the job author controls the job's script; GitLab's
`needs` and protected environments, and IAM, are the boundaries): a stack is not applied while a stack
it depends on has changes planned for the same commit that are not applied yet, nor with a plan made
before such changes were applied (that plan read the dependency's old outputs).

Each stack's folder in the plans folder (`tfoidc-out/<stack>`) holds the lifecycle's `manifest.json`,
and, written here, `stack.json` (what the dependencies looked like when the stack was planned) and
`applied.json` (which saved plan was applied).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from tfoidc.errors import PolicyBlocked
from tfoidc.files import write_atomic

STACK_RECORD = "stack.json"
APPLIED_RECORD = "applied.json"
MANIFEST = "manifest.json"


def plans_root(out_dir: Path, name: str) -> Path | None:
    """The folder holding every stack's plan folder, when `out_dir` is `<it>/<name>`."""
    parts = Path(name).parts
    if out_dir.parts[-len(parts) :] != parts:
        return None
    return Path(*out_dir.parts[: -len(parts)])


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        doc = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return doc if isinstance(doc, dict) else None


def dependency_states(
    root: Path, dependencies: Iterable[str], commit: str | None
) -> dict[str, dict[str, Any]]:
    """For each dependency planned for `commit`: its pending plan (changes not applied) or the plan that
    was applied; dependencies without a plan of this commit are left out (nothing of theirs is pending)."""
    out: dict[str, dict[str, Any]] = {}
    for dep in dependencies:
        manifest = read_json(root / dep / MANIFEST)
        if manifest is None or (commit and manifest.get("commit_sha") not in (None, commit)):
            continue
        sha = manifest.get("plan_sha256")
        applied = read_json(root / dep / APPLIED_RECORD) or {}
        done = applied.get("plan_sha256") == sha
        out[dep] = {
            "has_changes": bool(manifest.get("has_changes")),
            "pending": sha if manifest.get("has_changes") and not done else None,
            "applied": sha if done else None,
        }
    return out


def write_stack_record(out_dir: Path, record: dict[str, Any]) -> None:
    write_atomic(
        out_dir / STACK_RECORD, orjson.dumps(record, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    )


def check_apply_order(name: str, out_dir: Path, dependencies: Iterable[str], commit: str | None) -> None:
    """Raise PolicyBlocked (exit 3) when `name` must wait for, or be planned again after, a dependency."""
    deps = sorted(dependencies)
    root = plans_root(out_dir, name)
    if not deps or root is None:
        return
    now = dependency_states(root, deps, commit)
    record = read_json(out_dir / STACK_RECORD) or {}
    then: dict[str, Any] = record.get("dependencies") or {}
    for dep, state in now.items():
        if state["pending"]:
            raise PolicyBlocked(
                f"apply {dep} first: {name} depends on it, and its changes planned for this commit are not "
                "applied yet"
            )
        if state["has_changes"] and (then.get(dep) or {}).get("applied") != state["applied"]:
            raise PolicyBlocked(
                f"plan {name} again: it was planned before the changes of {dep}, which it depends on, were "
                "applied, so its plan read the old state of that stack"
            )


def record_applied(out_dir: Path) -> None:
    manifest = read_json(out_dir / MANIFEST) or {}
    record = {
        "plan_sha256": manifest.get("plan_sha256"),
        "commit_sha": manifest.get("commit_sha"),
        "applied_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    write_atomic(
        out_dir / APPLIED_RECORD, orjson.dumps(record, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    )
