"""The shipped .gitlab-ci.yml: valid against GitLab's published CI schema, and the pipeline the
lifecycle relies on (ID token audience, plans on merge requests, manual protected applies)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tfoidc.config import DEFAULT_PLAN_AUDIENCE, default_apply_audience

REPO = Path(__file__).resolve().parents[2]
PIPELINE = REPO / ".gitlab-ci.yml"
ENVIRONMENTS = ("dev", "staging", "prod")


def check_jsonschema(path: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent)) or "check-jsonschema"
    return subprocess.run(
        [exe, "--builtin-schema", "vendor.gitlab-ci", str(path)], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def ci() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(PIPELINE.read_text())
    return doc


def job(ci: dict[str, Any], name: str) -> dict[str, Any]:
    """The job with its `extends` chain merged the way GitLab merges hashes (deep, job wins)."""
    merged: dict[str, Any] = {}
    raw = ci[name]
    for parent in [raw["extends"]] if isinstance(raw.get("extends"), str) else raw.get("extends", []):
        merged = _deep_merge(merged, job(ci, parent))
    return _deep_merge(merged, {k: v for k, v in raw.items() if k != "extends"})


def _deep_merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def test_pipeline_is_valid_gitlab_ci(tmp_path: Path) -> None:
    result = check_jsonschema(PIPELINE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_pipeline(tmp_path: Path, ci: dict[str, Any]) -> None:
    broken = dict(ci)
    broken["apply:prod"] = {**ci["apply:prod"], "resource_group": ["not", "a", "string"], "when": "sometimes"}
    path = tmp_path / ".gitlab-ci.yml"
    path.write_text(yaml.safe_dump(broken))
    assert check_jsonschema(path).returncode != 0


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_plan_runs_on_merge_requests_with_private_artifacts_and_reports(ci: dict[str, Any], env: str) -> None:
    plan = job(ci, f"plan:{env}")
    assert plan["variables"]["TF_ENV"] == env
    assert plan["id_tokens"]["GITLAB_OIDC_TOKEN"]["aud"] == DEFAULT_PLAN_AUDIENCE
    assert any('tfoidc plan "$TF_ENV"' in line for line in plan["script"])
    assert any('$CI_PIPELINE_SOURCE == "merge_request_event"' in r["if"] for r in plan["rules"])
    artifacts = plan["artifacts"]
    assert artifacts["access"] == "developer" and artifacts["expire_in"]
    assert set(artifacts["reports"]) == {"terraform", "junit", "codequality"}
    assert any('pip install --quiet "$TFOIDC_PIP_SPEC"' in line for line in plan["before_script"])
    # Pinned, and never a bare name a public index could resolve to someone else's package.
    assert re.search(r"@v\d+\.\d+\.\d+$", ci["variables"]["TFOIDC_PIP_SPEC"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_apply_is_manual_on_the_protected_default_branch_one_at_a_time(ci: dict[str, Any], env: str) -> None:
    apply = job(ci, f"apply:{env}")
    assert apply["variables"]["TF_ENV"] == env
    assert apply["resource_group"] == f"terraform-{env}"
    assert apply["environment"]["name"] == env
    assert {"job": f"plan:{env}", "artifacts": True} in apply["needs"]
    assert [r.get("when") for r in apply["rules"]] == ["manual"]
    condition = apply["rules"][0]["if"]
    assert "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" in condition
    assert '$CI_COMMIT_REF_PROTECTED == "true"' in condition
    assert apply["allow_failure"] is False
    # The apply audience, tfoidc's default for apply: a plan job's token is not one an apply role takes.
    assert apply["id_tokens"]["GITLAB_OIDC_TOKEN"]["aud"] == default_apply_audience("${CI_SERVER_URL}")


def test_drift_is_scheduled_for_every_environment_and_exit_5_is_a_warning(ci: dict[str, Any]) -> None:
    drift = job(ci, "drift")
    assert drift["parallel"]["matrix"] == [{"TF_ENV": list(ENVIRONMENTS)}]
    assert all('$CI_PIPELINE_SOURCE == "schedule"' in r["if"] for r in drift["rules"])
    assert drift["allow_failure"] == {"exit_codes": [5]}
    assert drift["artifacts"]["access"] == "developer"


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
