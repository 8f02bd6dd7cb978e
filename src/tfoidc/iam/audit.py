"""Warnings for trust a project, ref or audience other than the intended ones could satisfy.

The breadth findings come from tfoidc.iam.scope, which searches for a token IAM would accept: each one
carries that token as its witness, so a warning is never a guess about what a pattern might match. The
rest are lints on how a policy is written (a wildcard under StringEquals never matches, ForAllValues in
an Allow is true for an absent key, a key of a provider the statement does not trust is always absent).
Shared by `tfoidc doctor` and the OIDC trust guardrail (TFO-IAM-003). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from tfoidc.iam.conditions import evaluate_condition
from tfoidc.iam.document import Statement, has_wildcard
from tfoidc.iam.evaluate import PolicyInput, action_covered, document_of
from tfoidc.iam.scope import Exposure, TrustScope, Witness, describe_trust
from tfoidc.iam.trust import WEB_IDENTITY_ACTION, oidc_provider_host

# Codes whose tokens come from a project the policy does not name: another team's pipeline gets in.
ANY_PROJECT_CODES = frozenset({"no-sub", "sub-any-project"})


@dataclass(frozen=True)
class TrustWarning:
    code: str
    message: str
    sid: str | None
    statement_index: int | None = None
    witness: Witness | None = None  # a token IAM would accept that shows the problem


def audit_trust_policy(
    policy: PolicyInput, *, issuer_host: str | None = None, scope: TrustScope | None = None
) -> list[TrustWarning]:
    """Warnings, statement by statement. `issuer_host` names the issuer whose tokens a statement that
    trusts any principal is judged for (statements naming providers are judged for those). `scope` is
    `describe_trust` of the same policy when the caller already has it (the search is the costly part)."""
    document = document_of(policy)
    per_statement: dict[int, list[TrustWarning]] = {i: [] for i in range(len(document.statements))}
    for index, statement in enumerate(document.statements):
        per_statement[index] += _wildcard_under_string_equals(statement, index)
        if statement.effect == "Allow" and _allows_any_principal(statement):
            per_statement[index].append(_principal_any(statement, index))
    if scope is None:
        scope = describe_trust(document, issuer_host=issuer_host)
    for provider in scope.providers:
        if provider.unknown:
            index = next((i for i, s in enumerate(document.statements) if s.effect == "Allow"), 0)
            per_statement[index].append(
                _warning(
                    "undecided",
                    f"tfoidc could not decide which tokens of {provider.host} the policy admits "
                    f"({provider.unknown[0]}); review it by hand",
                    document.statements[index],
                    index,
                )
            )
        for exposure in provider.exposures:
            statement = document.statements[exposure.statement_index]
            warning = _exposure_warning(exposure, statement, provider.host)
            bucket = per_statement[exposure.statement_index]
            if all(w.code != warning.code for w in bucket):
                bucket.append(warning)
    for index, statement in enumerate(document.statements):
        if action_covered(statement, WEB_IDENTITY_ACTION)[0] and statement.has_principal_element:
            if statement.effect == "Allow":
                per_statement[index] += _for_all_values(statement, index)
            per_statement[index] += _other_issuer_keys(statement, index)
    return [w for index in sorted(per_statement) for w in per_statement[index]]


def _label(statement: Statement, index: int) -> str:
    return f"statement {index} ({statement.sid})" if statement.sid else f"statement {index}"


def _warning(
    code: str, message: str, statement: Statement, index: int, witness: Witness | None = None
) -> TrustWarning:
    return TrustWarning(code=code, message=message, sid=statement.sid, statement_index=index, witness=witness)


def _allows_any_principal(statement: Statement) -> bool:
    if statement.not_principals:
        return True  # "everyone except ..."
    return "*" in statement.principals or "*" in statement.principals.get("AWS", ())


def _principal_any(statement: Statement, index: int) -> TrustWarning:
    return _warning(
        "principal-any",
        f'{_label(statement, index)} allows Principal "*": anyone, in any account or identity provider, '
        "can assume the role unless a condition stops them",
        statement,
        index,
    )


def _exposure_warning(exposure: Exposure, statement: Statement, host: str) -> TrustWarning:
    where = _label(statement, exposure.statement_index)
    token = exposure.witness.claims
    example = f"e.g. a token with sub {token['sub']!r}"
    if not exposure.witness.confirmed:
        example += " (if the conditions tfoidc cannot model allow it)"
    values = ", ".join(repr(v) for v in exposure.values)
    if exposure.kind == "any-project":
        if exposure.no_positive_condition:
            return _warning(
                "no-sub",
                f"{where} trusts web identities without a positive condition on {host}:sub: any project "
                f"on the issuer can assume the role ({example})",
                statement,
                exposure.statement_index,
                exposure.witness,
            )
        return _warning(
            "sub-any-project",
            f"{where}: {host}:sub {values or '(its conditions)'} is satisfied by any project on the issuer, "
            f"not only the ones it names ({example})",
            statement,
            exposure.statement_index,
            exposure.witness,
        )
    if exposure.kind == "other-project":
        return _warning(
            "sub-group-wide",
            f"{where}: {host}:sub {values} is satisfied by other projects of the group, not one project "
            f"({example})",
            statement,
            exposure.statement_index,
            exposure.witness,
        )
    if exposure.kind == "any-ref":
        ref_type = token.get("ref_type")
        also = f" (ref_type {ref_type})" if ref_type == "tag" and "ref_type:" not in token["sub"] else ""
        return _warning(
            "sub-any-ref",
            f"{where}: {host}:sub {values} leaves the ref open: branches or tags that are not protected "
            f"(anyone with Developer access can push them) satisfy it; pin ref_type and ref (e.g. "
            f"ref_type:branch:ref:main) ({example}{also})",
            statement,
            exposure.statement_index,
            exposure.witness,
        )
    return _warning(
        "no-aud",
        f"{where} has no condition on {host}:aud that names the audience: tokens minted for any "
        f"audience the provider lists are accepted; pin the audience your ID token requests (e.g. a token "
        f"with aud {token['aud']!r})",
        statement,
        exposure.statement_index,
        exposure.witness,
    )


def _for_all_values(statement: Statement, index: int) -> list[TrustWarning]:
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


def _other_issuer_keys(statement: Statement, index: int) -> list[TrustWarning]:
    """A key of a provider the statement does not trust is absent from every request it applies to, so a
    condition on it cannot narrow an Allow (when it is true without the key) or make a Deny apply."""
    if _allows_any_principal(statement):
        return []
    trusted = {
        (oidc_provider_host(name) or name).lower() for name in statement.principals.get("Federated", ())
    }
    warnings: list[TrustWarning] = []
    for condition in statement.conditions:
        owner, colon, _claim = condition.key.rpartition(":")
        if not colon or not ("." in owner or "/" in owner) or owner.lower() in trusted:
            continue
        always = evaluate_condition(condition, {}, version=None).matched
        if always:
            effect = "always true: it restricts nothing"
        elif statement.effect == "Deny":
            effect = "always false: this Deny never applies"
        else:
            continue  # an Allow no token can use grants nothing: doctor shows why it refuses
        warnings.append(
            _warning(
                "other-issuer-keys",
                f"{_label(statement, index)}: {condition.key} is a key of {owner}, which this statement does "
                f"not trust; it is absent from the tokens the statement applies to, so {condition.full_operator} "
                f"on it is {effect}",
                statement,
                index,
            )
        )
    return warnings


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
