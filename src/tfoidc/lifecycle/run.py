"""The lifecycle commands as plain functions: each takes resolved inputs and returns what happened."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from rich.console import Console

from tfoidc.analysis.drift import DriftReport, detect_drift
from tfoidc.analysis.model import Analysis
from tfoidc.analysis.run import analyze
from tfoidc.config import Config
from tfoidc.errors import InputError, OperationalError
from tfoidc.guardrails.engine import failing
from tfoidc.guardrails.external import ExternalResult
from tfoidc.guardrails.model import Finding
from tfoidc.guardrails.policy import FailOn
from tfoidc.lifecycle.artifacts import (
    drift_summary,
    plan_json_document,
    write_analysis_reports,
    write_drift_summary,
    write_json,
)
from tfoidc.lifecycle.session import Session
from tfoidc.lifecycle.target import Target, current_commit
from tfoidc.plan.parse import load_plan, plan_from_document
from tfoidc.terraform.binary import TerraformBinary
from tfoidc.terraform.manifest import (
    PlanManifest,
    job_provenance,
    recorded_claims,
    sha256_file,
    verify_state_unchanged,
    write_manifest,
)
from tfoidc.terraform.masking import Masker
from tfoidc.terraform.runner import StepTiming, TerraformRunner
from tfoidc.terraform.state_lock import current_workspace, hold_state_lock, read_backend, who_am_i


@dataclass(frozen=True)
class PlanOutcome:
    target: Target
    analysis: Analysis
    has_changes: bool
    reports: dict[str, Path]
    manifest: PlanManifest
    timings: list[StepTiming] = field(default_factory=list)


@dataclass(frozen=True)
class ApplyOutcome:
    target: Target
    timings: list[StepTiming] = field(default_factory=list)


@dataclass(frozen=True)
class DriftOutcome:
    environment: str | None
    report: DriftReport
    summary_files: tuple[Path, Path]
    timings: list[StepTiming] = field(default_factory=list)


def make_runner(
    target: Target, binary: TerraformBinary, session: Session, console: Console
) -> TerraformRunner:
    return TerraformRunner(
        binary=binary,
        root=target.root,
        env=session.terraform_env,
        masker=Masker(session.secrets),
        console=console,
    )


def init_and_validate(runner: TerraformRunner, target: Target, plugin_dir: Path | None) -> None:
    runner.init(backend_config=target.env.backend_config, plugin_dir=target.plugin_dir(plugin_dir))
    runner.validate()


def run_plan(
    target: Target,
    config: Config,
    *,
    binary: TerraformBinary,
    session: Session,
    console: Console,
    environ: Mapping[str, str],
    plugin_dir: Path | None = None,
    lock_timeout: str | None = None,
    external: Sequence[ExternalResult] = (),
) -> PlanOutcome:
    """init -> validate -> plan -> show -json -> analysis -> reports; the manifest is written last, so
    only a complete plan run can ever be applied."""
    target.out_dir.mkdir(parents=True, exist_ok=True)
    target.manifest.unlink(missing_ok=True)
    runner = make_runner(target, binary, session, console)
    init_and_validate(runner, target, plugin_dir)
    lineage, serial = state_version(runner.state_pull())
    partial = target.out_dir / ".tfplan.partial"
    try:
        has_changes = runner.plan(
            partial, var_files=target.var_files(), lock_timeout=lock_timeout or target.env.lock_timeout
        )
    except BaseException:
        partial.unlink(missing_ok=True)  # a failed plan leaves no plan file behind
        raise
    os.replace(partial, target.tfplan)
    plan_doc = plan_json_document(_json_object(runner.show_json(target.tfplan)), runner.masker)
    write_json(target.plan_json, plan_doc)
    # The document just written is the one analysed: no second read and parse of a large file.
    analysis = analyze(
        plan_from_document(plan_doc, source=str(target.plan_json)),
        config,
        environment=target.name,
        external=external,
    )
    reports = write_analysis_reports(analysis, target.out_dir, config)
    provenance = job_provenance(session.claims, environ)
    manifest = PlanManifest(
        environment=target.name,
        plan_sha256=sha256_file(target.tfplan),
        terraform_version=binary.version,
        root=target.root_label,
        commit_sha=current_commit(environ, target.root),
        pipeline_id=provenance.pipeline_id,
        job_id=environ.get("CI_JOB_ID") or _str_claim(session, "job_id"),
        claims=recorded_claims(session.claims),
        has_changes=has_changes,
        blocking_findings=failing_findings(analysis.findings, config.guardrails.fail_on),
        local=session.local,
        state_lineage=lineage,
        state_serial=serial,
        **provenance.recorded(),
    )
    write_manifest(target.manifest, manifest)
    return PlanOutcome(target, analysis, has_changes, reports, manifest, runner.timings)


def run_apply(
    target: Target,
    manifest: PlanManifest,
    *,
    binary: TerraformBinary,
    session: Session,
    console: Console,
    environ: Mapping[str, str],
    plugin_dir: Path | None = None,
    lock_timeout: str | None = None,
) -> ApplyOutcome:
    """Apply exactly the saved plan (its manifest was verified by the caller before any credential),
    and only if the state is still the one it was planned against.

    The comparison and the apply are one critical section: under the state lock, which tfoidc takes
    itself (Terraform's own lock item, `terraform.state_lock`) and holds until Terraform is done, so a
    second apply of a plan made from the same state, even from no state, waits and is then refused."""
    runner = make_runner(target, binary, session, console)
    runner.init(backend_config=target.env.backend_config, plugin_dir=target.plugin_dir(plugin_dir))
    timeout = lock_timeout or target.env.lock_timeout
    backend = read_backend(target.root, session.terraform_env)
    if backend is None or session.aws is None:
        # Another backend: Terraform's own lock and stale-plan check are all there is (they do not cover
        # a plan made against no state).
        _verify_state(runner, manifest)
        runner.apply(target.tfplan, lock_timeout=timeout)
        return ApplyOutcome(target, runner.timings)
    with hold_state_lock(
        backend,
        session=session.aws(),
        workspace=current_workspace(target.root, session.terraform_env),
        who=who_am_i(environ),
        terraform_version=binary.version,
        timeout_seconds=duration_seconds(timeout),
    ):
        _verify_state(runner, manifest)
        runner.apply(target.tfplan, lock=False)
    return ApplyOutcome(target, runner.timings)


def _verify_state(runner: TerraformRunner, manifest: PlanManifest) -> None:
    lineage, serial = state_version(runner.state_pull())
    verify_state_unchanged(manifest, lineage=lineage, serial=serial)


def duration_seconds(text: str) -> float:
    """'30s', '5m', '1h', '500ms' (tfoidc.toml's lock_timeout, Terraform's -lock-timeout) in seconds."""
    for suffix, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if text.endswith(suffix) and text[: -len(suffix)].isdigit():
            return int(text[: -len(suffix)]) * factor
    raise InputError(f"lock timeout {text!r} is not a duration such as 30s, 5m or 1h")


def run_drift(
    target: Target,
    *,
    binary: TerraformBinary,
    session: Session,
    console: Console,
    plugin_dir: Path | None = None,
    lock_timeout: str | None = None,
) -> DriftOutcome:
    target.out_dir.mkdir(parents=True, exist_ok=True)
    runner = make_runner(target, binary, session, console)
    init_and_validate(runner, target, plugin_dir)
    drift_plan = target.out_dir / "drift.tfplan"
    # Terraform 1.0's -detailed-exitcode says "changes" for every refresh-only plan that has state, so
    # drift is read from the plan's resource_drift instead of the exit code.
    runner.plan(
        drift_plan,
        var_files=target.var_files(),
        refresh_only=True,
        lock_timeout=lock_timeout or target.env.lock_timeout,
    )
    plan_json = target.out_dir / "drift-plan.json"
    write_json(plan_json, plan_json_document(_json_object(runner.show_json(drift_plan)), runner.masker))
    drift_plan.unlink(missing_ok=True)
    outcome = drift_from_plan_json(plan_json, target.out_dir, target.name)
    return DriftOutcome(outcome.environment, outcome.report, outcome.summary_files, runner.timings)


def drift_from_plan_json(plan_json: Path, out_dir: Path, environment: str | None) -> DriftOutcome:
    """The drift summary of an existing refresh-only plan JSON (no credentials, no Terraform)."""
    report = detect_drift(load_plan(plan_json))
    files = write_drift_summary(out_dir, drift_summary(environment, report))
    return DriftOutcome(environment, report, files)


def state_version(state: bytes) -> tuple[str | None, int | None]:
    """Lineage and serial of a `terraform state pull` document; (None, None) when there is no state."""
    if not state.strip():
        return None, None
    try:
        doc = orjson.loads(state)
    except orjson.JSONDecodeError as exc:
        raise OperationalError(f"terraform state pull printed invalid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise OperationalError("terraform state pull did not print a JSON object")
    serial = doc.get("serial")
    lineage = doc.get("lineage")
    return (str(lineage) if lineage else None, serial if isinstance(serial, int) else None)


def failing_findings(findings: Iterable[Finding], fail_on: FailOn) -> list[str]:
    """The findings that fail the run under `guardrails.fail_on` (waived ones never do), as recorded in
    the manifest for `tfoidc apply` to refuse."""
    return [f"{f.rule} on {f.address}" for f in failing(findings, fail_on)]


def _json_object(data: bytes) -> dict[str, object]:
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise OperationalError(f"terraform show -json printed invalid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise OperationalError("terraform show -json did not print a JSON object")
    return doc


def _str_claim(session: Session, name: str) -> str | None:
    value = session.claims.get(name)
    return None if value is None else str(value)
