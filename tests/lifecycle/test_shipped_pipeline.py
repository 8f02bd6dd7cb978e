"""The shipped .gitlab-ci.yml: valid against GitLab's published CI schema, a generate job and the child
pipeline it triggers (the jobs of the child are tested in tests/stacks/test_pipeline.py), and drift."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tfoidc.config import DEFAULT_PLAN_AUDIENCE

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
    broken["tfoidc:stacks"] = {**ci["tfoidc:stacks"], "trigger": {"include": "x", "strategy": "sometimes"}}
    path = tmp_path / ".gitlab-ci.yml"
    path.write_text(yaml.safe_dump(broken))
    assert check_jsonschema(path).returncode != 0


def test_plans_and_applies_run_in_the_generated_child_pipeline(ci: dict[str, Any]) -> None:
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
    # One place for the jobs: what `tfoidc init` writes is what this repository ships.
    shipped = {name: ci[name] for name in ("tfoidc:generate", "tfoidc:stacks")}
    assert shipped == {
        k: v for k, v in templates.parent_jobs("python:3.11-slim").items() if not k.startswith(".")
    }
    assert job(ci, ".tfoidc-cli")["before_script"] == templates.INSTALL_SCRIPT
    assert "id_tokens" not in generate  # it exchanges no token
    assert any('pip install --quiet "$TFOIDC_PIP_SPEC"' in line for line in generate["before_script"])
    # Pinned, and never a bare name a public index could resolve to someone else's package.
    assert re.search(r"@v\d+\.\d+\.\d+$", ci["variables"]["TFOIDC_PIP_SPEC"])


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
