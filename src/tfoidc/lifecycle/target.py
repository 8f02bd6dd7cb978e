"""One environment resolved against tfoidc.toml's location and the output directory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tfoidc import process
from tfoidc.config import Config, EnvironmentConfig
from tfoidc.errors import InputError, TfoidcError

DEFAULT_OUT_DIR = Path("tfoidc-out")


@dataclass(frozen=True)
class Target:
    name: str
    env: EnvironmentConfig
    root: Path  # absolute
    out_dir: Path  # absolute

    @property
    def root_label(self) -> str:
        """The root as configured: recorded in the manifest, stable across CI runners."""
        return self.env.root

    @property
    def tfplan(self) -> Path:
        return self.out_dir / "tfplan"

    @property
    def plan_json(self) -> Path:
        return self.out_dir / "plan.json"

    @property
    def manifest(self) -> Path:
        return self.out_dir / "manifest.json"

    def var_files(self) -> list[Path]:
        return [self.root / v for v in self.env.var_files]

    def plugin_dir(self, override: Path | None) -> Path | None:
        if override is not None:
            return override.resolve()
        return (self.root / self.env.plugin_dir).resolve() if self.env.plugin_dir else None


def resolve_target(config: Config, config_dir: Path, name: str, out_dir: Path | None) -> Target:
    env = config.environments.get(name)
    if env is None:
        known = ", ".join(sorted(config.environments)) or "none (is there a tfoidc.toml?)"
        raise InputError(f"unknown environment {name!r}; tfoidc.toml defines: {known}")
    root = (config_dir / env.root).resolve()
    if not root.is_dir():
        raise InputError(f"environments.{name}.root: {root} is not a directory")
    for var_file in env.var_files:
        if not (root / var_file).is_file():
            raise InputError(f"environments.{name}.var_files: {root / var_file} does not exist")
    out = (out_dir if out_dir is not None else DEFAULT_OUT_DIR / name).resolve()
    return Target(name=name, env=env, root=root, out_dir=out)


def current_commit(environ: Mapping[str, str], root: Path) -> str | None:
    """The commit being planned/applied: $CI_COMMIT_SHA in a pipeline, else git's HEAD, else unknown."""
    if environ.get("CI_COMMIT_SHA"):
        return environ["CI_COMMIT_SHA"]
    # git needs no token: only what finds it and its configuration.
    plain = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG") or k.startswith("GIT_")}
    try:
        result = process.capture(["git", "-C", str(root), "rev-parse", "HEAD"], env=plain, timeout=60)
    except TfoidcError:
        return None
    return result.stdout.decode().strip() or None if result.exit.returncode == 0 else None
