"""tfoidc's monthly figures against Infracost's golden outputs, per resource and per cost component.

Where the catalog's prices carry the golden's price date, tfoidc must agree within 1 %; everywhere
else the differences are listed with their reason (a different price date, or something Infracost
models that tfoidc does not, or models otherwise). The figures are in README.md and docs/cost.md,
and a test keeps them in step with what the comparison measures.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.conftest import PLANS, PRICES, REPO, need_shared
from tests.cost.golden_resources import NEW_GOLDENS
from tests.cost.goldens import (
    DERIVED,
    MODELLING_DIFFERENCES,
    Comparison,
    ComponentComparison,
    compare_plan_goldens,
    compare_price_golden_components,
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


@pytest.fixture(scope="module")
def components() -> list[ComponentComparison]:
    need_shared(PRICES / "infracost-goldens")
    return compare_price_golden_components()


def test_the_golden_parser_reproduces_every_overall_total() -> None:
    """Independent of tfoidc: the rows the parser reads add up to each golden's own total."""
    goldens = sorted(need_shared(PRICES / "infracost-goldens").glob("*.golden.txt"))
    goldens += [
        p for p in sorted((PLANS / "infracost").glob("*.golden.txt")) if "OVERALL TOTAL" in p.read_text()
    ]
    assert len(goldens) >= 50
    for path in goldens:
        text = path.read_text(encoding="utf-8")
        rows = golden_rows(text)
        parsed = sum(golden_monthly(text).values())
        # the total is of unrounded costs; each parsed row is rounded to the cent
        tolerance = Decimal("0.005") * sum(len(r) for r in rows.values()) + Decimal("0.01")
        assert abs(parsed - golden_overall_total(text)) <= tolerance, path.name


def test_same_price_date_agrees_within_one_percent(
    comparisons: list[Comparison], components: list[ComponentComparison]
) -> None:
    same = [c for c in comparisons if c.same_date and c.address not in MODELLING_DIFFERENCES]
    assert len(same) >= 50
    off = [c.describe() for c in same if not c.within_1pct]
    assert off == [], "\n".join(off)
    # every cost component whose price carries the golden's date, unit prices of usage rows included
    same_c = [c for c in components if c.same_date and c.address not in MODELLING_DIFFERENCES]
    assert len(same_c) >= 250
    off_c = [c.describe() for c in same_c if not c.within_1pct]
    assert off_c == [], "\n".join(off_c)


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
    # nothing differs without a modelling reason or a different price date; and a difference where
    # tfoidc left usage-file keys out is always a listed modelling difference, never "the date"
    unexplained = [
        c.describe()
        for c in differences
        if c.address not in MODELLING_DIFFERENCES and (c.same_date or c.ignored_usage)
    ]
    assert unexplained == []


def test_every_derived_resource_and_every_plan_resource_was_compared(comparisons: list[Comparison]) -> None:
    compared = {(c.golden, c.address) for c in comparisons}
    for golden, derived in {**DERIVED, **NEW_GOLDENS}.items():
        text = (PRICES / "infracost-goldens" / f"{golden}_test.golden.txt").read_text(encoding="utf-8")
        in_golden = set(golden_monthly(text))
        for change, _ in derived:
            if change.address in in_golden:
                assert (golden, change.address) in compared, (golden, change.address)
        # the goldens added with the new pricers are derived whole: none of their resources is left out
        if golden in NEW_GOLDENS:
            missing = in_golden - {c.address for c, _ in derived}
            assert missing == set(), (golden, missing)
    plan_rows = [c for c in comparisons if c.golden.endswith(".json.golden.txt")]
    assert len(plan_rows) >= 15
    types = {c.address.split(".")[0] for c in comparisons}
    assert len(types) >= 45


def test_agreement_figures(
    comparisons: list[Comparison],
    components: list[ComponentComparison],
    record_property: pytest.RecordProperty,
) -> None:
    text = summary(comparisons, components)
    record_property("infracost_agreement", text)
    print(text)
    for c in comparisons:
        if not c.within_1pct:
            print("  differs:", c.describe())
    within = sum(c.within_1pct for c in comparisons)
    explained = sum(c.address in MODELLING_DIFFERENCES for c in comparisons)
    dated = sum(not c.within_1pct and c.address not in MODELLING_DIFFERENCES for c in comparisons)
    assert within + explained + dated == len(comparisons)


def test_the_published_figures_are_the_measured_ones(comparisons: list[Comparison]) -> None:
    """README.md and docs/cost.md state the agreement; it must be what this comparison measures."""
    within, total = sum(c.within_1pct for c in comparisons), len(comparisons)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"{within} of {total} resources agree within 1 %" in readme
    docs = (REPO / "docs" / "cost.md").read_text(encoding="utf-8")
    assert f"**{total} resources compared, {within} within 1 %" in docs
    same = [c for c in comparisons if c.same_date]
    assert re.search(rf"\*\*{sum(c.within_1pct for c in same)}/{len(same)} within 1 %\*\*", docs)
