"""Step Functions state machines."""

from __future__ import annotations

from decimal import Decimal

from tests.cost.costplans import Change, one, priced, usage
from tests.cost.goldens import check_golden


def test_sfn_state_machine_golden() -> None:
    check_golden("sfn_state_machine")


def test_express_duration_in_100_ms_and_64_mb_steps_over_tiers() -> None:
    config = usage(
        "aws_sfn_state_machine.e", monthly_requests=1_000_000, workflow_duration_ms=250, memory_mb=100
    )
    est = priced([Change("aws_sfn_state_machine.e", {"type": "EXPRESS"})], config=config)
    gb_hours = Decimal(1_000_000) * Decimal("0.3") * Decimal(128) / 1024 / 3600  # 300 ms, 128 MB
    costs = {c.name: c.monthly_quantity for c in one(est, "aws_sfn_state_machine.e").components}
    assert costs["Duration (first 1K)"] == gb_hours  # 10.4 GB-hours: all in the first tier
    standard = one(
        priced([Change("aws_sfn_state_machine.s", {"type": "STANDARD"})]), "aws_sfn_state_machine.s"
    )
    assert standard.depends_on_usage and standard.components[0].usage_keys == ("monthly_transitions",)
