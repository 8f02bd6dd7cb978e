"""Route 53: hosted zones and the queries their records answer (Route 53 prices are global)."""

from __future__ import annotations

from tfoidc.cost.model import CostComponent
from tfoidc.cost.pricers.base import Attrs, Pricing, Tier, pricer

BILLION = 1_000_000_000
# routing policy block -> (label, catalog key part, usage key)
ROUTING = {
    "latency_routing_policy": ("Latency based routing queries", "latency", "monthly_latency_based_queries"),
    "geolocation_routing_policy": ("Geo DNS queries", "geo", "monthly_geo_queries"),
    "geoproximity_routing_policy": ("Geoproximity queries", "geoproximity", "monthly_geoproximity_queries"),
    "cidr_routing_policy": ("IP-based routing queries", "ip", "monthly_ip_based_queries"),
}
STANDARD = ("Standard queries", "standard", "monthly_standard_queries")


@pricer("aws_route53_zone", catalog=("route53/hosted-zone-month",))
def route53_zone(a: Attrs, p: Pricing) -> list[CostComponent]:
    # $0.50 for each of the first 25 zones of the account, $0.10 after: tfoidc cannot see the others.
    return [p.monthly("Hosted zone", "route53/hosted-zone-month")]


@pricer(
    "aws_route53_record",
    catalog=("route53/query/",),
    usage={
        "monthly_standard_queries": "queries a month to a simple, weighted or failover record",
        "monthly_latency_based_queries": "queries a month to a latency routing record",
        "monthly_geo_queries": "queries a month to a geolocation routing record",
        "monthly_geoproximity_queries": "queries a month to a geoproximity routing record",
        "monthly_ip_based_queries": "queries a month to an IP-based (CIDR) routing record",
    },
)
def route53_record(a: Attrs, p: Pricing) -> list[CostComponent]:
    if a.blocks("alias"):
        p.note("queries to alias records for AWS resources are free")
        return []
    label, key, usage_key = next(
        (routing for block, routing in ROUTING.items() if a.blocks(block)),
        STANDARD,
    )
    tiers = (
        Tier("first 1B", f"route53/query/{key}/first-1b", BILLION),
        Tier("over 1B", f"route53/query/{key}/over-1b"),
    )
    return p.tiered(label, tiers, "1M queries", p.usage_value(usage_key), (usage_key,), 1_000_000)
