"""TFO-SAFE-001: deleting or replacing resources that hold data, blocking in production."""

from __future__ import annotations

from tests.guardrails.support import change, fixture, parse, raw, run
from tfoidc.analysis.graph import RESOURCE
from tfoidc.analysis.graph_build import build_graph
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.policy import GuardrailsPolicy, RuleSettings

DESTROY = "snyk-cli/tf_plan_destroy.json"  # deletes a bucket, roles, policies, a state machine, ...
BUCKET = "aws_s3_bucket.terra_ci"


def test_deleting_a_bucket_in_production_blocks_with_blast_radius() -> None:
    plan = fixture(DESTROY)
    findings = run(plan, "TFO-SAFE-001", environment="production")
    assert [(f.address, f.severity) for f in findings] == [(BUCKET, Severity.BLOCK)]
    expected = build_graph(plan).blast_radius(BUCKET, kinds=(RESOURCE,))
    assert expected, "the fixture's bucket has dependents in the graph"
    assert findings[0].blast_radius == expected
    assert f"{len(expected)} dependent resource(s)" in findings[0].message
    assert "in production" in findings[0].message


def test_other_environments_warn() -> None:
    plan = fixture(DESTROY)
    [staging] = run(plan, "TFO-SAFE-001", environment="staging")
    assert staging.severity is Severity.WARN and "in staging" in staging.message
    [unnamed] = run(plan, "TFO-SAFE-001")
    assert unnamed.severity is Severity.WARN


def test_production_environments_are_configurable() -> None:
    policy = GuardrailsPolicy(production_environments=["live"])
    assert [f.severity for f in run(fixture(DESTROY), "TFO-SAFE-001", environment="live", policy=policy)] == [
        Severity.BLOCK
    ]
    assert [
        f.severity for f in run(fixture(DESTROY), "TFO-SAFE-001", environment="production", policy=policy)
    ] == [Severity.WARN]


def test_stateless_deletions_are_not_reported() -> None:
    addresses = {f.address for f in run(fixture(DESTROY), "TFO-SAFE-001", environment="production")}
    assert "aws_iam_role.terra_ci_job" not in addresses
    assert "aws_sfn_state_machine.terra_ci_runner" not in addresses


def test_extra_types_are_a_parameter() -> None:
    policy = GuardrailsPolicy(rules={"TFO-SAFE-001": RuleSettings(params={"extra_types": ["aws_iam_role"]})})
    addresses = {f.address for f in run(fixture(DESTROY), "TFO-SAFE-001", policy=policy)}
    assert {"aws_iam_role.terra_ci_job", "aws_iam_role.terra_ci_runner", BUCKET} <= addresses


def test_replacement_names_the_attribute_that_forces_it() -> None:
    doc = raw("infracost/instance_with_attachment_after_deploy.json")
    volume = change(doc, "aws_ebs_volume.storage")
    volume["actions"] = ["delete", "create"]
    volume["after"] = dict(volume["before"], availability_zone="us-east-1b")
    for rc in doc["resource_changes"]:
        if rc["address"] == "aws_ebs_volume.storage":
            rc["change"] = volume
            rc["change"]["replace_paths"] = [["availability_zone"]]
    plan = parse(doc)
    [finding] = run(plan, "TFO-SAFE-001", environment="prod")
    assert finding.address == "aws_ebs_volume.storage"
    assert finding.severity is Severity.BLOCK
    assert finding.attribute == "availability_zone"
    assert "replaces" in finding.message and "availability_zone cannot change in place" in finding.message
    assert finding.blast_radius == build_graph(plan).blast_radius("aws_ebs_volume.storage", kinds=(RESOURCE,))


def test_creating_resources_is_not_a_deletion() -> None:
    assert run(fixture("snyk-cli/tf_plan_create.json"), "TFO-SAFE-001", environment="production") == []
