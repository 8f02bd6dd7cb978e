"""The shipped Terraform: formatted, and valid where the providers it needs are available offline (only
the null provider is; the AWS roots and modules are checked with `fmt` and by their structure)."""

from __future__ import annotations

import re
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


ENVIRONMENT_ROOTS = ("management", "dev", "staging", "prod")


@pytest.mark.parametrize("name", ENVIRONMENT_ROOTS)
def test_every_environment_root_keeps_its_own_encrypted_locked_s3_state(name: str) -> None:
    text = (TERRAFORM / "environments" / name / "main.tf").read_text()
    backend = re.search(r'backend "s3" \{(.*?)\n  \}', text, re.S)
    assert backend, f"{name} has no S3 backend"
    body = backend.group(1)
    assert f'key            = "environments/{name}/terraform.tfstate"' in body
    assert re.search(r"encrypt\s*=\s*true", body)
    assert re.search(r'dynamodb_table\s*=\s*"', body)


def test_oidc_module_refuses_a_subject_that_trusts_every_project() -> None:
    """The validation regex the module ships, applied to the subjects it must accept and refuse."""
    text = (TERRAFORM / "modules" / "oidc" / "variables.tf").read_text()
    pattern = re.search(r'can\(regex\("(\^project_path:.*?)", s\)\)', text)
    assert pattern, "the subject validation block is missing"
    regex = re.compile(pattern.group(1).replace("\\\\", "\\"))
    accepted = ["project_path:acme/infra:ref_type:branch:ref:main",
                "project_path:acme/sub/infra:ref_type:tag:ref:v*",
                "project_path:acme/infra:ref_type:*:ref:*"]  # fmt: skip
    refused = ["project_path:*:ref_type:branch:ref:main", "project_path:acme/*:ref_type:branch:ref:main",
               "*", "project_path:acme:ref_type:branch:ref:main", "repo:acme/infra:ref:main"]  # fmt: skip
    assert [bool(regex.search(s)) for s in accepted] == [True] * len(accepted)
    assert [bool(regex.search(s)) for s in refused] == [False] * len(refused)
