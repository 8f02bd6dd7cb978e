"""Role trust policies for OIDC web identity: evaluated as IAM would, and audited for over-broad trust.

moto does not enforce trust policies, so `tfoidc doctor` and the IAM guardrails rely on this evaluator.
IAM's order: an explicit Deny that applies wins; otherwise the request is allowed only if some Allow
statement applies; otherwise it is implicitly denied. A statement applies when its principal, its action
and every one of its conditions match. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tfoidc.iam.conditions import (
    ConditionResult,
    Context,
    evaluate_condition,
    is_negated,
    lowercase_keys,
)
from tfoidc.iam.document import (
    Condition,
    PolicyDocument,
    Statement,
    action_matches,
    has_wildcard,
    parse_policy_document,
)

__all__ = [
    "WEB_IDENTITY_ACTION",
    "ConditionResult",
    "StatementResult",
    "TrustDecision",
    "TrustWarning",
    "audit_trust_policy",
    "claims_to_context",
    "evaluate_trust_policy",
    "issuer_host_of",
    "oidc_provider_host",
]

WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"

# The claims IAM copies into the request context for an OIDC provider as "<provider>:<claim>".
# Any other claim (project_path, ref, environment...) is NOT a condition key IAM knows.
IAM_OIDC_CLAIM_KEYS = ("sub", "aud", "amr")

_OIDC_PROVIDER_ARN = re.compile(r"arn:[\w-]+:iam::\d{12}:oidc-provider/(?P<host>.+)")
_GITLAB_SUB_PREFIX = "project_path:"
_REF_TYPE_MARKER = ":ref_type:"

PolicyInput = str | Mapping[str, Any] | PolicyDocument


@dataclass(frozen=True)
class StatementResult:
    sid: str | None
    effect: str
    principal_matched: bool
    action_matched: bool
    conditions: tuple[ConditionResult, ...]
    applies: bool  # principal, action and every condition matched
    index: int = 0  # position in the policy, to name statements without a Sid
    principal_explanation: str = ""
    action_explanation: str = ""

    @property
    def label(self) -> str:
        return f"{self.index} ({self.sid})" if self.sid else str(self.index)


@dataclass(frozen=True)
class TrustDecision:
    allowed: bool
    reason: str
    statements: tuple[StatementResult, ...]


@dataclass(frozen=True)
class TrustWarning:
    code: str
    message: str
    sid: str | None
    statement_index: int | None = None


def issuer_host_of(issuer: str) -> str:
    """The provider's name in condition keys: the issuer URL without its scheme ("gitlab.com")."""
    return re.sub(r"^https?://", "", issuer.strip(), flags=re.IGNORECASE)


def oidc_provider_host(provider_arn: str) -> str | None:
    """'arn:aws:iam::123456789012:oidc-provider/gitlab.com' -> 'gitlab.com'; None for other principals."""
    match = _OIDC_PROVIDER_ARN.fullmatch(provider_arn)
    return match["host"] if match else None


def claims_to_context(claims: Mapping[str, Any], *, issuer_host: str) -> dict[str, tuple[str, ...]]:
    """The condition keys IAM puts in the request context of an AssumeRoleWithWebIdentity with `claims`."""
    host = issuer_host_of(issuer_host)
    context: dict[str, tuple[str, ...]] = {}
    for claim in IAM_OIDC_CLAIM_KEYS:
        values = _claim_values(claims.get(claim))
        if values:
            context[f"{host}:{claim}"] = values
    return context


def evaluate_trust_policy(
    policy: PolicyInput,
    *,
    claims: Mapping[str, Any],
    provider_arn: str,
    issuer_host: str,
    action: str = WEB_IDENTITY_ACTION,
) -> TrustDecision:
    """Decide, as IAM would, whether a token with `claims` from `provider_arn` may perform `action`."""
    document = _document(policy)
    context = lowercase_keys(claims_to_context(claims, issuer_host=issuer_host))
    results = tuple(
        _evaluate_statement(statement, index, context, provider_arn, action, document.version)
        for index, statement in enumerate(document.statements)
    )
    return TrustDecision(
        allowed=_allowed(results), reason=_reason(results, provider_arn, action), statements=results
    )


def audit_trust_policy(policy: PolicyInput, *, issuer_host: str | None = None) -> list[TrustWarning]:
    """Warnings for trust a project other than the intended one could satisfy (see docs/trust-policy.md)."""
    document = _document(policy)
    warnings: list[TrustWarning] = []
    for index, statement in enumerate(document.statements):
        warnings.extend(_wildcard_under_string_equals(statement, index))
        if statement.effect != "Allow":
            continue
        if _allows_any_principal(statement):
            warnings.append(_principal_any(statement, index))
        if _allows_web_identity(statement):
            hosts = _audited_hosts(statement, issuer_host)
            warnings.extend(_audit_web_identity(statement, index, hosts))
    return warnings


# --- evaluation -------------------------------------------------------------------------------------


def _document(policy: PolicyInput) -> PolicyDocument:
    return policy if isinstance(policy, PolicyDocument) else parse_policy_document(policy)


def _claim_values(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    return tuple(_claim_text(item) for item in items if item is not None)


def _claim_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _evaluate_statement(
    statement: Statement, index: int, context: Context, provider_arn: str, action: str, version: str | None
) -> StatementResult:
    principal_matched, principal_why = _principal_matches(statement, provider_arn)
    action_matched, action_why = _action_matches(statement, action)
    conditions = tuple(evaluate_condition(c, context, version=version) for c in statement.conditions)
    return StatementResult(
        sid=statement.sid,
        effect=statement.effect,
        principal_matched=principal_matched,
        action_matched=action_matched,
        conditions=conditions,
        applies=principal_matched and action_matched and all(c.matched for c in conditions),
        index=index,
        principal_explanation=principal_why,
        action_explanation=action_why,
    )


def _names_principal(principals: Mapping[str, tuple[str, ...]], provider_arn: str) -> bool:
    if "*" in principals or "*" in principals.get("AWS", ()):
        return True  # "Principal": "*" and {"AWS": "*"} both mean everyone, federated users included
    return any(name in ("*", provider_arn) for name in principals.get("Federated", ()))


def _principal_matches(statement: Statement, provider_arn: str) -> tuple[bool, str]:
    if statement.principals:
        if _names_principal(statement.principals, provider_arn):
            return True, f"Principal covers {provider_arn}"
        federated = list(statement.principals.get("Federated", ()))
        return False, f"Principal names {federated or dict(statement.principals)}, not {provider_arn}"
    if statement.not_principals:
        if _names_principal(statement.not_principals, provider_arn):
            return False, f"NotPrincipal excludes {provider_arn}"
        return True, f"NotPrincipal does not exclude {provider_arn}"
    return False, "statement has no Principal, which a role trust policy requires"


def _action_matches(statement: Statement, action: str) -> tuple[bool, str]:
    if statement.actions:
        hit = next((p for p in statement.actions if action_matches(p, action)), None)
        if hit:
            return True, f"Action {hit!r} covers {action}"
        return False, f"Action {list(statement.actions)} does not cover {action}"
    hit = next((p for p in statement.not_actions if action_matches(p, action)), None)
    if hit:
        return False, f"NotAction {hit!r} excludes {action}"
    return True, f"NotAction {list(statement.not_actions)} does not exclude {action}"


def _allowed(results: Iterable[StatementResult]) -> bool:
    applying = [r for r in results if r.applies]
    return not any(r.effect == "Deny" for r in applying) and any(r.effect == "Allow" for r in applying)


def _reason(results: tuple[StatementResult, ...], provider_arn: str, action: str) -> str:
    deny = next((r for r in results if r.applies and r.effect == "Deny"), None)
    if deny:
        return f"explicitly denied by Deny statement {deny.label}"
    allow = next((r for r in results if r.applies and r.effect == "Allow"), None)
    if allow:
        return f"allowed by statement {allow.label}"
    allows = [r for r in results if r.effect == "Allow"]
    if not allows:
        return "implicitly denied: the policy has no Allow statement"
    candidates = [r for r in allows if r.principal_matched and r.action_matched]
    if not candidates:
        if not any(r.principal_matched for r in allows):
            return f"implicitly denied: no Allow statement trusts {provider_arn}"
        return f"implicitly denied: no Allow statement for {provider_arn} grants {action}"
    failures = "; ".join(
        f"statement {r.label}: " + ", ".join(c.key for c in r.conditions if not c.matched) + " did not match"
        for r in candidates
    )
    return f"implicitly denied: {failures}"


# --- audit ------------------------------------------------------------------------------------------


def _allows_any_principal(statement: Statement) -> bool:
    if statement.not_principals:
        return True  # "everyone except ..."
    return "*" in statement.principals or "*" in statement.principals.get("AWS", ())


def _allows_web_identity(statement: Statement) -> bool:
    federated = statement.principals.get("Federated", ())
    if not any(oidc_provider_host(name) for name in federated) and not _allows_any_principal(statement):
        return False
    return _action_matches(statement, WEB_IDENTITY_ACTION)[0]


def _audited_hosts(statement: Statement, issuer_host: str | None) -> set[str]:
    hosts = {
        host.lower()
        for name in statement.principals.get("Federated", ())
        if (host := oidc_provider_host(name)) is not None
    }
    if issuer_host is not None:
        issuer = issuer_host_of(issuer_host).lower()
        # A statement that trusts only other providers is audited for those, not for this issuer's keys
        # (it has none, and flagging "no sub" on it would be a false alarm).
        if issuer in hosts or not hosts or _allows_any_principal(statement):
            return {issuer}
    for condition in statement.conditions:
        host, _, claim = condition.key.rpartition(":")
        if host and claim.lower() in ("sub", "aud"):
            hosts.add(host.lower())
    return hosts


def _claim_conditions(statement: Statement, hosts: set[str], claim: str) -> list[Condition]:
    wanted = {f"{host}:{claim}" for host in hosts}
    return [c for c in statement.conditions if c.key.lower() in wanted]


def _restricts(condition: Condition) -> bool:
    """A condition that can only be met by particular values (not a negation, not a Null check)."""
    return not is_negated(condition.operator) and condition.operator != "Null"


def _warning(code: str, message: str, statement: Statement, index: int) -> TrustWarning:
    return TrustWarning(code=code, message=message, sid=statement.sid, statement_index=index)


def _label(statement: Statement, index: int) -> str:
    return f"statement {index} ({statement.sid})" if statement.sid else f"statement {index}"


def _principal_any(statement: Statement, index: int) -> TrustWarning:
    return _warning(
        "principal-any",
        f'{_label(statement, index)} allows Principal "*": anyone, in any account or identity provider, '
        "can assume the role unless a condition stops them",
        statement,
        index,
    )


def _audit_web_identity(statement: Statement, index: int, hosts: set[str]) -> list[TrustWarning]:
    where = _label(statement, index)
    warnings: list[TrustWarning] = []
    subs = [c for c in _claim_conditions(statement, hosts, "sub") if _restricts(c)]
    if not subs:
        warnings.append(
            _warning(
                "no-sub",
                f"{where} trusts web identities without a positive condition on "
                f"{_keys(hosts, 'sub')}: any project on the issuer can assume the role",
                statement,
                index,
            )
        )
    for condition in subs:
        if condition.operator == "StringLike":
            warnings.extend(_audit_sub_patterns(condition, statement, index))
    auds = [c for c in _claim_conditions(statement, hosts, "aud") if _restricts(c)]
    if not auds:
        warnings.append(
            _warning(
                "no-aud",
                f"{where} has no condition on {_keys(hosts, 'aud')}: tokens minted for any audience the "
                "provider lists are accepted; pin the audience (e.g. sts.amazonaws.com)",
                statement,
                index,
            )
        )
    warnings.extend(_audit_for_all_values(statement, index))
    return warnings


def _keys(hosts: set[str], claim: str) -> str:
    return " / ".join(sorted(f"{host}:{claim}" for host in hosts)) or f"<provider>:{claim}"


def _audit_sub_patterns(condition: Condition, statement: Statement, index: int) -> list[TrustWarning]:
    where = _label(statement, index)
    warnings: list[TrustWarning] = []
    for pattern in condition.values:
        scope = gitlab_sub_scope(pattern)
        if scope == "any-project":
            warnings.append(
                _warning(
                    "sub-any-project",
                    f"{where}: {condition.key} {condition.full_operator} {pattern!r} is satisfied by any "
                    "project on the issuer (the namespace part is a wildcard)",
                    statement,
                    index,
                )
            )
        elif scope == "group-wide":
            warnings.append(
                _warning(
                    "sub-group-wide",
                    f"{where}: {condition.key} {condition.full_operator} {pattern!r} is satisfied by every "
                    "matching project in the group, not one project",
                    statement,
                    index,
                )
            )
        if scope != "any-project" and gitlab_sub_any_ref(pattern):
            warnings.append(
                _warning(
                    "sub-any-ref",
                    f"{where}: {condition.key} {condition.full_operator} {pattern!r} leaves the ref "
                    "open: branches or tags that are not protected (anyone with Developer access can push "
                    "them) satisfy it; pin ref_type and ref (e.g. ref_type:branch:ref:main)",
                    statement,
                    index,
                )
            )
    return warnings


def gitlab_sub_scope(pattern: str) -> str | None:
    """Classify a StringLike pattern for GitLab's `project_path:{group}/{project}:ref_type:{t}:ref:{r}`.

    "any-project": the top-level namespace is a wildcard (or the pattern does not pin `project_path:`);
    "group-wide": the namespace is literal but the rest of the project path has a wildcard;
    None: one project, or not a GitLab-shaped pattern.
    """
    if not pattern.startswith(_GITLAB_SUB_PREFIX):
        prefix = re.split(r"[*?]", pattern, maxsplit=1)[0]
        could_be_gitlab = has_wildcard(pattern) and _GITLAB_SUB_PREFIX.startswith(prefix)
        return "any-project" if could_be_gitlab else None
    path = _sub_project_path(pattern)
    namespace, slash, rest = path.partition("/")
    if has_wildcard(namespace) or not slash:
        return "any-project" if has_wildcard(namespace) else None
    return "group-wide" if has_wildcard(rest) else None


def gitlab_sub_any_ref(pattern: str) -> bool:
    """Whether a `project_path:...` StringLike pattern leaves the ref type or ref open."""
    if not pattern.startswith(_GITLAB_SUB_PREFIX):
        return False
    path_and_ref = pattern[len(_GITLAB_SUB_PREFIX) :]
    marker = path_and_ref.find(_REF_TYPE_MARKER)
    if marker < 0:
        # no ref part written: a trailing wildcard in the path swallows the whole ref part
        return path_and_ref.endswith("*")
    return has_wildcard(path_and_ref[marker + len(_REF_TYPE_MARKER) :])


def _sub_project_path(pattern: str) -> str:
    path_and_ref = pattern[len(_GITLAB_SUB_PREFIX) :]
    marker = path_and_ref.find(_REF_TYPE_MARKER)
    if marker >= 0:
        return path_and_ref[:marker]
    # "project_path:group/project:*": the path ends at the first colon
    return path_and_ref.split(":", 1)[0]


def _audit_for_all_values(statement: Statement, index: int) -> list[TrustWarning]:
    guarded = {c.key.lower() for c in statement.conditions if c.operator == "Null" and c.values == ("false",)}
    return [
        _warning(
            "forallvalues-allow",
            f"{_label(statement, index)}: {condition.full_operator} on {condition.key} in an Allow is true "
            f'when the key is absent or empty; add "Null": {{"{condition.key}": "false"}} or use ForAnyValue',
            statement,
            index,
        )
        for condition in statement.conditions
        if condition.set_qualifier == "ForAllValues" and condition.key.lower() not in guarded
    ]


def _wildcard_under_string_equals(statement: Statement, index: int) -> list[TrustWarning]:
    literal_operators = (
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
    )
    return [
        _warning(
            "wildcard-under-stringequals",
            f"{_label(statement, index)}: {condition.full_operator} {condition.key} {value!r} compares "
            f"literally, so '*'/'?' never act as wildcards and this value never matches a real token; "
            f"use {condition.operator.replace('Equals', 'Like').replace('IgnoreCase', '')}",
            statement,
            index,
        )
        for condition in statement.conditions
        if condition.operator in literal_operators
        for value in condition.values
        if has_wildcard(value)
    ]
