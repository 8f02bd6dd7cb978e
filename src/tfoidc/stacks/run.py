"""Planning several stacks in one process pool, each through the one-stack lifecycle (`run_plan`).

Each stack plans in a worker process of its own, its Terraform output in `<stack>/terraform.log` (masked
like the terminal output), so that parallel plans never interleave. One stack's failure is recorded as
that stack's result and the others go on. Afterwards every stack's `stack.json` says how it ended and
what its dependencies looked like, and the caller renders one note for all of them.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from tfoidc.config import Config
from tfoidc.errors import ExitCode, TfoidcError
from tfoidc.identity.credentials import obtain_credentials
from tfoidc.lifecycle.run import failing_findings, run_plan
from tfoidc.lifecycle.session import Overrides, Session, ci_session, credential_request, local_session
from tfoidc.lifecycle.target import Target
from tfoidc.stacks.guard import dependency_states, write_stack_record
from tfoidc.terraform.binary import discover_terraform

LOG_FILE = "terraform.log"


@dataclass(frozen=True)
class PlanOptions:
    local: bool = False
    profile: str | None = None
    overrides: Overrides = field(
        default_factory=Overrides
    )  # the token options of the command line, for every stack
    flags: frozenset[str] = frozenset()  # the command's own options, named in hints
    terraform_bin: str | None = None
    plugin_dir: Path | None = None
    lock_timeout: str | None = None


@dataclass(frozen=True)
class StackOutcome:
    name: str
    state: str  # planned | blocked | failed
    seconds: float
    out_dir: Path
    counts: dict[str, int] = field(default_factory=dict)
    has_changes: bool = False
    error: str | None = None
    exit_code: int = 0

    def summary(self) -> str:
        if self.state == "failed":
            return f"failed after {self.seconds:.1f}s: {self.error}"
        changes = ", ".join(f"{n} to {a}" for a, n in self.counts.items())
        blocked = " · blocked by guardrails" if self.state == "blocked" else ""
        return f"planned in {self.seconds:.1f}s: {changes}{blocked}"


Progress = Callable[[str, str, StackOutcome | None], None]


def plan_stacks(
    targets: Sequence[Target],
    config: Config,
    options: PlanOptions,
    environ: Mapping[str, str],
    *,
    parallel: int,
    on_progress: Progress,
) -> list[StackOutcome]:
    """Plan every target, at most `parallel` at a time; `on_progress(name, state, outcome)` is called as
    each starts ("running") and ends (its state)."""
    env = dict(environ)
    results: dict[str, StackOutcome] = {}
    if parallel <= 1:
        for target in targets:
            on_progress(target.name, "running", None)
            outcome = plan_one(target, config, options, env)
            results[target.name] = outcome
            on_progress(target.name, outcome.state, outcome)
    else:
        queue = list(targets)
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads (the live display)
        with ProcessPoolExecutor(max_workers=parallel, mp_context=context) as pool:
            running: dict[Future[StackOutcome], Target] = {}
            while queue or running:
                while queue and len(running) < parallel:
                    target = queue.pop(0)
                    running[pool.submit(plan_one, target, config, options, env)] = target
                    on_progress(target.name, "running", None)
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    target = running.pop(future)
                    try:
                        outcome = future.result()
                    except Exception as exc:  # the worker itself died: that stack failed, the rest go on
                        outcome = StackOutcome(
                            target.name,
                            "failed",
                            0.0,
                            target.out_dir,
                            error=f"worker failed: {exc}",
                            exit_code=1,
                        )
                    results[target.name] = outcome
                    on_progress(target.name, outcome.state, outcome)
    return [results[t.name] for t in targets]


def plan_one(target: Target, config: Config, options: PlanOptions, environ: dict[str, str]) -> StackOutcome:
    """One stack through the lifecycle; every failure becomes this stack's outcome, never an exception."""
    started = time.monotonic()
    target.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        with (target.out_dir / LOG_FILE).open("w", encoding="utf-8") as log:
            console = Console(file=log, force_terminal=False, no_color=True, width=200, highlight=False)
            binary = discover_terraform(options.terraform_bin, environ)
            session: Session
            if options.local:
                session = local_session(target.name, target.env, environ=environ, profile=options.profile)
            else:
                request = credential_request(
                    target.name, target.env, "plan", options.overrides, environ=environ, flags=options.flags
                )
                obtained = obtain_credentials(request, environ=environ)
                session = ci_session(target.env, request, obtained, environ=environ)
            with closing(session):
                outcome = run_plan(
                    target,
                    config,
                    binary=binary,
                    session=session,
                    console=console,
                    environ=environ,
                    plugin_dir=options.plugin_dir,
                    lock_timeout=options.lock_timeout,
                )
    except TfoidcError as exc:
        return StackOutcome(
            target.name,
            "failed",
            time.monotonic() - started,
            target.out_dir,
            error=exc.one_line(),
            exit_code=int(exc.exit_code),
        )
    except Exception as exc:
        return StackOutcome(
            target.name,
            "failed",
            time.monotonic() - started,
            target.out_dir,
            error=f"internal error: {type(exc).__name__}: {exc}",
            exit_code=int(ExitCode.OPERATIONAL),
        )
    blocked = bool(failing_findings(outcome.analysis.findings, config.guardrails.fail_on))
    return StackOutcome(
        target.name,
        "blocked" if blocked else "planned",
        time.monotonic() - started,
        target.out_dir,
        counts=outcome.analysis.action_counts(),
        has_changes=outcome.has_changes,
        exit_code=int(ExitCode.POLICY) if blocked else 0,
    )


def record_outcome(
    outcome: StackOutcome,
    *,
    plans_root: Path | None,
    dependencies: Sequence[str],
    commit: str | None,
    environ: Mapping[str, str],
    status: str = "changed",
) -> None:
    """`stack.json`: how the stack's plan ended, and its dependencies' plans at that moment."""
    deps = dependency_states(plans_root, dependencies, commit) if plans_root is not None else {}
    write_stack_record(
        outcome.out_dir,
        {
            "name": outcome.name,
            "state": outcome.state,
            "status": status,
            "error": outcome.error,
            "seconds": round(outcome.seconds, 3),
            "commit_sha": commit,
            "job_url": environ.get("CI_JOB_URL"),
            "dependencies": deps,
        },
    )
