"""Helpers to read the group's shared options from a click context."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from tfoidc.config import Config, find_config, load_config
from tfoidc.errors import InputError
from tfoidc.guardrails.external import ExternalResult, parse_findings


def config_path_from_context(ctx: click.Context) -> Path | None:
    root = ctx.find_root()
    explicit: Path | None = (root.obj or {}).get("config_path")
    return explicit if explicit is not None else find_config(Path.cwd())


def load_config_from_context(ctx: click.Context) -> Config:
    return load_config(config_path_from_context(ctx))


FINDINGS_HELP = (
    "Findings of your own scanner to include (SARIF 2.1.0, Checkov JSON, Trivy JSON or conftest JSON); "
    "repeatable, added to guardrails.findings.files in tfoidc.toml."
)


def read_findings(config: Config, config_path: Path | None, files: Sequence[Path]) -> list[ExternalResult]:
    """Every result of the findings files tfoidc.toml names (relative to it) and of `files` (relative
    to the working directory); a file that cannot be read or parsed is one line, exit 2."""
    base = config_path.resolve().parent if config_path is not None else Path.cwd()
    paths = [base / name for name in config.guardrails.findings.files] + list(files)
    results: list[ExternalResult] = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read findings file {path}: {exc.strerror or exc}") from None
        results.extend(parse_findings(str(path), data))
    return results
