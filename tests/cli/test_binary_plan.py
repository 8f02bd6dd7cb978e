"""`analyze` and `report` given the binary plan `terraform plan -out` writes: one line saying what to
run instead, exit 2, nothing written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.cli.test_report import Runner, _one_error_line, tfoidc  # noqa: F401  (the fixture)


def binary_plan(path: Path) -> Path:
    """A file shaped like Terraform's saved plan: a zip archive of the plan, state and configuration."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tfplan", b"\x00\x01binary plan")
        archive.writestr("tfstate", "{}")
        archive.writestr("tfconfig/m-/main.tf", 'resource "null_resource" "n" {}\n')
    return path


@pytest.mark.parametrize("command", ["analyze", "report"])
def test_a_binary_plan_says_to_run_terraform_show_json(tfoidc: Runner, tmp_path: Path, command: str) -> None:  # noqa: F811
    plan = binary_plan(tmp_path / "tfplan")
    out = tmp_path / "report.md"
    run = tfoidc(command, str(plan), "-o", str(out))
    assert run.code == 2
    line = _one_error_line(run)
    assert "binary plan" in line and "terraform show -json tfplan > plan.json" in line
    assert run.out == "" and not out.exists()
