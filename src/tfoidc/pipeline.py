"""The analysis row: plan -> graph -> cost -> guardrails -> drift -> Analysis.

The only place (with the CLI) that knows the order of the stages. Each stage is a plain function
on plain data; later issues plug in here rather than growing the commands.
"""

from __future__ import annotations

from tfoidc.analysis import Analysis
from tfoidc.config import Config
from tfoidc.plan.drift import detect_drift
from tfoidc.plan.graph import build_graph
from tfoidc.plan.model import Plan


def analyze(plan: Plan, config: Config, *, environment: str | None = None) -> Analysis:
    graph = build_graph(plan)
    return Analysis(
        plan=plan,
        graph=graph,
        findings=(),
        cost=None,
        drift=detect_drift(plan),
        environment=environment,
    )
