"""Plan model, parser and dependency graph."""

from tfoidc.plan.model import REDACTED, Action, OutputChange, Plan, ResourceChange
from tfoidc.plan.parse import load_plan, parse_plan

__all__ = ["REDACTED", "Action", "OutputChange", "Plan", "ResourceChange", "load_plan", "parse_plan"]
