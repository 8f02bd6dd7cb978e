"""`tfoidc plan | apply | drift | demo`: option parsing and wiring; the work is in tfoidc.lifecycle."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any, TypeVar

import click

from tfoidc.cli.console import stderr, stdout, warn
from tfoidc.cli.context import FINDINGS_HELP, config_path_from_context, read_findings
from tfoidc.cli.options import flags_of, overrides_from, role_arn_option, token_options
from tfoidc.cli.params import ENVIRONMENT
from tfoidc.config import Config, find_config, load_config
from tfoidc.errors import ExitCode, InputError, PolicyBlocked
from tfoidc.guardrails.engine import enforce
from tfoidc.identity.credentials import CredentialRequest, VerifiedIdentity, obtain_credentials
from tfoidc.lifecycle.artifacts import records_plan_failure
from tfoidc.lifecycle.review import verify_review
from tfoidc.lifecycle.rules import check_apply_allowed, check_local_apply_allowed, check_plan_complete
from tfoidc.lifecycle.run import drift_from_plan_json, run_apply, run_drift, run_plan
from tfoidc.lifecycle.session import Purpose, Session, ci_session, credential_request, local_session
from tfoidc.lifecycle.target import Target, current_commit
from tfoidc.stacks.targets import resolve_named_target
from tfoidc.terraform.binary import TerraformBinary, discover_terraform
from tfoidc.terraform.manifest import PlanManifest, read_manifest, verify_manifest
from tfoidc.terraform.runner import StepTiming

F = TypeVar("F", bound=Callable[..., Any])


def terraform_options(func: F) -> F:
    """Options every command that runs Terraform shares."""
    decorators = [
        click.argument("environment", type=ENVIRONMENT),
        click.option(
            "--out-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="The environment's folder (default: tfoidc-out/ENV): plan writes tfplan, plan.json, "
            "the reports, note.md and manifest.json here; apply reads tfplan and manifest.json from it; "
            "drift writes drift-summary.json and .md here.",
        ),
        click.option("--local", "local", is_flag=True, help="Use your own AWS credentials (local_role_arn)."),
        click.option("--profile", default=None, help="AWS profile for --local (default: boto3's chain)."),
        token_options,
        role_arn_option,
        click.option(
            "--terraform-bin",
            default=None,
            help="Terraform or OpenTofu binary (default: $TFOIDC_TERRAFORM_BIN, terraform, tofu).",
        ),
        click.option(
            "--plugin-dir",
            type=click.Path(file_okay=False, exists=True, path_type=Path),
            default=None,
            help="Offline provider directory for terraform init.",
        ),
        click.option("--lock-timeout", default=None, help="How long to wait for the state lock, e.g. 60s."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


@click.command("plan")
@terraform_options
@click.option("--detailed-exitcode", is_flag=True, help="Exit 5 when the plan has changes.")
@click.option(
    "--findings",
    "findings_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help=FINDINGS_HELP,
)
@click.pass_context
@records_plan_failure
def plan_command(
    ctx: click.Context,
    environment: str,
    out_dir: Path | None,
    local: bool,
    profile: str | None,
    terraform_bin: str | None,
    plugin_dir: Path | None,
    lock_timeout: str | None,
    detailed_exitcode: bool,
    findings_files: tuple[Path, ...],
    **identity: Any,
) -> None:
    """Plan ENV: auth, init, validate, plan, show -json, analysis and reports, plus the manifest that
    `tfoidc apply` verifies."""
    config, target = _config_and_target(ctx, environment, out_dir)
    # Read before any credential or Terraform run: a bad findings file is a usage error, exit 2.
    external = read_findings(config, config_path_from_context(ctx), findings_files)
    environ = dict(os.environ)
    binary, session = _read_only_session(ctx, target, environ, terraform_bin, local, profile, identity)
    with closing(session):
        outcome = run_plan(
            target,
            config,
            binary=binary,
            session=session,
            console=stderr,
            environ=environ,
            plugin_dir=plugin_dir,
            lock_timeout=lock_timeout,
            external=external,
        )
    _print_timings(outcome.timings)
    counts = outcome.analysis.action_counts()
    stdout.print(
        f"{environment}: " + ", ".join(f"{n} to {a}" for a, n in counts.items()) + f" (in {target.out_dir})"
    )
    for kind, path in sorted(outcome.reports.items()):
        stdout.print(f"  {kind}: {path}")
    if session.local and "html" in _by_format(outcome.reports):
        stdout.print(f"HTML report: {_by_format(outcome.reports)['html']}")
    # The manifest already records these findings, so `tfoidc apply` refuses this plan as well.
    enforce(outcome.analysis.findings, config.guardrails.fail_on)
    if detailed_exitcode and outcome.has_changes:
        _exit_changes_present()


@click.command("apply")
@terraform_options
@click.pass_context
def apply_command(
    ctx: click.Context,
    environment: str,
    out_dir: Path | None,
    local: bool,
    profile: str | None,
    terraform_bin: str | None,
    plugin_dir: Path | None,
    lock_timeout: str | None,
    **identity: Any,
) -> None:
    """Apply the saved plan of ENV, after the branch rules and the manifest check (exit 3 on refusal).

    The token must carry the environment's apply audience (`apply_audience`, default <issuer>/apply):
    a plan job's token is refused."""
    _, target = _config_and_target(ctx, environment, out_dir)
    environ = dict(os.environ)
    binary = discover_terraform(terraform_bin, environ)
    session: Session
    # Order matters: every refusal happens before any credential is requested.
    if local:
        check_local_apply_allowed(environment, target.env)
        manifest = _verify_saved_plan(target, binary, environ, local=True)
        check_plan_complete(environment, target.env, target.plan_json)
        session = local_session(environment, target.env, environ=environ, profile=profile)
    else:
        branch_rules = bool(target.env.apply_refs or target.env.require_protected_ref)
        request = _credential_request(ctx, target, "apply", identity, environ, branch_rules=branch_rules)
        verified: list[PlanManifest] = []

        def admit(verified_identity: VerifiedIdentity) -> None:
            check_apply_allowed(environment, target.env, verified_identity.claims)
            manifest = _verify_saved_plan(target, binary, environ, local=False)
            check_plan_complete(environment, target.env, target.plan_json)
            reviewed = verify_review(target, manifest, claims=verified_identity.claims, environ=environ)
            if reviewed:
                stderr.print(reviewed, markup=False)
            verified.append(manifest)

        obtained = obtain_credentials(request, environ=environ, admit=admit)
        _warn_about(obtained.identity)
        manifest = verified[0]
        session = ci_session(target.env, request, obtained, environ=environ)
    _announce(binary, target, session)
    with closing(session):
        outcome = run_apply(
            target,
            manifest,
            binary=binary,
            session=session,
            console=stderr,
            environ=environ,
            plugin_dir=plugin_dir,
            lock_timeout=lock_timeout,
        )
    _print_timings(outcome.timings)
    stdout.print(f"{environment}: applied {target.tfplan}")


@click.command("drift")
@terraform_options
@click.option(
    "--plan-json",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Analyse this refresh-only plan JSON instead of running Terraform.",
)
@click.pass_context
def drift_command(
    ctx: click.Context,
    environment: str,
    out_dir: Path | None,
    local: bool,
    profile: str | None,
    terraform_bin: str | None,
    plugin_dir: Path | None,
    lock_timeout: str | None,
    plan_json: Path | None,
    **identity: Any,
) -> None:
    """Detect drift in ENV with a refresh-only plan: exit 0 none, exit 5 drift found."""
    if plan_json is not None:
        out = (out_dir or Path("tfoidc-out") / environment).resolve()
        outcome = drift_from_plan_json(plan_json, out, environment)
    else:
        _, target = _config_and_target(ctx, environment, out_dir)
        binary, session = _read_only_session(
            ctx, target, dict(os.environ), terraform_bin, local, profile, identity
        )
        with closing(session):
            outcome = run_drift(
                target,
                binary=binary,
                session=session,
                console=stderr,
                plugin_dir=plugin_dir,
                lock_timeout=lock_timeout,
            )
        _print_timings(outcome.timings)
    drifted = outcome.report.drifted
    json_file, md_file = outcome.summary_files
    if drifted:
        stdout.print(f"{environment}: drift in {len(drifted)} resource(s)")
        for rc in drifted:
            stdout.print(f"  {rc.action.value:8} {rc.address}")
    else:
        stdout.print(f"{environment}: no drift")
    stdout.print(f"  summary: {json_file}, {md_file}")
    if drifted:
        _exit_changes_present()


def _credential_request(
    ctx: click.Context,
    target: Target,
    purpose: Purpose,
    identity: dict[str, Any],
    environ: dict[str, str],
    *,
    branch_rules: bool = False,
) -> CredentialRequest:
    overrides = overrides_from(dict(identity))
    if branch_rules and not overrides.verify:
        raise InputError(
            f"--no-verify cannot be used to apply {target.name}: its branch rules read claims that only a "
            "verified signature proves"
        )
    if branch_rules and not (
        overrides.issuer or target.env.issuer or environ.get("TFOIDC_ISSUER") or environ.get("CI_SERVER_URL")
    ):
        raise InputError(
            f"environments.{target.name}.issuer is not set and neither is $TFOIDC_ISSUER or $CI_SERVER_URL",
            hint='the branch rules can only trust claims from a known issuer, e.g. issuer = "https://gitlab.com"',
        )
    flags = flags_of(ctx) - ({"--no-verify"} if branch_rules else set())
    return credential_request(target.name, target.env, purpose, overrides, environ=environ, flags=flags)


def _read_only_session(
    ctx: click.Context,
    target: Target,
    environ: dict[str, str],
    terraform_bin: str | None,
    local: bool,
    profile: str | None,
    identity: dict[str, Any],
) -> tuple[TerraformBinary, Session]:
    """The binary and the session that plan and drift run with (apply has its own, stricter order)."""
    binary = discover_terraform(terraform_bin, environ)
    session: Session
    if local:
        session = local_session(target.name, target.env, environ=environ, profile=profile)
    else:
        request = _credential_request(ctx, target, "plan", identity, environ)
        obtained = obtain_credentials(request, environ=environ)
        _warn_about(obtained.identity)
        session = ci_session(target.env, request, obtained, environ=environ)
    _announce(binary, target, session)
    return binary, session


def _warn_about(identity: VerifiedIdentity) -> None:
    for warning in identity.warnings:
        warn(warning)


@click.command("demo")
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("tfoidc-demo"),
    show_default=True,
    help="Where the demo's workspace, plans and reports go (replaced on each run).",
)
@click.option("--verbose", "-v", is_flag=True, help="Show Terraform's and each command's own output.")
@click.option("--open", "open_report", is_flag=True, help="Open the HTML report in a browser at the end.")
def demo_command(out_dir: Path, verbose: bool, open_report: bool) -> None:
    """Tell what tfoidc is for on the local sandbox, in short steps: no AWS account, no network.

    A pipeline on main plans and applies for real (token, STS, S3 state and lock); a feature branch and
    another project are refused; a broad GitLab trust policy is caught; a realistic AWS change is analysed.
    """
    from tfoidc.lifecycle.demo import open_in_browser, run_demo  # the sandbox (moto): demo only

    result = run_demo(out_dir.resolve(), console=stdout, verbose=verbose)
    stdout.print()
    stdout.print(
        "demo finished: plan -> apply -> plan without changes, refusals, findings, cost", markup=False
    )
    for label, path in result.items():
        stdout.print(f"  {label}: {path}", markup=False, soft_wrap=True)
    if open_report and not open_in_browser(result["html report"]):
        warn(f"no browser could be started; open {result['html report']} yourself")


def _config_and_target(ctx: click.Context, environment: str, out_dir: Path | None) -> tuple[Config, Target]:
    explicit: Path | None = (ctx.find_root().obj or {}).get("config_path")
    path = explicit if explicit is not None else find_config(Path.cwd())
    config = load_config(path)
    config_dir = path.resolve().parent if path is not None else Path.cwd()
    return config, resolve_named_target(config, config_dir, environment, out_dir)


def _verify_saved_plan(
    target: Target, binary: TerraformBinary, environ: dict[str, str], *, local: bool
) -> PlanManifest:
    manifest = read_manifest(target.manifest)
    if manifest.local != local:
        made, now = ("--local", "a pipeline") if manifest.local else ("a pipeline", "--local")
        raise PolicyBlocked(
            f"the saved plan was made with {made} credentials and cannot be applied by {now}",
            hint="plan and apply in the same mode",
        )
    verify_manifest(
        manifest,
        plan_file=target.tfplan,
        environment=target.name,
        root=target.root_label,
        commit_sha=current_commit(environ, target.root),
        terraform_version=binary.version,
    )
    return manifest


def _exit_changes_present() -> None:
    # sys.exit, not ctx.exit: `main` runs click with standalone_mode=False, where click turns ctx.exit
    # into a return value that would be lost and the process would exit 0.
    sys.exit(int(ExitCode.CHANGES))


def _by_format(reports: dict[str, Path]) -> dict[str, Path]:
    """Report paths by format (`html:sandbox` -> `html`), for the one-environment commands."""
    return {kind.split(":", 1)[0]: path for kind, path in reports.items()}


def _announce(binary: TerraformBinary, target: Target, session: Session) -> None:
    mode = "local credentials" if session.local else "GitLab ID token"
    if session.private_dir is not None:
        mode += "; Terraform assumes the role itself from the token file"
    stderr.print(
        f"[bold]{target.name}[/bold]: {binary.flavour} {binary.version} in {target.root} "
        f"as {session.role_arn} ({mode})"
    )


def _print_timings(timings: Sequence[StepTiming]) -> None:
    if timings:
        stderr.print("steps: " + " · ".join(f"{t.step} {t.seconds:.1f}s" for t in timings), markup=False)


# `plan` and `apply` are listed by tfoidc.cli.stacks, which extends them to stacks.
COMMANDS: list[click.Command] = [drift_command, demo_command]
