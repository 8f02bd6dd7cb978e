"""Permission policies decided for a request as IAM documents it: Action/NotAction, Resource/NotResource,
conditions such as dynamodb:LeadingKeys, s3:prefix and aws:SecureTransport, explicit deny > allow >
implicit deny, and identity + resource policies within one account and across accounts."""

from __future__ import annotations

from typing import Any

import pytest

from tfoidc.iam.permissions import Request, evaluate_access, evaluate_permissions

ROLE = "arn:aws:iam::111111111111:role/gitlab/acme-dev-plan"
OTHER_ROLE = "arn:aws:iam::111111111111:role/gitlab/acme-dev-apply"
STATE_ACCOUNT = "999999999999"
TABLE = f"arn:aws:dynamodb:eu-west-1:{STATE_ACCOUNT}:table/acme-terraform-locks"
LOCK_ID = "acme-terraform-state/environments/dev/terraform.tfstate"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def decide(policies: list[dict[str, Any]], action: str, resource: str, **context: Any) -> str:
    return evaluate_permissions(policies, Request(action, resource, context)).decision


@pytest.mark.parametrize(
    ("statement", "action", "resource", "decision"),
    [
        (allow("s3:GetObject", "arn:aws:s3:::b/k"), "s3:GetObject", "arn:aws:s3:::b/k", "allow"),
        (allow("s3:Get*", "arn:aws:s3:::b/*"), "s3:GETOBJECT", "arn:aws:s3:::b/a/b", "allow"),  # actions: any case
        (allow("s3:Get*", "arn:aws:s3:::b/*"), "s3:PutObject", "arn:aws:s3:::b/k", "implicit-deny"),
        (allow("s3:GetObject", "arn:aws:s3:::b/*"), "s3:GetObject", "arn:aws:s3:::B/k", "implicit-deny"),
        # ARN wildcards stay inside their part, except in the resource part
        (allow("dynamodb:*", "arn:aws:dynamodb:*:*:table/locks"), "dynamodb:GetItem", TABLE.replace("acme-terraform-locks", "locks"), "allow"),
        (allow("dynamodb:*", "arn:aws:dynamodb:*:table/locks"), "dynamodb:GetItem", TABLE.replace("acme-terraform-locks", "locks"), "implicit-deny"),
        (allow("s3:*", "arn:aws:s3:::b/*"), "s3:GetObject", "arn:aws:s3:::b/x:y", "allow"),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "s3:PutObject", "arn:aws:s3:::b/k", "allow"),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "iam:PassRole", "arn:aws:iam::1:role/x", "implicit-deny"),
        ({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::state/*"}, "s3:GetObject", "arn:aws:s3:::state/k", "implicit-deny"),
        ({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::state/*"}, "s3:GetObject", "arn:aws:s3:::data/k", "allow"),
        ({"Effect": "Allow", "Action": "s3:*"}, "s3:GetObject", "arn:aws:s3:::data/k", "implicit-deny"),  # no Resource
    ],
)  # fmt: skip
def test_action_and_resource_matching(
    statement: dict[str, Any], action: str, resource: str, decision: str
) -> None:
    assert decide([policy(statement)], action, resource) == decision


def test_explicit_deny_in_any_policy_beats_an_allow_in_another() -> None:
    broad = policy(allow("s3:*"))
    guard = policy({"Effect": "Deny", "Action": "s3:Delete*", "Resource": "arn:aws:s3:::state/*"})
    decision = evaluate_permissions(
        {"broad": broad, "guard": guard}, Request("s3:DeleteObject", "arn:aws:s3:::state/k")
    )
    assert decision.decision == "explicit-deny"
    assert decision.reason == "explicitly denied by Deny statement 0 of policy guard"
    assert decide([broad, guard], "s3:GetObject", "arn:aws:s3:::state/k") == "allow"


LOCK_POLICY = policy(
    allow(
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
        TABLE,
        Condition={
            "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [LOCK_ID, f"{LOCK_ID}-md5"]},
            "Null": {"dynamodb:LeadingKeys": "false"},
        },
    )
)


@pytest.mark.parametrize(
    ("leading_keys", "decision"),
    [
        ([LOCK_ID], "allow"),
        ([f"{LOCK_ID}-md5"], "allow"),
        ([LOCK_ID.replace("dev", "prod")], "implicit-deny"),
        ([LOCK_ID, LOCK_ID.replace("dev", "prod")], "implicit-deny"),  # every key must be listed
        (None, "implicit-deny"),  # without the Null guard, ForAllValues would be true here
    ],
)
def test_dynamodb_leading_keys_pin_the_lock_items(leading_keys: list[str] | None, decision: str) -> None:
    context = {} if leading_keys is None else {"dynamodb:LeadingKeys": leading_keys}
    assert decide([LOCK_POLICY], "dynamodb:PutItem", TABLE, **context) == decision


def test_for_all_values_without_a_null_guard_is_true_for_an_absent_key() -> None:
    unguarded = policy(
        allow(
            "dynamodb:GetItem",
            TABLE,
            Condition={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [LOCK_ID]}},
        )
    )
    assert decide([unguarded], "dynamodb:GetItem", TABLE) == "allow"


def test_s3_prefix_limits_listing() -> None:
    listing = policy(
        allow(
            "s3:ListBucket",
            "arn:aws:s3:::state",
            Condition={"StringLike": {"s3:prefix": ["environments/dev/*", "env:/"]}},
        )
    )
    assert (
        decide([listing], "s3:ListBucket", "arn:aws:s3:::state", **{"s3:prefix": "environments/dev/"})
        == "allow"
    )
    assert (
        decide([listing], "s3:ListBucket", "arn:aws:s3:::state", **{"s3:prefix": "environments/"})
        == "implicit-deny"
    )
    assert (
        decide([listing], "s3:ListBucket", "arn:aws:s3:::state") == "implicit-deny"
    )  # no prefix: whole bucket


def test_policy_variables_in_resources() -> None:
    own = policy(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))
    assert decide([own], "s3:GetObject", "arn:aws:s3:::home/ann/x", **{"aws:username": "ann"}) == "allow"
    assert (
        decide([own], "s3:GetObject", "arn:aws:s3:::home/bob/x", **{"aws:username": "ann"}) == "implicit-deny"
    )
    # a variable without a value matches nothing
    assert decide([own], "s3:GetObject", "arn:aws:s3:::home//x") == "implicit-deny"
    literal = {
        "Version": "2008-10-17",
        "Statement": [allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")],
    }
    assert (
        decide([literal], "s3:GetObject", "arn:aws:s3:::home/${aws:username}/x", **{"aws:username": "ann"})
        == "allow"
    )


TLS_ONLY = {
    "Sid": "TLSOnly",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::state", "arn:aws:s3:::state/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
BUCKET = policy(
    TLS_ONLY,
    {
        "Effect": "Allow",
        "Principal": {"AWS": ROLE},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::state/environments/dev/*",
    },
)
READER = [policy(allow("s3:GetObject", "arn:aws:s3:::state/*"))]
DEV_STATE = "arn:aws:s3:::state/environments/dev/terraform.tfstate"


def test_across_accounts_both_the_identity_and_the_resource_policy_must_allow() -> None:
    def access(resource: str, identity: list[dict[str, Any]] = READER, **context: Any) -> bool:
        return evaluate_access(
            Request("s3:GetObject", resource, context),
            caller_arn=ROLE,
            identity_policies=identity,
            resource_policy=BUCKET,
            resource_account=STATE_ACCOUNT,
        ).allowed

    assert access(DEV_STATE)
    assert not access(DEV_STATE.replace("dev", "prod"))  # the bucket policy does not grant prod
    assert not access(DEV_STATE, identity=[policy(allow("ec2:*"))])  # the role's own policies do not
    assert not access(DEV_STATE, **{"aws:SecureTransport": "false"})  # TLS-only Deny
    decision = evaluate_access(
        Request("s3:GetObject", DEV_STATE.replace("dev", "prod")),
        caller_arn=ROLE,
        identity_policies=READER,
        resource_policy=BUCKET,
        resource_account=STATE_ACCOUNT,
    )
    assert "cross-account request and the resource policy does not allow it" in decision.reason


def test_within_one_account_either_policy_grants_unless_the_resource_policy_only_names_the_account() -> None:
    nothing: list[dict[str, Any]] = [policy(allow("ec2:Describe*"))]
    names_role = policy(
        {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "s3:GetObject", "Resource": "*"}
    )
    names_account = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "s3:GetObject",
            "Resource": "*",
        }
    )

    def access(resource_policy: dict[str, Any], identity: list[dict[str, Any]], caller: str = ROLE) -> bool:
        return evaluate_access(
            Request("s3:GetObject", DEV_STATE),
            caller_arn=caller,
            identity_policies=identity,
            resource_policy=resource_policy,
        ).allowed

    assert access(names_role, nothing)
    assert not access(names_role, nothing, caller=OTHER_ROLE)
    assert not access(names_account, nothing)  # naming the account delegates to the role's own policies
    assert access(names_account, READER)


def test_a_permissions_boundary_limits_what_identity_policies_grant() -> None:
    boundary = policy(allow("s3:Get*"))

    def access(action: str) -> bool:
        return evaluate_access(
            Request(action, DEV_STATE),
            caller_arn=ROLE,
            identity_policies=[policy(allow("s3:*"))],
            permissions_boundary=boundary,
        ).allowed

    assert access("s3:GetObject")
    assert not access("s3:PutObject")


def test_decisions_explain_each_statement() -> None:
    decision = evaluate_permissions(
        [LOCK_POLICY], Request("dynamodb:PutItem", TABLE, {"dynamodb:LeadingKeys": ["other"]})
    )
    (result,) = decision.statements
    assert result.action_matched and result.resource_matched and not result.applies
    assert "dynamodb:LeadingKeys did not match" in decision.reason
    assert "Resource" in result.resource_explanation and TABLE in result.resource_explanation
