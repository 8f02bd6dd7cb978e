"""The rule registry: every rule (built-in or budget) registers here with its metadata.

A rule is a pure function `RuleContext -> Iterable[Hit]`; the engine turns hits into `Finding`s,
applying configured severities, per-environment overrides and waivers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tfoidc.guardrails.model import Severity

if TYPE_CHECKING:
    from tfoidc.analysis.graph import PlanGraph
    from tfoidc.cost.model import CostEstimate
    from tfoidc.plan.model import Plan


@dataclass(frozen=True)
class RuleContext:
    plan: Plan
    graph: PlanGraph
    environment: str | None = None
    production: bool = False
    cost: CostEstimate | None = None
    params: Mapping[str, Any] = field(default_factory=dict)  # this rule's params from tfoidc.toml


@dataclass(frozen=True)
class Hit:
    address: str
    message: str
    attribute: str | None = None
    blast_radius: tuple[str, ...] = ()
    severity: Severity | None = None  # a rule may raise or lower its default for one hit
    # The rule cannot judge this yet (a value known only after apply): always info, whatever the
    # rule's configured severity, so an unknown never blocks and is never silently passed.
    pending: bool = False


Check = Callable[[RuleContext], Iterable[Hit]]


@dataclass(frozen=True)
class RuleSpec:
    id: str
    title: str
    severity: Severity
    rationale: str
    fix: str
    references: tuple[str, ...]
    check: Check
    # The params a rule reads from tfoidc.toml, name -> type; the policy validates them against it.
    params: Mapping[str, Any] = field(default_factory=dict)


RULES: dict[str, RuleSpec] = {}


def rule(
    id: str,
    *,
    title: str,
    severity: Severity,
    rationale: str,
    fix: str,
    references: tuple[str, ...] = (),
    params: Mapping[str, Any] | None = None,
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"duplicate guardrail rule id {id}")
        RULES[id] = RuleSpec(id, title, severity, rationale, fix, references, check, dict(params or {}))
        return check

    return register
