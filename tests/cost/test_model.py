"""What the report stage reads: "depends on usage" is a resource's state, never a $0.00 cost."""

from __future__ import annotations

from decimal import Decimal

from tfoidc.cost.model import CostComponent, CostEstimate, ResourceCost

USAGE = CostComponent(
    "Requests",
    "1M requests",
    Decimal("0.4"),
    None,
    None,
    "src; usage: monthly_requests",
    ("monthly_requests",),
)
FIXED = CostComponent("Hours", "hours", Decimal("0.1"), Decimal(730), Decimal(73), "src")


def _resource(*components: CostComponent) -> ResourceCost:
    after = sum((c.monthly_cost or Decimal(0) for c in components), Decimal(0))
    return ResourceCost("aws_x.y", "aws_x", "", "create", Decimal(0), after, components)


def test_depends_on_usage_only_when_every_component_waits_for_usage() -> None:
    assert USAGE.depends_on_usage and not FIXED.depends_on_usage
    assert _resource(USAGE).depends_on_usage
    assert not _resource(USAGE, FIXED).depends_on_usage  # partly usage: it has a cost, plus usage
    assert not _resource().depends_on_usage  # no components: free by its note, not usage


def test_the_estimate_lists_its_usage_only_resources() -> None:
    only, mixed = _resource(USAGE), _resource(USAGE, FIXED)
    est = CostEstimate("USD", "us-east-1", (only, mixed), ())
    assert est.usage_based == (only,)
    assert est.monthly_after == Decimal(73)
