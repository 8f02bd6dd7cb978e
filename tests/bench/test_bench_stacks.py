"""bench/bench_stacks.py: the generated monorepo has the promised shape (stacks, modules, .tf files,
chains four deep, one module reaching a tenth of the stacks), and tfoidc agrees. No timing here
(timings live in bench/README.md)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tests.conftest import REPO
from tfoidc.stacks.project import change_report, open_project

SCRIPT = REPO / "bench" / "bench_stacks.py"


def bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_stacks", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_monorepo_has_the_promised_shape(tmp_path: Path) -> None:
    bench = bench_module()
    counts = bench.make_repo(tmp_path / "mono", 500)
    assert counts == {"stacks": 500, "modules": 100, "tf_files": 3400}
    project = open_project(None, tmp_path / "mono", {"TFOIDC_CACHE_DIR": ""})
    report = change_report(project, None, {})
    assert len(report.stacks.stacks) == 500
    assert max(len(chain) for s in report.stacks.stacks.values() for chain in s.module_chains.values()) == 4
    assert len(report.changes) == 50
    assert all(c.why[0].endswith("whose variables.tf changed") for c in report.changes)
    assert report.graph.dependencies("live/prod/app-0001") == ["live/prod/network"]


def test_a_quick_run_prints_the_table(tmp_path: Path) -> None:
    import subprocess

    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "50 stacks, 100 modules, 700 .tf files; --changed lists 5 stacks" in result.stdout
    for command in ("floor", "list", "changed", "generate", "list (warm)"):
        assert f"\n{command} " in result.stdout
