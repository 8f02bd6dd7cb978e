"""tfoidc finds everything Checkov finds for the classes it covers, except reviewed disagreements.

Runs tools/checkov_compare.py's comparison (Checkov 3.3.30 in .venv-checkov, or CHECKOV_BIN) over
every AWS fixture plan; skips with the reason when Checkov or the fixtures are absent.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

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


def test_tfoidc_finds_what_checkov_finds_in_covered_classes() -> None:
    plans = need_shared(PLANS)
    checkov = tool.find_checkov()
    if checkov is None:
        pytest.skip(
            "checkov not installed: create it with `python3 -m venv .venv-checkov && "
            ".venv-checkov/bin/pip install checkov==3.3.30` (or set CHECKOV_BIN)"
        )
    result = tool.run(plans, checkov)
    assert result.checkov_total > 0, "Checkov reported nothing: check its output format and --check ids"
    unexplained = "\n".join(
        f"{kind} {hit.check} {hit.plan} {hit.address}" for kind, hit in result.unexplained
    )
    assert not result.unexplained, f"disagreements not in the reviewed table:\n{unexplained}"
    assert not result.stale, f"listed disagreements that no longer occur: {result.stale}"
    missed = {hit for row in result.rules for hit in row.missed}
    assert result.agreed_total + len(missed) == result.checkov_total


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
