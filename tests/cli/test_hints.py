"""Every hint names only options that exist for the command at hand: the same identity failure reads
`--audience` on `tfoidc auth` and `--audience or environments.prod.apply_audience` on `tfoidc apply
prod`, and never suggests `--no-verify` where it would be refused."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path

import click
import pytest

from tests.identity.support import Cli
from tfoidc.cli.main import COMMANDS
from tfoidc.sandbox import Sandbox
from tfoidc.sandbox.issuer import LocalIssuer, new_signing_key

_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
_NAMED_COMMAND = re.compile(r"`tfoidc ([a-z]+)[^`]*`")


def command(name: str) -> click.Command:
    module = importlib.import_module(f"tfoidc.cli.{COMMANDS[name][0]}")
    return next(c for c in module.COMMANDS if c.name == name)


def options_of(name: str) -> set[str]:
    return {opt for p in command(name).params for opt in (*p.opts, *p.secondary_opts) if opt.startswith("--")}


def assert_hint_names_only_options_of(name: str, line: str) -> None:
    hint = line.partition("(hint: ")[2]
    for quoted in _NAMED_COMMAND.finditer(hint):  # `tfoidc doctor --role-arn ...`: that command's
        for option in _OPTION.findall(quoted.group(0)):
            assert option in options_of(quoted.group(1)), (quoted.group(0), line)
    own = _NAMED_COMMAND.sub("", hint)
    for option in _OPTION.findall(own):
        assert option in options_of(name), (name, option, line)


# Each failure: a token for the audience the command requires, and the variables of the job.
Token = Callable[[Sandbox, str], str]
FAILURES: dict[str, tuple[Token, dict[str, str]]] = {
    "wrong audience": (lambda sb, aud: sb.issuer.mint(aud="https://vault.example.com"), {}),
    "wrong issuer": (lambda sb, aud: sb.issuer.mint(aud=aud, iss="https://gitlab.com"), {}),
    "unknown key": (
        lambda sb, aud: LocalIssuer(key=new_signing_key(), kid="gone", url=sb.issuer.url).mint(aud=aud),
        {},
    ),
    "unreachable issuer": (
        lambda sb, aud: sb.issuer.mint(aud=aud, iss="http://127.0.0.1:9"),
        {"TFOIDC_ISSUER": "http://127.0.0.1:9"},
    ),
    "plain http issuer": (
        lambda sb, aud: sb.issuer.mint(aud=aud, iss="http://gitlab.example.com"),
        {"TFOIDC_ISSUER": "http://gitlab.example.com"},
    ),
}


@pytest.fixture
def config(sandbox: Sandbox, tmp_path: Path) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    path = tmp_path / "tfoidc.toml"
    path.write_text(
        "[environments.prod]\n"
        f'root = "{root}"\n'
        f'role_arn = "{sandbox.roles["prod"]}"\n'
        f'plan_role_arn = "{sandbox.roles["readonly"]}"\n'
        'apply_refs = ["main"]\n'
        "[environments.dev]\n"
        f'root = "{root}"\n'
        f'role_arn = "{sandbox.roles["dev"]}"\n'
    )
    return path


def invocations(sandbox: Sandbox, config: Path, tmp_path: Path) -> list[tuple[str, bool, list[str]]]:
    """(command, whether it acts as the apply job, argv)."""
    out = ["--out-dir", str(tmp_path / "out")]
    role = ["--role-arn", sandbox.roles["dev"]]
    cfg = ["--config", str(config)]
    return [
        ("auth", False, ["auth", *role]),
        ("auth", True, [*cfg, "auth", "prod", "--apply"]),
        ("exec", False, ["exec", *role, "--", "true"]),
        ("exec", False, [*cfg, "exec", "dev", "--", "true"]),
        ("whoami", False, ["whoami", *role]),
        ("doctor", False, ["doctor", *role]),
        ("doctor", False, [*cfg, "doctor", "prod"]),
        ("plan", False, [*cfg, "plan", "prod", *out]),
        ("drift", False, [*cfg, "drift", "dev", *out]),
        ("apply", True, [*cfg, "apply", "prod", *out]),  # branch rules: --no-verify is refused there
        ("apply", True, [*cfg, "apply", "dev", *out]),
    ]


@pytest.mark.parametrize("failure", sorted(FAILURES))
def test_identity_failures_hint_only_at_options_the_command_has(
    tfoidc: Cli,
    sandbox: Sandbox,
    config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    make, environ = FAILURES[failure]
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    issuer = environ.get("TFOIDC_ISSUER", sandbox.issuer.url)
    for name, applies, argv in invocations(sandbox, config, tmp_path):
        monkeypatch.setenv(
            "GITLAB_OIDC_TOKEN", make(sandbox, f"{issuer}/apply" if applies else "sts.amazonaws.com")
        )
        result = tfoidc(*argv)
        assert result.code in (1, 4), (argv, result)
        line = result.err.strip().splitlines()[-1]
        assert line.startswith("tfoidc: error: "), (argv, result.err)
        assert_hint_names_only_options_of(name, line)
        if failure == "wrong audience":
            assert "is for audience 'https://vault.example.com'" in line, line
        elif failure in ("unreachable issuer", "plain http issuer"):
            assert issuer in line, line
            if "prod" in argv and name == "apply":
                assert "--no-verify" not in line, line
            else:
                assert "--no-verify" in line, line


def test_a_missing_token_names_the_audience_the_command_requires(
    tfoidc: Cli, sandbox: Sandbox, config: Path, tmp_path: Path
) -> None:
    plan = tfoidc("--config", str(config), "plan", "prod", "--out-dir", str(tmp_path / "o"))
    assert "`id_tokens: {GITLAB_OIDC_TOKEN: {aud: sts.amazonaws.com}}`" in plan.err
    apply = tfoidc("--config", str(config), "apply", "prod", "--out-dir", str(tmp_path / "o"))
    assert f"`id_tokens: {{GITLAB_OIDC_TOKEN: {{aud: {sandbox.issuer.url}/apply}}}}`" in apply.err
    for name, result in (("plan", plan), ("apply", apply)):
        assert result.code == 2
        assert_hint_names_only_options_of(name, result.err.strip())


def test_a_chained_session_too_long_is_spelled_as_the_command_sets_it(
    tfoidc: Cli, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(aud=f"{sandbox.issuer.url}/apply"))
    path = tmp_path / "tfoidc.toml"
    path.write_text(
        f'[environments.hub]\nroot = "."\nrole_arn = "{sandbox.roles["dev"]}"\n'
        f'chain_role_arn = "{sandbox.roles["chained"]}"\nsession_duration = 7200\n'
    )
    result = tfoidc("--config", str(path), "apply", "hub", "--out-dir", str(tmp_path / "o"))
    assert result.code == 2, result
    assert "set environments.hub.session_duration to 3600 or less" in result.err
    assert_hint_names_only_options_of("apply", result.err.strip())
    flags = tfoidc("auth", "--role-arn", sandbox.roles["dev"], "--chain-role-arn", sandbox.roles["chained"],
                   "--duration", "7200")  # fmt: skip
    assert "set --duration to 3600 or less" in flags.err


def test_apply_refuses_no_verify_where_branch_rules_read_the_claims(
    tfoidc: Cli, sandbox: Sandbox, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(aud=f"{sandbox.issuer.url}/apply"))
    result = tfoidc("--config", str(config), "apply", "prod", "--no-verify", "--out-dir", str(tmp_path / "o"))
    assert result.code == 2
    assert "--no-verify cannot be used to apply prod: its branch rules read claims" in result.err
