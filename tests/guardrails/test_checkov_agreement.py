"""tfoidc finds everything Checkov finds for the classes it covers, except reviewed disagreements.

Runs tools/checkov_compare.py's comparison (Checkov 3.3.30 in .venv-checkov, or CHECKOV_BIN) over
every AWS fixture plan; skips with the reason when Checkov or the fixtures are absent.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import PLANS, REPO, need_shared


def load_tool() -> ModuleType:
    path = REPO / "tools" / "checkov_compare.py"
    spec = importlib.util.spec_from_file_location("checkov_compare", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["checkov_compare"] = module
    spec.loader.exec_module(module)
    return module


tool = load_tool()


@pytest.fixture(scope="module")
def comparison() -> tuple[object, object]:
    """(fixture plans, derived plans) comparisons; Checkov runs once for the module."""
    plans = need_shared(PLANS)
    checkov = tool.find_checkov()
    if checkov is None:
        pytest.skip(
            "checkov not installed: create it with `python3 -m venv .venv-checkov && "
            ".venv-checkov/bin/pip install checkov==3.3.30` (or set CHECKOV_BIN)"
        )
    return tool.run(plans, checkov)  # type: ignore[no-any-return]


def test_tfoidc_finds_what_checkov_finds_in_covered_classes(comparison: tuple[Any, Any]) -> None:
    fixtures, derived = comparison
    assert fixtures.checkov_total > 0, "Checkov reported nothing: check its output format and --check ids"
    for result in (fixtures, derived):
        unexplained = "\n".join(f"{kind} {h.check} {h.plan} {h.address}" for kind, h in result.unexplained)
        assert not result.unexplained, f"disagreements not in the reviewed table:\n{unexplained}"
        assert not result.stale, f"listed disagreements that no longer occur: {result.stale}"
        missed = {h for row in result.rules for h in row.missed}
        assert result.agreed_total + len(missed) == result.checkov_total


def test_graph_aware_cases_against_checkov(comparison: tuple[Any, Any]) -> None:
    """The derived plans exercise every covered class; where tfoidc and Checkov differ it is listed."""
    _, derived = comparison
    by_rule = {row.rule: row for row in derived.rules}
    # a separate public aws_s3_bucket_acl: Checkov reports the bucket, tfoidc the ACL resource
    assert [(h.plan, h.address) for h in by_rule["TFO-S3-001"].agreed] == [
        ("derived/s3_separate_public_acl.json", "aws_s3_bucket.planbucket")
    ]
    # a public ACL behind a public access block: Checkov still fails it, tfoidc does not
    assert [h.plan for h in by_rule["TFO-S3-001"].missed] == ["derived/s3_public_acl_behind_block.json"]
    # GitLab OIDC trust: no Checkov check covers it
    assert [h.address for h in by_rule["TFO-IAM-003"].beyond] == ["aws_iam_role.deploy"]


def hit(plan: str, address: str, check: str) -> object:
    return tool.Hit(plan, address, check)


def test_a_checkov_finding_tfoidc_lacks_is_unexplained_until_listed() -> None:
    checkov = [hit("p.json", "aws_s3_bucket.a", "CKV_AWS_20")]
    result = tool.compare(checkov, [], ["p.json"])
    assert [(kind, h.address) for kind, h in result.unexplained] == [("missed", "aws_s3_bucket.a")]
    matched = tool.compare(checkov, [hit("p.json", "aws_s3_bucket.a", "TFO-S3-001")], ["p.json"])
    assert matched.unexplained == [] and matched.agreed_total == 1


def test_a_finding_on_another_address_or_rule_does_not_match() -> None:
    checkov = [hit("p.json", "aws_s3_bucket.a", "CKV_AWS_20")]
    other_address = tool.compare(checkov, [hit("p.json", "aws_s3_bucket.b", "TFO-S3-001")], ["p.json"])
    assert {(k, h.address) for k, h in other_address.unexplained} == {
        ("missed", "aws_s3_bucket.a"),
        ("beyond", "aws_s3_bucket.b"),
    }
    other_rule = tool.compare(checkov, [hit("p.json", "aws_s3_bucket.a", "TFO-S3-003")], ["p.json"])
    assert ("missed", "aws_s3_bucket.a") in {(k, h.address) for k, h in other_rule.unexplained}


def test_all_ports_finding_satisfies_checkovs_port_checks() -> None:
    checkov = [hit("p.json", "aws_security_group.sg", c) for c in ("CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277")]
    result = tool.compare(checkov, [hit("p.json", "aws_security_group.sg", "TFO-NET-003")], ["p.json"])
    assert result.unexplained == [] and result.agreed_total == 3


def test_every_listed_disagreement_has_a_reason() -> None:
    for key, reason in tool.DISAGREEMENTS.items():
        assert key[0] in ("missed", "beyond") and len(reason) > 40, key
    assert all(Path(key[2]).suffix == ".json" for key in tool.DISAGREEMENTS)


def test_tool_without_checkov_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert tool.main(["--checkov", "/nonexistent/checkov"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "checkov not found" in err
