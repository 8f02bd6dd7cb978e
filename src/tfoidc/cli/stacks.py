"""`tfoidc stacks list`, `tfoidc pipeline generate | note` and `tfoidc init`: option parsing and wiring;
the work is in tfoidc.stacks. (`plan` and `apply` of stacks: cli/stacks_plan.py.)"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click
import orjson
from rich.markup import escape

from tfoidc.cli.console import stderr, warn
from tfoidc.config import find_config, load_config
from tfoidc.errors import InputError, OperationalError, TfoidcError
from tfoidc.files import write_atomic
from tfoidc.lifecycle.target import DEFAULT_OUT_DIR
from tfoidc.stacks import templates
from tfoidc.stacks.changes import StackChange
from tfoidc.stacks.guard import read_json
from tfoidc.stacks.project import ChangeReport, Project, change_report, open_project

FORMATS = ("text", "json")


def _project(ctx: click.Context) -> Project:
    return open_project((ctx.find_root().obj or {}).get("config_path"))


def _warn_all(warnings: Sequence[str]) -> None:
    for line in warnings:
        warn(escape(line))


# --- stacks list -------------------------------------------------------------------------------------


@click.group("stacks")
def stacks_group() -> None:
    """The stacks (Terraform roots) of this repository: discovery, changes, order."""


@stacks_group.command("list")
@click.option("--changed", is_flag=True, help="Only the stacks this change reaches (and removed ones).")
@click.option("--base", default=None, help="Compare with this commit (default: the MR's diff base, ...).")
@click.option("--why", is_flag=True, help="Say why each stack is listed as changed.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.pass_context
def list_command(ctx: click.Context, changed: bool, base: str | None, why: bool, fmt: str) -> None:
    """List the stacks: name, root and the stacks each depends on (with --changed: why)."""
    project = _project(ctx)
    if changed or base:
        report = change_report(project, base)
        _warn_all(report.warnings)
        items = [_change_item(report, c) for c in report.changes]
        stderr.print(
            f"compared with {report.base_sha[:12]} ({report.base.why}): {len(items)} stack(s)", markup=False
        )
    else:
        stacks = project.stacks()
        _warn_all(stacks.warnings)
        from tfoidc.stacks.order import build_graph

        graph = build_graph(stacks)
        items = [
            _stack_item(s.name, s.root, graph.dependencies(s.name), s.settings, s.from_environment)
            for s in stacks.stacks.values()
        ]
    if fmt == "json":
        click.echo(orjson.dumps(items, option=orjson.OPT_INDENT_2).decode())
        return
    for item in items:
        deps = f"  (depends on {', '.join(item['depends_on'])})" if item["depends_on"] else ""
        status = f"  [{item['status']}]" if "status" in item else ""
        click.echo(f"{item['name']}{status}{deps}")
        if why:
            for reason in item.get("why", ()):
                click.echo(f"    - {reason}")


def _stack_item(
    name: str, root: str, deps: list[str], settings: Mapping[str, Any], env: bool
) -> dict[str, Any]:
    return {
        "name": name,
        "root": root,
        "depends_on": deps,
        "environment": env,
        "account": settings.get("account"),
        "audience": settings.get("audience"),
    }


def _change_item(report: ChangeReport, change: StackChange) -> dict[str, Any]:
    stack = report.stacks.stacks.get(change.name)
    deps = report.graph.dependencies(change.name) if stack is not None else []
    item = _stack_item(
        change.name,
        change.root,
        deps,
        stack.settings if stack else {},
        bool(stack and stack.from_environment),
    )
    item["status"] = change.status
    item["why"] = list(change.why)
    return item


# --- pipeline generate | note --------------------------------------------------------------------------


@click.group("pipeline")
def pipeline_group() -> None:
    """GitLab child pipelines for the stacks, and their one merge request note."""


@pipeline_group.command("generate")
@click.option("--changed", is_flag=True, help="Only the stacks this change reaches (default: every stack).")
@click.option("--base", default=None, help="Compare with this commit (with --changed).")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The child pipeline YAML.",
)
@click.option(
    "--stacks-json",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the stacks of the pipeline and why (the note job reads it).",
)
@click.option(
    "--for",
    "target",
    type=click.Choice(["auto", "merge-request", "default-branch", "plans-only"]),
    default="auto",
    show_default=True,
    help="auto: from GitLab's variables (the note on merge requests, applies on the protected default branch).",
)
@click.pass_context
def generate_command(
    ctx: click.Context, changed: bool, base: str | None, output: Path, stacks_json: Path | None, target: str
) -> None:
    """Write a child pipeline: a plan job per stack, the note, applies in dependency order."""
    from tfoidc.stacks.pipeline import PlannedStack, generate, to_yaml

    project = _project(ctx)
    environ = os.environ
    if changed or base:
        report = change_report(project, base)
        _warn_all(report.warnings)
        stack_set, graph, changes = report.stacks, report.graph, report.changes
    else:
        from tfoidc.stacks.order import build_graph

        stack_set = project.stacks()
        _warn_all(stack_set.warnings)
        graph = build_graph(stack_set)
        changes = [
            StackChange(s.name, "changed", ("every stack",), s.root) for s in stack_set.stacks.values()
        ]
    planned = [PlannedStack(stack_set.stacks[c.name], c.status) for c in changes if c.status != "removed"]
    context = _pipeline_context(environ, target, project.config.stacks.image)
    doc = generate(planned, graph, context)
    write_atomic(output, to_yaml(doc), error=OperationalError)
    if stacks_json is not None:
        items = [
            _stack_item(
                c.name, c.root, graph.dependencies(c.name) if c.status != "removed" else [], {}, False
            )
            | {"status": c.status, "why": list(c.why)}
            for c in changes
        ]
        write_atomic(stacks_json, orjson.dumps(items, option=orjson.OPT_INDENT_2))
    jobs = [k for k in doc if not k.startswith(".") and k not in ("stages", "variables")]
    stderr.print(f"wrote {output}: {len(planned)} stack(s), {len(jobs)} job(s)", markup=False)


def _pipeline_context(environ: Mapping[str, str], target: str, image: str) -> Any:
    from tfoidc.stacks.pipeline import PipelineContext

    mr = environ.get("CI_MERGE_REQUEST_IID") or None
    branch = environ.get("CI_COMMIT_BRANCH")
    # Applies only where the apply jobs' own rule lets them exist: the protected default branch.
    default_branch = (
        bool(branch)
        and branch == environ.get("CI_DEFAULT_BRANCH")
        and (environ.get("CI_COMMIT_REF_PROTECTED") == "true")
    )
    if target == "merge-request":
        mr, default_branch = mr or environ.get("TFOIDC_MR_IID") or "0", False
    elif target == "default-branch":
        mr, default_branch = None, True
    elif target == "plans-only":
        mr, default_branch = None, False
    parent = environ.get("CI_PIPELINE_ID") or None
    if mr and not parent:
        raise InputError(
            "a merge request pipeline's note job needs the parent pipeline: CI_PIPELINE_ID is not set"
        )
    return PipelineContext(
        on_default_branch=default_branch,
        merge_request_iid=mr,
        diff_base=environ.get("CI_MERGE_REQUEST_DIFF_BASE_SHA") or None,
        parent_pipeline_id=parent,
        parent_job=environ.get("CI_JOB_NAME") or templates.GENERATE_JOB,
        image=image,
    )


@pipeline_group.command("note")
@click.option(
    "--plans",
    "plans_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_OUT_DIR,
    show_default=True,
)
@click.option(
    "--stacks-json",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The stacks expected (from `pipeline generate`).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Default: PLANS/note.md.",
)
@click.option("--require-comment", is_flag=True, help="Fail (exit 1) when the note cannot be posted.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True)
@click.pass_context
def note_command(
    ctx: click.Context,
    plans_dir: Path,
    stacks_json: Path | None,
    output: Path | None,
    require_comment: bool,
    timeout: float,
) -> None:
    """Render the one note for every stack's plan, and post it on the merge request (in CI)."""
    config = load_config(_config_path(ctx))
    expected = _expected_stacks(stacks_json) if stacks_json is not None else None
    note = render_plans_note(plans_dir, expected, config.report, os.environ)
    out = output or plans_dir / "note.md"
    write_atomic(out, note)
    stderr.print(f"wrote {out}", markup=False)
    _post(note, os.environ, require_comment, timeout)


def _config_path(ctx: click.Context) -> Path | None:
    explicit: Path | None = (ctx.find_root().obj or {}).get("config_path")
    return explicit if explicit is not None else find_config(Path.cwd())


def _expected_stacks(path: Path) -> list[tuple[str, str, str]]:
    try:
        doc = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    if not isinstance(doc, list) or not all(
        isinstance(d, dict) and isinstance(d.get("name"), str) for d in doc
    ):
        raise InputError(f"{path}: not the stacks JSON of `tfoidc pipeline generate`")
    return [
        (d["name"], str(d.get("status") or "changed"), "; ".join(map(str, d.get("why") or ()))) for d in doc
    ]


def render_plans_note(
    plans_dir: Path,
    expected: list[tuple[str, str, str]] | None,
    report_config: Any,
    environ: Mapping[str, str],
) -> str:
    from tfoidc.analysis.contract import analysis_from_dict, is_analysis_document
    from tfoidc.report.stacks import RemovedStack, StackEntry, render_stacks_note

    if expected is None:
        found = sorted({p.parent for name in ("stack.json", "manifest.json") for p in plans_dir.rglob(name)})
        expected = [(p.relative_to(plans_dir).as_posix(), "changed", "") for p in found]
    entries: list[StackEntry] = []
    removed: list[RemovedStack] = []
    project_url = environ.get("CI_PROJECT_URL", "").rstrip("/")
    for name, status, why in expected:
        if status == "removed":
            removed.append(RemovedStack(name, why))
            continue
        folder = plans_dir / name
        record = read_json(folder / "stack.json") or {}
        manifest = read_json(folder / "manifest.json") or {}
        doc = read_json(folder / "tfoidc.json")
        analysis = (
            analysis_from_dict(doc, source=name) if doc is not None and is_analysis_document(doc) else None
        )
        job_id = str(manifest.get("job_id") or "")
        job_url = record.get("job_url") or (
            f"{project_url}/-/jobs/{job_id}" if project_url and job_id.isdigit() else None
        )
        state = str(record.get("state") or ("blocked" if manifest.get("blocking_findings") else "planned"))
        if analysis is None and state != "failed":
            state = "failed"
        error = record.get("error") or (
            None if analysis is not None else "no plan result: the plan job failed or did not run"
        )
        entries.append(StackEntry(name, state, analysis, error, job_url, status))  # type: ignore[arg-type]
    if not entries and not removed:
        raise InputError(f"no stack plan found in {plans_dir}")
    pipeline = environ.get("TFOIDC_PARENT_PIPELINE_ID") or environ.get("CI_PIPELINE_ID") or ""
    return render_stacks_note(
        entries,
        removed=removed,
        config=report_config,
        pipeline_id=int(pipeline) if pipeline.isdigit() else None,
        artifact_url=environ.get("CI_PIPELINE_URL") or None,
    )


def _post(note: str, environ: Mapping[str, str], required: bool, timeout: float) -> None:
    from tfoidc.gitlab.notes import target_from_env, upsert_note

    env = dict(environ)
    if not env.get("CI_MERGE_REQUEST_IID") and env.get("TFOIDC_MR_IID"):
        env["CI_MERGE_REQUEST_IID"] = env["TFOIDC_MR_IID"]  # a child pipeline: the parent's merge request
    try:
        target = target_from_env(env)
        if target is None:
            stderr.print("tfoidc: not a merge request pipeline: no note posted", markup=False)
            return
        result = upsert_note(target, note, timeout=timeout)
    except TfoidcError as exc:
        if required:
            raise
        warn(
            escape(
                f"merge request note not posted: {exc.one_line()} (pass --require-comment to make this fatal)"
            )
        )
        return
    stderr.print(f"tfoidc: merge request note: {result.message}", markup=False)


# --- init ----------------------------------------------------------------------------------------------


@click.command("init")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("."),
    show_default=True,
)
def init_command(directory: Path) -> None:
    """Write a commented tfoidc.toml for the stacks found and the parent .gitlab-ci.yml (never overwrites)."""
    from tfoidc.config import CONFIG_FILENAME, Config
    from tfoidc.stacks.scaffold import config_text, pipeline_text
    from tfoidc.stacks.targets import stacks_of

    root = directory.resolve()
    files = {root / CONFIG_FILENAME: None, root / ".gitlab-ci.yml": None}
    existing = [p.name for p in files if p.exists()]
    if existing:
        raise InputError(
            f"{' and '.join(existing)} already exist{'s' if len(existing) == 1 else ''} in {root}: nothing written",
            hint="move them away first, or edit them by hand (docs/stacks.md)",
        )
    stacks = stacks_of(Config(), root)
    _warn_all(stacks.warnings)
    write_atomic(root / CONFIG_FILENAME, config_text(stacks), error=OperationalError)
    write_atomic(root / ".gitlab-ci.yml", pipeline_text(), error=OperationalError)
    click.echo(f"found {len(stacks.stacks)} stack(s); wrote {CONFIG_FILENAME} and .gitlab-ci.yml in {root}")
    click.echo("next: fill in roles and the backend in tfoidc.toml, then `tfoidc stacks list`")


COMMANDS: list[click.Command] = [stacks_group, pipeline_group, init_command]
