"""`tfoidc exec` and `tfoidc whoami` against the sandbox."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest

from tests.identity.support import Cli, Issued
from tfoidc.sandbox import Sandbox

Sessions = Callable[[], list[Issued]]

# A child that records the AWS part of its environment and who AWS says it is, then exits 7.
CHILD = """
import json, os, sys
import boto3
env = dict(os.environ)
arn = boto3.client("sts").get_caller_identity()["Arn"]
with open(sys.argv[1], "w") as f:
    json.dump({"env": env, "arn": arn}, f)
sys.exit(7)
"""


def test_exec_runs_the_command_with_the_credentials_and_returns_its_exit_code(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    monkeypatch.setenv("AWS_PROFILE", "developer-laptop")  # would override the credentials in the child
    record = tmp_path / "child.json"
    result = tfoidc(
        "exec", "--role-arn", sandbox.roles["dev"], "--", sys.executable, "-c", CHILD, str(record)
    )
    assert result.code == 7, result
    (session,) = moto_sessions()
    child = json.loads(record.read_text())
    assert child["env"]["AWS_ACCESS_KEY_ID"] == session.access_key_id
    assert child["env"]["AWS_SECRET_ACCESS_KEY"] == session.secret_access_key
    assert child["env"]["AWS_SESSION_TOKEN"] == session.session_token
    assert "AWS_PROFILE" not in child["env"]
    assert "GITLAB_OIDC_TOKEN" not in child["env"]  # a child that prints its environment prints no token
    assert child["arn"].endswith(":assumed-role/tfoidc-sandbox-dev/gitlab-42-1001-5001")
    # the credentials went to the child only: not to tfoidc's output, not into this process
    for secret in (session.access_key_id, session.secret_access_key, session.session_token):
        assert secret not in result.out + result.err
    assert os.environ["AWS_ACCESS_KEY_ID"] == "testing"


def test_exec_with_chaining_gives_the_child_the_second_role(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    record = tmp_path / "child.json"
    result = tfoidc(
        "exec", "--role-arn", sandbox.roles["dev"], "--chain-role-arn", sandbox.roles["chained"],
        "--region", "us-east-1", "--", sys.executable, "-c", CHILD, str(record),
    )  # fmt: skip
    assert result.code == 7, result
    child = json.loads(record.read_text())
    assert ":assumed-role/tfoidc-sandbox-chained/" in child["arn"]
    assert child["env"]["AWS_REGION"] == child["env"]["AWS_DEFAULT_REGION"] == "us-east-1"


def test_exec_keeps_a_custom_token_variable_from_the_child(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DEPLOY_ID_TOKEN", sandbox.issuer.mint())
    record = tmp_path / "child.json"
    result = tfoidc(
        "exec", "--token-var", "DEPLOY_ID_TOKEN", "--role-arn", sandbox.roles["dev"],
        "--", sys.executable, "-c", CHILD, str(record),
    )  # fmt: skip
    assert result.code == 7, result
    assert "DEPLOY_ID_TOKEN" not in json.loads(record.read_text())["env"]


@pytest.mark.parametrize(("script", "code"), [("exit 0", 0), ("exit 3", 3), ("kill -TERM $$", 128 + 15)])
def test_exec_propagates_the_childs_status_as_a_shell_would(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, script: str, code: int
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("exec", "--role-arn", sandbox.roles["dev"], "--", "sh", "-c", script)
    assert result.code == code, result


def test_exec_passes_the_commands_own_flags_through(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc(
        "exec", "--role-arn", sandbox.roles["dev"], "--", "sh", "-c", 'echo "$1"', "sh", "--role-arn"
    )
    assert result.code == 0, result
    assert result.out == "--role-arn\n"


def test_exec_of_a_missing_command_is_one_line_exit_2(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("exec", "--role-arn", sandbox.roles["dev"], "--", "no-such-command-tfoidc")
    assert result.code == 2
    assert result.err == "tfoidc: error: command not found: no-such-command-tfoidc\n"


def test_exec_does_not_run_the_command_when_the_token_is_refused(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(expires_in=-600))
    marker = tmp_path / "ran"
    result = tfoidc("exec", "--role-arn", sandbox.roles["dev"], "--", "touch", str(marker))
    assert result.code == 4
    assert "expired" in result.err and result.err.count("\n") == 1
    assert not marker.exists()


def test_exec_without_a_command_is_a_usage_error(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("exec", "--role-arn", sandbox.roles["dev"])
    assert result.code == 2 and result.err.startswith("tfoidc: error: ")


# --- whoami -----------------------------------------------------------------------------------------


def test_whoami_shows_every_claim_and_the_checks_but_not_the_token(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = sandbox.issuer.mint(ref="release/2.0")
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", token)
    result = tfoidc("whoami")
    assert result.code == 0, result
    claims = jwt.decode(token, options={"verify_signature": False})
    rows = {cells[0]: cells[1] for cells in table_rows(result.out)}
    for name in (
        "sub",
        "project_path",
        "ref",
        "ref_type",
        "pipeline_id",
        "job_id",
        "aud",
        "iss",
        "environment",
    ):
        assert rows[name] == str(claims[name])
    assert rows["sub"] == "project_path:acme/infra:ref_type:branch:ref:release/2.0"
    assert rows["checks"] == "passed"
    assert rows["exp"].startswith(f"{claims['exp']} (")
    assert not any(part in result.out + result.err for part in token.split("."))
    assert moto_sessions() == []  # no --role-arn: no AWS call


def test_whoami_with_a_role_reports_who_aws_says_the_job_is(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = sandbox.issuer.mint(job_id="777")
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", token)
    result = tfoidc("whoami", "--role-arn", sandbox.roles["readonly"], "--format", "json")
    assert result.code == 0, result
    report = json.loads(result.out)
    assert report["claims"] == jwt.decode(token, options={"verify_signature": False})
    assert report["checks"] == "passed"
    assert report["source"] == "$GITLAB_OIDC_TOKEN"
    assert report["aws"] == {
        "Account": sandbox.account_id,
        "Arn": f"arn:aws:sts::{sandbox.account_id}:assumed-role/tfoidc-sandbox-readonly/gitlab-42-1001-777",
        "UserId": report["aws"]["UserId"],
        "SessionName": "gitlab-42-1001-777",
    }
    assert report["aws"]["UserId"].endswith(":gitlab-42-1001-777")
    (session,) = moto_sessions()
    assert session.duration == 900
    for secret in (token, session.secret_access_key, session.session_token, session.access_key_id):
        assert secret not in result.out + result.err


def test_whoami_table_with_a_role_lists_the_aws_identity(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("whoami", "--role-arn", sandbox.roles["dev"])
    assert result.code == 0, result
    rows = {cells[0]: cells[1] for cells in table_rows(result.out)}
    assert rows["aws Arn"].endswith(":assumed-role/tfoidc-sandbox-dev/gitlab-42-1001-5001")
    assert rows["aws Account"] == sandbox.account_id


def test_whoami_shows_the_claims_of_a_refused_token_then_fails_with_exit_4(
    tfoidc: Cli, sandbox: Sandbox, moto_sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(aud="https://gitlab.example.com"))
    result = tfoidc("whoami", "--role-arn", sandbox.roles["dev"], "--format", "json")
    assert result.code == 4
    report = json.loads(result.out)
    assert report["claims"]["aud"] == "https://gitlab.example.com"
    assert report["checks"].startswith("failed: ") and "audience" in report["checks"]
    assert "aws" not in report
    assert result.err.startswith("tfoidc: error: ") and result.err.count("\n") == 1
    assert moto_sessions() == []


def test_whoami_says_when_the_signature_was_not_verified(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("whoami", "--no-verify", "--format", "json")
    assert result.code == 0
    assert json.loads(result.out)["checks"] == "passed (signature not verified: --no-verify)"


def test_whoami_prints_claim_values_literally_not_as_markup(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(environment="[bold]review/x[/bold]"))
    result = tfoidc("whoami")
    assert result.code == 0, result
    rows = {cells[0]: cells[1] for cells in table_rows(result.out)}
    assert rows["environment"] == "[bold]review/x[/bold]"


def table_rows(text: str) -> list[list[str]]:
    """The cells of a rich box table's body rows."""
    rows = []
    for line in text.splitlines():
        if line.startswith(("│", "┃")):
            rows.append([cell.strip() for cell in line.strip("│┃").split("│")])
    return rows


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_exec_passes_a_cancelled_jobs_signal_on_to_the_command(
    sandbox: Sandbox, sandbox_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, signum: signal.Signals
) -> None:
    """A cancelled CI job signals tfoidc; the command (terraform) must get it to stop gracefully."""
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    script = f'trap "echo stopping; exit 42" {signum.name.removeprefix("SIG")}; echo ready; while :; do sleep 0.1; done'
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tfoidc",
            "exec",
            "--role-arn",
            sandbox.roles["dev"],
            "--",
            "sh",
            "-c",
            script,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so the cleanup below can end the child too if forwarding fails
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        process.send_signal(signum)  # to tfoidc alone, not its process group
        out, err = process.communicate(timeout=15)
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever is left of tfoidc's session
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert (process.returncode, out) == (42, "stopping\n"), err
