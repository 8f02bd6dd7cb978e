"""`tfoidc plan` and `tfoidc apply` for stacks: the lifecycle's commands, extended. One
`[environments.X]` name runs exactly the lifecycle command; stack names, several names or `--changed`
go through the stacks orchestrator (tfoidc.stacks.run), which plans each stack through the lifecycle.
Kept apart from cli/stacks.py so that `tfoidc stacks list` never loads the lifecycle."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from tfoidc.cli import lifecycle as lifecycle_cli
from tfoidc.cli.console import stderr
from tfoidc.cli.options import flags_of, overrides_from
from tfoidc.cli.stacks import _config_path, _project, _warn_all, render_plans_note
from tfoidc.config import load_config
from tfoidc.errors import ExitCode, InputError, TfoidcError
from tfoidc.files import write_atomic
from tfoidc.lifecycle.target import DEFAULT_OUT_DIR, current_commit
from tfoidc.stacks.guard import check_apply_order, plans_root, record_applied
from tfoidc.stacks.project import Project, change_report
from tfoidc.stacks.run import PlanOptions, StackOutcome, plan_stacks, record_outcome


def _extended(
    base: click.Command, name_param: click.Parameter, extra: list[click.Parameter], callback: Any
) -> click.Command:
    params = [name_param if p.name == "environment" else p for p in base.params] + extra
    return click.Command(
        base.name, params=params, callback=callback, help=base.help, context_settings=base.context_settings
    )


@click.pass_context
def _plan(
    ctx: click.Context,
    /,
    stacks: tuple[str, ...],
    changed: bool,
    base: str | None,
    parallel: int | None,
    **options: Any,
) -> None:
    load_config(_config_path(ctx))  # an invalid tfoidc.toml is exit 2 before anything runs
    if len(stacks) == 1 and not changed and parallel is None:
        _plan_single_stack(ctx, stacks[0], options)
        return
    if not stacks and not changed:
        raise click.UsageError("name one or more stacks, or pass --changed")
    if stacks and changed:
        raise click.UsageError("name stacks or pass --changed, not both")
    if options.get("findings_files"):
        raise click.UsageError("--findings belongs to one plan: name one stack")
    if options.get("role_arn") or options.get("chain_role_arn"):
        raise click.UsageError(
            "--role-arn belongs to one plan: name one stack (stacks take their roles from tfoidc.toml)"
        )
    _plan_many(ctx, stacks, changed, base, parallel or 1, options)


def _plan_single_stack(ctx: click.Context, name: str, options: dict[str, Any]) -> None:
    """One environment or stack through the lifecycle's own plan command, then its record for the
    apply order (`stack.json`)."""
    started = time.monotonic()
    project = _project(ctx)
    out_dir = (options.get("out_dir") or DEFAULT_OUT_DIR / name).resolve()
    try:
        ctx.invoke(lifecycle_cli.plan_command.callback, environment=name, **options)  # type: ignore[arg-type]
    except TfoidcError as exc:
        blocked = exc.exit_code == ExitCode.POLICY and (out_dir / "manifest.json").exists()
        # A usage or input error writes nothing, like every bad input (the name may not even be a folder).
        if out_dir.is_dir() and exc.exit_code != ExitCode.USAGE:
            with contextlib.suppress(TfoidcError):  # the plan's own error is the one to show
                _record(project, name, out_dir, "blocked" if blocked else "failed", exc.one_line(), started)
        raise
    except SystemExit:  # --detailed-exitcode: planned, with changes
        _record(project, name, out_dir, "planned", None, started)
        raise
    _record(project, name, out_dir, "planned", None, started)


def _record(
    project: Project, name: str, out_dir: Path, state: str, error: str | None, started: float
) -> None:
    from tfoidc.stacks.order import build_graph

    seconds = time.monotonic() - started
    stacks = project.stacks()
    deps = build_graph(stacks).dependencies(name) if name in stacks.stacks else []
    outcome = StackOutcome(name, state, seconds, out_dir, error=error)
    commit = current_commit(os.environ, project.root)
    record_outcome(
        outcome, plans_root=plans_root(out_dir, name), dependencies=deps, commit=commit, environ=os.environ
    )


def _plan_many(
    ctx: click.Context,
    names: tuple[str, ...],
    changed: bool,
    base: str | None,
    parallel: int,
    options: dict[str, Any],
) -> None:
    from tfoidc.stacks.order import build_graph
    from tfoidc.stacks.targets import stack_target

    project = _project(ctx)
    statuses: dict[str, str] = {}
    if changed:
        report = change_report(project, base)
        _warn_all(report.warnings)
        stacks, graph = report.stacks, report.graph
        chosen = [c.name for c in report.changes if c.status != "removed"]
        statuses = {c.name: c.status for c in report.changes}
        removed = [c for c in report.changes if c.status == "removed"]
    else:
        stacks = project.stacks()
        graph = build_graph(stacks)
        unknown = [n for n in names if n not in stacks.stacks]
        if unknown:
            raise InputError(
                f"no stack named {', '.join(map(repr, unknown))}",
                hint="`tfoidc stacks list` shows every stack",
            )
        chosen = list(dict.fromkeys(names))
        removed = []
    base_dir = (options.get("out_dir") or DEFAULT_OUT_DIR).resolve()
    targets = [stack_target(stacks.stacks[n], project.root, base_dir / n) for n in chosen]
    if not targets:
        click.echo("no stack changed: nothing to plan")
        return
    plan_options = PlanOptions(
        local=bool(options.get("local")),
        profile=options.get("profile"),
        overrides=overrides_from(dict(options)),
        flags=flags_of(ctx),
        terraform_bin=options.get("terraform_bin"),
        plugin_dir=options.get("plugin_dir"),
        lock_timeout=options.get("lock_timeout"),
    )
    environ = dict(os.environ)
    with _Progress([t.name for t in targets]) as progress:
        outcomes = plan_stacks(
            targets, project.config, plan_options, environ, parallel=parallel, on_progress=progress.update
        )
    commit = current_commit(environ, project.root)
    for outcome in outcomes:
        record_outcome(
            outcome,
            plans_root=base_dir,
            dependencies=graph.dependencies(outcome.name),
            commit=commit,
            environ=environ,
            status=statuses.get(outcome.name, "changed"),
        )
    expected = [(o.name, statuses.get(o.name, "changed"), "") for o in outcomes]
    expected += [(c.name, "removed", c.why[0]) for c in removed]
    note = render_plans_note(base_dir, expected, project.config.report, environ)
    write_atomic(base_dir / "note.md", note)
    for outcome in outcomes:
        click.echo(f"{outcome.name}: {outcome.summary()}")
    click.echo(f"note for {len(outcomes)} stack(s): {base_dir / 'note.md'}")
    failed = [o for o in outcomes if o.state == "failed"]
    if failed:
        raise _ManyFailed(failed)
    if any(o.state == "blocked" for o in outcomes):
        sys.exit(int(ExitCode.POLICY))
    if options.get("detailed_exitcode") and any(o.has_changes for o in outcomes):
        sys.exit(int(ExitCode.CHANGES))


class _ManyFailed(TfoidcError):
    def __init__(self, failed: list[StackOutcome]) -> None:
        names = ", ".join(o.name for o in failed)
        super().__init__(
            f"{len(failed)} stack(s) failed to plan: {names} (each stack's terraform.log says why)"
        )
        codes = {o.exit_code for o in failed}
        self.exit_code = ExitCode(codes.pop()) if len(codes) == 1 else ExitCode.OPERATIONAL


class _Progress:
    """One line per stack: its state, its time, and its counts when done; a live table on a terminal,
    a line per change of state otherwise (CI logs)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.state: dict[str, tuple[str, float | None, StackOutcome | None]] = {
            n: ("queued", None, None) for n in names
        }
        self.live: Live | None = None

    def __enter__(self) -> _Progress:
        if stderr.is_terminal:
            self.live = Live(self._table(), console=stderr, refresh_per_second=4, transient=False)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.update(self._table())
            self.live.__exit__(None, None, None)

    def update(self, name: str, state: str, outcome: StackOutcome | None) -> None:
        started = time.monotonic() if state == "running" else (self.state[name][1] or time.monotonic())
        self.state[name] = (state, started, outcome)
        if self.live is not None:
            self.live.update(self._table())
            return
        done = sum(1 for s, _, _ in self.state.values() if s not in ("queued", "running"))
        text = outcome.summary() if outcome is not None else "running"
        stderr.print(f"[{done}/{len(self.names)}] {name}: {text}", markup=False)

    def _table(self) -> Table:
        table = Table(show_header=False, box=None, pad_edge=False)
        for name in self.names:
            state, started, outcome = self.state[name]
            if outcome is not None:
                text = outcome.summary()
            elif state == "running" and started is not None:
                text = f"running {time.monotonic() - started:.0f}s"
            else:
                text = state
            table.add_row(escape(name), escape(text))
        return table


@click.pass_context
def _apply(ctx: click.Context, /, environment: str, **options: Any) -> None:
    project = _project(ctx)
    from tfoidc.stacks.order import build_graph

    stacks = project.stacks()
    deps = build_graph(stacks).dependencies(environment) if environment in stacks.stacks else []
    out_dir = (options.get("out_dir") or DEFAULT_OUT_DIR / environment).resolve()
    # Before any credential: the order between stacks (a guard against mistakes; see stacks/guard.py).
    check_apply_order(environment, out_dir, deps, current_commit(os.environ, project.root))
    ctx.invoke(lifecycle_cli.apply_command.callback, environment=environment, **options)  # type: ignore[arg-type]
    record_applied(out_dir)


plan_command = _extended(
    lifecycle_cli.plan_command,
    click.Argument(["stacks"], nargs=-1, metavar="[ENV|STACK]..."),
    [
        click.Option(
            ["--changed"],
            is_flag=True,
            help="Plan the stacks this change reaches (see `stacks list --changed`).",
        ),
        click.Option(["--base"], default=None, help="With --changed: compare with this commit."),
        click.Option(
            ["--parallel"],
            type=click.IntRange(min=1, max=64),
            default=None,
            help="Plan this many stacks at once (default 1); OUT_DIR then holds a folder per stack.",
        ),
    ],
    _plan,
)
plan_command.help = (
    "Plan ENV (an [environments.X] of tfoidc.toml) or stacks: credentials, init, plan, analysis, reports.\n\n"
    "One name plans it in OUT_DIR (default tfoidc-out/NAME). Several names, or --changed, plan each stack "
    "in OUT_DIR/STACK (default tfoidc-out/STACK), --parallel at a time, with one note for all in "
    "OUT_DIR/note.md; one stack's failure does not stop the others."
)
apply_command = _extended(
    lifecycle_cli.apply_command,
    click.Argument(["environment"], metavar="ENV|STACK"),
    [],
    _apply,
)

COMMANDS: list[click.Command] = [plan_command, apply_command]
