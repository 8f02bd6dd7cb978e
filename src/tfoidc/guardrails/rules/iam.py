"""IAM: administrator-style grants, roles anyone can assume, and OIDC trust open to other projects.

Policy documents are read wherever the plan carries them (JSON strings, `jsonencode(...)` results,
`aws_iam_policy_document` data sources) and parsed by the same parser `tfoidc doctor` uses; OIDC trust
is judged by `tfoidc.iam.audit.audit_trust_policy`, so the guardrail and `doctor` never disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import Field

from tfoidc.guardrails.documents import (
    PolicySource,
    allows_anyone,
    parsed,
    policy_sources,
    restricted_by_condition,
)
from tfoidc.guardrails.model import Severity
from tfoidc.guardrails.registry import Hit, RuleContext, rule
from tfoidc.iam.audit import audit_trust_policy
from tfoidc.iam.document import PolicyDocument, Statement, action_matches
from tfoidc.iam.evaluate import action_covered
from tfoidc.iam.trust import WEB_IDENTITY_ACTION
from tfoidc.plan.model import Plan

ASSUME_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
# Audit findings that block by default; the others are weaknesses worth a warning.
BLOCKING_TRUST_CODES = frozenset({"no-sub", "sub-any-project", "forallvalues-allow"})


def trust_documents(plan: Plan) -> Iterator[tuple[PolicySource, PolicyDocument]]:
    """Role trust policies, and policy-document data sources that are written as trust policies."""
    for source in policy_sources(plan, ("aws_iam_role",)):
        role_trust = source.attribute == "assume_role_policy"
        if not (role_trust or source.is_data):
            continue
        document = parsed(source)
        if document is not None and (role_trust or any(_is_trust_statement(s) for s in document.statements)):
            yield source, document


def _is_trust_statement(statement: Statement) -> bool:
    return statement.has_principal_element and any(
        action_matches(pattern, action) for pattern in statement.actions for action in ASSUME_ACTIONS
    )


def _where(source: PolicySource, index: int, statement: Statement) -> str:
    sid = f" ({statement.sid})" if statement.sid else ""
    return f"statement {index}{sid}"


@rule(
    "TFO-IAM-002",
    title="IAM role can be assumed by anyone",
    severity=Severity.BLOCK,
    rationale='A trust policy that allows Principal "*" (or everyone but a NotPrincipal) with no condition '
    "on the caller's account or organisation lets any AWS account or identity take the role.",
    fix="Name the trusted principals (account ARNs, services, the OIDC provider) and add conditions such "
    "as aws:PrincipalOrgID or sts:ExternalId where a third party assumes the role.",
    references=("CKV_AWS_60", "CKV_AWS_61"),
)
def role_assumable_by_anyone(ctx: RuleContext) -> Iterator[Hit]:
    for source, document in trust_documents(ctx.plan):
        for index, statement in enumerate(document.statements):
            if (
                _is_trust_statement(statement)
                and allows_anyone(statement)
                and not restricted_by_condition(statement)
            ):
                yield Hit(
                    source.address,
                    f'{_where(source, index, statement)} lets Principal "*" assume the role',
                    f"{source.attribute}.Statement[{index}]",
                )


@rule(
    "TFO-IAM-003",
    title="OIDC trust policy lets other projects, refs or audiences assume the role",
    severity=Severity.BLOCK,
    rationale="A web-identity trust without a pinned `sub` (or with `project_path:*`, a group-wide or "
    "any-ref wildcard, no `aud`, or ForAllValues in an Allow) lets CI jobs of other projects or "
    "unprotected branches on the same issuer obtain the role's credentials.",
    fix="Condition the statement with StringEquals/StringLike on <issuer>:sub = "
    "project_path:<group>/<project>:ref_type:branch:ref:<protected branch> and <issuer>:aud = the audience "
    "your ID token requests.",
    references=("CKV_AWS_358",),
    params={"issuer_host": Annotated[str, Field(min_length=1)]},
)
def oidc_trust(ctx: RuleContext) -> Iterator[Hit]:
    issuer_host = ctx.params.get("issuer_host")
    for source, document in trust_documents(ctx.plan):
        if not any(action_covered(s, WEB_IDENTITY_ACTION)[0] for s in document.statements):
            continue  # NotAction counts too: IAM applies it to every action it does not name
        for warning in audit_trust_policy(document, issuer_host=issuer_host):
            if warning.code == "principal-any":
                continue  # TFO-IAM-002's finding
            index = warning.statement_index
            attribute = source.attribute if index is None else f"{source.attribute}.Statement[{index}]"
            yield Hit(
                source.address,
                f"{warning.message} [{warning.code}]",
                attribute,
                severity=Severity.BLOCK if warning.code in BLOCKING_TRUST_CODES else Severity.WARN,
            )
