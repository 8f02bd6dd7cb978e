"""AWS Config rules."""

from __future__ import annotations

from tests.cost.costplans import Change, one, price, priced, usage
from tests.cost.goldens import check_golden


def test_config_config_rule_golden() -> None:
    check_golden("config_config_rule")


def test_rule_evaluations_over_tiers() -> None:
    config = usage("aws_config_config_rule.r", monthly_rule_evaluations=200_000)
    rule = one(
        priced([Change("aws_config_config_rule.r", {"name": "r"})], config=config), "aws_config_config_rule.r"
    )
    assert rule.monthly_after == 100_000 * price("config/rule-evaluation/tier1") + 100_000 * price(
        "config/rule-evaluation/tier2"
    )
