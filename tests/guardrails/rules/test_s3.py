"""Public S3 rules (TFO-S3-001..005), judged per bucket with the resources the plan attaches to it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.guardrails.support import (
    add_resource,
    addresses,
    fixture,
    hits,
    parse,
    policy_document,
    raw,
    run,
    set_after,
)
from tfoidc.guardrails.model import Severity

BASE = "trivy/plan_open_sg_s3.json"  # aws_s3_bucket.planbucket ("tfsec-plan-testing"), no ACL, no block
BUCKET = "aws_s3_bucket.planbucket"
BUCKET_REF = ["aws_s3_bucket.planbucket.id", "aws_s3_bucket.planbucket"]
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
PUBLIC_READ = {
    "Sid": "PublicRead",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::tfsec-plan-testing/*",
}


def base() -> dict[str, Any]:
    return raw(BASE)


def with_block(doc: dict[str, Any], **settings: bool) -> dict[str, Any]:
    """Attach a separate aws_s3_bucket_public_access_block to the bucket (all four on by default)."""
    values = {
        "block_public_acls": True,
        "block_public_policy": True,
        "ignore_public_acls": True,
        "restrict_public_buckets": True,
    }
    values.update(settings)
    return add_resource(
        doc,
        "aws_s3_bucket_public_access_block.planbucket",
        values,
        refs={"bucket": BUCKET_REF},
        after_unknown={"bucket": True, "id": True},
    )


# --- TFO-S3-001: public ACLs ------------------------------------------------------------------------


def test_public_read_acl_on_a_real_plan_is_blocking() -> None:
    findings = run(fixture("checkov/hcl_enrichment_public_s3_iam.json"), "TFO-S3-001")
    assert [(f.address, f.attribute, f.severity) for f in findings] == [
        ("aws_s3_bucket.test-bucket1", "acl", Severity.BLOCK)
    ]
    assert "public-read" in findings[0].message
    assert findings[0].fix and "public access block" in findings[0].fix


@pytest.mark.parametrize("acl", ["public-read", "public-read-write", "authenticated-read"])
def test_public_canned_acl_on_the_bucket(acl: str) -> None:
    plan = parse(set_after(base(), BUCKET, acl=acl))
    assert hits(plan, "TFO-S3-001") == {(BUCKET, "acl")}


@pytest.mark.parametrize("acl", ["private", "log-delivery-write", "bucket-owner-full-control"])
def test_private_acls_are_not_public(acl: str) -> None:
    plan = parse(set_after(base(), BUCKET, acl=acl))
    assert hits(plan, "TFO-S3-001") == set()


@pytest.mark.parametrize("group", [ALL_USERS, AUTH_USERS])
def test_grant_block_to_a_public_group(group: str) -> None:
    grant = [{"id": None, "permissions": ["READ"], "type": "Group", "uri": group}]
    plan = parse(set_after(base(), BUCKET, grant=grant))
    findings = run(plan, "TFO-S3-001")
    assert [(f.address, f.attribute) for f in findings] == [(BUCKET, "grant[0]")]
    assert group.rsplit("/", 1)[-1] in findings[0].message


def test_grant_to_a_canonical_user_is_not_public() -> None:
    grant = [
        {"id": "79a59df900b949e55d96a1e698fbaced", "permissions": ["FULL_CONTROL"], "type": "CanonicalUser"}
    ]
    plan = parse(set_after(base(), BUCKET, grant=grant))
    assert hits(plan, "TFO-S3-001") == set()


def test_separate_bucket_acl_resource_makes_the_bucket_public() -> None:
    doc = add_resource(
        base(),
        "aws_s3_bucket_acl.planbucket",
        {"acl": "public-read", "expected_bucket_owner": None},
        refs={"bucket": BUCKET_REF},
        after_unknown={"bucket": True, "id": True, "access_control_policy": True},
    )
    findings = run(parse(doc), "TFO-S3-001")
    assert [(f.address, f.attribute) for f in findings] == [("aws_s3_bucket_acl.planbucket", "acl")]
    assert BUCKET in findings[0].message  # says which bucket it exposes


def test_separate_bucket_acl_linked_by_bucket_name_without_configuration() -> None:
    doc = base()
    del doc["configuration"]
    add_resource(
        doc, "aws_s3_bucket_acl.by_name", {"acl": "public-read-write", "bucket": "tfsec-plan-testing"}
    )
    findings = run(parse(doc), "TFO-S3-001")
    assert [f.address for f in findings] == ["aws_s3_bucket_acl.by_name"]
    assert BUCKET in findings[0].message


def test_access_control_policy_grant_to_all_users_on_a_separate_acl() -> None:
    policy = [
        {
            "grant": [
                {
                    "grantee": [{"type": "Group", "uri": ALL_USERS, "id": None}],
                    "permission": "READ",
                }
            ],
            "owner": [{"id": "abc", "display_name": None}],
        }
    ]
    doc = add_resource(
        base(),
        "aws_s3_bucket_acl.acp",
        {"access_control_policy": policy, "acl": None},
        refs={"bucket": BUCKET_REF},
        after_unknown={"bucket": True},
    )
    assert hits(parse(doc), "TFO-S3-001") == {("aws_s3_bucket_acl.acp", "access_control_policy[0].grant[0]")}


def test_separate_public_access_block_protects_a_public_acl() -> None:
    doc = with_block(set_after(base(), BUCKET, acl="public-read"))
    plan = parse(doc)
    assert hits(plan, "TFO-S3-001") == set()
    assert hits(plan, "TFO-S3-003") == set()


def test_block_with_only_policy_settings_does_not_protect_against_acls() -> None:
    doc = with_block(
        set_after(base(), BUCKET, acl="public-read"), block_public_acls=False, ignore_public_acls=False
    )
    plan = parse(doc)
    assert hits(plan, "TFO-S3-001") == {(BUCKET, "acl")}
    assert hits(plan, "TFO-S3-004") == {
        ("aws_s3_bucket_public_access_block.planbucket", "block_public_acls"),
        ("aws_s3_bucket_public_access_block.planbucket", "ignore_public_acls"),
    }


@pytest.mark.parametrize(
    ("settings", "public"),
    [
        ({"block_public_acls": True, "ignore_public_acls": False}, True),  # only rejects *new* ACLs
        ({"block_public_acls": False, "ignore_public_acls": True}, False),  # ignores any public ACL
    ],
)
def test_only_ignore_public_acls_neutralises_an_acl(settings: dict[str, bool], public: bool) -> None:
    doc = add_resource(
        base(),
        "aws_s3_bucket_acl.planbucket",
        {"acl": "public-read"},
        refs={"bucket": BUCKET_REF},
        after_unknown={"bucket": True},
    )
    plan = parse(with_block(doc, **settings))
    assert bool(hits(plan, "TFO-S3-001")) is public


@pytest.mark.parametrize(
    ("settings", "public"),
    [
        ({"block_public_policy": True, "restrict_public_buckets": False}, True),
        ({"block_public_policy": False, "restrict_public_buckets": True}, False),
    ],
)
def test_only_restrict_public_buckets_neutralises_a_policy(settings: dict[str, bool], public: bool) -> None:
    plan = parse(with_block(bucket_policy(base(), PUBLIC_READ), **settings))
    assert bool(hits(plan, "TFO-S3-002")) is public


def test_block_on_another_bucket_does_not_protect_this_one() -> None:
    doc = set_after(base(), BUCKET, acl="public-read")
    add_resource(doc, "aws_s3_bucket.other", {"bucket": "other-bucket", "acl": "private"})
    add_resource(
        doc,
        "aws_s3_bucket_public_access_block.other",
        {
            k: True
            for k in (
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            )
        },
        refs={"bucket": ["aws_s3_bucket.other.id", "aws_s3_bucket.other"]},
        after_unknown={"bucket": True},
    )
    plan = parse(doc)
    assert hits(plan, "TFO-S3-001") == {(BUCKET, "acl")}
    assert addresses(plan, "TFO-S3-003") == {BUCKET}


# --- TFO-S3-002: bucket policies open to everyone ------------------------------------------------------


def test_real_plan_bucket_policies_with_principal_star() -> None:
    plan = fixture("terraform-compliance/issue_174_s3_bucket_policies.json")
    # b: statement 0 is a Deny (not public), statement 1 an unconditioned Allow; c: both Allows
    assert hits(plan, "TFO-S3-002") == {
        ("aws_s3_bucket_policy.b", "policy.Statement[1]"),
        ("aws_s3_bucket_policy.c", "policy.Statement[0]"),
        ("aws_s3_bucket_policy.c", "policy.Statement[1]"),
    }
    messages = " ".join(f.message for f in run(plan, "TFO-S3-002"))
    assert "aws_s3_bucket.b" in messages and "aws_s3_bucket.c" in messages


def bucket_policy(doc: dict[str, Any], *statements: dict[str, Any]) -> dict[str, Any]:
    return add_resource(
        doc,
        "aws_s3_bucket_policy.planbucket",
        {"policy": policy_document(*statements)},
        refs={"bucket": BUCKET_REF},
        after_unknown={"bucket": True, "id": True},
    )


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}])
def test_separate_bucket_policy_allowing_everyone(principal: Any) -> None:
    plan = parse(bucket_policy(base(), {**PUBLIC_READ, "Principal": principal}))
    findings = run(plan, "TFO-S3-002")
    assert [(f.address, f.attribute) for f in findings] == [
        ("aws_s3_bucket_policy.planbucket", "policy.Statement[0]")
    ]
    assert "PublicRead" in findings[0].message and BUCKET in findings[0].message


def test_inline_bucket_policy_allowing_everyone() -> None:
    plan = parse(set_after(base(), BUCKET, policy=policy_document(PUBLIC_READ)))
    assert hits(plan, "TFO-S3-002") == {(BUCKET, "policy.Statement[0]")}


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        {"ArnLike": {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/*"}},
    ],
)
def test_restricting_condition_makes_principal_star_non_public(condition: dict[str, Any]) -> None:
    plan = parse(bucket_policy(base(), {**PUBLIC_READ, "Condition": condition}))
    assert hits(plan, "TFO-S3-002") == set()


@pytest.mark.parametrize(
    "condition",
    [
        {"Bool": {"aws:SecureTransport": "true"}},  # says nothing about who calls
        {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},  # everyone but one endpoint
    ],
)
def test_non_restricting_condition_keeps_it_public(condition: dict[str, Any]) -> None:
    plan = parse(bucket_policy(base(), {**PUBLIC_READ, "Condition": condition}))
    assert addresses(plan, "TFO-S3-002") == {"aws_s3_bucket_policy.planbucket"}


def test_named_principal_and_deny_statements_are_not_public() -> None:
    named = {**PUBLIC_READ, "Principal": {"AWS": "arn:aws:iam::111122223333:root"}}
    deny = {**PUBLIC_READ, "Effect": "Deny"}
    plan = parse(bucket_policy(base(), named, deny))
    assert hits(plan, "TFO-S3-002") == set()


def test_block_public_policy_protects_a_public_bucket_policy() -> None:
    plan = parse(with_block(bucket_policy(base(), PUBLIC_READ)))
    assert hits(plan, "TFO-S3-002") == set()


def test_block_with_policy_settings_off_does_not_protect() -> None:
    doc = with_block(
        bucket_policy(base(), PUBLIC_READ), block_public_policy=False, restrict_public_buckets=False
    )
    assert addresses(parse(doc), "TFO-S3-002") == {"aws_s3_bucket_policy.planbucket"}


def test_block_setting_known_only_after_apply_counts_as_protection() -> None:
    doc = with_block(bucket_policy(base(), PUBLIC_READ))
    block = doc["resource_changes"][-1]["change"]
    del block["after"]["block_public_policy"]
    block["after_unknown"]["block_public_policy"] = True
    assert hits(parse(doc), "TFO-S3-002") == set()


# --- TFO-S3-003 / 004: the public access block -----------------------------------------------------------


def test_bucket_without_public_access_block_warns() -> None:
    findings = run(fixture(BASE), "TFO-S3-003")
    assert [(f.address, f.severity) for f in findings] == [(BUCKET, Severity.WARN)]


def test_bucket_with_public_access_block_linked_by_configuration() -> None:
    assert hits(parse(with_block(base())), "TFO-S3-003") == set()
    assert hits(parse(with_block(base())), "TFO-S3-004") == set()


def test_deleting_the_public_access_block_is_reported_on_the_block() -> None:
    doc = add_resource(
        base(),
        "aws_s3_bucket_public_access_block.old",
        None,
        actions=("delete",),
        before={"bucket": "tfsec-plan-testing", "block_public_acls": True, "id": "tfsec-plan-testing"},
    )
    findings = run(parse(doc), "TFO-S3-003")
    assert [f.address for f in findings] == ["aws_s3_bucket_public_access_block.old"]
    assert BUCKET in findings[0].message


@pytest.mark.parametrize(
    "setting", ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]
)
def test_each_public_access_block_setting_turned_off(setting: str) -> None:
    plan = parse(with_block(base(), **{setting: False}))
    assert hits(plan, "TFO-S3-004") == {("aws_s3_bucket_public_access_block.planbucket", setting)}


# --- TFO-S3-005: website hosting ---------------------------------------------------------------------


def test_inline_website_block() -> None:
    website = [
        {
            "index_document": "index.html",
            "error_document": None,
            "redirect_all_requests_to": None,
            "routing_rules": None,
        }
    ]
    plan = parse(set_after(base(), BUCKET, website=website))
    assert hits(plan, "TFO-S3-005") == {(BUCKET, "website")}
    # protected by block_public_policy, the website cannot be made public
    assert hits(parse(with_block(set_after(base(), BUCKET, website=website))), "TFO-S3-005") == set()


def test_separate_website_configuration() -> None:
    doc = add_resource(
        base(),
        "aws_s3_bucket_website_configuration.site",
        {"index_document": [{"suffix": "index.html"}]},
        refs={"bucket": BUCKET_REF},
        after_unknown={"bucket": True},
    )
    assert addresses(parse(doc), "TFO-S3-005") == {"aws_s3_bucket_website_configuration.site"}


def test_bucket_without_website_is_not_a_website() -> None:
    assert hits(fixture(BASE), "TFO-S3-005") == set()
    assert hits(fixture("terraform-compliance/issue_174_s3_bucket_policies.json"), "TFO-S3-005") == set()
