"""Built-in guardrail rules: importing this package registers every rule in `registry.RULES`."""

from __future__ import annotations

from tfoidc.guardrails.registry import RULES, RuleSpec
from tfoidc.guardrails.rules import budget, encryption, exposure, iam, network, permissions, s3, safety

__all__ = [
    "budget",
    "encryption",
    "exposure",
    "iam",
    "load_all",
    "network",
    "permissions",
    "s3",
    "safety",
]


def load_all() -> dict[str, RuleSpec]:
    """The registry with every built-in and budget rule registered (importing this module did it)."""
    return RULES
