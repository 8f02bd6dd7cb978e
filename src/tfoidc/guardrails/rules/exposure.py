"""Public exposure beyond S3 and the network: shared images and snapshots, and resource policies that
let anyone in (SQS, SNS, KMS, Lambda, ECR, OpenSearch/Elasticsearch, Secrets Manager).

A `Principal: "*"` statement tied to known callers by a condition (account, organisation, VPC endpoint,
source ARN, network: `documents.RESTRICTING_CONDITION_KEYS`) is not public; it is listed at info with
the condition that restricts it, so a reviewer sees what the plan relies on.
"""

from __future__ import annotations

from collections.abc import Iterator

from tfoidc.guardrails.documents import (
    PolicySource,
    allows_anyone,
    attached_document,
    describe_conditions,
    parsed,
    restricting_conditions,
)
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.registry import Hit, RuleContext, rule
from tfoidc.guardrails.resources import known, live, value
from tfoidc.guardrails.settings import setting

# Resource type -> (policy attribute, what the policy guards)
RESOURCE_POLICIES: dict[str, tuple[str, str]] = {
    "aws_sqs_queue": ("policy", "queue"),
    "aws_sqs_queue_policy": ("policy", "queue"),
    "aws_sns_topic": ("policy", "topic"),
    "aws_sns_topic_policy": ("policy", "topic"),
    "aws_kms_key": ("policy", "key"),
    "aws_kms_key_policy": ("policy", "key"),
    "aws_ecr_repository_policy": ("policy", "repository"),
    "aws_secretsmanager_secret": ("policy", "secret"),
    "aws_secretsmanager_secret_policy": ("policy", "secret"),
    "aws_opensearch_domain": ("access_policies", "domain"),
    "aws_opensearch_domain_policy": ("access_policies", "domain"),
    "aws_elasticsearch_domain": ("access_policies", "domain"),
    "aws_elasticsearch_domain_policy": ("access_policies", "domain"),
    "aws_glacier_vault": ("access_policy", "vault"),
    "aws_efs_file_system_policy": ("policy", "file system"),
    "aws_api_gateway_rest_api_policy": ("policy", "API"),
}
LAMBDA_RESTRICTIONS = ("source_account", "source_arn", "principal_org_id")


@rule(
    "TFO-PUB-001",
    title="Resource policy lets anyone in",
    severity=Severity.BLOCK,
    rationale='An Allow for Principal "*" (or everyone but a NotPrincipal) without a condition on the '
    "caller's account, organisation, VPC endpoint or source lets any AWS identity, or anyone on the "
    "internet, use the queue, topic, key, function, repository, domain or secret.",
    fix="Name the principals (account ARNs, services), or condition the statement on aws:PrincipalOrgID, "
    "aws:SourceAccount / aws:SourceArn or aws:SourceVpce; for Lambda permissions set source_account, "
    "source_arn or principal_org_id.",
    references=(
        "CKV_AWS_168",
        "CKV_AWS_169",
        "CKV_AWS_33",
        "CKV_AWS_32",
        "CKV_AWS_301",
        "CKV_AWS_258",
        "AWS-0059",
        "AWS-0032",
    ),
)
def public_resource_policy(ctx: RuleContext) -> Iterator[Hit]:
    plan = ctx.plan
    for rc in live(plan, *RESOURCE_POLICIES):
        attribute, guarded = RESOURCE_POLICIES[rc.type]
        document, pending = attached_document(plan, rc, attribute)
        if pending and setting(plan, rc, attribute).pending:
            yield Hit(
                rc.address,
                f"{attribute} is known only after apply: cannot be judged yet",
                attribute,
                pending=True,
            )
            continue
        typed = parsed(PolicySource(rc.address, attribute, document)) if document else None
        for index, statement in enumerate(typed.statements if typed else ()):
            if not allows_anyone(statement):
                continue
            sid = f" ({statement.sid})" if statement.sid else ""
            where = f"{attribute}.Statement[{index}]"
            restrictions = restricting_conditions(statement)
            if restrictions:
                yield Hit(
                    rc.address,
                    f'statement {index}{sid} allows Principal "*" on the {guarded}, limited by '
                    f"{describe_conditions(restrictions)}",
                    where,
                    severity=Severity.INFO,
                )
            else:
                actions = ", ".join(statement.actions[:4]) or "every action but " + ", ".join(
                    statement.not_actions
                )
                yield Hit(
                    rc.address,
                    f'statement {index}{sid} lets anyone ({actions}) use the {guarded}: Principal "*" with no '
                    "restricting condition",
                    where,
                )
    for rc in live(plan, "aws_lambda_permission"):
        principal = str(value(rc, "principal") or "")
        if principal != "*":
            continue
        limits = [
            f"{key} = {value(rc, key)}"
            for key in LAMBDA_RESTRICTIONS
            if known(value(rc, key)) and value(rc, key)
        ]
        if limits:
            yield Hit(
                rc.address,
                f'principal "*" limited by {", ".join(limits)}',
                "principal",
                severity=Severity.INFO,
            )
        else:
            yield Hit(
                rc.address,
                'principal "*" with no source_account, source_arn or principal_org_id: anyone may invoke the function',
                "principal",
            )
    for rc in live(plan, "aws_lambda_function_url"):
        auth = setting(plan, rc, "authorization_type")
        if auth.value == "NONE":
            yield Hit(
                rc.address,
                "function URL with authorization_type NONE: anyone on the internet may invoke it",
                "authorization_type",
                severity=Severity.WARN,
            )


@rule(
    "TFO-PUB-002",
    title="Image or snapshot is shared with everyone",
    severity=Severity.BLOCK,
    rationale="A public AMI or database snapshot can be copied by any AWS account, with whatever data, keys "
    "or credentials it holds.",
    fix='Share with named accounts, an organisation or an OU instead of group "all" / "all" accounts.',
    references=("AWS-0074",),
)
def public_images(ctx: RuleContext) -> Iterator[Hit]:
    for rc in live(ctx.plan, "aws_ami_launch_permission"):
        if str(value(rc, "group") or "") == "all":
            yield Hit(
                rc.address,
                f'AMI {value(rc, "image_id") or ""} is public (group = "all")'.replace("  ", " "),
                "group",
            )
    for rc in live(ctx.plan, "aws_db_snapshot", "aws_db_cluster_snapshot"):
        shared = value(rc, "shared_accounts") or ()
        if "all" in shared:
            yield Hit(rc.address, 'snapshot shared with "all" accounts: it is public', "shared_accounts")
