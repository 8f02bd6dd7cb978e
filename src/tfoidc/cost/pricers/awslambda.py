"""Lambda functions (requests, duration and ephemeral storage, all usage)."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import ZERO, Attrs, Pricing, pricer

INCLUDED_EPHEMERAL_MB = 512


@pricer(
    "aws_lambda_function",
    catalog=("lambda/",),
    usage={
        "monthly_requests": "invocations a month",
        "request_duration_ms": "average duration of an invocation in milliseconds",
    },
)
def lambda_function(a: Attrs, p: Pricing) -> list[CostComponent]:
    suffix = "-arm" if "arm64" in (p.setting(a, "architectures", None) or []) else ""
    memory_gb = a.optional_number("memory_size", 128) / 1024
    storage_blocks = a.blocks("ephemeral_storage")
    storage_mb = storage_blocks[0].optional_number("size", 512) if storage_blocks else Decimal(512)
    extra_storage_gb = max(ZERO, storage_mb - INCLUDED_EPHEMERAL_MB) / 1024
    requests = p.usage_value("monthly_requests")
    duration_ms = p.usage_value("request_duration_ms")
    seconds = None if requests is None or duration_ms is None else requests * duration_ms / 1000
    both = ("monthly_requests", "request_duration_ms")
    return [
        p.usage_based("Requests", f"lambda/request{suffix}", "1M requests", "monthly_requests", 1_000_000),
        p.per_use(
            "Duration (first tier)",
            f"lambda/duration-gb-second{suffix}",
            "GB-seconds",
            None if seconds is None else seconds * memory_gb,
            both,
        ),
        p.per_use(
            "Ephemeral storage",
            f"lambda/ephemeral-storage-gb-second{suffix}",
            "GB-seconds",
            None if seconds is None else seconds * extra_storage_gb,
            both,
        ),
    ]
