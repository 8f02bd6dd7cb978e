"""Stack globs: matching whole names, and which pattern is the most specific."""

from __future__ import annotations

import pytest

from tfoidc.stacks.globs import PathGlob, glob_problem


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("**", "live/prod/app", True),
        ("**", ".", True),
        ("live/**", "live", True),
        ("live/**", "live/prod/app", True),
        ("live/**", "livestock/app", False),
        ("live/*", "live/prod", True),
        ("live/*", "live/prod/app", False),
        ("live/*/app", "live/prod/app", True),
        ("live/**/app", "live/app", True),
        ("live/**/app", "live/eu/prod/app", True),
        ("live/pr?d/app", "live/prod/app", True),
        ("live/[ps]*/app", "live/staging/app", True),
        ("live/[!ps]*/app", "live/staging/app", False),
        ("live/prod/app", "live/prod/app", True),
        ("live/prod/app", "live/prod/app2", False),
        ("live.prod", "liveXprod", False),
    ],
)
def test_matching(pattern: str, name: str, matches: bool) -> None:
    assert PathGlob(pattern).matches(name) is matches


def test_more_specific_patterns_rank_higher() -> None:
    ranked = ["**", "live/**", "live/*/app", "live/prod/*", "live/prod/a*", "live/prod/app"]
    assert sorted(ranked, key=lambda p: PathGlob(p).specificity) == ranked


@pytest.mark.parametrize("pattern", ["", " live", "/live", "live/", "live/../x", "live/a**", "live//x"])
def test_unusable_patterns_are_explained(pattern: str) -> None:
    assert glob_problem(pattern)
