"""The markdown report and merge request note, kept under a size budget.

Rendering is always of whole structures (tables, code blocks, <details>); the budget is met by
showing fewer items of the longest lists (their middle is left out and the gap says so), then by
dropping attribute diffs and the graph, and last by keeping only the verdicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from tfoidc import __version__
from tfoidc.analysis.model import Analysis
from tfoidc.report.config import ReportConfig
from tfoidc.report.escape import Markdown, fenced_block, markdown
from tfoidc.report.view import (
    DANGER_LISTS,
    ChangeItem,
    EnvView,
    Limits,
    Selection,
    build_env_view,
    format_money,
    select,
)

if TYPE_CHECKING:
    import jinja2

MIN_ROWS = 2
# Resources whose cost components the note breaks down (the costliest changes; the HTML report has all).
BREAKDOWNS = 20


def render_markdown(
    analyses: Sequence[Analysis],
    config: ReportConfig,
    *,
    marker: str | None,
    pipeline_id: int | None = None,
    artifact_url: str | None = None,
) -> str:
    budget = config.note_max_chars
    limits = [Limits() for _ in analyses]
    memos: list[dict[tuple[int, bool], ChangeItem]] = [{} for _ in analyses]
    while True:
        selections = [select(a, lim) for a, lim in zip(analyses, limits, strict=True)]
        # A selection whose addresses alone overflow the budget is tightened without building or
        # rendering it: the same steps the renders would take, minus the renders (10k changes).
        if sum(s.least_chars() for s in selections) <= budget:
            views = [
                build_env_view(a, config, lim, memo, selection=sel)
                for a, lim, memo, sel in zip(analyses, limits, memos, selections, strict=True)
            ]
            text = _render(views, config, marker, pipeline_id, artifact_url, shortened=_shortened(limits))
            if len(text) <= budget:
                return text
        tighter = _tighten(selections, limits)
        if tighter is None:
            return _last_resort(text, budget)
        limits = tighter


def _shortened(limits: list[Limits]) -> bool:
    return any(
        lim.lists or not lim.diffs or lim.mermaid_max_nodes is not None or lim.minimal for lim in limits
    )


def _tighten(selections: list[Selection], limits: list[Limits]) -> list[Limits] | None:
    """One step smaller: halve the longest list anywhere, else drop extras, else go minimal."""
    best: tuple[bool, int, int, str] | None = None
    for i, selection in enumerate(selections):
        if limits[i].minimal:
            continue
        for name, size in selection.sizes().items():
            # What the plan destroys is shortened only once every other list is as short as it gets.
            rank = (name not in DANGER_LISTS, size)
            if size > MIN_ROWS and (best is None or rank > best[:2]):
                best = (*rank, i, name)
    new = list(limits)
    if best is not None:
        _, size, i, name = best
        new[i] = replace(limits[i], lists={**limits[i].lists, name: max(size // 2, MIN_ROWS)})
        return new
    for i, lim in enumerate(limits):
        if lim.diffs or lim.mermaid_max_nodes != 0:
            new[i] = replace(lim, diffs=False, mermaid_max_nodes=0)
            return new
    for i, lim in enumerate(limits):
        if not lim.minimal:
            new[i] = replace(lim, minimal=True)
            return new
    return None


def _last_resort(text: str, budget: int) -> str:
    # Only reachable with a budget smaller than the verdicts themselves: cut at a line boundary.
    cut = text[: max(budget - 60, 0)].rsplit("\n", 1)[0]
    return cut + "\n\n_(note cut to fit the size budget)_\n"


def _render(
    views: list[EnvView],
    config: ReportConfig,
    marker: str | None,
    pipeline_id: int | None,
    artifact_url: str | None,
    *,
    shortened: bool,
) -> str:
    return (
        _environment()
        .get_template("note.md.j2")
        .render(
            envs=views,
            marker=Markdown(marker) if marker else None,  # tfoidc's own: quoted names, a number
            see_full=Markdown(f"; see the [full report]({markdown(artifact_url, 'url')})")
            if artifact_url
            else Markdown(""),
            pipeline_id=pipeline_id,
            artifact_url=artifact_url,
            shortened=shortened,
            budget=config.note_max_chars,
            threshold=config.details_threshold,
            breakdowns=BREAKDOWNS,
            version=Markdown(__version__),
        )
    )


@cache
def _environment() -> jinja2.Environment:
    import jinja2  # here, not at the top: only the formats that render templates pay its import

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tfoidc.report", "templates"),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        # Markdown's autoescape: whatever a `{{ }}` prints that is not already `Markdown` (escaped by
        # a filter below, or written by tfoidc) is escaped as inline text, so a template cannot forget.
        finalize=markdown,
    )
    env.filters["code"] = inline_code
    env.filters["text"] = markdown
    env.filters["cell"] = markdown
    env.filters["url"] = lambda value: markdown(value, "url")
    env.filters["code_block"] = fenced_block
    env.filters["money"] = money
    env.filters["toml"] = lambda lines: fenced_block(lines, "toml")
    env.globals["overall"] = overall_headline
    return env


def overall_headline(views: list[EnvView]) -> Markdown:
    """The note's first line with several environments: the worst state, and where."""
    order = ("errored", "blocked", "incomplete", "review", "ready", "no-changes")
    states = [v.headline.state if v.headline else "ready" for v in views]
    worst = min(states, key=order.index)
    where = [v.name for v, state in zip(views, states, strict=True) if state == worst]
    icon = next(v.headline.icon for v, st in zip(views, states, strict=True) if st == worst and v.headline)
    text = {
        "errored": "Do not apply",
        "blocked": "Blocked",
        "incomplete": "Incomplete plan",
        "review": "Ready to apply after review",
        "ready": "Ready to apply",
        "no-changes": "No changes",
    }[worst]
    scope = "every environment" if len(where) == len(views) else ", ".join(where)
    return Markdown(f"{icon} {text}: {markdown(scope)}")


def money(value: Decimal, currency: str = "USD", *, signed: bool = False) -> Markdown:
    """An amount as the note shows it: tfoidc's own digits and signs (never at the start of a line
    in the templates) around the currency, which an analysis document names and so is escaped."""
    return Markdown(format_money(value, markdown(currency), signed=signed))


def inline_code(value: object) -> Markdown:
    """A code span that survives backticks, pipes and line breaks inside `value` (safe in a table)."""
    return markdown(value, "code")


def plain_text(value: object) -> Markdown:
    """Text that may quote plan values, in the note: one line, no HTML, no links or images, and no
    @mention (GitLab would notify people named in a tag value)."""
    return markdown(value, "text")
