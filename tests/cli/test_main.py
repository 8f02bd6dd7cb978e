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

    from tfoidc.cli.main import COMMANDS, cli

    defined = {}
    for module_name in {module for module, _ in COMMANDS.values()} | {
        "analyze",
        "identity",
        "lifecycle",
        "prices",
        "report",
        "sandbox",
    }:
        for command in importlib.import_module(f"tfoidc.cli.{module_name}").COMMANDS:
            defined[command.name] = module_name
    assert defined == {name: module for name, (module, _) in COMMANDS.items()}
    ctx = cli.make_context("tfoidc", ["--help"], resilient_parsing=True)
    for name in COMMANDS:
        assert cli.get_command(ctx, name).name == name  # type: ignore[union-attr]
    assert cli.get_command(ctx, "no-such-command") is None


def test_help_lists_every_command() -> None:
    from tfoidc.cli.main import COMMANDS

    result = run("--help")
    assert result.returncode == 0
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == set(COMMANDS)


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


def _modules_loaded_by(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint('LOADED', sorted(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    line = next(x for x in result.stdout.splitlines() if x.startswith("LOADED "))
    loaded: list[str] = eval(line[len("LOADED ") :])  # a printed list of module names
    return loaded


def test_help_and_version_import_no_command_module_and_no_heavy_library() -> None:
    for argv in (["--help"], ["--version"]):
        loaded = _modules_loaded_by(
            "from tfoidc.cli.main import run\n"
            "import contextlib, io\n"
            f"with contextlib.redirect_stdout(io.StringIO()): run({argv!r})"
        )
        commands = [m for m in loaded if m.startswith("tfoidc.cli.") and m not in ("tfoidc.cli.main",)]
        assert commands == [], argv
        heavy = [m for m in ("rich", "boto3", "networkx", "pydantic", "jinja2", "gitlab") if m in loaded]
        assert heavy == [], argv


def test_help_shows_each_command_with_its_summary() -> None:
    from tfoidc.cli.main import COMMANDS

    result = run("--help")
    for name, (_, summary) in COMMANDS.items():
        assert f"{name}  " in result.stdout and summary.split()[0] in result.stdout, name


def test_loading_the_configuration_loads_no_analysis_stage() -> None:
    loaded = [m for m in _modules_loaded_by("import tfoidc.config") if m.startswith("tfoidc")]
    modules = _modules_loaded_by(
        "import tfoidc.config\n"
        "sys.modules = {k: v for k, v in sys.modules.items() if k.startswith('tfoidc') and not hasattr(v, '__path__')}"
    )
    # Package markers aside: tfoidc.config, the section schemas it composes and what they need.
    assert len(modules) <= 10, modules
    for stage in (
        "tfoidc.analysis",
        "tfoidc.guardrails.rules",
        "tfoidc.cost.estimator",
        "tfoidc.report.render",
        "tfoidc.stacks.discovery",
    ):
        assert stage not in loaded
