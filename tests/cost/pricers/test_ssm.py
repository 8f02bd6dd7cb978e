"""SSM parameters."""

from __future__ import annotations

from tests.cost.costplans import Change, one, price, priced
from tests.cost.goldens import check_golden


def test_ssm_parameter_golden() -> None:
    check_golden("ssm_parameter")


def test_standard_parameters_are_free_and_say_so() -> None:
    est = priced(
        [
            Change("aws_ssm_parameter.s", {"tier": "Standard"}),
            Change("aws_ssm_parameter.a", {"tier": "Advanced"}),
        ]
    )
    standard = one(est, "aws_ssm_parameter.s")
    assert standard.monthly_after == 0 and standard.components == () and "free" in standard.notes[0]
    assert one(est, "aws_ssm_parameter.a").monthly_after == price("ssm/advanced-parameter-month")


def test_a_tier_set_from_something_unknown_is_not_guessed() -> None:
    change = Change(
        "aws_ssm_parameter.p",
        {"name": "p"},
        after_unknown={"tier": True},
        expressions={"tier": {"references": ["var.tier"]}},
    )
    assert "tier is known only after apply" in priced([change]).not_priced[0].reason
