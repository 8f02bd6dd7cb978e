"""Fixtures for the credential flow: the real sandbox, the CLI run in-process, and a scripted STS.

The CLI runs through `tfoidc.cli.main.main`, exactly what the `tfoidc` console script calls, with the
test's environment; output is captured at the file-descriptor level so a child of `tfoidc exec` is
captured too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.identity.support import Cli, CliResult, Issued, ScriptedSts, issued_by_moto, serving
from tfoidc.cli import console as cli_console
from tfoidc.cli.main import main
from tfoidc.sandbox import Sandbox


@pytest.fixture
def tfoidc(
    sandbox_env: dict[str, str],
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Cli:
    """`tfoidc(*args)` runs the CLI against the sandbox and returns its exit code, stdout and stderr."""
    # Rich tables wide enough that no value is folded. The consoles fix their width when created if
    # COLUMNS is set then (pytest-xdist workers set COLUMNS=80), so set it on them as well.
    monkeypatch.setenv("COLUMNS", "250")
    for console in (cli_console.stdout, cli_console.stderr):
        monkeypatch.setattr(console, "width", 250)
    monkeypatch.delenv("TFOIDC_DEBUG", raising=False)
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)

    def run(*args: str) -> CliResult:
        capfd.readouterr()
        code: int
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        else:
            code = 0
        out, err = capfd.readouterr()
        return CliResult(code=code, out=out, err=err)

    return run


@pytest.fixture
def moto_sessions(sandbox: Sandbox) -> Callable[[], list[Issued]]:
    """Sessions issued by moto since the test started."""
    before = len(issued_by_moto(sandbox))
    return lambda: issued_by_moto(sandbox)[before:]


@pytest.fixture
def scripted_sts(
    sandbox_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[ScriptedSts]:
    """STS calls go to a scripted local endpoint (AWS_ENDPOINT_URL_STS); IAM still goes to moto."""
    with serving(ScriptedSts()) as sts:
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", sts.url)
        yield sts
