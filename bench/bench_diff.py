"""Benchmark attribute diffs of a huge JSON document held in a string attribute, in every format.

An IAM policy, an SSM parameter or a container definition is a string to Terraform, and tfoidc
compares the JSON inside it leaf by leaf. This builds a plan with one update whose string attribute
holds a JSON list of N scalars (default 60,000) before and after, with half of the members changed,
so the set comparison has N/2 removals and N/2 additions to find. Each format runs in its own
`tfoidc analyze` process (wall and CPU time, best of --repeat; on a shared machine CPU time is the
steadier measure), beside the floor: reading the same plan (`orjson.loads`, the collector off, no
teardown). Both include starting Python and importing tfoidc.

    python bench/bench_diff.py                    # 60,000 items, every format
    python bench/bench_diff.py --items 120000     # twice as many: time should about double
    python bench/bench_diff.py --src ../main/src  # the same plan through another checkout's code
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parents[1]
FORMATS = ("text", "md", "html", "json", "junit", "sarif", "codequality", "gitlab-terraform")
FLOOR = "import gc, os, sys, orjson; gc.disable(); orjson.loads(open(sys.argv[1], 'rb').read()); os._exit(0)"


def plan_with_list(items: int) -> dict[str, Any]:
    before = [f"arn:aws:s3:::bucket-{i:06d}/*" for i in range(items)]
    after = [*before[: items // 2], *(f"arn:aws:s3:::other-{i:06d}/*" for i in range(items - items // 2))]
    change = {
        "actions": ["update"],
        "before": {"name": "resources", "type": "StringList", "value": orjson.dumps(before).decode()},
        "after": {"name": "resources", "type": "StringList", "value": orjson.dumps(after).decode()},
        "after_unknown": {},
    }
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "resource_changes": [
            {
                "address": "aws_ssm_parameter.resources",
                "mode": "managed",
                "type": "aws_ssm_parameter",
                "name": "resources",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": change,
            }
        ],
    }


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.decode()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def best(command: list[str], env: dict[str, str], repeat: int) -> tuple[float, float]:
    runs = [run(command, env) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest is kept")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--src", type=Path, default=REPO / "src", help="the tfoidc source tree to run")
    parser.add_argument("--timeout", type=float, default=600, help="give up on a format after this long")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.src.resolve())}
    formats = tuple(args.formats.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan.json"
        plan.write_bytes(orjson.dumps(plan_with_list(args.items)))
        wall0, cpu0 = best([sys.executable, "-c", FLOOR, str(plan)], env, args.repeat)
        print(f"{args.items:,} items, plan {plan.stat().st_size / 1e6:.1f} MB, source {args.src}")
        print(f"{'format':<18}{'wall s':>8}{'cpu s':>8}{'cpu x floor':>13}")
        print(f"{'floor (read)':<18}{wall0:>8.2f}{cpu0:>8.2f}{1:>13.1f}")
        for fmt in formats:
            command = [
                sys.executable,
                "-m",
                "tfoidc",
                "analyze",
                str(plan),
                "--format",
                fmt,
                "--fail-on",
                "never",
            ]
            wall, cpu = best(command, env, args.repeat)
            print(f"{fmt:<18}{wall:>8.2f}{cpu:>8.2f}{cpu / cpu0:>13.1f}", flush=True)


if __name__ == "__main__":
    main()
