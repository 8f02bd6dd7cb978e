"""`tfoidc analyze PLAN_JSON`: the analysis row on a plan file, no credentials, no Terraform."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson
from rich.table import Table

from tfoidc.analysis.contract import analysis_to_dict
from tfoidc.analysis.model import Analysis
from tfoidc.analysis.run import analyze as run_analysis
from tfoidc.cli.console import stdout
from tfoidc.cli.context import FINDINGS_HELP, config_path_from_context, read_findings
from tfoidc.config import load_config
from tfoidc.errors import InputError
from tfoidc.files import write_atomic
from tfoidc.guardrails.engine import enforce
from tfoidc.guardrails.model import Finding
from tfoidc.guardrails.policy import FailOn
from tfoidc.plan.memory import cyclic_gc_paused, skip_teardown
from tfoidc.plan.parse import load_plan
from tfoidc.report.render import render as report_render
from tfoidc.report.view import format_money

FORMATS = ("text", "json", "md", "html")
FAIL_ON: tuple[FailOn, ...] = ("block", "warn", "never")
# Above this many changed resources the text table is cut; the JSON always has all of them.
_TEXT_ROWS = 200
_BLAST_LINES = 20


@click.command("analyze")
@click.argument("plan_json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the result to FILE (atomically) instead of stdout.",
)
@click.option("--environment", "-e", default=None, help="Environment name (selects per-environment policy).")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default=None,
    help="Exit 3 when unwaived findings reach this severity: block, warn, or never "
    "[default: guardrails.fail_on in tfoidc.toml, else block].",
)
@click.option(
    "--findings",
    "findings_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help=FINDINGS_HELP,
)
@click.pass_context
def analyze_command(
    ctx: click.Context,
    plan_json: Path,
    fmt: str,
    output: Path | None,
    environment: str | None,
    fail_on: FailOn | None,
    findings_files: tuple[Path, ...],
) -> None:
    """Analyse a `terraform show -json` plan file: changes, dependency graph, and the later stages.

    --format json prints the versioned analysis contract (docs/analysis-json.md). Guardrail findings
    are printed (or written) first; then, if any unwaived finding reaches --fail-on, exit 3.
    """
    config_path = config_path_from_context(ctx)
    config = load_config(config_path)
    external = read_findings(config, config_path, findings_files)
    with cyclic_gc_paused():  # the whole run builds acyclic data kept to the end (bench/README.md)
        plan = load_plan(plan_json)
        if plan.errored:
            raise InputError(
                f"{plan_json}: Terraform reported errors while planning (errored: true); "
                "its resource changes are incomplete and cannot be analysed",
                hint="fix the errors `terraform plan` printed, then plan again",
            )
        analysis = run_analysis(plan, config, environment=environment, external=external)
        if fmt == "text" and output is None:
            print_text(analysis)
        else:
            rendered = render(analysis, fmt)
            if output is None:
                sys.stdout.buffer.write(rendered)
                sys.stdout.flush()
            else:
                write_atomic(output, rendered)
        # Before the collector is back on: it would otherwise walk the whole analysis once more.
        skip_teardown()
    enforce(analysis.findings, fail_on or config.guardrails.fail_on)


def render(analysis: Analysis, fmt: str) -> bytes:
    if fmt == "json":
        return orjson.dumps(analysis_to_dict(analysis), option=orjson.OPT_INDENT_2) + b"\n"
    if fmt == "text":
        with stdout.capture() as capture:
            print_text(analysis)
        return capture.get().encode()
    return report_render(analysis, fmt).encode()


def print_text(analysis: Analysis) -> None:
    plan = analysis.plan
    version = plan.terraform_version or "unknown Terraform"
    stdout.print(f"Plan format {plan.format_version} ({version})", markup=False)

    summary = Table(title="Changes", title_justify="left")
    for action in ("create", "update", "replace", "delete"):
        summary.add_column(action, justify="right")
    counts = analysis.action_counts()
    summary.add_row(*(str(counts[a]) for a in ("create", "update", "replace", "delete")))
    stdout.print(summary)

    changes = plan.changes()
    if changes:
        table = Table(title="Changed resources", title_justify="left")
        for column in ("action", "address", "type", "reason"):
            table.add_column(column, overflow="fold")
        for rc in changes[:_TEXT_ROWS]:
            reason = rc.action_reason or (f"moved from {rc.previous_address}" if rc.previous_address else "")
            table.add_row(rc.action.value, rc.address, rc.type, reason)
        stdout.print(table)
        if len(changes) > _TEXT_ROWS:
            stdout.print(f"… and {len(changes) - _TEXT_ROWS} more (see --format json)", markup=False)
    else:
        stdout.print("No changes.", markup=False)

    for rc in [rc for rc in changes if rc.action.destroys][:_BLAST_LINES]:
        radius = analysis.graph.blast_radius(rc.address, kinds=("resource",))
        if radius:
            shown = ", ".join(radius[:10]) + (" …" if len(radius) > 10 else "")
            stdout.print(
                f"{rc.action.value} {rc.address} affects {len(radius)} dependent(s): {shown}",
                markup=False,
            )

    if analysis.findings:
        stdout.print(f"Findings ({len(analysis.findings)})", markup=False)
        for finding in analysis.findings:
            for line in finding_lines(finding):
                stdout.print(line, markup=False, soft_wrap=True)

    if analysis.cost is not None:
        c = analysis.cost
        stdout.print(
            f"Cost per month: before {format_money(c.monthly_before, c.currency)}, "
            f"after {format_money(c.monthly_after, c.currency)}, "
            f"delta {format_money(c.monthly_delta, c.currency, signed=True)}; "
            f"{len(c.not_priced)} resource(s) not priced",
            markup=False,
        )

    if analysis.drift is not None and analysis.drift.has_drift:
        stdout.print(
            f"Drift: {len(analysis.drift.drifted)} resource(s) changed outside Terraform", markup=False
        )

    for note in (*plan.notes, *analysis.graph.notes):
        stdout.print(f"note: {note}", markup=False)


def finding_lines(finding: Finding) -> list[str]:
    """One finding as text: what, where, why, how to fix, and what else a deletion touches."""
    severity = finding.severity.value.upper()
    where = finding.address + (f" ({finding.attribute})" if finding.attribute else "")
    lines = [f"[{severity}] {finding.rule} {finding.title}".rstrip(), f"    at:    {where}"]
    if finding.source != "tfoidc":
        lines.append(f"    from:  {finding.source}")
    lines.append(f"    why:   {finding.message}")
    if finding.fix:
        lines.append(f"    fix:   {finding.fix}")
    if finding.blast_radius:
        shown = ", ".join(finding.blast_radius[:10]) + (" …" if len(finding.blast_radius) > 10 else "")
        lines.append(f"    blast radius: {len(finding.blast_radius)} dependent(s): {shown}")
    if finding.also_reported_by:
        lines.append(f"    also:  {', '.join(finding.also_reported_by)}")
    if finding.waived:
        lines.append(f"    waived: {finding.waiver_reason}")
    return lines


COMMANDS: list[click.Command] = [analyze_command]
