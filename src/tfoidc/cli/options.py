"""Options shared by the commands that obtain credentials, each defined once: the token options of
auth, exec, whoami, doctor, plan, apply and drift, the role options, and `--apply`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from tfoidc.config import DEFAULT_PLAN_AUDIENCE
from tfoidc.lifecycle.session import Overrides

F = TypeVar("F", bound=Callable[..., Any])


def _apply_all(fn: F, decorators: list[Callable[[F], F]]) -> F:
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def token_options(fn: F) -> F:
    """--token-file, --token-var, --audience, --issuer, --no-verify."""
    return _apply_all(
        fn,
        [
            click.option(
                "--token-file",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="Read the ID token from this file (first of the token sources).",
            ),
            click.option(
                "--token-var",
                default=None,
                help="Variable holding the ID token (the name under `id_tokens:`; default GITLAB_OIDC_TOKEN, "
                "then the legacy $CI_JOB_JWT_V2).",
            ),
            click.option(
                "--audience",
                default=None,
                help="The `aud` the token must carry. Default: the environment's `audience`, else "
                f"$TFOIDC_AUDIENCE, else {DEFAULT_PLAN_AUDIENCE}; for apply the environment's "
                "`apply_audience`, else $TFOIDC_APPLY_AUDIENCE, else <issuer>/apply.",
            ),
            click.option(
                "--issuer",
                default=None,
                help="The `iss` the token must carry, e.g. https://gitlab.com. Default: the environment's "
                "`issuer`, else $TFOIDC_ISSUER, else $CI_SERVER_URL (the GitLab running the job).",
            ),
            click.option(
                "--no-verify",
                "no_verify",
                is_flag=True,
                help="Skip the signature check (for runners that cannot reach GitLab); claims are still "
                "checked, and AWS verifies the signature itself.",
            ),
        ],
    )


def role_arn_option(fn: F) -> F:
    return click.option(
        "--role-arn",
        default=None,
        help="Assume this role instead of the environment's (without ENV: the role; default "
        "$TFOIDC_ROLE_ARN).",
    )(fn)


def session_options(fn: F) -> F:
    """--chain-role-arn, --duration, --region."""
    return _apply_all(
        fn,
        [
            click.option(
                "--chain-role-arn",
                default=None,
                help="Then assume this role with the first one's credentials (default: the environment's "
                "chain role for the purpose).",
            ),
            click.option(
                "--duration",
                type=int,
                default=None,
                help="Session length in seconds, 900-43200, at most 3600 when chaining (default: the "
                "environment's session_duration, else 3600).",
            ),
            click.option(
                "--region", default=None, help="STS region (default: the environment's, else boto3's)."
            ),
        ],
    )


def apply_flag(fn: F) -> F:
    return click.option(
        "--apply",
        "for_apply",
        is_flag=True,
        help="Act as the environment's apply job: its apply role, apply audience and chain role "
        "(default: its plan role and plan audience).",
    )(fn)


def overrides_from(kwargs: dict[str, Any]) -> Overrides:
    """Pop the shared options from a command's keyword arguments."""
    return Overrides(
        role_arn=kwargs.pop("role_arn", None),
        chain_role_arn=kwargs.pop("chain_role_arn", None),
        audience=kwargs.pop("audience", None),
        issuer=kwargs.pop("issuer", None),
        duration=kwargs.pop("duration", None),
        region=kwargs.pop("region", None),
        token_file=kwargs.pop("token_file", None),
        token_var=kwargs.pop("token_var", None),
        verify=not kwargs.pop("no_verify", False),
    )


def flags_of(ctx: click.Context) -> frozenset[str]:
    """Every option string of the command at hand: hints name only these."""
    return frozenset(opt for param in ctx.command.params for opt in (*param.opts, *param.secondary_opts))
