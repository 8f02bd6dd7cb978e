"""The analysis row: plan -> graph -> cost -> guardrails -> drift -> Analysis.

The only place (with the CLI) that knows the order of the stages. Each stage is a plain function
on plain data; later stages plug in here rather than growing the commands.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from tfoidc.analysis.drift import detect_drift
from tfoidc.analysis.graph_build import build_graph
from tfoidc.analysis.model import Analysis
from tfoidc.cost.catalog import Catalog, load_catalog
from tfoidc.cost.config import CostConfig
from tfoidc.cost.estimator import estimate
from tfoidc.guardrails.engine import evaluate
from tfoidc.guardrails.external import ExternalResult
from tfoidc.guardrails.policy import GuardrailsPolicy
from tfoidc.plan.model import Plan


class Settings(Protocol):
    """The sections of tfoidc.toml the analysis reads (`tfoidc.config.Config` is one)."""

    @property
    def guardrails(self) -> GuardrailsPolicy: ...

    @property
    def cost(self) -> CostConfig: ...


def analyze(
    plan: Plan,
    config: Settings,
    *,
    environment: str | None = None,
    catalog: Catalog | None = None,
    today: date | None = None,
    external: Sequence[ExternalResult] = (),
) -> Analysis:
    """Run every analysis stage on one plan. Cost runs before guardrails so budget rules can read it."""
    graph = build_graph(plan)
    cost = estimate(plan, catalog=catalog or load_catalog(), config=config.cost)
    findings = evaluate(
        plan, graph, config.guardrails, environment=environment, cost=cost, today=today, external=external
    )
    return Analysis(
        plan=plan,
        graph=graph,
        findings=findings,
        cost=cost,
        drift=detect_drift(plan),
        environment=environment,
    )
