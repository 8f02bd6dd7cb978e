"""CloudFront distributions."""

from __future__ import annotations

from decimal import Decimal

from tests.cost.costplans import Change, one, price, priced
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig


def test_cloudfront_distribution_golden() -> None:
    check_golden("cloudfront_distribution")


def test_without_usage_the_us_group_depends_on_usage_with_its_unit_prices() -> None:
    values = {"origin": [{"origin_id": "s3"}], "default_cache_behavior": [{}], "viewer_certificate": [{}]}
    dist = one(priced([Change("aws_cloudfront_distribution.d", values)]), "aws_cloudfront_distribution.d")
    assert dist.depends_on_usage
    names = [c.name for c in dist.components]
    assert "US, Mexico, Canada: Data transfer out to internet (first 10TB)" in names
    prices = {c.name: c.unit_price for c in dist.components}
    assert prices["US, Mexico, Canada: HTTPS requests"] == price("cloudfront/https-request/us") * 10_000


def test_data_transfer_tiers_per_edge_group_and_the_same_price_in_every_region() -> None:
    values = {"origin": [{"origin_id": "s3"}], "default_cache_behavior": [{}], "viewer_certificate": [{}]}
    key = "monthly_data_transfer_to_internet_gb.europe"
    config = CostConfig(usage={"aws_cloudfront_distribution.d": {key: Decimal(20 * 1024)}})
    for region in ("us-east-1", "eu-central-1"):
        dist = one(
            priced([Change("aws_cloudfront_distribution.d", values)], region=region, config=config),
            "aws_cloudfront_distribution.d",
        )
        transfer = {c.name: c.monthly_cost for c in dist.components if "internet" in c.name}
        assert transfer == {
            "Europe, Israel: Data transfer out to internet (first 10TB)": 10
            * 1024
            * price("cloudfront/data-transfer-internet/europe/tier1"),
            "Europe, Israel: Data transfer out to internet (next 40TB)": 10
            * 1024
            * price("cloudfront/data-transfer-internet/europe/tier2"),
        }
