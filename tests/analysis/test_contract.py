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
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests.conftest import PLANS, REPO, all_fixture_plans, need_shared
from tfoidc.analysis import review
from tfoidc.analysis.contract import (
    READS_MAJORS,
    SCHEMA_VERSION,
    analysis_from_dict,
    analysis_to_dict,
    json_schema,
    validate_document,
)
from tfoidc.analysis.run import analyze
from tfoidc.config import Config
from tfoidc.cost.catalog import Catalog, load_catalog
from tfoidc.errors import ExitCode, InputError
from tfoidc.plan.parse import load_plan, plan_from_document

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
        "complete": True,
        "deferred": [],
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


# --- reading it back: a document is checked against the schema first --------------------------------


def good_document() -> dict[str, Any]:
    """A real analysis of a small plan (no ../shared needed)."""

    def rc(address: str, actions: list[str]) -> dict[str, Any]:
        rtype, name = address.split(".")
        change = {"actions": actions, "before": None, "after": {"bucket": name}, "after_unknown": {}}
        return {"address": address, "mode": "managed", "type": rtype, "name": name, "change": change}

    plan = {
        "format_version": "1.2",
        "resource_changes": [rc("aws_s3_bucket.a", ["create"]), rc("aws_s3_bucket.b", ["create"])],
    }
    result = analyze(plan_from_document(plan), Config(), catalog=catalog())
    loaded: dict[str, Any] = orjson.loads(orjson.dumps(analysis_to_dict(result)))
    return loaded


@pytest.mark.parametrize(
    ("break_it", "where"),
    [
        (lambda d: d["changes"][0].update(action="explode"), "changes[0].action"),
        (lambda d: d["findings"].insert(0, {"rule": 1}), "findings[0]"),
        (lambda d: d["graph"]["nodes"][1].update(kind="planet"), "graph.nodes[1].kind"),
        (lambda d: d["graph"]["nodes"][0].pop("module"), "graph.nodes[0]"),
        (lambda d: d["graph"]["edges"].append(["a", 2]), "graph.edges["),
        (
            lambda d: d["plan"].update(deferred=[{"address": "", "action": "create", "reason": ""}]),
            "plan.deferred[0].address",
        ),
        (lambda d: d.update(environment="../prod"), "environment"),
        (lambda d: d.update(cost={"currency": 5}), "cost"),
        (lambda d: d.pop("summary"), "(top level)"),
    ],
)
def test_a_malformed_document_is_one_input_error_naming_the_key_path(break_it: Any, where: str) -> None:
    doc = good_document()
    break_it(doc)
    with pytest.raises(InputError) as caught:
        analysis_from_dict(doc, source="tfoidc.json")
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.one_line().startswith(f"tfoidc.json: {where}"), caught.value.one_line()


def test_a_document_of_schema_1_0_is_still_read() -> None:
    doc = good_document()
    doc["schema_version"] = "1.0"
    for key in ("complete", "deferred"):
        doc["plan"].pop(key)
    analysis = analysis_from_dict(doc)
    assert not analysis.plan.incomplete and analysis.plan.deferred == ()


def test_deferred_changes_and_replace_forget_round_trip() -> None:
    doc = good_document()
    doc["plan"].update(
        complete=False, deferred=[{"address": "a.b", "action": "create", "reason": "absent_prereq"}]
    )
    doc["changes"][0]["action"] = "replace-forget"
    again = analysis_to_dict(analysis_from_dict(orjson.loads(orjson.dumps(doc))))
    assert again["plan"]["complete"] is False and again["plan"]["deferred"] == doc["plan"]["deferred"]
    assert again["changes"][0]["action"] == "replace-forget"
    assert errors(again) == []


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["", "x", "resource", "create", "module"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "id"]), inner, max_size=2)
    ),
    max_leaves=4,
)
_node_value = st.one_of(
    st.none(), st.sampled_from(["", "x", "resource", "variable", "create", "no-op"]), _json
)
_node = st.one_of(
    st.fixed_dictionaries(
        {k: _node_value for k in ("id", "kind", "type", "action", "mode", "module")},
        optional={"extra": _node_value},
    ),
    _json,
)
_edge = st.one_of(st.lists(st.one_of(st.sampled_from(["a", "b"]), _json), max_size=3), _json)


@settings(max_examples=300, deadline=None)
@given(nodes=st.lists(_node, max_size=2), edges=st.lists(_edge, max_size=2))
def test_the_graph_list_check_gives_the_schema_verdict(nodes: list[Any], edges: list[Any]) -> None:
    """Graph nodes and edges are checked by a loop, not the generated validator (a hundred times
    faster on 180k nodes): it must accept and refuse exactly what schema.json does."""
    doc = good_document_cached()
    doc = {**doc, "graph": {**doc["graph"], "nodes": nodes, "edges": edges}}
    schema_ok = not errors(doc)
    try:
        validate_document(doc)
        ours_ok = True
    except InputError:
        ours_ok = False
    assert ours_ok == schema_ok


@cache
def _good() -> bytes:
    return orjson.dumps(good_document())


def good_document_cached() -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads(_good())
    return loaded


def test_usage_based_costs_and_free_resources_survive_the_round_trip() -> None:
    """`tfoidc comment` renders from tfoidc.json: what the note says about a usage-based Lambda and a
    free IAM role must be in the document, not only in the in-memory analysis."""

    def rc(address: str, after: dict[str, Any]) -> dict[str, Any]:
        rtype, name = address.split(".")
        change = {"actions": ["create"], "before": None, "after": after, "after_unknown": {}}
        return {"address": address, "mode": "managed", "type": rtype, "name": name, "change": change}

    plan = plan_from_document(
        {
            "format_version": "1.2",
            "resource_changes": [
                rc("aws_lambda_function.api", {"memory_size": 512, "architectures": ["x86_64"]}),
                rc("aws_iam_role.api", {"name": "api"}),
            ],
        }
    )
    config = Config.model_validate({"cost": {"region": "us-east-1"}})
    doc = orjson.loads(orjson.dumps(analysis_to_dict(analyze(plan, config, catalog=catalog()))))
    assert errors(doc) == []
    (lambda_cost,) = doc["cost"]["resources"]
    assert lambda_cost["depends_on_usage"] is True
    assert any(c["depends_on_usage"] and c["monthly_cost"] is None for c in lambda_cost["components"])
    assert [f["address"] for f in doc["cost"]["free"]] == ["aws_iam_role.api"]

    read = analysis_from_dict(doc).cost
    assert read is not None
    assert [r.address for r in read.usage_based] == ["aws_lambda_function.api"]
    assert tuple(f.address for f in read.free_resources) == read.free == ("aws_iam_role.api",)
    assert analysis_to_dict(analysis_from_dict(doc))["cost"] == doc["cost"]


@pytest.mark.parametrize(
    ("name", "valid"), [("live/app", True), ("prod", True), ("live/../prod", False), ("/abs", False)]
)
def test_a_stacks_path_is_a_name_an_analysis_can_carry(name: str, valid: bool) -> None:
    """A stack is named by its folder (`live/app`): its analysis must read back; a path that climbs must not."""
    doc = {**good_document_cached(), "environment": name}
    if valid:
        assert analysis_from_dict(doc).environment == name
    else:
        with pytest.raises(InputError, match="environment"):
            analysis_from_dict(doc)
