"""Reading the plan's after-state the way rules need it (pure functions over `Plan`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tfoidc.plan.model import REDACTED, Plan, ResourceChange


def live(plan: Plan, *types: str, data: bool = False) -> Iterator[ResourceChange]:
    """Resources of `types` that exist after apply (their after-state is known to be an object),
    in plan order."""
    index = _live_by_type(plan)
    found = [rc for t in types for rc in index.get((t, data), ())]
    if len(types) > 1:
        order = _plan_order(plan)
        found.sort(key=lambda rc: order[id(rc)])
    yield from found


# Every rule asks for a few types: the plan is indexed once (one plan at a time, by identity).
_index: list[tuple[Plan, dict[tuple[str, bool], list[ResourceChange]], dict[int, int]]] = []


def _live_by_type(plan: Plan) -> dict[tuple[str, bool], list[ResourceChange]]:
    if not _index or _index[0][0] is not plan:
        by_type: dict[tuple[str, bool], list[ResourceChange]] = {}
        for rc in plan.resource_changes:
            if isinstance(rc.after, dict) and rc.deposed is None:
                by_type.setdefault((rc.type, rc.is_data), []).append(rc)
        order = {id(rc): i for i, rc in enumerate(plan.resource_changes)}
        _index[:] = [(plan, by_type, order)]
    return _index[0][1]


def _plan_order(plan: Plan) -> dict[int, int]:
    _live_by_type(plan)
    return _index[0][2]


def destroyed(plan: Plan) -> Iterator[ResourceChange]:
    """Managed resources this plan deletes or replaces."""
    for rc in plan.resource_changes:
        if not rc.is_data and rc.action.destroys and rc.deposed is None:
            yield rc


def value(rc: ResourceChange, *path: str | int) -> Any:
    """The after-value at `path`, or None when absent (sensitive parts are already REDACTED)."""
    node: Any = rc.after
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return None
        elif not isinstance(node, dict):
            return None
        node = node[step] if isinstance(step, int) else node.get(step)
    return node


def unknown(rc: ResourceChange, *path: str | int) -> bool:
    """True when Terraform only learns the value at `path` during apply."""
    node: Any = rc.after_unknown
    for step in path:
        if node is True:
            return True
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return False
            node = node[step]
        else:
            if not isinstance(node, dict):
                return False
            node = node.get(step)
    return node is True


def blocks(rc: ResourceChange, name: str) -> list[dict[str, Any]]:
    """The nested blocks `name` (a list of objects in plan JSON), ignoring anything else."""
    found = value(rc, name)
    if isinstance(found, dict):
        return [found]
    return [b for b in found or () if isinstance(b, dict)]


def truthy(raw: Any) -> bool:
    """Terraform booleans arrive as JSON booleans, or as strings in some schemas (launch templates)."""
    return raw is True or (isinstance(raw, str) and raw.strip().lower() == "true")


def falsy(raw: Any) -> bool:
    return raw is False or (isinstance(raw, str) and raw.strip().lower() == "false")


def known(raw: Any) -> bool:
    return raw is not None and raw != REDACTED


_VERSION = re.compile(r"(\d+)(?:\.(\d+))?")


def aws_provider_major(plan: Plan) -> int | None:
    """The highest AWS provider major version the configuration allows, when a constraint says so.

    Plan JSON records version constraints, not the locked version; an upper bound such as `~> 3.0`
    or `< 4.0` pins the major version, anything open-ended (`>= 3.0`) does not.
    """
    config = plan.configuration or {}
    majors: list[int] = []
    for key, provider in (config.get("provider_config") or {}).items():
        name = str((provider or {}).get("full_name") or (provider or {}).get("name") or key)
        if not (name == "aws" or name.endswith("/aws") or key.split(".")[0] == "aws"):
            continue
        major = _upper_major(str((provider or {}).get("version_constraint") or ""))
        if major is not None:
            majors.append(major)
    return max(majors) if majors else None


def _upper_major(constraint: str) -> int | None:
    bounds: list[int] = []
    for part in constraint.split(","):
        part = part.strip()
        match = _VERSION.search(part)
        if not match:
            continue
        major, minor = int(match.group(1)), match.group(2)
        if part.startswith("~>"):
            bounds.append(major if minor is not None else major + 1_000)
        elif part.startswith("<"):
            bounds.append(major - 1 if part.startswith("<=") is False and minor in (None, "0") else major)
        elif part.startswith("=") or part[0].isdigit():
            bounds.append(major)
    real = [b for b in bounds if b < 1_000]
    return min(real) if real else None
