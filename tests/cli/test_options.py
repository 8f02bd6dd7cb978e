"""One CLI grammar: the commands that act on an environment take ENV and `--role-arn`, and every token
option is defined once, the same on every command that obtains credentials."""

from __future__ import annotations

import importlib

import click
import pytest

from tfoidc.cli.main import COMMANDS

TOKEN_OPTIONS = ("--token-file", "--token-var", "--audience", "--issuer", "--no-verify")
IDENTITY_COMMANDS = ("auth", "exec", "whoami", "doctor", "plan", "apply", "drift")


def command(name: str) -> click.Command:
    module = importlib.import_module(f"tfoidc.cli.{COMMANDS[name][0]}")
    return next(c for c in module.COMMANDS if c.name == name)


def option(name: str, flag: str) -> click.Parameter:
    return next(p for p in command(name).params if flag in p.opts)


@pytest.mark.parametrize("name", IDENTITY_COMMANDS)
def test_every_command_that_obtains_credentials_takes_env_role_arn_and_the_token_options(name: str) -> None:
    params = command(name).params
    # `plan` takes one ENV or several stacks (ENV|STACK...): the same names, more of them.
    arguments = {p.name for p in params if isinstance(p, click.Argument)}
    assert arguments == ({"stacks"} if name == "plan" else {"environment"}), name
    for flag in (*TOKEN_OPTIONS, "--role-arn"):
        assert option(name, flag).to_info_dict() == option("auth", flag).to_info_dict(), (name, flag)


@pytest.mark.parametrize("name", ["auth", "exec", "whoami", "doctor"])
def test_the_identity_commands_act_as_the_apply_job_only_when_asked(name: str) -> None:
    apply = option(name, "--apply")
    assert apply.to_info_dict() == option("auth", "--apply").to_info_dict()
    assert isinstance(apply, click.Option) and apply.is_flag
