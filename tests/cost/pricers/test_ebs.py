"""aws_ebs_volume (values from infracost's ebs_volume_test.tf)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.cost.costplans import Change, one, price, priced
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"size": 10}, {"ebs/storage-gb-month/gp2": 10}),
        ({"type": "gp2", "size": 10}, {"ebs/storage-gb-month/gp2": 10}),
        (
            {"type": "io1", "size": 30, "iops": 300},
            {"ebs/storage-gb-month/io1": 30, "ebs/iops-month/io1": 300},
        ),
        (
            {"type": "io2", "size": 30, "iops": 300},
            {"ebs/storage-gb-month/io2": 30, "ebs/iops-month/io2": 300},
        ),
        ({"type": "st1", "size": 40}, {"ebs/storage-gb-month/st1": 40}),
        ({"type": "sc1", "size": 50}, {"ebs/storage-gb-month/sc1": 50}),
        ({"type": "gp3", "size": 40, "iops": 3000, "throughput": 125}, {"ebs/storage-gb-month/gp3": 40}),
        (
            {"type": "gp3", "size": 40, "iops": 4000, "throughput": 130},
            {"ebs/storage-gb-month/gp3": 40, "ebs/iops-month/gp3": 1000, "ebs/throughput-mbps-month/gp3": 5},
        ),
        ({"type": "standard", "size": 20}, {"ebs/storage-gb-month/standard": 20}),
    ],
)
def test_ebs_volume(values: dict[str, Any], expected: dict[str, int]) -> None:
    values = {"availability_zone": "us-east-1a", **values}
    est = priced([Change("aws_ebs_volume.v", values)])
    total = sum((price(key) * qty for key, qty in expected.items()), Decimal(0))
    assert one(est, "aws_ebs_volume.v").monthly_after == total


def test_ebs_standard_io_requests_depend_on_usage_until_given() -> None:
    change = Change("aws_ebs_volume.std", {"type": "standard", "size": 20})
    est = priced([change])
    io = next(c for c in one(est, "aws_ebs_volume.std").components if c.name == "I/O requests")
    assert io.monthly_cost is None and io.monthly_quantity is None
    assert io.unit_price == price("ebs/io-request/standard") * 1_000_000  # per 1M requests
    usage = CostConfig(usage={"aws_ebs_volume.std": {"monthly_standard_io_requests": Decimal(3_000_000)}})
    est = priced([change], config=usage)
    assert one(est, "aws_ebs_volume.std").monthly_after == 20 * price(
        "ebs/storage-gb-month/standard"
    ) + 3_000_000 * price("ebs/io-request/standard")


def test_ebs_volume_size_unknown_is_not_priced() -> None:
    est = priced([Change("aws_ebs_volume.v", {"type": "gp3"}, after_unknown={"size": True})])
    assert [n.reason for n in est.not_priced] == ["size is known only after apply"]


def test_ebs_outside_us_east_1_is_not_priced_rather_than_free() -> None:
    est = priced([Change("aws_ebs_volume.v", {"type": "gp3", "size": 10})], region="eu-west-1")
    assert not est.resources
    assert "no price for ebs/storage-gb-month/gp3 in eu-west-1" in est.not_priced[0].reason


def test_ebs_volume_golden() -> None:
    check_golden("ebs_volume")
