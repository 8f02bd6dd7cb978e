"""Branch rules only mean something on claims from the right issuer: apply verifies the token against
the configured issuer (or the job's GitLab instance) before it reads `ref`."""

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
    forged = rogue_issuer.mint(ref="main", ref_protected="true")
    result = workspace.apply("sandbox", token=forged)
    assert result.returncode == 4, result.stderr
    assert workspace.sts.actions == []


def test_the_gitlab_instance_of_the_job_is_the_default_issuer(
    workspace: Workspace, rogue_issuer: LocalIssuer
) -> None:
    _without_issuer(workspace)
    env = workspace.env(rogue_issuer.mint(ref="main", ref_protected="true"))
    del env["TFOIDC_ISSUER"]
    env["CI_SERVER_URL"] = workspace.sandbox.issuer.url
    result = workspace.apply("sandbox", env=env)
    assert result.returncode == 4, result.stderr
    assert workspace.sts.actions == []


def test_apply_with_branch_rules_needs_a_known_issuer(workspace: Workspace) -> None:
    _without_issuer(workspace)
    env = workspace.env(workspace.token())
    del env["TFOIDC_ISSUER"]
    result = workspace.apply("sandbox", env=env)
    assert result.returncode == 2
    assert "environments.sandbox.issuer is not set" in result.last_line
    assert workspace.sts.actions == []
