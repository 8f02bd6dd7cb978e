"""Safety: deleting or replacing resources that hold data."""

from __future__ import annotations

from collections.abc import Iterator

from tfoidc.analysis.graph import RESOURCE
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.registry import Hit, RuleContext, rule
from tfoidc.guardrails.resources import destroyed

# Resource types whose destruction loses data (or, for KMS keys, makes data encrypted with them
# unreadable once the deletion window ends).
STATEFUL_TYPES = (
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_rds_cluster_instance",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
    "aws_redshift_cluster",
    "aws_elasticache_replication_group",
    "aws_elasticache_cluster",
    "aws_elasticsearch_domain",
    "aws_opensearch_domain",
    "aws_s3_bucket",
    "aws_ebs_volume",
    "aws_ebs_snapshot",
    "aws_dynamodb_table",
    "aws_kms_key",
    "aws_efs_file_system",
    "aws_fsx_lustre_file_system",
    "aws_fsx_windows_file_system",
    "aws_backup_vault",
    "aws_secretsmanager_secret",
)


@rule(
    "TFO-SAFE-001",
    title="Plan deletes or replaces a resource that holds data",
    severity=Severity.BLOCK,
    rationale="Deleting or replacing a database, bucket, volume, table, file system or KMS key destroys "
    "its data (or the ability to decrypt it); in production that is rarely what a routine change means.",
    fix="Check the replacement reason (replace_paths) and avoid it, move the resource with a `moved` block, "
    "or set lifecycle { prevent_destroy = true }; waive the finding when the deletion is intended.",
    references=(),
    params={"types": list[str], "extra_types": list[str]},
)
def stateful_destroy(ctx: RuleContext) -> Iterator[Hit]:
    types = tuple(ctx.params.get("types", STATEFUL_TYPES)) + tuple(ctx.params.get("extra_types", ()))
    for rc in destroyed(ctx.plan):
        if rc.type not in types:
            continue
        verb = "replaces" if rc.action.value == "replace" else "deletes"
        why = ""
        if rc.replace_paths:
            paths = ", ".join(".".join(str(p) for p in path) for path in rc.replace_paths)
            why = f" because {paths} cannot change in place"
        radius = ctx.graph.blast_radius(rc.address, kinds=(RESOURCE,)) if rc.address in ctx.graph else ()
        where = "in production" if ctx.production else f"in {ctx.environment or 'an unnamed environment'}"
        affected = f"; {len(radius)} dependent resource(s) affected" if radius else ""
        attribute = ".".join(str(p) for p in rc.replace_paths[0]) if rc.replace_paths else None
        yield Hit(
            rc.address,
            f"this plan {verb} {rc.type} {where}{why}{affected}",
            attribute,
            blast_radius=radius,
            severity=Severity.BLOCK if ctx.production else Severity.WARN,
        )
