"""Budget rules TFO-COST-001/002 on the real cost estimate (infracost's example plan: $1,485.28/month)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.guardrails.support import fixture
from tfoidc.analysis.run import analyze
from tfoidc.config import Config, load_config
from tfoidc.errors import InputError
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.policy import EnvironmentPolicy, GuardrailsPolicy, RuleSettings

PLAN = "infracost/example_plan.json"  # two m5.4xlarge instances, each $742.64/month on demand


def findings(policy: GuardrailsPolicy, environment: str | None = None) -> list[tuple[str, str, Severity]]:
    analysis = analyze(fixture(PLAN), Config(guardrails=policy), environment=environment)
    return [(f.rule, f.address, f.severity) for f in analysis.findings if f.rule.startswith("TFO-COST")]


def budget(**params: object) -> dict[str, RuleSettings]:
    rules = {}
    if "max_monthly_delta" in params:
        rules["TFO-COST-001"] = RuleSettings(params={"max_monthly_delta": params["max_monthly_delta"]})
    if "max_monthly_resource" in params:
        rules["TFO-COST-002"] = RuleSettings(params={"max_monthly_resource": params["max_monthly_resource"]})
    return rules


def test_without_thresholds_the_budget_rules_are_silent() -> None:
    assert findings(GuardrailsPolicy()) == []


def test_plan_over_the_monthly_budget_blocks() -> None:
    assert findings(GuardrailsPolicy(rules=budget(max_monthly_delta=1000))) == [
        ("TFO-COST-001", "(plan)", Severity.BLOCK)
    ]
    assert findings(GuardrailsPolicy(rules=budget(max_monthly_delta=1500))) == []


def test_each_resource_over_its_budget_blocks() -> None:
    assert findings(GuardrailsPolicy(rules=budget(max_monthly_resource=700))) == [
        ("TFO-COST-002", "aws_instance.web_app", Severity.BLOCK),
        ("TFO-COST-002", "aws_instance.zero_cost_instance", Severity.BLOCK),
    ]
    assert findings(GuardrailsPolicy(rules=budget(max_monthly_resource=800))) == []


def test_budget_per_environment() -> None:
    policy = GuardrailsPolicy(environments={"prod": EnvironmentPolicy(rules=budget(max_monthly_delta=100))})
    assert [rule for rule, _, _ in findings(policy, "prod")] == ["TFO-COST-001"]
    assert findings(policy, "dev") == []


def test_budget_message_states_the_amounts() -> None:
    analysis = analyze(
        fixture(PLAN), Config(guardrails=GuardrailsPolicy(rules=budget(max_monthly_delta=1000)))
    )
    [finding] = [f for f in analysis.findings if f.rule == "TFO-COST-001"]
    assert "$1,485.28" in finding.message and "$1,000.00" in finding.message


@pytest.mark.parametrize("bad", ['"lots"', "-5", "true", "nan"])
def test_bad_threshold_is_a_config_error_with_its_key_path(tmp_path: Path, bad: str) -> None:
    config = tmp_path / "tfoidc.toml"
    config.write_text(
        f'[guardrails.environments.prod.rules."TFO-COST-001".params]\nmax_monthly_delta = {bad}\n'
    )
    with pytest.raises(InputError, match=r"prod\.rules\.TFO-COST-001\.params\.max_monthly_delta"):
        load_config(config)
