"""`tfoidc drift ENV --plan-json`: the drift summary and exit 5 on refresh-only plans that carry
`resource_drift` (derived from real plans in ../shared), exit 0 when nothing drifted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PLANS, need_shared

DRIFTING = ["infracost/instance_with_attachment_after_deploy.json",
            "infracost/instance_with_attachment_before_deploy.json",
            "opentofu/equivalence_drift_relevant_attributes.json"]  # fmt: skip


def drift(plan: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tfoidc", "drift", "prod", "--plan-json", str(plan), "--out-dir", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )


def expected_drift(doc: dict[str, Any]) -> dict[str, list[str]]:
    """Address -> top-level attributes whose recorded and real values differ, read from the plan."""
    found = {}
    for rc in doc.get("resource_drift") or ():
        change = rc["change"]
        if change["actions"] in (["no-op"], ["read"]):
            continue
        before, after = change.get("before") or {}, change.get("after") or {}
        found[rc["address"]] = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return found


@pytest.mark.parametrize("name", DRIFTING)
def test_drift_found_exits_5_with_a_summary(name: str, tmp_path: Path) -> None:
    source = need_shared(PLANS / name)
    doc = json.loads(source.read_text())
    expected = expected_drift(doc)
    assert expected, "the fixture is expected to carry drift"

    result = drift(source, tmp_path)
    assert result.returncode == 5, result.stderr
    assert f"prod: drift in {len(expected)} resource(s)" in result.stdout
    summary = json.loads((tmp_path / "drift-summary.json").read_text())
    assert summary["environment"] == "prod" and summary["has_drift"] is True
    assert {d["address"]: d["changed_attributes"] for d in summary["drifted"]} == expected
    markdown = (tmp_path / "drift-summary.md").read_text()
    for address in expected:
        assert f"`{address}`" in markdown


def test_drift_of_a_refresh_only_plan_without_changes_exits_0(tmp_path: Path) -> None:
    """The drifting fixture with its drift turned into no-ops: what an unchanged environment reports."""
    doc = json.loads(need_shared(PLANS / DRIFTING[0]).read_text())
    for rc in doc["resource_drift"]:
        rc["change"]["actions"] = ["no-op"]
        rc["change"]["after"] = rc["change"]["before"]
    plan = tmp_path / "refresh-only.json"
    plan.write_text(json.dumps(doc))
    result = drift(plan, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "prod: no drift" in result.stdout
    assert json.loads((tmp_path / "out" / "drift-summary.json").read_text())["has_drift"] is False


def test_drift_values_stay_out_of_the_summary(tmp_path: Path) -> None:
    doc = json.loads(need_shared(PLANS / DRIFTING[0]).read_text())
    rc = doc["resource_drift"][0]
    rc["change"]["after"] = {**rc["change"]["after"], "secret_thing": "sentinel-drift-Qw93"}
    plan = tmp_path / "p.json"
    plan.write_text(json.dumps(doc))
    assert drift(plan, tmp_path / "out").returncode == 5
    for name in ("drift-summary.json", "drift-summary.md"):
        text = (tmp_path / "out" / name).read_text()
        assert "secret_thing" in text and "sentinel-drift-Qw93" not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "nope.json"), ("{not json", "not valid JSON"), ("[]", "")],
    ids=["missing", "malformed", "not-an-object"],
)
def test_unusable_plan_json_is_an_input_error_not_drift(
    content: str | None, message: str, tmp_path: Path
) -> None:
    plan = tmp_path / "nope.json"
    if content is not None:
        plan.write_text(content)
    result = drift(plan, tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("tfoidc: error:") and result.stderr.count("\n") == 1
    assert message in result.stderr
    assert not (tmp_path / "out" / "drift-summary.json").exists()
