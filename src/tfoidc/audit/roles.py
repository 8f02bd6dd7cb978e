"""Who can assume each web-identity role, what it can do, and how that squares with tfoidc.toml (pure).

Who: `tfoidc.iam.scope.describe_trust`, the one evaluator `doctor` and the guardrails use. What: the
role's managed, inline and boundary policies put through `tfoidc.iam.permissions` with a few probe
requests (a write, a change to IAM, everything). The OIDC trust findings are the guardrail's own
(TFO-IAM-003, same codes and severities).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import orjson

from tfoidc.audit.iam_inventory import RoleRecord
from tfoidc.guardrails.audit_rules import AUDIT_RULES
from tfoidc.guardrails.model import Finding, Severity
from tfoidc.guardrails.rules.iam import BLOCKING_TRUST_CODES
from tfoidc.iam.audit import TrustWarning, audit_trust_policy
from tfoidc.iam.document import has_wildcard
from tfoidc.iam.permissions import Request, evaluate_access
from tfoidc.iam.scope import ProviderScope, TrustScope, describe_trust

Power = Literal["administrator", "iam-write", "write", "read", "none"]
RULE_TRUST = "TFO-IAM-003"
RULE_WRITE_FROM_UNPROTECTED = "TFO-AUDIT-010"
RULE_ROLE_MISSING = "TFO-AUDIT-011"
RULE_BROADER_THAN_BRANCH_RULES = "TFO-AUDIT-012"
RULE_UNUSED = "TFO-AUDIT-013"
RULE_TITLES = {
    **AUDIT_RULES,
    RULE_TRUST: "OIDC trust policy lets other projects, refs or audiences assume the role",
}
# Probe requests: what the role's policies allow decides its power. Resources are placeholders in the
# role's own account; a policy scoped to real names reads as less than it is only when it names none.
_EVERYTHING = ("ec2:RunInstances", "iam:CreateUser", "organizations:LeaveOrganization", "s3:DeleteBucket")
_IAM_WRITE = ("iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:CreateAccessKey", "iam:PassRole")
_WRITE = (
    "s3:PutObject",
    "s3:DeleteObject",
    "dynamodb:PutItem",
    "dynamodb:DeleteItem",
    "ec2:TerminateInstances",
    "lambda:UpdateFunctionCode",
    "rds:DeleteDBInstance",
    "kms:ScheduleKeyDeletion",
    "sts:AssumeRole",
)
_READ = ("s3:GetObject", "dynamodb:GetItem", "ec2:DescribeInstances")


@dataclass(frozen=True)
class EnvironmentRoles:
    """What tfoidc.toml says of one environment's roles (plain data, so this module needs no config)."""

    name: str
    apply_role: str | None
    other_roles: tuple[str, ...]  # plan, local, chain roles
    apply_refs: tuple[str, ...]


@dataclass(frozen=True)
class RoleAudit:
    record: RoleRecord
    kind: Literal["gitlab", "other-oidc"]
    scope: TrustScope
    power: Power
    can_do: tuple[str, ...]  # managed policy names, inline wildcard statements, the boundary
    environment: str | None
    findings: tuple[Finding, ...]

    @property
    def who(self) -> str:
        return self.scope.describe()


def audit_roles(
    records: Iterable[RoleRecord],
    environments: Sequence[EnvironmentRoles],
    *,
    gitlab_hosts: Iterable[str] = (),
) -> tuple[list[RoleAudit], list[Finding]]:
    """Each web-identity role judged; and the cross-check findings that belong to no single role."""
    hosts = {"gitlab.com", *gitlab_hosts}
    by_arn = {arn: env for env in environments for arn in (env.apply_role, *env.other_roles) if arn}
    audits = [_audit_role(r, hosts, by_arn.get(r.arn), environments) for r in records]
    present = {a.record.arn for a in audits}
    account_ids = {a.record.arn.split(":")[4] for a in audits}
    extra: list[Finding] = []
    for env in environments:
        for arn in (env.apply_role, *env.other_roles):
            if arn and arn.split(":")[4] in account_ids and arn not in present:
                extra.append(
                    _finding(
                        RULE_ROLE_MISSING,
                        Severity.WARN,
                        arn,
                        f"environment {env.name} names {arn}, but the account has no role of that name "
                        "that trusts a web identity",
                        "Create the role (terraform/modules/oidc), or fix the ARN in tfoidc.toml.",
                    )
                )
    return audits, extra


def _audit_role(
    record: RoleRecord,
    hosts: set[str],
    env: EnvironmentRoles | None,
    environments: Sequence[EnvironmentRoles],
) -> RoleAudit:
    account = record.arn.split(":")[4]
    scope = _describe(record.trust_policy, account)
    gitlab = [p for p in scope.providers if p.host in hosts or (p.gitlab and p.subjects)]
    kind: Literal["gitlab", "other-oidc"] = "gitlab" if gitlab else "other-oidc"
    power, can_do = power_of(record)
    findings: list[Finding] = []
    for provider in gitlab:
        for warning in _trust_warnings(record.trust_policy, provider.host, scope):
            if warning.code == "principal-any":
                continue
            severity = Severity.BLOCK if warning.code in BLOCKING_TRUST_CODES else Severity.WARN
            findings.append(
                _finding(RULE_TRUST, severity, record.arn, f"{warning.message} [{warning.code}]", None)
            )
    if (
        kind == "gitlab"
        and power in ("administrator", "iam-write", "write")
        and any(_admits_unprotected(p) for p in gitlab)
    ):
        findings.append(
            _finding(
                RULE_WRITE_FROM_UNPROTECTED,
                Severity.BLOCK,
                record.arn,
                f"{record.name} can {_power_words(power)} and is trusted for {scope.describe()}: refs it does "
                "not name one by one (any ref, a wildcard, a tag) cannot all be protected, so a job on an "
                "unprotected ref can get that access",
                "Give unprotected refs a read-only plan role; trust the writing role for protected branches "
                "only (ref_type:branch:ref:<name>) and its own apply audience; see docs/security.md.",
            )
        )
    if env is not None and env.apply_role == record.arn:
        broader = [p for p in gitlab if _broader_than(p, env.apply_refs)]
        if broader:
            findings.append(
                _finding(
                    RULE_BROADER_THAN_BRANCH_RULES,
                    Severity.BLOCK,
                    record.arn,
                    f"{record.name} applies {env.name}, whose branch rules allow "
                    f"{', '.join(env.apply_refs) or 'any branch'}, but its trust admits "
                    f"{'; '.join(p.describe() for p in broader)}",
                    "Narrow the trust policy to the branches in apply_refs: branch rules are a guard, the "
                    "trust policy is the boundary.",
                )
            )
    if kind == "gitlab" and env is None and environments:
        findings.append(
            _finding(
                RULE_UNUSED,
                Severity.WARN,
                record.arn,
                f"{record.name} trusts {scope.describe()} but no environment in tfoidc.toml uses it",
                "Delete the role if nothing uses it, or add it to its environment in tfoidc.toml.",
            )
        )
    return RoleAudit(
        record=record,
        kind=kind,
        scope=scope,
        power=power,
        can_do=can_do,
        environment=env.name if env else None,
        findings=tuple(findings),
    )


# Accounts hold many roles with the same trust policy (one per environment or service, templated): each
# distinct policy is searched once.
_SCOPES: dict[tuple[str, str], TrustScope] = {}


def _describe(policy: Mapping[str, Any], account: str) -> TrustScope:
    key = (orjson.dumps(policy, option=orjson.OPT_SORT_KEYS).decode(), account)
    if key not in _SCOPES:
        _SCOPES[key] = describe_trust(policy, account_id=account)
    return _SCOPES[key]


def _trust_warnings(policy: Mapping[str, Any], host: str, scope: TrustScope) -> list[TrustWarning]:
    return audit_trust_policy(policy, issuer_host=host, scope=scope)


def power_of(record: RoleRecord) -> tuple[Power, tuple[str, ...]]:
    """The most the role's policies allow (within its boundary), and the policies that say so."""
    policies: dict[str, Any] = {arn: doc for arn, doc in record.managed_policies}
    policies.update({f"inline:{name}": doc for name, doc in record.inline_policies})
    boundary = record.permissions_boundary[1] if record.permissions_boundary else None
    account = record.arn.split(":")[4]

    def allowed(action: str) -> bool:
        service = action.split(":", 1)[0]
        resource = (
            f"arn:aws:{service}:us-east-1:{account}:example/example"
            if service != "s3"
            else "arn:aws:s3:::example/example"
        )
        return evaluate_access(
            Request(action, resource),
            caller_arn=record.arn,
            identity_policies=policies,
            permissions_boundary=boundary,
        ).allowed

    if not policies:
        power: Power = "none"
    elif all(allowed(a) for a in _EVERYTHING):
        power = "administrator"
    elif any(allowed(a) for a in _IAM_WRITE):
        power = "iam-write"
    elif any(allowed(a) for a in _WRITE):
        power = "write"
    elif any(allowed(a) for a in _READ):
        power = "read"
    else:
        power = "none"
    notes = [f"managed {arn.rsplit('/', 1)[-1]}" for arn, _ in record.managed_policies]
    for name, document in record.inline_policies:
        notes += [f"inline {name}: {w}" for w in _wildcards(document)] or [f"inline {name}"]
    notes.append(
        f"boundary {record.permissions_boundary[0].rsplit('/', 1)[-1]}"
        if record.permissions_boundary
        else "no permissions boundary"
    )
    return power, tuple(notes)


def _wildcards(document: Mapping[str, Any]) -> list[str]:
    statements = document.get("Statement")
    found = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", statement.get("NotAction"))
        actions = actions if isinstance(actions, list) else [actions]
        resources = statement.get("Resource", "*")
        resources = resources if isinstance(resources, list) else [resources]
        wild = [a for a in actions if isinstance(a, str) and (a == "*" or a.endswith(":*"))]
        if wild or "NotAction" in statement:
            verb = "NotAction" if "NotAction" in statement else "Action"
            found.append(f"{verb} {', '.join(map(str, wild or actions))} on {', '.join(map(str, resources))}")
    return found


def _admits_unprotected(provider: ProviderScope) -> bool:
    if provider.any_project or any(
        e.kind in ("any-ref", "any-project", "other-project") for e in provider.exposures
    ):
        return True
    return any(
        s.project is None or s.ref_type != "branch" or s.ref is None or has_wildcard(s.ref)
        for s in provider.subjects
    )


def _broader_than(provider: ProviderScope, apply_refs: Sequence[str]) -> bool:
    if provider.any_project or provider.exposures:
        return True
    for subject in provider.subjects:
        if subject.ref_type != "branch" or subject.ref is None or has_wildcard(subject.ref):
            return True
        if apply_refs and not any(fnmatch.fnmatchcase(subject.ref, p) for p in apply_refs):
            return True
    return False


def _power_words(power: Power) -> str:
    return {
        "administrator": "do anything in the account",
        "iam-write": "change IAM (and so grant itself anything)",
        "write": "change resources",
        "read": "read",
        "none": "do nothing",
    }[power]


def _finding(rule: str, severity: Severity, address: str, message: str, fix: str | None) -> Finding:
    return Finding(
        rule=rule, severity=severity, address=address, message=message, title=RULE_TITLES[rule], fix=fix
    )


def last_used_text(when: datetime | None, region: str | None) -> str:
    if when is None:
        return "never (or over 400 days ago)"
    return f"{when:%Y-%m-%d}" + (f" in {region}" if region else "")
