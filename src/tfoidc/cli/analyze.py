"""`tfoidc analyze PLAN_JSON`: the analysis row on a plan file, no credentials, no Terraform."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson
from rich.table import Table

from tfoidc.analysis import Analysis, money
from tfoidc.cli.console import stdout
from tfoidc.cli.context import load_config_from_context
from tfoidc.errors import InputError
from tfoidc.pipeline import analyze as run_analysis
from tfoidc.plan import load_plan

FORMATS = ("text", "json", "md", "html")
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
@click.pass_context
def analyze_command(
    ctx: click.Context, plan_json: Path, fmt: str, output: Path | None, environment: str | None
) -> None:
    """Analyse a `terraform show -json` plan file: changes, dependency graph, and the later stages.

    --format json prints the versioned analysis contract (docs/analysis-json.md).
    """
    config = load_config_from_context(ctx)
    plan = load_plan(plan_json)
    if plan.errored:
        raise InputError(
            f"{plan_json}: Terraform reported errors while planning (errored: true); "
            "its resource changes are incomplete and cannot be analysed",
            hint="fix the errors `terraform plan` printed, then plan again",
        )
    analysis = run_analysis(plan, config, environment=environment)
    if fmt == "text" and output is None:
        print_text(analysis)
        return
    rendered = render(analysis, fmt)
    if output is None:
        sys.stdout.buffer.write(rendered)
        sys.stdout.flush()
    else:
        from tfoidc.report import write_atomic

        write_atomic(output, rendered.decode())


def render(analysis: Analysis, fmt: str) -> bytes:
    if fmt == "json":
        return orjson.dumps(analysis.to_dict(), option=orjson.OPT_INDENT_2) + b"\n"
    if fmt == "text":
        with stdout.capture() as capture:
            print_text(analysis)
        return capture.get().encode()
    try:
        from tfoidc.report import render as report_render
    except ImportError:
        raise InputError(f"--format {fmt} needs the report stage, which this build does not have") from None
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
        findings = Table(title="Findings", title_justify="left")
        for column in ("severity", "rule", "address", "message"):
            findings.add_column(column, overflow="fold")
        for f in analysis.findings:
            severity = f"{f.severity.value} (waived)" if f.waived else f.severity.value
            findings.add_row(severity, f.rule, f.address, f.message)
        stdout.print(findings)

    if analysis.cost is not None:
        c = analysis.cost
        stdout.print(
            f"Cost ({c.currency}/month): before {money(c.monthly_before)}, after {money(c.monthly_after)}, "
            f"delta {money(c.monthly_delta)}; {len(c.not_priced)} resource(s) not priced",
            markup=False,
        )

    if analysis.drift is not None and analysis.drift.has_drift:
        stdout.print(
            f"Drift: {len(analysis.drift.drifted)} resource(s) changed outside Terraform", markup=False
        )

    for note in (*plan.notes, *analysis.graph.notes):
        stdout.print(f"note: {note}", markup=False)


COMMANDS: list[click.Command] = [analyze_command]
