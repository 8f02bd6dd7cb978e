"""`tfoidc plan | apply | drift` end to end: real Terraform 1.0.3, the null provider from a filesystem
mirror, the S3 backend and its DynamoDB lock table in moto, credentials from a sandbox ID token."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from tests.lifecycle.harness import COMMIT, Workspace
from tfoidc.terraform.manifest import sha256_file

pytestmark = pytest.mark.slow


def s3_state(ws: Workspace, environment: str) -> dict[str, object] | None:
    """The Terraform state object in the sandbox bucket, or None when nothing was applied."""
    s3 = boto3.client(
        "s3",
        endpoint_url=ws.sandbox.moto_endpoint,
        region_name=ws.sandbox.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    try:
        body = s3.get_object(Bucket=ws.sandbox.state_bucket, Key=ws.state_key(environment))["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    state: dict[str, object] = json.loads(body)
    return state


def managed_resources(state: dict[str, object] | None) -> set[str]:
    resources = state.get("resources", []) if state else []
    assert isinstance(resources, list)
    return {f"{r['type']}.{r['name']}" for r in resources if r.get("mode") == "managed"}


def test_plan_apply_then_plan_without_changes(workspace: Workspace) -> None:
    planned = workspace.plan("sandbox", "--detailed-exitcode")
    assert planned.returncode == 5, planned.stderr
    assert "2 to create" in planned.stdout
    assert workspace.sts.actions == ["AssumeRoleWithWebIdentity"]

    out = workspace.out("sandbox")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["plan_sha256"] == sha256_file(out / "tfplan")
    assert manifest["commit_sha"] == COMMIT
    assert manifest["terraform_version"] == "1.0.3"
    assert manifest["root"] == "root" and manifest["environment"] == "sandbox"
    assert manifest["has_changes"] is True and manifest["blocking_findings"] == []
    assert manifest["claims"]["ref"] == "main" and manifest["claims"]["project_path"] == "acme/infra"
    plan_doc = json.loads((out / "plan.json").read_text())
    assert {rc["address"] for rc in plan_doc["resource_changes"]} == {
        "null_resource.network",
        "null_resource.release",
    }
    assert (out / "report.html").is_file()
    assert s3_state(workspace, "sandbox") is None

    applied = workspace.apply("sandbox")
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete! Resources: 2 added" in applied.stderr
    assert managed_resources(s3_state(workspace, "sandbox")) == {
        "null_resource.network",
        "null_resource.release",
    }

    # The same saved plan cannot be applied twice (a retried apply job): Terraform 1.0 itself would
    # apply a plan made against no state again and create every resource a second time.
    again = workspace.apply("sandbox")
    assert again.returncode == 3
    assert "stale plan: the state changed since this plan was made (no state then, state " in again.last_line
    assert managed_resources(s3_state(workspace, "sandbox")) == {
        "null_resource.network",
        "null_resource.release",
    }
    state = s3_state(workspace, "sandbox")
    assert state is not None and len(state["resources"]) == 2  # type: ignore[arg-type]

    recheck = workspace.plan("sandbox", "--detailed-exitcode")
    assert recheck.returncode == 0, recheck.stderr
    assert "0 to create, 0 to update, 0 to replace, 0 to delete" in recheck.stdout
    assert json.loads((out / "manifest.json").read_text())["has_changes"] is False

    drift = workspace.tfoidc("drift", "sandbox", "--out-dir", str(out))
    assert drift.returncode == 0, drift.stderr
    assert "sandbox: no drift" in drift.stdout
    summary = json.loads((out / "drift-summary.json").read_text())
    assert summary == {"environment": "sandbox", "has_drift": False, "drifted": []}
    assert "No drift" in (out / "drift-summary.md").read_text()


def test_plan_without_detailed_exitcode_exits_0_with_changes(workspace: Workspace) -> None:
    planned = workspace.plan("sandbox")
    assert planned.returncode == 0, planned.stderr
    assert "2 to create" in planned.stdout


@pytest.fixture
def planned(workspace: Workspace) -> Workspace:
    result = workspace.plan("sandbox")
    assert result.returncode == 0, result.stderr
    workspace.sts.clear()
    return workspace


def _tamper(out: Path) -> None:
    with (out / "tfplan").open("ab") as handle:
        handle.write(b"\0")


def _drop_plan(out: Path) -> None:
    (out / "tfplan").unlink()


def _drop_manifest(out: Path) -> None:
    (out / "manifest.json").unlink()


def _edit_manifest(**changes: object) -> object:
    def edit(out: Path) -> None:
        path = out / "manifest.json"
        path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))

    return edit


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_tamper, "does not match its manifest (sha256 differs): tampered"),
        (_drop_plan, "is missing"),
        (_drop_manifest, "no plan manifest"),
        (_edit_manifest(commit_sha="0" * 40), "stale plan: commit is"),
        (_edit_manifest(root="environments/prod"), "stale plan: Terraform root is 'root'"),
        (_edit_manifest(environment="prod"), "stale plan: environment is 'sandbox'"),
        (_edit_manifest(terraform_version="1.5.7"), "stale plan: Terraform version is '1.0.3'"),
        (_edit_manifest(version=99), "unsupported version"),
    ],
    ids=[
        "tampered",
        "missing-plan",
        "missing-manifest",
        "other-commit",
        "other-root",
        "other-environment",
        "other-terraform",
        "manifest-version",
    ],
)
def test_apply_refuses_a_plan_that_is_not_the_reviewed_one(
    planned: Workspace, mutate: object, expected: str
) -> None:
    assert callable(mutate)
    mutate(planned.out("sandbox"))
    result = planned.apply("sandbox")
    assert result.returncode == 3, result.stderr
    assert expected in result.last_line
    assert result.stderr.count("tfoidc: error:") == 1 and "Traceback" not in result.stderr
    assert planned.sts.actions == []  # refused before any credential was requested
    assert s3_state(planned, "sandbox") is None


def test_apply_refuses_another_valid_plan_put_in_place_of_the_reviewed_one(planned: Workspace) -> None:
    other = planned.tfoidc(
        "plan", "sandbox", "--out-dir", str(planned.path / "other"),
        env=planned.env(planned.token(), TF_VAR_release="2"),
    )  # fmt: skip
    assert other.returncode == 0, other.stderr
    shutil.copy(planned.path / "other" / "tfplan", planned.out("sandbox") / "tfplan")
    planned.sts.clear()
    result = planned.apply("sandbox")
    assert result.returncode == 3
    assert "does not match its manifest (sha256 differs)" in result.last_line
    assert planned.sts.actions == []


def test_apply_refuses_a_plan_of_another_commit_from_ci_commit_sha(planned: Workspace) -> None:
    later = planned.env(planned.apply_token(), CI_COMMIT_SHA="f" * 40)
    result = planned.apply("sandbox", env=later)
    assert result.returncode == 3
    assert f"commit is '{'f' * 40}' but the plan was made for '{COMMIT}'" in result.last_line


def test_feature_branch_token_is_refused_for_prod_before_any_sts_call(workspace: Workspace) -> None:
    # The prod role in the sandbox is assumable by any token of the project in moto, which does not
    # enforce trust policies: only tfoidc's branch rules stand between a feature branch and prod.
    readonly = workspace.sandbox.roles["readonly"]
    workspace.add_environment(
        "prod", role="dev", plan_role_arn=readonly, apply_refs=["main"], require_protected_ref=True
    )
    feature = workspace.token(ref="feature/sneaky", ref_protected="false")

    # Plans for every environment are allowed on merge requests, with the read-only plan role: the
    # STS exchange happens and works.
    plan = workspace.plan("prod", token=feature)
    assert plan.returncode == 0, plan.stderr
    assert workspace.sts.actions == ["AssumeRoleWithWebIdentity"]
    assert f"as {readonly} (GitLab ID token)" in plan.stderr

    workspace.sts.clear()
    apply = workspace.apply("prod", token=workspace.apply_token(ref="feature/sneaky", ref_protected="false"))
    assert apply.returncode == 3
    assert "ref 'feature/sneaky' may not apply prod" in apply.last_line
    assert "environments.prod.apply_refs allows only main" in apply.last_line
    assert workspace.sts.actions == []
    assert s3_state(workspace, "prod") is None

    unprotected = workspace.apply("prod", token=workspace.apply_token(ref="main", ref_protected="false"))
    assert unprotected.returncode == 3
    assert "is not protected" in unprotected.last_line
    assert workspace.sts.actions == []

    # Nor does the protected default branch apply a plan made on the feature branch: plans made on an
    # unprotected ref are for review only.
    main_apply = workspace.apply_token(ref="main", ref_protected="true")
    from_feature = workspace.apply("prod", token=main_apply)
    assert from_feature.returncode == 3
    assert "the saved plan was made on ref 'feature/sneaky', which is unprotected" in from_feature.last_line
    assert workspace.sts.actions == []

    # The protected default branch applies its own plan, with the environment's apply role.
    assert workspace.plan("prod", token=workspace.token(ref="main", ref_protected="true")).returncode == 0
    workspace.sts.clear()
    applied = workspace.apply("prod", token=main_apply)
    assert applied.returncode == 0, applied.stderr
    assert f"as {workspace.sandbox.roles['dev']} (GitLab ID token)" in applied.stderr
    assert workspace.sts.actions == ["AssumeRoleWithWebIdentity"]


def test_the_chained_role_is_for_apply_only_and_plans_chain_into_their_own(workspace: Workspace) -> None:
    """Hub and spoke: plans run as the plan role (or chain into plan_chain_role_arn); only apply chains
    into the deploy role (before, plans chained into it too)."""
    roles = workspace.sandbox.roles
    workspace.add_environment("hub", role="dev", chain_role_arn=roles["chained"])
    plan = workspace.plan("hub")
    assert plan.returncode == 0, plan.stderr
    assert workspace.sts.actions == ["AssumeRoleWithWebIdentity"]
    assert f"as {roles['dev']} (GitLab ID token)" in plan.stderr

    workspace.sts.clear()
    applied = workspace.apply("hub")
    assert applied.returncode == 0, applied.stderr
    assert workspace.sts.actions == ["AssumeRoleWithWebIdentity", "AssumeRole"]
    assert f"as {roles['chained']} (GitLab ID token)" in applied.stderr

    workspace.add_environment("spoke", role="dev", plan_chain_role_arn=roles["readonly"])
    workspace.sts.clear()
    spoke = workspace.plan("spoke")
    assert spoke.returncode == 0, spoke.stderr
    assert workspace.sts.actions == ["AssumeRoleWithWebIdentity", "AssumeRole"]
    assert f"as {roles['readonly']} (GitLab ID token)" in spoke.stderr


def _hold_lock(ws: Workspace, environment: str) -> str:
    """Take the state lock the way another Terraform run would hold it."""
    lock_id = f"{ws.sandbox.state_bucket}/{ws.state_key(environment)}"
    info = {"ID": "6d1f2c3e-0000-4000-8000-000000000001", "Operation": "OperationTypeApply",
            "Who": "someone-else@runner-7", "Version": "1.0.3", "Created": "2026-01-01T00:00:00Z",
            "Path": lock_id, "Info": ""}  # fmt: skip
    _dynamodb(ws).put_item(
        TableName=ws.sandbox.lock_table,
        Item={"LockID": {"S": lock_id}, "Info": {"S": json.dumps(info)}},
    )
    return lock_id


def _release_lock(ws: Workspace, lock_id: str) -> None:
    _dynamodb(ws).delete_item(TableName=ws.sandbox.lock_table, Key={"LockID": {"S": lock_id}})


def _dynamodb(ws: Workspace) -> object:
    return boto3.client(
        "dynamodb",
        endpoint_url=ws.sandbox.moto_endpoint,
        region_name=ws.sandbox.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_concurrent_apply_fails_clearly_at_the_state_lock(planned: Workspace) -> None:
    lock_id = _hold_lock(planned, "sandbox")
    try:
        result = planned.apply("sandbox", "--lock-timeout", "2s")
    finally:
        _release_lock(planned, lock_id)
    assert result.returncode == 1
    assert result.last_line.startswith(f"tfoidc: error: cannot take the state lock {lock_id}: it is held by ")
    assert "someone-else@runner-7 (OperationTypeApply since 2026-01-01T00:00:00Z" in result.last_line
    assert "another run (someone-else@runner-7) holds the state lock" in result.last_line
    assert s3_state(planned, "sandbox") is None

    # Once the other run is gone, the same reviewed plan still applies.
    assert planned.apply("sandbox").returncode == 0


def test_apply_waits_for_the_state_lock_within_lock_timeout(planned: Workspace) -> None:
    lock_id = _hold_lock(planned, "sandbox")
    argv = [sys.executable, "-m", "tfoidc", "--config", str(planned.config), "apply", "sandbox",
            "--out-dir", str(planned.out("sandbox")), "--lock-timeout", "120s"]  # fmt: skip
    with subprocess.Popen(
        argv,
        env=planned.env(planned.apply_token()),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as waiting:
        try:
            time.sleep(6)
            assert waiting.poll() is None, "apply did not wait for the lock"
            assert s3_state(planned, "sandbox") is None
        finally:
            _release_lock(planned, lock_id)
        _, stderr = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, stderr
    assert managed_resources(s3_state(planned, "sandbox")) == {
        "null_resource.network",
        "null_resource.release",
    }


def test_a_terraform_error_is_one_line_after_terraform_s_error_block(workspace: Workspace) -> None:
    (workspace.root / "broken.tf").write_text('resource "null_resource" "x" {\n  triggers = var.nope\n}\n')
    result = workspace.plan("sandbox")
    assert result.returncode == 1
    assert result.last_line.startswith("tfoidc: error: terraform validate failed (exit 1): Error: ")
    assert "Reference to undeclared input variable" in result.stderr
    assert not (workspace.out("sandbox") / "manifest.json").exists()
