"""`tfoidc analyze` and `tfoidc report`: one command on one code path, two defaults.

Both read a plan (`terraform show -json`) or a saved analysis (`tfoidc.json`), print or write one
format of the list in `report.render.FORMATS`, then exit 3 when an unwaived finding reaches
`--fail-on`. `analyze` is the gate: the text report for a terminal, failing on `guardrails.fail_on`;
`report` is the renderer: the markdown note, failing only when asked to.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from tfoidc.analysis.graph import GRAPH_DETAILS, RESOURCES, GraphDetail
from tfoidc.analysis.source import read_analysis
from tfoidc.cli.console import stdout
from tfoidc.cli.context import FINDINGS_HELP, config_path_from_context, read_findings
from tfoidc.cli.params import ENVIRONMENT
from tfoidc.config import load_config
from tfoidc.files import write_atomic
from tfoidc.guardrails.engine import enforce
from tfoidc.guardrails.policy import FailOn
from tfoidc.plan.memory import cyclic_gc_paused, skip_teardown
from tfoidc.report.render import FORMATS, render

FAIL_ON: tuple[FailOn, ...] = ("block", "warn", "never")
F = TypeVar("F", bound=Callable[..., Any])


def report_options(default_format: str, default_fail_on: str) -> Callable[[F], F]:
    """The arguments and options `analyze` and `report` share, defined once; only the defaults of
    --format and --fail-on differ."""

    def decorate(func: F) -> F:
        decorators = [
            click.argument(
                "input_json",
                metavar="PLAN_JSON|ANALYSIS_JSON",
                type=click.Path(dir_okay=False, path_type=Path),
            ),
            click.option(
                "--format",
                "fmt",
                type=click.Choice(FORMATS),
                default=default_format,
                show_default=True,
                help="What to print: text (for a terminal), md (the merge request note), html, json "
                "(the analysis contract, docs/analysis-json.md), or one of GitLab's report artifacts.",
            ),
            click.option(
                "--output",
                "-o",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="File the report is written to, atomically (a symlink is followed to its target; "
                "a device or FIFO is refused); default: stdout.",
            ),
            click.option(
                "--environment",
                "-e",
                type=ENVIRONMENT,
                default=None,
                help="Environment name: selects its guardrail policy when the input is a plan, and is "
                "the name the report shows.",
            ),
            click.option(
                "--fail-on",
                type=click.Choice(FAIL_ON),
                default=None,
                help="Exit 3 when unwaived findings reach this severity: block, warn, or never "
                f"[default: {default_fail_on}].",
            ),
            click.option(
                "--findings",
                "findings_files",
                multiple=True,
                type=click.Path(dir_okay=False, path_type=Path),
                help=FINDINGS_HELP + " Read when the input is a plan (a tfoidc.json has its findings).",
            ),
            click.option(
                "--graph",
                "graph_detail",
                type=click.Choice(GRAPH_DETAILS),
                default=RESOURCES,
                show_default=True,
                help="Dependency graph detail, when the input is a plan: resources (dependencies through "
                "variables, outputs and module calls folded into resource-to-resource edges) or full "
                "(those as nodes too, ~18 per resource in a large plan).",
            ),
        ]
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return decorate


@click.command("analyze")
@report_options(default_format="text", default_fail_on="guardrails.fail_on in tfoidc.toml, else block")
@click.pass_context
def analyze_command(
    ctx: click.Context,
    input_json: Path,
    fmt: str,
    output: Path | None,
    environment: str | None,
    fail_on: FailOn | None,
    findings_files: tuple[Path, ...],
    graph_detail: GraphDetail,
) -> None:
    """Analyse a plan (`terraform show -json`) or a tfoidc.json: changes, dependency graph, guardrail
    findings, cost and drift; no credentials, no Terraform.

    The report is printed (or written) first; then, if an unwaived finding reaches --fail-on, exit 3.
    """
    run_report(ctx, input_json, fmt, output, environment, fail_on, findings_files, graph_detail)


def run_report(
    ctx: click.Context,
    input_json: Path,
    fmt: str,
    output: Path | None,
    environment: str | None,
    fail_on: FailOn | None,
    findings_files: tuple[Path, ...] = (),
    graph_detail: GraphDetail = RESOURCES,
) -> None:
    """What `analyze` and `report` do: read, analyse, render, print or write, then enforce `fail_on`
    (None: guardrails.fail_on of tfoidc.toml)."""
    config_path = config_path_from_context(ctx)
    config = load_config(config_path)
    external = read_findings(config, config_path, findings_files)
    # The whole run builds acyclic data kept to the end: the cyclic collector would only walk it
    # again and again (bench/README.md).
    with cyclic_gc_paused():
        analysis = read_analysis(
            input_json, config, environment=environment, external=external, graph_detail=graph_detail
        )
        terminal = fmt == "text" and output is None
        text = render(
            analysis,
            fmt,
            config=config.report,
            width=stdout.width if terminal else None,
            color=terminal and stdout.is_terminal,
        )
        if output is None:
            sys.stdout.buffer.write(text.encode())
            sys.stdout.flush()
        else:
            write_atomic(output, text)
        # Before the collector is back on: it would otherwise walk the whole analysis once more.
        skip_teardown()
    enforce(analysis.findings, fail_on or config.guardrails.fail_on)


COMMANDS: list[click.Command] = [analyze_command]
