"""Trust-policy audit: every way a GitLab OIDC trust policy can let the wrong project in is flagged."""

from __future__ import annotations

from typing import Any

import pytest

from tfoidc.iam.trust import audit_trust_policy, gitlab_sub_any_ref, gitlab_sub_scope

HOST = "gitlab.com"
PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{HOST}"
AUD = {f"{HOST}:aud": "sts.amazonaws.com"}
MAIN_SUB = "project_path:acme/infra:ref_type:branch:ref:main"


def trust(conditions: dict[str, Any] | None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Sid": "GitLab",
        "Effect": "Allow",
        "Principal": {"Federated": PROVIDER},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if conditions is not None:
        body["Condition"] = conditions
    body.update(overrides)
    return {"Version": "2012-10-17", "Statement": [body]}


def codes(policy: dict[str, Any], issuer_host: str | None = None) -> list[str]:
    return [w.code for w in audit_trust_policy(policy, issuer_host=issuer_host)]


def test_a_pinned_policy_has_no_warnings() -> None:
    assert codes(trust({"StringEquals": {**AUD, f"{HOST}:sub": MAIN_SUB}})) == []
    assert codes(trust({"StringEquals": AUD, "StringLike": {f"{HOST}:sub": MAIN_SUB}})) == []


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        (None, ["no-sub", "no-aud"]),
        ({"StringEquals": AUD}, ["no-sub"]),
        # a negated condition on sub does not say which project may assume the role
        ({"StringEquals": AUD, "StringNotLike": {f"{HOST}:sub": "project_path:evil/*"}}, ["no-sub"]),
        ({"StringEquals": AUD, "StringLike": {f"{HOST}:sub": "*"}}, ["sub-any-project"]),
        ({"StringEquals": AUD, "StringLike": {f"{HOST}:sub": "project_path:*"}}, ["sub-any-project"]),
        (
            {"StringEquals": AUD, "StringLike": {f"{HOST}:sub": "project_path:*:ref_type:branch:ref:main"}},
            ["sub-any-project"],
        ),
        (
            {
                "StringEquals": AUD,
                "StringLike": {f"{HOST}:sub": "project_path:acme/*:ref_type:branch:ref:main"},
            },
            ["sub-group-wide"],
        ),
        (
            {"StringEquals": AUD, "StringLike": {f"{HOST}:sub": "project_path:acme/*:*"}},
            ["sub-group-wide", "sub-any-ref"],
        ),
        (
            {"StringEquals": AUD, "StringLike": {f"{HOST}:sub": "project_path:acme/infra:*"}},
            ["sub-any-ref"],
        ),
        (
            {
                "StringEquals": AUD,
                "StringLike": {f"{HOST}:sub": "project_path:acme/infra:ref_type:branch:ref:*"},
            },
            ["sub-any-ref"],
        ),
        (
            {"StringEquals": {**AUD, f"{HOST}:sub": "project_path:acme/infra:*"}},
            ["wildcard-under-stringequals"],
        ),
        ({"StringLike": {f"{HOST}:sub": MAIN_SUB}}, ["no-aud"]),
        (
            {"StringEquals": AUD, "ForAllValues:StringLike": {f"{HOST}:sub": MAIN_SUB}},
            ["forallvalues-allow"],
        ),
    ],
    ids=lambda value: "" if isinstance(value, list) else None,
)
def test_web_identity_warnings(conditions: dict[str, Any] | None, expected: list[str]) -> None:
    assert codes(trust(conditions)) == expected


def test_a_null_guard_makes_forallvalues_safe() -> None:
    conditions = {
        "StringEquals": AUD,
        "StringLike": {f"{HOST}:sub": MAIN_SUB},
        "ForAllValues:StringEquals": {f"{HOST}:amr": "mfa"},
        "Null": {f"{HOST}:amr": "false"},
    }
    assert codes(trust(conditions)) == []


def test_each_broad_value_of_a_multi_value_sub_is_flagged() -> None:
    subs = [MAIN_SUB, "project_path:*"]
    found = audit_trust_policy(trust({"StringEquals": AUD, "StringLike": {f"{HOST}:sub": subs}}))
    assert [w.code for w in found] == ["sub-any-project"]
    assert "'project_path:*'" in found[0].message
    assert found[0].sid == "GitLab" and found[0].statement_index == 0


def test_principal_any_is_flagged() -> None:
    assert codes(trust({"StringEquals": {**AUD, f"{HOST}:sub": MAIN_SUB}}, Principal="*")) == [
        "principal-any"
    ]
    assert "principal-any" in codes(trust(None, Principal={"AWS": "*"}, Action="sts:AssumeRole"))


def test_not_principal_in_an_allow_is_anyone_but() -> None:
    policy = trust({"StringEquals": {**AUD, f"{HOST}:sub": MAIN_SUB}})
    statement = policy["Statement"][0]
    statement["NotPrincipal"] = statement.pop("Principal")
    assert codes(policy) == ["principal-any"]


def test_deny_statements_are_not_audited_for_missing_restrictions() -> None:
    policy = trust({"StringEquals": {**AUD, f"{HOST}:sub": MAIN_SUB}})
    policy["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {f"{HOST}:sub": "*:ref_type:tag:*"}},
        }
    )
    assert codes(policy) == []


def test_non_web_identity_trust_is_not_audited_for_sub() -> None:
    policy = trust(None, Principal={"Service": "ec2.amazonaws.com"}, Action="sts:AssumeRole")
    assert codes(policy) == []


def test_issuer_host_selects_the_keys_that_count() -> None:
    # a condition on another provider's keys does not restrict tokens of this one
    other = {"StringEquals": {"gitlab.example.com:aud": "x", "gitlab.example.com:sub": MAIN_SUB}}
    assert codes(trust(other), issuer_host="https://gitlab.com") == ["no-sub", "no-aud"]
    # without issuer_host every <host>:sub / <host>:aud key in the policy is inspected
    assert codes(trust(other)) == []


@pytest.mark.parametrize(
    ("pattern", "scope", "any_ref"),
    [
        ("project_path:acme/infra:ref_type:branch:ref:main", None, False),
        ("project_path:acme/infra:ref_type:branch:ref:release/*", None, True),
        ("project_path:acme/infra:ref_type:*:ref:main", None, True),
        ("project_path:acme/infra:*", None, True),
        ("project_path:acme/infra*", "group-wide", True),
        ("project_path:acme/sub/*:ref_type:branch:ref:main", "group-wide", False),
        ("project_path:ac?e/infra:ref_type:branch:ref:main", "any-project", False),
        ("project_path:*", "any-project", True),
        ("*:ref_type:branch:ref:main", "any-project", False),
        ("proj*", "any-project", False),
        ("repo:octo-org/*", None, False),  # not a GitLab sub: left alone
    ],
)
def test_gitlab_sub_classification(pattern: str, scope: str | None, any_ref: bool) -> None:
    assert gitlab_sub_scope(pattern) == scope
    assert gitlab_sub_any_ref(pattern) is any_ref


def test_a_statement_for_another_provider_is_audited_for_its_own_keys_not_the_issuers() -> None:
    other_host = "gitlab.example.com"
    pinned = {"StringEquals": {f"{other_host}:aud": "x", f"{other_host}:sub": MAIN_SUB}}
    policy = trust(pinned, Principal={"Federated": f"arn:aws:iam::123456789012:oidc-provider/{other_host}"})
    assert codes(policy, issuer_host="https://gitlab.com") == []
    open_ = trust({"StringEquals": {f"{other_host}:aud": "x"}}, Principal=policy["Statement"][0]["Principal"])
    assert codes(open_, issuer_host="https://gitlab.com") == ["no-sub"]
