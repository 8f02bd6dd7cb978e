"""The shipped Terraform: formatted, and valid where the providers it needs are available offline (only
the null provider is; the AWS roots and modules are rendered and judged in test_shipped_policies.py and
test_shipped_modules.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tfoidc.terraform.binary import discover_terraform
from tfoidc.terraform.providers import build_null_provider_mirror

REPO = Path(__file__).resolve().parents[2]
TERRAFORM = REPO / "terraform"


def terraform(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    binary = discover_terraform()
    env = {"TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [str(binary.path), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_everything_shipped_is_terraform_fmt_clean() -> None:
    result = terraform("fmt", "-check", "-recursive", "-diff", str(TERRAFORM), cwd=REPO)
    assert result.returncode == 0, f"not formatted:\n{result.stdout}{result.stderr}"


def test_fmt_check_notices_unformatted_code(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "x" {\ntype=string\n}\n')
    assert terraform("fmt", "-check", "-recursive", str(tmp_path), cwd=tmp_path).returncode != 0


@pytest.mark.slow
def test_sandbox_root_validates_with_the_null_provider_from_the_mirror(tmp_path: Path) -> None:
    root = tmp_path / "sandbox"
    shutil.copytree(TERRAFORM / "sandbox", root, ignore=shutil.ignore_patterns(".terraform*"))
    mirror = build_null_provider_mirror(tmp_path / "providers")
    init = terraform("init", "-backend=false", "-input=false", f"-plugin-dir={mirror}", cwd=root)
    assert init.returncode == 0, init.stdout + init.stderr
    validate = terraform("validate", "-json", cwd=root)
    assert validate.returncode == 0, validate.stdout
    assert '"valid": true' in validate.stdout
