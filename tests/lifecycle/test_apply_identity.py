"""The ID token in the lifecycle commands: verified before any STS call, and branch rules only read
claims from the right issuer (the configured one, or the job's GitLab instance)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lifecycle.harness import Workspace
from tfoidc.sandbox.issuer import LocalIssuer


@pytest.fixture
def rogue_issuer() -> Iterator[LocalIssuer]:
    issuer = LocalIssuer()
    issuer.start()
    yield issuer
    issuer.stop()


def _without_issuer(ws: Workspace) -> None:
    del ws.environments["sandbox"]["issuer"]
    ws.write_config()


def test_a_token_from_another_issuer_is_refused_before_the_branch_rules(
    workspace: Workspace, rogue_issuer: LocalIssuer
) -> None:
    forged = rogue_issuer.mint(ref="main", ref_protected="true", aud=workspace.apply_audience)
    result = workspace.apply("sandbox", token=forged)
    assert result.returncode == 4, result.stderr
    assert workspace.sts.actions == []


def test_the_gitlab_instance_of_the_job_is_the_default_issuer(
    workspace: Workspace, rogue_issuer: LocalIssuer
) -> None:
    _without_issuer(workspace)
    env = workspace.env(rogue_issuer.mint(ref="main", ref_protected="true", aud=workspace.apply_audience))
    del env["TFOIDC_ISSUER"]
    env["CI_SERVER_URL"] = workspace.sandbox.issuer.url
    result = workspace.apply("sandbox", env=env)
    assert result.returncode == 4, result.stderr
    assert workspace.sts.actions == []


def test_apply_with_branch_rules_needs_a_known_issuer(workspace: Workspace) -> None:
    _without_issuer(workspace)
    env = workspace.env(workspace.apply_token())
    del env["TFOIDC_ISSUER"]
    result = workspace.apply("sandbox", env=env)
    assert result.returncode == 2
    assert "environments.sandbox.issuer is not set" in result.last_line
    assert workspace.sts.actions == []


@pytest.mark.parametrize("command", ["plan", "apply", "drift"])
def test_an_expired_token_is_refused_before_any_sts_call(workspace: Workspace, command: str) -> None:
    expired = workspace.sandbox.issuer.mint(ref="main", ref_protected="true", expires_in=-600)
    result = workspace.tfoidc(command, "sandbox", "--out-dir", str(workspace.out("sandbox")), token=expired)
    assert result.returncode == 4, result.stderr
    assert result.stderr.count("tfoidc: error:") == 1 and "expired" in result.last_line
    assert expired not in result.output
    assert workspace.sts.actions == []


def test_a_missing_token_is_a_usage_error_of_the_job(workspace: Workspace) -> None:
    env = workspace.env(None)
    result = workspace.tfoidc("plan", "sandbox", env=env)
    assert result.returncode == 2, result.stderr
    assert "no GitLab ID token found" in result.last_line and "id_tokens" in result.last_line
    assert workspace.sts.actions == []


def test_a_plan_jobs_token_cannot_apply(workspace: Workspace) -> None:
    """Plan and apply jobs request different audiences; apply accepts only its own, so a token any
    merge request's plan job holds is refused (IAM refuses it too: only apply roles trust that audience)."""
    result = workspace.apply("sandbox", token=workspace.token())
    assert result.returncode == 4, result.stderr
    assert (
        f"is for audience 'sts.amazonaws.com', not the expected '{workspace.apply_audience}'"
        in result.last_line
    )
    assert workspace.sts.actions == []


def test_an_apply_jobs_token_is_not_for_plans(workspace: Workspace) -> None:
    result = workspace.plan("sandbox", token=workspace.apply_token())
    assert result.returncode == 4, result.stderr
    assert "not the expected 'sts.amazonaws.com'" in result.last_line
    assert workspace.sts.actions == []
