"""Benchmark `tfoidc analyze` end to end against the floor: reading the plan (`orjson.loads`, no collector, no teardown).

Builds large, realistic plans from a real AWS fixture plan by nesting its root module N times as
distinct module calls (`module.stack_0001` ...), rewriting addresses in resource_changes,
planned_values and prior_state (including state `depends_on`), copying the configuration under
each module call (references inside a module are module-relative, so they stay valid), feeding the
module inputs from the root variables, and wiring every copy after the first to the first copy's
output (a shared stack many stacks consume). Then, each in its own subprocess, it measures wall time
and peak RSS of:

  * floor: orjson.loads of the file with the cyclic collector off and no teardown (the true floor)
  * bare:  python -c 'orjson.loads(open(plan, "rb").read())' (the old baseline, a second column)
  * json:  tfoidc analyze plan --format json   (parse, graph, cost, guardrails, drift, JSON)
  * md / html: tfoidc analyze plan --format md|html (the full report render)

and prints a table with each run's time and memory as a ratio of the floor (and time of the bare parse).

    python bench/bench_analyze.py                 # 1k, 10k and 50k resource instances
    python bench/bench_analyze.py --sizes 10000   # one size
    python bench/bench_analyze.py --quick         # 50 instances, a smoke run
    python bench/bench_analyze.py --profile 10000 # cProfile of analyze --format json, in process
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import math
import os
import pstats
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
BASE_PLAN = (
    REPO.parent
    / "shared"
    / "fixtures"
    / "plans"
    / "terraform-compliance"
    / "issue_249_alb_ecs_modules_update.json"
)
FORMATS = ("json", "md", "html")
# The floor: reading the plan, and nothing else. The cyclic collector is off and the process ends
# without teardown, as `tfoidc analyze` itself does (neither frees anything a JSON document holds).
FLOOR = (
    "import gc, os, sys; gc.disable(); import orjson; "
    "orjson.loads(open(sys.argv[1], 'rb').read()); sys.stdout.flush(); os._exit(0)"
)
# The old baseline, kept as a second column: the same parse with the collector on and a normal exit
# (it pays ~1.8 s of collection and teardown at 10k resources that tfoidc avoids, so it flatters tfoidc).
BARE = "import orjson, sys; orjson.loads(open(sys.argv[1], 'rb').read())"


# --- building the plan --------------------------------------------------------------------------


def nest(base: dict[str, Any], copies: int) -> dict[str, Any]:
    """`base`'s root module nested `copies` times as module.stack_NNNN, as one plan document."""
    names = [f"stack_{i:04d}" for i in range(copies)]
    config_root = base["configuration"]["root_module"]
    variables = list(config_root.get("variables", {}))
    output = next(iter(config_root.get("outputs", {})), None)
    doc: dict[str, Any] = {
        "format_version": base["format_version"],
        "terraform_version": base.get("terraform_version"),
        "variables": base.get("variables", {}),
        "planned_values": {
            "outputs": base.get("planned_values", {}).get("outputs", {}),
            "root_module": {
                "child_modules": [
                    _values_module(base["planned_values"]["root_module"], f"module.{n}") for n in names
                ]
            },
        },
        "resource_changes": [_change(rc, f"module.{n}") for n in names for rc in base["resource_changes"]],
        "output_changes": base.get("output_changes", {}),
        "prior_state": {
            **base["prior_state"],
            "values": {
                "outputs": base["prior_state"]["values"].get("outputs", {}),
                "root_module": {
                    "child_modules": [
                        _values_module(base["prior_state"]["values"]["root_module"], f"module.{n}")
                        for n in names
                    ]
                },
            },
        },
        "configuration": {
            "provider_config": base["configuration"]["provider_config"],
            "root_module": {
                "variables": config_root.get("variables", {}),
                "outputs": {
                    output: {
                        "expression": {"references": [f"module.{names[0]}.{output}", f"module.{names[0]}"]}
                    }
                }
                if output
                else {},
                "module_calls": {
                    n: _module_call(config_root, variables, names[0] if i and output else None, output)
                    for i, n in enumerate(names)
                },
            },
        },
    }
    return doc


def _module_call(
    config_root: dict[str, Any], variables: list[str], upstream: str | None, output: str | None
) -> dict[str, Any]:
    expressions: dict[str, Any] = {v: {"references": [f"var.{v}"]} for v in variables}
    if upstream and output and "vpc_id" in expressions:
        # A stack consuming the shared stack's output: a cross-module edge through an input.
        expressions["vpc_id"] = {"references": [f"module.{upstream}.{output}", f"module.{upstream}"]}
    return {"source": "./stack", "expressions": expressions, "module": config_root}


def _prefixed(address: str, prefix: str) -> str:
    return f"{prefix}.{address}"


def _change(rc: dict[str, Any], prefix: str) -> dict[str, Any]:
    module = rc.get("module_address")
    return {
        **rc,
        "address": _prefixed(rc["address"], prefix),
        "module_address": f"{prefix}.{module}" if module else prefix,
    }


def _values_module(module: dict[str, Any], prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "address": _prefixed(module["address"], prefix) if module.get("address") else prefix
    }
    out["resources"] = [
        {
            **r,
            "address": _prefixed(r["address"], prefix),
            **({"depends_on": [_prefixed(d, prefix) for d in r["depends_on"]]} if "depends_on" in r else {}),
        }
        for r in module.get("resources", [])
    ]
    if module.get("child_modules"):
        out["child_modules"] = [_values_module(c, prefix) for c in module["child_modules"]]
    return out


def build(target: int, directory: Path) -> tuple[Path, int]:
    """A plan with about `target` resource instances (whole copies of the base), cached by size."""
    base = orjson.loads(BASE_PLAN.read_bytes())
    per_copy = len(base["resource_changes"])
    copies = max(1, math.ceil(target / per_copy))
    path = directory / f"plan_{copies * per_copy}.json"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(orjson.dumps(nest(base, copies)))
        tmp.replace(path)
    return path, copies * per_copy


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_mib: float
    exit_code: int


def measure(command: list[str], cwd: Path) -> Run:
    """Wall time and peak RSS of one child process (os.wait4 gives that child's own rusage)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            err.seek(0)
            sys.exit(f"{' '.join(command)} exited {child.returncode}: {err.read().decode()[-500:]}")
    return Run(elapsed, usage.ru_maxrss / 1024, child.returncode)  # ru_maxrss is KiB on Linux


def analyze_command(plan: Path, fmt: str) -> list[str]:
    # --fail-on never: the bench measures the work, not the guardrail verdict on a synthetic plan.
    return [sys.executable, "-m", "tfoidc", "analyze", str(plan), "--format", fmt, "--fail-on", "never"]


def bench(sizes: list[int], formats: tuple[str, ...], directory: Path, repeat: int) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        plan, instances = build(size, directory)
        commands = {
            "floor": [sys.executable, "-c", FLOOR, str(plan)],
            "bare": [sys.executable, "-c", BARE, str(plan)],
        }
        commands.update((fmt, analyze_command(plan, fmt)) for fmt in formats)
        # Rounds interleave the commands, so a slow spell on a shared machine hits the floor and the
        # analysis alike; best of `repeat` for time (noise only ever adds), peak RSS is stable.
        runs: dict[str, list[Run]] = {name: [] for name in commands}
        for _ in range(repeat):
            for name, command in commands.items():
                runs[name].append(measure(command, directory))
        row: dict[str, Any] = {"instances": instances, "mb": plan.stat().st_size / 1e6}
        row.update((name, min(found, key=lambda r: r.seconds)) for name, found in runs.items())
        rows.append(row)
        print(format_row(row, formats), flush=True)
    return rows


def header(formats: tuple[str, ...]) -> str:
    cols = ["instances", "plan MB", "floor s", "floor MiB", "bare s"]
    for fmt in formats:
        cols += [f"{fmt} s", f"{fmt} MiB", f"{fmt} time / floor", f"{fmt} mem / floor", f"{fmt} time / bare"]
    return "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols)


def format_row(row: dict[str, Any], formats: tuple[str, ...]) -> str:
    floor: Run = row["floor"]
    bare: Run = row["bare"]
    cells = [
        f"{row['instances']:,}",
        f"{row['mb']:.1f}",
        f"{floor.seconds:.2f}",
        f"{floor.peak_mib:.0f}",
        f"{bare.seconds:.2f}",
    ]
    for fmt in formats:
        run: Run = row[fmt]
        cells += [
            f"{run.seconds:.2f}",
            f"{run.peak_mib:.0f}",
            f"{run.seconds / floor.seconds:.2f}x",
            f"{run.peak_mib / floor.peak_mib:.2f}x",
            f"{run.seconds / bare.seconds:.2f}x",
        ]
    return "| " + " | ".join(cells) + " |"


def profile(size: int, directory: Path, fmt: str) -> None:
    from tfoidc.cli.main import main

    plan, instances = build(size, directory)
    print(
        f"profiling tfoidc analyze --format {fmt} on {instances:,} instances ({plan.stat().st_size / 1e6:.0f} MB)"
    )
    out = directory / f"out.{fmt}"
    profiler = cProfile.Profile()
    profiler.enable()
    with contextlib.suppress(SystemExit):
        main(["analyze", str(plan), "--format", fmt, "--fail-on", "never", "--output", str(out)])
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="1000,10000,50000", help="resource instance counts (comma separated)"
    )
    parser.add_argument("--quick", action="store_true", help="one tiny plan (50 instances): a smoke run")
    parser.add_argument("--formats", default=",".join(FORMATS), help="analyze formats to time")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest is kept")
    parser.add_argument("--workdir", type=Path, default=None, help="where generated plans are kept")
    parser.add_argument("--profile", type=int, metavar="SIZE", help="cProfile analyze on a plan of SIZE")
    args = parser.parse_args()
    if not BASE_PLAN.exists():
        sys.exit(f"base plan not found: {BASE_PLAN} (../shared/fixtures is needed beside the repo)")
    directory = args.workdir or Path(tempfile.gettempdir()) / "tfoidc-bench"
    directory.mkdir(parents=True, exist_ok=True)
    formats = tuple(f for f in args.formats.split(",") if f)
    if args.profile:
        profile(args.profile, directory, formats[0])
        return
    sizes = [50] if args.quick else [int(s) for s in args.sizes.split(",")]
    print(f"base plan: {BASE_PLAN.name}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    print(header(formats))
    bench(sizes, formats, directory, args.repeat)


if __name__ == "__main__":
    main()
