"""The `tfoidc analyze --format json` contract: real plans' output matches the shipped JSON Schema,
and the schema, the docs and `SCHEMA_VERSION` agree."""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest
from jsonschema import Draft202012Validator

from tests.conftest import PLANS, REPO, all_fixture_plans, need_shared
from tfoidc.analysis.contract import SCHEMA_VERSION, analysis_to_dict, json_schema
from tfoidc.analysis.run import analyze
from tfoidc.config import Config
from tfoidc.cost.catalog import Catalog, load_catalog
from tfoidc.plan.parse import load_plan

DOC = REPO / "docs" / "analysis-json.md"


@cache
def validator() -> Draft202012Validator:
    schema = json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@cache
def catalog() -> Catalog:
    return load_catalog()


def analysis_json(path: Path) -> dict[str, Any]:
    result = analyze(load_plan(path), Config(), catalog=catalog())
    # Through bytes, as a reader gets it (tuples become arrays, Decimals must already be gone).
    loaded: dict[str, Any] = orjson.loads(orjson.dumps(analysis_to_dict(result)))
    return loaded


def errors(instance: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(instance)]


ANALYSABLE = [p for p in all_fixture_plans() if b'"errored": true' not in p.read_bytes()]


@pytest.mark.parametrize("path", ANALYSABLE, ids=lambda p: str(p.relative_to(PLANS)))
def test_every_fixture_plan_analysis_matches_the_schema(path: Path) -> None:
    assert errors(analysis_json(path)) == []


def test_cli_json_output_has_exactly_the_documented_keys(tmp_path: Path) -> None:
    plan = need_shared(PLANS / "infracost/instance_with_attachment_before_deploy.json")
    result = subprocess.run(
        [sys.executable, "-m", "tfoidc", "analyze", str(plan), "--format", "json"],
        capture_output=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = orjson.loads(result.stdout)
    assert errors(out) == []
    assert list(out) == documented_top_level_keys()
    assert out["schema_version"] == SCHEMA_VERSION
    assert out["plan"] == {
        "format_version": "0.2",
        "terraform_version": "1.0.11",
        "errored": False,
        "notes": [],
    }
    assert ["aws_instance.ec2", "aws_default_subnet.default"] in out["graph"]["edges"]
    assert {c["address"]: c["action"] for c in out["changes"]}["aws_instance.ec2"] == "create"
    assert out["cost"]["monthly_after"] > out["cost"]["monthly_before"] > 0


def test_sections_that_land_later_are_filled_on_real_plans() -> None:
    # findings: an SG open to the world on RDP; drift: a real resource_drift; cost: priced resources.
    findings = analysis_json(need_shared(PLANS / "regula/sg_ingress_anywhere_rdp.json"))["findings"]
    assert findings and {"rule", "severity", "address", "message"} <= set(findings[0])
    drift = analysis_json(need_shared(PLANS / "opentofu/equivalence_drift_relevant_attributes.json"))["drift"]
    assert drift["has_drift"] is True and drift["resources"]
    cost = analysis_json(need_shared(PLANS / "infracost/example_plan.json"))["cost"]
    assert cost["resources"] and all(isinstance(r["monthly_after"], float) for r in cost["resources"])


def test_schema_is_strict_enough_to_catch_drift_from_the_contract() -> None:
    good = analysis_json(need_shared(PLANS / "regula/resource_view_modules_tf1_0.json"))
    assert errors(good) == []
    assert errors({**good, "undocumented": 1})
    assert errors({k: v for k, v in good.items() if k != "drift"})
    assert errors({**good, "summary": {**good["summary"], "create": "3"}})
    assert errors({**good, "changes": [{**good["changes"][0], "action": "destroy"}]})
    assert errors({**good, "graph": {**good["graph"], "edges": [["only-one"]]}})


def documented_top_level_keys() -> list[str]:
    """The keys of the "## Top level" table in docs/analysis-json.md, in order."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Top level", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)


def test_docs_schema_and_code_agree_on_keys_and_version() -> None:
    schema = json_schema()
    assert documented_top_level_keys() == schema["required"] == list(schema["properties"])
    assert f'**`"{SCHEMA_VERSION}"`**' in DOC.read_text(encoding="utf-8")
    assert re.fullmatch(schema["properties"]["schema_version"]["pattern"], SCHEMA_VERSION)
