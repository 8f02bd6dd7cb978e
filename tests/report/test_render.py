"""`render` and `write_reports`: what every format says about a plan, and where `tfoidc plan` puts it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tfoidc.analysis.model import Analysis
from tfoidc.analysis.run import analyze
from tfoidc.config import Config
from tfoidc.plan.parse import plan_from_document
from tfoidc.report.config import ReportConfig
from tfoidc.report.render import FILENAMES, FORMATS, NOTE_FILENAME, render, write_reports

REPO = Path(__file__).resolve().parents[2]


def _rc(address: str, actions: list[str]) -> dict[str, Any]:
    return {
        "address": address,
        "mode": "managed",
        "type": address.split(".")[0],
        "name": address.split(".")[1].split("[")[0],
        "provider_name": "registry.terraform.io/hashicorp/null",
        "change": {"actions": actions, "before": None, "after": {}, "after_unknown": {}},
    }


def deferred_analysis() -> Analysis:
    doc = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "complete": False,
        "resource_changes": [_rc("null_resource.now", ["create"])],
        "deferred_changes": [
            {
                "reason": "instance_count_unknown",
                "resource_change": _rc('null_resource.later["a"]', ["create"]),
            },
            {"reason": "provider_config_unknown", "resource_change": _rc("null_resource.other", ["update"])},
        ],
    }
    return analyze(plan_from_document(doc), Config(), environment="dev")


def test_an_incomplete_plan_says_so_in_every_format() -> None:
    analysis = deferred_analysis()
    verdict = "dev: 1 to add, 0 to change, 0 to replace, 0 to destroy · incomplete plan: 2 changes deferred"
    out = {fmt: render(analysis, fmt, width=300) for fmt in FORMATS}

    assert out["text"].startswith("dev: Incomplete plan — applying it leaves work for a later plan\n")
    assert verdict.removeprefix("dev: ") in out["text"]
    assert 'null_resource.later["a"] (instance_count_unknown)' in out["text"]
    # The note's first line is what to do; the counts follow it.
    assert out["md"].startswith("### ⏳ dev: Incomplete plan — applying it leaves work for a later plan\n")
    assert verdict.removeprefix("dev: ") in out["md"] and "**This plan is incomplete**" in out["md"]
    assert "Deferred to a later plan</b> (2)" in out["md"] and "`provider_config_unknown`" in out["md"]
    assert "⏳" in out["md"]
    assert verdict.removeprefix("dev: ") in out["html"] and 'id="deferred"' in out["html"]

    plan = json.loads(out["json"])["plan"]
    assert plan["complete"] is False
    assert plan["deferred"] == [
        {"address": 'null_resource.later["a"]', "action": "create", "reason": "instance_count_unknown"},
        {"address": "null_resource.other", "action": "update", "reason": "provider_config_unknown"},
    ]

    suite = ET.fromstring(out["junit"]).find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    failure = suite.find("testcase[@name='plan is complete']/failure")
    assert failure is not None and 'null_resource.later["a"]' in (failure.text or "")

    notifications = json.loads(out["sarif"])["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert (
        notifications[0]["level"] == "warning" and "2 changes deferred" in notifications[0]["message"]["text"]
    )
    assert json.loads(out["codequality"])[0]["check_name"] == "tfoidc/plan-incomplete"


def test_a_complete_plan_says_nothing_about_completeness() -> None:
    doc = {"format_version": "1.2", "resource_changes": [_rc("null_resource.now", ["create"])]}
    analysis = analyze(plan_from_document(doc), Config(), environment="dev")
    for fmt in ("md", "text", "html", "junit"):
        text = render(analysis, fmt)
        assert "incomplete plan" not in text and "plan is incomplete" not in text, fmt
    assert json.loads(render(analysis, "json"))["plan"] | {"notes": []} == {
        "format_version": "1.2",
        "terraform_version": None,
        "errored": False,
        "complete": True,
        "deferred": [],
        "notes": [],
    }


def test_replace_with_forget_is_its_own_group_and_counts_as_an_addition() -> None:
    doc = {"format_version": "1.2", "resource_changes": [_rc("null_resource.kept", ["create", "forget"])]}
    analysis = analyze(plan_from_document(doc), Config(), environment="dev")
    note = render(analysis, "md")
    assert "1 to add, 0 to change, 0 to replace, 0 to destroy, 1 to forget" in note
    assert "Replace, old object kept (forgotten, not destroyed)" in note
    assert json.loads(render(analysis, "gitlab-terraform")) == {
        "create": 1,
        "update": 0,
        "delete": 0,
        "replace": 0,
    }


def test_reports_go_into_the_folder_itself_not_a_folder_named_after_the_environment(tmp_path: Path) -> None:
    written = write_reports(deferred_analysis(), tmp_path, config=ReportConfig())
    assert {path.parent for path in written.values()} == {tmp_path}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*FILENAMES.values(), NOTE_FILENAME])
    assert not (tmp_path / "dev").exists()


def test_the_generated_plan_jobs_read_the_files_tfoidc_plan_writes() -> None:
    """Every report artifact a generated plan job names is a file `tfoidc plan STACK --out-dir
    tfoidc-out/STACK` writes there, and the note job reads each stack's tfoidc.json."""
    from tfoidc.stacks import templates

    job = templates.plan_job("network/prod", audience="sts.amazonaws.com", resource_group="g")
    folder = templates.stack_dir("network/prod")
    assert f'--out-dir "{folder}"' in job["script"][0]
    written = {f"{folder}/{name}" for name in [*FILENAMES.values(), NOTE_FILENAME]}
    assert job["artifacts"]["reports"] and set(job["artifacts"]["reports"].values()) <= written
    assert f"{templates.OUT_DIR}/**/{FILENAMES['json']}" in templates.NOTE_ARTIFACTS


@pytest.mark.parametrize("fmt", FORMATS)
def test_text_has_no_colour_unless_asked(fmt: str) -> None:
    text = render(deferred_analysis(), fmt)
    assert "\x1b[" not in text
    if fmt == "text":
        assert "\x1b[" in render(deferred_analysis(), fmt, color=True)
