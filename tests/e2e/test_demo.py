"""`tfoidc demo` from a fresh clone: sandbox token -> STS in moto -> init with the S3 backend and lock
in moto -> plan -> analysis -> reports -> apply -> a second plan without changes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tfoidc.sandbox.pytest_fixtures import LEAKY_VARIABLES

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_clone(tmp_path: Path) -> Path:
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout to clone")
    clone = tmp_path / "clone"
    subprocess.run([git, "clone", "--quiet", str(REPO), str(clone)], check=True)
    return clone


def test_demo_runs_end_to_end_from_a_fresh_clone(fresh_clone: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in LEAKY_VARIABLES and not k.startswith("AWS_")}
    env.update(
        {
            # The clone's code, not the checkout the test runs from.
            "PYTHONPATH": str(fresh_clone / "src"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "tfoidc", "demo"],
        cwd=fresh_clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    out = fresh_clone / "tfoidc-demo"
    assert "demo finished: plan -> apply -> plan without changes" in result.stdout
    assert f"plan and reports: {out / 'plan'}" in result.stdout
    first = json.loads((out / "plan" / "manifest.json").read_text())
    second = json.loads((out / "plan-after-apply" / "manifest.json").read_text())
    assert first["has_changes"] is True and second["has_changes"] is False
    assert first["claims"]["ref"] == "main"
    assert "Apply complete! Resources: 2 added" in result.stderr
    for name in ("report.html", "report.md", "tfoidc.json", "gitlab-terraform.json", "junit.xml"):
        assert (out / "plan" / name).is_file(), name  # in the --out-dir itself, not nested again
    # The Terraform root of the clone is copied, never initialised in place.
    assert not (fresh_clone / "terraform" / "sandbox" / ".terraform").exists()


def test_demo_refuses_to_replace_a_directory_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("precious")
    result = subprocess.run(
        [sys.executable, "-m", "tfoidc", "demo", "--out-dir", str(tmp_path / "mine")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "was not made by `tfoidc demo`" in result.stderr
    assert (tmp_path / "mine" / "keep.txt").read_text() == "precious"
