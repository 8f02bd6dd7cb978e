"""Exit codes and the error types that carry them.

Every failure a user can cause or meet is raised as a `TfoidcError` subclass; the CLI turns it into one
line on stderr and the subclass's exit code. Anything else is a bug and is shown as such.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    OPERATIONAL = 1  # something outside tfoidc failed: AWS, Terraform, GitLab, the network
    USAGE = 2  # bad flags, bad input file, bad configuration
    POLICY = 3  # blocked: guardrails, branch rules, plan integrity
    AUTH = 4  # the ID token or the STS exchange was refused
    CHANGES = 5  # `drift`: drift found; `plan --detailed-exitcode`: the plan has changes


class TfoidcError(Exception):
    """An expected failure: shown as one line, exits with `exit_code`."""

    exit_code: ExitCode = ExitCode.OPERATIONAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        text = " ".join(self.message.split())
        if self.hint:
            text += f" (hint: {' '.join(self.hint.split())})"
        return text


class OperationalError(TfoidcError):
    exit_code = ExitCode.OPERATIONAL


class InputError(TfoidcError):
    """Bad flags, unreadable or malformed input files, invalid configuration."""

    exit_code = ExitCode.USAGE


class PolicyBlocked(TfoidcError):
    exit_code = ExitCode.POLICY


class AuthError(TfoidcError):
    exit_code = ExitCode.AUTH


class ChangesPresent(TfoidcError):
    """Not a failure: the caller asked to be told about changes through the exit code."""

    exit_code = ExitCode.CHANGES


class KeyPathError(ValueError):
    """A configuration mistake below the key a validator checks: `path` continues that key's path
    ("0.rule" under "guardrails.waivers"), so the one-line error names the exact key."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path


class Cancelled(BaseException):
    """tfoidc received SIGTERM, SIGINT or SIGHUP (a cancelled CI job, Ctrl-C, a closed terminal).

    A BaseException, like KeyboardInterrupt, so that no `except Exception` swallows it: every `finally`
    and `with` on the way out still runs (the state lock, the private token folder). Exits 128+N, as a
    shell reports a command a signal ended."""

    def __init__(self, signum: int, detail: str = "") -> None:
        super().__init__(signum, detail)
        self.signum = signum
        self.detail = detail

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    def one_line(self) -> str:
        import signal

        try:
            name = signal.Signals(self.signum).name
        except ValueError:
            name = f"signal {self.signum}"
        return f"cancelled by {name}" + (f": {self.detail}" if self.detail else "")
