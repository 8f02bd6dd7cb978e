"""The one evaluator of IAM's policy logic: a statement against a request, and the decision over many.

A statement applies when its principal (where the policy kind has one), its action, its resource (where
the policy kind has one) and every one of its conditions match. Over all applying statements, IAM
decides: an explicit Deny wins; otherwise an Allow allows; otherwise the request is implicitly denied
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
Trust policies (tfoidc.iam.trust) and permission policies (tfoidc.iam.permissions) are both decided here.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tfoidc.iam.conditions import (
    ConditionResult,
    Context,
    arn_matches,
    evaluate_condition,
    resolve_segments,
)
from tfoidc.iam.document import PolicyDocument, Statement, action_matches, parse_policy_document

PolicyInput = str | Mapping[str, Any] | PolicyDocument
Decision = Literal["allow", "explicit-deny", "implicit-deny"]
# (matched, why) for a statement's Principal / NotPrincipal; None where the policy kind has no principal
PrincipalTest = Callable[[Statement], tuple[bool, str]]


@dataclass(frozen=True)
class StatementResult:
    sid: str | None
    effect: str
    principal_matched: bool
    action_matched: bool
    conditions: tuple[ConditionResult, ...]
    applies: bool  # principal, action, resource and every condition matched
    index: int = 0  # position in the policy, to name statements without a Sid
    principal_explanation: str = ""
    action_explanation: str = ""
    resource_matched: bool = True
    resource_explanation: str = ""
    policy: str = ""  # which policy of several the statement belongs to ("" when there is one)

    @property
    def label(self) -> str:
        own = f"{self.index} ({self.sid})" if self.sid else str(self.index)
        return f"{own} of {self.policy}" if self.policy else own


def document_of(policy: PolicyInput) -> PolicyDocument:
    return policy if isinstance(policy, PolicyDocument) else parse_policy_document(policy)


def evaluate_statement(
    statement: Statement,
    index: int,
    *,
    action: str,
    context: Context,
    version: str | None,
    principal: PrincipalTest | None = None,
    resource: str | None = None,
    policy: str = "",
) -> StatementResult:
    """`context` must have lower-case keys (tfoidc.iam.conditions.lowercase_keys)."""
    principal_matched, principal_why = principal(statement) if principal else (True, "")
    action_matched, action_why = action_covered(statement, action)
    resource_matched, resource_why = (
        resource_covered(statement, resource, context, version) if resource is not None else (True, "")
    )
    conditions = tuple(evaluate_condition(c, context, version=version) for c in statement.conditions)
    return StatementResult(
        sid=statement.sid,
        effect=statement.effect,
        principal_matched=principal_matched,
        action_matched=action_matched,
        conditions=conditions,
        applies=principal_matched
        and action_matched
        and resource_matched
        and all(c.matched for c in conditions),
        index=index,
        principal_explanation=principal_why,
        action_explanation=action_why,
        resource_matched=resource_matched,
        resource_explanation=resource_why,
        policy=policy,
    )


def action_covered(statement: Statement, action: str) -> tuple[bool, str]:
    """Action / NotAction: wildcards, case-insensitive
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html)."""
    if statement.actions:
        hit = next((p for p in statement.actions if action_matches(p, action)), None)
        if hit:
            return True, f"Action {hit!r} covers {action}"
        return False, f"Action {list(statement.actions)} does not cover {action}"
    hit = next((p for p in statement.not_actions if action_matches(p, action)), None)
    if hit:
        return False, f"NotAction {hit!r} excludes {action}"
    return True, f"NotAction {list(statement.not_actions)} does not exclude {action}"


def resource_covered(
    statement: Statement, resource: str, context: Context, version: str | None
) -> tuple[bool, str]:
    """Resource / NotResource: ARN wildcards per colon-separated part, policy variables resolved
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html)."""
    if statement.resources:
        hit = next((p for p in statement.resources if resource_matches(p, resource, context, version)), None)
        if hit:
            return True, f"Resource {hit!r} covers {resource}"
        return False, f"Resource {list(statement.resources)} does not cover {resource}"
    if statement.not_resources:
        hit = next(
            (p for p in statement.not_resources if resource_matches(p, resource, context, version)), None
        )
        if hit:
            return False, f"NotResource {hit!r} excludes {resource}"
        return True, f"NotResource {list(statement.not_resources)} does not exclude {resource}"
    return False, "statement has neither Resource nor NotResource"


def resource_matches(pattern: str, resource: str, context: Context, version: str | None) -> bool:
    if pattern == "*":
        return True
    segments = resolve_segments(pattern, context, version=version)
    # a policy variable without a value matches nothing (reference_policies_variables.html#policy-vars-no-value)
    return segments is not None and arn_matches(segments, resource)


def decide(results: Iterable[StatementResult]) -> Decision:
    applying = [r for r in results if r.applies]
    if any(r.effect == "Deny" for r in applying):
        return "explicit-deny"
    if any(r.effect == "Allow" for r in applying):
        return "allow"
    return "implicit-deny"


def first_applying(results: Sequence[StatementResult], effect: str) -> StatementResult | None:
    return next((r for r in results if r.applies and r.effect == effect), None)


def failed_conditions(result: StatementResult) -> str:
    return ", ".join(c.key for c in result.conditions if not c.matched)
