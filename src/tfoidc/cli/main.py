"""`tfoidc` entry point: the command group and the one place exceptions become exit codes."""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

import click

from tfoidc import __version__
from tfoidc.cli import analyze, identity, lifecycle, prices, report, sandbox
from tfoidc.cli.console import stderr
from tfoidc.errors import ExitCode, TfoidcError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tfoidc")
@click.option("--debug", is_flag=True, envvar="TFOIDC_DEBUG", help="Show tracebacks on failure.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="TFOIDC_CONFIG",
    help="tfoidc.toml to use (default: the nearest one at or above the working directory).",
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, config_path: Path | None) -> None:
    """GitLab CI/CD -> AWS via OIDC for Terraform: credentials without secrets, guarded plans,
    cost estimates and one merge request note.

    \b
    Exit codes: 0 success, 1 operational failure, 2 usage or input error, 3 blocked by policy,
    4 authentication failure, 5 changes present (drift found / plan --detailed-exitcode).
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    ctx.obj["config_path"] = config_path


for _module in (identity, sandbox, analyze, report, lifecycle, prices):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    debug = "--debug" in args or os.environ.get("TFOIDC_DEBUG", "").lower() in ("1", "true", "yes")
    try:
        # Without standalone mode click returns `ctx.exit(n)` codes instead of exiting: pass them on.
        returned = cli.main(args=argv, prog_name="tfoidc", standalone_mode=False)
    except TfoidcError as exc:
        if debug:  # the traceback, but still the documented exit code: scripts branch on it
            traceback.print_exc()
        stderr.print(f"tfoidc: error: {exc.one_line()}", markup=False, highlight=False)
        sys.exit(int(exc.exit_code))
    except click.exceptions.Abort:
        stderr.print("tfoidc: aborted", markup=False)
        sys.exit(130)
    except click.ClickException as exc:
        stderr.print(f"tfoidc: error: {exc.format_message()}", markup=False, highlight=False)
        sys.exit(ExitCode.USAGE if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        stderr.print("tfoidc: interrupted", markup=False)
        sys.exit(130)
    except Exception as exc:
        if debug:
            raise
        stderr.print(
            f"tfoidc: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            markup=False,
            highlight=False,
        )
        sys.exit(ExitCode.OPERATIONAL)
    sys.exit(returned if isinstance(returned, int) else 0)
