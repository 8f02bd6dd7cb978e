"""The CLI's contract for failures: one line on stderr, a documented exit code, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tfoidc", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_missing_plan_file_is_a_usage_error_in_one_line(tmp_path: Path) -> None:
    result = run("analyze", str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert "nope.json" in result.stderr


def test_unknown_option_exits_2() -> None:
    result = run("analyze", "--no-such-flag", "x")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_invalid_config_names_the_key_path(tmp_path: Path) -> None:
    cfg = tmp_path / "tfoidc.toml"
    cfg.write_text("[environments.prod]\nroot = 3\nbogus = 1\n")
    plan = tmp_path / "plan.json"
    plan.write_text('{"format_version": "1.2", "resource_changes": []}')
    result = run("--config", str(cfg), "analyze", str(plan))
    assert result.returncode == 2
    assert "environments.prod.root" in result.stderr
    assert "environments.prod.bogus" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback_and_keeps_the_documented_exit_code(tmp_path: Path) -> None:
    result = run("--debug", "analyze", str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "Traceback" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("tfoidc: error: ")
