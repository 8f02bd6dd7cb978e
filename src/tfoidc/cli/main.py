"""`tfoidc` entry point: the command group and the one place exceptions become exit codes."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import traceback
from pathlib import Path

import click

from tfoidc import __version__, process
from tfoidc.errors import Cancelled, ExitCode, TfoidcError
from tfoidc.plan.memory import teardown_skipped

# The command table: name -> (the tfoidc.cli module that defines it in its COMMANDS, one-line summary).
# `tfoidc --help` prints the summaries without importing any command module, and a command's module
# is imported only when it runs: `analyze` then never loads boto3, Terraform or GitLab clients.
# tests/cli/test_main.py keeps this table complete.
COMMANDS: dict[str, tuple[str, str]] = {
    "plan": ("stacks_plan", "Plan ENV or stacks: credentials, init, plan, analysis, reports."),
    "apply": ("stacks_plan", "Apply the reviewed saved plan of ENV or a stack."),
    "drift": ("lifecycle", "Detect drift in ENV (exit 5 on drift)."),
    "analyze": ("analyze", "Analyse a plan JSON file; no credentials needed."),
    "report": ("report", "Render a plan or a tfoidc.json in one format."),
    "comment": ("report", "Post or update tfoidc's one merge request note."),
    "auth": ("identity", "Exchange the ID token for AWS credentials."),
    "exec": ("identity", "Run a command with the credentials."),
    "whoami": ("identity", "Show the ID token's claims and who AWS says you are."),
    "doctor": ("identity", "Explain whether a role's trust policy accepts the token."),
    "audit": ("audit", "Who can assume the GitLab roles, and who did."),
    "prices": ("prices", "Refresh or show the price catalog."),
    "sandbox": ("sandbox", "Run the local sandbox (AWS and an OIDC issuer on 127.0.0.1)."),
    "demo": ("lifecycle", "Run the main job end to end on the local sandbox."),
    "stacks": ("stacks", "List the stacks (Terraform roots) and what a change reaches."),
    "pipeline": ("stacks", "Write the stacks' child pipeline; post their one note."),
    "init": ("stacks", "Write tfoidc.toml and the parent .gitlab-ci.yml."),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(f"tfoidc.cli.{entry[0]}")
        commands: list[click.Command] = module.COMMANDS
        return next(c for c in commands if c.name == cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, summary) for name, (_, summary) in COMMANDS.items()])


@click.group(
    cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="tfoidc")
@click.option(
    "--debug",
    is_flag=True,
    help="Show tracebacks on failure (also TFOIDC_DEBUG set to anything but '', 0, false, no or off).",
)
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
    ctx.obj["debug"] = debug or debug_from_env(os.environ.get("TFOIDC_DEBUG"))
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
    debug = "--debug" in args or debug_from_env(os.environ.get("TFOIDC_DEBUG"))
    # The job's tokens are in this process's environment: no child may read it (tfoidc.process).
    process.protect_environment()
    try:
        # SIGTERM/SIGINT/SIGHUP stop the command in order (tfoidc.process), never midway.
        with process.cancellable():
            # Without standalone mode click returns `ctx.exit(n)` codes instead of exiting: pass them on.
            returned = cli.main(args=argv, prog_name="tfoidc", standalone_mode=False)
    except Cancelled as exc:
        _say(f"tfoidc: {exc.one_line()}")
        return exc.exit_code
    except TfoidcError as exc:
        if debug:  # the traceback, but still the documented exit code: scripts branch on it
            traceback.print_exc()
        _say(f"tfoidc: error: {exc.one_line()}")
        return int(exc.exit_code)
    except click.exceptions.Abort:
        _say("tfoidc: aborted")
        return 130
    except click.ClickException as exc:
        _say(f"tfoidc: error: {exc.format_message()}")
        return int(ExitCode.USAGE if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except KeyboardInterrupt:
        _say("tfoidc: interrupted")
        return 130
    except Exception as exc:
        if debug:
            raise
        _say(f"tfoidc: internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        return int(ExitCode.OPERATIONAL)
    return returned if isinstance(returned, int) else 0


def debug_from_env(value: str | None) -> bool:
    """TFOIDC_DEBUG's one meaning: set to anything but "", 0, false, no or off (any case) turns
    tracebacks on, so `1`, `2`, `true` and `on` all do and no value is an error."""
    return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")


def _say(line: str) -> None:
    """One line on stderr: no markup, never wrapped mid-value, and a message quoting a plan value
    (a key, an address) cannot send an escape sequence to the terminal or start a second line."""
    from tfoidc.report.escape import visible

    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(visible(line) + "\n")
        sys.stderr.flush()
