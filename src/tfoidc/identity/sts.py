"""Exchanging an ID token for short-lived AWS credentials with STS, and chaining into a second role.

Endpoints come from boto3's own conventions (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS); retries on
throttling and IDPCommunicationError are botocore's standard retry mode.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import boto3
import botocore
import botocore.exceptions
import botocore.session
from botocore.config import Config

from tfoidc import __version__
from tfoidc.errors import AuthError, InputError, OperationalError
from tfoidc.identity.fetch import network_timeout
from tfoidc.identity.hints import FLAGS, Spelling
from tfoidc.identity.sts_errors import explain_sts_error
from tfoidc.identity.token import IdToken

CHAINED_SESSION_LIMIT = 3600  # AWS caps role-chained sessions at one hour
MIN_DURATION = 900
MAX_DURATION = 43200
DEFAULT_MAX_ATTEMPTS = 5
_SESSION_NAME_FORBIDDEN = re.compile(r"[^\w+=,.@-]", re.ASCII)

T = TypeVar("T")


@dataclass(frozen=True)
class AwsCredentials:
    """Temporary credentials; repr shows the key id's last characters and never the secrets."""

    access_key_id: str = field(repr=False)
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime
    role_arn: str
    session_name: str

    def __repr__(self) -> str:
        return (
            f"AwsCredentials(access_key_id='…{self.access_key_id[-4:]}', role_arn={self.role_arn!r}, "
            f"session_name={self.session_name!r}, expiration={self.expiration.isoformat()!r})"
        )

    __str__ = __repr__

    def as_env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }

    def secrets(self) -> tuple[str, ...]:
        """Values a masking filter must hide."""
        return (self.access_key_id, self.secret_access_key, self.session_token)


def session_name_for(claims: Mapping[str, Any]) -> str:
    """`gitlab-<project_id>-<pipeline_id>-<job_id>`, sanitised to STS's 2-64 chars of `[\\w+=,.@-]`,
    so CloudTrail shows which job acted."""
    parts = [str(claims.get(k, "")).strip() for k in ("project_id", "pipeline_id", "job_id")]
    name = "-".join(["gitlab", *(p for p in parts if p)])
    return sanitise_session_name(name)


def sanitise_session_name(name: str) -> str:
    cleaned = _SESSION_NAME_FORBIDDEN.sub("_", name)[:64]
    return cleaned if len(cleaned) >= 2 else (cleaned + "__")[:2]


def check_duration(duration_seconds: int, *, limit: int = MAX_DURATION, spelling: Spelling = FLAGS) -> None:
    if not MIN_DURATION <= duration_seconds <= limit:
        raise InputError(
            f"{spelling.duration or 'session duration'} {duration_seconds}: STS accepts {MIN_DURATION} to "
            f"{limit} seconds here",
            hint="role-chained sessions are capped at 3600 seconds"
            if limit == CHAINED_SESSION_LIMIT
            else None,
        )


def assume_role_with_web_identity(
    token: IdToken,
    claims: Mapping[str, Any],
    *,
    role_arn: str,
    duration_seconds: int = 3600,
    region: str | None = None,
    session_name: str | None = None,
    spelling: Spelling = FLAGS,
) -> AwsCredentials:
    """AssumeRoleWithWebIdentity with an unsigned client (the token is the only credential)."""
    check_duration(duration_seconds, spelling=spelling)
    name = sanitise_session_name(session_name) if session_name else session_name_for(claims)
    client = _sts_client(region=region, config=_client_config(unsigned=True))
    response = _call(
        lambda: client.assume_role_with_web_identity(
            RoleArn=role_arn,
            RoleSessionName=name,
            WebIdentityToken=token.raw,
            DurationSeconds=duration_seconds,
        ),
        operation="AssumeRoleWithWebIdentity",
        role_arn=role_arn,
        claims=claims,
        duration_seconds=duration_seconds,
        spelling=spelling,
    )
    return _credentials(response, role_arn=role_arn, session_name=name)


def chain_role(
    creds: AwsCredentials,
    *,
    role_arn: str,
    duration_seconds: int = 3600,
    session_name: str | None = None,
    region: str | None = None,
    spelling: Spelling = FLAGS,
) -> AwsCredentials:
    """AssumeRole into `role_arn` with `creds`; AWS caps chained sessions at one hour, so does this."""
    check_duration(duration_seconds, limit=CHAINED_SESSION_LIMIT, spelling=spelling)
    name = sanitise_session_name(session_name or creds.session_name)
    client = _sts_client(
        region=region,
        config=_client_config(),
        creds=creds,
    )
    response = _call(
        lambda: client.assume_role(RoleArn=role_arn, RoleSessionName=name, DurationSeconds=duration_seconds),
        operation="AssumeRole",
        role_arn=role_arn,
        duration_seconds=duration_seconds,
        spelling=spelling,
    )
    return _credentials(response, role_arn=role_arn, session_name=name)


def assume_role_with_profile(
    *,
    role_arn: str,
    profile: str | None,
    duration_seconds: int = 3600,
    session_name: str | None = None,
    region: str | None = None,
) -> AwsCredentials:
    """AssumeRole with a developer's own credentials (default chain or `profile`): a laptop dry run."""
    check_duration(duration_seconds)
    name = sanitise_session_name(session_name or f"tfoidc-{os.environ.get('USER', 'local')}")
    session = _session(profile)
    client = session.client("sts", region_name=region, config=_client_config())
    response = _call(
        lambda: client.assume_role(RoleArn=role_arn, RoleSessionName=name, DurationSeconds=duration_seconds),
        operation="AssumeRole",
        role_arn=role_arn,
        duration_seconds=duration_seconds,
    )
    return _credentials(response, role_arn=role_arn, session_name=name)


def caller_identity(
    creds: AwsCredentials | None = None, *, profile: str | None = None, region: str | None = None
) -> dict[str, str]:
    """GetCallerIdentity with `creds`, else the default chain / `profile`: Account, Arn, UserId."""
    if creds is not None:
        client = _sts_client(
            region=region,
            config=_client_config(),
            creds=creds,
        )
    else:
        client = _session(profile).client("sts", region_name=region, config=_client_config())
    response = _call(client.get_caller_identity, operation="GetCallerIdentity", role_arn="(caller)")
    return {k: str(response[k]) for k in ("Account", "Arn", "UserId")}


def aws_call(fn: Callable[[], T], *, operation: str, role_arn: str) -> T:
    """Run a boto3 call, turning its failures into tfoidc's one-line errors (for IAM reads too)."""
    return _call(fn, operation=operation, role_arn=role_arn)


def client_config(*, unsigned: bool = False) -> Config:
    return _client_config(unsigned=unsigned)


def session(profile: str | None) -> boto3.Session:
    return _session(profile)


def session_for_own_credentials() -> boto3.Session:
    """A session for clients that carry their own credentials: a profile only lends them region and
    endpoint settings, so a $AWS_PROFILE this machine lacks (a laptop's, leaked into CI) must not stop them."""
    try:
        return boto3.session.Session()
    except botocore.exceptions.ProfileNotFound:
        return boto3.session.Session(
            botocore_session=botocore.session.Session(session_vars={"profile": (None, None, None, None)})
        )


# --- helpers ----------------------------------------------------------------------------------------


def _client_config(*, unsigned: bool = False) -> Config:
    attempts = os.environ.get("AWS_MAX_ATTEMPTS", "")
    retries: dict[str, Any] = {
        # standard mode retries throttling, 5xx and STS's IDPCommunicationError with jittered backoff
        "mode": "standard",
        "total_max_attempts": int(attempts)
        if attempts.isdigit() and int(attempts) > 0
        else DEFAULT_MAX_ATTEMPTS,
    }
    # botocore waits 60 s per attempt by default: a stalled endpoint would hold the job for minutes.
    timeout = network_timeout()
    # tfoidc/<version> in the user agent: `tfoidc audit trail` tells tfoidc's sessions by it.
    limits: dict[str, Any] = {
        "retries": retries,
        "connect_timeout": timeout,
        "read_timeout": timeout,
        "user_agent_extra": f"tfoidc/{__version__}",
    }
    if unsigned:
        return Config(signature_version=botocore.UNSIGNED, **limits)
    return Config(**limits)


def _sts_client(*, region: str | None, config: Config, creds: AwsCredentials | None = None) -> Any:
    """A client that carries its own credentials (or none, for the unsigned web-identity call)."""
    session = session_for_own_credentials()
    if creds is None:
        return session.client("sts", region_name=region, config=config)
    return session.client(
        "sts",
        region_name=region,
        config=config,
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
        aws_session_token=creds.session_token,
    )


def _session(profile: str | None) -> boto3.Session:
    try:
        return boto3.Session(profile_name=profile)
    except botocore.exceptions.ProfileNotFound:
        name, source = (profile, "--profile") if profile else (os.environ.get("AWS_PROFILE"), "$AWS_PROFILE")
        raise InputError(
            f"AWS profile {name!r} ({source}) is not configured", hint="see `aws configure list-profiles`"
        ) from None


def _call(
    fn: Callable[[], T],
    *,
    operation: str,
    role_arn: str,
    claims: Mapping[str, Any] | None = None,
    duration_seconds: int | None = None,
    spelling: Spelling = FLAGS,
) -> T:
    try:
        return fn()
    except botocore.exceptions.ClientError as exc:
        error = exc.response.get("Error", {})
        raise explain_sts_error(
            str(error.get("Code", "Unknown")),
            str(error.get("Message", "")),
            operation=operation,
            role_arn=role_arn,
            claims=claims,
            duration_seconds=duration_seconds,
            spelling=spelling,
        ) from None
    except botocore.exceptions.NoCredentialsError:
        raise AuthError(
            f"no AWS credentials for {operation}",
            hint="configure a profile (--profile / $AWS_PROFILE) or environment credentials",
        ) from None
    except botocore.exceptions.NoRegionError:
        pass_region = f"{spelling.region} or " if spelling.region else ""
        raise InputError(f"no AWS region for {operation}", hint=f"set {pass_region}$AWS_REGION") from None
    except botocore.exceptions.ParamValidationError as exc:
        raise InputError(f"invalid {operation} request: {' '.join(str(exc).split())}") from None
    except (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectionError) as exc:
        raise OperationalError(
            f"cannot reach AWS for {operation}: {exc}",
            hint="check network access to STS, or $AWS_ENDPOINT_URL / $AWS_ENDPOINT_URL_STS",
        ) from None
    except botocore.exceptions.BotoCoreError as exc:
        raise OperationalError(f"AWS {operation} failed: {exc}") from None


def _credentials(response: Mapping[str, Any], *, role_arn: str, session_name: str) -> AwsCredentials:
    c = response["Credentials"]
    return AwsCredentials(
        access_key_id=c["AccessKeyId"],
        secret_access_key=c["SecretAccessKey"],
        session_token=c["SessionToken"],
        expiration=c["Expiration"],
        role_arn=role_arn,
        session_name=session_name,
    )


def refreshing_session(
    first: AwsCredentials, refresh: Callable[[], AwsCredentials], *, region: str | None
) -> boto3.Session:
    """A boto3 session that starts with `first` and renews with `refresh()` before they expire: for
    tfoidc's own AWS calls around a Terraform run that may outlast them (taking and releasing the state
    lock)."""
    from botocore.credentials import RefreshableCredentials

    def metadata(creds: AwsCredentials) -> dict[str, str]:
        return {
            "access_key": creds.access_key_id,
            "secret_key": creds.secret_access_key,
            "token": creds.session_token,
            "expiry_time": creds.expiration.isoformat(),
        }

    credentials = RefreshableCredentials.create_from_metadata(
        metadata(first), lambda: metadata(refresh()), "tfoidc"
    )
    core = session_for_own_credentials()._session
    # botocore keeps a session's resolved credentials here; a refreshable set renews itself in place.
    setattr(core, "_credentials", credentials)  # noqa: B010
    return boto3.Session(botocore_session=core, region_name=region)
