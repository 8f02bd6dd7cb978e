"""Encryption at rest: EBS volumes and instance disks, RDS storage, S3 default encryption."""

from __future__ import annotations

from collections.abc import Iterator

from tfoidc.guardrails.links import linked
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.registry import Hit, RuleContext, rule
from tfoidc.guardrails.resources import aws_provider_major, blocks, falsy, live, truthy, unknown, value
from tfoidc.plan.model import ResourceChange

DISK_BLOCKS = {
    "aws_instance": ("root_block_device", "ebs_block_device"),
    "aws_launch_configuration": ("root_block_device", "ebs_block_device"),
}


def _account_encrypts_ebs(ctx: RuleContext) -> bool:
    return any(truthy(value(rc, "enabled")) for rc in live(ctx.plan, "aws_ebs_encryption_by_default"))


def _unencrypted(rc: ResourceChange, *path: str | int) -> bool:
    """Explicitly false, or left out where the provider's default is unencrypted."""
    return not unknown(rc, *path) and not truthy(value(rc, *path))


@rule(
    "TFO-ENC-001",
    title="EBS volume or instance disk is not encrypted",
    severity=Severity.WARN,
    rationale="Unencrypted volumes, and the snapshots taken from them, expose their data to anyone who "
    "obtains a copy; encryption cannot be switched on for an existing volume.",
    fix="Set encrypted = true (optionally kms_key_id), or enable aws_ebs_encryption_by_default for the "
    "account and region.",
    references=("CKV_AWS_3", "CKV_AWS_8", "AWS-0026", "AWS-0131", "AWS-0008"),
)
def unencrypted_ebs(ctx: RuleContext) -> Iterator[Hit]:
    if _account_encrypts_ebs(ctx):
        return
    for rc in live(ctx.plan, "aws_ebs_volume"):
        if _unencrypted(rc, "encrypted"):
            yield Hit(rc.address, "encrypted is not true", "encrypted")
    for rc in live(ctx.plan, *DISK_BLOCKS):
        if not blocks(rc, "root_block_device"):
            # With no root_block_device block the provider asks for nothing and the root volume is
            # encrypted only if the AMI's snapshot is (Checkov CKV_AWS_8 judges it the same way).
            yield Hit(
                rc.address,
                "no root_block_device block: the root volume is unencrypted unless the AMI's snapshot is "
                "encrypted",
                "root_block_device",
            )
        for block_name in DISK_BLOCKS[rc.type]:
            for index, block in enumerate(blocks(rc, block_name)):
                if falsy(value(rc, block_name, index, "encrypted")) and not block.get("snapshot_id"):
                    attribute = f"{block_name}[{index}].encrypted"
                    yield Hit(rc.address, f"{attribute} is false", attribute)
    for rc in live(ctx.plan, "aws_launch_template"):
        for i, mapping in enumerate(blocks(rc, "block_device_mappings")):
            for j, ebs in enumerate(mapping.get("ebs") or ()):
                if isinstance(ebs, dict) and falsy(ebs.get("encrypted")):
                    attribute = f"block_device_mappings[{i}].ebs[{j}].encrypted"
                    yield Hit(rc.address, f"{attribute} is false", attribute)


@rule(
    "TFO-ENC-002",
    title="RDS storage is not encrypted",
    severity=Severity.WARN,
    rationale="RDS storage, its automated backups, replicas and snapshots stay unencrypted; encryption "
    "can only be added later by restoring from an encrypted snapshot copy.",
    fix="Set storage_encrypted = true (and kms_key_id for a customer-managed key).",
    references=("CKV_AWS_16", "CKV_AWS_96", "AWS-0080", "AWS-0079"),
)
def unencrypted_rds(ctx: RuleContext) -> Iterator[Hit]:
    for rc in live(ctx.plan, "aws_db_instance", "aws_rds_cluster"):
        if value(rc, "replicate_source_db") or value(rc, "engine_mode") == "serverless":
            continue  # replicas inherit the source's encryption; Serverless v1 is always encrypted
        if _unencrypted(rc, "storage_encrypted"):
            yield Hit(rc.address, "storage_encrypted is not true", "storage_encrypted")


@rule(
    "TFO-ENC-003",
    title="S3 bucket has no default encryption configuration in this plan",
    severity=Severity.INFO,
    rationale="Since January 2023 AWS encrypts every new object with SSE-S3 when the bucket sets nothing, "
    "so this is informational: configure SSE-KMS when you need control over the key and its audit trail.",
    fix="Add an aws_s3_bucket_server_side_encryption_configuration (provider >= 4) or a "
    "server_side_encryption_configuration block (provider < 4), with sse_algorithm aws:kms if needed.",
    references=("CKV_AWS_19", "CKV_AWS_145", "AWS-0088", "AWS-0132"),
)
def s3_default_encryption(ctx: RuleContext) -> Iterator[Hit]:
    configured: set[str] = set()
    for rc in live(ctx.plan, "aws_s3_bucket_server_side_encryption_configuration"):
        configured.update(
            b.address
            for b in linked(
                ctx.plan, ctx.graph, rc, "bucket", ("aws_s3_bucket",), id_attributes=("id", "bucket")
            )
        )
    major = aws_provider_major(ctx.plan)
    provider_note = f" (AWS provider {major}.x)" if major is not None else ""
    for bucket in live(ctx.plan, "aws_s3_bucket"):
        if bucket.address in configured or blocks(bucket, "server_side_encryption_configuration"):
            continue
        yield Hit(
            bucket.address,
            f"no server-side encryption configuration{provider_note}; AWS applies SSE-S3 to new objects by "
            "default since January 2023",
            "server_side_encryption_configuration",
        )
