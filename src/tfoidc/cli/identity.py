"""`tfoidc auth | exec | whoami | doctor`: GitLab ID token -> AWS credentials, and why it fails."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from tfoidc.cli.console import stderr, stdout, warn
from tfoidc.errors import AuthError, InputError

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class TokenOptions:
    token_file: Path | None
    token_var: str
    audience: str | None
    issuer: str | None
    verify: bool


@dataclass(frozen=True)
class RoleOptions:
    role_arn: str
    chain_role_arn: str | None
    duration: int
    region: str | None


def token_options(fn: F) -> F:
    """--token-file, --token-var, --audience, --issuer, --no-verify: defined once for every command."""
    decorators = [
        click.option(
            "--token-file",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Read the ID token from this file (first of the token sources).",
        ),
        click.option(
            "--token-var",
            default="GITLAB_OIDC_TOKEN",
            show_default=True,
            help="Variable holding the ID token (the name under `id_tokens:`); then legacy $CI_JOB_JWT_V2.",
        ),
        click.option(
            "--audience", envvar="TFOIDC_AUDIENCE", default=None, help="Required `aud` [env TFOIDC_AUDIENCE]."
        ),
        click.option(
            "--issuer",
            # in a GitLab job $CI_SERVER_URL is the instance that signed the token: pinning it by default
            # means the signature is checked against that instance's keys, not ones the token names
            envvar=["TFOIDC_ISSUER", "CI_SERVER_URL"],
            default=None,
            help="Required `iss`, e.g. https://gitlab.com [env TFOIDC_ISSUER, else CI_SERVER_URL]; "
            "default: the token's own.",
        ),
        click.option(
            "--no-verify",
            "no_verify",
            is_flag=True,
            help="Skip the signature check (for runners that cannot reach GitLab); claims are still checked.",
        ),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def role_options(fn: F) -> F:
    """--role-arn, --chain-role-arn, --duration, --region."""
    decorators = [
        click.option(
            "--role-arn",
            envvar="TFOIDC_ROLE_ARN",
            required=True,
            help="Role to assume [env TFOIDC_ROLE_ARN].",
        ),
        click.option(
            "--chain-role-arn", default=None, help="Then assume this role with the first role's credentials."
        ),
        click.option(
            "--duration",
            type=int,
            default=3600,
            show_default=True,
            help="Session length in seconds (900-43200; chained sessions at most 3600).",
        ),
        click.option("--region", default=None, help="STS region (default: boto3's, e.g. $AWS_REGION)."),
    ]
    for decorator in reversed(decorators):
        fn = decorator(fn)
    return fn


def _token_opts(kwargs: dict[str, Any]) -> TokenOptions:
    return TokenOptions(
        token_file=kwargs.pop("token_file"),
        token_var=kwargs.pop("token_var"),
        audience=kwargs.pop("audience"),
        issuer=kwargs.pop("issuer"),
        verify=not kwargs.pop("no_verify"),
    )


def _role_opts(kwargs: dict[str, Any]) -> RoleOptions:
    return RoleOptions(
        role_arn=kwargs.pop("role_arn"),
        chain_role_arn=kwargs.pop("chain_role_arn"),
        duration=kwargs.pop("duration"),
        region=kwargs.pop("region"),
    )


def _load_token(opts: TokenOptions) -> Any:
    from tfoidc.identity.token import LEGACY_WARNING, discover_token

    token = discover_token(token_file=opts.token_file, token_var=opts.token_var)
    if token.is_legacy:
        warn(LEGACY_WARNING)
    return token


def _verified_claims(token: Any, opts: TokenOptions) -> dict[str, Any]:
    from tfoidc.identity.claims import verify_token

    return verify_token(token, audience=opts.audience, issuer=opts.issuer, verify_signature=opts.verify)


def _credentials(opts: TokenOptions, role: RoleOptions) -> tuple[Any, Any, dict[str, Any]]:
    """(token, credentials, claims): discover, check, exchange, optionally chain."""
    from tfoidc.identity.sts import CHAINED_SESSION_LIMIT, assume_role_with_web_identity, chain_role

    if role.chain_role_arn and role.duration > CHAINED_SESSION_LIMIT:
        # a flag error: refuse it before the token is read or STS is called
        raise InputError(
            f"--duration {role.duration} with --chain-role-arn: AWS caps role-chained sessions at 3600s",
            hint="pass --duration 3600 or less",
        )
    token = _load_token(opts)
    claims = _verified_claims(token, opts)
    creds = assume_role_with_web_identity(
        token, claims, role_arn=role.role_arn, duration_seconds=role.duration, region=role.region
    )
    if role.chain_role_arn:
        creds = chain_role(
            creds, role_arn=role.chain_role_arn, duration_seconds=role.duration, region=role.region
        )
    return token, creds, claims


# --- auth -------------------------------------------------------------------------------------------


@click.command("auth")
@token_options
@role_options
@click.option("--format", "fmt", type=click.Choice(["env", "json"]), default="env", show_default=True)
@click.option(
    "--web-identity-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the token here (0600) and emit AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE and "
    "AWS_ROLE_SESSION_NAME so SDKs and Terraform refresh credentials on their own.",
)
def auth(fmt: str, web_identity_file: Path | None, **kwargs: Any) -> None:
    """Print credentials as `export` lines (for eval) or JSON (credential_process format).

    \b
    eval "$(tfoidc auth --role-arn arn:aws:iam::123456789012:role/deploy)"
    """
    opts, role = _token_opts(kwargs), _role_opts(kwargs)
    if web_identity_file is not None and role.chain_role_arn:
        raise InputError("--web-identity-file cannot be combined with --chain-role-arn (SDKs cannot chain)")
    token, creds, _ = _credentials(opts, role)
    if web_identity_file is not None:
        from tfoidc.identity.files import write_private

        write_private(web_identity_file, token.raw)
        values = {
            "AWS_ROLE_ARN": creds.role_arn,
            "AWS_WEB_IDENTITY_TOKEN_FILE": str(web_identity_file.resolve()),
            "AWS_ROLE_SESSION_NAME": creds.session_name,
        }
    else:
        values = creds.as_env()
    if role.region:
        values["AWS_REGION"] = role.region
    if fmt == "json":
        if web_identity_file is None:
            document: dict[str, Any] = {
                "Version": 1,
                "AccessKeyId": creds.access_key_id,
                "SecretAccessKey": creds.secret_access_key,
                "SessionToken": creds.session_token,
                "Expiration": creds.expiration.isoformat(),
            }
        else:
            document = values
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo("\n".join(f"export {name}={shlex.quote(value)}" for name, value in values.items()))
    stderr.print(
        f"tfoidc: credentials for {creds.role_arn} (session {creds.session_name}) "
        f"valid until {creds.expiration:%Y-%m-%d %H:%M:%S %Z}",
        markup=False,
    )


# --- exec -------------------------------------------------------------------------------------------


@click.command("exec", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@token_options
@role_options
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def exec_(command: tuple[str, ...], **kwargs: Any) -> None:
    """Run COMMAND with the credentials in its environment only; exits with COMMAND's status.

    \b
    tfoidc exec --role-arn arn:aws:iam::123456789012:role/deploy -- terraform plan
    """
    opts, role = _token_opts(kwargs), _role_opts(kwargs)
    _, creds, _ = _credentials(opts, role)
    from tfoidc.identity.environment import child_environment

    env = child_environment(os.environ, creds.as_env(), role.region, also_drop=(opts.token_var,))
    returncode = _run_child(list(command), env)
    # A child killed by a signal reports -N; shells report 128+N, which is what CI and `$?` expect.
    code = returncode if returncode >= 0 else 128 - returncode
    # SystemExit, not click's Exit: the group runs with standalone_mode=False, which swallows Exit's code.
    sys.exit(code)


def _run_child(command: list[str], env: dict[str, str]) -> int:
    """Run `command` and wait for it, passing on the signals a cancelled CI job sends to tfoidc, so a
    child like `terraform apply` stops gracefully (and releases its state lock) instead of being orphaned.

    SIGINT is ignored here rather than forwarded: Ctrl-C already reaches the child through the terminal's
    process group, and a second SIGINT makes Terraform abort without cleaning up."""
    if threading.current_thread() is not threading.main_thread():  # signal handlers need the main thread
        return _start(command, env).wait()
    child: subprocess.Popen[bytes] | None = None
    pending: list[int] = []  # signals that arrived while the child was being started

    def forward(signum: int, _frame: Any) -> None:
        if child is None:
            pending.append(signum)
        else:
            child.send_signal(signum)

    handlers: dict[signal.Signals, Any] = {
        signal.SIGINT: signal.SIG_IGN,
        signal.SIGTERM: forward,
        signal.SIGHUP: forward,
    }
    previous = {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}
    try:
        child = _start(command, env)
        for signum in pending:
            child.send_signal(signum)
        return child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(command, env=env)
    except FileNotFoundError:
        raise InputError(f"command not found: {command[0]}") from None
    except PermissionError:
        raise InputError(f"command not executable: {command[0]}") from None


# --- whoami -----------------------------------------------------------------------------------------


@click.command("whoami")
@token_options
@click.option(
    "--role-arn", envvar="TFOIDC_ROLE_ARN", default=None, help="Also exchange and call GetCallerIdentity."
)
@click.option("--duration", type=int, default=900, show_default=True, help="Session length for --role-arn.")
@click.option("--region", default=None, help="STS region (default: boto3's).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def whoami(role_arn: str | None, duration: int, region: str | None, fmt: str, **kwargs: Any) -> None:
    """Show the ID token's claims (never the token) and, with --role-arn, who AWS says you are."""
    from tfoidc.identity.sts import assume_role_with_web_identity, caller_identity

    opts = _token_opts(kwargs)
    token = _load_token(opts)
    report: dict[str, Any] = {"source": token.source, "claims": token.unverified_claims}
    failure: AuthError | None = None
    try:
        _verified_claims(token, opts)
        report["checks"] = "passed" + ("" if opts.verify else " (signature not verified: --no-verify)")
    except AuthError as exc:
        failure = exc
        report["checks"] = f"failed: {exc.one_line()}"
    if role_arn and failure is None:
        creds = assume_role_with_web_identity(
            token, token.unverified_claims, role_arn=role_arn, duration_seconds=duration, region=region
        )
        report["aws"] = {**caller_identity(creds, region=region), "SessionName": creds.session_name}
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, default=str))
    else:
        stdout.print(_whoami_table(report))
    if failure is not None:
        raise failure


def _whoami_table(report: dict[str, Any]) -> Table:
    table = Table(title=escape(f"ID token from {report['source']}"), show_header=False)
    table.add_column("claim", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for name, value in report["claims"].items():
        table.add_row(Text(name), Text(_claim_text(name, value)))
    table.add_row("checks", Text(report["checks"]))
    for name, value in report.get("aws", {}).items():
        table.add_row(f"aws {name}", Text(value))
    return table


def _claim_text(name: str, value: Any) -> str:
    if name in ("exp", "iat", "nbf") and isinstance(value, int):
        from datetime import UTC, datetime

        return f"{value} ({datetime.fromtimestamp(value, UTC):%Y-%m-%d %H:%M:%S} UTC)"
    return str(value)


# --- doctor -----------------------------------------------------------------------------------------


@click.command("doctor")
@token_options
@click.option("--role-arn", envvar="TFOIDC_ROLE_ARN", required=True, help="Role whose trust policy to check.")
@click.option(
    "--profile", default=None, help="AWS profile to read IAM with (default: boto3's default chain)."
)
@click.option("--region", default=None, help="Region for the IAM client (default: boto3's).")
def doctor(role_arn: str, profile: str | None, region: str | None, **kwargs: Any) -> None:
    """Explain, condition by condition, whether the role's trust policy accepts this token.

    Reads the trust policy and the account's OIDC providers with your own AWS credentials, evaluates
    them as IAM would, and flags trust any other project could satisfy. Exits 4 when IAM would refuse.
    """
    from tfoidc.identity.doctor import diagnose, read_role_trust

    opts = _token_opts(kwargs)
    token = _load_token(opts)
    claims = _verified_claims(token, opts)
    diagnosis = diagnose(read_role_trust(role_arn, profile=profile, region=region), claims)
    stdout.print(_doctor_table(diagnosis, claims))
    for warning in diagnosis.warnings:
        warn(escape(f"[{warning.code}] {warning.message}"))
    if not diagnosis.allowed:
        raise AuthError(
            f"IAM would refuse sts:AssumeRoleWithWebIdentity on {role_arn}: {diagnosis.reason}",
            hint="change the job's ref/audience, or the role's trust policy, so every condition of one Allow "
            "statement matches",
        )
    stdout.print(f"[green]allowed[/green]: {escape(diagnosis.reason)}")


def _doctor_table(diagnosis: Any, claims: dict[str, Any]) -> Table:
    mark = {True: "[green]matched[/green]", False: "[red]not matched[/red]"}
    table = Table(title=escape(f"trust policy of {diagnosis.role_arn} for sub={claims.get('sub')!r}"))
    for column in ("statement", "check", "expected", "token"):
        table.add_column(column, overflow="fold")
    table.add_column("result", no_wrap=True)
    table.add_row(
        "-",
        "OIDC provider",
        Text(diagnosis.issuer_host),
        Text(diagnosis.provider_arn if diagnosis.provider_registered else "(not registered in the account)"),
        mark[diagnosis.provider_registered],
    )
    if diagnosis.provider_registered:
        table.add_row(
            "-",
            "OIDC provider audiences",
            Text(", ".join(diagnosis.provider_audiences) or "(none)"),
            Text(", ".join(diagnosis.token_audiences) or "(absent)"),
            mark[diagnosis.audience_registered],
        )
    # Policy text and claims are data, never rich markup: Text() keeps a '[' in them literal.
    for result in diagnosis.decision.statements:
        label = Text(f"{result.label} {result.effect}")
        table.add_row(
            label, "principal", Text(result.principal_explanation), "", mark[result.principal_matched]
        )
        table.add_row(label, "action", Text(result.action_explanation), "", mark[result.action_matched])
        for condition in result.conditions:
            actual = "(absent)" if condition.actual is None else ", ".join(condition.actual)
            table.add_row(
                label,
                Text(f"{condition.operator} {condition.key}"),
                Text(", ".join(condition.expected)),
                Text(actual),
                mark[condition.matched],
            )
    return table


COMMANDS: list[click.Command] = [auth, exec_, whoami, doctor]
