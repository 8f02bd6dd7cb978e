"""Benchmark the stacks commands on a generated monorepo, against the floor (reading the input).

The monorepo: N stacks (`live/<env>/<app>`, six .tf files each) and 100 local modules (four .tf files
each) in chains four deep (level 0 calls level 1 ... calls level 3); every stack calls two chains, and
one level-3 module is reached by a tenth of the stacks (50 of 500). Each app stack reads its
environment's network stack through terraform_remote_state. A real git repository: `main`, then a
branch changing that one shared module.

Each command runs in its own process; wall time and peak RSS (os.wait4) are the median of the rounds,
the commands interleaved per round:

  * floor:    git ls-files and a read of every .tf file (what any answer must at least do)
  * list:     tfoidc stacks list --format json
  * changed:  tfoidc stacks list --changed --format json   (the one module change)
  * generate: tfoidc pipeline generate -o child.yml --for default-branch   (every stack)

Then `tfoidc plan --changed --parallel 2` against `--parallel 1` on 8 sandbox stacks (real Terraform,
the S3 backend in the sandbox's moto; needs `pip install -e '.[sandbox]'`).

    python bench/bench_stacks.py                     # 50, 500 and 2,000 stacks, then the sandbox plans
    python bench/bench_stacks.py --sizes 500         # one size
    python bench/bench_stacks.py --quick             # 50 stacks, one round, no sandbox: a smoke run
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODULES = 100
LEVELS = 4
PER_LEVEL = MODULES // LEVELS
SHARED_CHAINS = 10  # stacks call chain (i % 10): chain 0's deepest module reaches a tenth of the stacks
ENVS = ("dev", "staging", "prod", "sandbox", "shared")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def module_name(level: int, index: int) -> str:
    return f"modules/l{level}-m{index:02d}"


def shared_module() -> str:
    """The level-3 module at the end of chain 0."""
    return module_name(LEVELS - 1, 0)


def write_monorepo(root: Path, stacks: int) -> dict[str, int]:
    """Write the monorepo under `root`; returns its counts."""
    files = 0

    def write(rel: str, text: str) -> None:
        nonlocal files
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {rel}\n{text}")  # every file distinct, as in a real repository
        files += rel.endswith(".tf")

    for level in range(LEVELS):
        for i in range(PER_LEVEL):
            name = module_name(level, i)
            call = ""
            if level < LEVELS - 1:
                call = f'module "next" {{\n  source = "../l{level + 1}-m{i:02d}"\n  input  = var.input\n}}\n'
            write(
                f"{name}/main.tf",
                f'resource "null_resource" "m" {{\n  triggers = {{ v = var.input }}\n}}\n{call}',
            )
            write(f"{name}/variables.tf", 'variable "input" {\n  type    = string\n  default = "x"\n}\n')
            write(f"{name}/outputs.tf", 'output "id" {\n  value = null_resource.m.id\n}\n')
            write(f"{name}/versions.tf", 'terraform {\n  required_version = ">= 1.0"\n}\n')
    per_env = max(stacks // len(ENVS), 1)
    names: list[str] = []
    for env in ENVS:
        names.append(f"live/{env}/network")
        names.extend(f"live/{env}/app-{i:04d}" for i in range(per_env - 1))
    names = names[:stacks]
    for n, name in enumerate(names):
        env = name.split("/")[1]
        chain_a = n % SHARED_CHAINS
        chain_b = SHARED_CHAINS + n % (PER_LEVEL - SHARED_CHAINS)
        calls = "".join(
            f'module "chain_{c}" {{\n  source = "../../../{module_name(0, c)}"\n  input  = var.name\n}}\n'
            for c in (chain_a, chain_b)
        )
        write(f"{name}/main.tf", calls)
        write(f"{name}/variables.tf", f'variable "name" {{\n  type    = string\n  default = "{name}"\n}}\n')
        write(f"{name}/outputs.tf", 'output "a" {\n  value = module.chain_' + str(chain_a) + ".id\n}\n")
        write(
            f"{name}/backend.tf",
            f'terraform {{\n  backend "s3" {{\n    bucket = "acme-state"\n    key    = "{name}.tfstate"\n  }}\n}}\n',
        )
        write(f"{name}/providers.tf", 'provider "null" {}\n')
        data = ""
        if not name.endswith("/network"):
            data = (
                'data "terraform_remote_state" "network" {\n  backend = "s3"\n  config = {\n'
                f'    bucket = "acme-state"\n    key    = "live/{env}/network.tfstate"\n  }}\n}}\n'
            )
        write(f"{name}/data.tf", data or "locals {\n  network = true\n}\n")
    toml = ['[stacks.settings."**"]', 'region = "eu-west-1"', 'audience = "sts.amazonaws.com"', ""]
    for i, env in enumerate(ENVS):
        toml += [
            f'[stacks.settings."live/{env}/*"]',
            f'account = "{i + 1:012d}"',
            'role_arn = "arn:aws:iam::{account}:role/apply"',
            "",
        ]
    (root / "tfoidc.toml").write_text("\n".join(toml))
    return {"stacks": len(names), "modules": MODULES, "tf_files": files}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
        check=True,
    )
    return done.stdout.strip()


def make_repo(root: Path, stacks: int) -> dict[str, int]:
    counts = write_monorepo(root, stacks)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "monorepo")
    git(root, "checkout", "-q", "-b", "change")
    variables = root / shared_module() / "variables.tf"
    variables.write_text(variables.read_text() + 'variable "extra" {\n  default = 1\n}\n')
    git(root, "commit", "-q", "-am", "one shared module")
    return counts


@dataclass
class Run:
    seconds: float  # wall time
    cpu: float  # user + system time: what the command costs whatever else the machine runs
    max_rss_mib: float
    stdout: str


def measure(argv: list[str], cwd: Path, env: dict[str, str]) -> Run:
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed with exit {process.returncode}")
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


FLOOR = (
    "import subprocess, sys\n"
    "files = subprocess.run(['git', 'ls-files', '-z'], capture_output=True, check=True).stdout.split(b'\\0')\n"
    "total = sum(len(open(f, 'rb').read()) for f in files if f.endswith(b'.tf'))\n"
    "print(total)\n"
)


def commands(out: Path) -> dict[str, list[str]]:
    tfoidc = [sys.executable, "-m", "tfoidc"]
    return {
        "floor": [sys.executable, "-c", FLOOR],
        "list": [*tfoidc, "stacks", "list", "--format", "json"],
        "changed": [*tfoidc, "stacks", "list", "--changed", "--format", "json"],
        "generate": [
            *tfoidc,
            "pipeline",
            "generate",
            "-o",
            str(out / "child.yml"),
            "--for",
            "default-branch",
        ],
    }


def bench_size(stacks: int, rounds: int, workdir: Path) -> dict[str, Run]:
    root = workdir / f"mono-{stacks}"
    counts = make_repo(root, stacks)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CI", "GITLAB", "TFOIDC"))}
    runs: dict[str, list[Run]] = {}
    cold_env = env | {"TFOIDC_CACHE_DIR": ""}  # no cache of parsed files: every .tf file parsed
    warm_env = env | {"TFOIDC_CACHE_DIR": str(workdir / f"cache-{stacks}")}
    for _ in range(rounds):
        for name, argv in commands(workdir).items():
            runs.setdefault(name, []).append(measure(argv, root, cold_env))
            if name != "floor":
                runs.setdefault(f"{name} (warm)", []).append(measure(argv, root, warm_env))
    import json

    changed = len(json.loads(runs["changed"][0].stdout))
    listed = len(json.loads(runs["list"][0].stdout))
    print(
        f"\n{counts['stacks']} stacks, {counts['modules']} modules, {counts['tf_files']} .tf files; "
        f"--changed lists {changed} stacks (one shared module); {listed} listed"
    )
    result = {
        name: Run(
            statistics.median(r.seconds for r in rs),
            statistics.median(r.cpu for r in rs),
            max(r.max_rss_mib for r in rs),
            "",
        )
        for name, rs in runs.items()
    }
    floor = result["floor"]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'command':<18} {'wall':>7} {'x floor':>8} {'cpu':>7} {'x floor':>8} {'peak RSS':>9}")
    for name, run in result.items():
        print(
            f"{name:<18} {run.seconds:>6.2f}s {run.seconds / floor.seconds:>7.1f}x {run.cpu:>6.2f}s "
            f"{run.cpu / max(floor.cpu, 0.01):>7.1f}x {run.max_rss_mib:>6.0f} MiB"
        )
    return result


def bench_sandbox_plans(workdir: Path, stacks: int = 8) -> tuple[float, float]:
    """plan --changed of `stacks` sandbox stacks, --parallel 2 against --parallel 1 (seconds)."""
    sys.path.insert(0, str(REPO))
    from tests.stacks.sandbox_stacks import PLAIN, write_sandbox_stacks

    from tfoidc.sandbox import Sandbox
    from tfoidc.sandbox.pytest_fixtures import LEAKY_VARIABLES
    from tfoidc.terraform.providers import build_null_provider_mirror

    root = workdir / "sandbox-stacks"
    root.mkdir()
    mirror = build_null_provider_mirror(workdir / "providers")
    with Sandbox() as sandbox:
        git(root, "init", "-q", "-b", "main")
        (root / "README.md").write_text("x\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "empty")
        git(root, "checkout", "-q", "-b", "stacks")  # the change: every stack is new
        names = write_sandbox_stacks(root, sandbox, state_prefix="bench", plugin_dir=mirror, extra=stacks - 4)
        (root / "live/app/main.tf").write_text(
            PLAIN.replace("{name}", "live/app")
        )  # plans only: no remote state yet
        (root / ".gitignore").write_text(".terraform/\nout-*/\n")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "stacks")
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in LEAKY_VARIABLES and not k.startswith(("CI", "GITLAB"))
        }
        env |= sandbox.env() | {"GITLAB_OIDC_TOKEN": sandbox.issuer.mint(ref="main", ref_protected="true")}
        times: dict[int, float] = {}
        for parallel in (1, 2, 1, 2):
            argv = [
                sys.executable,
                "-m",
                "tfoidc",
                "plan",
                "--changed",
                "--base",
                "main",
                "--parallel",
                str(parallel),
                "--out-dir",
                f"out-{parallel}-{time.monotonic_ns()}",
            ]
            run = measure(argv, root, env)
            if run.stdout.count(": planned in") != len(names):
                raise SystemExit(f"expected {len(names)} planned stacks, got:\n{run.stdout}")
            times[parallel] = min(times.get(parallel, float("inf")), run.seconds)
    print(
        f"\nplan --changed of {len(names)} sandbox stacks: serial {times[1]:.1f}s, --parallel 2 {times[2]:.1f}s, "
        f"ratio {times[2] / times[1]:.2f}"
    )
    return times[1], times[2]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", type=int, nargs="*", default=[50, 500, 2000], help="none: the sandbox part only"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-sandbox", action="store_true")
    args = parser.parse_args()
    sizes, rounds = ([50], 1) if args.quick else (args.sizes, args.rounds)
    with tempfile.TemporaryDirectory(prefix="tfoidc-bench-stacks-") as tmp:
        workdir = Path(tmp)
        for size in sizes:
            bench_size(size, rounds, workdir)
        if not (args.quick or args.no_sandbox):
            bench_sandbox_plans(workdir)


if __name__ == "__main__":
    main()
