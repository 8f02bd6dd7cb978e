"""The child pipeline for a set of stacks (pure: stacks, their order and the pipeline's context in, the
pipeline as data out).

- one plan job per stack, all starting at once, each with its own ID token audience and resource group;
- merge requests: one note job for every stack; it needs at most 50 jobs, so beyond 49 plan jobs
  collector jobs gather the plan jobs' note files 50 at a time (and collectors of collectors);
- the protected default branch: a manual apply job per stack whose `needs` follow the dependency
  order; a stack whose dependency is in the same pipeline is planned after that dependency's apply,
  so the plan it applies saw the dependency's new outputs;
- nothing changed: one job saying so.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tfoidc import __version__
from tfoidc.errors import InputError
from tfoidc.stacks import templates as t
from tfoidc.stacks.discovery import Stack
from tfoidc.stacks.order import StackGraph

MAX_NEEDS = 50
MAX_JOB_NAME = 255
# Stack names go into job names, variables, paths and resource groups: letters, digits, `.`, `_`, `-`
# and `/` only, so GitLab never expands (`$`) or rejects any of them.
STACK_NAME = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_ENV_UNSAFE = re.compile(r"[^A-Za-z0-9_/ -]")


@dataclass(frozen=True)
class PipelineContext:
    """Where the pipeline runs, read from the parent pipeline's variables by the generator."""

    on_default_branch: bool
    merge_request_iid: str | None = None
    diff_base: str | None = None
    parent_pipeline_id: str | None = None
    parent_job: str = t.GENERATE_JOB
    image: str = "python:3.11-slim"


@dataclass(frozen=True)
class PlannedStack:
    stack: Stack
    status: str  # changed | affected


def generate(planned: list[PlannedStack], graph: StackGraph, ctx: PipelineContext) -> dict[str, Any]:
    if not planned:
        return {"tfoidc:no-stack-changed": t.no_change_job()}
    names = {p.stack.name for p in planned}
    for p in planned:
        check_stack_name(p.stack.name)
    # GitLab lets a job need only jobs of its own or earlier stages: on the default branch, where plans
    # wait for the applies of their dependencies, each wave of the order has a plan and an apply stage.
    waves = graph.apply_order(names) if ctx.on_default_branch else [sorted(names)]
    wave_of = {n: i for i, wave in enumerate(waves) for n in wave}
    if ctx.on_default_branch:
        stages = [f"{step}-{i + 1}" for i in range(len(waves)) for step in ("plan", "apply")]
    else:
        stages = ["plan", "report"]
    doc: dict[str, Any] = {
        "stages": stages,
        "variables": _variables(ctx),
        ".tfoidc": t.tfoidc_template(ctx.image),
    }
    plan_names = {n: job_name("plan:", n) for n in names}
    apply_names = {n: job_name("apply:", n) for n in names}
    groups = _unique({n: _resource_group(n) for n in names})
    environments = _unique({n: _environment(n) for n in names})
    jobs: dict[str, Any] = {}
    for p in sorted(planned, key=lambda p: p.stack.name):
        stack = p.stack
        audience = str(stack.settings.get("audience") or t.DEFAULT_AUDIENCE)
        job = t.plan_job(
            stack.name,
            audience=audience,
            resource_group=groups[stack.name],
        )
        deps = graph.needs_within(stack.name, names) if ctx.on_default_branch else []
        plan_stage = f"plan-{wave_of[stack.name] + 1}" if ctx.on_default_branch else "plan"
        job["stage"] = plan_stage
        job["needs"] = _fan_in(
            f"{plan_names[stack.name]} after",
            [(apply_names[d], True) for d in deps],
            jobs,
            plan_stage,
            t.APPLIED_ARTIFACTS,
        )
        jobs[plan_names[stack.name]] = job
        if ctx.on_default_branch:
            apply = t.apply_job(
                stack.name,
                audience=str(stack.settings.get("apply_audience") or t.DEFAULT_APPLY_AUDIENCE),
                resource_group=groups[stack.name],
                environment=environments[stack.name],
                tier=stack.settings.get("deployment_tier"),
            )
            apply["stage"] = f"apply-{wave_of[stack.name] + 1}"
            apply["needs"] = [
                {"job": plan_names[stack.name], "artifacts": True},
                *_fan_in(
                    f"{apply_names[stack.name]} after",
                    [(apply_names[d], True) for d in deps],
                    jobs,
                    apply["stage"],
                    t.APPLIED_ARTIFACTS,
                    limit=MAX_NEEDS - 1,
                ),
            ]
            jobs[apply_names[stack.name]] = apply
    if ctx.merge_request_iid:
        note = t.note_job()
        parent = {"pipeline": "$TFOIDC_PARENT_PIPELINE_ID", "job": ctx.parent_job, "artifacts": True}
        plans = [(plan_names[n], True) for n in sorted(names)]
        note["needs"] = [
            parent,
            *_fan_in("note:collect", plans, jobs, "report", t.NOTE_ARTIFACTS, limit=MAX_NEEDS - 1),
        ]
        jobs["tfoidc:note"] = note
    doc.update(jobs)
    return doc


def _fan_in(
    prefix: str,
    needs: list[tuple[str, bool]],
    jobs: dict[str, Any],
    stage: str,
    paths: list[str],
    *,
    limit: int = MAX_NEEDS,
) -> list[dict[str, Any]]:
    """`needs` as at most `limit` entries: beyond it, collector jobs of 50 each (and of collectors)."""
    level = 0
    while len(needs) > limit:
        level += 1
        gathered: list[tuple[str, bool]] = []
        for i in range(0, len(needs), MAX_NEEDS):
            name = job_name(f"{prefix} {level}.", str(i // MAX_NEEDS + 1))
            job = t.collect_job(stage, paths, always=paths == t.NOTE_ARTIFACTS)
            job["needs"] = [{"job": n, "artifacts": a} for n, a in needs[i : i + MAX_NEEDS]]
            jobs[name] = job
            gathered.append((name, True))
        needs = gathered
    return [{"job": n, "artifacts": a} for n, a in needs]


def check_stack_name(name: str) -> None:
    if not STACK_NAME.match(name) or any(part in (".", "..") for part in name.split("/")):
        raise InputError(
            f"stack {name!r} cannot have jobs in a generated pipeline: a stack name may hold only letters, "
            "digits, '.', '_', '-' and '/' (GitLab would expand or reject the rest)",
            hint="rename the folder, or leave it out with stacks.exclude",
        )


def job_name(prefix: str, stack: str) -> str:
    """GitLab's job-name rules: at most 255 characters, not hidden (a leading '.'), unique per stack."""
    name = prefix + stack
    if len(name) > MAX_JOB_NAME:
        digest = hashlib.sha256(stack.encode()).hexdigest()[:10]
        name = f"{name[: MAX_JOB_NAME - len(digest) - 1]}~{digest}"
    return name


def _resource_group(stack: str) -> str:
    return f"tfoidc/{stack}"


def _environment(stack: str) -> str:
    return _ENV_UNSAFE.sub("-", stack)


def _unique(names: dict[str, str]) -> dict[str, str]:
    """Names that two stacks would share after cleaning get a suffix from their stack's full name."""
    seen: dict[str, int] = {}
    for value in names.values():
        seen[value] = seen.get(value, 0) + 1
    return {
        stack: value if seen[value] == 1 else f"{value}-{hashlib.sha256(stack.encode()).hexdigest()[:8]}"
        for stack, value in names.items()
    }


def _variables(ctx: PipelineContext) -> dict[str, str]:
    """What the child pipeline cannot see by itself: the parent's merge request and pipeline."""
    out: dict[str, str] = {"TFOIDC_GENERATED_BY": f"tfoidc {__version__}"}
    checks: list[tuple[str, str | None, Callable[[str], bool]]] = [
        ("TFOIDC_MR_IID", ctx.merge_request_iid, str.isdigit),
        ("TFOIDC_MR_DIFF_BASE_SHA", ctx.diff_base, lambda v: bool(_SHA.match(v))),
        ("TFOIDC_PARENT_PIPELINE_ID", ctx.parent_pipeline_id, str.isdigit),
    ]
    for name, value, valid in checks:
        if value:
            if not valid(value):
                raise InputError(f"{name}: unexpected value {value!r} from the parent pipeline")
            out[name] = value
    # TFOIDC_PIP_SPEC and TERRAFORM_VERSION are not copied here: a pip spec can carry an index's
    # credentials, and this file is an artifact. The trigger job passes the parent's own on (GitLab
    # forwards its YAML variables to the child), and project variables reach every pipeline.
    return out


def to_yaml(doc: dict[str, Any]) -> str:
    """The pipeline as YAML in its JSON form (JSON is YAML's flow style): written in milliseconds for
    thousands of jobs, where a YAML emitter takes seconds."""
    import orjson

    header = "# Generated by `tfoidc pipeline generate`: do not edit, it is written anew in every pipeline.\n"
    return header + orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"
