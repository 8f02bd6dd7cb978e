"""Step Functions state machines: Standard (state transitions) and Express (requests and duration)."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Tier, ceil, pricer

GB_HOURS_TIERS = (
    Tier("first 1K", "sfn/express-duration-gb-hour/tier1", 1000),
    Tier("next 4K", "sfn/express-duration-gb-hour/tier2", 4000),
    Tier("over 5K", "sfn/express-duration-gb-hour/tier3"),
)
DURATION_STEP_MS = Decimal(100)  # Express duration is billed in 100 ms steps
MEMORY_STEP_MB = Decimal(64)  # ... and memory in 64 MB steps, at least 64 MB


@pricer(
    "aws_sfn_state_machine",
    catalog=("sfn/",),
    usage={
        "monthly_transitions": "state transitions a month (Standard workflows)",
        "monthly_requests": "executions a month (Express workflows)",
        "workflow_duration_ms": "average execution time in milliseconds (Express workflows)",
        "memory_mb": "average memory used by an execution in MB (Express workflows)",
    },
)
def state_machine(a: Attrs, p: Pricing) -> list[CostComponent]:
    if p.setting(a, "type", "STANDARD") != "EXPRESS":
        return [
            p.usage_based(
                "Transitions", "sfn/standard-transition", "1K transitions", "monthly_transitions", 1000
            )
        ]
    requests = p.usage_value("monthly_requests")
    duration_ms = p.usage_value("workflow_duration_ms")
    memory_mb = p.usage_value("memory_mb") or Decimal(0)
    gb_hours = None
    if requests is not None and duration_ms is not None:
        seconds = ceil(duration_ms / DURATION_STEP_MS) * DURATION_STEP_MS / 1000
        memory_gb = max(ceil(memory_mb / MEMORY_STEP_MB), Decimal(1)) * MEMORY_STEP_MB / 1024
        gb_hours = requests * seconds * memory_gb / 3600
    keys = ("monthly_requests", "workflow_duration_ms", "memory_mb")
    return [
        p.usage_based("Requests", "sfn/express-request", "1M requests", "monthly_requests", 1_000_000),
        *p.tiered("Duration", GB_HOURS_TIERS, "GB-hours", gb_hours, keys),
    ]
