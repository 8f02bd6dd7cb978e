"""`tfoidc report` through the real entry point: formats, --output, analysis input, bad input."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest

from tests.conftest import PLANS, need_shared
from tests.report.plans import review_mix_plan, write
from tfoidc.cli.main import main
from tfoidc.report.render import FORMATS

PLAN = PLANS / "infracost" / "example_plan.json"


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


Runner = Callable[..., Run]


@pytest.fixture
def tfoidc(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Runner:
    monkeypatch.chdir(tmp_path)  # no tfoidc.toml above: defaults
    monkeypatch.delenv("TFOIDC_CONFIG", raising=False)
    monkeypatch.delenv("TFOIDC_DEBUG", raising=False)

    def run(*args: str) -> Run:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        captured = capsys.readouterr()
        code = exit_info.value.code
        return Run(int(code) if code is not None else 0, captured.out, captured.err)

    return run


def _one_error_line(run: Run) -> str:
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1, run.err
    assert lines[0].startswith("tfoidc: error: ")
    assert "Traceback" not in run.err
    return lines[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_on_stdout(tfoidc: Runner, fmt: str) -> None:
    run = tfoidc("report", str(need_shared(PLAN)), "--format", fmt, "-e", "prod")
    assert run.code == 0, run.err
    if fmt == "md":
        assert run.out.startswith("### ⚠️ prod: Ready to apply after reviewing 5 warnings\n")
        assert "5 to add, 0 to change, 0 to replace, 0 to destroy" in run.out
    elif fmt == "html":
        assert run.out.startswith("<!DOCTYPE html>") and run.out.rstrip().endswith("</html>")
    elif fmt == "junit":
        assert ET.fromstring(run.out).tag == "testsuites"
    elif fmt == "text":
        assert run.out.startswith("prod: Ready to apply") and "Changes (5):" in run.out
    else:
        doc = json.loads(run.out)
        if fmt == "json":
            assert doc["environment"] == "prod" and doc["summary"]["create"] == 5
            assert doc["cost"]["monthly_delta"] == pytest.approx(1485.28)
        elif fmt == "gitlab-terraform":
            assert doc == {"create": 5, "update": 0, "delete": 0, "replace": 0}


def test_output_writes_the_file_and_prints_nothing(tfoidc: Runner, tmp_path: Path) -> None:
    target = tmp_path / "out" / "codequality.json"
    run = tfoidc("report", str(need_shared(PLAN)), "--format", "codequality", "--output", str(target))
    assert run.code == 0, run.err
    assert run.out == ""
    assert run.err == ""  # quiet on success, like the rest of the report commands
    assert isinstance(json.loads(target.read_text()), list)


def test_analysis_json_renders_like_the_plan(tfoidc: Runner, tmp_path: Path) -> None:
    plan = write(review_mix_plan(), tmp_path / "plan.json")
    analysis = tmp_path / "tfoidc.json"
    assert tfoidc("report", str(plan), "--format", "json", "-e", "staging", "-o", str(analysis)).code == 0
    from_plan = tfoidc("report", str(plan), "--format", "md", "-e", "staging").out
    from_analysis = tfoidc("report", str(analysis), "--format", "md").out
    verdict = "### ⛔ staging: Blocked: [`TFO-S3-001`](docs/guardrails.md#tfo-s3-001)"
    assert verdict in from_plan and verdict in from_analysis
    # tfoidc.json holds no attribute values, so only the diffs differ.
    assert "```diff" in from_plan and "```diff" not in from_analysis

    def outline(text: str) -> list[str]:
        return [line for line in text.splitlines() if line.strip() and not line.startswith("  ")]

    assert outline(from_analysis) == outline(from_plan)
    for fmt in ("gitlab-terraform", "junit", "codequality", "sarif"):
        assert (
            tfoidc("report", str(plan), "--format", fmt, "-e", "staging").out
            == tfoidc("report", str(analysis), "--format", fmt).out
        ), fmt
    renamed = tfoidc("report", str(analysis), "--format", "gitlab-terraform", "-e", "other")
    assert renamed.code == 0


def test_utf16_plan_is_read(tfoidc: Runner) -> None:
    run = tfoidc("report", str(need_shared(PLANS / "checkov" / "utf16le_bom_encoded.json")), "--format", "md")
    assert run.code == 0, run.err
    assert "3 to add" in run.out


def test_missing_file_is_an_input_error(tfoidc: Runner, tmp_path: Path) -> None:
    run = tfoidc("report", str(tmp_path / "nope.json"))
    assert run.code == 2
    assert "nope.json" in _one_error_line(run)


def test_not_json_is_an_input_error(tfoidc: Runner, tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text("this is not json", encoding="utf-8")
    run = tfoidc("report", str(bad))
    assert run.code == 2
    _one_error_line(run)
    assert run.out == ""


def test_unsupported_analysis_version_is_an_input_error(tfoidc: Runner, tmp_path: Path) -> None:
    doc = tmp_path / "tfoidc.json"
    doc.write_text(json.dumps({"schema_version": "9.0", "changes": []}), encoding="utf-8")
    run = tfoidc("report", str(doc))
    assert run.code == 2
    assert "schema version 9.0" in _one_error_line(run)


def test_broken_analysis_document_is_an_input_error(tfoidc: Runner, tmp_path: Path) -> None:
    doc = tmp_path / "tfoidc.json"
    doc.write_text(
        json.dumps({"schema_version": "1.0", "changes": [{"action": "explode"}]}), encoding="utf-8"
    )
    run = tfoidc("report", str(doc))
    assert run.code == 2
    assert f"{doc}: (top level): must contain" in _one_error_line(run)  # checked against the schema


def test_unknown_format_is_a_usage_error(tfoidc: Runner) -> None:
    run = tfoidc("report", str(need_shared(PLAN)), "--format", "pdf")
    assert run.code == 2
    assert "pdf" in _one_error_line(run)


def test_unwritable_output_fails_without_a_partial_file(tfoidc: Runner, tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    run = tfoidc("report", str(need_shared(PLAN)), "--format", "html", "-o", str(blocker / "report.html"))
    assert run.code == 1
    assert "cannot write" in _one_error_line(run)
    assert run.out == ""


def test_output_over_an_existing_file_replaces_it_whole(tfoidc: Runner, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old content " * 10_000)
    assert tfoidc("report", str(need_shared(PLAN)), "-o", str(target)).code == 0
    text = target.read_text()
    assert "old content" not in text and text.startswith("### ⚠️ plan: Ready to apply")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_analyze_and_report_are_one_command_with_two_defaults() -> None:
    from tfoidc.cli.analyze import analyze_command
    from tfoidc.cli.report import report_command

    def options(command: click.Command) -> dict[str, Any]:
        return {p.name: (p.type, p.opts) for p in command.params if p.name}

    assert (
        options(analyze_command).keys()
        == options(report_command).keys()
        == {
            "input_json",
            "fmt",
            "output",
            "environment",
            "fail_on",
            "findings_files",
            "graph_detail",
        }
    )
    for name in ("fmt", "fail_on"):
        analyze_choices, report_choices = (
            next(p for p in command.params if p.name == name).type.choices  # type: ignore[attr-defined]
            for command in (analyze_command, report_command)
        )
        assert analyze_choices == report_choices
    assert list(next(p for p in report_command.params if p.name == "fmt").type.choices) == list(FORMATS)  # type: ignore[attr-defined]


def test_report_fails_on_findings_when_asked(tfoidc: Runner, tmp_path: Path) -> None:
    plan = write(review_mix_plan(), tmp_path / "plan.json")  # one blocking finding (TFO-S3-001)
    quiet = tfoidc("report", str(plan), "-e", "staging")
    assert quiet.code == 0 and "TFO-S3-001" in quiet.out
    gated = tfoidc("report", str(plan), "-e", "staging", "--fail-on", "block")
    assert gated.code == 3 and "TFO-S3-001" in gated.out  # printed, then the exit
    assert "guardrail finding(s) at or above block" in _one_error_line(gated)


def test_analyze_reads_a_saved_analysis_and_prints_any_format(tfoidc: Runner, tmp_path: Path) -> None:
    plan = write(review_mix_plan(), tmp_path / "plan.json")
    saved = tmp_path / "tfoidc.json"
    assert tfoidc("analyze", str(plan), "-e", "staging", "--format", "json", "-o", str(saved)).code == 3
    for fmt in ("text", "junit", "sarif"):
        run = tfoidc("analyze", str(saved), "--format", fmt, "--fail-on", "never")
        assert run.code == 0 and "TFO-S3-001" in run.out, (fmt, run.err)


def test_a_key_that_looks_like_markup_is_printed_as_it_is(tfoidc: Runner, tmp_path: Path) -> None:
    key = "[/x] [red]alert[/red] :smile: \x1b[2J"
    change = {
        "address": f"null_resource.n[{json.dumps(key)}]",
        "mode": "managed",
        "type": "null_resource",
        "name": "n",
        "index": key,
        "action_reason": key,
        "change": {"actions": ["create"], "before": None, "after": {}, "after_unknown": {}},
    }
    doc = {
        "format_version": "1.2",
        "resource_changes": [change],
        "deferred_changes": [{"reason": key, "resource_change": change}],  # listed one per line
    }
    run = tfoidc("analyze", str(write(doc, tmp_path / "plan.json")))
    assert run.code == 0, run.err
    assert "[/x] [red]alert[/red] :smile: \\x1b[2J" in run.out  # no markup, no emoji, no escape sequence
    assert "\x1b" not in run.out


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_output_onto_a_fifo_or_a_directory_is_refused(tfoidc: Runner, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "out"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    run = tfoidc("report", str(need_shared(PLAN)), "-o", str(target))
    assert run.code == 2 and ("not a regular file" in _one_error_line(run) or "is a directory" in run.err)
    assert run.out == ""


def test_output_through_a_symlink_writes_its_target(tfoidc: Runner, tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    (tmp_path / "link.md").symlink_to(real)
    assert tfoidc("report", str(need_shared(PLAN)), "-o", str(tmp_path / "link.md")).code == 0
    assert real.read_text().startswith("### ⚠️ plan: Ready to apply") and (tmp_path / "link.md").is_symlink()
