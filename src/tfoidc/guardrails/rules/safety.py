"""Safety: deleting or replacing resources that hold data."""

from __future__ import annotations

from collections.abc import Iterator

from tfoidc.analysis.graph import RESOURCE
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.registry import Hit, RuleContext, rule
from tfoidc.guardrails.resources import destroyed

# Resource types whose destruction loses data that Terraform's configuration cannot recreate (or,
# for keys and certificate authorities, makes data encrypted or signed with them unusable once the
# deletion window ends). Grouped by what is lost.
STATEFUL_TYPES = (
    # relational, document, graph, warehouse and ledger databases
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_rds_cluster_instance",
    "aws_rds_global_cluster",
    "aws_db_snapshot",
    "aws_db_cluster_snapshot",
    "aws_docdb_cluster",
    "aws_docdb_elastic_cluster",
    "aws_neptune_cluster",
    "aws_redshift_cluster",
    "aws_redshiftserverless_namespace",
    "aws_lightsail_database",
    "aws_qldb_ledger",
    # key-value, wide-column and time-series tables
    "aws_dynamodb_table",
    "aws_dynamodb_global_table",
    "aws_dynamodb_table_replica",
    "aws_keyspaces_table",
    "aws_keyspaces_keyspace",
    "aws_timestreamwrite_database",
    "aws_timestreamwrite_table",
    # in-memory stores that are a system of record (snapshots, persistence)
    "aws_elasticache_replication_group",
    "aws_elasticache_cluster",
    "aws_elasticache_serverless_cache",
    "aws_memorydb_cluster",
    # search indexes
    "aws_elasticsearch_domain",
    "aws_opensearch_domain",
    "aws_opensearchserverless_collection",
    # object, block and file storage
    "aws_s3_bucket",
    "aws_s3_directory_bucket",
    "aws_s3tables_table_bucket",
    "aws_glacier_vault",
    "aws_ebs_volume",
    "aws_ebs_snapshot",
    "aws_ebs_snapshot_copy",
    "aws_efs_file_system",
    "aws_fsx_lustre_file_system",
    "aws_fsx_windows_file_system",
    "aws_fsx_ontap_file_system",
    "aws_fsx_ontap_volume",
    "aws_fsx_openzfs_file_system",
    "aws_fsx_openzfs_volume",
    "aws_backup_vault",
    # messages and events not yet consumed
    "aws_sqs_queue",
    "aws_kinesis_stream",
    "aws_kinesis_firehose_delivery_stream",
    "aws_msk_cluster",
    "aws_msk_serverless_cluster",
    "aws_mq_broker",
    # logs, images, repositories and users
    "aws_cloudwatch_log_group",
    "aws_ecr_repository",
    "aws_codecommit_repository",
    "aws_cognito_user_pool",
    # secrets, keys and certificate authorities
    "aws_secretsmanager_secret",
    "aws_kms_key",
    "aws_kms_replica_key",
    "aws_kms_external_key",
    "aws_acmpca_certificate_authority",
)


@rule(
    "TFO-SAFE-001",
    title="Plan deletes or replaces a resource that holds data",
    severity=Severity.BLOCK,
    rationale="Deleting or replacing a database, table, bucket, volume, file system, queue or stream, log "
    "group, image repository, user pool, secret or key destroys its data (or the ability to decrypt it); in "
    "production that is rarely what a routine change means. The types are listed in docs/guardrails.md.",
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
