"""TFO-SAFE-001: deleting or replacing resources that hold data, blocking in production."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO
from tests.guardrails.support import change, fixture, parse, raw, run
from tfoidc.analysis.graph import RESOURCE
from tfoidc.analysis.graph_build import build_graph
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.policy import GuardrailsPolicy, RuleSettings
from tfoidc.guardrails.rules.safety import STATEFUL_TYPES

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


QUEUES_STREAMS_LOGS_USERS = (
    "aws_sqs_queue",
    "aws_kinesis_stream",
    "aws_msk_cluster",
    "aws_mq_broker",
    "aws_cloudwatch_log_group",
    "aws_ecr_repository",
    "aws_cognito_user_pool",
    "aws_memorydb_cluster",
    "aws_fsx_ontap_volume",
    "aws_acmpca_certificate_authority",
)


@pytest.mark.parametrize("kind", QUEUES_STREAMS_LOGS_USERS)
def test_every_kind_of_data_is_covered_not_only_databases_and_buckets(kind: str) -> None:
    """Unconsumed messages, logs, images and users are data too: deleting them in production blocks."""
    doc = raw(DESTROY)
    for rc in doc["resource_changes"]:
        if rc["address"] == BUCKET:
            rc["type"] = kind
            rc["address"] = f"{kind}.terra_ci"
    [finding] = run(parse(doc), "TFO-SAFE-001", environment="production")
    assert (finding.address, finding.severity) == (f"{kind}.terra_ci", Severity.BLOCK)
    assert f"deletes {kind} in production" in finding.message


def test_the_docs_list_exactly_the_types_that_hold_data() -> None:
    section = (REPO / "docs" / "guardrails.md").read_text(encoding="utf-8").split("### TFO-SAFE-001", 1)[1]
    line = next(line for line in section.splitlines() if line.startswith("- **Types that hold data**"))
    assert re.findall(r"`(aws_[a-z0-9_]+)`", line) == list(STATEFUL_TYPES)
