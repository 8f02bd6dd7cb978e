"""Apply bound to the review, end to end: real `tfoidc plan` runs (Terraform 1.0.3, the sandbox) in a
merge request pipeline and on the default branch after the merge, the merge request pipeline's plan job
artifacts served by the local GitLab as a runner uploads them, and `tfoidc apply` comparing the two."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.test_lifecycle import managed_resources, s3_state
from tests.gitlab.server import MR_IID, TFOIDC_TOKEN, FakeGitLab, Job, zip_artifacts
from tests.lifecycle.harness import COMMIT, Result, Workspace

pytestmark = pytest.mark.slow
MR_HEAD = "feed" * 10


def run(ws: Workspace, command: str, out: Path, token: str, **env: str) -> Result:
    return ws.tfoidc(command, "sandbox", "--out-dir", str(out), env=ws.env(token, **env))


def test_only_the_reviewed_plan_applies_after_the_merge(
    workspace: Workspace, fake_gitlab: FakeGitLab
) -> None:
    project = workspace.path
    out = project / "tfoidc-out" / "sandbox"  # the same path in every pipeline, as in the shipped one
    gitlab = {
        "CI_API_V4_URL": f"{fake_gitlab.url}/api/v4",
        "CI_PROJECT_ID": "42",
        "TFOIDC_GITLAB_TOKEN": TFOIDC_TOKEN,
        "CI_PROJECT_DIR": str(project),
        "CI_DEFAULT_BRANCH": "main",
        "CI_JOB_NAME": "plan:sandbox",
    }

    # The merge request pipeline plans; its artifacts are what the reviewer saw.
    mr_token = workspace.token(
        ref="feature/x", ref_protected="false", pipeline_id="2001", pipeline_source="merge_request_event"
    )
    reviewed = run(workspace, "plan", out, mr_token, CI_COMMIT_SHA=MR_HEAD, **gitlab)
    assert reviewed.returncode == 0, reviewed.stderr
    archive = zip_artifacts(project / "tfoidc-out", project)
    fake_gitlab.add_pipeline(MR_IID, 2001, MR_HEAD, [Job(7001, "plan:sandbox", artifacts=archive)])
    fake_gitlab.commit_merge_requests[COMMIT] = [MR_IID]

    # That plan itself is never applied, whoever asks, even for the same commit (a fast-forward merge).
    main_token = workspace.apply_token(pipeline_id="2001")
    applied_mr_plan = run(workspace, "apply", out, main_token, CI_COMMIT_SHA=MR_HEAD, **gitlab)
    assert applied_mr_plan.returncode == 3
    assert "the saved plan was made in a merge request pipeline" in applied_mr_plan.last_line
    shutil.rmtree(project / "tfoidc-out")

    # After the merge, main plans something else (another change landed): refused, and the note says so.
    main = workspace.token(pipeline_id="2002")
    # (`environment`: a value the plan shows; `release` feeds a map Terraform 1.0 plans as unknown)
    changed = run(workspace, "plan", out, main, TF_VAR_environment="sandbox-2", **gitlab)
    assert changed.returncode == 0, changed.stderr
    refused = run(workspace, "apply", out, workspace.apply_token(pipeline_id="2002"), **gitlab)
    assert refused.returncode == 3, refused.stderr
    assert refused.last_line.startswith(
        "tfoidc: error: changed since review: 1 resource change(s) differ from the plan reviewed on !7 "
        "(pipeline 2001); shown in the merge request note (posted note"
    )
    assert s3_state(workspace, "sandbox") is None
    (note,) = fake_gitlab.notes
    assert "#### ⚠️ sandbox: changed since review" in note["body"]
    assert "| `null_resource.network` | create | create (other values) |" in note["body"]

    # The plan of the next pipeline is the reviewed one again: it applies.
    shutil.rmtree(project / "tfoidc-out")
    again = workspace.token(pipeline_id="2003")
    assert run(workspace, "plan", out, again, **gitlab).returncode == 0
    applied = run(workspace, "apply", out, workspace.apply_token(pipeline_id="2003"), **gitlab)
    assert applied.returncode == 0, applied.stderr
    assert "sandbox: the plan to apply is the plan reviewed on !7 (pipeline 2001)" in applied.stderr
    assert managed_resources(s3_state(workspace, "sandbox")) == {
        "null_resource.network",
        "null_resource.release",
    }
