"""`tfoidc doctor`: read a role's trust policy and the account's OIDC providers, then explain, as IAM
would decide it, whether this token may assume the role.

Reading uses the caller's own credentials (a developer's profile); the verdict is B's pure evaluator.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tfoidc.errors import InputError
from tfoidc.iam.audit import TrustWarning, audit_trust_policy
from tfoidc.iam.document import wildcard_match
from tfoidc.iam.trust import TrustDecision, evaluate_trust_policy, issuer_host_of, oidc_provider_host
from tfoidc.identity.sts import aws_call, client_config, session


@dataclass(frozen=True)
class RoleTrust:
    """What IAM holds about a role's web-identity trust."""

    role_arn: str
    policy: dict[str, Any]
    oidc_provider_arns: tuple[str, ...]
    # the audiences (client IDs) each provider accepts: AWS refuses a token whose aud is not among them
    provider_audiences: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Diagnosis:
    role_arn: str
    issuer_host: str
    provider_arn: str
    provider_registered: bool
    decision: TrustDecision
    warnings: tuple[TrustWarning, ...]
    token_audiences: tuple[str, ...] = ()
    provider_audiences: tuple[str, ...] = ()

    @property
    def audience_registered(self) -> bool:
        return any(aud in self.provider_audiences for aud in self.token_audiences)

    @property
    def allowed(self) -> bool:
        return self.provider_registered and self.audience_registered and self.decision.allowed

    @property
    def reason(self) -> str:
        if not self.provider_registered:
            return f"the account has no IAM OIDC provider for {self.issuer_host}"
        if not self.audience_registered:
            return (
                f"the IAM OIDC provider for {self.issuer_host} does not list the token's audience "
                f"{', '.join(self.token_audiences) or '(none)'} among its client IDs "
                f"({', '.join(self.provider_audiences) or 'none'})"
            )
        return self.decision.reason


def role_name_of(role_arn: str) -> str:
    """'arn:aws:iam::123456789012:role/path/name' -> 'name'."""
    prefix, _, rest = role_arn.partition(":role/")
    if not prefix.startswith("arn:") or not rest:
        raise InputError(
            f"--role-arn {role_arn!r} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
        )
    return rest.rsplit("/", 1)[-1]


def read_role_trust(role_arn: str, *, profile: str | None, region: str | None = None) -> RoleTrust:
    """IAM GetRole + ListOpenIDConnectProviders with the caller's own credentials."""
    iam = session(profile).client("iam", region_name=region, config=client_config())
    name = role_name_of(role_arn)
    role = aws_call(lambda: iam.get_role(RoleName=name), operation="iam:GetRole", role_arn=role_arn)
    _check_same_account(role_arn, str(role["Role"]["Arn"]))
    providers = aws_call(
        iam.list_open_id_connect_providers, operation="iam:ListOpenIDConnectProviders", role_arn=role_arn
    )
    arns = tuple(str(p["Arn"]) for p in providers.get("OpenIDConnectProviderList", []))
    audiences = {arn: _client_ids(iam, arn, role_arn) for arn in arns}
    return RoleTrust(
        role_arn=role_arn,
        policy=decode_policy(role["Role"]["AssumeRolePolicyDocument"]),
        oidc_provider_arns=arns,
        provider_audiences=audiences,
    )


def _client_ids(iam: Any, provider_arn: str, role_arn: str) -> tuple[str, ...]:
    provider = aws_call(
        lambda: iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider_arn),
        operation="iam:GetOpenIDConnectProvider",
        role_arn=role_arn,
    )
    return tuple(str(c) for c in provider.get("ClientIDList", []))


def _check_same_account(asked: str, found: str) -> None:
    """GetRole looks the name up in the caller's account: a same-named role elsewhere is not the one asked."""
    asked_account, found_account = asked.split(":")[4], found.split(":")[4]
    if asked_account != found_account:
        raise InputError(
            f"--role-arn {asked} is in account {asked_account}, but the credentials used read account "
            f"{found_account}",
            hint="pass --profile for a principal of the role's account",
        )


def decode_policy(document: str | Mapping[str, Any]) -> dict[str, Any]:
    """IAM returns policy documents URL-encoded in its raw API; boto3 usually decodes them already."""
    if isinstance(document, Mapping):
        return dict(document)
    text = urllib.parse.unquote(document) if document.lstrip().startswith("%") else document
    try:
        decoded = json.loads(text)
    except ValueError:
        decoded = json.loads(urllib.parse.unquote(text))
    if not isinstance(decoded, dict):
        raise InputError("the role's trust policy is not a JSON object")
    return decoded


def diagnose(trust: RoleTrust, claims: Mapping[str, Any]) -> Diagnosis:
    """Pure: the decision for `claims` against `trust`, and the audit warnings."""
    host = issuer_host_of(str(claims.get("iss", "")))
    registered = next((a for a in trust.oidc_provider_arns if oidc_provider_host(a) == host), None)
    account = trust.role_arn.split(":")[4] if trust.role_arn.count(":") >= 5 else "000000000000"
    provider_arn = registered or f"arn:aws:iam::{account}:oidc-provider/{host}"
    decision = evaluate_trust_policy(trust.policy, claims=claims, provider_arn=provider_arn, issuer_host=host)
    aud = claims.get("aud")
    return Diagnosis(
        role_arn=trust.role_arn,
        issuer_host=host,
        provider_arn=provider_arn,
        provider_registered=registered is not None,
        decision=decision,
        warnings=tuple(audit_trust_policy(trust.policy, issuer_host=host)),
        token_audiences=tuple(str(a) for a in (aud if isinstance(aud, list) else [aud]) if a is not None),
        provider_audiences=trust.provider_audiences.get(registered, ()) if registered else (),
    )


# GitLab's `sub`: project_path:<group>/<project>:ref_type:<branch|tag>:ref:<ref>. Refs hold no ':' (git
# forbids it), so the last `:ref:` and `:ref_type:` split it unambiguously.
_SUBJECT = re.compile(r"^project_path:(?P<project_path>.*):ref_type:(?P<ref_type>[^:]*):ref:(?P<ref>[^:]*)$")
SUBJECT_PARTS = (("project_path", "project path"), ("ref_type", "ref type"), ("ref", "ref"))
# Where the reference module (terraform/modules/oidc) takes the subjects each role trusts.
MODULE_PATH = "terraform/modules/oidc"
SUBJECT_VARIABLES = {"plan": "plan_subjects", "apply": "apply_subjects"}


@dataclass(frozen=True)
class SubjectMismatch:
    """The first part of the token's `sub` that the closest trusted subject pattern does not accept."""

    part: str  # "project path", "ref type", "ref", or "subject" when the pattern has another shape
    expected: str
    actual: str
    pattern: str
    statement: str

    def explanation(self) -> str:
        return (
            f"sub differs in the {self.part}: the token has {self.actual!r}, the trust policy expects "
            f"{self.expected!r} (closest pattern {self.pattern!r}, statement {self.statement})"
        )


def split_subject(sub: str) -> dict[str, str] | None:
    match = _SUBJECT.match(sub)
    return match.groupdict() if match else None


def subject_mismatch(diagnosis: Diagnosis, sub: str) -> SubjectMismatch | None:
    """Pure: when an Allow statement refused the token on its `sub` condition, the first differing part
    against the pattern that agrees with the token on the most leading parts; None otherwise."""
    actual = split_subject(sub)
    best: tuple[int, SubjectMismatch] | None = None
    for statement in diagnosis.decision.statements:
        if statement.effect != "Allow":
            continue
        for condition in statement.conditions:
            if condition.matched or not condition.key.lower().endswith(":sub"):
                continue
            like = "Like" in condition.operator
            for pattern in condition.expected:
                found = _first_difference(pattern, sub, actual, like=like, statement=statement.label)
                if found is not None and (best is None or found[0] > best[0]):
                    best = found
    return best[1] if best else None


def _first_difference(
    pattern: str, sub: str, actual: dict[str, str] | None, *, like: bool, statement: str
) -> tuple[int, SubjectMismatch] | None:
    def same(expected: str, value: str) -> bool:
        return wildcard_match(expected, value) if like else expected == value

    if same(pattern, sub):
        return None
    expected = split_subject(pattern)
    if expected is None or actual is None:
        return -1, SubjectMismatch("subject", pattern, sub, pattern, statement)
    for rank, (key, name) in enumerate(SUBJECT_PARTS):
        if not same(expected[key], actual[key]):
            return rank, SubjectMismatch(name, expected[key], actual[key], pattern, statement)
    return -1, SubjectMismatch("subject", pattern, sub, pattern, statement)


def subject_line(sub: str, purpose: str) -> str:
    """The line to put in the reference module's variables (HCL) so its role trusts this job's `sub`.
    A ref is chosen by whoever pushes it: `${` and `%{` are escaped so HCL never interpolates them."""
    literal = json.dumps(sub).replace("${", "$${").replace("%{", "%%{")
    return f"{SUBJECT_VARIABLES.get(purpose, 'plan_subjects')} = [{literal}]"
