"""Encryption at rest (TFO-ENC-001..003)."""

from __future__ import annotations

from typing import Any

from tests.guardrails.support import add_resource, change, fixture, hits, parse, raw, run, set_after
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.policy import GuardrailsPolicy

BEFORE = "infracost/instance_with_attachment_before_deploy.json"
AFTER = "infracost/instance_with_attachment_after_deploy.json"
ALL = GuardrailsPolicy(scope="all")


def volume(encrypted: Any) -> dict[str, Any]:
    return {"availability_zone": "us-east-1a", "size": 20, "type": "gp3", "encrypted": encrypted}


# --- TFO-ENC-001 ------------------------------------------------------------------------------------


def test_real_unencrypted_volume_and_instance_disks() -> None:
    assert hits(fixture(AFTER), "TFO-ENC-001", policy=ALL) == {
        ("aws_ebs_volume.storage", "encrypted"),
        ("aws_instance.ec2", "ebs_block_device[0].encrypted"),
        ("aws_instance.ec2", "root_block_device[0].encrypted"),
    }


def test_instance_without_root_block_device_is_unencrypted_by_default() -> None:
    findings = run(fixture("checkov/provisioners_tf1_5.json"), "TFO-ENC-001")
    assert [(f.address, f.attribute) for f in findings] == [("aws_instance.web", "root_block_device")]
    assert "AMI" in findings[0].message


def test_root_block_device_without_encrypted_leaves_it_to_the_ami() -> None:
    # the instance writes root_block_device without `encrypted`: shown as known after apply, but unset,
    # so the AMI's snapshot decides and, without account-wide encryption, the disk is unencrypted
    findings = run(fixture(BEFORE), "TFO-ENC-001")
    root = [
        f
        for f in findings
        if f.address == "aws_instance.ec2" and f.attribute == "root_block_device[0].encrypted"
    ]
    assert len(root) == 1 and root[0].severity is Severity.WARN and "AMI" in root[0].message


def test_encrypted_root_block_device_passes() -> None:
    doc = raw("checkov/provisioners_tf1_5.json")
    set_after(doc, "aws_instance.web", root_block_device=[{"encrypted": True, "volume_size": 8}])
    assert hits(parse(doc), "TFO-ENC-001") == set()


def test_new_volumes_encrypted_or_not() -> None:
    doc = add_resource(raw(BEFORE), "aws_ebs_volume.plain", volume(False))
    add_resource(doc, "aws_ebs_volume.sealed", volume(True))
    add_resource(doc, "aws_ebs_volume.unset", {k: v for k, v in volume(None).items() if k != "encrypted"})
    found = {a for a, _ in hits(parse(doc), "TFO-ENC-001")}
    assert {"aws_ebs_volume.plain", "aws_ebs_volume.unset"} <= found
    assert "aws_ebs_volume.sealed" not in found


def test_account_wide_ebs_encryption_by_default_silences_the_rule() -> None:
    doc = add_resource(
        raw("checkov/provisioners_tf1_5.json"), "aws_ebs_encryption_by_default.on", {"enabled": True}
    )
    add_resource(doc, "aws_ebs_volume.plain", volume(False))
    assert hits(parse(doc), "TFO-ENC-001") == set()


def test_volume_from_a_snapshot_inherits_its_encryption() -> None:
    doc = raw("checkov/provisioners_tf1_5.json")
    disks = [{"device_name": "/dev/sdf", "encrypted": False, "snapshot_id": "snap-0123"}]
    set_after(doc, "aws_instance.web", root_block_device=[{"encrypted": True}], ebs_block_device=disks)
    assert hits(parse(doc), "TFO-ENC-001") == set()


def test_launch_template_unencrypted_mapping() -> None:
    mappings = [{"device_name": "/dev/xvda", "ebs": [{"encrypted": "false", "volume_size": 8}]}]
    doc = add_resource(
        raw(BEFORE), "aws_launch_template.web", {"image_id": "ami-1", "block_device_mappings": mappings}
    )
    assert ("aws_launch_template.web", "block_device_mappings[0].ebs[0].encrypted") in hits(
        parse(doc), "TFO-ENC-001"
    )


# --- TFO-ENC-002 ------------------------------------------------------------------------------------


def db(**values: Any) -> dict[str, Any]:
    return {"engine": "postgres", "instance_class": "db.t3.micro", "publicly_accessible": False, **values}


def test_rds_storage_encryption() -> None:
    doc = add_resource(raw(BEFORE), "aws_db_instance.plain", db(storage_encrypted=False))
    add_resource(doc, "aws_db_instance.sealed", db(storage_encrypted=True))
    add_resource(doc, "aws_db_instance.replica", db(storage_encrypted=False, replicate_source_db="plain"))
    add_resource(doc, "aws_rds_cluster.v1", {"engine": "aurora-mysql", "engine_mode": "serverless"})
    add_resource(doc, "aws_rds_cluster.prov", {"engine": "aurora-mysql", "engine_mode": "provisioned"})
    assert hits(parse(doc), "TFO-ENC-002") == {
        ("aws_db_instance.plain", "storage_encrypted"),
        ("aws_rds_cluster.prov", "storage_encrypted"),
    }


def test_rds_encryption_unknown_but_not_configured_is_the_aws_default() -> None:
    # "known after apply" with no expression in the configuration: the default (unencrypted) applies
    doc = add_resource(raw(BEFORE), "aws_db_instance.later", db(), after_unknown={"storage_encrypted": True})
    findings = run(parse(doc), "TFO-ENC-002")
    assert [(f.address, f.severity) for f in findings] == [("aws_db_instance.later", Severity.WARN)]
    assert "not set" in findings[0].message and "Overview.Encryption" in findings[0].message


def test_rds_encryption_from_an_unknown_expression_cannot_be_judged_yet() -> None:
    doc = add_resource(
        raw(BEFORE),
        "aws_db_instance.later",
        db(),
        after_unknown={"storage_encrypted": True},
        refs={"storage_encrypted": ["var.encrypted"]},
    )
    strict = GuardrailsPolicy.model_validate({"rules": {"TFO-ENC-002": {"severity": "block"}}})
    findings = run(parse(doc), "TFO-ENC-002", policy=strict)
    assert [(f.address, f.severity) for f in findings] == [("aws_db_instance.later", Severity.INFO)]
    assert "cannot be judged yet" in findings[0].message


# --- TFO-ENC-003 ------------------------------------------------------------------------------------


def test_real_buckets_with_and_without_inline_encryption() -> None:
    findings = run(fixture("regula/s3_bucket_sse.json"), "TFO-ENC-003")
    # the KMS bucket uses a key of its own; AES256 and no configuration both mean SSE-S3 (info)
    assert {(f.address, f.severity) for f in findings} == {
        ("aws_s3_bucket.unencrypted", Severity.INFO),
        ("aws_s3_bucket.aes_encrypted", Severity.INFO),
    }
    by_address = {f.address: f.message for f in findings}
    assert "SSE-S3 (AES256)" in by_address["aws_s3_bucket.aes_encrypted"]
    assert "since January 2023" in by_address["aws_s3_bucket.unencrypted"]


def test_separate_encryption_configuration_resource_counts() -> None:
    plan = fixture("snyk-policy-engine/provider_version.json")  # bucket2 has its own SSE resource
    findings = run(plan, "TFO-ENC-003")
    assert [f.address for f in findings] == ["aws_s3_bucket.bucket1"]
    assert "AWS provider 4.x" in findings[0].message  # the plan pins the provider's major version
    # the trivy plan's bucket has a separate AES256 configuration: SSE-S3, said so
    [aes] = run(fixture("trivy/plan_open_sg_s3.json"), "TFO-ENC-003")
    assert "SSE-S3 (AES256)" in aes.message


def test_removing_the_encryption_resource_brings_the_finding_back() -> None:
    doc = raw("trivy/plan_open_sg_s3.json")
    doc["resource_changes"] = [
        rc
        for rc in doc["resource_changes"]
        if rc["type"] != "aws_s3_bucket_server_side_encryption_configuration"
    ]
    assert hits(parse(doc), "TFO-ENC-003") == {
        ("aws_s3_bucket.planbucket", "server_side_encryption_configuration")
    }
    assert change(raw("trivy/plan_open_sg_s3.json"), "aws_s3_bucket.planbucket")  # base plan untouched
