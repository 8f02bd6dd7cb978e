"""`tfoidc report` (render one format) and `tfoidc comment` (post the merge request note)."""

from __future__ import annotations

import os
from pathlib import Path

import click
import orjson
from rich.markup import escape

from tfoidc.analysis.contract import analysis_from_dict, is_analysis_document
from tfoidc.analysis.graph import GraphDetail
from tfoidc.analysis.model import Analysis
from tfoidc.cli.analyze import report_options, run_report
from tfoidc.cli.console import stderr, warn
from tfoidc.cli.context import load_config_from_context
from tfoidc.errors import InputError
from tfoidc.gitlab.notes import target_from_env, upsert_note
from tfoidc.guardrails.policy import FailOn
from tfoidc.lifecycle.artifacts import failed_plan_result
from tfoidc.report.render import render_note


@click.command("report")
@report_options(default_format="md", default_fail_on="never")
@click.pass_context
def report_command(
    ctx: click.Context,
    input_json: Path,
    fmt: str,
    output: Path | None,
    environment: str | None,
    fail_on: FailOn | None,
    findings_files: tuple[Path, ...],
    graph_detail: GraphDetail,
) -> None:
    """Render a plan (`terraform show -json`) or an analysis (`tfoidc.json`) in one report format:
    `tfoidc analyze` with the merge request note as the default format, and exit 3 only when
    --fail-on is given."""
    run_report(ctx, input_json, fmt, output, environment, fail_on or "never", findings_files, graph_detail)


@click.command("comment")
@click.option(
    "--analysis",
    "analysis_files",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help=(
        "A tfoidc.json; repeat for each environment of the pipeline (one note for all). A missing one "
        "is shown as a failed plan, with the error its plan job recorded."
    ),
)
@click.option("--require-comment", is_flag=True, hidden=True, help="Accepted for compatibility: always on.")
@click.option("--artifact-url", default=None, help="Link to the full report (default: from CI_JOB_URL).")
@click.option(
    "--pipeline-id", type=int, default=None, help="Pipeline the note is for (default: CI_PIPELINE_ID)."
)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True)
@click.pass_context
def comment_command(
    ctx: click.Context,
    analysis_files: tuple[Path, ...],
    require_comment: bool,
    artifact_url: str | None,
    pipeline_id: int | None,
    timeout: float,
) -> None:
    """Post or update tfoidc's one merge request note (CI merge request pipelines only).

    In a merge request pipeline, a note that cannot be posted (no TFOIDC_GITLAB_TOKEN, a refused token,
    GitLab failing after retries) fails the job (exit 1)."""
    config = load_config_from_context(ctx)
    analyses = [_load_analysis(p) if p.exists() else failed_plan_result(p) for p in analysis_files]
    environ = os.environ
    target = target_from_env(environ)
    if target is None:
        stderr.print(
            "tfoidc: not a merge request pipeline (CI_MERGE_REQUEST_IID is unset): no note posted",
            markup=False,
        )
        return
    body = render_note(
        analyses,
        config=config.report,
        pipeline_id=pipeline_id
        if pipeline_id is not None
        else _pipeline_from_env(environ.get("CI_PIPELINE_ID")),
        artifact_url=artifact_url or config.report.artifact_url or _artifact_url(environ.get("CI_JOB_URL")),
    )
    result = upsert_note(target, body, timeout=timeout)
    ignored = result.ignored_line()
    if ignored:
        warn(escape(ignored))
    stderr.print(f"tfoidc: merge request note: {result.message}", markup=False)


def _pipeline_from_env(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _artifact_url(job_url: str | None) -> str | None:
    return f"{job_url.rstrip('/')}/artifacts/browse" if job_url else None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def _try_json(data: bytes) -> object:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None  # maybe UTF-16: parse_plan decodes it, or says what is wrong


def _load_analysis(path: Path) -> Analysis:
    doc = _try_json(_read(path))
    if not is_analysis_document(doc):
        raise InputError(
            f"{path}: not a tfoidc.json analysis (write one with `tfoidc report PLAN --format json`)"
        )
    return analysis_from_dict(doc, source=str(path))


COMMANDS: list[click.Command] = [report_command, comment_command]
