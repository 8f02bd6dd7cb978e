"""SQS queues (requests, all usage)."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, ceil, pricer

CHUNK_KB = Decimal(64)  # every 64 KB of a payload is billed as one request


@pricer(
    "aws_sqs_queue",
    catalog=("sqs/",),
    usage={
        "monthly_requests": "API requests a month",
        "request_size_kb": "average request size in KB (each 64 KB chunk is billed as a request)",
    },
)
def sqs_queue(a: Attrs, p: Pricing) -> list[CostComponent]:
    kind = "fifo" if p.setting(a, "fifo_queue", False) is True else "standard"
    requests = p.usage_value("monthly_requests")
    chunks = ceil((p.usage_value("request_size_kb") or CHUNK_KB) / CHUNK_KB) or Decimal(1)
    quantity = None if requests is None else requests * chunks
    # The first tier (up to 100 billion requests a month); the account's free tier is not deducted.
    return [
        p.per_use(
            "Requests",
            f"sqs/{kind}-request",
            "1M requests",
            quantity,
            ("monthly_requests", "request_size_kb"),
            1_000_000,
        )
    ]
