"""From the job's GitLab ID token to AWS credentials: the one way every command takes (auth, exec,
whoami, doctor, plan, apply, drift). Token discovery, claim and signature checks, STS, chaining.

What each command asks for (which role, which audience) is resolved by its caller (for an environment
of tfoidc.toml: `lifecycle.session.credential_request`); how it is obtained is decided only here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfoidc.errors import InputError
from tfoidc.identity.claims import verify_token
from tfoidc.identity.hints import FLAGS, Spelling
from tfoidc.identity.sts import (
    CHAINED_SESSION_LIMIT,
    AwsCredentials,
    assume_role_with_web_identity,
    chain_role,
    check_duration,
)
from tfoidc.identity.token import DEFAULT_TOKEN_VAR, LEGACY_WARNING, IdToken, discover_token


@dataclass(frozen=True)
class TokenSource:
    token_file: Path | None = None
    token_var: str = DEFAULT_TOKEN_VAR


@dataclass(frozen=True)
class TokenCheck:
    """What the token must prove. The audience is not optional: every exchange checks one."""

    audience: str
    issuer: str | None
    verify_signature: bool = True


@dataclass(frozen=True)
class RoleRequest:
    role_arn: str
    chain_role_arn: str | None = None
    duration: int = 3600
    region: str | None = None

    def check(self, spelling: Spelling) -> None:
        """Refuse what STS would refuse, before the token is read."""
        check_duration(self.duration, spelling=spelling)
        if self.chain_role_arn and self.duration > CHAINED_SESSION_LIMIT:
            raise InputError(
                f"{spelling.duration or 'session duration'} {self.duration} with a chained role: AWS caps "
                f"role-chained sessions at {CHAINED_SESSION_LIMIT}s",
                hint=f"set {spelling.duration} to {CHAINED_SESSION_LIMIT} or less"
                if spelling.duration
                else None,
            )


@dataclass(frozen=True)
class CredentialRequest:
    source: TokenSource
    check: TokenCheck
    role: RoleRequest | None = None  # None: verify the token only
    spelling: Spelling = FLAGS  # how the command at hand names each setting, for hints


@dataclass(frozen=True)
class VerifiedIdentity:
    token: IdToken = field(repr=False)
    claims: dict[str, Any]

    @property
    def warnings(self) -> tuple[str, ...]:
        return (LEGACY_WARNING,) if self.token.is_legacy else ()


@dataclass(frozen=True)
class Obtained:
    identity: VerifiedIdentity
    credentials: AwsCredentials  # of the last role: the chained one when there is one
    web_identity_role: str  # the role the ID token itself assumed


def read_token(request: CredentialRequest, environ: Mapping[str, str]) -> IdToken:
    return discover_token(
        token_file=request.source.token_file,
        token_var=request.source.token_var,
        environ=environ,
        audience=request.check.audience,
        spelling=request.spelling,
    )


def verify_identity(request: CredentialRequest, environ: Mapping[str, str]) -> VerifiedIdentity:
    """The job's ID token and its verified claims; no AWS call."""
    token = read_token(request, environ)
    return verify(token, request)


def verify(token: IdToken, request: CredentialRequest) -> VerifiedIdentity:
    claims = verify_token(
        token,
        audience=request.check.audience,
        issuer=request.check.issuer,
        verify_signature=request.check.verify_signature,
        spelling=request.spelling,
    )
    return VerifiedIdentity(token=token, claims=dict(claims))


def exchange(identity: VerifiedIdentity, role: RoleRequest, spelling: Spelling = FLAGS) -> AwsCredentials:
    """AssumeRoleWithWebIdentity, then AssumeRole into the chained role when there is one."""
    creds = assume_role_with_web_identity(
        identity.token,
        identity.claims,
        role_arn=role.role_arn,
        duration_seconds=role.duration,
        region=role.region,
        spelling=spelling,
    )
    if role.chain_role_arn:
        creds = chain_role(
            creds,
            role_arn=role.chain_role_arn,
            duration_seconds=min(role.duration, CHAINED_SESSION_LIMIT),
            region=role.region,
            spelling=spelling,
        )
    return creds


def obtain_credentials(
    request: CredentialRequest,
    *,
    environ: Mapping[str, str],
    admit: Callable[[VerifiedIdentity], None] = lambda _identity: None,
) -> Obtained:
    """Discover and verify the token, let `admit` refuse it (apply's branch rules and plan checks: every
    refusal before any STS call), then exchange it for the role's credentials."""
    if request.role is None:
        raise InputError(
            "no role to assume", hint=f"pass {request.spelling.role}" if request.spelling.role else None
        )
    request.role.check(request.spelling)
    identity = verify_identity(request, environ)
    admit(identity)
    return Obtained(
        identity=identity,
        credentials=exchange(identity, request.role, request.spelling),
        web_identity_role=request.role.role_arn,
    )
