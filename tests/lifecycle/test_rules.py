"""Branch rules decide on the token's claims alone, before any STS call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tfoidc.config import EnvironmentConfig
from tfoidc.errors import PolicyBlocked
from tfoidc.guardrails.engine import enforce
from tfoidc.guardrails.model import Finding, Severity
from tfoidc.lifecycle.rules import check_apply_allowed, check_local_apply_allowed, check_plan_complete
from tfoidc.lifecycle.run import failing_findings

PROD = EnvironmentConfig(root="prod", apply_refs=["main", "release/*"], require_protected_ref=True)


@pytest.mark.parametrize(
    ("claims", "allowed"),
    [
        ({"ref": "main", "ref_protected": "true"}, True),
        ({"ref": "main", "ref_protected": True}, True),
        ({"ref": "release/2.1", "ref_protected": "true"}, True),
        ({"ref": "main", "ref_protected": "false"}, False),
        ({"ref": "main"}, False),
        ({"ref": "feature/x", "ref_protected": "true"}, False),
        ({"ref": "mainline", "ref_protected": "true"}, False),
        ({"ref": "Main", "ref_protected": "true"}, False),
        ({"ref_protected": "true"}, False),
    ],
)
def test_prod_applies_only_from_protected_listed_refs(claims: dict[str, Any], allowed: bool) -> None:
    if allowed:
        check_apply_allowed("prod", PROD, claims)
    else:
        with pytest.raises(PolicyBlocked):
            check_apply_allowed("prod", PROD, claims)


def test_no_rules_means_any_ref_may_apply() -> None:
    check_apply_allowed("dev", EnvironmentConfig(root="dev"), {"ref": "feature/x", "ref_protected": "false"})


def test_local_apply_needs_the_environment_to_allow_it() -> None:
    with pytest.raises(PolicyBlocked) as refused:
        check_local_apply_allowed("dev", EnvironmentConfig(root="dev"))
    assert "environments.dev.allow_local_apply" in refused.value.one_line()
    allowed = EnvironmentConfig(
        root="dev", local_role_arn="arn:aws:iam::123456789012:role/dev-ro", allow_local_apply=True
    )
    check_local_apply_allowed("dev", allowed)


def _finding(severity: Severity, waived: bool = False) -> Finding:
    return Finding(
        rule="r1", title="t", severity=severity, address=f"a.{severity.value}", message="m", waived=waived
    )


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [("block", ["r1 on a.block"]), ("warn", ["r1 on a.block", "r1 on a.warn"]), ("never", [])],
)
def test_manifest_records_what_fails_under_fail_on(fail_on: Any, expected: list[str]) -> None:
    findings = [_finding(s) for s in Severity] + [_finding(Severity.BLOCK, waived=True)]
    recorded = failing_findings(findings, fail_on)
    assert sorted(recorded) == expected
    if recorded:
        with pytest.raises(PolicyBlocked):
            enforce(findings, fail_on)
    else:
        enforce(findings, fail_on)


@pytest.mark.parametrize(
    ("plan", "refused"),
    [
        ({"format_version": "1.2"}, False),
        ({"format_version": "1.2", "complete": True, "deferred_changes": []}, False),
        ({"format_version": "1.2", "complete": False}, True),
        (
            {
                "format_version": "1.2",
                "deferred_changes": [{"reason": "absent_prereq", "resource_change": {}}],
            },
            True,
        ),
    ],
)
def test_an_incomplete_plan_is_not_applied_unless_allowed(
    tmp_path: Path, plan: dict[str, Any], refused: bool
) -> None:
    plan_json = tmp_path / "plan.json"
    plan_json.write_text(json.dumps(plan))
    if refused:
        with pytest.raises(PolicyBlocked) as caught:
            check_plan_complete("prod", PROD, plan_json)
        assert "incomplete" in caught.value.one_line() and "allow_incomplete_apply" in caught.value.one_line()
    else:
        check_plan_complete("prod", PROD, plan_json)
    check_plan_complete("prod", PROD.model_copy(update={"allow_incomplete_apply": True}), plan_json)


def test_an_unreadable_plan_json_blocks_the_apply(tmp_path: Path) -> None:
    with pytest.raises(PolicyBlocked, match="cannot tell whether the saved plan is complete"):
        check_plan_complete("prod", PROD, tmp_path / "plan.json")
