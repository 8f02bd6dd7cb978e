"""A failed `tfoidc plan` leaves an error record beside where its analysis would be, for the merge request
note; a plan that starts removes the previous run's record and analysis; a name that cannot be a folder
writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tfoidc.lifecycle.artifacts import failed_plan_result

CONFIG = """
[environments.dev]
root = "root"
role_arn = "arn:aws:iam::123456789012:role/dev"
"""


def plan(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CI_", "GITLAB_", "TFOIDC_", "AWS_"))}
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-m", "tfoidc", "--config", str(tmp_path / "tfoidc.toml"), "plan", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_failed_plan_leaves_its_error_for_the_note(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "tfoidc.toml").write_text(CONFIG)
    stale = tmp_path / "tfoidc-out" / "dev" / "tfoidc.json"
    stale.parent.mkdir(parents=True)
    stale.write_text('{"an": "analysis of an earlier run"}')

    run = plan(tmp_path, "dev", GITLAB_OIDC_TOKEN="not-a-jwt")

    assert run.returncode == 4
    (line,) = [x for x in run.stderr.splitlines() if x.strip()]
    record = json.loads((tmp_path / "tfoidc-out" / "dev" / "plan-error.json").read_text())
    assert record == {
        "environment": "dev",
        "exit_code": run.returncode,
        "error": line.removeprefix("tfoidc: error: "),
    }
    assert not stale.exists()  # the note never shows an earlier run's result as this one's
    failed = failed_plan_result(stale)
    assert failed.environment == "dev" and failed.plan.errored
    assert failed.plan.notes == (f"the plan job failed (exit {run.returncode}): {record['error']}",)


def test_an_environment_that_cannot_be_a_folder_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "tfoidc.toml").write_text(CONFIG)
    run = plan(tmp_path, "../../escaped")
    assert run.returncode == 2
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["tfoidc.toml"]
    assert not (tmp_path.parent / "escaped").exists()


def test_an_input_error_writes_nothing_like_every_bad_input(tmp_path: Path) -> None:
    (tmp_path / "tfoidc.toml").write_text(CONFIG + 'var_files = ["missing.tfvars"]\n')
    (tmp_path / "root").mkdir()
    run = plan(tmp_path, "dev")
    assert run.returncode == 2 and "missing.tfvars" in run.stderr
    assert not (tmp_path / "tfoidc-out").exists()
