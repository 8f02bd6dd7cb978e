"""Policy checks on the plan's after-state, with the dependency graph."""

from tfoidc.guardrails.model import Finding, Severity

__all__ = ["Finding", "Severity"]
