"""tfoidc.toml validation: every mistake reported with its key path, in one line, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tfoidc.config import EnvironmentConfig, find_config, load_config
from tfoidc.errors import InputError

GOOD = """
[environments.prod]
root = "terraform/environments/prod"
role_arn = "arn:aws:iam::123456789012:role/gitlab/prod"
plan_role_arn = "arn:aws:iam::123456789012:role/gitlab/prod-readonly"
audience = "https://gitlab.example.com"
issuer = "https://gitlab.example.com"
region = "eu-west-1"
var_files = ["prod.tfvars"]
lock_timeout = "5m"
apply_refs = ["main"]
require_protected_ref = true
local_role_arn = "arn:aws:iam::123456789012:role/dev-readonly"
mask_env = ["DB_PASSWORD"]

[environments.prod.backend_config]
bucket = "acme-state"
encrypt = true
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tfoidc.toml"
    path.write_text(text)
    return path


def test_a_complete_environment_loads_with_its_values(tmp_path: Path) -> None:
    prod = load_config(write(tmp_path, GOOD)).environments["prod"]
    assert prod.apply_refs == ["main"] and prod.require_protected_ref
    assert prod.backend_config == {"bucket": "acme-state", "encrypt": True}
    assert prod.lock_timeout == "5m" and prod.session_duration == 3600
    assert prod.allow_local_apply is False


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[environments.dev]\nroot = "d"\nrol_arn = "x"', "environments.dev.rol_arn: unknown key (did you mean 'role_arn'?)"),
        ('[environments.dev]\nrole_arn = "arn:aws:iam::123456789012:role/x"', "environments.dev.root: required key is missing"),
        ('[environments.dev]\nroot = ""', "environments.dev.root: String should have at least 1 character"),
        ('[environments.dev]\nroot = "d"\nrole_arn = "arn:aws:iam::12:role/x"', "environments.dev.role_arn: not an IAM role ARN"),
        ('[environments.dev]\nroot = "d"\nlocal_role_arn = "dev"', "environments.dev.local_role_arn: not an IAM role ARN"),
        ('[environments.dev]\nroot = "d"\nlock_timeout = "10"', "environments.dev.lock_timeout: not a duration such as 30s"),
        ('[environments.dev]\nroot = "d"\nsession_duration = 60', "environments.dev.session_duration: Input should be greater than or equal to 900"),
        ('[environments.dev]\nroot = "d"\napply_refs = ["main", " "]', "environments.dev.apply_refs: apply_refs entries must not be blank"),
        ('[environments.dev]\nroot = "d"\nallow_local_apply = true', "environments.dev.allow_local_apply: allow_local_apply = true needs a valid local_role_arn"),
        ('[environments.dev]\nroot = "d"\nbackend_config = { bucket = ["a"] }', "environments.dev.backend_config.bucket"),
        ('[environments."dev env"]\nroot = "d"', "environments.dev env.[key]: an environment name must be"),
        ('[environmnts.dev]\nroot = "d"', "environmnts: unknown key (did you mean 'environments'?)"),
        ('[guardrails]\nfail_on = "sometimes"', "guardrails.fail_on"),
    ],
)  # fmt: skip
def test_each_mistake_names_its_key_path(tmp_path: Path, toml: str, expected: str) -> None:
    with pytest.raises(InputError) as raised:
        load_config(write(tmp_path, toml))
    assert expected in raised.value.one_line()


def test_every_mistake_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[environments.dev]\nroot = "d"\nrole_arn = "nope"\nlock_timeout = "x"\n'
        '[environments.prod]\nrole_arn = "arn:aws:iam::123456789012:role/p"\nbogus = 1\n',
    )
    with pytest.raises(InputError) as raised:
        load_config(path)
    line = raised.value.one_line()
    for key in ("environments.dev.role_arn", "environments.dev.lock_timeout", "environments.prod.root",
                "environments.prod.bogus"):  # fmt: skip
        assert key + ":" in line
    assert "\n" not in line


def test_find_config_walks_up(tmp_path: Path) -> None:
    config = write(tmp_path, GOOD)
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == config
    assert find_config(tmp_path.parent) != config


def test_defaults_are_safe() -> None:
    env = EnvironmentConfig(root="r")
    assert env.apply_refs == [] and not env.allow_local_apply and env.lock_timeout == "0s"


def tfoidc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tfoidc", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("command", ["plan", "apply", "drift"])
def test_the_cli_reports_an_invalid_config_in_one_line_with_exit_2(tmp_path: Path, command: str) -> None:
    write(tmp_path, '[environments.prod]\nroot = "."\nrole_arn = "nope"\nlock_timout = "1m"\n')
    result = tfoidc(command, "prod", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("tfoidc: error: ")
    assert "environments.prod.role_arn: not an IAM role ARN" in result.stderr
    assert "environments.prod.lock_timout: unknown key (did you mean 'lock_timeout'?)" in result.stderr
    assert not (tmp_path / "tfoidc-out").exists()


@pytest.mark.parametrize(
    ("toml", "args", "expected"),
    [
        ("[environments.prod\n", ["plan", "prod"], "not valid TOML"),
        ('[environments.prod]\nroot = "missing-dir"\n', ["plan", "prod"], "environments.prod.root:"),
        ('[environments.prod]\nroot = "."\nvar_files = ["x.tfvars"]\n', ["plan", "prod"], "environments.prod.var_files:"),
        ('[environments.prod]\nroot = "."\n', ["plan", "staging"], "unknown environment 'staging'; tfoidc.toml defines: prod"),
    ],
)  # fmt: skip
def test_config_problems_found_at_use_are_input_errors(
    tmp_path: Path, toml: str, args: list[str], expected: str
) -> None:
    write(tmp_path, toml)
    result = tfoidc(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and expected in result.stderr
