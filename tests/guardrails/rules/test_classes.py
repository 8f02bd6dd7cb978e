"""The completed classes on the shapes they cover: ingress by exposure, encryption defaults, unknown vs
unset, public resource policies and images, IAM wildcard resources, PassRole, escalation, user policies.
Cases are derived from a real plan (trivy/plan_open_sg_s3.json) with one resource added or edited."""

from __future__ import annotations

from typing import Any

import pytest

from tests.guardrails.support import add_resource, fixture, hits, parse, policy_document, raw, run, set_after
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.policy import GuardrailsPolicy

BASE = "trivy/plan_open_sg_s3.json"


def rule_of(port_from: int, port_to: int, protocol: str = "tcp", cidr: str = "0.0.0.0/0") -> dict[str, Any]:
    return {
        "type": "ingress",
        "protocol": protocol,
        "from_port": port_from,
        "to_port": port_to,
        "cidr_blocks": [cidr],
        "security_group_id": "sg-123",
    }


def ingress_findings(after: dict[str, Any]) -> list[tuple[str, Severity]]:
    doc = add_resource(
        raw(BASE),
        "aws_security_group_rule.extra",
        after,
        refs={"security_group_id": ["aws_security_group.sg.id"]},
    )
    return [
        (f.rule, f.severity)
        for f in run(parse(doc))
        if f.address == "aws_security_group_rule.extra" and f.rule.startswith("TFO-NET")
    ]


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (rule_of(0, 65535), [("TFO-NET-003", Severity.BLOCK)]),
        (rule_of(0, 0, "-1"), [("TFO-NET-003", Severity.BLOCK)]),
        (rule_of(20, 30), [("TFO-NET-004", Severity.BLOCK)]),  # contains SSH
        (rule_of(5432, 5432, cidr="::/0"), [("TFO-NET-004", Severity.BLOCK)]),
        (rule_of(8000, 8099), [("TFO-NET-006", Severity.WARN)]),
        (rule_of(440, 450), [("TFO-NET-006", Severity.WARN)]),
        (rule_of(443, 443), [("TFO-NET-007", Severity.INFO)]),
        (rule_of(80, 80), [("TFO-NET-007", Severity.INFO)]),
        (rule_of(8, 0, "icmp"), [("TFO-NET-006", Severity.INFO)]),
        (rule_of(0, 65535, cidr="10.0.0.0/8"), []),
    ],
)
def test_ingress_severity_follows_exposure(
    after: dict[str, Any], expected: list[tuple[str, Severity]]
) -> None:
    assert ingress_findings(after) == expected


def test_separate_rule_names_its_group_and_carries_the_groups_users() -> None:
    doc = add_resource(
        raw(BASE),
        "aws_security_group_rule.extra",
        rule_of(22, 22),
        refs={"security_group_id": ["aws_security_group.sg.id"]},
    )
    add_resource(
        doc,
        "aws_instance.web",
        {"ami": "ami-1", "instance_type": "t3.micro"},
        refs={"vpc_security_group_ids": ["aws_security_group.sg.id"]},
    )
    [finding] = [f for f in run(parse(doc), "TFO-NET-004") if f.address == "aws_security_group_rule.extra"]
    assert "into aws_security_group.sg" in finding.message
    assert "aws_instance.web" in finding.blast_radius


def test_prefix_list_with_the_internet_opens_the_group() -> None:
    doc = add_resource(
        raw(BASE), "aws_ec2_managed_prefix_list.anyone", {"name": "any", "entry": [{"cidr": "0.0.0.0/0"}]}
    )
    add_resource(
        doc,
        "aws_vpc_security_group_ingress_rule.ssh",
        {"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "prefix_list_id": None},
        refs={
            "prefix_list_id": ["aws_ec2_managed_prefix_list.anyone.id"],
            "security_group_id": ["aws_security_group.sg.id"],
        },
        after_unknown={"prefix_list_id": True},
    )
    findings = run(parse(doc), "TFO-NET-004")
    assert any(
        f.address == "aws_vpc_security_group_ingress_rule.ssh" and "prefix list" in f.message
        for f in findings
    )


def test_unknown_source_cannot_be_judged_yet_and_never_blocks() -> None:
    after = rule_of(22, 22)
    after.pop("cidr_blocks")
    doc = add_resource(
        raw(BASE),
        "aws_security_group_rule.later",
        after,
        refs={"cidr_blocks": ["var.office"]},
        after_unknown={"cidr_blocks": True},
    )
    strict = GuardrailsPolicy.model_validate({"rules": {"TFO-NET-006": {"severity": "block"}}})
    found = [f for f in run(parse(doc), policy=strict) if f.address == "aws_security_group_rule.later"]
    assert [(f.rule, f.severity) for f in found] == [("TFO-NET-006", Severity.INFO)]
    assert "cannot be judged yet" in found[0].message


# --- encryption -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "after", "rule"),
    [
        ("aws_efs_file_system.fs", {"creation_token": "x"}, "TFO-ENC-006"),
        ("aws_kinesis_stream.s", {"name": "s", "encryption_type": "NONE"}, "TFO-ENC-006"),
        ("aws_sns_topic.t", {"name": "t"}, "TFO-ENC-006"),
        ("aws_elasticache_replication_group.r", {"engine": "redis", "description": "r"}, "TFO-ENC-004"),
        ("aws_elasticache_replication_group.r", {"engine": "redis", "description": "r"}, "TFO-ENC-005"),
        ("aws_opensearch_domain.d", {"domain_name": "d", "encrypt_at_rest": []}, "TFO-ENC-004"),
        ("aws_docdb_cluster.c", {"engine": "docdb"}, "TFO-ENC-002"),
        ("aws_neptune_cluster.c", {"engine": "neptune"}, "TFO-ENC-002"),
        ("aws_redshift_cluster.c", {"node_type": "ra3.xlplus", "encrypted": False}, "TFO-ENC-002"),
        ("aws_athena_workgroup.w", {"name": "w", "configuration": []}, "TFO-ENC-007"),
    ],
)
def test_storage_aws_leaves_unencrypted_is_reported_when_unset(
    address: str, after: dict[str, Any], rule: str
) -> None:
    doc = add_resource(raw(BASE), address, after)
    assert [f.severity for f in run(parse(doc), rule) if f.address == address] == [Severity.WARN]


def test_valkey_and_explicit_encryption_pass() -> None:
    doc = add_resource(
        raw(BASE), "aws_elasticache_replication_group.v", {"engine": "valkey", "description": "v"}
    )
    add_resource(doc, "aws_efs_file_system.fs", {"creation_token": "x", "encrypted": True})
    plan = parse(doc)
    assert run(plan, "TFO-ENC-004") == [] and run(plan, "TFO-ENC-006") == []


def test_always_encrypted_services_without_a_customer_key_are_info() -> None:
    doc = add_resource(raw(BASE), "aws_secretsmanager_secret.s", {"name": "s"})
    add_resource(doc, "aws_dynamodb_table.t", {"name": "t", "server_side_encryption": []})
    add_resource(doc, "aws_ssm_parameter.p", {"name": "p", "type": "SecureString"})
    add_resource(doc, "aws_sqs_queue.q", {"name": "q", "sqs_managed_sse_enabled": True})
    findings = run(parse(doc), "TFO-ENC-008")
    assert {f.address for f in findings} >= {
        "aws_secretsmanager_secret.s",
        "aws_dynamodb_table.t",
        "aws_ssm_parameter.p",
        "aws_sqs_queue.q",
    }
    assert {f.severity for f in findings} == {Severity.INFO}


def test_sqs_with_encryption_switched_off_warns() -> None:
    doc = add_resource(raw(BASE), "aws_sqs_queue.q", {"name": "q", "sqs_managed_sse_enabled": False})
    assert hits(parse(doc), "TFO-ENC-006") == {("aws_sqs_queue.q", "sqs_managed_sse_enabled")}


def test_imported_resources_are_judged_like_created_ones() -> None:
    doc = add_resource(
        raw(BASE),
        "aws_ebs_volume.old",
        {"availability_zone": "us-east-1a", "size": 8, "encrypted": False},
        actions=("no-op",),
        before={"availability_zone": "us-east-1a", "size": 8, "encrypted": False},
    )
    doc["resource_changes"][-1]["change"]["importing"] = {"id": "vol-123"}
    assert ("aws_ebs_volume.old", "encrypted") in hits(parse(doc), "TFO-ENC-001")
    doc["resource_changes"][-1]["change"].pop("importing")
    assert ("aws_ebs_volume.old", "encrypted") not in hits(parse(doc), "TFO-ENC-001")


# --- public exposure ------------------------------------------------------------------------------

ANYONE = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}


def test_queue_policy_open_to_anyone_blocks_and_a_restricted_one_is_shown() -> None:
    doc = add_resource(
        raw(BASE), "aws_sqs_queue_policy.open", {"queue_url": "q", "policy": policy_document(ANYONE)}
    )
    limited = {
        **ANYONE,
        "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}},
    }
    add_resource(doc, "aws_sqs_queue_policy.limited", {"queue_url": "q", "policy": policy_document(limited)})
    findings = {f.address: f for f in run(parse(doc), "TFO-PUB-001")}
    assert findings["aws_sqs_queue_policy.open"].severity is Severity.BLOCK
    assert findings["aws_sqs_queue_policy.limited"].severity is Severity.INFO
    assert "aws:SourceArn" in findings["aws_sqs_queue_policy.limited"].message


def test_lambda_permission_for_everyone_and_public_ami() -> None:
    doc = add_resource(
        raw(BASE),
        "aws_lambda_permission.any",
        {"action": "lambda:InvokeFunction", "function_name": "f", "principal": "*"},
    )
    add_resource(doc, "aws_ami_launch_permission.pub", {"image_id": "ami-1", "group": "all"})
    plan = parse(doc)
    assert [f.severity for f in run(plan, "TFO-PUB-001") if f.address == "aws_lambda_permission.any"] == [
        Severity.BLOCK
    ]
    assert [f.address for f in run(plan, "TFO-PUB-002")] == ["aws_ami_launch_permission.pub"]


def test_eks_public_endpoint_by_default_from_real_plans() -> None:
    findings = run(fixture("checkov/root_module_no_values_eks.json"), "TFO-NET-008")
    assert [(f.address, f.severity) for f in findings] == [("aws_eks_cluster.cluster", Severity.WARN)]
    assert "not set" in findings[0].message


def test_http_listener_on_internet_facing_alb_without_redirect() -> None:
    doc = add_resource(
        raw(BASE), "aws_lb.web", {"name": "web", "internal": False, "load_balancer_type": "application"}
    )
    add_resource(
        doc,
        "aws_lb_listener.http",
        {"port": 80, "protocol": "HTTP", "default_action": [{"type": "forward"}]},
        refs={"load_balancer_arn": ["aws_lb.web.arn"]},
    )
    add_resource(
        doc,
        "aws_lb_listener.redirect",
        {
            "port": 80,
            "protocol": "HTTP",
            "default_action": [{"type": "redirect", "redirect": [{"protocol": "HTTPS"}]}],
        },
        refs={"load_balancer_arn": ["aws_lb.web.arn"]},
    )
    assert [f.address for f in run(parse(doc), "TFO-NET-009")] == ["aws_lb_listener.http"]


# --- IAM ------------------------------------------------------------------------------------------


def iam_plan(*statements: dict[str, Any]) -> Any:
    return parse(
        add_resource(raw(BASE), "aws_iam_policy.p", {"name": "p", "policy": policy_document(*statements)})
    )


def test_scoped_actions_on_every_resource_warn_and_reads_are_info() -> None:
    write = iam_plan({"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "*"})
    assert [f.severity for f in run(write, "TFO-IAM-004")] == [Severity.WARN]
    listing = iam_plan({"Effect": "Allow", "Action": ["ec2:DescribeInstances"], "Resource": "*"})
    assert run(listing, "TFO-IAM-004") == []  # DescribeInstances supports no resource type
    reads = iam_plan({"Effect": "Allow", "Action": ["s3:GetBucketTagging"], "Resource": "*"})
    assert [f.severity for f in run(reads, "TFO-IAM-004")] == [Severity.INFO]


def test_pass_role_everywhere_and_escalation() -> None:
    plan = iam_plan({"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"})
    assert [f.severity for f in run(plan, "TFO-IAM-005")] == [Severity.WARN]
    [escalation] = run(plan, "TFO-IAM-006")
    assert escalation.severity is Severity.BLOCK and "PassRole to EC2" in escalation.message
    scoped = iam_plan(
        {"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "arn:aws:iam::1:policy/x"}
    )
    assert [f.severity for f in run(scoped, "TFO-IAM-006")] == [Severity.WARN]


def test_escalation_split_over_two_policies_of_one_role() -> None:
    doc = add_resource(
        raw(BASE),
        "aws_iam_role.r",
        {
            "name": "r",
            "assume_role_policy": policy_document(
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ),
        },
    )
    add_resource(
        doc,
        "aws_iam_role_policy.a",
        {
            "name": "a",
            "role": "r",
            "policy": policy_document({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}),
        },
        refs={"role": ["aws_iam_role.r.id"]},
    )
    add_resource(
        doc,
        "aws_iam_role_policy.b",
        {
            "name": "b",
            "role": "r",
            "policy": policy_document(
                {
                    "Effect": "Allow",
                    "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"],
                    "Resource": "*",
                }
            ),
        },
        refs={"role": ["aws_iam_role.r.id"]},
    )
    findings = run(parse(doc), "TFO-IAM-006")
    assert [f.address for f in findings] == ["aws_iam_role.r"]
    assert "aws_iam_role_policy.a" in findings[0].message and "aws_iam_role_policy.b" in findings[0].message


def test_admin_managed_policy_and_user_attachments() -> None:
    doc = add_resource(
        raw(BASE),
        "aws_iam_user_policy_attachment.admin",
        {"user": "alice", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"},
    )
    plan = parse(doc)
    assert [f.severity for f in run(plan, "TFO-IAM-001")] == [Severity.BLOCK]
    assert [f.address for f in run(plan, "TFO-IAM-007")] == ["aws_iam_user_policy_attachment.admin"]


def test_unknown_policy_json_is_pending_not_passed() -> None:
    doc = add_resource(
        raw(BASE),
        "aws_iam_policy.later",
        {"name": "later"},
        refs={"policy": ["aws_s3_bucket.planbucket.arn"]},
        after_unknown={"policy": True},
    )
    [finding] = run(parse(doc), "TFO-IAM-001")
    assert finding.severity is Severity.INFO and "cannot be judged yet" in finding.message


def test_set_after_keeps_the_base_plan() -> None:
    doc = set_after(raw(BASE), "aws_security_group.sg", description="x")
    assert parse(doc).by_address()["aws_security_group.sg"].after["description"] == "x"
