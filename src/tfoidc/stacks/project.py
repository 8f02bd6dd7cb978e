"""The I/O edge of the stacks stage: the project (tfoidc.toml's folder), its git repository, the stacks
of the working tree and of a base commit, and the change between them."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from tfoidc.config import CONFIG_FILENAME, Config, describe_validation_error, find_config, load_config
from tfoidc.errors import InputError, TfoidcError
from tfoidc.stacks.changes import StackChange, detect_changes
from tfoidc.stacks.discovery import StackSet, discover
from tfoidc.stacks.git import Base, FileChange, Git, default_base, is_ci
from tfoidc.stacks.order import StackGraph, build_graph
from tfoidc.stacks.tree import FactCache, cache_folder, read_revision, read_worktree


@dataclass
class Project:
    root: Path  # absolute: tfoidc.toml's folder, else the repository's root, else the working directory
    config_path: Path | None
    config: Config
    git: Git | None
    cache: FactCache = field(default_factory=FactCache)

    @property
    def prefix(self) -> str:
        """The project root relative to the repository root ("" when they are the same)."""
        if self.git is None:
            return ""
        rel = self.root.relative_to(self.git.root).as_posix()
        return "" if rel == "." else rel + "/"

    def stacks(self) -> StackSet:
        found = discover(read_worktree(self.root, self.git, self.cache).facts, self.config)
        self.cache.save()
        return found


@dataclass(frozen=True)
class ChangeReport:
    base: Base
    base_sha: str
    stacks: StackSet
    graph: StackGraph
    changes: list[StackChange]
    files: list[FileChange]
    warnings: tuple[str, ...]


def open_project(
    config_path: Path | None, cwd: Path | None = None, environ: Mapping[str, str] | None = None
) -> Project:
    start = (cwd or Path.cwd()).resolve()
    path = config_path if config_path is not None else find_config(start)
    config = load_config(path)
    git = Git.discover(path.resolve().parent if path is not None else start)
    root = path.resolve().parent if path is not None else (git.root if git is not None else start)
    if git is not None and not root.is_relative_to(git.root):
        git = None
    return Project(
        root=root,
        config_path=path.resolve() if path is not None else None,
        config=config,
        git=git,
        cache=FactCache.at(cache_folder(os.environ if environ is None else environ)),
    )


def change_report(
    project: Project, base: str | None, environ: Mapping[str, str] | None = None
) -> ChangeReport:
    env = os.environ if environ is None else environ
    git = project.git
    if git is None:
        raise InputError(
            f"{project.root} is not in a git repository: --changed needs git to compare with a base"
        )
    if git.head() is None:
        raise InputError("the repository has no commit yet: nothing to compare with")
    chosen = (
        Base(base, "--base")
        if base
        else (
            Base(env["TFOIDC_BASE"], "$TFOIDC_BASE")
            if env.get("TFOIDC_BASE")
            else default_base(git, env, project.config.stacks.default_branch)
        )
    )
    sha = git.ensure_commit(chosen.rev, chosen.why)
    now = project.stacks()
    graph = build_graph(now)
    prefix = project.prefix
    files = [
        FileChange(c.status, c.path[len(prefix) :])
        for c in git.changes(sha, worktree=not is_ci(env))
        if c.path.startswith(prefix)
    ]
    config_rel = (
        project.config_path.relative_to(project.root).as_posix()
        if project.config_path is not None
        else CONFIG_FILENAME
    )
    base_stacks: StackSet | None = None
    problem: str | None = None
    try:
        base_config = _config_at(git, sha, prefix + config_rel, present_now=project.config_path is not None)
        base_stacks = discover(read_revision(git, sha, project.root, project.cache).facts, base_config)
        project.cache.save()
    except (TfoidcError, ValidationError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problem = f"tfoidc.toml or the stacks at the base {sha[:12]} could not be read ({_one_line(exc)})"
    changes = detect_changes(
        now,
        base_stacks,
        files,
        graph,
        plan_affected=project.config.stacks.plan_affected,
        config_path=config_rel,
        base_problem=problem,
    )
    warnings = list(now.warnings)
    for change in changes:
        if change.status == "removed":
            warnings.append(
                f"stack {change.name} was removed: merging this does not destroy its resources "
                "(destroy them first with Terraform, or they stay, unmanaged, in their account)"
            )
    return ChangeReport(chosen, sha, now, graph, changes, files, tuple(warnings))


def _config_at(git: Git, sha: str, path: str, *, present_now: bool) -> Config:
    raw = git.show(sha, path)
    if raw is None:
        return Config()
    try:
        return Config.model_validate(tomllib.loads(raw.decode("utf-8")))
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc)) from None


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, TfoidcError):
        return exc.one_line()
    return " ".join(str(exc).split())[:300]
