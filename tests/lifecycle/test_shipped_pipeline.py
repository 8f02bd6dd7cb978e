"""The shipped .gitlab-ci.yml, with its components (templates/) included as GitLab includes them: valid
against GitLab's published CI schema, a generate job and the child pipeline it triggers (the jobs of
the child are tested in tests/stacks/test_pipeline.py), drift and the audit on schedules."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.components import gitlab_component as gc
from tfoidc.config import DEFAULT_PLAN_AUDIENCE

REPO = Path(__file__).resolve().parents[2]
PIPELINE = REPO / ".gitlab-ci.yml"
ENVIRONMENTS = ("dev", "staging", "prod")
PROJECT = "$CI_SERVER_FQDN/$CI_PROJECT_PATH"


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"
    return subprocess.run(
        [exe, "--builtin-schema", "vendor.gitlab-ci", str(path)], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(PIPELINE.read_text())
    return doc


@pytest.fixture(scope="module")
def ci(raw: dict[str, Any]) -> dict[str, Any]:
    """The pipeline as GitLab runs it: its components (templates/) included with their inputs."""
    return gc.expand_includes(raw, PROJECT)


def job(ci: dict[str, Any], name: str) -> dict[str, Any]:
    return gc.merged_job(ci, name)


def test_pipeline_is_valid_gitlab_ci(tmp_path: Path, ci: dict[str, Any]) -> None:
    result = check_jsonschema(PIPELINE)
    assert result.returncode == 0, result.stdout + result.stderr
    expanded = tmp_path / ".gitlab-ci.yml"
    expanded.write_text(yaml.safe_dump(ci, sort_keys=False))
    result = check_jsonschema(expanded)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_pipeline(tmp_path: Path, ci: dict[str, Any]) -> None:
    broken = dict(ci)
    broken["tfoidc:stacks"] = {**ci["tfoidc:stacks"], "trigger": {"include": "x", "strategy": "sometimes"}}
    path = tmp_path / ".gitlab-ci.yml"
    path.write_text(yaml.safe_dump(broken))
    assert check_jsonschema(path).returncode != 0


def test_the_pipeline_is_made_of_this_commits_components(raw: dict[str, Any], ci: dict[str, Any]) -> None:
    """The example and the components cannot drift: every job comes from templates/ at this commit."""
    refs = [item["component"] for item in raw["include"]]
    assert refs == [f"{PROJECT}/{name}@$CI_COMMIT_SHA" for name in ("stacks", "drift", "audit")]
    assert set(raw) == {"workflow", "stages", "include"}
    assert set(gc.jobs(ci)) == {"tfoidc:generate", "tfoidc:stacks", "drift", "audit:roles", "audit:trail"}
    stages = {job(ci, name)["stage"] for name in gc.jobs(ci)}
    assert stages <= set(raw["stages"])
    with pytest.raises(gc.ComponentError):
        gc.expand_includes({"include": [{"component": f"{PROJECT}/deploy@$CI_COMMIT_SHA"}]}, PROJECT)


def test_plans_and_applies_run_in_the_generated_child_pipeline(
    raw: dict[str, Any], ci: dict[str, Any]
) -> None:
    from tfoidc.stacks import templates

    generate = job(ci, "tfoidc:generate")
    assert any("tfoidc pipeline generate --changed" in line for line in generate["script"])
    assert {r["if"] for r in generate["rules"]} == {
        '$CI_PIPELINE_SOURCE == "merge_request_event"',
        '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "schedule"',
    }
    trigger = ci["tfoidc:stacks"]
    assert trigger["trigger"] == {
        "include": [{"artifact": "tfoidc-child.yml", "job": "tfoidc:generate"}],
        "strategy": "depend",
    }
    # One place for the jobs: what `tfoidc init` writes is what this repository runs.
    parent = templates.parent_jobs("python:3.11-slim")
    for name in ("tfoidc:generate", "tfoidc:stacks"):
        for key in ("script", "rules", "trigger", "needs", "artifacts"):
            assert job(ci, name).get(key) == parent[name].get(key), (name, key)
    assert generate["before_script"] == templates.INSTALL_SCRIPT
    assert "id_tokens" not in generate  # it exchanges no token
    # What the child's jobs install reaches them through the trigger's variables.
    spec = trigger["variables"]["TFOIDC_PIP_SPEC"]
    assert spec == generate["variables"]["TFOIDC_PIP_SPEC"]
    assert trigger["variables"]["TF_CLI_ARGS_plan"] == "-lock=false"
    # Pinned, and never a bare name a public index could resolve to someone else's package.
    assert re.search(r"@v\d+\.\d+\.\d+$", spec)


def test_drift_is_scheduled_for_every_environment_and_exit_5_is_a_warning(ci: dict[str, Any]) -> None:
    drift = job(ci, "drift")
    assert drift["parallel"]["matrix"] == [{"TF_ENV": list(ENVIRONMENTS)}]
    assert all('$CI_PIPELINE_SOURCE == "schedule"' in r["if"] for r in drift["rules"])
    assert drift["allow_failure"] == {"exit_codes": [5]}
    assert drift["artifacts"]["access"] == "developer"
    assert drift["script"] == ['tfoidc drift "$TF_ENV" --out-dir "tfoidc-out/$TF_ENV"']
    assert drift["variables"]["TF_CLI_ARGS_plan"] == "-lock=false"  # plan roles hold no lock writes


def test_the_gitlab_roles_are_audited_on_a_schedule(ci: dict[str, Any]) -> None:
    for name, command in (("audit:roles", "tfoidc audit roles"), ("audit:trail", "tfoidc audit trail")):
        audit = job(ci, name)
        assert audit["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule" && $TFOIDC_AUDIT == "true"'}]
        assert command in audit["script"][-1] and '--fail-on "$TFOIDC_AUDIT_FAIL_ON"' in audit["script"][-1]
        assert audit["variables"]["TFOIDC_AUDIT_FAIL_ON"] == "block"
        # A CI/CD variable names the read-only audit role; its value is expanded when the job runs.
        assert audit["variables"]["TFOIDC_ROLE_ARN"] == "$TFOIDC_AUDIT_ROLE_ARN"
        assert audit["artifacts"]["access"] == "developer"


def test_the_readme_the_docs_and_the_pipeline_agree_on_the_audiences(ci: dict[str, Any]) -> None:
    """One plan audience and one apply audience, the same in the code's defaults, the pipeline, the
    README and the docs; and no doc still recommends a token file in a shared folder."""
    readme = (REPO / "README.md").read_text()
    identity = (REPO / "docs" / "identity.md").read_text()
    lifecycle = (REPO / "docs" / "lifecycle.md").read_text()
    drift = job(ci, "drift")["id_tokens"]["GITLAB_OIDC_TOKEN"]["aud"]
    assert drift == DEFAULT_PLAN_AUDIENCE
    for text in (readme, identity, lifecycle):
        assert f"`{DEFAULT_PLAN_AUDIENCE}`" in text or f'"{DEFAULT_PLAN_AUDIENCE}"' in text
        assert "<issuer>/apply" in text
    assert f"aud: {DEFAULT_PLAN_AUDIENCE}" in identity and "aud: ${CI_SERVER_URL}/apply" in identity
    assert "--web-identity-file" not in readme and '"$CI_BUILDS_DIR' not in identity
