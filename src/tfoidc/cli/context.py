"""Helpers to read the group's shared options from a click context."""

from __future__ import annotations

from pathlib import Path

import click

from tfoidc.config import Config, find_config, load_config


def load_config_from_context(ctx: click.Context) -> Config:
    root = ctx.find_root()
    explicit: Path | None = (root.obj or {}).get("config_path")
    return load_config(explicit if explicit is not None else find_config(Path.cwd()))
