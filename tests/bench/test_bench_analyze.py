"""bench/bench_analyze.py: the generated plan is a valid, realistic plan, and a --quick run prints
the table. No timing is asserted here (timings live in bench/README.md)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import orjson

from tests.conftest import REPO, need_shared
from tfoidc.analysis.graph_build import build_graph
from tfoidc.plan.parse import load_plan

SCRIPT = REPO / "bench" / "bench_analyze.py"


def bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_analyze", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_nested_plan_is_a_valid_plan_with_distinct_instances_and_cross_module_edges(tmp_path: Path) -> None:
    bench = bench_module()
    base_doc = orjson.loads(need_shared(bench.BASE_PLAN).read_bytes())
    path, instances = bench.build(60, tmp_path)
    per_copy = len(base_doc["resource_changes"])
    assert instances == 3 * per_copy  # whole copies of the base plan, at least the target

    plan = load_plan(path)
    addresses = [rc.address for rc in plan.resource_changes]
    assert len(addresses) == len(set(addresses)) == instances
    assert {rc.module_address.split(".")[1] for rc in plan.resource_changes} == {
        "stack_0000",
        "stack_0001",
        "stack_0002",
    }
    base_actions = sorted(c["change"]["actions"] for c in base_doc["resource_changes"])
    assert sorted(list(rc.actions) for rc in plan.resource_changes) == sorted(base_actions * 3)

    graph = build_graph(plan)
    assert graph.inferred is False and graph.cycles() == []
    # Inside each copy the base plan's own edges hold, per copy...
    for stack in ("stack_0000", "stack_0002"):
        assert graph.graph.has_edge(
            f"module.{stack}.aws_iam_role_policy.lambda_role_policy",
            f"module.{stack}.aws_iam_role.lambda_role",
        )
    assert not graph.graph.has_edge(
        "module.stack_0002.aws_iam_role_policy.lambda_role_policy",
        "module.stack_0000.aws_iam_role.lambda_role",
    )
    # ...and later copies consume the first copy's output through a module input.
    assert graph.graph.has_edge(
        "module.stack_0001.var.vpc_id", "module.stack_0000.output.lambda_execution_arn"
    )
    assert "module.stack_0002.aws_security_group.lambda_sg" in graph.blast_radius(
        "module.stack_0000.aws_iam_role.lambda_role"
    )


def test_quick_run_prints_the_table_with_ratios(tmp_path: Path) -> None:
    need_shared(bench_module().BASE_PLAN)
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--formats", "json", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("| instances"))
    assert "json time / floor" in header and "json mem / floor" in header and "json time / bare" in header
    row = lines[lines.index(header) + 2].split("|")[1:-1]
    assert len(row) == len(header.split("|")[1:-1]) == 10
    assert int(row[0].replace(",", "")) >= 50
    assert all(cell.strip().endswith("x") for cell in row[7:10])
