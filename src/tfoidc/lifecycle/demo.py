"""`tfoidc demo`: what tfoidc is for, told in short steps on the local sandbox, with the real commands.

1. A job on the protected main branch runs `tfoidc plan`, `tfoidc apply` and a second `tfoidc plan
   --detailed-exitcode` in child processes exactly as a pipeline would (token -> STS -> init with the S3
   backend and lock -> plan -> apply -> no changes).
2. A feature branch's token is refused for prod by the branch rules before any STS call; a token of
   another project is refused by prod's trust policy, as `tfoidc doctor` explains it.
3. A trust policy open to every project on the GitLab host is caught by the OIDC trust guardrail.
4. A realistic AWS change (examples/) is analysed: verdict, findings, monthly cost, graph.
5. Where the HTML report and the merge request note are.

Terraform's and each command's own output is folded into one or two lines per step; `--verbose` shows it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import networkx as nx
from rich.console import Console
from rich.markup import escape

import tfoidc
from tfoidc.analysis.model import Analysis
from tfoidc.analysis.run import analyze
from tfoidc.config import default_apply_audience, load_config
from tfoidc.errors import InputError, OperationalError
from tfoidc.plan.parse import load_plan
from tfoidc.report.config import ReportConfig
from tfoidc.report.render import write_reports
from tfoidc.sandbox import Sandbox
from tfoidc.sandbox.config import backend_config, sandbox_config_toml
from tfoidc.sandbox.provision import PROJECT_PATH
from tfoidc.terraform.binary import BIN_ENV_VAR, TerraformBinary, discover_terraform, packaged_terraform
from tfoidc.terraform.providers import build_null_provider_mirror

ENVIRONMENT = "prod"
_MARKER = ".tfoidc-demo"
EXAMPLE_CHANGE = "aws-web-stack.plan.json"
EXAMPLE_BROAD_TRUST = "broad-gitlab-trust.plan.json"


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def checkout_dir(relative: str) -> Path:
    """`relative` in the checkout tfoidc runs from (editable install), else in the working directory."""
    for base in (Path(tfoidc.__file__).resolve().parents[2], Path.cwd()):
        if (base / relative).exists():
            return base / relative
    raise InputError(f"{relative} not found", hint="run `tfoidc demo` from a tfoidc checkout")


def shipped_sandbox_root() -> Path:
    return checkout_dir("terraform/sandbox/main.tf").parent


def sandbox_backend_config(sandbox: Sandbox, key: str) -> dict[str, str | bool]:
    """S3 backend settings for the sandbox's moto server (the tests' Terraform workspaces use them too)."""
    return backend_config(sandbox.endpoints(), key)


def demo_terraform(environ: dict[str, str] | None = None) -> TerraformBinary:
    """$TFOIDC_TERRAFORM_BIN when set, else the packaged Terraform 1.0.3 (the sandbox's S3 backend
    settings are written for it), else whatever `discover_terraform` finds."""
    env = dict(os.environ) if environ is None else environ
    packaged = packaged_terraform()
    if env.get(BIN_ENV_VAR) or packaged is None:
        return discover_terraform(None, env)
    return discover_terraform(str(packaged), env)


class Story:
    """Numbered, titled steps of one or two lines each; the commands' own output only when verbose."""

    def __init__(self, console: Console, *, verbose: bool) -> None:
        self.console = console
        self.verbose = verbose
        self._number = 0

    def step(self, title: str) -> None:
        self._number += 1
        self.console.print()
        self.console.print(f"[bold]{self._number}. {escape(title)}[/bold]")

    def line(self, text: str, *, mark: str = "-") -> None:
        self.console.print(f"   {mark} {escape(text)}", soft_wrap=True)

    def block(self, text: str) -> None:
        """Another command's own output, shown as it printed it (indented, unwrapped)."""
        for line in text.rstrip("\n").splitlines():
            self.console.print(f"     {line}", markup=False, highlight=False, soft_wrap=True)


def run_demo(out_dir: Path, *, console: Console, verbose: bool = False) -> dict[str, Path]:
    _fresh_dir(out_dir)
    story = Story(console, verbose=verbose)
    workspace = out_dir / "workspace"
    shutil.copytree(
        shipped_sandbox_root(), workspace, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*")
    )
    examples = checkout_dir("examples")
    binary = demo_terraform()
    plugin_dir = build_null_provider_mirror(out_dir / "providers")
    with Sandbox() as sandbox:
        config = out_dir / "tfoidc.toml"
        config.write_text(
            sandbox_config_toml(sandbox.endpoints(), root=str(workspace), plugin_dir=str(plugin_dir))
        )
        console.print(
            f"tfoidc demo: a local AWS (moto {sandbox.moto_endpoint}) and a GitLab-like OIDC issuer "
            f"({sandbox.issuer.url}); {binary.flavour} {binary.version}; settings in {config}",
            markup=False,
            soft_wrap=True,
        )
        env = {**os.environ, **sandbox.env(), BIN_ENV_VAR: str(binary.path)}
        for name in ("AWS_PROFILE", "GITLAB_OIDC_TOKEN", "COLUMNS"):
            env.pop(name, None)
        jobs = _Jobs(config, env, story)
        plan_dir = _pipeline_on_main(story, jobs, sandbox, out_dir)
        _feature_branch_refused(story, jobs, sandbox)
        _other_project_refused(story, jobs, sandbox)
    _broad_trust_caught(story, examples / EXAMPLE_BROAD_TRUST)
    review_dir = _realistic_change(story, examples / EXAMPLE_CHANGE, out_dir / "review")
    story.step("Where the reports are")
    story.line(f"HTML report of the AWS change: {review_dir / 'report.html'}")
    story.line(f"merge request note (markdown): {review_dir / 'note.md'}")
    story.line(f"the sandbox pipeline's plan, reports and manifest: {plan_dir}")
    return {
        "html report": review_dir / "report.html",
        "note": review_dir / "note.md",
        "plan and reports": plan_dir,
        "second plan (no changes)": out_dir / "plan-after-apply",
        "configuration": config,
        "terraform root": workspace,
    }


class _Jobs:
    """Runs `tfoidc ...` as a CI job would (a child process with the job's token), its output folded."""

    def __init__(self, config: Path, env: dict[str, str], story: Story) -> None:
        self.config, self.env, self.story = config, env, story

    def run(self, args: list[str], token: str, *, ok: tuple[int, ...] = (0,)) -> Ran:
        argv = [sys.executable, "-m", "tfoidc", "--config", str(self.config), *args]
        env = {**self.env, "GITLAB_OIDC_TOKEN": token}
        width = self.story.console.width
        env["COLUMNS"] = str(max(width, 80))
        if self.story.verbose:
            self.story.console.rule(f"tfoidc {' '.join(args[:2])}", style="dim")
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if self.story.verbose:
            sys.stdout.write(done.stdout)
            sys.stderr.write(done.stderr)
        if done.returncode not in ok:
            if not self.story.verbose:
                self.story.block(_tail(done.stdout + done.stderr, 25))
            raise OperationalError(
                f"demo step `tfoidc {' '.join(args[:2])}` exited {done.returncode} (its output is above)"
            )
        return Ran(done.returncode, done.stdout, done.stderr)


def _pipeline_on_main(story: Story, jobs: _Jobs, sandbox: Sandbox, out_dir: Path) -> Path:
    story.step(f"A pipeline on the protected branch main plans and applies {ENVIRONMENT}")
    plan_dir, recheck_dir = out_dir / "plan", out_dir / "plan-after-apply"
    token = sandbox.issuer.mint(ref="main", ref_protected="true")
    before = sandbox.sessions_issued()
    plan = jobs.run(["plan", ENVIRONMENT, "--out-dir", str(plan_dir)], token)
    role = sandbox.roles[ENVIRONMENT]
    story.line(
        f"ID token of {PROJECT_PATH} on main -> STS AssumeRoleWithWebIdentity -> {role.rsplit('/', 1)[1]} "
        f"({sandbox.sessions_issued() - before} session)"
    )
    story.line(
        f"terraform init: state in s3://{sandbox.state_bucket}/{ENVIRONMENT}.tfstate, lock in DynamoDB "
        f"{sandbox.lock_table}; {_terraform_line(plan, 'Plan:') or 'changes planned'}"
    )
    # The apply job requests its own audience; only it is accepted for apply.
    apply_token = sandbox.issuer.mint(
        ref="main", ref_protected="true", aud=default_apply_audience(sandbox.issuer.url)
    )
    applied = jobs.run(["apply", ENVIRONMENT, "--out-dir", str(plan_dir)], apply_token)
    story.line(f"apply of the reviewed saved plan: {_terraform_line(applied, 'Apply complete!') or 'done'}")
    again = jobs.run(
        ["plan", ENVIRONMENT, "--detailed-exitcode", "--out-dir", str(recheck_dir)], token, ok=(0, 5)
    )
    if again.code != 0:
        raise OperationalError("the plan after apply still has changes: the apply did not converge")
    story.line("plan again: no changes (exit 0 with --detailed-exitcode)", mark="ok")
    return plan_dir


def _feature_branch_refused(story: Story, jobs: _Jobs, sandbox: Sandbox) -> None:
    story.step(f"A feature branch may not apply {ENVIRONMENT}: refused before any STS call")
    token = sandbox.issuer.mint(
        ref="feature/login", ref_protected="false", aud=default_apply_audience(sandbox.issuer.url)
    )
    before = sandbox.sessions_issued()
    refused = jobs.run(["apply", ENVIRONMENT], token, ok=(3,))
    made = sandbox.sessions_issued() - before
    story.line(_error_line(refused), mark="x")
    story.line(
        f"exit {refused.code} (blocked by policy); STS sessions issued: {made}. Branch rules are a guard in "
        "the job; the boundary is the role's trust policy and GitLab's protected branches."
    )


def _other_project_refused(story: Story, jobs: _Jobs, sandbox: Sandbox) -> None:
    story.step(f"A token of another project is refused by {ENVIRONMENT}'s trust policy (tfoidc doctor)")
    token = sandbox.issuer.mint(project_path="mallory/fork", ref="main", ref_protected="true")
    doctor = jobs.run(["doctor", ENVIRONMENT], token, ok=(4,))
    story.line(_error_line(doctor), mark="x")
    story.line(
        f"`tfoidc doctor {ENVIRONMENT}` evaluates the trust policy as IAM would, condition by condition:"
    )
    story.block(doctor.out)


def _broad_trust_caught(story: Story, plan_json: Path) -> None:
    story.step("A trust policy open to every project on gitlab.com is caught before it is applied")
    analysis = _analyze(plan_json, "prod")
    story.line(f"tfoidc analyze examples/{plan_json.name} (an aws_iam_role for GitLab CI):")
    for finding in analysis.findings:
        if finding.rule == "TFO-IAM-003":
            story.line(
                f"[{finding.severity.name}] {finding.rule} {finding.address}: {finding.message}", mark="x"
            )
    if not any(f.rule == "TFO-IAM-003" for f in analysis.findings):
        raise OperationalError(f"{plan_json}: the OIDC trust guardrail found nothing (it should)")


def _realistic_change(story: Story, plan_json: Path, out: Path) -> Path:
    story.step("What a reviewer sees for a realistic AWS change")
    analysis = _analyze(plan_json, "prod")
    out.mkdir(parents=True, exist_ok=True)
    written = write_reports(analysis, out, config=ReportConfig())
    counts = _action_counts(analysis)
    story.line(f"tfoidc analyze examples/{plan_json.name} -e prod: {counts}")
    story.line(
        f"the note opens with: {_note_headline(written['note'])}", mark="x" if _blocked(analysis) else "ok"
    )
    for finding in analysis.findings:
        story.line(f"[{finding.severity.name}] {finding.rule} {finding.address}: {finding.title}", mark=" ")
    for line in _cost_lines(analysis):
        story.line(line, mark=" ")
    story.line(_graph_line(analysis), mark=" ")
    return out


def _blocked(analysis: Analysis) -> bool:
    return any(f.blocking for f in analysis.findings)


def _note_headline(note: Path) -> str:
    """The note's first line of prose (its verdict), without markdown emphasis."""
    for line in note.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text and not text.startswith(("<!--", "#")):
            return text.replace("**", "").strip()
    return "(empty note)"


def _analyze(plan_json: Path, environment: str) -> Analysis:
    return analyze(load_plan(plan_json), load_config(None), environment=environment)


def _action_counts(analysis: Analysis) -> str:
    counts: dict[str, int] = {}
    for change in analysis.plan.resource_changes:
        if change.action.is_change and change.mode == "managed":
            counts[change.action.value] = counts.get(change.action.value, 0) + 1
    return ", ".join(f"{n} to {a}" for a, n in sorted(counts.items())) or "no changes"


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _cost_lines(analysis: Analysis) -> list[str]:
    cost = analysis.cost
    if cost is None:
        return ["cost: not estimated"]
    total = sum((r.monthly_after - r.monthly_before for r in cost.resources), Decimal(0))
    lines = [f"cost: +{_money(total)} a month ({cost.region or 'region unknown'}), by resource:"]
    priced = sorted(cost.resources, key=lambda r: r.monthly_after, reverse=True)
    for resource in priced:
        parts = []
        for component in resource.components:
            if component.monthly_cost is None:
                parts.append(f"{component.name} {_unit_price(component.unit_price)} per {component.unit}")
            elif component.monthly_cost:
                parts.append(f"{component.name} {_money(component.monthly_cost)}")
        usage_only = not resource.monthly_after and any(c.monthly_cost is None for c in resource.components)
        amount = "depends on usage" if usage_only else _money(resource.monthly_after)
        shown = "; ".join(parts[:2]) + ("; ..." if len(parts) > 2 else "")
        lines.append(f"  {resource.address} {amount}: {shown}")
    if cost.not_priced:
        lines.append("  not priced: " + ", ".join(f"{n.address} ({n.type})" for n in cost.not_priced))
    return lines


def _unit_price(price: Decimal) -> str:
    """Every significant digit (S3 storage is $0.023 per GB), and at least cents: $0.20, not $0.2."""
    whole, _, fraction = f"{price.normalize():f}".partition(".")
    return f"${int(whole):,}.{fraction.ljust(2, '0')}"


def _graph_line(analysis: Analysis) -> str:
    graph = analysis.graph.resource_graph().graph
    chain: list[str] = nx.dag_longest_path(graph) if nx.is_directed_acyclic_graph(graph) else []
    text = f"graph: {graph.number_of_nodes()} resources, {graph.number_of_edges()} dependencies"
    if len(chain) > 2:
        text += "; longest chain " + " -> ".join(reversed(chain))
    return text


def _terraform_line(ran: Ran, prefix: str) -> str | None:
    for line in (ran.out + "\n" + ran.err).splitlines():
        text = line.strip("│ \t")
        if text.startswith(prefix):
            return text
    return None


def _error_line(ran: Ran) -> str:
    for line in ran.err.splitlines():
        if line.startswith("tfoidc: error: "):
            return line.removeprefix("tfoidc: error: ").split(" (hint: ", 1)[0]
    return f"exit {ran.code}"


def _tail(text: str, lines: int) -> str:
    return "\n".join(text.splitlines()[-lines:])


def _fresh_dir(out_dir: Path) -> None:
    if out_dir.exists():
        if not (out_dir / _MARKER).exists():
            raise InputError(f"{out_dir} exists and was not made by `tfoidc demo`; choose another --out-dir")
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    (out_dir / _MARKER).write_text("made by tfoidc demo; replaced on each run\n")


def open_in_browser(path: Path, opener: Callable[[str], bool] | None = None) -> bool:
    """Open the report in the default browser (`--open`); False when no browser could be started."""
    import webbrowser

    return (opener or webbrowser.open)(path.resolve().as_uri())
