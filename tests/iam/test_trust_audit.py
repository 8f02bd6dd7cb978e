"""Trust-policy audit: every way a GitLab OIDC trust policy can let the wrong project in is flagged."""

from __future__ import annotations

from typing import Any

import pytest

from tfoidc.iam.audit import audit_trust_policy
from tfoidc.iam.trust import evaluate_trust_policy

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


def test_keys_of_another_provider_are_absent_from_the_request() -> None:
    # a condition on another provider's keys does not restrict tokens of this one
    # keys of another provider are absent from gitlab.com's tokens: StringEquals on them is false, so the
    # statement admits no token at all (it was reported as "any project" before IAM's rule was applied)
    other = {"StringEquals": {"gitlab.example.com:aud": "x", "gitlab.example.com:sub": MAIN_SUB}}
    assert codes(trust(other), issuer_host="https://gitlab.com") == []
    assert codes(trust(other)) == []
    # a negated condition on them is always true: it restricts nothing, and every project gets in
    negated = {"StringEquals": AUD, "StringNotLike": {"gitlab.example.com:sub": "project_path:evil/*"}}
    assert codes(trust(negated)) == ["no-sub", "other-issuer-keys"]
    assert "restricts nothing" in audit_trust_policy(trust(negated))[1].message
    # ... and a Deny conditioned on them never applies: it carves nothing out
    deny = trust({"StringEquals": {**AUD, f"{HOST}:sub": MAIN_SUB}})
    deny["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": {"Federated": PROVIDER},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringLike": {"gitlab.example.com:sub": "*:ref_type:tag:*"}},
        }
    )
    assert codes(deny) == ["other-issuer-keys"]
    assert "this Deny never applies" in audit_trust_policy(deny)[0].message


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("project_path:acme/infra:ref_type:branch:ref:main", []),
        ("project_path:acme/infra:ref_type:branch:ref:release/*", ["sub-any-ref"]),
        ("project_path:acme/infra:ref_type:*:ref:main", ["sub-any-ref"]),  # a tag named main
        ("project_path:acme/infra:*", ["sub-any-ref"]),
        ("project_path:acme/infra*", ["sub-group-wide", "sub-any-ref"]),
        ("project_path:acme/sub/*:ref_type:branch:ref:main", ["sub-group-wide"]),
        ("project_path:ac?e/infra:ref_type:branch:ref:main", ["sub-any-project"]),
        ("project_path:*", ["sub-any-project"]),
        ("*:ref_type:branch:ref:main", ["sub-any-project"]),
        ("proj*", ["sub-any-project"]),
        ("repo:octo-org/*", []),  # not a GitLab sub: only a subject outside every named prefix counts
        ("*", ["sub-any-project"]),
    ],
)
def test_gitlab_sub_patterns(pattern: str, expected: list[str]) -> None:
    assert codes(trust({"StringEquals": AUD, "StringLike": {f"{HOST}:sub": pattern}})) == expected


def test_every_breadth_warning_carries_a_token_iam_accepts() -> None:
    policy = trust({"StringEquals": AUD, "StringLike": {f"{HOST}:sub": "project_path:acme/*:*"}})
    found = audit_trust_policy(policy)
    assert [w.code for w in found] == ["sub-group-wide", "sub-any-ref"]
    for warning in found:
        assert warning.witness is not None and warning.witness.confirmed
        decision = evaluate_trust_policy(
            policy, claims=warning.witness.claims, provider_arn=PROVIDER, issuer_host=HOST
        )
        assert decision.allowed, warning
    group_wide, _ = (w.witness.claims["sub"] for w in found if w.witness)
    assert group_wide.startswith("project_path:acme/") and group_wide in found[0].message


def test_a_statement_for_another_provider_is_audited_for_its_own_keys_not_the_issuers() -> None:
    other_host = "gitlab.example.com"
    pinned = {"StringEquals": {f"{other_host}:aud": "x", f"{other_host}:sub": MAIN_SUB}}
    policy = trust(pinned, Principal={"Federated": f"arn:aws:iam::123456789012:oidc-provider/{other_host}"})
    assert codes(policy, issuer_host="https://gitlab.com") == []
    open_ = trust({"StringEquals": {f"{other_host}:aud": "x"}}, Principal=policy["Statement"][0]["Principal"])
    assert codes(open_, issuer_host="https://gitlab.com") == ["no-sub"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # a backtracking regex needs ages for these; the evaluator's matcher and the search do not
        ("project_path:" + "*a" * 30 + "*", ["sub-any-project"]),
        ("*" * 500, ["sub-any-project"]),
        # larger than any trust policy IAM accepts: not analysed, and said so
        ("project_path:" + "*x" * 2500, ["undecided"]),
    ],
)
def test_adversarial_patterns_end_in_a_verdict_or_an_explicit_undecided(
    pattern: str, expected: list[str]
) -> None:
    found = audit_trust_policy(trust({"StringEquals": AUD, "StringLike": {f"{HOST}:sub": pattern}}))
    assert [w.code for w in found] == expected
    if expected == ["undecided"]:
        assert "larger than IAM accepts" in found[0].message


def test_the_concrete_evaluator_matches_adversarial_wildcards_without_backtracking() -> None:
    policy = trust({"StringEquals": AUD, "StringLike": {f"{HOST}:sub": "*a" * 40 + "*b"}})
    claims = {"iss": f"https://{HOST}", "sub": "a" * 39 + "c" * 200, "aud": "sts.amazonaws.com"}
    assert not evaluate_trust_policy(policy, claims=claims, provider_arn=PROVIDER, issuer_host=HOST).allowed
    claims["sub"] = "a" * 40 + "b"
    assert evaluate_trust_policy(policy, claims=claims, provider_arn=PROVIDER, issuer_host=HOST).allowed
