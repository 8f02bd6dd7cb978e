"""`tfoidc auth | exec | whoami | doctor`: GitLab ID token -> AWS credentials, and why it fails.

Each acts on an environment of tfoidc.toml (ENV: its plan role and audience, or with --apply its apply
role and audience), or on the role given with --role-arn; credentials come from
`identity.credentials`, the one path every command takes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from tfoidc.cli.console import stderr, stdout, warn
from tfoidc.cli.context import load_config_from_context
from tfoidc.cli.options import (
    apply_flag,
    flags_of,
    overrides_from,
    role_arn_option,
    session_options,
    token_options,
)
from tfoidc.errors import AuthError, InputError
from tfoidc.identity.credentials import CredentialRequest, Obtained, VerifiedIdentity

ROLE_ARN_ENV_VAR = "TFOIDC_ROLE_ARN"


def _request(
    ctx: click.Context, environment: str | None, kwargs: dict[str, Any], *, require_role: bool = True
) -> CredentialRequest:
    """What this command asks for: ENV's settings (plan, or apply with --apply) under the flags, or the
    flags alone (the role then from --role-arn or $TFOIDC_ROLE_ARN)."""
    from tfoidc.lifecycle.session import credential_request, environment_config

    purpose = "apply" if kwargs.pop("for_apply", False) else "plan"
    overrides = overrides_from(kwargs)
    env = None
    if environment:
        env = environment_config(load_config_from_context(ctx), environment)
    elif overrides.role_arn is None and os.environ.get(ROLE_ARN_ENV_VAR):
        overrides = replace(overrides, role_arn=os.environ[ROLE_ARN_ENV_VAR])
    if require_role and env is None and overrides.role_arn is None:
        raise InputError(
            "no role to assume: name an environment of tfoidc.toml (ENV) or pass --role-arn",
            hint=f"or set ${ROLE_ARN_ENV_VAR}",
        )
    return credential_request(
        environment,
        env,
        purpose,  # type: ignore[arg-type]
        overrides,
        environ=os.environ,
        flags=flags_of(ctx),
        require_role=require_role,
    )


def _obtain(request: CredentialRequest) -> Obtained:
    from tfoidc.identity.credentials import obtain_credentials

    obtained = obtain_credentials(request, environ=os.environ)
    _warn_about(obtained.identity)
    return obtained


def _warn_about(identity: VerifiedIdentity) -> None:
    for warning in identity.warnings:
        warn(warning)


_ENVIRONMENT = click.argument("environment", required=False)


# --- auth -------------------------------------------------------------------------------------------


@click.command("auth")
@_ENVIRONMENT
@apply_flag
@token_options
@role_arn_option
@session_options
@click.option("--format", "fmt", type=click.Choice(["env", "json"]), default="env", show_default=True)
@click.option("--web-identity-file", type=click.Path(path_type=Path), default=None, hidden=True)
@click.pass_context
def auth(
    ctx: click.Context, environment: str | None, fmt: str, web_identity_file: Path | None, **kwargs: Any
) -> None:
    """Print credentials as `export` lines (for eval) or JSON (credential_process format).

    \b
    eval "$(tfoidc auth prod)"
    eval "$(tfoidc auth --role-arn arn:aws:iam::123456789012:role/deploy)"
    """
    if web_identity_file is not None:
        raise InputError(
            "--web-identity-file is gone: a token file in a folder of your choice outlived the command",
            hint="run the command with `tfoidc exec [ENV] --web-identity -- COMMAND`: the token file then "
            "lives in a private folder removed when COMMAND ends",
        )
    request = _request(ctx, environment, kwargs)
    creds = _obtain(request).credentials
    values = creds.as_env()
    region = request.role.region if request.role else None
    if region:
        values["AWS_REGION"] = region
    if fmt == "json":
        document: dict[str, Any] = {
            "Version": 1,
            "AccessKeyId": creds.access_key_id,
            "SecretAccessKey": creds.secret_access_key,
            "SessionToken": creds.session_token,
            "Expiration": creds.expiration.isoformat(),
        }
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo("\n".join(f"export {name}={shlex.quote(value)}" for name, value in values.items()))
    stderr.print(
        f"tfoidc: credentials for {creds.role_arn} (session {creds.session_name}) "
        f"valid until {creds.expiration:%Y-%m-%d %H:%M:%S %Z}",
        markup=False,
    )


# --- exec -------------------------------------------------------------------------------------------


class _CommandAfterDashes(click.Command):
    """`tfoidc exec [ENV] [OPTIONS] -- COMMAND [ARGS]...`: everything after the first `--` is the command,
    whatever it looks like; before it, tfoidc's own arguments."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" in args:
            cut = args.index("--")
            ctx.meta["tfoidc.exec.command"] = args[cut + 1 :]
            args = args[:cut]
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return ["[ENV]", "[OPTIONS]", "--", "COMMAND", "[ARGS]..."]


@click.command("exec", cls=_CommandAfterDashes)
@click.argument("environment", nargs=-1)
@apply_flag
@token_options
@role_arn_option
@session_options
@click.option(
    "--web-identity",
    is_flag=True,
    help="Give COMMAND the token in a private file (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE) instead of "
    "keys, so its SDKs refresh credentials themselves; the file is removed when COMMAND ends.",
)
@click.pass_context
def exec_(ctx: click.Context, environment: tuple[str, ...], web_identity: bool, **kwargs: Any) -> None:
    """Run COMMAND with the credentials in its environment only; exits with COMMAND's status.

    COMMAND gets no token variable of the job, its output is masked like Terraform's, and a cancelled
    job's SIGTERM reaches it once (tfoidc then exits 128+N).

    \b
    tfoidc exec prod -- terraform plan
    tfoidc exec --role-arn arn:aws:iam::123456789012:role/deploy -- aws s3 ls
    """
    command: list[str] | None = ctx.meta.get("tfoidc.exec.command")
    if not command:
        raise click.UsageError(
            "no command: put it after `--`, as in `tfoidc exec [ENV] -- COMMAND [ARGS]...`"
        )
    if len(environment) > 1:
        raise click.UsageError(
            f"more than one ENV before `--`: {' '.join(environment)} (the command goes after `--`)"
        )
    request = _request(ctx, environment[0] if environment else None, kwargs)
    assert request.role is not None
    if web_identity and request.role.chain_role_arn:
        raise InputError("--web-identity cannot be combined with a chained role (SDKs cannot chain)")
    obtained = _obtain(request)
    from tfoidc import process
    from tfoidc.identity.environment import child_environment, secret_values
    from tfoidc.terraform.masking import Masker

    token, creds = obtained.identity.token, obtained.credentials
    token_var = request.source.token_var
    masker = Masker((token.raw, *creds.secrets(), *secret_values(os.environ, also=[token_var])))
    with _private_folder(web_identity) as folder:
        variables = creds.as_env()
        if folder is not None:
            from tfoidc.identity.files import write_private

            write_private(folder / "id-token", token.raw)
            variables = {
                "AWS_ROLE_ARN": obtained.web_identity_role,
                "AWS_WEB_IDENTITY_TOKEN_FILE": str(folder / "id-token"),
                "AWS_ROLE_SESSION_NAME": creds.session_name,
            }
        env = child_environment(os.environ, variables, request.role.region, also_drop=[token_var])
        ended = process.run(
            command,
            env=env,
            on_stdout=_writer(sys.stdout),
            on_stderr=_writer(sys.stderr),
            line_filter=masker.stream,
            what=Path(command[0]).name,
        )
    # A child killed by a signal reports -N; shells report 128+N, which is what CI and `$?` expect.
    # SystemExit, not click's Exit: the group runs with standalone_mode=False, which swallows Exit's code.
    sys.exit(ended.shell_code)


@contextlib.contextmanager
def _private_folder(wanted: bool) -> Iterator[Path | None]:
    """A folder only this user can enter (0700, unguessable name), removed when the block ends."""
    if not wanted:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="tfoidc-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _writer(stream: IO[str]) -> Any:
    def write(line: str) -> None:
        with contextlib.suppress(BrokenPipeError):
            stream.write(line + "\n")
            stream.flush()

    return write


# --- whoami -----------------------------------------------------------------------------------------


@click.command("whoami")
@_ENVIRONMENT
@apply_flag
@token_options
@role_arn_option
@session_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def whoami(ctx: click.Context, environment: str | None, fmt: str, **kwargs: Any) -> None:
    """Show the ID token's claims (never the token) and, with a role (ENV or --role-arn), who AWS says
    you are."""
    from tfoidc.identity.credentials import exchange, read_token, verify
    from tfoidc.identity.sts import caller_identity

    if kwargs.get("duration") is None and not environment:
        kwargs["duration"] = 900  # the shortest session STS grants: whoami only asks who it is
    request = _request(ctx, environment, kwargs, require_role=False)
    token = read_token(request, os.environ)
    report: dict[str, Any] = {"source": token.source, "claims": token.unverified_claims}
    failure: AuthError | None = None
    try:
        identity = verify(token, request)
        _warn_about(identity)
        report["checks"] = "passed" + (
            "" if request.check.verify_signature else " (signature not verified: --no-verify)"
        )
    except AuthError as exc:
        failure = exc
        report["checks"] = f"failed: {exc.one_line()}"
    if request.role is not None and failure is None:
        creds = exchange(identity, request.role, request.spelling)
        report["aws"] = {
            **caller_identity(creds, region=request.role.region),
            "SessionName": creds.session_name,
        }
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
@_ENVIRONMENT
@apply_flag
@token_options
@role_arn_option
@click.option(
    "--profile", default=None, help="AWS profile to read IAM with (default: boto3's default chain)."
)
@click.option("--region", default=None, help="Region for the IAM client (default: boto3's).")
@click.pass_context
def doctor(ctx: click.Context, environment: str | None, profile: str | None, **kwargs: Any) -> None:
    """Explain, condition by condition, whether the role's trust policy (ENV's, or --role-arn) accepts
    this token.

    Reads the trust policy and the account's OIDC providers with your own AWS credentials, evaluates
    them as IAM would, and flags trust any other project could satisfy. Exits 4 when IAM would refuse.
    """
    from tfoidc.identity.credentials import verify_identity
    from tfoidc.identity.doctor import diagnose, read_role_trust

    purpose = "apply" if kwargs.get("for_apply") else "plan"
    request = _request(ctx, environment, kwargs)
    assert request.role is not None
    role_arn = request.role.role_arn
    identity = verify_identity(request, os.environ)
    _warn_about(identity)
    claims = identity.claims
    diagnosis = diagnose(read_role_trust(role_arn, profile=profile, region=request.role.region), claims)
    _print_doctor_checks(diagnosis, claims)
    for warning in diagnosis.warnings:
        warn(escape(f"[{warning.code}] {warning.message}"))
    if not diagnosis.allowed:
        _print_subject_advice(diagnosis, str(claims.get("sub", "")), purpose)
        raise AuthError(
            f"IAM would refuse sts:AssumeRoleWithWebIdentity on {role_arn}: {diagnosis.reason}",
            hint="change the job's ref/audience, or the role's trust policy, so every condition of one Allow "
            "statement matches",
        )
    stdout.print(f"[green]allowed[/green]: {escape(diagnosis.reason)}")


def _print_subject_advice(diagnosis: Any, sub: str, purpose: str) -> None:
    """Which part of `sub` the trust policy refused, and the subject line that would trust this job.
    Printed unwrapped: a value cut at the terminal's width cannot be pasted back."""
    from tfoidc.identity.doctor import MODULE_PATH, subject_line, subject_mismatch

    mismatch = subject_mismatch(diagnosis, sub)
    if mismatch is None:
        return
    stdout.print(Text(mismatch.explanation()), soft_wrap=True)
    if mismatch.part == "project path":
        stdout.print(
            Text(
                "the role trusts another project: trust this one only if its pipelines should have the "
                "role (set the module's project_path, or add its subject)"
            ),
            soft_wrap=True,
        )
    stdout.print(Text(f"to trust this job, put in {MODULE_PATH}'s variables:"), soft_wrap=True)
    stdout.print(Text(f"  {subject_line(sub, purpose)}"), soft_wrap=True)


_MARK = {True: "[green]matched[/green]", False: "[red]not matched[/red]"}
_COLUMNS = ("statement", "check", "expected", "token", "result")


def _doctor_rows(diagnosis: Any) -> list[tuple[str, str, str, str, bool]]:
    """(statement, check, expected, token, matched) for the provider, its audiences and every condition."""
    rows: list[tuple[str, str, str, str, bool]] = [
        (
            "-",
            "OIDC provider",
            diagnosis.issuer_host,
            diagnosis.provider_arn if diagnosis.provider_registered else "(not registered in the account)",
            diagnosis.provider_registered,
        )
    ]
    if diagnosis.provider_registered:
        rows.append(
            (
                "-",
                "OIDC provider audiences",
                ", ".join(diagnosis.provider_audiences) or "(none)",
                ", ".join(diagnosis.token_audiences) or "(absent)",
                diagnosis.audience_registered,
            )
        )
    for result in diagnosis.decision.statements:
        label = f"{result.label} {result.effect}"
        rows.append((label, "principal", result.principal_explanation, "", result.principal_matched))
        rows.append((label, "action", result.action_explanation, "", result.action_matched))
        for condition in result.conditions:
            actual = "(absent)" if condition.actual is None else ", ".join(condition.actual)
            rows.append(
                (
                    label,
                    f"{condition.operator} {condition.key}",
                    ", ".join(condition.expected),
                    actual,
                    condition.matched,
                )
            )
    return rows


def _print_doctor_checks(diagnosis: Any, claims: dict[str, Any]) -> None:
    """A table when every value fits on one line of the terminal, else one check per block with each
    value on a line of its own: an ARN or a subject is never cut in the middle."""
    rows = _doctor_rows(diagnosis)
    title = f"trust policy of {diagnosis.role_arn} for sub={claims.get('sub')!r}"
    widths = [max(len(c), *(len(str(r[i])) for r in rows)) for i, c in enumerate(_COLUMNS[:4])]
    needed = sum(widths) + len("not matched") + 3 * len(_COLUMNS) + 1
    if needed <= stdout.width:
        stdout.print(_doctor_table(title, rows))
        return
    stdout.print(Text(title, style="bold"), soft_wrap=True)
    for statement, check, expected, token, matched in rows:
        stdout.print(
            Text.assemble(f"{statement}: {check}: ", Text.from_markup(_MARK[matched])), soft_wrap=True
        )
        if expected:
            stdout.print(Text(f"    expected: {expected}"), soft_wrap=True)
        if token:
            stdout.print(Text(f"    token:    {token}"), soft_wrap=True)


def _doctor_table(title: str, rows: list[tuple[str, str, str, str, bool]]) -> Table:
    table = Table(title=escape(title))
    for column in _COLUMNS[:4]:
        table.add_column(column, no_wrap=True)
    table.add_column(_COLUMNS[4], no_wrap=True)
    # Policy text and claims are data, never rich markup: Text() keeps a '[' in them literal.
    for statement, check, expected, token, matched in rows:
        table.add_row(Text(statement), Text(check), Text(expected), Text(token), _MARK[matched])
    return table


COMMANDS: list[click.Command] = [auth, exec_, whoami, doctor]
