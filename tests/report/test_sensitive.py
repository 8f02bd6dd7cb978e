"""No value Terraform marks sensitive reaches any report format, the note, a written file, or the CLI's
output (the plan JSON tfoidc writes itself: tests/plan/test_redact.py; end to end with Terraform:
tests/e2e/test_secret_leaks.py).

The plan holds sentinel strings in every sensitive place (see `plans.sentinel_plan`); each rendered
output is searched for every sentinel, and for its pieces in case a renderer shortens values.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.gitlab.server import FakeGitLab
from tests.report.plans import SENTINELS, analysis_of, sentinel_plan, write
from tfoidc.cli.main import cli
from tfoidc.report.config import ReportConfig
from tfoidc.report.render import FORMATS, render, render_note, write_reports


def _leaks(text: str) -> list[str]:
    # The random suffix alone catches a value cut in the middle ("SENTINEL-af…8b2d7a").
    return [name for name, value in SENTINELS.items() if value in text or value.rsplit("-", 1)[1] in text]


def test_the_plan_really_holds_the_sentinels() -> None:
    raw = json.dumps(sentinel_plan())
    assert _leaks(raw) == sorted(SENTINELS, key=list(SENTINELS).index)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_contains_a_sensitive_value(fmt: str) -> None:
    analysis = analysis_of(sentinel_plan(), "prod")
    text = render(analysis, fmt, config=ReportConfig(diff_value_max_chars=20))
    assert _leaks(text) == []
    text = render(analysis, fmt)
    assert _leaks(text) == []


def test_the_note_and_every_written_file_are_clean(tmp_path: Path) -> None:
    analysis = analysis_of(sentinel_plan(), "prod")
    note = render_note([analysis], pipeline_id=1, artifact_url=None)
    assert _leaks(note) == []
    written = write_reports(analysis, tmp_path, config=ReportConfig())
    for path in written.values():
        assert _leaks(path.read_text(encoding="utf-8")) == [], path.name


def test_the_redaction_is_visible_where_values_changed() -> None:
    text = render(analysis_of(sentinel_plan(), "prod"), "md")
    assert '+ tags.owner = "(sensitive value)"' in text
    assert '+ policy = "(sensitive value)"' in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_report_output_is_clean(tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    plan = write(sentinel_plan(), tmp_path / "plan.json")
    result = CliRunner().invoke(cli, ["report", str(plan), "--format", fmt, "-e", "prod"])
    assert result.exit_code == 0, result.output
    assert _leaks(result.stdout) == [] and _leaks(result.stderr) == []
    # Through tfoidc.json and back: the analysis document holds no value either.
    analysis_json = tmp_path / "tfoidc.json"
    first = CliRunner().invoke(cli, ["report", str(plan), "--format", "json", "--output", str(analysis_json)])
    assert first.exit_code == 0
    again = CliRunner().invoke(cli, ["report", str(analysis_json), "--format", fmt])
    assert again.exit_code == 0, again.output
    assert _leaks(analysis_json.read_text()) == [] and _leaks(again.stdout) == []


def test_every_command_reading_the_plan_writes_and_prints_no_sensitive_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_gitlab: FakeGitLab, mr_env: dict[str, str]
) -> None:
    """`analyze` in every format, `drift --plan-json` (its summary files), `report --output`, and
    `comment` (the note GitLab receives) from the sentinel plan."""
    monkeypatch.chdir(tmp_path)
    plan = write(sentinel_plan(), tmp_path / "plan.json")
    runner = CliRunner()
    outputs: list[str] = []
    for fmt in ("text", "json", "md", "html"):  # the formats of analyze
        run = runner.invoke(cli, ["analyze", str(plan), "--format", fmt, "--fail-on", "never", "-e", "prod"])
        assert run.exit_code == 0, run.output
        outputs += [run.stdout, run.stderr]
    drift = runner.invoke(
        cli, ["drift", "prod", "--plan-json", str(plan), "--out-dir", str(tmp_path / "drift")]
    )
    assert drift.exit_code in (0, 5), drift.output
    analysis = tmp_path / "out" / "prod" / "tfoidc.json"
    report = runner.invoke(cli, ["report", str(plan), "--format", "json", "-e", "prod", "-o", str(analysis)])
    assert report.exit_code == 0, report.output
    for key, value in mr_env.items():
        monkeypatch.setenv(key, value)
    comment = runner.invoke(cli, ["comment", "--analysis", str(analysis)])
    assert comment.exit_code == 0, comment.output
    outputs += [drift.stdout, drift.stderr, report.stdout, report.stderr, comment.stdout, comment.stderr]
    (note,) = fake_gitlab.notes
    assert "#### prod" in note["body"]
    outputs.append(note["body"])
    outputs += [p.read_text(encoding="utf-8") for p in tmp_path.rglob("*") if p.is_file() and p != plan]
    assert len(outputs) > 2 * 4 + 8
    assert [(i, _leaks(text)) for i, text in enumerate(outputs) if _leaks(text)] == []
