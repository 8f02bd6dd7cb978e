"""Guardrails recorded in the manifest, local mode and the masking of Terraform's output, end to end
with the real Terraform 1.0.3 against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lifecycle.harness import Workspace

pytestmark = pytest.mark.slow

BLOCKING_RULE = """
[[guardrails.custom]]
id = "acme.network-approved"
title = "Networks are approved"
resource_type = "null_resource"
attribute = "triggers.environment"
operator = "equals"
value = "approved"
message = "only approved networks may be created"
severity = "block"
"""

WAIVER = """
[[guardrails.waivers]]
rule = "acme.network-approved"
address = "null_resource.network"
reason = "the sandbox network is a fixture"
expires = 2999-12-31
"""


def test_blocking_guardrail_finding_fails_the_plan_and_is_refused_by_apply(workspace: Workspace) -> None:
    workspace.extra_toml = BLOCKING_RULE
    workspace.write_config()
    plan = workspace.plan("sandbox", "--detailed-exitcode")
    assert plan.returncode == 3
    assert "acme.network-approved null_resource.network" in plan.last_line
    manifest = json.loads((workspace.out("sandbox") / "manifest.json").read_text())
    assert manifest["blocking_findings"] == ["acme.network-approved on null_resource.network"]

    workspace.sts.clear()
    apply = workspace.apply("sandbox")
    assert apply.returncode == 3
    assert (
        "1 blocking guardrail finding(s): acme.network-approved on null_resource.network" in apply.last_line
    )
    assert workspace.sts.actions == []


def test_waived_finding_does_not_block(workspace: Workspace) -> None:
    workspace.extra_toml = BLOCKING_RULE + WAIVER
    workspace.write_config()
    plan = workspace.plan("sandbox")
    assert plan.returncode == 0, plan.stderr
    assert json.loads((workspace.out("sandbox") / "manifest.json").read_text())["blocking_findings"] == []
    assert workspace.apply("sandbox").returncode == 0


def test_fail_on_warn_blocks_on_a_warning(workspace: Workspace) -> None:
    workspace.extra_toml = '[guardrails]\nfail_on = "warn"\n' + BLOCKING_RULE.replace(
        'severity = "block"', 'severity = "warn"'
    )
    workspace.write_config()
    plan = workspace.plan("sandbox")
    assert plan.returncode == 3
    assert "at or above warn" in plan.last_line
    assert workspace.apply("sandbox").returncode == 3


def _local_env(ws: Workspace) -> dict[str, str]:
    """A developer's shell: their own (sandbox) AWS keys, no ID token."""
    env = ws.env(None)
    env.pop("GITLAB_OIDC_TOKEN", None)
    return env


def test_local_plan_assumes_the_local_role_with_the_callers_credentials(workspace: Workspace) -> None:
    workspace.environments["sandbox"]["local_role_arn"] = workspace.sandbox.roles["readonly"]
    workspace.write_config()
    plan = workspace.plan("sandbox", "--local", env=_local_env(workspace))
    assert plan.returncode == 0, plan.stderr
    assert workspace.sts.actions == ["AssumeRole"]
    assert f"as {workspace.sandbox.roles['readonly']} (local credentials)" in plan.stderr
    html = next(line for line in plan.stdout.splitlines() if line.startswith("HTML report: "))
    assert Path(html.removeprefix("HTML report: ")).is_file()
    assert json.loads((workspace.out("sandbox") / "manifest.json").read_text())["local"] is True

    workspace.sts.clear()
    refused = workspace.apply("sandbox", "--local", env=_local_env(workspace))
    assert refused.returncode == 3
    assert "apply with --local is refused for sandbox" in refused.last_line
    assert "allow_local_apply" in refused.last_line
    assert workspace.sts.actions == []

    # A pipeline never applies a plan made on a laptop.
    ci = workspace.apply("sandbox")
    assert ci.returncode == 3
    assert "made with --local credentials" in ci.last_line


def test_local_apply_runs_when_the_environment_allows_it(workspace: Workspace) -> None:
    workspace.environments["sandbox"].update(
        local_role_arn=workspace.sandbox.roles["readonly"], allow_local_apply=True
    )
    workspace.write_config()
    assert workspace.plan("sandbox", "--local", env=_local_env(workspace)).returncode == 0
    applied = workspace.apply("sandbox", "--local", env=_local_env(workspace))
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete! Resources: 2 added" in applied.stderr


def test_local_plan_without_local_role_is_an_input_error(workspace: Workspace) -> None:
    result = workspace.plan("sandbox", "--local", env=_local_env(workspace))
    assert result.returncode == 2
    assert "environments.sandbox.local_role_arn is not set" in result.last_line
    assert workspace.sts.actions == []


LEAK_TF = """
variable "sentinel" {
  type    = string
  default = ""
}

resource "null_resource" "leak" {
  triggers = {
    value = var.sentinel
  }

  provisioner "local-exec" {
    command = "echo leak: $SECRET_SENTINEL $AWS_SESSION_TOKEN $AWS_SECRET_ACCESS_KEY $AWS_ACCESS_KEY_ID end"
  }
}
"""


def test_secrets_never_reach_the_output_or_the_artifacts(workspace: Workspace) -> None:
    (workspace.root / "leak.tf").write_text(LEAK_TF)
    workspace.environments["sandbox"]["mask_env"] = ["SECRET_SENTINEL", "TF_VAR_sentinel"]
    workspace.write_config()
    token = workspace.token()
    planted = {"SECRET_SENTINEL": "sentinel-env-Zq81xW", "TF_VAR_sentinel": "sentinel-tfvar-Kp27vB"}
    env = workspace.env(token, **planted)

    plan = workspace.plan("sandbox", env=env)
    apply = workspace.apply("sandbox", env=workspace.env(workspace.apply_token(), **planted))
    assert plan.returncode == 0, plan.stderr
    assert apply.returncode == 0, apply.stderr

    # Terraform really printed them (the provisioner echoes the credentials it was given) ...
    assert "leak: *** *** *** *** end" in apply.stderr
    assert '"value" = "***"' in plan.stderr
    # ... and none of them, nor the ID token, got through.
    output = plan.output + apply.output
    for secret in (*planted.values(), token):
        assert secret not in output
    artifacts = [p for p in workspace.out("sandbox").rglob("*") if p.is_file() and p.name != "tfplan"]
    assert {"plan.json", "manifest.json", "report.html", "report.md"} <= {p.name for p in artifacts}
    for path in artifacts:
        text = path.read_text(errors="replace")
        for secret in (*planted.values(), token):
            assert secret not in text, f"{secret[:10]}... leaked into {path.name}"


def test_web_identity_mode_lets_terraform_assume_the_role_itself(workspace: Workspace) -> None:
    """terraform_credentials = "web_identity": no static keys reach Terraform; its S3 backend reads the
    token file and calls STS itself (through the recorder), and the file is gone afterwards."""
    workspace.environments["sandbox"]["terraform_credentials"] = "web_identity"
    workspace.backend_overrides["sandbox"] = {"sts_endpoint": workspace.sts.url}
    workspace.write_config()
    tmp = workspace.path / "tmp"
    tmp.mkdir()
    token = workspace.token()
    env = workspace.env(token, TMPDIR=str(tmp))

    plan = workspace.plan("sandbox", env=env)
    assert plan.returncode == 0, plan.stderr
    assert "Terraform assumes the role itself from the token file" in plan.stderr
    # tfoidc's own exchange, then the S3 backend's (Terraform 1.0 assumes the role during init and for
    # every later command that reads the state).
    assert workspace.sts.actions[0] == "AssumeRoleWithWebIdentity"
    assert workspace.sts.actions.count("AssumeRoleWithWebIdentity") >= 2
    assert list(tmp.iterdir()) == []

    workspace.sts.clear()
    applied = workspace.apply("sandbox", env=workspace.env(workspace.apply_token(), TMPDIR=str(tmp)))
    assert applied.returncode == 0, applied.stderr
    assert workspace.sts.actions.count("AssumeRoleWithWebIdentity") >= 2
    assert list(tmp.iterdir()) == []
    assert token not in plan.output + applied.output


def test_web_identity_mode_cannot_chain_roles(workspace: Workspace) -> None:
    workspace.environments["sandbox"].update(
        terraform_credentials="web_identity", chain_role_arn=workspace.sandbox.roles["chained"]
    )
    workspace.write_config()
    result = workspace.plan("sandbox")
    assert result.returncode == 2
    assert "environments.sandbox.terraform_credentials: web_identity cannot be combined" in result.last_line


def test_web_identity_token_file_is_removed_when_terraform_fails(workspace: Workspace) -> None:
    workspace.environments["sandbox"]["terraform_credentials"] = "web_identity"
    workspace.backend_overrides["sandbox"] = {"sts_endpoint": workspace.sts.url}
    workspace.write_config()
    (workspace.root / "broken.tf").write_text('output "x" {\n  value = var.nope\n}\n')
    tmp = workspace.path / "tmp"
    tmp.mkdir()
    result = workspace.plan("sandbox", env=workspace.env(workspace.token(), TMPDIR=str(tmp)))
    assert result.returncode == 1
    assert list(tmp.iterdir()) == []
