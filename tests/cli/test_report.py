"""`tfoidc report` through the real entry point: formats, --output, analysis input, bad input."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

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
        assert "prod: 5 to add, 0 to change, 0 to replace, 0 to destroy" in run.out
    elif fmt == "html":
        assert run.out.startswith("<!DOCTYPE html>") and run.out.rstrip().endswith("</html>")
    elif fmt == "junit":
        assert ET.fromstring(run.out).tag == "testsuites"
    else:
        doc = json.loads(run.out)
        if fmt == "json":
            assert doc["environment"] == "prod" and doc["summary"]["create"] == 5
            assert doc["cost"]["monthly_delta"] == pytest.approx(1485.28)
        elif fmt == "gitlab-terraform":
            assert doc == {"create": 5, "update": 0, "delete": 0, "replace": 0}


def test_output_writes_the_file_and_says_so(tfoidc: Runner, tmp_path: Path) -> None:
    target = tmp_path / "out" / "codequality.json"
    run = tfoidc("report", str(need_shared(PLAN)), "--format", "codequality", "--output", str(target))
    assert run.code == 0, run.err
    assert run.out == ""
    assert f"wrote {target}" in run.err
    assert isinstance(json.loads(target.read_text()), list)


def test_analysis_json_renders_like_the_plan(tfoidc: Runner, tmp_path: Path) -> None:
    plan = write(review_mix_plan(), tmp_path / "plan.json")
    analysis = tmp_path / "tfoidc.json"
    assert tfoidc("report", str(plan), "--format", "json", "-e", "staging", "-o", str(analysis)).code == 0
    from_plan = tfoidc("report", str(plan), "--format", "md", "-e", "staging").out
    from_analysis = tfoidc("report", str(analysis), "--format", "md").out
    verdict = "staging: 1 to add, 1 to change, 1 to replace, 0 to destroy · 1 blocking finding"
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
    assert "not a valid tfoidc analysis document" in _one_error_line(run)


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
    assert "old content" not in text and text.startswith("### tfoidc plan report")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
