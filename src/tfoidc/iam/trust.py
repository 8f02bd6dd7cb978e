"""Role trust policies for OIDC web identity, decided as IAM decides them for a token's claims.

moto does not enforce trust policies, so `tfoidc doctor`, the OIDC trust guardrail and the audits rely
on this evaluator (through tfoidc.iam.evaluate, the one statement evaluator). What IAM puts in the
request context of `sts:AssumeRoleWithWebIdentity` for an OIDC provider: `<provider>:sub`, `:aud` and
`:amr`, where <provider> is the provider URL without its scheme
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif).
Every other claim, and every key of another provider, is absent from that context. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tfoidc.iam.conditions import lowercase_keys
from tfoidc.iam.document import Statement
from tfoidc.iam.evaluate import (
    PolicyInput,
    StatementResult,
    decide,
    document_of,
    evaluate_statement,
    failed_conditions,
    first_applying,
)

__all__ = [
    "IAM_OIDC_CLAIM_KEYS",
    "WEB_IDENTITY_ACTION",
    "StatementResult",
    "TrustDecision",
    "claims_to_context",
    "evaluate_trust_policy",
    "issuer_host_of",
    "oidc_provider_host",
    "web_identity_principal",
]

WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity"

# The claims IAM copies into the request context for an OIDC provider as "<provider>:<claim>".
# Any other claim (project_path, ref, environment...) is NOT a condition key IAM knows.
IAM_OIDC_CLAIM_KEYS = ("sub", "aud", "amr")

_OIDC_PROVIDER_ARN = re.compile(r"arn:[\w-]+:iam::\d{12}:oidc-provider/(?P<host>.+)")


@dataclass(frozen=True)
class TrustDecision:
    allowed: bool
    reason: str
    statements: tuple[StatementResult, ...]


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
    extra_context: Mapping[str, Sequence[str]] | None = None,
) -> TrustDecision:
    """Decide, as IAM would, whether a token with `claims` from `provider_arn` may perform `action`.

    `extra_context`: request keys that do not come from the token (aws:SourceIp, sts:RoleSessionName...)."""
    document = document_of(policy)
    context = claims_to_context(claims, issuer_host=issuer_host)
    context.update({key: tuple(values) for key, values in (extra_context or {}).items()})
    results = tuple(
        evaluate_statement(
            statement,
            index,
            action=action,
            context=lowercase_keys(context),
            version=document.version,
            principal=web_identity_principal(provider_arn),
        )
        for index, statement in enumerate(document.statements)
    )
    decision = decide(results)
    return TrustDecision(
        allowed=decision == "allow", reason=_reason(results, provider_arn, action), statements=results
    )


def web_identity_principal(provider_arn: str) -> Any:
    """The Principal test for a caller federated through `provider_arn` (an OIDC provider ARN or a
    well-known provider name such as accounts.google.com)."""

    def test(statement: Statement) -> tuple[bool, str]:
        if statement.principals:
            if names_provider(statement.principals, provider_arn):
                return True, f"Principal covers {provider_arn}"
            federated = list(statement.principals.get("Federated", ()))
            return False, f"Principal names {federated or dict(statement.principals)}, not {provider_arn}"
        if statement.not_principals:
            if names_provider(statement.not_principals, provider_arn):
                return False, f"NotPrincipal excludes {provider_arn}"
            return True, f"NotPrincipal does not exclude {provider_arn}"
        return False, "statement has no Principal, which a role trust policy requires"

    return test


def names_provider(principals: Mapping[str, tuple[str, ...]], provider_arn: str) -> bool:
    """Whether a Principal element covers the federated provider: "*" and {"AWS": "*"} are everyone
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html)."""
    if "*" in principals or "*" in principals.get("AWS", ()):
        return True
    return any(name in ("*", provider_arn) for name in principals.get("Federated", ()))


def _claim_values(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else [value]
    return tuple(_claim_text(item) for item in items if item is not None)


def _claim_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _reason(results: tuple[StatementResult, ...], provider_arn: str, action: str) -> str:
    deny = first_applying(results, "Deny")
    if deny:
        return f"explicitly denied by Deny statement {deny.label}"
    allow = first_applying(results, "Allow")
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
    failures = "; ".join(f"statement {r.label}: {failed_conditions(r)} did not match" for r in candidates)
    return f"implicitly denied: {failures}"
