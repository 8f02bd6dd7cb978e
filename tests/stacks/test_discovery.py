"""Discovery: which folders are stacks, what settings each ends up with (the most specific glob wins),
and every configuration mistake named by its key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stacks.repo import module, remote_state, s3_backend
from tfoidc.config import load_config
from tfoidc.errors import ExitCode, InputError
from tfoidc.stacks.discovery import StackSet, discover
from tfoidc.stacks.order import build_graph
from tfoidc.stacks.tree import FactCache, read_worktree

ROLE = "arn:aws:iam::{a}:role/{r}"


def tree(root: Path, files: dict[str, str], toml: str = "") -> StackSet:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "tfoidc.toml").write_text(toml)
    config = load_config(root / "tfoidc.toml")
    return discover(read_worktree(root, None, FactCache()).facts, config)


MONOREPO = {
    "live/prod/app/main.tf": module("app", "../../../modules/app"),
    "live/prod/net/main.tf": module("net", "../../../modules/net"),
    "live/dev/app/main.tf": module("app", "../../../modules/app"),
    "modules/app/main.tf": module("net", "../net"),
    "modules/net/main.tf": module("base", "../base"),
    "modules/base/variables.tf": 'variable "x" {}\n',
    "modules/unused/main.tf": 'variable "y" {}\n',
    ".terraform/modules/cached/main.tf": 'variable "z" {}\n',
    "live/prod/app/templates/user_data.sh": "#!/bin/sh\n",
}


def test_folders_not_called_as_local_modules_are_stacks(tmp_path: Path) -> None:
    stacks = tree(tmp_path, MONOREPO)
    assert list(stacks.stacks) == ["live/dev/app", "live/prod/app", "live/prod/net", "modules/unused"]
    app = stacks.stacks["live/prod/app"]
    assert app.modules == ("modules/app", "modules/base", "modules/net")
    assert app.module_chains["modules/base"] == ("modules/app", "modules/net", "modules/base")


def test_exclusions_and_a_glob_matching_nothing_is_a_warning(tmp_path: Path) -> None:
    toml = (
        '[stacks]\ninclude = ["live/**", "infra/**"]\nexclude = ["modules/**", "examples/**"]\n'
        '[stacks.settings."live/stg/*"]\nregion = "eu-west-1"\n'
    )
    stacks = tree(tmp_path, MONOREPO, toml)
    assert list(stacks.stacks) == ["live/dev/app", "live/prod/app", "live/prod/net"]
    assert any("stacks.include: 'infra/**' matches no folder" in w for w in stacks.warnings)
    assert any("stacks.exclude: 'examples/**' matches no folder" in w for w in stacks.warnings)
    assert any("stacks.settings.live/stg/*: the pattern matches no stack" in w for w in stacks.warnings)


def test_the_most_specific_pattern_wins_key_by_key(tmp_path: Path) -> None:
    toml = """
[stacks.settings."**"]
region = "eu-west-1"
audience = "sts.amazonaws.com"
backend_config = { bucket = "acme-state", key = "{stack}.tfstate", dynamodb_table = "locks" }
[stacks.settings."live/**"]
account = "111111111111"
role_arn = "arn:aws:iam::{account}:role/apply"
[stacks.settings."live/prod/*"]
account = "222222222222"
backend_config = { bucket = "acme-prod-state" }
deployment_tier = "production"
[stacks.settings."live/prod/net"]
region = "us-east-1"
depends_on = []
"""
    stacks = tree(tmp_path, MONOREPO, toml).stacks
    net, app, dev = stacks["live/prod/net"], stacks["live/prod/app"], stacks["live/dev/app"]
    assert net.settings["region"] == "us-east-1" and app.settings["region"] == "eu-west-1"
    assert net.origins["region"] == "stacks.settings.live/prod/net"
    assert app.settings["role_arn"] == "arn:aws:iam::222222222222:role/apply"
    assert dev.settings["role_arn"] == "arn:aws:iam::111111111111:role/apply"
    assert app.settings["backend_config"] == {
        "bucket": "acme-prod-state",
        "key": "live/prod/app.tfstate",
        "dynamodb_table": "locks",
    }
    assert dev.settings["backend_config"]["bucket"] == "acme-state"
    assert app.environment_config().role_arn == "arn:aws:iam::222222222222:role/apply"
    assert app.environment_config().root == "live/prod/app"


def test_equally_specific_patterns_may_not_disagree(tmp_path: Path) -> None:
    toml = '[stacks.settings."live/*/app"]\nregion = "a"\n[stacks.settings."*/prod/app"]\nregion = "b"\n'
    with pytest.raises(InputError) as err:
        tree(tmp_path, MONOREPO, toml)
    assert "'*/prod/app' both match 'live/prod/app' equally specifically and set region" in err.value.message
    assert err.value.exit_code == ExitCode.USAGE


def test_environments_are_stacks_and_win_over_globs(tmp_path: Path) -> None:
    toml = f"""
[environments.prod]
root = "live/prod/app"
role_arn = "{ROLE.format(a="333333333333", r="prod")}"
[stacks.settings."**"]
region = "eu-west-1"
role_arn = "{ROLE.format(a="444444444444", r="any")}"
"""
    stacks = tree(tmp_path, MONOREPO, toml).stacks
    assert "live/prod/app" not in stacks
    prod = stacks["prod"]
    assert prod.from_environment and prod.root == "live/prod/app"
    assert prod.settings["role_arn"].endswith(":role/prod") and prod.settings["region"] == "eu-west-1"
    assert prod.modules == ("modules/app", "modules/base", "modules/net")


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[stacks.settings."live/**"]\nrole_arn = "nope"\n',
            "stacks.settings.live/**.role_arn: not an IAM role ARN",
        ),
        (
            '[stacks.settings."live/**"]\nrol_arn = "x"\n',
            "stacks.settings.live/**.rol_arn: unknown key (did you mean 'role_arn'?)",
        ),
        ('[stacks.settings."live/**"]\naccount = "12"\n', "stacks.settings.live/**.account"),
        (
            '[stacks.settings."live/**"]\nlock_timeout = "soon"\n',
            "stacks.settings.live/**.lock_timeout: not a duration",
        ),
        (
            '[stacks.settings."live//x"]\nregion = "a"\n',
            "stacks.settings.live//x: a pattern must not contain empty",
        ),
        ('[stacks]\nexclude = ["ok/**", "/abs"]\n', "stacks.exclude.1: a pattern is relative"),
        (
            "[stacks]\nplan_afected = true\n",
            "stacks.plan_afected: unknown key (did you mean 'plan_affected'?)",
        ),
        ('[stacks.settings."live/**"]\nwatch = ["../x"]\n', "stacks.settings.live/**.watch.0"),
    ],
)
def test_every_mistake_names_its_key_path(tmp_path: Path, toml: str, expected: str) -> None:
    (tmp_path / "tfoidc.toml").write_text(toml)
    with pytest.raises(InputError) as err:
        load_config(tmp_path / "tfoidc.toml")
    assert expected in err.value.one_line()


def test_settings_after_placeholders_are_checked_per_stack(tmp_path: Path) -> None:
    toml = '[stacks.settings."live/**"]\nrole_arn = "arn:aws:iam::{account}:role/x"\n'
    with pytest.raises(InputError) as err:
        tree(tmp_path, MONOREPO, toml)
    assert "stacks.settings.live/** (for stack 'live/dev/app')" in err.value.message
    assert "role_arn" in err.value.message


def test_a_role_outside_the_stacks_account_is_refused(tmp_path: Path) -> None:
    toml = f'[stacks.settings."live/**"]\naccount = "111111111111"\nrole_arn = "{ROLE.format(a="999999999999", r="x")}"\n'
    with pytest.raises(InputError, match="is not in account 111111111111"):
        tree(tmp_path, MONOREPO, toml)


def test_unknown_depends_on_names_its_key(tmp_path: Path) -> None:
    toml = '[stacks.settings."live/prod/app"]\ndepends_on = ["live/prod/nett"]\n'
    with pytest.raises(
        InputError, match=r"stacks.settings.live/prod/app.depends_on.0 .*no stack named 'live/prod/nett'"
    ):
        tree(tmp_path, MONOREPO, toml)


def test_remote_state_on_another_stacks_state_is_a_dependency(tmp_path: Path) -> None:
    files = {
        "live/net/main.tf": s3_backend("acme", "live/net.tfstate"),
        "live/app/main.tf": remote_state("net", "acme", "live/net.tfstate")
        + remote_state("other", "acme", "elsewhere"),
        "live/db/main.tf": 'terraform {\n  backend "s3" {}\n}\n',
        "live/web/main.tf": "",
    }
    toml = (
        '[stacks.settings."live/db"]\nbackend_config = { bucket = "acme", key = "{stack}.tfstate" }\n'
        '[stacks.settings."live/web"]\ndepends_on = ["live/app"]\n'
    )
    files["live/web/main.tf"] = remote_state("db", "acme", "live/db.tfstate")
    graph = build_graph(tree(tmp_path, files, toml))
    assert graph.dependencies("live/app") == ["live/net"]
    assert graph.dependencies("live/web") == ["live/app", "live/db"]
    assert graph.why("live/app", "live/net") == "reads its state (data.terraform_remote_state.net)"
    assert graph.why("live/web", "live/app") == "depends_on in stacks.settings.live/web"
    assert graph.apply_order(["live/app", "live/net", "live/web", "live/db"]) == [
        ["live/db", "live/net"],
        ["live/app"],
        ["live/web"],
    ]


def test_a_cycle_is_refused_with_the_cycle_printed(tmp_path: Path) -> None:
    files = {
        "a/main.tf": s3_backend("s", "a") + remote_state("b", "s", "b"),
        "b/main.tf": s3_backend("s", "b"),
    }
    toml = '[stacks.settings."b"]\ndepends_on = ["a"]\n'
    with pytest.raises(InputError) as err:
        build_graph(tree(tmp_path, files, toml))
    assert err.value.exit_code == ExitCode.USAGE
    assert "cycle: a -> b -> a" in err.value.message or "cycle: b -> a -> b" in err.value.message
    assert "reads its state (data.terraform_remote_state.b)" in err.value.message
