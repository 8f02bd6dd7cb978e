"""What an environment asks of the job's identity, and the credentials a Terraform run gets.

`credential_request` is the one place that resolves which role, audience, issuer and chain a command
uses, from the command line, the environment in tfoidc.toml and the job's variables, for every command
(plan, apply, drift, and auth, exec, whoami, doctor given ENV). `identity.credentials` then obtains
them. Credentials reach Terraform only through the environment built here.

Which control is what (docs/security.md): the role's IAM trust policy, and the separate audiences it
accepts, are the boundary; the audience and issuer checks here, like the branch rules, are guards
that refuse a mistake before AWS is asked.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tfoidc.config import (
    DEFAULT_PLAN_AUDIENCE,
    Config,
    EnvironmentConfig,
    default_apply_audience,
)
from tfoidc.errors import InputError
from tfoidc.identity.credentials import (
    CredentialRequest,
    Obtained,
    RoleRequest,
    TokenCheck,
    TokenSource,
    exchange,
)
from tfoidc.identity.environment import child_environment, secret_values
from tfoidc.identity.files import write_private
from tfoidc.identity.hints import Spelling, either
from tfoidc.identity.sts import AwsCredentials, assume_role_with_profile, refreshing_session
from tfoidc.identity.token import DEFAULT_TOKEN_VAR

Purpose = Literal["plan", "apply"]  # drift is a plan
# Terraform never asks for input or phones home in a job.
_TERRAFORM_AUTOMATION = {"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "CHECKPOINT_DISABLE": "1"}


@dataclass(frozen=True)
class Overrides:
    """What the command line says; None: not given."""

    role_arn: str | None = None
    chain_role_arn: str | None = None
    audience: str | None = None
    issuer: str | None = None
    duration: int | None = None
    region: str | None = None
    token_file: Path | None = None
    token_var: str | None = None
    verify: bool = True


def environment_config(config: Config, name: str) -> EnvironmentConfig:
    env = config.environments.get(name)
    if env is None:
        known = ", ".join(sorted(config.environments)) or "none (is there a tfoidc.toml?)"
        raise InputError(f"unknown environment {name!r}; tfoidc.toml defines: {known}")
    return env


def credential_request(
    name: str | None,
    env: EnvironmentConfig | None,
    purpose: Purpose,
    overrides: Overrides,
    *,
    environ: Mapping[str, str],
    flags: Iterable[str],
    require_role: bool = True,
) -> CredentialRequest:
    """The request for `purpose` in environment `name` (or from the flags alone when `env` is None).

    Each setting: the flag, else the environment in tfoidc.toml, else the job's variable, else the
    default. The audience is never left open: plan and drift require the plan audience
    (`audience`, $TFOIDC_AUDIENCE, else sts.amazonaws.com, what the shipped pipeline's plan jobs
    request); apply requires the apply audience (`apply_audience`, $TFOIDC_APPLY_AUDIENCE, else
    <issuer>/apply). `flags` are the command's own options, so that hints name only those."""
    spelling = _spelling(name if env is not None else None, purpose, frozenset(flags))
    issuer = (
        overrides.issuer
        or (env.issuer if env else None)
        or environ.get("TFOIDC_ISSUER")
        or environ.get("CI_SERVER_URL")
        or None
    )
    audience = overrides.audience or _configured_audience(env, purpose, environ)
    if audience is None:  # apply, with nothing configured: <issuer>/apply
        if not issuer:
            where = f"environments.{name}.apply_audience" if env is not None else "--audience"
            raise InputError(
                f"no apply audience: {where} is not set, and no issuer to derive <issuer>/apply from",
                hint=f"set {where}, or the issuer ({either(spelling.issuer, '$TFOIDC_ISSUER')})",
            )
        audience = default_apply_audience(issuer)
    role = _role(name, env, purpose, overrides, spelling, required=require_role)
    return CredentialRequest(
        source=TokenSource(overrides.token_file, overrides.token_var or DEFAULT_TOKEN_VAR),
        check=TokenCheck(audience=audience, issuer=issuer, verify_signature=overrides.verify),
        role=role,
        spelling=spelling,
    )


def _configured_audience(
    env: EnvironmentConfig | None, purpose: Purpose, environ: Mapping[str, str]
) -> str | None:
    if purpose == "apply":
        return (env.apply_audience if env else None) or environ.get("TFOIDC_APPLY_AUDIENCE") or None
    return (env.audience if env else None) or environ.get("TFOIDC_AUDIENCE") or DEFAULT_PLAN_AUDIENCE


def _role(
    name: str | None,
    env: EnvironmentConfig | None,
    purpose: Purpose,
    overrides: Overrides,
    spelling: Spelling,
    *,
    required: bool,
) -> RoleRequest | None:
    configured: str | None = None
    chain: str | None = None
    if env is not None:
        configured = env.role_arn if purpose == "apply" else (env.plan_role_arn or env.role_arn)
        chain = env.chain_role_arn if purpose == "apply" else env.plan_chain_role_arn
    role_arn = overrides.role_arn or configured
    if not role_arn:
        if not required:
            return None
        key = "role_arn" if purpose == "apply" else "plan_role_arn or role_arn"
        raise InputError(
            f"environments.{name}.{key} is not set in tfoidc.toml"
            if env is not None
            else "no role to assume",
            hint=f"pass {spelling.role}" if spelling.role and env is None else None,
        )
    return RoleRequest(
        role_arn=role_arn,
        chain_role_arn=overrides.chain_role_arn or chain,
        duration=overrides.duration or (env.session_duration if env else 3600),
        region=overrides.region or (env.region if env else None),
    )


def _spelling(name: str | None, purpose: Purpose, flags: frozenset[str]) -> Spelling:
    def flag(option: str) -> str | None:
        return option if option in flags else None

    def key(setting: str) -> str | None:
        return f"environments.{name}.{setting}" if name is not None else None

    apply = purpose == "apply"
    return Spelling(
        audience=either(flag("--audience"), key("apply_audience" if apply else "audience")),
        issuer=either(flag("--issuer"), key("issuer")),
        no_verify=flag("--no-verify"),
        token_file=flag("--token-file"),
        token_var=flag("--token-var"),
        role=either(flag("--role-arn"), key("role_arn" if apply else "plan_role_arn")),
        chain_role=either(
            flag("--chain-role-arn"), key("chain_role_arn" if apply else "plan_chain_role_arn")
        ),
        duration=either(flag("--duration"), key("session_duration")),
        region=either(flag("--region"), key("region")),
    )


# --- the session a Terraform run gets -----------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    terraform_env: dict[str, str] = field(repr=False)
    secrets: tuple[str, ...] = field(repr=False)
    claims: dict[str, Any]
    role_arn: str
    local: bool
    # web_identity mode: the private directory holding the ID token file Terraform reads.
    private_dir: Path | None = None
    # tfoidc's own AWS calls during the run (the state lock): a boto3 session that renews itself.
    aws: Callable[[], Any] | None = field(default=None, repr=False)

    def close(self) -> None:
        """Remove the ID token file, if this session wrote one."""
        if self.private_dir is not None:
            shutil.rmtree(self.private_dir, ignore_errors=True)


def ci_session(
    env: EnvironmentConfig,
    request: CredentialRequest,
    obtained: Obtained,
    *,
    environ: Mapping[str, str],
) -> Session:
    """The Terraform environment for credentials obtained from the job's ID token."""
    identity, creds = obtained.identity, obtained.credentials
    role = request.role
    assert role is not None
    token_var = request.source.token_var
    secrets = (
        identity.token.raw,
        *creds.secrets(),
        *user_listed_secrets(env, environ),
        *secret_values(environ, also=[token_var]),
    )

    def renewed() -> AwsCredentials:
        return exchange(identity, role, request.spelling)

    def aws() -> Any:
        return refreshing_session(creds, renewed, region=role.region)

    if env.terraform_credentials == "web_identity":
        # The exchange above stays: it proves the trust policy admits this job, with tfoidc's
        # explanations when it does not, before Terraform starts.
        private_dir = Path(tempfile.mkdtemp(prefix="tfoidc-"))
        try:
            token_file = private_dir / "id-token"
            write_private(token_file, identity.token.raw)
        except BaseException:
            shutil.rmtree(private_dir, ignore_errors=True)
            raise
        return Session(
            terraform_env=web_identity_environment(
                environ, obtained.web_identity_role, token_file, creds.session_name, role.region, token_var
            ),
            secrets=secrets,
            claims=identity.claims,
            role_arn=creds.role_arn,
            local=False,
            private_dir=private_dir,
            aws=aws,
        )
    return Session(
        terraform_env=terraform_environment(environ, creds, role.region, token_var),
        secrets=secrets,
        claims=identity.claims,
        role_arn=creds.role_arn,
        local=False,
        aws=aws,
    )


def local_session(
    environment: str, env: EnvironmentConfig, *, environ: Mapping[str, str], profile: str | None
) -> Session:
    """A developer's own AWS credentials (profile, SSO, ...) assume the environment's local role."""
    if not env.local_role_arn:
        raise InputError(f"environments.{environment}.local_role_arn is not set in tfoidc.toml")
    role_arn = env.local_role_arn

    def assume() -> AwsCredentials:
        return assume_role_with_profile(
            role_arn=role_arn, profile=profile, duration_seconds=env.session_duration, region=env.region
        )

    creds = assume()
    return Session(
        terraform_env=terraform_environment(environ, creds, env.region),
        secrets=(*creds.secrets(), *user_listed_secrets(env, environ), *secret_values(environ)),
        claims={},
        role_arn=creds.role_arn,
        local=True,
        aws=lambda: refreshing_session(creds, assume, region=env.region),
    )


def terraform_environment(
    environ: Mapping[str, str], creds: AwsCredentials, region: str | None, token_var: str = DEFAULT_TOKEN_VAR
) -> dict[str, str]:
    return child_environment(environ, creds.as_env(), region, also_drop=[token_var]) | _TERRAFORM_AUTOMATION


def web_identity_environment(
    environ: Mapping[str, str],
    role_arn: str,
    token_file: Path,
    session_name: str,
    region: str | None,
    token_var: str = DEFAULT_TOKEN_VAR,
) -> dict[str, str]:
    """Terraform's environment when the AWS SDKs in the provider and the S3 backend assume the role
    themselves from the token file (and refresh before the credentials expire)."""
    web_identity = {
        "AWS_ROLE_ARN": role_arn,
        "AWS_WEB_IDENTITY_TOKEN_FILE": str(token_file),
        "AWS_ROLE_SESSION_NAME": session_name,
    }
    return child_environment(environ, web_identity, region, also_drop=[token_var]) | _TERRAFORM_AUTOMATION


def user_listed_secrets(env: EnvironmentConfig, environ: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(environ[name] for name in env.mask_env if environ.get(name))
