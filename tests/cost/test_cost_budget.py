"""The budget guardrails read the cost estimate: a priced plan over a per-environment threshold is
blocked, under it passes; unpriced resources are named in the finding, never counted as $0."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PLANS, need_shared
from tests.cost.costplans import HOURS, Change, derive, make_plan, price, shipped
from tfoidc.analysis.run import analyze
from tfoidc.config import load_config


def _config(tmp_path: Path, plan_limit: int, resource_limit: int) -> Path:
    toml = tmp_path / "tfoidc.toml"
    toml.write_text(
        f"""
[guardrails.environments.prod.rules."TFO-COST-001".params]
max_monthly_delta = {plan_limit}
[guardrails.environments.prod.rules."TFO-COST-002".params]
max_monthly_resource = {resource_limit}
"""
    )
    return toml


def test_budget_rules_use_the_estimate_per_environment(tmp_path: Path) -> None:
    plan = derive(need_shared(PLANS / "infracost" / "example_plan.json"), lambda doc: None)
    one_instance = (
        price("ec2/instance-hour/m5.4xlarge") * HOURS
        + 50 * price("ebs/storage-gb-month/gp2")
        + 1000 * price("ebs/storage-gb-month/io1")
        + 800 * price("ebs/iops-month/io1")
    )
    # just under the plan's delta (two such instances), just under one instance
    config = load_config(_config(tmp_path, int(2 * one_instance) - 1, int(one_instance) - 1))
    blocked = analyze(plan, config, environment="prod", catalog=shipped())
    rules = sorted((f.rule, f.address) for f in blocked.findings if f.rule.startswith("TFO-COST"))
    assert rules == [
        ("TFO-COST-001", "(plan)"),
        ("TFO-COST-002", "aws_instance.web_app"),
        ("TFO-COST-002", "aws_instance.zero_cost_instance"),
    ]
    # the same thresholds do not apply to another environment
    other = analyze(plan, config, environment="dev", catalog=shipped())
    assert not [f for f in other.findings if f.rule.startswith("TFO-COST")]
    # a threshold just above the figures passes
    roomy = load_config(_config(tmp_path, int(2 * one_instance) + 1, int(one_instance) + 1))
    assert not [
        f
        for f in analyze(plan, roomy, environment="prod", catalog=shipped()).findings
        if f.rule.startswith("TFO-COST")
    ]


def test_the_budget_finding_counts_unpriced_resources(tmp_path: Path) -> None:
    plan = make_plan([Change("aws_nat_gateway.nat", {}), Change("aws_wafv2_web_acl.waf", {"name": "waf"})])
    config = load_config(_config(tmp_path, 10, 100000))
    result = analyze(plan, config, environment="prod", catalog=shipped())
    over = [f for f in result.findings if f.rule == "TFO-COST-001"]
    delta = price("natgateway/hour") * HOURS
    assert len(over) == 1 and f"${delta:,.2f}" in over[0].message
    assert "(1 resource(s) not priced)" in over[0].message
