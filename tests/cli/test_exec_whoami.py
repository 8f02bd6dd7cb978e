"""`tfoidc exec` and `tfoidc whoami` against the sandbox."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
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


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_exec_passes_a_cancelled_jobs_signal_on_to_the_command_once(
    sandbox: Sandbox, sandbox_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, signum: signal.Signals
) -> None:
    """A cancelled CI job signals tfoidc (GitLab: SIGTERM, then SIGKILL after a grace period); the command
    (terraform) must get it once to stop gracefully, its last words must still be shown, and tfoidc then
    exits 128+N as a shell would."""
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    name = signum.name.removeprefix("SIG")
    script = f'n=0; trap "n=\\$((n+1))" {name}; echo ready; while [ $n -eq 0 ]; do sleep 0.1; done; sleep 1; echo "stopping after $n"; exit 42'
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
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        for _ in range(3):  # to tfoidc alone, several times: the command must get it once
            process.send_signal(signum)
            time.sleep(0.2)
        out, err = process.communicate(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait()
    assert (process.returncode, out) == (128 + signum, "stopping after 1\n"), err
    # (the shell may say a `sleep` it ran was stopped too: the signal goes to the command's process group)
    assert err.endswith(f"tfoidc: cancelled by {signum.name}: sh stopped (exit 42)\n"), err
    assert err.count("tfoidc:") == 1


# --- what the command can see -------------------------------------------------------------------------

# Records its environment (a file is not masked: this is what it really got), then prints every value
# it was handed another way, plainly, base64-encoded and wrapped across lines as Terraform wraps them.
LEAKY_CHILD = """
import base64, json, os, sys
json.dump(dict(os.environ), open(sys.argv[1], "w"))
for secret in json.load(open(sys.argv[2])):
    print("plain:", secret)
    print("base64:", base64.b64encode(("x" + secret).encode()).decode())
    print("│ wrapped:", secret[: len(secret) // 2])
    print("│", secret[len(secret) // 2 :], "end")
"""


def test_exec_keeps_every_token_from_the_command_and_masks_them_in_its_output(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    id_token = sandbox.issuer.mint()
    planted = {
        "GITLAB_OIDC_TOKEN": id_token,
        "TFOIDC_GITLAB_TOKEN": "note-token-sentinel-Aq81Zw",
        "GITLAB_TOKEN": "gitlab-token-sentinel-Bx27Yv",
        "CI_JOB_TOKEN": "job-token-sentinel-Cm93Xu",
        "CI_REGISTRY_PASSWORD": "job-token-sentinel-Cm93Xu",
        "CI_REPOSITORY_URL": "https://gitlab-ci-token:job-token-sentinel-Cm93Xu@gitlab.example.com/a/b.git",
        "VAULT_ID_TOKEN": sandbox.issuer.mint(aud="https://vault.example.com"),  # another id_tokens entry
    }
    for name, value in planted.items():
        monkeypatch.setenv(name, value)
    record, handed = tmp_path / "env.json", tmp_path / "secrets.json"
    handed.write_text(json.dumps(sorted(set(planted.values()))))
    result = tfoidc(
        "exec",
        "--role-arn",
        sandbox.roles["dev"],
        "--",
        sys.executable,
        "-c",
        LEAKY_CHILD,
        str(record),
        str(handed),
    )
    assert result.code == 0, result
    child_env = json.loads(record.read_text())
    assert sorted(set(planted) & set(child_env)) == []
    assert not any(value in planted.values() for value in child_env.values())
    lines = result.out.splitlines()
    assert sum(line.startswith("plain: ***") for line in lines) == len(set(planted.values()))
    for secret in set(planted.values()):
        for fragment in (secret, secret[: len(secret) // 2], secret[len(secret) // 2 :]):
            assert fragment not in result.out + result.err
        assert base64.b64encode(("x" + secret).encode()).decode()[4:-4] not in result.out


def test_exec_child_cannot_read_the_token_from_tfoidcs_own_environment(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """tfoidc drops the token from the command's environment, but its own still holds it: the command
    must not read it from /proc/<tfoidc>/environ (even as root, as in many CI images)."""
    token = sandbox.issuer.mint()
    record = tmp_path / "record"
    child = (
        "import os, sys\n"
        "try:\n"
        "    data = open(f'/proc/{os.getppid()}/environ', 'rb').read().decode(errors='replace')\n"
        "except PermissionError:\n"
        "    data = 'denied'\n"
        "open(sys.argv[1], 'w').write(data)\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "tfoidc", "exec", "--role-arn", sandbox.roles["dev"], "--",
         sys.executable, "-c", child, str(record)],
        env={**os.environ, "GITLAB_OIDC_TOKEN": token}, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert record.read_text() == "denied"


# --- --web-identity ---------------------------------------------------------------------------------

WEB_IDENTITY_CHILD = """
import json, os, stat, sys
import boto3
path = os.environ["AWS_WEB_IDENTITY_TOKEN_FILE"]
folder = os.path.dirname(path)
json.dump({
    "env": {k: v for k, v in os.environ.items() if k.startswith("AWS_")},
    "file_mode": stat.S_IMODE(os.stat(path).st_mode),
    "folder_mode": stat.S_IMODE(os.stat(folder).st_mode),
    "token": open(path).read(),
    "arn": boto3.client("sts").get_caller_identity()["Arn"],
}, open(sys.argv[1], "w"))
"""


def test_exec_web_identity_gives_the_command_a_private_token_file_removed_when_it_ends(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    token = sandbox.issuer.mint()
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", token)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    tempfile.tempdir = None  # TMPDIR is read once per process
    record = tmp_path / "child.json"
    try:
        result = tfoidc(
            "exec", "--web-identity", "--role-arn", sandbox.roles["staging"], "--",
            sys.executable, "-c", WEB_IDENTITY_CHILD, str(record),
        )  # fmt: skip
    finally:
        tempfile.tempdir = None
    assert result.code == 0, result
    child = json.loads(record.read_text())
    assert child["token"] == token
    assert (child["file_mode"], child["folder_mode"]) == (0o600, 0o700)
    assert Path(child["env"]["AWS_WEB_IDENTITY_TOKEN_FILE"]).parent.parent == tmp_path / "tmp"
    assert child["env"]["AWS_ROLE_ARN"] == sandbox.roles["staging"]
    assert "AWS_SESSION_TOKEN" not in child["env"] and "AWS_SECRET_ACCESS_KEY" not in child["env"]
    assert child["arn"].endswith(":assumed-role/tfoidc-sandbox-staging/gitlab-42-1001-5001")
    assert list((tmp_path / "tmp").iterdir()) == []  # gone with the command
    assert token not in result.out + result.err


def test_exec_web_identity_file_is_removed_when_the_job_is_cancelled(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "GITLAB_OIDC_TOKEN": sandbox.issuer.mint(), "TMPDIR": str(tmp)}
    script = 'trap "exit 0" TERM; cat "$AWS_WEB_IDENTITY_TOKEN_FILE" >/dev/null && echo ready; while :; do sleep 0.1; done'
    process = subprocess.Popen(
        [sys.executable, "-m", "tfoidc", "exec", "--web-identity", "--role-arn", sandbox.roles["dev"],
         "--", "sh", "-c", script],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
        assert len(list(tmp.iterdir())) == 1
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait()
    assert process.returncode == 128 + signal.SIGTERM
    assert list(tmp.iterdir()) == []


def test_exec_web_identity_cannot_chain(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc(
        "exec", "--web-identity", "--role-arn", sandbox.roles["dev"], "--chain-role-arn",
        sandbox.roles["chained"], "--", "true",
    )  # fmt: skip
    assert result.code == 2
    assert "--web-identity cannot be combined with a chained role" in result.err


# --- ENV from tfoidc.toml -----------------------------------------------------------------------------


@pytest.fixture
def config(sandbox: Sandbox, tmp_path: Path) -> Path:
    path = tmp_path / "tfoidc.toml"
    path.write_text(
        "[environments.dev]\n"
        'root = "."\n'
        f'role_arn = "{sandbox.roles["dev"]}"\n'
        f'plan_role_arn = "{sandbox.roles["readonly"]}"\n'
        f'issuer = "{sandbox.issuer.url}"\n'
    )
    return path


def test_exec_env_runs_with_the_environments_plan_role(
    tfoidc: Cli, sandbox: Sandbox, config: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    record = tmp_path / "child.json"
    result = tfoidc("--config", str(config), "exec", "dev", "--", sys.executable, "-c", CHILD, str(record))
    assert result.code == 7, result
    assert ":assumed-role/tfoidc-sandbox-readonly/" in json.loads(record.read_text())["arn"]


def test_exec_env_apply_needs_the_apply_audience_and_uses_the_apply_role(
    tfoidc: Cli, sandbox: Sandbox, config: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())  # a plan job's token
    record = tmp_path / "child.json"
    refused = tfoidc("--config", str(config), "exec", "dev", "--apply", "--", "true")
    assert refused.code == 4
    assert f"not the expected '{sandbox.issuer.url}/apply'" in refused.err
    assert "environments.dev.apply_audience" in refused.err  # exec takes --audience too
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint(aud=f"{sandbox.issuer.url}/apply"))
    result = tfoidc(
        "--config", str(config), "exec", "dev", "--apply", "--", sys.executable, "-c", CHILD, str(record)
    )
    assert result.code == 7, result
    assert ":assumed-role/tfoidc-sandbox-dev/" in json.loads(record.read_text())["arn"]


def test_exec_needs_the_command_after_dashes(
    tfoidc: Cli, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITLAB_OIDC_TOKEN", sandbox.issuer.mint())
    result = tfoidc("exec", "--role-arn", sandbox.roles["dev"], "terraform", "plan")
    assert result.code == 2
    assert "put it after `--`" in result.err and result.err.count("\n") == 1
