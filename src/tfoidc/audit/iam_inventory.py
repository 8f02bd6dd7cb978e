"""Reading an account's OIDC providers and the roles that trust web identities (I/O only; judging is in
`audit.roles`).

`ListRoles` pages with `Marker`; it carries each role's trust policy and maximum session duration but
not its permissions boundary or last use (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html),
so `GetRole` and the policy listings are asked only for the roles that trust an OIDC provider, a few at
a time. Throttling is retried by the client (standard retry mode).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import unquote

import orjson

from tfoidc.errors import OperationalError

T = TypeVar("T")
_WORKERS = 8
_WEB_IDENTITY = "sts:assumerolewithwebidentity"


@dataclass(frozen=True)
class OidcProvider:
    arn: str
    url: str  # as IAM stores it: host and path, no scheme
    client_ids: tuple[str, ...]


@dataclass(frozen=True)
class RoleRecord:
    arn: str
    name: str
    trust_policy: dict[str, Any]
    max_session_duration: int
    permissions_boundary: tuple[str, dict[str, Any]] | None  # (ARN, document)
    last_used: datetime | None
    last_used_region: str | None
    managed_policies: tuple[tuple[str, dict[str, Any]], ...]  # (ARN, default version's document)
    inline_policies: tuple[tuple[str, dict[str, Any]], ...]  # (name, document)


@dataclass(frozen=True)
class Inventory:
    providers: tuple[OidcProvider, ...]
    roles: tuple[RoleRecord, ...]  # the roles whose trust policy names an OIDC provider or web identity
    roles_listed: int  # every role in the account, for the report's totals


def read_inventory(iam: Any) -> Inventory:
    providers = tuple(_providers(iam))
    listed = 0
    candidates: list[dict[str, Any]] = []
    for role in _paged(iam.list_roles, "Roles", "iam:ListRoles"):
        listed += 1
        if _trusts_web_identity(_document(role.get("AssumeRolePolicyDocument"))):
            candidates.append(role)
    documents = _PolicyDocuments(iam)
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        roles = tuple(pool.map(lambda r: _details(iam, r, documents), candidates))
    return Inventory(providers=providers, roles=roles, roles_listed=listed)


def _providers(iam: Any) -> Iterator[OidcProvider]:
    listed = _call(iam.list_open_id_connect_providers, "iam:ListOpenIDConnectProviders")
    for entry in listed.get("OpenIDConnectProviderList") or ():
        arn = entry["Arn"]
        detail = _call(
            functools.partial(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=arn),
            f"iam:GetOpenIDConnectProvider {arn}",
        )
        yield OidcProvider(
            arn=arn, url=str(detail.get("Url") or ""), client_ids=tuple(detail.get("ClientIDList") or ())
        )


class _PolicyDocuments:
    """Managed policies' default versions, each read once however many roles attach it."""

    def __init__(self, iam: Any) -> None:
        self._iam = iam
        self._cache: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, arn: str) -> dict[str, Any]:
        with self._lock:
            if arn in self._cache:
                return self._cache[arn]
        policy = _call(lambda: self._iam.get_policy(PolicyArn=arn), f"iam:GetPolicy {arn}")["Policy"]
        version = _call(
            lambda: self._iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"]),
            f"iam:GetPolicyVersion {arn}",
        )["PolicyVersion"]
        document = _document(version.get("Document"))
        with self._lock:
            self._cache[arn] = document
        return document


def _details(iam: Any, role: dict[str, Any], documents: _PolicyDocuments) -> RoleRecord:
    name = role["RoleName"]
    full = _call(lambda: iam.get_role(RoleName=name), f"iam:GetRole {name}")["Role"]
    managed = tuple(
        (p["PolicyArn"], documents.get(p["PolicyArn"]))
        for p in _paged(
            lambda **kw: iam.list_attached_role_policies(RoleName=name, **kw),
            "AttachedPolicies",
            f"iam:ListAttachedRolePolicies {name}",
        )
    )
    inline_names = list(
        _paged(
            lambda **kw: iam.list_role_policies(RoleName=name, **kw),
            "PolicyNames",
            f"iam:ListRolePolicies {name}",
        )
    )
    inline = tuple(
        (
            policy,
            _document(
                _call(
                    functools.partial(iam.get_role_policy, RoleName=name, PolicyName=policy),
                    f"iam:GetRolePolicy {name}/{policy}",
                ).get("PolicyDocument")
            ),
        )
        for policy in inline_names
    )
    last = full.get("RoleLastUsed") or {}
    boundary = full.get("PermissionsBoundary") or {}
    return RoleRecord(
        arn=role["Arn"],
        name=name,
        trust_policy=_document(role.get("AssumeRolePolicyDocument")),
        max_session_duration=int(role.get("MaxSessionDuration") or 3600),
        permissions_boundary=(
            boundary["PermissionsBoundaryArn"],
            documents.get(boundary["PermissionsBoundaryArn"]),
        )
        if boundary.get("PermissionsBoundaryArn")
        else None,
        last_used=last.get("LastUsedDate"),
        last_used_region=last.get("Region"),
        managed_policies=managed,
        inline_policies=inline,
    )


def _trusts_web_identity(document: dict[str, Any]) -> bool:
    """A cheap first look: the statement names an OIDC provider or the web-identity action."""
    statements = document.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            continue
        principal = statement.get("Principal")
        federated = principal.get("Federated") if isinstance(principal, dict) else None
        names = federated if isinstance(federated, list) else [federated]
        if any(isinstance(n, str) and ":oidc-provider/" in n for n in names):
            return True
        actions = statement.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        if any(isinstance(a, str) and a.lower() in (_WEB_IDENTITY, "sts:*", "*") for a in actions) and (
            principal == "*" or (isinstance(principal, dict) and principal.get("AWS") == "*")
        ):
            return True
    return False


def _document(raw: Any) -> dict[str, Any]:
    """IAM returns policy documents URL-encoded; boto3 usually decodes them, moto sometimes does not."""
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, str):
        try:
            parsed = orjson.loads(unquote(raw) if raw.lstrip().startswith("%7B") else raw)
        except orjson.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _paged(call: Callable[..., Any], key: str, what: str) -> Iterator[Any]:
    marker: str | None = None
    while True:
        page = _call(functools.partial(call, **({"Marker": marker} if marker else {})), what)
        yield from page.get(key) or ()
        if not page.get("IsTruncated"):
            return
        marker = page.get("Marker")


def _call(fn: Callable[[], T], what: str) -> T:
    import botocore.exceptions

    try:
        return fn()
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        raise OperationalError(
            f"{what}: {error.get('Code', 'error')}: {error.get('Message', '') or 'refused'}"
        ) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise OperationalError(f"{what}: {exc}") from None
