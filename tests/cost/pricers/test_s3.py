"""S3 buckets."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import PLANS, need_shared
from tests.cost.costplans import Change, derive, one, price, priced, run
from tests.cost.goldens import check_golden
from tfoidc.cost.config import CostConfig


def test_bucket_without_usage_depends_on_usage() -> None:
    plan_path = need_shared(PLANS / "infracost" / "example_plan.json")
    bucket = one(run(derive(plan_path, lambda doc: None)), "aws_s3_bucket.usage")
    assert bucket.monthly_after == 0 and bucket.depends_on_usage
    assert [c.usage_keys for c in bucket.components] == [
        ("storage_gb",),
        ("monthly_tier_1_requests",),
        ("monthly_tier_2_requests",),
    ]


def test_s3_bucket_with_usage_in_another_region() -> None:
    usage = {
        "storage_gb": Decimal(1000),
        "monthly_tier_1_requests": Decimal(20_000),
        "monthly_tier_2_requests": Decimal(100_000),
    }
    est = priced(
        [Change("aws_s3_bucket.b", {"bucket": "b"})],
        region="eu-central-1",
        config=CostConfig(usage={"aws_s3_bucket.b": usage}),
    )
    r = "eu-central-1"
    expected = (
        1000 * price("s3/standard-storage-gb-month", r)
        + 20_000 * price("s3/standard-put-request", r)
        + 100_000 * price("s3/standard-get-request", r)
    )
    assert one(est, "aws_s3_bucket.b").monthly_after == expected


def test_s3_bucket_golden() -> None:
    check_golden("s3_bucket")
