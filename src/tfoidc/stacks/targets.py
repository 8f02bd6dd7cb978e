"""A stack as the one-stack lifecycle's `Target`: its root, the settings it ended up with, its output
folder. `[environments.X]` names resolve exactly as before."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from tfoidc.config import Config, describe_validation_error
from tfoidc.errors import InputError
from tfoidc.lifecycle.target import DEFAULT_OUT_DIR, Target, resolve_target
from tfoidc.stacks.discovery import Stack, StackSet, discover
from tfoidc.stacks.git import Git
from tfoidc.stacks.tree import FactCache, cache_folder, read_worktree


def resolve_named_target(config: Config, config_dir: Path, name: str, out_dir: Path | None) -> Target:
    """An environment of tfoidc.toml, else a stack discovered under `config_dir`."""
    if name in config.environments:
        return resolve_target(config, config_dir, name, out_dir)
    stacks = stacks_of(config, config_dir)
    stack = stacks.stacks.get(name)
    if stack is None:
        envs = ", ".join(sorted(config.environments)) or "none (is there a tfoidc.toml?)"
        others = [n for n in stacks.stacks if n not in config.environments]
        found = f"; stacks found: {', '.join(others[:20])}" if others else ""
        more = f" and {len(others) - 20} more" if len(others) > 20 else ""
        raise InputError(
            f"unknown environment {name!r}; tfoidc.toml defines: {envs}{found}{more}",
            hint="`tfoidc stacks list` shows every stack",
        )
    return stack_target(stack, config_dir, out_dir)


def stacks_of(config: Config, project_root: Path) -> StackSet:
    git = Git.discover(project_root)
    if git is not None and not project_root.resolve().is_relative_to(git.root):
        git = None
    cache = FactCache.at(cache_folder(os.environ))
    found = discover(read_worktree(project_root.resolve(), git, cache).facts, config)
    cache.save()
    return found


def stack_target(stack: Stack, project_root: Path, out_dir: Path | None) -> Target:
    try:
        env = stack.environment_config()
    except ValidationError as exc:
        raise InputError(f"stack {stack.name}: {describe_validation_error(exc)}") from None
    root = (project_root / stack.root).resolve()
    if not root.is_dir():
        raise InputError(f"stack {stack.name}: {root} is not a directory")
    for var_file in env.var_files:
        if not (root / var_file).is_file():
            raise InputError(f"stack {stack.name}: var file {root / var_file} does not exist")
    out = (out_dir if out_dir is not None else DEFAULT_OUT_DIR / stack.name).resolve()
    return Target(name=stack.name, env=env, root=root, out_dir=out)
