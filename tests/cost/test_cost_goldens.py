"""tfoidc's per-resource monthly figures against Infracost's golden outputs.

Where the catalog's prices carry the golden's price date, tfoidc must agree within 1 %; everywhere
else the differences are listed with their reason (a different price date, or something Infracost
models that tfoidc does not). The figures are in docs/cost.md.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import PLANS, PRICES, need_shared
from tests.cost.goldens import (
    DERIVED,
    MODELLING_DIFFERENCES,
    Comparison,
    compare_plan_goldens,
    compare_price_goldens,
    golden_monthly,
    golden_overall_total,
    golden_rows,
    summary,
)


@pytest.fixture(scope="module")
def comparisons() -> list[Comparison]:
    need_shared(PRICES / "infracost-goldens")
    need_shared(PLANS / "infracost")
    return compare_price_goldens() + compare_plan_goldens()


def test_the_golden_parser_reproduces_every_overall_total() -> None:
    """Independent of tfoidc: the rows the parser reads add up to each golden's own total."""
    goldens = sorted(need_shared(PRICES / "infracost-goldens").glob("*.golden.txt"))
    goldens += [
        p for p in sorted((PLANS / "infracost").glob("*.golden.txt")) if "OVERALL TOTAL" in p.read_text()
    ]
    assert len(goldens) >= 20
    for path in goldens:
        text = path.read_text(encoding="utf-8")
        rows = golden_rows(text)
        parsed = sum(golden_monthly(text).values())
        # the total is of unrounded costs; each parsed row is rounded to the cent
        tolerance = Decimal("0.005") * sum(len(r) for r in rows.values()) + Decimal("0.01")
        assert abs(parsed - golden_overall_total(text)) <= tolerance, path.name


def test_same_price_date_agrees_within_one_percent(comparisons: list[Comparison]) -> None:
    same = [c for c in comparisons if c.same_date and c.address not in MODELLING_DIFFERENCES]
    assert len(same) >= 15
    off = [c.describe() for c in same if not c.within_1pct]
    assert off == [], "\n".join(off)


def test_every_difference_is_listed_with_its_reason(comparisons: list[Comparison]) -> None:
    differences = [c for c in comparisons if not c.within_1pct]
    for c in differences:
        line = c.describe()
        reason = line.rsplit("; ", 1)[1]
        assert reason, line
    # a listed modelling difference that no longer differs is a stale explanation
    compared = {c.address: c for c in comparisons}
    stale = [a for a in MODELLING_DIFFERENCES if a in compared and compared[a].within_1pct]
    assert stale == []
    # and nothing differs without either a modelling reason or a different price date
    unexplained = [
        c.describe() for c in differences if c.address not in MODELLING_DIFFERENCES and c.same_date
    ]
    assert unexplained == []


def test_every_derived_resource_and_every_plan_resource_was_compared(comparisons: list[Comparison]) -> None:
    compared = {(c.golden, c.address) for c in comparisons}
    for golden, derived in DERIVED.items():
        for change, _ in derived:
            assert (golden, change.address) in compared, (golden, change.address)
    plan_rows = [c for c in comparisons if c.golden.endswith(".json.golden.txt")]
    assert len(plan_rows) >= 15
    types = {c.address.split(".")[0] for c in comparisons}
    assert len(types) >= 15


def test_agreement_figures(comparisons: list[Comparison], record_property: pytest.RecordProperty) -> None:
    text = summary(comparisons)
    record_property("infracost_agreement", text)
    print(text)
    for c in comparisons:
        if not c.within_1pct:
            print("  differs:", c.describe())
    within = sum(c.within_1pct for c in comparisons)
    explained = sum(c.address in MODELLING_DIFFERENCES for c in comparisons)
    assert within + explained == len(comparisons)
