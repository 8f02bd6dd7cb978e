"""Route 53 hosted zones and records."""

from __future__ import annotations

from tests.cost.costplans import Change, one, price, priced, usage
from tests.cost.goldens import check_golden


def test_goldens() -> None:
    check_golden("route53_zone")
    check_golden("route53_record")


def test_zone_price_is_global_and_records_price_their_routing_policy() -> None:
    est = priced(
        [
            Change("aws_route53_zone.z", {"name": "example.com"}),
            Change("aws_route53_record.geo", {"geolocation_routing_policy": [{"country": "DE"}]}),
            Change("aws_route53_record.alias", {"alias": [{"name": "lb.example.com"}]}),
        ],
        region="eu-central-1",
        config=usage("aws_route53_record.geo", monthly_geo_queries=2_000_000_000),
    )
    assert one(est, "aws_route53_zone.z").monthly_after == price("route53/hosted-zone-month")
    geo = one(est, "aws_route53_record.geo")
    assert geo.monthly_after == 1_000_000_000 * (
        price("route53/query/geo/first-1b") + price("route53/query/geo/over-1b")
    )
    alias = one(est, "aws_route53_record.alias")
    assert alias.components == () and alias.notes == ("queries to alias records for AWS resources are free",)
