"""Trust policies evaluated against GitLab ID token claims with IAM's documented semantics.

Each case is a trust policy a GitLab user could write and the verdict IAM gives for a given token.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from tfoidc.iam.trust import claims_to_context, evaluate_trust_policy

HOST = "gitlab.com"
PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{HOST}"
OTHER_PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
ACTION = "sts:AssumeRoleWithWebIdentity"
MAIN_SUB = "project_path:acme/infra:ref_type:branch:ref:main"


def gitlab_claims(
    project: str = "acme/infra", ref: str = "main", ref_type: str = "branch", **extra: Any
) -> dict[str, Any]:
    """The claim set GitLab puts in an ID token (only sub/aud reach IAM's request context)."""
    return {
        "iss": f"https://{HOST}",
        "sub": f"project_path:{project}:ref_type:{ref_type}:ref:{ref}",
        "aud": "sts.amazonaws.com",
        "project_path": project,
        "namespace_path": project.split("/")[0],
        "ref": ref,
        "ref_type": ref_type,
        "ref_protected": ref == "main",
        "environment": "production",
        **extra,
    }


def statement(conditions: Mapping[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"Effect": "Allow", "Principal": {"Federated": PROVIDER}, "Action": ACTION}
    if conditions is not None:
        body["Condition"] = conditions
    body.update(overrides)
    return body


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


PINNED = {"StringEquals": {f"{HOST}:aud": "sts.amazonaws.com", f"{HOST}:sub": MAIN_SUB}}
DENY_TAGS = {
    "Sid": "NoTags",
    "Effect": "Deny",
    "Principal": {"Federated": PROVIDER},
    "Action": ACTION,
    "Condition": {"StringLike": {f"{HOST}:sub": "*:ref_type:tag:*"}},
}


@dataclass(frozen=True)
class Case:
    name: str
    policy: dict[str, Any]
    claims: dict[str, Any] = field(default_factory=gitlab_claims)
    allowed: bool = True
    reason: str = ""  # a fragment the decision's reason must contain


CASES = [
    Case("pinned project and branch", policy(statement(PINNED)), reason="allowed by statement 0"),
    Case(
        "denied by sub: another project",
        policy(statement(PINNED)),
        gitlab_claims(project="mallory/infra"),
        allowed=False,
        reason=f"{HOST}:sub did not match",
    ),
    Case(
        "denied by ref: a feature branch of the right project",
        policy(
            statement({"StringLike": {f"{HOST}:sub": "project_path:acme/infra:ref_type:branch:ref:main"}})
        ),
        gitlab_claims(ref="feature/x"),
        allowed=False,
        reason=f"{HOST}:sub did not match",
    ),
    Case(
        "denied by aud",
        policy(statement(PINNED)),
        gitlab_claims(aud="https://gitlab.com"),
        allowed=False,
        reason=f"{HOST}:aud did not match",
    ),
    Case(
        "aud given as a list: an unqualified StringEquals matches any of its values",
        policy(statement(PINNED)),
        gitlab_claims(aud=["https://gitlab.com", "sts.amazonaws.com"]),
    ),
    Case(
        "explicit Deny overrides a matching Allow",
        policy(statement({"StringLike": {f"{HOST}:sub": "project_path:acme/infra:*"}}), DENY_TAGS),
        gitlab_claims(ref="v1.0", ref_type="tag"),
        allowed=False,
        reason="explicitly denied by Deny statement 1 (NoTags)",
    ),
    Case(
        "a Deny whose condition does not match leaves the Allow in force",
        policy(statement({"StringLike": {f"{HOST}:sub": "project_path:acme/infra:*"}}), DENY_TAGS),
    ),
    Case(
        "Deny with StringNotLike: another project is denied even though the Allow is broad",
        policy(
            statement({"StringLike": {f"{HOST}:sub": "project_path:*"}}),
            {**DENY_TAGS, "Condition": {"StringNotLike": {f"{HOST}:sub": "project_path:acme/*"}}},
        ),
        gitlab_claims(project="mallory/infra"),
        allowed=False,
        reason="explicitly denied",
    ),
    Case(
        "several values for one key are ORed",
        policy(
            statement(
                {
                    "StringLike": {
                        f"{HOST}:sub": [MAIN_SUB, "project_path:acme/infra:ref_type:branch:ref:release/*"]
                    }
                }
            )
        ),
        gitlab_claims(ref="release/2.1"),
    ),
    Case(
        "several keys are ANDed: the right sub with the wrong aud is denied",
        policy(
            statement(
                {
                    "StringLike": {f"{HOST}:sub": "project_path:acme/infra:*"},
                    "StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"},
                }
            )
        ),
        gitlab_claims(aud="other"),
        allowed=False,
        reason=f"{HOST}:aud did not match",
    ),
    Case(
        "ForAnyValue on aud: one audience in the list is enough",
        policy(statement({"ForAnyValue:StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}})),
        gitlab_claims(aud=["a", "sts.amazonaws.com"]),
    ),
    Case(
        "ForAllValues on aud: every audience must be listed",
        policy(statement({"ForAllValues:StringEquals": {f"{HOST}:aud": "sts.amazonaws.com"}})),
        gitlab_claims(aud=["a", "sts.amazonaws.com"]),
        allowed=False,
    ),
    Case(
        "ForAllValues on an absent key is true: the Allow applies to every token",
        policy(statement({"ForAllValues:StringEquals": {f"{HOST}:amr": "mfa"}})),
        gitlab_claims(project="mallory/anything"),
    ),
    Case(
        "ForAnyValue on an absent key is false",
        policy(statement({"ForAnyValue:StringEquals": {f"{HOST}:amr": "mfa"}})),
        allowed=False,
    ),
    Case(
        "IfExists on an absent key is true",
        policy(statement({**PINNED, "StringEqualsIfExists": {f"{HOST}:amr": "mfa"}})),
    ),
    Case(
        "IfExists on a present key still compares",
        policy(statement({"StringLikeIfExists": {f"{HOST}:sub": "project_path:acme/infra:*"}})),
        gitlab_claims(project="mallory/infra"),
        allowed=False,
    ),
    Case(
        "Null true: the key must be absent",
        policy(statement({**PINNED, "Null": {f"{HOST}:amr": "true"}})),
    ),
    Case(
        "Null true on sub, which every token carries, never matches",
        policy(statement({"Null": {f"{HOST}:sub": "true"}})),
        allowed=False,
    ),
    Case(
        "condition keys are case-insensitive",
        policy(
            statement({"StringEquals": {"GitLab.COM:SUB": MAIN_SUB, "gitlab.com:Aud": "sts.amazonaws.com"}})
        ),
    ),
    Case(
        "StringEquals values are case-sensitive",
        policy(statement({"StringEquals": {f"{HOST}:sub": MAIN_SUB.replace("acme", "ACME")}})),
        allowed=False,
    ),
    Case(
        "StringEqualsIgnoreCase ignores the case of values",
        policy(statement({"StringEqualsIgnoreCase": {f"{HOST}:sub": MAIN_SUB.upper()}})),
    ),
    Case(
        "a wildcard under StringEquals is a literal '*' and never matches",
        policy(statement({"StringEquals": {f"{HOST}:sub": "project_path:acme/infra:*"}})),
        allowed=False,
    ),
    Case(
        "StringLike '?' matches exactly one character",
        policy(statement({"StringLike": {f"{HOST}:sub": "project_path:acme/infra:ref_type:branch:ref:v?"}})),
        gitlab_claims(ref="v10"),
        allowed=False,
    ),
    Case(
        "a claim IAM does not copy into the context cannot be a condition",
        policy(statement({"StringEquals": {f"{HOST}:project_path": "acme/infra"}})),
        allowed=False,
    ),
    Case(
        "StringNotEquals on an absent key is true",
        policy(statement({**PINNED, "StringNotEquals": {f"{HOST}:amr": "unauthenticated"}})),
    ),
    Case(
        "the first statement trusts another provider, the second matches",
        policy(statement(PINNED, Principal={"Federated": OTHER_PROVIDER}), statement(PINNED, Sid="GitLab")),
        reason="allowed by statement 1 (GitLab)",
    ),
    Case(
        "no statement trusts this provider",
        policy(statement(PINNED, Principal={"Federated": OTHER_PROVIDER})),
        allowed=False,
        reason=f"no Allow statement trusts {PROVIDER}",
    ),
    Case(
        "an Allow for sts:AssumeRole only does not grant web identity",
        policy(statement(PINNED, Action="sts:AssumeRole")),
        allowed=False,
        reason=f"grants {ACTION}",
    ),
    Case("Action sts:* covers web identity", policy(statement(PINNED, Action="sts:*"))),
    Case(
        "NotAction that excludes another action covers web identity",
        policy({k: v for k, v in statement(PINNED, NotAction="sts:AssumeRole").items() if k != "Action"}),
    ),
    Case("Principal '*' covers the federated principal", policy(statement(PINNED, Principal="*"))),
    Case(
        "NotPrincipal excluding this provider",
        policy(
            {
                **{k: v for k, v in statement(PINNED).items() if k != "Principal"},
                "NotPrincipal": {"Federated": PROVIDER},
            }
        ),
        allowed=False,
    ),
    Case(
        "policy variable escape ${*} is a literal asterisk",
        policy(
            statement({"StringLike": {f"{HOST}:sub": "project_path:acme/infra:ref_type:branch:ref:${*}"}})
        ),
        allowed=False,
    ),
    Case(
        "policy variables resolve from the request context",
        policy(statement({"StringEquals": {f"{HOST}:sub": "${gitlab.com:sub}"}})),
    ),
    Case(
        "no Allow statement at all is an implicit deny",
        policy({**DENY_TAGS, "Effect": "Deny"}),
        allowed=False,
        reason="no Allow statement",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_trust_policy_verdicts(case: Case) -> None:
    decision = evaluate_trust_policy(case.policy, claims=case.claims, provider_arn=PROVIDER, issuer_host=HOST)
    assert decision.allowed is case.allowed, decision.reason
    assert case.reason in decision.reason


def test_policy_given_as_json_text_gives_the_same_decision() -> None:
    text = json.dumps(policy(statement(PINNED)))
    decision = evaluate_trust_policy(text, claims=gitlab_claims(), provider_arn=PROVIDER, issuer_host=HOST)
    assert decision.allowed


def test_policy_variables_are_plain_text_in_the_2008_version() -> None:
    literal = {"Version": "2008-10-17", "Statement": [statement({"StringEquals": {f"{HOST}:sub": "${x}"}})]}
    assert (
        evaluate_trust_policy(
            literal, claims=gitlab_claims(ref="x"), provider_arn=PROVIDER, issuer_host=HOST
        ).allowed
        is False
    )
    # ...so a sub that literally contains "${x}" matches
    claims = gitlab_claims()
    claims["sub"] = "${x}"
    assert evaluate_trust_policy(literal, claims=claims, provider_arn=PROVIDER, issuer_host=HOST).allowed


def test_decision_explains_every_condition() -> None:
    decision = evaluate_trust_policy(
        policy(statement(PINNED)), claims=gitlab_claims(ref="dev"), provider_arn=PROVIDER, issuer_host=HOST
    )
    (result,) = decision.statements
    assert result.principal_matched and result.action_matched and not result.applies
    by_key = {c.key: c for c in result.conditions}
    aud, sub = by_key[f"{HOST}:aud"], by_key[f"{HOST}:sub"]
    assert aud.matched and aud.actual == ("sts.amazonaws.com",)
    assert not sub.matched
    assert sub.actual == ("project_path:acme/infra:ref_type:branch:ref:dev",)
    assert sub.expected == (MAIN_SUB,)
    assert sub.operator == "StringEquals"
    assert "ref:dev" in sub.explanation and "false" in sub.explanation


def test_explanations_hint_at_the_usual_mistakes() -> None:
    wildcard = evaluate_trust_policy(
        policy(statement({"StringEquals": {f"{HOST}:sub": "project_path:acme/*"}})),
        claims=gitlab_claims(),
        provider_arn=PROVIDER,
        issuer_host=HOST,
    )
    assert "use StringLike" in wildcard.statements[0].conditions[0].explanation
    case = evaluate_trust_policy(
        policy(statement({"StringEquals": {f"{HOST}:sub": MAIN_SUB.upper()}})),
        claims=gitlab_claims(),
        provider_arn=PROVIDER,
        issuer_host=HOST,
    )
    assert "letter case" in case.statements[0].conditions[0].explanation
    missing = evaluate_trust_policy(
        policy(statement({"StringEquals": {f"{HOST}:project_path": "acme/infra"}})),
        claims=gitlab_claims(),
        provider_arn=PROVIDER,
        issuer_host=HOST,
    )
    assert "not in the request context" in missing.statements[0].conditions[0].explanation


def test_self_managed_issuer_with_a_path() -> None:
    host = "gitlab.example.com/gitlab"
    provider = f"arn:aws:iam::123456789012:oidc-provider/{host}"
    trust = {
        "Statement": {
            "Effect": "Allow",
            "Principal": {"Federated": provider},
            "Action": ACTION,
            "Condition": {"StringEquals": {f"{host}:sub": MAIN_SUB, f"{host}:aud": "sts.amazonaws.com"}},
        }
    }
    claims = gitlab_claims()
    for issuer in (host, f"https://{host}"):
        assert evaluate_trust_policy(trust, claims=claims, provider_arn=provider, issuer_host=issuer).allowed
    # the gitlab.com provider's keys are absent from this provider's request context
    assert not evaluate_trust_policy(
        policy(statement(PINNED, Principal={"Federated": provider})),
        claims=claims,
        provider_arn=provider,
        issuer_host=host,
    ).allowed


def test_claims_to_context_keeps_only_what_iam_exposes() -> None:
    context = claims_to_context(gitlab_claims(aud=["a", "b"], amr=["mfa"]), issuer_host="https://gitlab.com")
    assert context == {
        "gitlab.com:sub": (MAIN_SUB,),
        "gitlab.com:aud": ("a", "b"),
        "gitlab.com:amr": ("mfa",),
    }
