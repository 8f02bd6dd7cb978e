"""Credentials for one Terraform run: from the job's ID token (CI) or the developer's profile (--local).

Credentials reach Terraform only through the environment built here.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfoidc.config import EnvironmentConfig
from tfoidc.errors import InputError
from tfoidc.identity.claims import verify_token
from tfoidc.identity.environment import child_environment
from tfoidc.identity.files import write_private
from tfoidc.identity.sts import (
    AwsCredentials,
    assume_role_with_profile,
    assume_role_with_web_identity,
    chain_role,
)
from tfoidc.identity.token import IdToken, discover_token

# Ambient settings that would make Terraform use other credentials than the ones tfoidc obtained, and
# the ID token itself, which Terraform has no use for.
# Terraform never asks for input or phones home in a job.
_TERRAFORM_AUTOMATION = {"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"}


@dataclass(frozen=True)
class Session:
    terraform_env: dict[str, str] = field(repr=False)
    secrets: tuple[str, ...] = field(repr=False)
    claims: dict[str, Any]
    role_arn: str
    local: bool
    # web_identity mode: the private directory holding the ID token file Terraform reads.
    private_dir: Path | None = None

    def close(self) -> None:
        """Remove the ID token file, if this session wrote one."""
        if self.private_dir is not None:
            shutil.rmtree(self.private_dir, ignore_errors=True)


@dataclass(frozen=True)
class VerifiedIdentity:
    token: IdToken = field(repr=False)
    claims: dict[str, Any]


def verify_identity(
    env: EnvironmentConfig,
    *,
    environ: Mapping[str, str],
    token_file: Path | None = None,
    token_var: str = "GITLAB_OIDC_TOKEN",
    environment: str = "",
    require_issuer: bool = False,
) -> VerifiedIdentity:
    """The job's ID token and its verified claims; no AWS call yet.

    The issuer is the configured one, else $TFOIDC_ISSUER, else the GitLab instance running the job
    ($CI_SERVER_URL, which is what GitLab puts in `iss`). With `require_issuer` (apply with branch
    rules) there must be one: branch rules on claims signed by whichever key the token names would be
    no rules at all.
    """
    token = discover_token(token_file=token_file, token_var=token_var, environ=environ)
    issuer = env.issuer or environ.get("TFOIDC_ISSUER") or environ.get("CI_SERVER_URL")
    if require_issuer and not issuer:
        raise InputError(
            f"environments.{environment}.issuer is not set and neither is $TFOIDC_ISSUER or $CI_SERVER_URL",
            hint='the branch rules can only trust claims from a known issuer, e.g. issuer = "https://gitlab.com"',
        )
    claims = verify_token(token, audience=env.audience or environ.get("TFOIDC_AUDIENCE"), issuer=issuer)
    return VerifiedIdentity(token=token, claims=dict(claims))


def ci_session(
    environment: str,
    env: EnvironmentConfig,
    identity: VerifiedIdentity,
    *,
    environ: Mapping[str, str],
    for_apply: bool = False,
) -> Session:
    """STS AssumeRoleWithWebIdentity (the plan role when one is set and this is not an apply), then the
    optional chained role."""
    role_arn = env.role_arn if for_apply else (env.plan_role_arn or env.role_arn)
    role_arn = _required(role_arn, environment, "role_arn")
    creds = assume_role_with_web_identity(
        identity.token,
        identity.claims,
        role_arn=role_arn,
        duration_seconds=env.session_duration,
        region=env.region,
    )
    if env.chain_role_arn:
        creds = chain_role(creds, role_arn=env.chain_role_arn, region=env.region)
    secrets = (identity.token.raw, *creds.secrets(), *user_listed_secrets(env, environ))
    if env.terraform_credentials == "web_identity":
        # The exchange above stays: it proves the trust policy admits this job, with tfoidc's
        # explanations when it does not, before Terraform starts.
        private_dir = Path(tempfile.mkdtemp(prefix="tfoidc-"))
        token_file = private_dir / "id-token"
        write_private(token_file, identity.token.raw)
        return Session(
            terraform_env=web_identity_environment(
                environ, role_arn, token_file, creds.session_name, env.region
            ),
            secrets=secrets,
            claims=identity.claims,
            role_arn=creds.role_arn,
            local=False,
            private_dir=private_dir,
        )
    return Session(
        terraform_env=terraform_environment(environ, creds, env.region),
        secrets=secrets,
        claims=identity.claims,
        role_arn=creds.role_arn,
        local=False,
    )


def local_session(
    environment: str, env: EnvironmentConfig, *, environ: Mapping[str, str], profile: str | None
) -> Session:
    """A developer's own AWS credentials (profile, SSO, ...) assume the environment's local role."""
    role_arn = _required(env.local_role_arn, environment, "local_role_arn")
    creds = assume_role_with_profile(
        role_arn=role_arn, profile=profile, duration_seconds=env.session_duration, region=env.region
    )
    return Session(
        terraform_env=terraform_environment(environ, creds, env.region),
        secrets=(*creds.secrets(), *user_listed_secrets(env, environ)),
        claims={},
        role_arn=creds.role_arn,
        local=True,
    )


def terraform_environment(
    environ: Mapping[str, str], creds: AwsCredentials, region: str | None
) -> dict[str, str]:
    return child_environment(environ, creds.as_env(), region) | _TERRAFORM_AUTOMATION


def web_identity_environment(
    environ: Mapping[str, str], role_arn: str, token_file: Path, session_name: str, region: str | None
) -> dict[str, str]:
    """Terraform's environment when the AWS SDKs in the provider and the S3 backend assume the role
    themselves from the token file (and refresh before the credentials expire)."""
    web_identity = {
        "AWS_ROLE_ARN": role_arn,
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
        "AWS_ROLE_SESSION_NAME": session_name,
    }
    return child_environment(environ, web_identity, region) | _TERRAFORM_AUTOMATION


def user_listed_secrets(env: EnvironmentConfig, environ: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(environ[name] for name in env.mask_env if environ.get(name))


def _required(value: str | None, environment: str, key: str) -> str:
    if not value:
        raise InputError(f"environments.{environment}.{key} is not set in tfoidc.toml")
    return value
