"""Permission policies decided for one request: what a role can do, as IAM decides it.

`evaluate_permissions` runs identity-based policies (or one resource-based policy) through the one
statement evaluator (tfoidc.iam.evaluate): Action/NotAction, Resource/NotResource with ARN wildcards and
policy variables, every condition operator; explicit Deny > Allow > implicit deny. `evaluate_access`
combines a principal's identity policies, an optional permissions boundary and the resource's own
policy the way IAM does within one account and across accounts
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):
within the account an Allow in either grants, unless the resource policy names only the account, across
accounts both must allow; a Deny anywhere wins. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from tfoidc.iam.conditions import lowercase_keys
from tfoidc.iam.document import Statement
from tfoidc.iam.evaluate import (
    Decision,
    PolicyInput,
    PrincipalTest,
    StatementResult,
    decide,
    document_of,
    evaluate_statement,
    failed_conditions,
    first_applying,
)

_ROLE_ARN = re.compile(r"arn:(?P<partition>[\w-]+):(?:iam|sts)::(?P<account>\d{12}):(?P<rest>.+)")


@dataclass(frozen=True)
class Request:
    """One API call: `s3:GetObject` on `arn:aws:s3:::bucket/key`, with its request context."""

    action: str
    resource: str
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)

    def context_values(self) -> dict[str, tuple[str, ...]]:
        return {k: (v,) if isinstance(v, str) else tuple(v) for k, v in self.context.items()}


@dataclass(frozen=True)
class PolicyDecision:
    decision: Decision
    reason: str
    statements: tuple[StatementResult, ...]

    @property
    def allowed(self) -> bool:
        return self.decision == "allow"

    @property
    def denied_explicitly(self) -> bool:
        return self.decision == "explicit-deny"


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    reason: str
    identity: PolicyDecision
    resource: PolicyDecision | None = None
    boundary: PolicyDecision | None = None


def evaluate_permissions(
    policies: Mapping[str, PolicyInput] | Sequence[PolicyInput],
    request: Request,
    *,
    principal: PrincipalTest | None = None,
) -> PolicyDecision:
    """Decide `request` against identity-based policies (named, or numbered in order). For a
    resource-based policy pass `principal` (see `caller_principal`): its statements name who they cover."""
    named = policies.items() if isinstance(policies, Mapping) else enumerate(policies)
    many = len(policies) > 1
    context = lowercase_keys(request.context_values())
    results: list[StatementResult] = []
    for name, policy in named:
        document = document_of(policy)
        results += [
            evaluate_statement(
                statement,
                index,
                action=request.action,
                context=context,
                version=document.version,
                principal=principal,
                resource=request.resource,
                policy=f"policy {name}" if many else "",
            )
            for index, statement in enumerate(document.statements)
        ]
    decision = decide(results)
    return PolicyDecision(decision, _reason(results, request), tuple(results))


def evaluate_access(
    request: Request,
    *,
    caller_arn: str,
    identity_policies: Mapping[str, PolicyInput] | Sequence[PolicyInput],
    resource_policy: PolicyInput | None = None,
    resource_account: str | None = None,
    permissions_boundary: PolicyInput | None = None,
) -> AccessDecision:
    """Whether the role `caller_arn` may make `request`, given its identity policies, an optional
    permissions boundary and the resource's policy. `resource_account` is the account owning the
    resource (default: the caller's). aws:PrincipalArn, aws:PrincipalAccount and aws:SecureTransport
    ("true") are added to the request context unless given."""
    caller_account = account_of(caller_arn)
    context = {
        "aws:PrincipalArn": caller_arn,
        "aws:PrincipalAccount": caller_account,
        "aws:SecureTransport": "true",
        **request.context,
    }
    request = Request(request.action, request.resource, context)
    identity = evaluate_permissions(identity_policies, request)
    boundary = evaluate_permissions([permissions_boundary], request) if permissions_boundary else None
    resource = (
        evaluate_permissions([resource_policy], request, principal=caller_principal(caller_arn))
        if resource_policy is not None
        else None
    )
    decisions = [d for d in (identity, boundary, resource) if d is not None]
    denied = next((d for d in decisions if d.denied_explicitly), None)
    if denied is not None:
        return AccessDecision(False, denied.reason, identity, resource, boundary)
    identity_allows = identity.allowed and (boundary is None or boundary.allowed)
    same_account = resource_account is None or resource_account == caller_account
    resource_allows = resource is not None and resource.allowed
    if same_account:
        allowed = identity_allows or (
            resource_allows
            and resource_policy is not None
            and evaluate_permissions(
                [resource_policy], request, principal=caller_principal(caller_arn, account_grants=False)
            ).allowed
        )
    else:
        allowed = identity_allows and resource_allows
    return AccessDecision(
        allowed,
        _access_reason(allowed, same_account, identity, boundary, resource),
        identity,
        resource,
        boundary,
    )


def account_of(arn: str) -> str:
    match = _ROLE_ARN.fullmatch(arn)
    if match is None:
        raise ValueError(f"not an IAM or STS principal ARN: {arn!r}")
    return match["account"]


def caller_principal(caller_arn: str, *, account_grants: bool = True) -> PrincipalTest:
    """The Principal test of a resource-based policy for the role `caller_arn`: "*", its account (id or
    :root ARN) or the role's ARN (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
    `account_grants=False`: only "*" and the role itself count (naming the account delegates to IAM)."""
    account = account_of(caller_arn)
    partition = caller_arn.split(":", 2)[1]
    covering = {"*", caller_arn} | (
        {account, f"arn:{partition}:iam::{account}:root"} if account_grants else set()
    )

    def names(principals: Mapping[str, tuple[str, ...]]) -> str | None:
        if "*" in principals:
            return "*"
        return next((name for name in principals.get("AWS", ()) if name in covering), None)

    def test(statement: Statement) -> tuple[bool, str]:
        if statement.principals:
            hit = names(statement.principals)
            if hit:
                return True, f"Principal {hit!r} covers {caller_arn}"
            return False, f"Principal {dict(statement.principals)} does not cover {caller_arn}"
        if statement.not_principals:
            hit = names(statement.not_principals)
            if hit:
                return False, f"NotPrincipal {hit!r} excludes {caller_arn}"
            return True, f"NotPrincipal does not exclude {caller_arn}"
        return False, "a resource-based policy statement needs a Principal"

    return test


def _reason(results: Sequence[StatementResult], request: Request) -> str:
    deny = first_applying(results, "Deny")
    if deny:
        return f"explicitly denied by Deny statement {deny.label}"
    allow = first_applying(results, "Allow")
    if allow:
        return f"allowed by statement {allow.label}"
    near = [r for r in results if r.effect == "Allow" and r.action_matched and r.resource_matched]
    if near:
        failures = "; ".join(f"statement {r.label}: {failed_conditions(r)} did not match" for r in near)
        return f"implicitly denied: {failures}"
    return f"implicitly denied: no Allow statement covers {request.action} on {request.resource}"


def _access_reason(
    allowed: bool,
    same_account: bool,
    identity: PolicyDecision,
    boundary: PolicyDecision | None,
    resource: PolicyDecision | None,
) -> str:
    if allowed:
        parts = [f"identity policies: {identity.reason}"]
        if resource is not None and resource.allowed:
            parts.append(f"resource policy: {resource.reason}")
        return "; ".join(parts)
    if boundary is not None and identity.allowed and not boundary.allowed:
        return f"the permissions boundary does not allow it ({boundary.reason})"
    if not same_account:
        if resource is None:
            return "cross-account request and the resource has no policy that allows it"
        if not resource.allowed:
            return f"cross-account request and the resource policy does not allow it ({resource.reason})"
    return f"identity policies: {identity.reason}" + (
        f"; resource policy: {resource.reason}" if resource is not None else ""
    )
