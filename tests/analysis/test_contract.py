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
from tfoidc.analysis import review
from tfoidc.analysis.contract import (
    READS_MAJORS,
    SCHEMA_VERSION,
    analysis_from_dict,
    analysis_to_dict,
    json_schema,
)
from tfoidc.analysis.run import analyze
from tfoidc.config import Config
from tfoidc.cost.catalog import Catalog, load_catalog
from tfoidc.errors import InputError
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


def test_default_graph_is_resource_level_and_graph_full_keeps_the_wiring(tmp_path: Path) -> None:
    plan = need_shared(PLANS / "regula/resource_view_modules_tf1_0.json")

    def run(*options: str) -> dict[str, Any]:
        result = subprocess.run(
            [sys.executable, "-m", "tfoidc", "analyze", str(plan), "--format", "json", *options],
            capture_output=True,
            check=False,
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        out: dict[str, Any] = orjson.loads(result.stdout)
        assert errors(out) == []
        return out

    default, full = run(), run("--graph", "full")
    vpc, child = (
        "module.child1.module.grandchild1.aws_vpc.grandchild",
        "module.child2.aws_security_group.child",
    )
    assert default["graph"]["detail"] == "resources"
    assert {n["kind"] for n in default["graph"]["nodes"]} == {"resource"}
    assert [child, vpc] in default["graph"]["edges"]  # through a module input fed by a module output
    assert full["graph"]["detail"] == "full"
    assert {"module.child2.var.child_vpc_id", "module.child1.output.grandchild_vpc"} <= {
        n["id"] for n in full["graph"]["nodes"]
    }
    assert [child, vpc] not in full["graph"]["edges"]
    assert [child, "module.child2.var.child_vpc_id"] in full["graph"]["edges"]
    assert {k: v for k, v in default.items() if k != "graph"} == {
        k: v for k, v in full.items() if k != "graph"
    }


@pytest.mark.parametrize("path", ANALYSABLE, ids=lambda p: str(p.relative_to(PLANS)))
def test_findings_and_blast_radius_do_not_depend_on_the_graph_detail(path: Path) -> None:
    plan = load_plan(path)
    default = analyze(plan, Config(), catalog=catalog())
    full = analyze(plan, Config(), catalog=catalog(), graph_detail="full")
    assert default.findings == full.findings
    assert errors(orjson.loads(orjson.dumps(analysis_to_dict(full)))) == []


def test_a_version_1_document_is_read_back_and_a_later_major_refused() -> None:
    current = analysis_json(need_shared(PLANS / "regula/resource_view_modules_tf1_0.json"))
    full = analyze(
        load_plan(PLANS / "regula/resource_view_modules_tf1_0.json"),
        Config(),
        catalog=catalog(),
        graph_detail="full",
    )
    graph_1_0 = {k: v for k, v in analysis_to_dict(full)["graph"].items() if k != "detail"}
    version_1 = orjson.loads(orjson.dumps({**current, "schema_version": "1.0", "graph": graph_1_0}))
    read = analysis_from_dict(version_1)
    assert read.graph.detail == "full" and "module.child2.var.child_vpc_id" in read.graph
    assert read.graph.resource_graph().succ == analysis_from_dict(current).graph.succ
    with pytest.raises(
        InputError, match=r"version 3\.0 is not supported \(this tfoidc reads 1\.x and 2\.x\)"
    ):
        analysis_from_dict({**current, "schema_version": "3.0"})


def test_the_review_comparison_reads_every_major_the_contract_reads() -> None:
    assert review.READS_MAJORS == READS_MAJORS
    doc = analysis_json(need_shared(PLANS / "regula/resource_view_modules_tf1_0.json"))
    assert doc["schema_version"] == SCHEMA_VERSION
    assert review.compare_with_review(doc, doc).identical
