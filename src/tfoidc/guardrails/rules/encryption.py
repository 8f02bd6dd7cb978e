"""Encryption at rest (and in transit for caches and search domains).

Each storage type is judged against the default AWS documents for it (`Storage.default`, with its
source): where AWS does not encrypt by default, a setting the configuration leaves out counts as
unencrypted; where AWS always encrypts, the absence of a customer-managed key is information only.
A setting whose expression is known only after apply cannot be judged yet and is reported as such, at
info (see `tfoidc.guardrails.settings`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from tfoidc.guardrails.links import linked
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.registry import Hit, RuleContext, rule
from tfoidc.guardrails.resources import aws_provider_major, blocks, known, live, truthy, value
from tfoidc.guardrails.settings import State, setting
from tfoidc.plan.model import Plan, ResourceChange

Path = tuple[str | int, ...]


def _on(raw: Any) -> bool:
    return truthy(raw)


def _named(raw: Any) -> bool:
    return known(raw) and bool(str(raw).strip())


@dataclass(frozen=True)
class Storage:
    """One encryption setting of one resource type and the default AWS documents for it."""

    type: str
    path: Path
    what: str  # what stays unencrypted, e.g. "storage"
    default: str  # the default when the configuration leaves the setting out, as AWS documents it
    source: str  # where AWS documents that default
    encrypted: Callable[[Any], bool] = _on
    skip: Callable[[Plan, ResourceChange], bool] = lambda plan, rc: False

    @property
    def attribute(self) -> str:
        text = ""
        for step in self.path:
            text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
        return text


def judge(ctx: RuleContext, storage: Storage) -> Iterator[Hit]:
    """Hits for every `storage.type` resource whose setting leaves the data unencrypted."""
    for rc in live(ctx.plan, storage.type):
        if storage.skip(ctx.plan, rc):
            continue
        chosen = setting(ctx.plan, rc, *storage.path)
        if chosen.pending:
            yield Hit(
                rc.address,
                f"{storage.attribute} is set by an expression known only after apply: whether the "
                f"{storage.what} is encrypted cannot be judged yet",
                storage.attribute,
                pending=True,
            )
        elif chosen.state is State.UNSET:
            yield Hit(
                rc.address,
                f"{storage.attribute} is not set, so the {storage.what} is unencrypted "
                f"({storage.default}; {storage.source})",
                storage.attribute,
            )
        elif not storage.encrypted(chosen.value):
            yield Hit(
                rc.address,
                f"{storage.attribute} = {chosen.value!r}: the {storage.what} is unencrypted",
                storage.attribute,
            )


# --- TFO-ENC-001: EBS -----------------------------------------------------------------------------

EBS_DEFAULT = (
    "a volume is encrypted only if its snapshot is, or if EBS encryption by default is on for the account "
    "and region"
)
EBS_SOURCE = "https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html"
DISK_BLOCKS = {
    "aws_instance": ("root_block_device", "ebs_block_device"),
    "aws_launch_configuration": ("root_block_device", "ebs_block_device"),
}


def _account_encrypts_ebs(plan: Plan) -> bool:
    return any(truthy(value(rc, "enabled")) for rc in live(plan, "aws_ebs_encryption_by_default"))


@rule(
    "TFO-ENC-001",
    title="EBS volume, snapshot copy or instance disk is not encrypted",
    severity=Severity.WARN,
    rationale="Unencrypted volumes, and the snapshots taken from them, expose their data to anyone who "
    "obtains a copy; encryption cannot be switched on for an existing volume. AWS does not encrypt EBS "
    f"unless asked ({EBS_DEFAULT}: {EBS_SOURCE}); aws_ebs_encryption_by_default in the same plan is "
    "honoured.",
    fix="Set encrypted = true (optionally kms_key_id) on the volume, block device or snapshot copy, or "
    "enable aws_ebs_encryption_by_default for the account and region.",
    references=("CKV_AWS_3", "CKV_AWS_8", "CKV2_AWS_2", "AWS-0026", "AWS-0131", "AWS-0008"),
)
def unencrypted_ebs(ctx: RuleContext) -> Iterator[Hit]:
    plan = ctx.plan
    if _account_encrypts_ebs(plan):
        return
    yield from judge(ctx, Storage("aws_ebs_volume", ("encrypted",), "volume", EBS_DEFAULT, EBS_SOURCE))
    for rc in live(plan, "aws_ebs_snapshot_copy"):
        chosen = setting(plan, rc, "encrypted")
        if chosen.state is State.SET and truthy(chosen.value):
            continue
        source = value(rc, "source_snapshot_id")
        if chosen.pending:
            yield Hit(rc.address, "encrypted is known only after apply", "encrypted", pending=True)
        else:
            yield Hit(
                rc.address,
                f"encrypted is not true: the copy is encrypted only if snapshot {source or '(source)'} is",
                "encrypted",
            )
    for rc in live(plan, "aws_ebs_snapshot"):
        for volume in linked(plan, ctx.graph, rc, "volume_id", ("aws_ebs_volume",)):
            chosen = setting(plan, volume, "encrypted")
            if chosen.state is not State.PENDING and not truthy(chosen.value):
                yield Hit(rc.address, f"snapshot of unencrypted volume {volume.address}", "volume_id")
    for rc in live(plan, *DISK_BLOCKS):
        yield from _instance_disks(plan, rc)
    for rc in live(plan, "aws_launch_template"):
        for i, mapping in enumerate(blocks(rc, "block_device_mappings")):
            for j, ebs in enumerate(mapping.get("ebs") or ()):
                if not isinstance(ebs, dict) or ebs.get("snapshot_id"):
                    continue
                path = ("block_device_mappings", i, "ebs", j, "encrypted")
                yield from _disk(plan, rc, path, f"block_device_mappings[{i}].ebs[{j}].encrypted")


def _instance_disks(plan: Plan, rc: ResourceChange) -> Iterator[Hit]:
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
            if block.get("snapshot_id"):
                continue  # a volume from a snapshot inherits the snapshot's encryption
            yield from _disk(plan, rc, (block_name, index, "encrypted"), f"{block_name}[{index}].encrypted")


def _disk(plan: Plan, rc: ResourceChange, path: Path, attribute: str) -> Iterator[Hit]:
    chosen = setting(plan, rc, *path)
    if chosen.pending:
        yield Hit(rc.address, f"{attribute} is known only after apply", attribute, pending=True)
    elif chosen.state is State.UNSET:
        yield Hit(
            rc.address,
            f"{attribute} is not set: the volume is unencrypted unless the AMI's snapshot is encrypted",
            attribute,
        )
    elif not truthy(chosen.value):
        yield Hit(rc.address, f"{attribute} is false", attribute)


# --- TFO-ENC-002: databases -----------------------------------------------------------------------


def _inherits_encryption(plan: Plan, rc: ResourceChange) -> bool:
    """Replicas, restores from a snapshot and members of a global cluster take the source's setting;
    Aurora instances take the cluster's; Aurora Serverless v1 is always encrypted."""
    inherited = ("replicate_source_db", "snapshot_identifier", "replication_source_identifier")
    if any(_named(value(rc, key)) for key in inherited):
        return True
    if rc.type == "aws_rds_cluster" and value(rc, "engine_mode") == "serverless":
        return True
    if rc.type == "aws_rds_cluster" and _named(value(rc, "global_cluster_identifier")):
        return True
    return rc.type == "aws_db_instance" and str(value(rc, "engine") or "").startswith("aurora")


RDS_SOURCE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html"
DATABASES = (
    Storage(
        "aws_db_instance",
        ("storage_encrypted",),
        "database storage",
        "RDS storage_encrypted defaults to false",
        RDS_SOURCE,
        skip=_inherits_encryption,
    ),
    Storage(
        "aws_rds_cluster",
        ("storage_encrypted",),
        "cluster storage",
        "Aurora provisioned clusters are unencrypted unless StorageEncrypted is set",
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html",
        skip=_inherits_encryption,
    ),
    Storage(
        "aws_docdb_cluster",
        ("storage_encrypted",),
        "cluster storage",
        "DocumentDB StorageEncrypted defaults to false",
        "https://docs.aws.amazon.com/documentdb/latest/developerguide/encryption-at-rest.html",
        skip=_inherits_encryption,
    ),
    Storage(
        "aws_neptune_cluster",
        ("storage_encrypted",),
        "cluster storage",
        "Neptune StorageEncrypted defaults to false",
        "https://docs.aws.amazon.com/neptune/latest/userguide/encrypt.html",
        skip=_inherits_encryption,
    ),
    Storage(
        "aws_redshift_cluster",
        ("encrypted",),
        "data warehouse",
        "Redshift Encrypted defaults to false in the provider before 6.0",
        "https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-db-encryption.html",
        skip=_inherits_encryption,
    ),
)


@rule(
    "TFO-ENC-002",
    title="Database storage is not encrypted",
    severity=Severity.WARN,
    rationale="RDS, Aurora, DocumentDB, Neptune and Redshift storage, its automated backups, replicas and "
    "snapshots stay unencrypted unless encryption is chosen at creation; it can only be added later by "
    "restoring an encrypted snapshot copy.",
    fix="Set storage_encrypted = true (encrypted = true for Redshift), with kms_key_id for a "
    "customer-managed key.",
    references=(
        "CKV_AWS_16",
        "CKV_AWS_96",
        "CKV_AWS_74",
        "CKV_AWS_44",
        "CKV_AWS_64",
        "AWS-0080",
        "AWS-0079",
        "AWS-0084",
    ),
)
def unencrypted_database(ctx: RuleContext) -> Iterator[Hit]:
    for storage in DATABASES:
        yield from judge(ctx, storage)


# --- TFO-ENC-003: S3 ------------------------------------------------------------------------------

S3_DEFAULT_SOURCE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html"


@rule(
    "TFO-ENC-003",
    title="S3 bucket is encrypted with an S3-managed key, not a customer-managed one",
    severity=Severity.INFO,
    rationale="Since January 2023 S3 encrypts every new object with SSE-S3 when the bucket sets nothing "
    f"({S3_DEFAULT_SOURCE}), so this is informational: configure SSE-KMS when you need control over the "
    "key, its policy and its audit trail.",
    fix="Add an aws_s3_bucket_server_side_encryption_configuration (provider >= 4) or a "
    "server_side_encryption_configuration block (provider < 4) with sse_algorithm aws:kms and a key.",
    references=("CKV_AWS_19", "CKV_AWS_145", "AWS-0088", "AWS-0132"),
)
def s3_default_encryption(ctx: RuleContext) -> Iterator[Hit]:
    algorithms: dict[str, list[str]] = {}
    for rc in live(ctx.plan, "aws_s3_bucket_server_side_encryption_configuration"):
        for bucket in linked(
            ctx.plan, ctx.graph, rc, "bucket", ("aws_s3_bucket",), id_attributes=("id", "bucket")
        ):
            algorithms.setdefault(bucket.address, []).extend(_sse_algorithms(rc))
    major = aws_provider_major(ctx.plan)
    provider_note = f" (AWS provider {major}.x)" if major is not None else ""
    for bucket in live(ctx.plan, "aws_s3_bucket"):
        inline = blocks(bucket, "server_side_encryption_configuration")
        chosen = algorithms.get(bucket.address, []) + [a for b in inline for a in _sse_algorithms_block(b)]
        if any(a.startswith("aws:kms") for a in chosen):
            continue
        if bucket.address in algorithms or inline:
            message = "default encryption is SSE-S3 (AES256): objects are encrypted with an S3-managed key"
        else:
            message = (
                f"no server-side encryption configuration{provider_note}; AWS applies SSE-S3 to new "
                "objects by default since January 2023"
            )
        yield Hit(bucket.address, message, "server_side_encryption_configuration")


def _sse_algorithms(rc: ResourceChange) -> list[str]:
    return [a for rule_ in blocks(rc, "rule") for a in _sse_rule(rule_)]


def _sse_algorithms_block(block: dict[str, Any]) -> list[str]:
    return [a for rule_ in block.get("rule") or () if isinstance(rule_, dict) for a in _sse_rule(rule_)]


def _sse_rule(rule_: dict[str, Any]) -> list[str]:
    defaults = rule_.get("apply_server_side_encryption_by_default") or ()
    return [str(d.get("sse_algorithm") or "") for d in defaults if isinstance(d, dict)]


# --- TFO-ENC-004 / 005: caches and search domains -------------------------------------------------

ELASTICACHE_SOURCE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html"
OPENSEARCH_SOURCE = (
    "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/encryption-at-rest.html"
)


def _valkey(plan: Plan, rc: ResourceChange) -> bool:
    return str(value(rc, "engine") or "").lower() == "valkey"  # Valkey groups are encrypted by default


CACHES_AT_REST = (
    Storage(
        "aws_elasticache_replication_group",
        ("at_rest_encryption_enabled",),
        "cache data and backups",
        "AtRestEncryptionEnabled defaults to false for Redis OSS",
        ELASTICACHE_SOURCE,
        skip=_valkey,
    ),
    Storage(
        "aws_elasticsearch_domain",
        ("encrypt_at_rest", 0, "enabled"),
        "domain's indices and snapshots",
        "encryption at rest is off unless enabled",
        OPENSEARCH_SOURCE,
    ),
    Storage(
        "aws_opensearch_domain",
        ("encrypt_at_rest", 0, "enabled"),
        "domain's indices and snapshots",
        "encryption at rest is off unless enabled",
        OPENSEARCH_SOURCE,
    ),
    Storage(
        "aws_dax_cluster",
        ("server_side_encryption", 0, "enabled"),
        "cache",
        "DAX server-side encryption is off unless enabled",
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DAXEncryptionAtRest.html",
    ),
)


@rule(
    "TFO-ENC-004",
    title="Cache or search domain is not encrypted at rest",
    severity=Severity.WARN,
    rationale="ElastiCache (Redis OSS), DAX, Elasticsearch and OpenSearch keep data, swap and snapshots "
    "unencrypted unless encryption at rest is enabled when they are created.",
    fix="Set at_rest_encryption_enabled = true (ElastiCache), encrypt_at_rest { enabled = true } "
    "(Elasticsearch/OpenSearch) or server_side_encryption { enabled = true } (DAX).",
    references=("CKV_AWS_29", "CKV_AWS_5", "CKV_AWS_47", "AWS-0045", "AWS-0048"),
)
def unencrypted_cache(ctx: RuleContext) -> Iterator[Hit]:
    for storage in CACHES_AT_REST:
        yield from judge(ctx, storage)


IN_TRANSIT_SOURCE = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html"
CACHES_IN_TRANSIT = (
    Storage(
        "aws_elasticache_replication_group",
        ("transit_encryption_enabled",),
        "traffic to the cache",
        "TransitEncryptionEnabled defaults to false",
        IN_TRANSIT_SOURCE,
        skip=_valkey,
    ),
    Storage(
        "aws_elasticsearch_domain",
        ("node_to_node_encryption", 0, "enabled"),
        "traffic between nodes",
        "node-to-node encryption is off unless enabled",
        "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ntn.html",
    ),
    Storage(
        "aws_opensearch_domain",
        ("node_to_node_encryption", 0, "enabled"),
        "traffic between nodes",
        "node-to-node encryption is off unless enabled",
        "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ntn.html",
    ),
)


@rule(
    "TFO-ENC-005",
    title="Cache or search domain does not encrypt traffic in transit",
    severity=Severity.WARN,
    rationale="Without in-transit encryption, ElastiCache clients and OpenSearch nodes exchange data "
    "(including AUTH tokens) in clear text inside the VPC.",
    fix="Set transit_encryption_enabled = true (ElastiCache) or node_to_node_encryption { enabled = true } "
    "(Elasticsearch/OpenSearch).",
    references=("CKV_AWS_30", "CKV_AWS_6", "AWS-0051", "AWS-0043"),
)
def cache_in_transit(ctx: RuleContext) -> Iterator[Hit]:
    for storage in CACHES_IN_TRANSIT:
        yield from judge(ctx, storage)


# --- TFO-ENC-006: file systems, streams and messages ------------------------------------------------

STREAMS = (
    Storage(
        "aws_efs_file_system",
        ("encrypted",),
        "file system",
        "the CreateFileSystem API leaves Encrypted false unless set",
        "https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html",
    ),
    Storage(
        "aws_kinesis_stream",
        ("encryption_type",),
        "stream's records",
        "Kinesis Data Streams encryption_type defaults to NONE",
        "https://docs.aws.amazon.com/streams/latest/dev/server-side-encryption.html",
        encrypted=lambda raw: str(raw).upper() == "KMS",
    ),
    Storage(
        "aws_sns_topic",
        ("kms_master_key_id",),
        "topic's messages",
        "SNS server-side encryption is off unless a KMS key is set",
        "https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",
        encrypted=_named,
    ),
)


@rule(
    "TFO-ENC-006",
    title="File system, stream or message store is not encrypted at rest",
    severity=Severity.WARN,
    rationale="EFS file systems, Kinesis data streams and SNS topics are not encrypted unless asked; SQS "
    "queues are (SSE-SQS) unless it is switched off.",
    fix='Set encrypted = true (EFS), encryption_type = "KMS" (Kinesis), kms_master_key_id (SNS), and '
    "keep sqs_managed_sse_enabled or set kms_master_key_id (SQS).",
    references=(
        "CKV_AWS_42",
        "CKV_AWS_43",
        "CKV_AWS_26",
        "CKV_AWS_27",
        "AWS-0037",
        "AWS-0064",
        "AWS-0095",
        "AWS-0096",
    ),
)
def unencrypted_stream(ctx: RuleContext) -> Iterator[Hit]:
    for storage in STREAMS:
        yield from judge(ctx, storage)
    for rc in live(ctx.plan, "aws_sqs_queue"):
        managed = setting(ctx.plan, rc, "sqs_managed_sse_enabled")
        key = value(rc, "kms_master_key_id")
        if managed.state is State.SET and managed.value is False and not _named(key):
            yield Hit(
                rc.address,
                "sqs_managed_sse_enabled = false and no kms_master_key_id: the queue's messages are "
                "unencrypted (SSE-SQS is otherwise on by default: "
                "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html)",
                "sqs_managed_sse_enabled",
            )


# --- TFO-ENC-007: analytics outputs ---------------------------------------------------------------

ATHENA_SOURCE = "https://docs.aws.amazon.com/athena/latest/ug/encrypting-query-results-stored-in-s3.html"
GLUE_SOURCE = "https://docs.aws.amazon.com/glue/latest/dg/encryption-security-configuration.html"


def _present(raw: Any) -> bool:
    return bool(raw) and raw != [{}]


ANALYTICS = (
    Storage(
        "aws_athena_workgroup",
        ("configuration", 0, "result_configuration", 0, "encryption_configuration"),
        "query results",
        "Athena does not encrypt query results unless the workgroup or query asks",
        ATHENA_SOURCE,
        encrypted=_present,
    ),
    Storage(
        "aws_athena_database",
        ("encryption_configuration",),
        "query results",
        "Athena does not encrypt query results unless asked",
        ATHENA_SOURCE,
        encrypted=_present,
    ),
    Storage(
        "aws_glue_data_catalog_encryption_settings",
        ("data_catalog_encryption_settings", 0, "encryption_at_rest", 0, "catalog_encryption_mode"),
        "Data Catalog metadata",
        "the Data Catalog is not encrypted unless catalog encryption is enabled",
        "https://docs.aws.amazon.com/glue/latest/dg/encrypt-glue-data-catalog.html",
        encrypted=lambda raw: str(raw).upper() != "DISABLED",
    ),
)
GLUE_MODES = {
    "cloudwatch_encryption": "cloudwatch_encryption_mode",
    "job_bookmarks_encryption": "job_bookmarks_encryption_mode",
    "s3_encryption": "s3_encryption_mode",
}


@rule(
    "TFO-ENC-007",
    title="Glue or Athena output is not encrypted",
    severity=Severity.WARN,
    rationale="Athena query results, the Glue Data Catalog, and what Glue jobs write (S3 output, logs, job "
    "bookmarks) are not encrypted by these services unless a configuration asks.",
    fix="Give the Athena workgroup/database an encryption_configuration (SSE_KMS), enable Data Catalog "
    "encryption, and set every mode of the Glue security configuration to a KMS mode.",
    references=("CKV_AWS_82", "CKV_AWS_77", "CKV_AWS_94", "CKV_AWS_99", "AWS-0006", "AWS-0007"),
)
def unencrypted_analytics(ctx: RuleContext) -> Iterator[Hit]:
    for storage in ANALYTICS:
        yield from judge(ctx, storage)
    for rc in live(ctx.plan, "aws_glue_security_configuration"):
        for block, mode in GLUE_MODES.items():
            path = ("encryption_configuration", 0, block, 0, mode)
            chosen = setting(ctx.plan, rc, *path)
            if chosen.pending:
                continue
            if chosen.state is State.UNSET or str(chosen.value).upper() == "DISABLED":
                attribute = f"encryption_configuration[0].{block}[0].{mode}"
                yield Hit(rc.address, f"{attribute} is DISABLED ({GLUE_SOURCE})", attribute)


# --- TFO-ENC-008: always encrypted, no customer-managed key ----------------------------------------


@dataclass(frozen=True)
class ServiceKey:
    type: str
    path: Path
    service: str
    source: str
    customer_key: Callable[[Any], bool] = _named


ALWAYS_ENCRYPTED = (
    ServiceKey(
        "aws_dynamodb_table",
        ("server_side_encryption", 0, "kms_key_arn"),
        "DynamoDB encrypts every table with an AWS owned key",
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html",
    ),
    ServiceKey(
        "aws_secretsmanager_secret",
        ("kms_key_id",),
        "Secrets Manager encrypts every secret with aws/secretsmanager",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html",
    ),
    ServiceKey(
        "aws_ecr_repository",
        ("encryption_configuration", 0, "encryption_type"),
        "ECR encrypts every image with AES-256 (S3-managed keys)",
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html",
        customer_key=lambda raw: str(raw).upper() == "KMS",
    ),
    ServiceKey(
        "aws_cloudwatch_log_group",
        ("kms_key_id",),
        "CloudWatch Logs always encrypts log data",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
    ),
    ServiceKey(
        "aws_cloudtrail",
        ("kms_key_id",),
        "CloudTrail log files are encrypted with SSE-S3 by default",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html",
    ),
    ServiceKey(
        "aws_sagemaker_notebook_instance",
        ("kms_key_id",),
        "SageMaker encrypts ML storage volumes",
        "https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html",
    ),
    ServiceKey(
        "aws_sagemaker_endpoint_configuration",
        ("kms_key_arn",),
        "SageMaker encrypts ML storage volumes",
        "https://docs.aws.amazon.com/sagemaker/latest/dg/encryption-at-rest.html",
    ),
    ServiceKey(
        "aws_eks_cluster",
        ("encryption_config", 0, "provider", 0, "key_arn"),
        "EKS encrypts etcd volumes, and Kubernetes API data with an AWS owned key on clusters since 1.28",
        "https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html",
    ),
)


@rule(
    "TFO-ENC-008",
    title="Data AWS always encrypts uses an AWS key, not a customer-managed one",
    severity=Severity.INFO,
    rationale="DynamoDB, Secrets Manager, SSM SecureString parameters, ECR, CloudWatch Logs, CloudTrail, "
    "SageMaker volumes, EKS and SQS (SSE-SQS) are encrypted at rest whatever the configuration says; "
    "a customer-managed KMS key adds control over who may decrypt, rotation and an audit trail.",
    fix="Set the resource's KMS key argument (kms_key_id / kms_key_arn / key_id / encryption_config) to a "
    "customer-managed aws_kms_key when you need that control.",
    references=(
        "CKV_AWS_119",
        "CKV_AWS_149",
        "CKV_AWS_337",
        "CKV_AWS_136",
        "CKV_AWS_158",
        "CKV_AWS_35",
        "CKV_AWS_22",
        "CKV_AWS_98",
        "CKV_AWS_58",
        "AWS-0025",
        "AWS-0098",
        "AWS-0033",
        "AWS-0017",
        "AWS-0015",
    ),
)
def no_customer_key(ctx: RuleContext) -> Iterator[Hit]:
    plan = ctx.plan
    for key in ALWAYS_ENCRYPTED:
        for rc in live(plan, key.type):
            chosen = setting(plan, rc, *key.path)
            if chosen.state is State.SET and key.customer_key(chosen.value):
                continue
            if chosen.pending:
                continue  # a key set by an expression: a key is chosen, whatever it turns out to be
            attribute = _dotted(key.path)
            yield Hit(
                rc.address,
                f"no customer-managed key ({attribute} not set): {key.service} ({key.source})",
                attribute,
            )
    for rc in live(plan, "aws_ssm_parameter"):
        if str(value(rc, "type") or "") != "SecureString":
            continue
        chosen = setting(plan, rc, "key_id")
        if chosen.state is State.SET and _named(chosen.value) and "alias/aws/ssm" not in str(chosen.value):
            continue
        if chosen.pending:
            continue
        yield Hit(rc.address, "SecureString encrypted with the AWS managed key aws/ssm", "key_id")
    for rc in live(plan, "aws_sqs_queue"):
        managed = setting(plan, rc, "sqs_managed_sse_enabled")
        if _named(value(rc, "kms_master_key_id")) or (managed.state is State.SET and managed.value is False):
            continue
        yield Hit(rc.address, "messages encrypted with SSE-SQS (an SQS-owned key)", "kms_master_key_id")


def _dotted(path: Path) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text
