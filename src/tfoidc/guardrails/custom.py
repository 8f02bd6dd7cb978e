"""Custom rules from tfoidc.toml: "every <resource type> must have <attribute> <operator> <value>".

Attribute paths: `tags.Owner`, `tags["kubernetes.io/role"]`, `versioning[0].enabled`,
`ingress[*].cidr_blocks` (`[*]`: every element must satisfy the operator).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from tfoidc.guardrails.paths import Step, parse_path
from tfoidc.guardrails.policy import CustomRule
from tfoidc.guardrails.registry import Hit, RuleContext, RuleSpec
from tfoidc.guardrails.resources import live
from tfoidc.plan.model import REDACTED, ResourceChange


@dataclass(frozen=True)
class Found:
    value: Any
    unknown: bool  # only known after apply (or sensitive): the rule cannot judge it


def resolve(rc: ResourceChange, steps: tuple[Step, ...]) -> list[Found]:
    """Every value `steps` reaches in the after-state (empty when the attribute is absent)."""
    found: list[Found] = []
    _walk(rc.after, rc.after_unknown, steps, found)
    return found


def _walk(node: Any, unknown: Any, steps: tuple[Step, ...], found: list[Found]) -> None:
    if unknown is True or node == REDACTED:
        found.append(Found(None, True))
        return
    if not steps:
        if node is not None:
            found.append(Found(node, False))
        return
    step, rest = steps[0], steps[1:]
    if step is None or isinstance(step, int):
        if not isinstance(node, list):
            return
        unknowns = unknown if isinstance(unknown, list) else []
        indexes = range(len(node)) if step is None else [step] if step < len(node) else []
        for i in indexes:
            _walk(node[i], unknowns[i] if i < len(unknowns) else None, rest, found)
        return
    if isinstance(node, dict):
        child_unknown = unknown.get(step) if isinstance(unknown, dict) else None
        _walk(node.get(step), child_unknown, rest, found)
    elif isinstance(unknown, dict) and unknown.get(step) is True:
        found.append(Found(None, True))


def satisfied(operator: str, expected: Any, found: list[Found]) -> bool | None:
    """Whether the resource complies; None when only apply can tell (an unknown value)."""
    if operator == "exists":
        return bool(found)  # a value known only after apply still exists
    if any(f.unknown for f in found):
        return None
    values = [f.value for f in found]
    if operator == "not_exists":
        return not values
    negated = operator.startswith("not_")
    base = operator.removeprefix("not_")
    if not values:
        return negated  # absent: "equals x" does not hold, "not_equals x" does
    if negated:
        return not any(_test(base, expected, v) for v in values)
    return all(_test(base, expected, v) for v in values)


def _test(operator: str, expected: Any, actual: Any) -> bool:
    if operator == "equals":
        return bool(
            actual == expected or (isinstance(actual, str | int | float) and str(actual) == str(expected))
        )
    if operator == "contains":
        if isinstance(actual, str):
            return str(expected) in actual
        return expected in actual if isinstance(actual, list | dict) else False
    if operator == "matches":
        return isinstance(actual, str | int | float) and re.fullmatch(str(expected), str(actual)) is not None
    if operator == "in":
        return actual in expected or str(actual) in [str(e) for e in expected]
    if operator in ("greater_than", "less_than"):
        try:
            number = float(actual)
        except (TypeError, ValueError):
            return False
        return number > expected if operator == "greater_than" else number < expected
    raise ValueError(f"unknown operator {operator!r}")


def custom_spec(custom: CustomRule) -> RuleSpec:
    return RuleSpec(
        id=custom.id,
        title=custom.title,
        severity=custom.severity,
        rationale=custom.message,
        fix=custom.fix or custom.message,
        references=(),
        check=partial(_check, custom, parse_path(custom.attribute)),
    )


def _check(custom: CustomRule, steps: tuple[Step, ...], ctx: RuleContext) -> Iterator[Hit]:
    wanted = set(custom.actions) if custom.actions is not None else None
    for rc in live(ctx.plan, custom.resource_type):
        if wanted is not None and rc.action.value not in wanted:
            continue
        verdict = satisfied(custom.operator, custom.value, resolve(rc, steps))
        if verdict is False:
            yield Hit(rc.address, custom.message, custom.attribute)
