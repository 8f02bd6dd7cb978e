"""`tfoidc audit roles | trail`: who can assume the GitLab roles of an account, and who did."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tfoidc.cli.context import load_config_from_context
from tfoidc.cli.options import role_arn_option, token_options
from tfoidc.guardrails.policy import FailOn
from tfoidc.report.audit import AUDIT_FORMATS

if TYPE_CHECKING:
    import boto3

    from tfoidc.config import Config

FAIL_ON: tuple[FailOn, ...] = ("block", "warn", "never")


F = TypeVar("F", bound=Callable[..., Any])


def _common(command: F) -> F:
    """The options every audit command shares."""
    for option in reversed(
        [
            click.option(
                "--profile",
                default=None,
                help="AWS profile to read the account with (default: boto3's chain).",
            ),
            click.option(
                "--environment",
                "-e",
                "environment",
                default=None,
                help="Read the account with ENV's plan role (tfoidc.toml), through the job's GitLab ID "
                "token, as `tfoidc plan ENV` does; --role-arn names another role (e.g. an audit role).",
            ),
            token_options,
            role_arn_option,
            click.option(
                "--format", "fmt", type=click.Choice(AUDIT_FORMATS), default="text", show_default=True
            ),
            click.option(
                "--output",
                "-o",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="Write the report to FILE (atomically) instead of stdout.",
            ),
            click.option(
                "--fail-on",
                type=click.Choice(FAIL_ON),
                default="block",
                show_default=True,
                help="Exit 3 when unwaived findings reach this severity.",
            ),
        ]
    ):
        command = option(command)
    return command


@click.group("audit")
def audit_group() -> None:
    """Audit the account's GitLab roles: who can assume them (roles) and who did (trail)."""


@audit_group.command("trail")
@click.option(
    "--since", default="1d", show_default=True, help="Start of the window: 1d, 12h, 2w or a date/time."
)
@click.option("--until", default=None, help="End of the window (default: now).")
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="Region whose event history to read (repeatable; default: the session's region). Ignored with --s3.",
)
@click.option(
    "--s3",
    default=None,
    metavar="s3://BUCKET/PREFIX",
    help="Read a trail's log files from S3 instead of the LookupEvents API (organisation trails included).",
)
@click.option(
    "--activity", is_flag=True, help="Also count what each session's credentials did, and list its writes."
)
@_common
@click.pass_context
def trail_command(
    ctx: click.Context,
    since: str,
    until: str | None,
    regions: tuple[str, ...],
    s3: str | None,
    activity: bool,
    profile: str | None,
    environment: str | None,
    fmt: str,
    output: Path | None,
    fail_on: FailOn,
    **identity: Any,
) -> None:
    """Who assumed the GitLab roles (AssumeRoleWithWebIdentity in CloudTrail), from which project, ref,
    pipeline and job, and whether it went through tfoidc; refused attempts included."""
    from tfoidc.audit.run import audit_trail, parse_window

    config = load_config_from_context(ctx)
    window = parse_window(since, until)
    aws = _account_session(ctx, config, environment, profile, identity)
    chosen = list(regions) or [aws.region_name or "us-east-1"]
    table = audit_trail(aws, config, window=window, regions=chosen, s3=s3, activity=activity)
    _emit(table, fmt, output, fail_on)


@audit_group.command("roles")
@_common
@click.pass_context
def roles_command(
    ctx: click.Context,
    profile: str | None,
    environment: str | None,
    fmt: str,
    output: Path | None,
    fail_on: FailOn,
    **identity: Any,
) -> None:
    """Who can assume each role that trusts a GitLab (or other OIDC) provider, what it can do, and how that
    squares with tfoidc.toml: the trust policies read as IAM would, with the guardrails' own rule."""
    from tfoidc.audit.run import audit_account_roles
    from tfoidc.identity.sts import client_config

    config = load_config_from_context(ctx)
    iam = _account_session(ctx, config, environment, profile, identity).client("iam", config=client_config())
    _emit(audit_account_roles(iam, config), fmt, output, fail_on)


def _account_session(
    ctx: click.Context, config: Config, environment: str | None, profile: str | None, identity: dict[str, Any]
) -> boto3.Session:
    """boto3's own chain (or --profile); with -e ENV or --role-arn, the credentials tfoidc obtains from
    the job's ID token, the one way every command obtains them."""
    import os

    from tfoidc.cli.options import flags_of, overrides_from
    from tfoidc.identity.credentials import exchange, obtain_credentials
    from tfoidc.identity.sts import refreshing_session, session
    from tfoidc.lifecycle.session import credential_request, environment_config

    overrides = overrides_from(identity)
    if environment is None and overrides.role_arn is None:
        return session(profile)
    if profile is not None:
        raise click.UsageError("--profile reads with your own credentials: not with -e/--role-arn")
    environ = dict(os.environ)
    env = environment_config(config, environment) if environment is not None else None
    request = credential_request(environment, env, "plan", overrides, environ=environ, flags=flags_of(ctx))
    obtained = obtain_credentials(request, environ=environ)
    role = request.role
    assert role is not None  # a request always names its role (require_role)
    return refreshing_session(
        obtained.credentials,
        lambda: exchange(obtained.identity, role, request.spelling),
        region=role.region,
    )


def _emit(table: object, fmt: str, output: Path | None, fail_on: FailOn) -> None:
    from tfoidc.files import write_atomic
    from tfoidc.guardrails.engine import enforce
    from tfoidc.report.audit import AuditTable, render_audit

    assert isinstance(table, AuditTable)
    text = render_audit(table, fmt)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(output, text.encode())
    enforce(table.findings, fail_on)


COMMANDS = [audit_group]
