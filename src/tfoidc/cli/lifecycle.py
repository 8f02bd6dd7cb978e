"""Commands of this stage (registered by tfoidc.cli.main)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
