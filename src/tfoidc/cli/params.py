"""Option and argument types the commands share."""

from __future__ import annotations

import re

import click

from tfoidc.config import ENVIRONMENT_NAME_MAX, ENVIRONMENT_NAME_PATTERN


class EnvironmentName(click.ParamType):
    """An environment name as tfoidc.toml allows it: it becomes a folder (tfoidc-out/ENV), a GitLab
    environment and a word in the note's marker, so no path separator, no `..`, nothing hidden."""

    name = "ENV"
    _pattern = re.compile(ENVIRONMENT_NAME_PATTERN)

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if len(text) > ENVIRONMENT_NAME_MAX or not self._pattern.fullmatch(text):
            self.fail(
                f"{text!r} is not an environment name: letters, digits, '.', '_' or '-', starting with a "
                f"letter or digit, at most {ENVIRONMENT_NAME_MAX} characters",
                param,
                ctx,
            )
        return text


ENVIRONMENT = EnvironmentName()
