"""Direct Connect connections."""

from __future__ import annotations

from tests.cost.costplans import HOURS, Change, one, price, priced
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig


def test_dx_connection_golden() -> None:
    check_golden("dx_connection")


def test_outbound_data_per_source_region_from_nested_usage() -> None:
    config = CostConfig(
        usage={
            "aws_dx_connection.c": {
                "monthly_outbound_from_region_to_dx_connection_location": {"eu_west_1": 100, "us_east_1": 50}  # type: ignore[dict-item]
            }
        }
    )
    conn = one(
        priced([Change("aws_dx_connection.c", {"bandwidth": "1Gbps", "location": "EqDC2"})], config=config),
        "aws_dx_connection.c",
    )
    assert conn.monthly_after == (
        price("directconnect/dedicated-port-hour/1Gbps") * HOURS
        + 100 * price("directconnect/outbound-gb/eu-west-1")
        + 50 * price("directconnect/outbound-gb/us-east-1")
    )
