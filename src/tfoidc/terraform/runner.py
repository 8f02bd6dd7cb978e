"""The python-terraform adapter: the only place that builds Terraform command lines.

python-terraform builds the argv; `tfoidc.process` runs it, so that the environment is exactly the one
given (credentials reach Terraform only through it), every output line passes the masking filter on its
way to the terminal, a cancelled job stops Terraform gracefully (one SIGINT, Terraform's own "interrupt":
it finishes the resource in flight, writes the state and releases its lock), and every file Terraform
writes (the saved plan holds secrets) is readable by its owner only.
"""

from __future__ import annotations

import signal
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_terraform import IsFlagged, IsNotFlagged, Terraform
from rich.console import Console
from rich.markup import escape

from tfoidc import process
from tfoidc.errors import OperationalError
from tfoidc.terraform.binary import TerraformBinary
from tfoidc.terraform.masking import Masker

BackendValue = str | int | bool
# Lines kept to show the Terraform error block of a failed step.
_TAIL_LINES = 200
# Terraform stops gracefully on an interrupt; a second one makes it abort without saving the state.
STOP_SIGNAL = signal.SIGINT


@dataclass(frozen=True)
class StepTiming:
    step: str
    seconds: float
    exit_code: int


@dataclass
class TerraformRunner:
    binary: TerraformBinary
    root: Path
    env: Mapping[str, str]
    masker: Masker
    console: Console
    timings: list[StepTiming] = field(default_factory=list)

    def command(self, subcommand: str, *args: str, **options: Any) -> list[str]:
        """The argv for `terraform <subcommand>`; options follow python-terraform's conventions."""
        tf = Terraform(working_dir=str(self.root), terraform_bin_path=str(self.binary.path))
        options.setdefault("no_color", IsFlagged)
        return [str(part) for part in tf.generate_cmd_string(subcommand, *args, **options)]

    def init(
        self,
        *,
        backend_config: Mapping[str, BackendValue] | None = None,
        plugin_dir: Path | None = None,
        reconfigure: bool = True,
    ) -> None:
        backend = {k: _backend_value(v) for k, v in (backend_config or {}).items()}
        self._run(
            "init",
            self.command(
                "init",
                input=False,
                backend_config=backend or None,
                plugin_dir=str(plugin_dir) if plugin_dir else None,
                reconfigure=IsFlagged if reconfigure else IsNotFlagged,
            ),
        )

    def validate(self) -> None:
        self._run("validate", self.command("validate"))

    def plan(
        self,
        out: Path,
        *,
        var_files: Sequence[Path] = (),
        refresh_only: bool = False,
        lock_timeout: str = "0s",
    ) -> bool:
        """Write a saved plan to `out`; True when Terraform reports changes (-detailed-exitcode 2)."""
        argv = self.command(
            "plan",
            input=False,
            out=str(out),
            detailed_exitcode=IsFlagged,
            refresh_only=IsFlagged if refresh_only else None,
            lock_timeout=lock_timeout,
            var_file=[str(v) for v in var_files] or None,
        )
        code = self._run("plan (refresh-only)" if refresh_only else "plan", argv, ok_codes=(0, 2))
        return code == 2

    def show_json(self, plan_file: Path) -> bytes:
        return self._capture("show -json", self.command("show", str(plan_file), json=IsFlagged))

    def state_pull(self) -> bytes:
        """The current state document (captured, never shown: it holds every value in clear)."""
        return self._capture("state pull", [str(self.binary.path), "state", "pull"])

    def _capture(self, step: str, argv: list[str]) -> bytes:
        started = time.monotonic()
        result = process.capture(
            argv, env=self.env, cwd=self.root, stop_signal=STOP_SIGNAL, what=f"terraform {step}"
        )
        self.timings.append(StepTiming(step, time.monotonic() - started, result.exit.returncode))
        if result.exit.returncode != 0:
            stderr = self.masker.mask(result.stderr.decode("utf-8", "replace"))
            raise self._failure(step, result.exit, stderr.splitlines())
        return result.stdout

    def apply(self, plan_file: Path, *, lock_timeout: str = "0s", lock: bool = True) -> None:
        """Apply exactly the saved plan `plan_file`; never plans anew. `lock=False` when the caller holds
        the state lock itself (`terraform.state_lock`)."""
        options: dict[str, Any] = {"input": False}
        if lock:
            options["lock_timeout"] = lock_timeout
        else:
            options["lock"] = False
        self._run("apply", self.command("apply", str(plan_file), **options))

    def _run(self, step: str, argv: list[str], ok_codes: tuple[int, ...] = (0,)) -> int:
        tail: deque[str] = deque(maxlen=_TAIL_LINES)

        def show(line: str) -> None:
            tail.append(line)
            self.console.print(f"[dim]│[/dim] {escape(line)}", highlight=False)

        started = time.monotonic()
        with self._spinner(step):
            ended = process.run(
                argv,
                env=self.env,
                cwd=self.root,
                on_stdout=show,
                line_filter=self.masker.stream,
                stop_signal=STOP_SIGNAL,
                private_files=True,
                what=f"terraform {step}",
            )
        self.timings.append(StepTiming(step, time.monotonic() - started, ended.returncode))
        if ended.returncode not in ok_codes:
            raise self._failure(step, ended, list(tail))
        return ended.returncode

    @contextmanager
    def _spinner(self, step: str) -> Iterator[None]:
        with self.console.status(f"terraform {step} in {self.root.name}"):
            yield

    def _failure(self, step: str, ended: process.Exit, lines: list[str]) -> OperationalError:
        block = error_block(lines)
        if block:
            self.console.print("\n".join(escape(b) for b in block), style="red", highlight=False)
        if ended.signal is not None:
            return OperationalError(
                f"terraform {step} was {ended.describe()}",
                hint="Terraform did not finish: a state lock it took itself may still be held (`terraform "
                "force-unlock`), and the state may be behind what it changed; the next plan shows what is left",
            )
        headline = (
            next((b for b in block if b.strip()), None) or _crash(lines) or f"exit code {ended.returncode}"
        )
        hint = None
        if "state lock" in headline:
            holder = next((b.split(":", 1)[1].strip() for b in block if b.startswith("Who:")), None)
            hint = (
                f"another run{f' ({holder})' if holder else ''} holds the state lock: wait for it, or give "
                "it time with --lock-timeout / lock_timeout; `terraform force-unlock` only if it is gone"
            )
        return OperationalError(f"terraform {step} failed ({ended.describe()}): {headline}", hint=hint)


def _crash(lines: Sequence[str]) -> str | None:
    """A Go panic's first line, when Terraform crashed."""
    panic = next((line.strip() for line in lines if line.lstrip().startswith("panic:")), None)
    return f"Terraform crashed: {panic}" if panic else None


def error_block(lines: Sequence[str]) -> list[str]:
    """Terraform's diagnostics from the first `Error:` line on, box-drawing stripped."""
    cleaned = [line.lstrip("╷│╵ ").rstrip() for line in lines]
    for i, line in enumerate(cleaned):
        if line.startswith("Error:"):
            return cleaned[i : i + 60]
    return []


def _backend_value(value: BackendValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
