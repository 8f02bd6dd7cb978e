"""`tfoidc sandbox up|down|status|token`: the local sandbox as background servers."""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from tfoidc.cli.console import stderr, stdout
from tfoidc.errors import InputError

home_option = click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the state file lives (default: $TFOIDC_HOME/sandbox, else ./.tfoidc/sandbox).",
)


def _home(home: Path | None) -> Path:
    from tfoidc.sandbox.daemon import sandbox_home

    return home if home is not None else sandbox_home()


def _export_lines(env: dict[str, str]) -> str:
    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in sorted(env.items()))


@click.group("sandbox")
def sandbox_group() -> None:
    """Run the local sandbox (moto + a GitLab-like OIDC issuer on 127.0.0.1) in the background."""


@sandbox_group.command("up")
@home_option
@click.option(
    "--moto-port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Fixed port for the moto server (0: any free port).",
)
@click.option(
    "--issuer-port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Fixed port for the OIDC issuer (0: any free port).",
)
@click.option(
    "--write-config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a tfoidc.toml for the sandbox here (environments dev, staging, prod with every endpoint "
    "setting), for `tfoidc plan dev --local`.",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("terraform/sandbox"),
    show_default=True,
    help="Terraform root the written config plans (with --write-config).",
)
def up(home: Path | None, moto_port: int, issuer_port: int, config_path: Path | None, root: Path) -> None:
    """Start the sandbox in the background; prints `export` lines for `eval "$(tfoidc sandbox up)"`.

    When one is already running it is reused, so `up` is safe to repeat (ports given then must match).

    \b
    eval "$(tfoidc sandbox up --write-config tfoidc.toml)"
    tfoidc plan dev --local
    """
    from tfoidc.sandbox.daemon import running_state, start_background

    folder = _home(home)
    if config_path is not None:
        _check_replaceable(config_path)
    state = running_state(folder)
    verb = "already up"
    if state is None:
        state = start_background(folder, moto_port=moto_port, issuer_port=issuer_port)
        verb = "up"
    else:
        _check_same_ports(state.moto_endpoint, moto_port, "--moto-port")
        _check_same_ports(state.issuer_url, issuer_port, "--issuer-port")
    stderr.print(
        f"sandbox {verb} (pid {state.pid}): moto {state.moto_endpoint}, issuer {state.issuer_url}; "
        f"state in {folder}",
        markup=False,
    )
    for name, arn in state.roles.items():
        stderr.print(f"  role {name}: {arn}", markup=False, soft_wrap=True)
    if config_path is not None:
        _write_config(config_path, root, folder, state)
    stdout.print(_export_lines(state.env), markup=False)


def _check_same_ports(url: str, wanted: int, option: str) -> None:
    running = int(url.rsplit(":", 1)[1])
    if wanted and wanted != running:
        raise InputError(
            f"{option} {wanted}: the running sandbox listens on {running}",
            hint="`tfoidc sandbox down` first to restart it on other ports",
        )


def _check_replaceable(path: Path) -> None:
    """Only a config `up --write-config` wrote is replaced: a team's own tfoidc.toml is never lost."""
    from tfoidc.sandbox.config import CONFIG_HEADER

    if path.is_dir() or (
        path.exists() and not path.read_text(encoding="utf-8", errors="replace").startswith(CONFIG_HEADER)
    ):
        raise InputError(
            f"{path} exists and was not written by `tfoidc sandbox up`; choose another --write-config path"
        )


def _write_config(path: Path, root: Path, home: Path, state: Any) -> None:
    import os

    from tfoidc.files import write_atomic
    from tfoidc.sandbox.config import sandbox_config_toml
    from tfoidc.sandbox.daemon import endpoints_of
    from tfoidc.terraform.providers import build_null_provider_mirror

    _check_replaceable(path)
    plugin_dir = build_null_provider_mirror(home / "providers").resolve()
    config_dir = path.resolve().parent
    root_text = os.path.relpath(root.resolve(), config_dir) if not root.is_absolute() else str(root)
    write_atomic(path, sandbox_config_toml(endpoints_of(state), root=root_text, plugin_dir=str(plugin_dir)))
    stderr.print(f"wrote {path}: environments dev, staging, prod (`tfoidc plan dev --local`)", markup=False)


@sandbox_group.command("down")
@home_option
def down(home: Path | None) -> None:
    """Stop the background sandbox."""
    from tfoidc.sandbox.daemon import stop_background

    state = stop_background(_home(home))
    if state is None:
        stderr.print("no sandbox was running", markup=False)
    else:
        stderr.print(f"sandbox down (pid {state.pid})", markup=False)


@sandbox_group.command("status")
@home_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "env"]), default="table", show_default=True
)
def status(home: Path | None, fmt: str) -> None:
    """Show the background sandbox's servers, roles and resources (exit 1 when none is running)."""
    from tfoidc.sandbox.daemon import read_state, status_of

    state = read_state(_home(home))
    if state is None:
        stderr.print("no sandbox is running (`tfoidc sandbox up` starts one)", markup=False)
        sys.exit(1)  # not click Exit: standalone_mode=False drops its code
    health = status_of(state)
    if fmt == "json":
        stdout.print_json(json.dumps({**asdict(state), "health": health}))
    elif fmt == "env":
        stdout.print(_export_lines(state.env), markup=False)
    else:
        stdout.print(_status_table(asdict(state), health))
    if health["process"] != "running":
        sys.exit(1)  # not click Exit: standalone_mode=False drops its code


def _status_table(state: dict[str, Any], health: dict[str, Any]) -> Table:
    table = Table(title="tfoidc sandbox", show_header=False)
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_row("process", f"{state['pid']} ({health['process']})")
    table.add_row("moto", f"{state['moto_endpoint']} ({health['moto']})")
    table.add_row("issuer", f"{state['issuer_url']} ({health['issuer']})")
    table.add_row("audience", state["audience"])
    table.add_row("OIDC provider", state["oidc_provider_arn"])
    for name, arn in state["roles"].items():
        table.add_row(f"role {name}", arn)
    table.add_row("state bucket", state["state_bucket"])
    table.add_row("lock table", state["lock_table"])
    return table


@sandbox_group.command("token")
@home_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write the token to (mode 0600); use it with `--token-file`.",
)
@click.option("--ref", default=None, help="Branch or tag the job ran for (default: main).")
@click.option("--ref-type", type=click.Choice(["branch", "tag"]), default=None)
@click.option("--unprotected", is_flag=True, help="Mark the ref as not protected.")
@click.option("--expires-in", type=int, default=600, show_default=True, help="Lifetime in seconds.")
@click.option("--claim", "claims", multiple=True, metavar="NAME=VALUE", help="Override any claim.")
def token(
    home: Path | None,
    out: Path,
    ref: str | None,
    ref_type: str | None,
    unprotected: bool,
    expires_in: int,
    claims: tuple[str, ...],
) -> None:
    """Mint an ID token from the running sandbox's issuer, as a GitLab job would receive it."""
    from tfoidc.identity.files import write_private
    from tfoidc.sandbox.daemon import issuer_from_state, read_state

    folder = _home(home)
    state = read_state(folder)
    if state is None:
        raise InputError("no sandbox is running", hint="`tfoidc sandbox up` starts one")
    overrides: dict[str, Any] = {}
    for item in claims:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise InputError(f"--claim {item!r}: expected NAME=VALUE")
        overrides[name] = value
    if ref is not None:
        overrides["ref"] = ref
    if ref_type is not None:
        overrides["ref_type"] = ref_type
    if unprotected:
        overrides["ref_protected"] = "false"
    minted = issuer_from_state(state, folder).mint(expires_in=expires_in, **overrides)
    write_private(out, minted.encode())
    stderr.print(f"wrote an ID token for {state.issuer_url} to {out}", markup=False)


COMMANDS: list[click.Command] = [sandbox_group]
