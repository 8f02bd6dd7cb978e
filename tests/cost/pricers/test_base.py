"""The pieces every pricer is made of: reading values, defaults versus unknowns, usage and tiers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.cost.costplans import shipped
from tfoidc.cost.pricers.base import NO_RELATED, Attrs, Pricing, Tier, Unpriceable
from tfoidc.plan.model import REDACTED


class _Configured:
    """A Related whose configuration sets every attribute."""

    def configured(self, path: tuple[str | int, ...]) -> bool:
        return True

    def __getattr__(self, name: str) -> object:
        return getattr(NO_RELATED, name)


def _pricing(usage: dict[str, int] | None = None, related: object = NO_RELATED) -> Pricing:
    values = {k: Decimal(v) for k, v in (usage or {}).items()}
    return Pricing(shipped(), "us-east-1", values, related=related)  # type: ignore[arg-type]


def test_unknown_and_sensitive_values_are_refused_with_their_path() -> None:
    a = Attrs({"size": REDACTED, "blocks": [{}]}, {"type": True, "blocks": [True]}, "x: ")
    with pytest.raises(Unpriceable, match="x: type is known only after apply"):
        a.get("type")
    with pytest.raises(Unpriceable, match="x: size is sensitive"):
        a.get("size")
    with pytest.raises(Unpriceable, match=r"x: blocks\[0\].volume_size is known only after apply"):
        a.blocks("blocks")[0].get("volume_size")


def test_an_unknown_default_is_the_default_unless_the_configuration_sets_it() -> None:
    a = Attrs({}, {"tier": True})
    assert _pricing().setting(a, "tier", "Standard") == "Standard"
    with pytest.raises(Unpriceable, match="tier is known only after apply"):
        _pricing(related=_Configured()).setting(a, "tier", "Standard")


def test_tiers_split_a_quantity_and_without_usage_show_the_first_tier() -> None:
    tiers = (
        Tier("first 1B", "route53/query/standard/first-1b", 1_000_000_000),
        Tier("over 1B", "route53/query/standard/over-1b"),
    )
    p = _pricing()
    parts = p.tiered("Queries", tiers, "1M queries", Decimal(1_500_000_000), ("q",), 1_000_000)
    assert [(c.name, c.monthly_quantity) for c in parts] == [
        ("Queries (first 1B)", 1000),
        ("Queries (over 1B)", 500),
    ]
    small = p.tiered("Queries", tiers, "1M queries", Decimal(10), ("q",), 1_000_000)
    assert [c.name for c in small] == ["Queries (first 1B)"]
    none = p.tiered("Queries", tiers, "1M queries", None, ("q",), 1_000_000)
    assert len(none) == 1 and none[0].depends_on_usage and none[0].usage_keys == ("q",)
    assert "usage: q" in none[0].price_source


def test_usage_components_show_the_price_per_displayed_unit() -> None:
    p = _pricing({"monthly_requests": 3_000_000})
    c = p.usage_based("Requests", "lambda/request", "1M requests", "monthly_requests", 1_000_000)
    amount, _ = p.unit_price("lambda/request")
    assert (
        c.unit_price == amount * 1_000_000
        and c.monthly_quantity == 3
        and c.monthly_cost == amount * 3_000_000
    )
    missing = _pricing().usage_based(
        "Requests", "lambda/request", "1M requests", "monthly_requests", 1_000_000
    )
    assert missing.monthly_cost is None and missing.monthly_quantity is None and missing.unit_price > 0
