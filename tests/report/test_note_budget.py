"""The note's size budget on plans large enough to exceed it.

Plans are derived from a real fixture (the review mix: replace, IAM update, create) copied hundreds of
times, so every section is long. The note must stay under budget, shorten the middle of long lists
first, say what it left out and where the full report is, and stay well-formed markdown.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from tests.report.mdcheck import structure_problems, table_count
from tests.report.plans import analysis_of, many_changes_plan
from tfoidc.analysis.model import Analysis
from tfoidc.config import Config
from tfoidc.gitlab.marker import parse_note_marker
from tfoidc.report.config import GITLAB_NOTE_LIMIT, ReportConfig
from tfoidc.report.render import render_note

ARTIFACTS = "https://gitlab.example.com/infra/live/-/jobs/55/artifacts/browse"
COPIES = 300  # 900 changes, 1,500 findings (five findings per copy)


@pytest.fixture(scope="module")
def big() -> Analysis:
    return analysis_of(many_changes_plan(COPIES), "prod", Config())


@pytest.fixture(scope="module")
def full_note(big: Analysis) -> str:
    return render_note(
        [big], config=ReportConfig(note_max_chars=GITLAB_NOTE_LIMIT), pipeline_id=9, artifact_url=ARTIFACTS
    )


def _note(analyses: list[Analysis], budget: int) -> str:
    return render_note(
        analyses, config=ReportConfig(note_max_chars=budget), pipeline_id=9, artifact_url=ARTIFACTS
    )


def _summaries(text: str) -> list[str]:
    return re.findall(r"<summary><b>([^<]+)</b>", text)


def test_the_derived_plan_really_exceeds_the_budget(full_note: str) -> None:
    assert len(full_note) > 60_000
    assert "left out" not in full_note  # the reference note is complete


@pytest.mark.parametrize("budget", [60_000, 20_000])
def test_note_stays_under_budget_and_well_formed(big: Analysis, full_note: str, budget: int) -> None:
    text = _note([big], budget)
    assert len(text) <= budget
    assert structure_problems(text) == []
    # Shortening removes rows, never whole sections: the same sections and tables as the full note.
    assert _summaries(text) == _summaries(full_note)
    # (less the cost breakdowns, one table per cost row shown)
    breakdowns = text.count("| Component | Quantity |") - full_note.count("| Component | Quantity |")
    assert table_count(text) - breakdowns == table_count(full_note)
    # The verdict is complete.
    assert f"{COPIES} to add, {COPIES} to change, {COPIES} to replace, 0 to destroy" in text


def test_the_middle_of_long_lists_is_left_out_first(big: Analysis) -> None:
    text = _note([big], 60_000)
    create = text.split(f"<b>Create</b> ({COPIES})", 1)[1].split("</details>", 1)[0]
    rows = [line for line in create.splitlines() if line.startswith("| `aws_s3_bucket")]
    gap = re.search(
        r"_… (\d+) more left out to fit the note size budget; see the \[full report\]\((.+?)\)_", create
    )
    assert gap is not None and gap.group(2) == ARTIFACTS
    assert len(rows) + int(gap.group(1)) == COPIES  # shown + left out = all
    assert 'aws_s3_bucket.test-bucket1["00000"]' in rows[0]  # the first
    assert f'aws_s3_bucket.test-bucket1["{COPIES - 1:05d}"]' in rows[-1]  # and the last are kept
    assert f'test-bucket1["{COPIES // 2:05d}"]' not in create  # the middle goes
    # The gap sits between the head and the tail.
    lines = create.splitlines()
    gap_line = next(i for i, line in enumerate(lines) if "more left out" in line)
    assert "00000" in "".join(lines[:gap_line]) and f"{COPIES - 1:05d}" in "".join(lines[gap_line:])


def test_shortened_note_says_so_and_where_the_full_report_is(big: Analysis) -> None:
    text = _note([big], 60_000)
    assert "**This note is shortened** to stay under 60,000 characters" in text
    assert f"the full report is in the [job artifacts]({ARTIFACTS})" in text
    # Said at the top, before any section, not on the last line a reviewer may never reach.
    assert text.index("This note is shortened") < text.index("#### prod")


def test_what_the_plan_destroys_is_shortened_last(big: Analysis) -> None:
    text = _note([big], 60_000)
    replace = text.split(f"<b>Replace (destroy and re-create)</b> ({COPIES})", 1)[1].split("</details>", 1)[0]
    create = text.split(f"<b>Create</b> ({COPIES})", 1)[1].split("</details>", 1)[0]
    shown = [line for line in replace.splitlines() if line.startswith("| `aws_dynamodb_table")]
    created = [line for line in create.splitlines() if line.startswith("| `aws_s3_bucket")]
    assert len(shown) > len(created)
    assert "<details open><summary><b>Replace (destroy and re-create)</b>" in text  # never folded


def test_attribute_diffs_survive_when_only_lists_needed_shortening(big: Analysis) -> None:
    text = _note([big], 60_000)
    assert "```diff" in text  # lists were shortened before any diff was dropped
    assert '+ policy ▸ Statement[0].Action[] = "s3:GetObject"' in text


def test_tiny_budget_keeps_every_verdict_and_stays_well_formed(big: Analysis) -> None:
    other = analysis_of(many_changes_plan(50), "staging", Config())
    text = _note([big, other], 2_000)
    assert len(text) <= 2_000
    assert structure_problems(text) == []
    assert "prod: Blocked**: [`TFO-S3-001`]" in text and "staging: Blocked**" in text
    assert f"· {COPIES} to add" in text and "· 50 to add" in text
    assert "#### prod" in text and "#### staging" in text


def test_several_environments_share_one_budget(big: Analysis) -> None:
    other = analysis_of(many_changes_plan(100), "staging", Config())
    text = _note([big, other], 80_000)
    assert len(text) <= 80_000
    assert structure_problems(text) == []
    assert text.count("#### ") == 2
    assert text.startswith("<!-- tfoidc:envs=prod,staging pipeline=9 -->")


def test_the_structure_check_catches_a_split_table_and_an_open_fence(full_note: str) -> None:
    # The assertions above mean something only if the checker sees a naive cut.
    naive_cut = full_note[:60_000]
    assert structure_problems(naive_cut) != []
    assert structure_problems("| a | b |\n|---|---|\n| 1 |\n") != []
    assert structure_problems("```diff\n+ x\n") == ["a fenced code block is never closed"]


def test_more_environments_than_the_budget_holds_keeps_the_marker_and_says_it_was_cut() -> None:
    small = analysis_of(many_changes_plan(1), "env", Config())
    analyses = [dataclasses.replace(small, environment=f"environment-{i:02d}") for i in range(40)]
    text = _note(analyses, 2_000)
    assert len(text) <= 2_000
    assert structure_problems(text) == []
    marker = parse_note_marker(text)
    assert marker is not None and len(marker.environments) == 40 and marker.pipeline_id == 9
    assert text.rstrip().endswith("_(note cut to fit the size budget)_")
