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


def test_every_command_is_reachable_through_the_lazy_command_map() -> None:
    import importlib

    from tfoidc.cli.main import COMMAND_MODULES, cli

    defined = {}
    for module_name in set(COMMAND_MODULES.values()) | {
        "analyze",
        "identity",
        "lifecycle",
        "prices",
        "report",
        "sandbox",
    }:
        for command in importlib.import_module(f"tfoidc.cli.{module_name}").COMMANDS:
            defined[command.name] = module_name
    assert defined == COMMAND_MODULES
    ctx = cli.make_context("tfoidc", ["--help"], resilient_parsing=True)
    for name in COMMAND_MODULES:
        assert cli.get_command(ctx, name).name == name  # type: ignore[union-attr]
    assert cli.get_command(ctx, "no-such-command") is None


def test_help_lists_every_command() -> None:
    from tfoidc.cli.main import COMMAND_MODULES

    result = run("--help")
    assert result.returncode == 0
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == set(COMMAND_MODULES)


def test_analyze_starts_without_loading_aws_terraform_gitlab_clients_or_networkx(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text('{"format_version": "1.2", "resource_changes": []}')
    probe = (
        "import sys\n"
        "from tfoidc.cli.main import main\n"
        "try:\n"
        f"    main(['analyze', {str(plan)!r}, '--format', 'json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in ('boto3', 'botocore', 'gitlab', 'python_terraform', 'networkx') if m in sys.modules)\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert "LOADED []" in result.stderr, result.stderr
