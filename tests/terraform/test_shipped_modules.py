"""The shipped modules' own guarantees: what their variables refuse (evaluated from their validation
blocks), chaining and locking options, and the settings of the state bucket, lock table and audit trail,
each judged on the rendering (tests/terraform/hcl.py) with tfoidc's IAM evaluator where a policy decides."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.terraform.hcl import ModuleInstance, Provider, Resource, validation_errors
from tests.terraform.shipped import TERRAFORM, instances, render
from tfoidc.iam.document import Statement, parse_policy_document
from tfoidc.iam.permissions import Request, evaluate_access, evaluate_permissions

OIDC = TERRAFORM / "modules" / "oidc"
AUDIT = TERRAFORM / "modules" / "audit"
STATE = TERRAFORM / "modules" / "state"
PROJECT = "acme/infra"


# --- the oidc module refuses trust a Developer could satisfy --------------------------------------------


@pytest.mark.parametrize(
    ("subject", "refused"),
    [
        (f"project_path:{PROJECT}:ref_type:branch:ref:main", False),
        (f"project_path:{PROJECT}:ref_type:tag:ref:v1.0.0", False),
        ("project_path:acme/sub/infra:ref_type:branch:ref:release/2", False),
        (f"project_path:{PROJECT}:ref_type:*:ref:main", True),  # a tag named main would pass
        (f"project_path:{PROJECT}:ref_type:branch:ref:*", True),  # any branch
        (f"project_path:{PROJECT}:ref_type:branch:ref:release/*", True),
        (f"project_path:{PROJECT}:ref_type:branch:ref:mai?", True),
        (f"project_path:{PROJECT}:ref_type:tag:ref:v*", True),
        (f"project_path:{PROJECT}:*", True),
        (f"project_path:{PROJECT}:ref:main", True),  # no ref type: the tag main looks the same
        ("project_path:acme/*:ref_type:branch:ref:main", True),
        ("project_path:*:ref_type:branch:ref:main", True),
        ("project_path:acme:ref_type:branch:ref:main", True),
        ("*", True),
    ],
)
def test_apply_subjects_with_any_wildcard_are_refused(subject: str, refused: bool) -> None:
    errors = validation_errors(OIDC, "apply_subjects", [subject])
    assert bool(errors) is refused, errors
    if refused:
        assert "without wildcards" in errors[0]


@pytest.mark.parametrize(
    ("subject", "refused"),
    [
        (f"project_path:{PROJECT}:ref_type:branch:ref:*", False),  # plans: any branch of the project
        (f"project_path:{PROJECT}:ref_type:tag:ref:v*", False),
        (f"project_path:{PROJECT}:ref_type:*:ref:*", True),
        ("project_path:acme/*:ref_type:branch:ref:*", True),
        ("project_path:*", True),
    ],
)
def test_plan_subjects_must_name_the_project_and_the_ref_type(subject: str, refused: bool) -> None:
    assert bool(validation_errors(OIDC, "plan_subjects", [subject])) is refused


@pytest.mark.parametrize("audience", ["", "*", "https://gitlab.example.com/*"])
def test_audiences_are_fixed_strings(audience: str) -> None:
    assert validation_errors(OIDC, "apply_audience", audience)
    assert validation_errors(OIDC, "plan_audience", audience)


@pytest.mark.parametrize(
    "action", ["s3:PutObject", "s3:*", "*", "s3:GetObject", "dynamodb:Scan", "iam:PassRole"]
)
def test_plan_read_actions_refuse_writes_and_data_reads(action: str) -> None:
    assert validation_errors(OIDC, "plan_read_actions", ["ec2:Describe*", action])


def test_the_default_plan_read_actions_are_accepted() -> None:
    module = ModuleInstance(OIDC, providers={"aws": Provider("111111111111", "eu-west-1")})
    default = module.evaluate(module.variable_block("plan_read_actions").attributes["default"])
    assert validation_errors(OIDC, "plan_read_actions", default) == []


def test_the_roles_refuse_one_audience_for_plan_and_apply() -> None:
    module = oidc_module(plan_audience="same", apply_audience="same")
    role = module.resources("managed", "aws_iam_role", "plan")[0]
    (lifecycle,) = role.block.children("lifecycle")
    conditions = [module.evaluate(p.attributes["condition"]) for p in lifecycle.children("precondition")]
    assert conditions[0] is False
    assert all(oidc_module().evaluate(p.attributes["condition"]) for p in lifecycle.children("precondition"))


# --- chaining and locking options --------------------------------------------------------------------------

STATE_INPUT = {
    "bucket": "acme-terraform-state",
    "key": "environments/dev/terraform.tfstate",
    "lock_table_arn": "arn:aws:dynamodb:eu-west-1:100000000000:table/acme-terraform-locks",
    "kms_key_arn": "arn:aws:kms:eu-west-1:100000000000:key/0f0e0d0c-0b0a-0908-0706-050403020100",
}
DEPLOYER = "arn:aws:iam::444444444444:role/deployer"
READER = "arn:aws:iam::444444444444:role/reader"


def oidc_module(**inputs: Any) -> ModuleInstance:
    values = {
        "name_prefix": "acme",
        "environment": "dev",
        "project_path": PROJECT,
        "plan_audience": "sts.amazonaws.com",
        "apply_audience": "https://gitlab.com/apply",
        "state": STATE_INPUT,
        **inputs,
    }
    return ModuleInstance(OIDC, inputs=values, providers={"aws": Provider("111111111111", "eu-west-1")})


def role_policies(module: ModuleInstance, role: str) -> list[Any]:
    found = []
    for resource in module.all_resources():
        if resource.type == "aws_iam_role_policy" and resource.argument("role") == f"acme-dev-{role}":
            found.append(parse_policy_document(resource.argument("policy")))
    return found


def may(module: ModuleInstance, role: str, action: str, resource: str, **context: Any) -> bool:
    return evaluate_permissions(role_policies(module, role), Request(action, resource, context)).allowed


def test_chaining_is_separate_for_plan_and_apply() -> None:
    chained = oidc_module(apply_chain_role_arns=[DEPLOYER], plan_chain_role_arns=[READER])
    assert may(chained, "plan", "sts:AssumeRole", READER)
    assert not may(chained, "plan", "sts:AssumeRole", DEPLOYER)
    assert may(chained, "apply", "sts:AssumeRole", DEPLOYER)
    plain = oidc_module()
    assert not may(plain, "plan", "sts:AssumeRole", READER)
    assert [r.address for r in plain.all_resources() if "chain" in r.address] == []


def test_the_plan_role_takes_no_lock_unless_asked_and_never_writes_the_digest() -> None:
    lock = f"{STATE_INPUT['bucket']}/{STATE_INPUT['key']}"
    table = STATE_INPUT["lock_table_arn"]
    plain, locking = oidc_module(), oidc_module(plan_takes_state_lock=True)
    assert not may(plain, "plan", "dynamodb:PutItem", table, **{"dynamodb:LeadingKeys": [lock]})
    assert may(locking, "plan", "dynamodb:PutItem", table, **{"dynamodb:LeadingKeys": [lock]})
    assert may(locking, "plan", "dynamodb:DeleteItem", table, **{"dynamodb:LeadingKeys": [lock]})
    assert not may(locking, "plan", "dynamodb:PutItem", table, **{"dynamodb:LeadingKeys": [f"{lock}-md5"]})
    assert not may(locking, "plan", "dynamodb:PutItem", table)  # no leading key: not its own item


# --- the state bucket, table and key -------------------------------------------------------------------------


def resources_of(module_name: str) -> list[Resource]:
    module = render().root.module(module_name)
    return [r for m in instances(module) for r in m.all_resources()]


def one(resources: list[Resource], rtype: str) -> Resource:
    (found,) = [r for r in resources if r.type == rtype]
    return found


def nested(resource: Resource, *path: str) -> dict[str, Any]:
    block = resource.block
    for name in path:
        child = block.child(name)
        assert child is not None, f"{resource.address} has no {'.'.join(path)}"
        block = child
    return {k: resource.module.evaluate(v) for k, v in block.attributes.items()}


@pytest.mark.parametrize("module_name", ["state", "audit"])
def test_buckets_are_private_versioned_and_kms_encrypted(module_name: str) -> None:
    resources = resources_of(module_name)
    block = one(resources, "aws_s3_bucket_public_access_block")
    assert all(
        block.argument(a) is True
        for a in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    assert nested(one(resources, "aws_s3_bucket_versioning"), "versioning_configuration") == {
        "status": "Enabled"
    }
    assert nested(one(resources, "aws_s3_bucket_ownership_controls"), "rule") == {
        "object_ownership": "BucketOwnerEnforced"
    }
    sse = nested(
        one(resources, "aws_s3_bucket_server_side_encryption_configuration"),
        "rule",
        "apply_server_side_encryption_by_default",
    )
    assert sse["sse_algorithm"] == "aws:kms" and sse["kms_master_key_id"] == one(
        resources, "aws_kms_key"
    ).attribute("arn")
    assert one(resources, "aws_kms_key").argument("enable_key_rotation") is True


def bucket_policy(module_name: str) -> Any:
    return parse_policy_document(one(resources_of(module_name), "aws_s3_bucket_policy").argument("policy"))


def dev_apply() -> str:
    return next(arn for arn in render().roles if arn.endswith("acme-dev-apply"))


@pytest.mark.parametrize("module_name", ["state", "audit"])
def test_buckets_refuse_requests_without_tls(module_name: str) -> None:
    bucket = one(resources_of(module_name), "aws_s3_bucket").argument("bucket")
    admin = f"arn:aws:iam::{render().management_account}:role/terraform-admin"
    for secure, expected in (("true", "allow"), ("false", "explicit-deny")):
        request = Request("s3:GetObject", f"arn:aws:s3:::{bucket}/x", {"aws:SecureTransport": secure})
        decision = evaluate_access(
            request,
            caller_arn=admin,
            identity_policies=[
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
                }
            ],
            resource_policy=bucket_policy(module_name),
        )
        assert ("allow" if decision.allowed else "explicit-deny") == expected, decision.reason


@pytest.mark.parametrize(
    ("headers", "allowed"),
    [
        ({}, True),  # the bucket's default encryption applies: SSE-KMS with the state key
        ({"s3:x-amz-server-side-encryption": "aws:kms"}, True),
        ({"s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": "key"}, True),
        ({"s3:x-amz-server-side-encryption": "AES256"}, False),  # what `encrypt = true` alone asks for
        ({"s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:eu-west-1:999999999999:key/other"}, False),
    ],
)  # fmt: skip
def test_state_is_written_with_the_state_key_only(headers: dict[str, str], allowed: bool) -> None:
    key = one(resources_of("state"), "aws_kms_key").attribute("arn")
    headers = {k: (key if v == "key" else v) for k, v in headers.items()}
    role = render().roles[dev_apply()]
    decision = evaluate_access(
        Request(
            "s3:PutObject", "arn:aws:s3:::acme-terraform-state/environments/dev/terraform.tfstate", headers
        ),
        caller_arn=role.arn,
        identity_policies=role.identity_policies,
        resource_policy=bucket_policy("state"),
        resource_account=render().management_account,
    )
    assert decision.allowed is allowed, decision.reason


def test_the_lock_table_keeps_its_history() -> None:
    table = one(resources_of("state"), "aws_dynamodb_table")
    assert nested(table, "point_in_time_recovery") == {"enabled": True}
    assert table.argument("hash_key") == "LockID"


# --- the audit trail ------------------------------------------------------------------------------------------


def test_the_trail_covers_every_region_validates_and_encrypts_its_log_files() -> None:
    resources = resources_of("audit")
    trail = one(resources, "aws_cloudtrail")
    assert trail.argument("is_multi_region_trail") is True
    assert trail.argument("include_global_service_events") is True
    assert trail.argument("enable_log_file_validation") is True
    assert trail.argument("kms_key_id") == one(resources, "aws_kms_key").attribute("arn")


def service(name: str) -> Any:
    def test(statement: Statement) -> tuple[bool, str]:
        return name in statement.principals.get("Service", ()) or "*" in statement.principals, ""

    return test


def test_only_the_trail_writes_log_files_and_nobody_deletes_them() -> None:
    resources = resources_of("audit")
    trail_arn = one(resources, "aws_cloudtrail").attribute("arn")
    bucket = one(resources, "aws_s3_bucket").argument("bucket")
    account = render().management_account
    policy = bucket_policy("audit")

    def put(key: str, source: str) -> str:
        context = {"aws:SourceArn": source, "aws:SecureTransport": "true"}
        return evaluate_permissions(
            [policy],
            Request("s3:PutObject", f"arn:aws:s3:::{bucket}/{key}", context),
            principal=service("cloudtrail.amazonaws.com"),
        ).decision

    assert put(f"AWSLogs/{account}/CloudTrail/eu-west-1/2026/01/01/x.json.gz", trail_arn) == "allow"
    assert put(f"AWSLogs/{account}/x", trail_arn.replace(":trail/", ":trail/other-")) == "implicit-deny"
    assert put("elsewhere/x", trail_arn) == "implicit-deny"
    admin = f"arn:aws:iam::{account}:role/terraform-admin"
    everything = [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    ]
    for action in ("s3:DeleteObject", "s3:DeleteObjectVersion"):
        decision = evaluate_access(
            Request(action, f"arn:aws:s3:::{bucket}/AWSLogs/{account}/x"),
            caller_arn=admin,
            identity_policies=everything,
            resource_policy=policy,
        )
        assert not decision.allowed


def event_pattern(resource: Resource) -> dict[str, Any]:
    return json.loads(resource.argument("event_pattern"))


def test_every_assumption_of_a_gitlab_role_reaches_the_alert_topic() -> None:
    gitlab_roles = {arn for arn, role in render().roles.items() if role.environment}
    rule = one(resources_of("audit"), "aws_cloudwatch_event_rule")
    pattern = event_pattern(rule)
    assert pattern["detail"]["eventName"] == ["AssumeRoleWithWebIdentity"] and pattern["source"] == [
        "aws.sts"
    ]
    assert set(pattern["detail"]["requestParameters"]["roleArn"]) == gitlab_roles
    target = one(resources_of("audit"), "aws_cloudwatch_event_target")
    topic = one(resources_of("audit"), "aws_sns_topic")
    assert target.argument("arn") == topic.attribute("arn")
    # each environment's account forwards its own roles' events to the audit account's bus
    bus = (
        render()
        .root.module("audit")
        .evaluate(
            next(
                b
                for b in render().root.module("audit").blocks
                if b.type == "output" and b.labels[0] == "event_bus_arn"
            ).attributes["value"]
        )
    )
    forwarded: set[str] = set()
    for env in ("dev", "staging", "prod"):
        resources = resources_of(f"{env}_audit_forwarder")
        forwarder = one(resources, "aws_cloudwatch_event_rule")
        roles = set(event_pattern(forwarder)["detail"]["requestParameters"]["roleArn"])
        assert {render().roles[a].account for a in roles} == {forwarder.provider.account}
        forwarded |= roles
        assert one(resources, "aws_cloudwatch_event_target").argument("arn") == bus
    assert forwarded == gitlab_roles
    topic_policy = parse_policy_document(
        one(resources_of("audit"), "aws_sns_topic_policy").argument("policy")
    )
    publish = Request(
        "sns:Publish",
        topic.attribute("arn"),
        {"aws:SourceArn": rule.attribute("arn"), "aws:SecureTransport": "true"},
    )
    assert evaluate_permissions([topic_policy], publish, principal=service("events.amazonaws.com")).allowed
    other = Request(
        "sns:Publish",
        topic.attribute("arn"),
        {"aws:SourceArn": rule.attribute("arn") + "-x", "aws:SecureTransport": "true"},
    )
    assert not evaluate_permissions([topic_policy], other, principal=service("events.amazonaws.com")).allowed


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("name", "Audit Trail"),
        ("bucket_name", "Bad_Bucket"),
        ("bucket_name", "a..b"),
        ("watched_role_arns", []),
        ("watched_role_arns", ["gitlab-prod"]),
        ("forwarder_role_arns", ["arn:aws:iam::1:role/x"]),
        ("log_retention_days", 7),
        ("alert_emails", ["security team"]),
    ],
)
def test_the_audit_modules_variables_are_validated(variable: str, value: Any) -> None:
    assert validation_errors(AUDIT, variable, value)


def test_every_audit_variable_but_tags_and_switches_has_a_validation() -> None:
    for directory in (AUDIT, AUDIT / "forwarder"):
        module = ModuleInstance(directory, providers={"aws": Provider("100000000000", "eu-west-1")})
        for block in (b for b in module.blocks if b.type == "variable"):
            kind = block.attributes["type"]
            if block.labels[0] == "tags" or "bool" in str(kind.children):
                continue
            assert block.children("validation"), (
                f"{directory.name}: variable {block.labels[0]} is not validated"
            )


def test_the_management_root_refuses_environments_sharing_an_account() -> None:
    root = TERRAFORM / "environments" / "management"
    shared = {
        "management": "100000000000",
        "dev": "111111111111",
        "staging": "111111111111",
        "prod": "333333333333",
    }
    assert validation_errors(root, "accounts", shared)
    distinct = {
        "management": "100000000000",
        "dev": "111111111111",
        "staging": "222222222222",
        "prod": "333333333333",
    }
    assert validation_errors(root, "accounts", distinct) == []
