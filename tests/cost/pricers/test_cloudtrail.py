"""CloudTrail trails."""

from __future__ import annotations

from tests.cost.costplans import Change, one, priced
from tests.cost.goldens import check_golden


def test_cloudtrail_golden() -> None:
    check_golden("cloudtrail")


def test_a_trail_without_management_events_does_not_price_them() -> None:
    selectors = [{"include_management_events": False, "read_write_type": "All"}]
    trail = one(priced([Change("aws_cloudtrail.t", {"event_selector": selectors})]), "aws_cloudtrail.t")
    assert [c.name for c in trail.components] == ["Data events"]
