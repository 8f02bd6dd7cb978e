"""Global Accelerator accelerators."""

from __future__ import annotations

from tests.cost.costplans import HOURS, Change, one, price, priced
from tests.cost.goldens import check_golden


def test_global_accelerator_golden() -> None:
    check_golden("global_accelerator")


def test_the_fixed_fee_is_global() -> None:
    for region in ("us-east-1", "eu-central-1"):
        est = priced([Change("aws_globalaccelerator_accelerator.a", {"enabled": True})], region=region)
        fee = price("globalaccelerator/accelerator-hour", region) * HOURS
        assert one(est, "aws_globalaccelerator_accelerator.a").monthly_after == fee
        assert fee == price("globalaccelerator/accelerator-hour") * HOURS
