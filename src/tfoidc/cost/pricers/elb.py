"""Elastic Load Balancing: application, network and classic load balancers."""

from __future__ import annotations

from tfoidc.cost.model import HOURS_PER_MONTH, CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Unpriceable, pricer


@pricer(
    "aws_lb",
    "aws_alb",
    catalog=("elb/application-", "elb/network-"),
    usage={"monthly_lcu_hours": "load balancer capacity unit hours a month (1 LCU all month = 730)"},
)
def load_balancer(a: Attrs, p: Pricing) -> list[CostComponent]:
    kind = p.setting(a, "load_balancer_type", "application")
    if kind not in ("application", "network"):
        raise Unpriceable(f"load balancer type {kind!r} is not in the catalog")
    return [
        p.hourly(f"{kind.capitalize()} load balancer", f"elb/{kind}-hour"),
        p.usage_based(
            "Load balancer capacity units",
            f"elb/{kind}-lcu-hour",
            "LCU",  # an LCU for a month, as Infracost shows it
            "monthly_lcu_hours",
            HOURS_PER_MONTH,
        ),
    ]


@pricer(
    "aws_elb",
    catalog=("elb/classic-",),
    usage={"monthly_data_processed_gb": "GB of data processed a month"},
)
def classic_load_balancer(a: Attrs, p: Pricing) -> list[CostComponent]:
    return [
        p.hourly("Classic load balancer", "elb/classic-hour"),
        p.usage_based("Data processed", "elb/classic-data-gb", "GB", "monthly_data_processed_gb"),
    ]
