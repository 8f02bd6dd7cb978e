"""`tfoidc analyze PLAN_JSON`: the analysis row on a plan file, no credentials, no Terraform."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from tfoidc.cli.console import stdout
from tfoidc.cli.context import load_config_from_context
from tfoidc.pipeline import analyze as run_analysis
from tfoidc.plan import load_plan


@click.command("analyze")
@click.argument("plan_json", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--environment", "-e", default=None, help="Environment name (selects per-environment policy).")
@click.pass_context
def analyze_command(ctx: click.Context, plan_json: Path, fmt: str, environment: str | None) -> None:
    """Analyse a `terraform show -json` plan file."""
    config = load_config_from_context(ctx)
    analysis = run_analysis(load_plan(plan_json), config, environment=environment)
    if fmt == "json":
        click.echo(orjson.dumps(analysis.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        counts = analysis.action_counts()
        stdout.print(", ".join(f"{n} to {a}" for a, n in counts.items()))


COMMANDS: list[click.Command] = [analyze_command]
