"""The trust-policy table (trust_cases.py) through every consumer of the one evaluator.

- the evaluator decides every row as IAM does;
- `tfoidc doctor`'s pure diagnosis gives the same verdict, and explains it statement by statement;
- the OIDC trust guardrail (TFO-IAM-003), run on a plan holding each policy, agrees with IAM in both
  directions: when IAM lets in a token the role should not accept (another project, an unprotected ref,
  another audience), the guardrail reports it with its usual code and severity; and every breadth
  finding it reports comes with a token that doctor confirms IAM would accept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest

from tests.iam.trust_cases import (
    ACCOUNT,
    HOST,
    OTHER_HOST,
    OTHER_PROVIDER,
    POLICIES,
    PROVIDER,
    ROWS,
    PolicyCase,
    Row,
)
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.registry import Hit, RuleContext
from tfoidc.guardrails.rules import load_all
from tfoidc.guardrails.rules.iam import BLOCKING_TRUST_CODES
from tfoidc.iam.audit import audit_trust_policy
from tfoidc.iam.trust import evaluate_trust_policy, issuer_host_of
from tfoidc.identity.doctor import RoleTrust, diagnose
from tfoidc.plan.model import Plan
from tfoidc.plan.parse import parse_plan

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/gitlab/deploy"
AUDIENCES = tuple(
    sorted(
        {
            a
            for row in ROWS
            for a in ([row.claims["aud"]] if isinstance(row.claims["aud"], str) else row.claims["aud"])
        }
    )
)
# Which guardrail codes report a token of each kind getting in (a broader code covers a narrower case).
COVERING_CODES: dict[str, set[str]] = {
    "other-project": {"no-sub", "sub-any-project"},
    "fork-mr": {"no-sub", "sub-any-project"},
    "group-project": {"no-sub", "sub-any-project", "sub-group-wide"},
    "feature-branch": {"no-sub", "sub-any-project", "sub-any-ref"},
    "tag-named-main": {"no-sub", "sub-any-project", "sub-any-ref"},
    "case-variant": {"no-sub", "sub-any-project", "sub-any-ref"},
    "other-audience": {"no-aud"},
}
BREADTH_CODES = {"no-sub", "sub-any-project", "sub-group-wide", "sub-any-ref", "no-aud"}


def provider_of(claims: dict[str, Any]) -> tuple[str, str]:
    host = issuer_host_of(claims["iss"])
    return host, PROVIDER if host == HOST else OTHER_PROVIDER


def role_trust(policy: dict[str, Any]) -> RoleTrust:
    return RoleTrust(
        role_arn=ROLE_ARN,
        policy=policy,
        oidc_provider_arns=(PROVIDER, OTHER_PROVIDER),
        provider_audiences={PROVIDER: AUDIENCES, OTHER_PROVIDER: AUDIENCES},
    )


def test_the_table_is_large_and_every_row_cites_the_rule_it_follows() -> None:
    assert len(ROWS) >= 60
    assert len({row.id for row in ROWS}) == len(ROWS)
    for row in ROWS:
        assert row.rules, row.id
        assert all(rule.url.startswith("https://docs.") and rule.rule for rule in row.rules), row.id
    kinds = {row.who for row in ROWS}
    assert kinds >= set(COVERING_CODES) | {"intended"}
    assert {True, False} <= {row.allowed for row in ROWS if row.who != "intended"}


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_the_evaluator_decides_as_iam(row: Row) -> None:
    host, provider = provider_of(row.claims)
    decision = evaluate_trust_policy(row.policy, claims=row.claims, provider_arn=provider, issuer_host=host)
    assert decision.allowed is row.allowed, f"{decision.reason} — IAM: {[r.rule for r in row.rules]}"
    assert row.reason in decision.reason


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_doctor_gives_iams_verdict_and_explains_every_condition(row: Row) -> None:
    diagnosis = diagnose(role_trust(row.policy), row.claims)
    assert diagnosis.provider_registered and diagnosis.audience_registered
    assert diagnosis.allowed is row.allowed, diagnosis.reason
    assert diagnosis.reason == diagnosis.decision.reason and row.reason in diagnosis.reason
    statements = diagnosis.decision.statements
    assert len(statements) == len(row.policy["Statement"])
    for result in statements:
        assert result.principal_explanation and result.action_explanation
        assert all(c.explanation for c in result.conditions)
    deciding = [r for r in statements if r.applies]
    if row.allowed:
        assert any(r.effect == "Allow" for r in deciding) and not any(r.effect == "Deny" for r in deciding)
    else:
        assert "denied" in diagnosis.reason


def plan_with(policies: Iterable[PolicyCase]) -> Plan:
    changes = [
        {
            "address": f"aws_iam_role.r{index}",
            "mode": "managed",
            "type": "aws_iam_role",
            "name": f"r{index}",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["create"],
                "before": None,
                "after": {"name": f"r{index}", "assume_role_policy": json.dumps(case.policy)},
                "after_unknown": {"arn": True},
            },
        }
        for index, case in enumerate(policies)
    ]
    doc = {"format_version": "1.2", "terraform_version": "1.9.8", "resource_changes": changes}
    return parse_plan(json.dumps(doc).encode(), source="trust-table.json")


def guardrail_hits(plan: Plan) -> list[Hit]:
    rule = load_all()["TFO-IAM-003"]
    context = RuleContext(plan, None, params={"issuer_host": HOST})  # type: ignore[arg-type]  # unused graph
    return list(rule.check(context))


@pytest.fixture(scope="module")
def findings() -> dict[str, dict[str, Severity]]:
    """Per policy case: the TFO-IAM-003 codes reported for its role, with their severities."""
    hits = guardrail_hits(plan_with(POLICIES))
    found: dict[str, dict[str, Severity]] = {case.name: {} for case in POLICIES}
    for hit in hits:
        case = POLICIES[int(hit.address.removeprefix("aws_iam_role.r"))]
        code = hit.message.rsplit("[", 1)[-1].rstrip("]")
        assert hit.severity is not None
        found[case.name][code] = hit.severity
    return found


@pytest.mark.parametrize("case", POLICIES, ids=[case.name for case in POLICIES])
def test_the_guardrail_reports_every_token_iam_lets_in_that_the_role_should_refuse(
    case: PolicyCase, findings: dict[str, dict[str, Severity]]
) -> None:
    codes = findings[case.name]
    for row in (r for r in ROWS if r.policy_name == case.name and r.allowed and r.who != "intended"):
        assert codes.keys() & COVERING_CODES[row.who], (
            f"IAM lets in {row.token} ({row.who}) but TFO-IAM-003 reports {sorted(codes)}"
        )
    for code, severity in codes.items():
        expected = Severity.BLOCK if code in BLOCKING_TRUST_CODES else Severity.WARN
        assert severity is expected, code


@pytest.mark.parametrize("case", POLICIES, ids=[case.name for case in POLICIES])
def test_every_breadth_finding_is_a_token_doctor_says_iam_accepts(
    case: PolicyCase, findings: dict[str, dict[str, Severity]]
) -> None:
    warnings = [w for w in audit_trust_policy(case.policy, issuer_host=HOST) if w.code in BREADTH_CODES]
    assert {w.code for w in warnings} == findings[case.name].keys() & BREADTH_CODES
    for warning in warnings:
        assert warning.witness is not None and warning.witness.confirmed, warning
        token = warning.witness.claims
        assert token["sub"] in warning.message or token["aud"] in warning.message
        assert diagnose(role_trust(case.policy), token).decision.allowed, (warning.code, token)


def test_a_policy_the_guardrail_passes_lets_in_no_token_the_role_should_refuse(
    findings: dict[str, dict[str, Severity]],
) -> None:
    quiet = [case for case in POLICIES if not findings[case.name].keys() & BREADTH_CODES]
    assert len(quiet) >= 10
    for case in quiet:
        intruders = [
            r.token for r in ROWS if r.policy_name == case.name and r.allowed and r.who != "intended"
        ]
        assert intruders == [], case.name


def test_the_same_policy_is_judged_alike_for_another_issuer_host() -> None:
    """A role trusting only gitlab.com is judged for gitlab.com's tokens, whatever issuer is configured."""
    case = next(c for c in POLICIES if c.name == "another provider only")
    assert guardrail_hits(plan_with([case])) == []
    assert OTHER_HOST in json.dumps(case.policy)
