"""`tfoidc` entry point: the command group and the one place exceptions become exit codes."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import traceback
from pathlib import Path

import click

from tfoidc import __version__
from tfoidc.cli.console import stderr
from tfoidc.errors import ExitCode, TfoidcError
from tfoidc.plan.memory import teardown_skipped

# Command name -> the tfoidc.cli module that defines it (in its COMMANDS). A command's module is
# imported only when that command runs: `analyze` then never loads boto3, the Terraform adapter
# or python-gitlab (a third of its start-up). tests/cli/test_main.py keeps this map complete.
COMMAND_MODULES = {
    "auth": "identity",
    "exec": "identity",
    "whoami": "identity",
    "doctor": "identity",
    "sandbox": "sandbox",
    "analyze": "analyze",
    "report": "report",
    "comment": "report",
    "plan": "lifecycle",
    "apply": "lifecycle",
    "drift": "lifecycle",
    "demo": "lifecycle",
    "prices": "prices",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMAND_MODULES.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"tfoidc.cli.{module_name}")
        commands: list[click.Command] = module.COMMANDS
        return next(c for c in commands if c.name == cmd_name)


@click.group(
    cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
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


def main(argv: list[str] | None = None) -> None:
    code = run(argv)
    if argv is None and teardown_skipped():
        # The `tfoidc` program after a large analysis: flush, then let the OS free the memory.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing left to flush to
                stream.flush()
        os._exit(code)
    sys.exit(code)


def run(argv: list[str] | None) -> int:
    """Run one command; every failure becomes its documented exit code and one line on stderr."""
    args = argv if argv is not None else sys.argv[1:]
    debug = "--debug" in args or os.environ.get("TFOIDC_DEBUG", "").lower() in ("1", "true", "yes")
    try:
        # Without standalone mode click returns `ctx.exit(n)` codes instead of exiting: pass them on.
        returned = cli.main(args=argv, prog_name="tfoidc", standalone_mode=False)
    except TfoidcError as exc:
        if debug:  # the traceback, but still the documented exit code: scripts branch on it
            traceback.print_exc()
        stderr.print(f"tfoidc: error: {exc.one_line()}", markup=False, highlight=False)
        return int(exc.exit_code)
    except click.exceptions.Abort:
        stderr.print("tfoidc: aborted", markup=False)
        return 130
    except click.ClickException as exc:
        stderr.print(f"tfoidc: error: {exc.format_message()}", markup=False, highlight=False)
        return int(ExitCode.USAGE if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except KeyboardInterrupt:
        stderr.print("tfoidc: interrupted", markup=False)
        return 130
    except Exception as exc:
        if debug:
            raise
        stderr.print(
            f"tfoidc: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            markup=False,
            highlight=False,
        )
        return int(ExitCode.OPERATIONAL)
    return returned if isinstance(returned, int) else 0
