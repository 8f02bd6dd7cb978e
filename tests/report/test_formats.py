"""GitLab report artifacts and SARIF, checked against the fields their consumers require.

Schemas are written from GitLab's documentation (Code Quality: "Implement a custom tool", Terraform
MR widget: the gitlab-terraform `plan.json` report) and the SARIF 2.1.0 specification's required
properties, and validated with `jsonschema`.
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.report.plans import analysis_of, analysis_of_fixture, review_mix_plan
from tfoidc.analysis.graph import FULL
from tfoidc.analysis.model import Analysis
from tfoidc.report.config import ReportConfig
from tfoidc.report.render import render, write_reports

GITLAB_TERRAFORM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["create", "update", "delete"],
    "properties": {k: {"type": "integer", "minimum": 0} for k in ("create", "update", "delete", "replace")},
}

CODEQUALITY_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}

SARIF_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": {"type": "object", "required": ["id"]},
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message", "ruleId"],
                            "properties": {
                                "message": {
                                    "type": "object",
                                    "required": ["text"],
                                    "properties": {"text": {"type": "string", "minLength": 1}},
                                },
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "ruleIndex": {"type": "integer", "minimum": 0},
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "properties": {
                                                            "startLine": {"type": "integer", "minimum": 1}
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def mix() -> Analysis:
    return analysis_of(review_mix_plan(), "staging")


def test_gitlab_terraform_report_counts_replace_as_create_and_delete(mix: Analysis) -> None:
    doc = json.loads(render(mix, "gitlab-terraform"))
    jsonschema.validate(doc, GITLAB_TERRAFORM_SCHEMA)
    # 1 create + 1 replace + 1 update: GitLab's widget counts a replace as one create and one delete.
    assert doc == {"create": 2, "update": 1, "delete": 1, "replace": 1}


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("snyk-cli/tf_plan_destroy.json", {"create": 0, "update": 0, "delete": 8, "replace": 0}),
        ("opentofu/show_json_basic_delete.json", {"create": 0, "update": 1, "delete": 1, "replace": 0}),
        (
            "infracost/instance_with_attachment_after_deploy.json",
            {"create": 0, "update": 0, "delete": 0, "replace": 0},
        ),
        (
            "terraform-json/config_resource_depends_on_replace.json",
            {"create": 1, "update": 0, "delete": 1, "replace": 1},
        ),
    ],
)
def test_gitlab_terraform_report_on_fixture_plans(fixture: str, expected: dict[str, int]) -> None:
    doc = json.loads(render(analysis_of_fixture(fixture, "prod"), "gitlab-terraform"))
    jsonschema.validate(doc, GITLAB_TERRAFORM_SCHEMA)
    assert doc == expected


def test_codequality_has_gitlab_required_fields(mix: Analysis) -> None:
    doc = json.loads(render(mix, "codequality", config=ReportConfig(findings_path="live/staging/main.tf")))
    jsonschema.validate(doc, CODEQUALITY_SCHEMA)
    assert len(doc) == len(mix.findings) > 0
    assert {i["location"]["path"] for i in doc} == {"live/staging/main.tf"}
    blocker = [i for i in doc if i["severity"] == "blocker"]
    assert [i["check_name"] for i in blocker] == [f.rule for f in mix.blocking_findings]
    # GitLab matches issues between pipelines by fingerprint: unique and stable across renders.
    fingerprints = [i["fingerprint"] for i in doc]
    assert len(set(fingerprints)) == len(fingerprints)
    again = json.loads(render(mix, "codequality", config=ReportConfig(findings_path="live/staging/main.tf")))
    assert [i["fingerprint"] for i in again] == fingerprints


def test_codequality_without_findings_is_an_empty_array() -> None:
    a = analysis_of_fixture("opentofu/show_json_basic_delete.json", "prod")
    assert a.findings == ()
    assert json.loads(render(a, "codequality")) == []


def test_junit_parses_with_one_failure_per_blocking_finding(mix: Analysis) -> None:
    root = ET.fromstring(render(mix, "junit"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(mix.findings) == int(suite.attrib["tests"])
    failures = [c for c in cases if c.find("failure") is not None]
    assert len(failures) == len(mix.blocking_findings) == int(suite.attrib["failures"]) >= 1
    failing = failures[0]
    assert failing.attrib["name"] == "TFO-S3-001 aws_s3_bucket.test-bucket1"
    failure = failing.find("failure")
    assert failure is not None and "public" in (failure.attrib["message"] + (failure.text or ""))
    # Non-blocking findings pass (their text kept for the reader).
    assert all(c.find("system-out") is not None for c in cases if c not in failures)


def test_junit_without_findings_is_an_empty_passing_suite() -> None:
    root = ET.fromstring(render(analysis_of_fixture("opentofu/show_json_basic_delete.json", "prod"), "junit"))
    suite = root.find("testsuite")
    assert suite is not None and suite.attrib["tests"] == "0" and suite.attrib["failures"] == "0"


def test_sarif_is_valid_2_1_0(mix: Analysis) -> None:
    doc = json.loads(render(mix, "sarif"))
    jsonschema.validate(doc, SARIF_SCHEMA)
    run = doc["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(run["results"]) == len(mix.findings)
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["TFO-S3-001"] == "error"


def test_every_environment_gets_its_own_gitlab_terraform_report(tmp_path: Path) -> None:
    # `tfoidc plan ENV --out-dir tfoidc-out/ENV` writes each environment into its own folder.
    prod_dir, staging_dir = tmp_path / "prod", tmp_path / "staging"
    prod_files = write_reports(
        analysis_of_fixture("snyk-cli/tf_plan_destroy.json", "prod"), prod_dir, config=ReportConfig()
    )
    staging_files = write_reports(
        analysis_of(review_mix_plan(), "staging"), staging_dir, config=ReportConfig()
    )
    prod = json.loads(prod_files["gitlab-terraform"].read_text())
    staging = json.loads(staging_files["gitlab-terraform"].read_text())
    assert prod_files["gitlab-terraform"] == prod_dir / "gitlab-terraform.json"
    assert prod["delete"] == 8 and staging["replace"] == 1
    assert (
        "#### prod" in prod_files["note"].read_text() and "#### staging" in staging_files["note"].read_text()
    )


def test_repeated_findings_still_get_unique_fingerprints(mix: Analysis) -> None:
    twice = dataclasses.replace(mix, findings=mix.findings + mix.findings[:1])
    cq = [i["fingerprint"] for i in json.loads(render(twice, "codequality"))]
    assert len(cq) == len(set(cq)) == len(mix.findings) + 1
    sarif_doc = json.loads(render(twice, "sarif"))
    sf = [r["partialFingerprints"]["tfoidc/v1"] for r in sarif_doc["runs"][0]["results"]]
    assert len(set(sf)) == len(sf)
    # The first occurrence keeps the fingerprint it had without the repeat.
    assert {i["fingerprint"] for i in json.loads(render(mix, "codequality"))} <= set(cq)


def test_html_report_cannot_be_broken_out_of_by_a_for_each_key() -> None:
    doc = review_mix_plan()
    evil = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"
    for rc in doc["resource_changes"]:
        if rc["address"] == "aws_s3_bucket.test-bucket1":
            rc["address"] = f'aws_s3_bucket.test-bucket1["{evil}"]'
            rc["index"] = evil
    html = render(analysis_of(doc, "staging"), "html")

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append(tag)

    parser = Tags()
    parser.feed(html)
    assert parser.tags.count("script") == 2  # the JSON data and the report's own script
    assert "img" not in parser.tags
    data = html.split('<script type="application/json" id="tfoidc-data">', 1)[1].split("</script>", 1)[0]
    ids = [n["id"] for n in json.loads(data)["nodes"]]
    assert f'aws_s3_bucket.test-bucket1["{evil}"]' in ids  # intact once parsed


def _embedded_data(html: str) -> dict[str, Any]:
    data = html.split('<script type="application/json" id="tfoidc-data">', 1)[1].split("</script>", 1)[0]
    parsed: dict[str, Any] = json.loads(data)
    return parsed


def test_html_report_of_the_resource_level_graph_offers_no_wiring() -> None:
    mix = analysis_of(review_mix_plan(), "staging")
    assert {a.get("kind") for a in mix.graph.nodes.values()} == {"resource"}
    html = render(mix, "html")
    data = _embedded_data(html)
    assert sorted(n["id"] for n in data["nodes"]) == sorted(mix.graph.nodes)
    assert data["edges"] == [] and data["resource_edges"] == [list(e) for e in mix.graph.edges()]
    assert 'id="show-wiring"' not in html and "--graph full" in html
    full = analysis_of(review_mix_plan(), "staging", graph_detail=FULL)
    assert _embedded_data(render(full, "html"))["resource_edges"] == data["resource_edges"]


def test_html_report_leaves_the_wiring_out_of_a_graph_too_large_to_draw() -> None:
    mix = analysis_of(review_mix_plan(), "staging", graph_detail=FULL)
    resources = [n for n, a in mix.graph.nodes.items() if a.get("kind") == "resource"]
    wiring = len(mix.graph.nodes) - len(resources)
    assert wiring > 0  # the fixture has variables/outputs/modules to leave out

    full = render(mix, "html")
    assert len(_embedded_data(full)["nodes"]) == len(mix.graph.nodes)
    assert 'id="show-wiring" disabled' not in full

    small = ReportConfig(html_wiring_max_nodes=len(mix.graph.nodes) - 1)
    trimmed = render(mix, "html", config=small)
    data = _embedded_data(trimmed)
    assert sorted(n["id"] for n in data["nodes"]) == sorted(resources)
    assert data["edges"] == []
    assert data["resource_edges"] == _embedded_data(full)["resource_edges"]  # the drawn graph is whole
    assert 'id="show-wiring" disabled' in trimmed
    assert f"variables, outputs and modules left out ({wiring})" in trimmed
