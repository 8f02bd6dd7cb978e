"""`describe_trust`: who can assume a role, as data and in words, as IAM would decide it."""

from __future__ import annotations

from typing import Any

from tests.iam.trust_cases import AUD, HOST, MAIN, PROVIDER, deny, key, like, policy, statement
from tfoidc.iam.scope import describe_trust
from tfoidc.iam.trust import evaluate_trust_policy


def only_provider(trust: dict[str, Any], **kwargs: Any) -> Any:
    (provider,) = describe_trust(trust, **kwargs).providers
    return provider


def test_a_pinned_policy_names_one_project_one_branch_one_audience() -> None:
    provider = only_provider(policy(statement({"StringEquals": {key("aud"): AUD, key("sub"): MAIN}})))
    assert provider.host == HOST and provider.provider_arns == (PROVIDER,)
    assert not provider.any_project and provider.exposures == ()
    (subject,) = provider.subjects
    assert (subject.project, subject.ref_type, subject.ref) == ("acme/infra", "branch", "main")
    assert provider.audiences == (AUD,)
    assert provider.describe() == f"{HOST}: project acme/infra, branch main (audience {AUD})"


def test_no_sub_condition_is_any_project_on_the_host() -> None:
    provider = only_provider(policy(statement({"StringEquals": {key("aud"): AUD}})))
    assert provider.any_project and provider.subjects == ()
    assert provider.describe() == f"any project on {HOST} (audience {AUD})"
    (exposure,) = provider.exposures
    assert exposure.kind == "any-project" and exposure.no_positive_condition


def test_group_wide_and_any_ref_subjects_in_words() -> None:
    trust = policy(
        statement(
            like(
                "project_path:acme/*:ref_type:branch:ref:main", "project_path:acme/infra:ref_type:tag:ref:v*"
            )
        )
    )
    provider = only_provider(trust)
    assert [s.describe() for s in provider.subjects] == [
        "projects acme/* (group acme), branch main",
        "project acme/infra, tag matching v*",
    ]
    assert {e.kind for e in provider.exposures} == {"other-project", "any-ref"}


def test_a_broad_pattern_next_to_an_exact_one_describes_the_exact_one() -> None:
    trust = policy(
        statement(
            {
                "StringEquals": {key("aud"): AUD, key("sub"): MAIN},
                "StringLike": {key("sub"): "project_path:acme/*"},
            }
        )
    )
    provider = only_provider(trust)
    assert [s.value for s in provider.subjects] == [MAIN]
    assert provider.exposures == ()


def test_deny_statements_show_as_exceptions_and_remove_what_they_catch() -> None:
    trust = policy(
        statement(like("project_path:acme/infra:*")), deny({"StringLike": {key("sub"): "*:ref_type:tag:*"}})
    )
    provider = only_provider(trust)
    (subject,) = provider.subjects
    assert subject.exceptions == ("*:ref_type:tag:* (Deny statement 1)",)
    (exposure,) = provider.exposures
    assert exposure.kind == "any-ref" and ":ref_type:branch:" in exposure.witness.claims["sub"]


def test_any_audience_when_aud_is_not_pinned() -> None:
    provider = only_provider(policy(statement({"StringEquals": {key("sub"): MAIN}})))
    assert provider.audiences is None
    assert provider.describe().endswith("(any audience the provider accepts)")


def test_principal_star_is_judged_for_the_issuer_and_other_principals_are_listed() -> None:
    trust = policy(
        statement({"StringEquals": {key("aud"): AUD, key("sub"): MAIN}}, Principal="*"),
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"},
    )
    scope = describe_trust(trust, issuer_host=f"https://{HOST}")
    assert [p.host for p in scope.providers] == [HOST]
    assert scope.providers[0].subjects[0].value == MAIN
    assert "anyone (*)" in scope.other_principals and "Service: ec2.amazonaws.com" in scope.other_principals


def test_conditions_on_keys_outside_the_token_are_met_by_the_witness() -> None:
    trust = policy(
        statement({"StringEquals": {key("aud"): AUD}, "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    )
    provider = only_provider(trust)
    assert provider.assumed == ("IpAddress aws:SourceIp ['203.0.113.0/24']",)
    (exposure,) = provider.exposures
    witness = exposure.witness
    assert witness.context == {"aws:sourceip": ("203.0.113.0",)} and witness.confirmed
    decision = evaluate_trust_policy(
        trust, claims=witness.claims, provider_arn=PROVIDER, issuer_host=HOST, extra_context=witness.context
    )
    assert decision.allowed


def test_a_provider_whose_subjects_are_not_gitlab_shaped() -> None:
    github = "token.actions.githubusercontent.com"
    arn = f"arn:aws:iam::111122223333:oidc-provider/{github}"
    pinned = policy(
        statement(
            {
                "StringEquals": {f"{github}:aud": AUD},
                "StringLike": {f"{github}:sub": "repo:octo/app:ref:refs/heads/main"},
            },
            Principal={"Federated": arn},
        )
    )
    provider = only_provider(pinned)
    assert not provider.gitlab and provider.exposures == ()
    assert (
        provider.describe() == f"{github}: sub StringLike repo:octo/app:ref:refs/heads/main (audience {AUD})"
    )
    open_ = policy(statement({"StringEquals": {f"{github}:aud": AUD}}, Principal={"Federated": arn}))
    assert only_provider(open_).any_project


def test_a_policy_that_admits_nobody() -> None:
    trust = policy(statement({"StringEquals": {key("aud", "gitlab.com"): AUD}}))
    provider = only_provider(trust)
    assert not provider.admits_anything and provider.describe() == f"no token from {HOST}"
    assert describe_trust(trust).describe() == "nobody"
