"""S3 buckets (Standard storage and requests, all usage)."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer


@pricer(
    "aws_s3_bucket",
    catalog=("s3/",),
    usage={
        "storage_gb": "GB stored in S3 Standard",
        "monthly_tier_1_requests": "PUT, COPY, POST and LIST requests a month",
        "monthly_tier_2_requests": "GET, SELECT and all other requests a month",
    },
)
def s3_bucket(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.usage_based("Standard storage", "s3/standard-storage-gb-month", "GB", "storage_gb"),
        p.usage_based(
            "PUT, COPY, POST, LIST requests",
            "s3/standard-put-request",
            "1k requests",
            "monthly_tier_1_requests",
            1000,
        ),
        p.usage_based(
            "GET, SELECT, and all other requests",
            "s3/standard-get-request",
            "1k requests",
            "monthly_tier_2_requests",
            1000,
        ),
    ]
