"""CloudTrail trails. The first copy of management events is free; the rest is per event (usage)."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, pricer


@pricer(
    "aws_cloudtrail",
    catalog=("cloudtrail/",),
    usage={
        "monthly_additional_management_events": "management events a month recorded by this trail as an additional copy",
        "monthly_data_events": "data events a month",
        "monthly_insight_events": "Insights events a month",
    },
)
def cloudtrail(a: Attrs, p: Pricing) -> list[CostComponent]:
    selectors = a.blocks("event_selector")
    management = not selectors or any(
        s.optional("include_management_events", True) is True for s in selectors
    )
    parts = []
    if management:
        parts.append(
            p.usage_based(
                "Management events (additional copies)",
                "cloudtrail/management-event",
                "100k events",
                "monthly_additional_management_events",
                100_000,
            )
        )
    parts.append(
        p.usage_based("Data events", "cloudtrail/data-event", "100k events", "monthly_data_events", 100_000)
    )
    if a.blocks("insight_selector"):
        parts.append(
            p.usage_based(
                "Insight events", "cloudtrail/insight-event", "100k events", "monthly_insight_events", 100_000
            )
        )
    return parts
