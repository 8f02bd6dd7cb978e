"""AWS Config rules (rule evaluations, usage, in price tiers)."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Tier, pricer

TIERS = (
    Tier("first 100K", "config/rule-evaluation/tier1", 100_000),
    Tier("next 400K", "config/rule-evaluation/tier2", 400_000),
    Tier("over 500K", "config/rule-evaluation/tier3"),
)


@pricer(
    "aws_config_config_rule",
    catalog=("config/rule-evaluation/",),
    usage={"monthly_rule_evaluations": "rule evaluations a month"},
)
def config_rule(a: Attrs, p: Pricing) -> list[CostComponent]:
    evaluations = p.usage_value("monthly_rule_evaluations")
    return p.tiered("Rule evaluations", TIERS, "evaluations", evaluations, ("monthly_rule_evaluations",))
