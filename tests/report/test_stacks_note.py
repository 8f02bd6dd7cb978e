"""The note for many stacks: a summary table, stacks without changes folded into one line, each stack's
details collapsed, and 200 changed stacks within GitLab's 1,000,000 characters, saying what was left out."""

from __future__ import annotations

import dataclasses
import re

import pytest
from markdown_it import MarkdownIt

from tests.report.mdcheck import structure_problems
from tests.report.plans import analysis_of, many_changes_plan, review_mix_plan
from tfoidc.analysis.model import Analysis
from tfoidc.config import Config
from tfoidc.gitlab.marker import parse_note_marker
from tfoidc.report.config import GITLAB_NOTE_LIMIT, ReportConfig
from tfoidc.report.render import render_note
from tfoidc.report.stacks import STACKS_NOTE, RemovedStack, StackEntry, render_stacks_note

JOB = "https://gitlab.example.com/infra/live/-/jobs/{}"


@pytest.fixture(scope="module")
def mix() -> Analysis:
    return analysis_of(review_mix_plan(), "live/prod/app", Config())


@pytest.fixture(scope="module")
def big() -> Analysis:
    return analysis_of(many_changes_plan(3), "live/prod/big", Config())  # a ~8,600-character note each


@pytest.fixture(scope="module")
def quiet() -> Analysis:
    doc = review_mix_plan()
    doc["resource_changes"] = []
    return analysis_of(doc, "live/dev/quiet", Config())


def entry(analysis: Analysis, name: str, job: int = 1, **kw: object) -> StackEntry:
    return StackEntry(
        name,
        analysis=dataclasses.replace(analysis, environment=name),
        job_url=JOB.format(job),
        state="planned",
        **kw,
    )  # type: ignore[arg-type]


def test_one_stack_looks_as_the_one_environment_note(mix: Analysis) -> None:
    config = ReportConfig()
    assert render_stacks_note([entry(mix, "live/prod/app")], config=config, pipeline_id=3) == render_note(
        [dataclasses.replace(mix, environment="live/prod/app")],
        config=config,
        pipeline_id=3,
        artifact_url=None,
    )


def test_summary_table_folded_quiet_stacks_failures_and_removed_stacks(
    mix: Analysis, quiet: Analysis
) -> None:
    entries = [
        entry(mix, "live/prod/app", 11),
        entry(quiet, "live/dev/a", 12),
        entry(quiet, "live/dev/b", 13),
        StackEntry("live/prod/broken", "failed", error="terraform init failed (exit 1): Error: bad backend"),
        entry(mix, "live/prod/dependent", 14, status="affected"),
    ]
    note = render_stacks_note(
        entries,
        removed=[RemovedStack("live/old", "live/old no longer holds Terraform files")],
        pipeline_id=77,
    )
    assert parse_note_marker(note) is not None and parse_note_marker(note).environments == (STACKS_NOTE,)  # type: ignore[union-attr]
    assert "### tfoidc plan report: 5 stacks" in note
    assert "**2 with changes · 1 failed · 2 without changes**" in note
    counts = mix.action_counts()
    row = f"| `live/prod/app` | {counts['create']} | {counts['update']} | {counts['replace']} | {counts['delete']} |"
    assert row in note and f"[job]({JOB.format(11)})" in note
    assert "| ❌ `live/prod/broken` | - | - | - | - | - | - | - |" in note
    assert "`live/prod/dependent` (affected)" in note
    assert "✅ 2 stacks without changes: `live/dev/a`, `live/dev/b`" in note
    assert "`live/dev/a` |" not in note  # folded, not a row
    assert "> ⚠️ Stack `live/old` was removed" in note and "merging does not destroy its resources" in note
    assert "<details><summary>❌ <b>live/prod/broken</b>: plan failed</summary>" in note
    assert "Error: bad backend" in note
    assert note.index("live/prod/broken</b>") < note.index("<b>live/prod/app:")  # failures first
    assert structure_problems(note) == []


@pytest.mark.parametrize("budget", [GITLAB_NOTE_LIMIT, 200_000, 20_000])
def test_200_changed_stacks_fit_the_budget_and_say_what_was_left_out(big: Analysis, budget: int) -> None:
    entries = [entry(big, f"live/s{i:03}", i) for i in range(200)]
    note = render_stacks_note(entries, config=ReportConfig(note_max_chars=budget), pipeline_id=5)
    assert len(note) <= budget
    assert structure_problems(note) == []
    rows = re.findall(r"^\| `live/s\d{3}` \|", note, flags=re.M)
    if budget >= 200_000:
        assert len(rows) == 200  # the table is whole
    else:
        assert "more stacks left out to fit the note size budget" in note
    details = re.findall(r"<details><summary>📝 <b>live/s\d{3}:", note)
    assert details or budget < 200_000  # GitLab's limit and the default budget keep details
    if len(details) < 200:
        left = 200 - len(details)
        assert f"The details of {left} stacks were left out to stay under {budget:,} characters" in note


def test_stack_names_from_folder_names_are_escaped(mix: Analysis) -> None:
    hostile = [
        "live/<img src=x onerror=alert(1)>",
        "live/a|b",
        "live/`tick`",
        "live/@everyone",
        "live/[x](http://evil)",
    ]
    entries = [entry(mix, n) for n in hostile] + [
        StackEntry("live/<b>f</b>", "failed", error="<script>x</script> @here")
    ]
    note = render_stacks_note(entries)
    html = MarkdownIt("commonmark").enable("table").render(note)
    assert "<img" not in html and "<script" not in html and "<b>f</b>" not in html
    # GitLab notifies no one named inside code (spans, and blocks such as the waiver TOML to paste).
    outside_code = re.sub(r"<code[^>]*>.*?</code>", "", html, flags=re.S)
    assert "@everyone" not in outside_code and "@here" not in outside_code
    assert 'href="http://evil"' not in html
    assert structure_problems(note) == []
