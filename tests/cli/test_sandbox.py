"""`tfoidc sandbox up|status|token|down` manage a background sandbox a later shell can use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import jwt


def tfoidc(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tfoidc", *args], env=env, capture_output=True, text=True, timeout=120
    )


def exports(stdout: str) -> dict[str, str]:
    pairs = (line.removeprefix("export ").split("=", 1) for line in stdout.splitlines() if line)
    return {name: value for name, value in pairs}


def test_up_serves_a_usable_sandbox_until_down(tmp_path: Path) -> None:
    env = {**os.environ, "TFOIDC_HOME": str(tmp_path)}
    up = tfoidc("sandbox", "up", env=env)
    try:
        assert up.returncode == 0, up.stderr
        exported = exports(up.stdout)
        sts = boto3.client(
            "sts",
            endpoint_url=exported["AWS_ENDPOINT_URL"],
            region_name=exported["AWS_REGION"],
            aws_access_key_id=exported["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=exported["AWS_SECRET_ACCESS_KEY"],
        )
        assert sts.get_caller_identity()["Account"] == "123456789012"

        again = tfoidc("sandbox", "up", env=env)
        assert again.returncode == 0 and "already up" in again.stderr
        assert exports(again.stdout) == exported

        status = tfoidc("sandbox", "status", "--format", "json", env=env)
        assert status.returncode == 0, status.stderr
        described = json.loads(status.stdout)
        assert described["health"] == {
            "pid": described["pid"], "process": "running", "moto": "answering", "issuer": "answering"
        }  # fmt: skip

        token_file = tmp_path / "token.jwt"
        minted = tfoidc("sandbox", "token", "--out", str(token_file), "--ref", "feature/x", env=env)
        assert minted.returncode == 0, minted.stderr
        assert token_file.stat().st_mode & 0o777 == 0o600
        token = token_file.read_text()
        assert token not in minted.stdout + minted.stderr
        key = jwt.PyJWKClient(exported["TFOIDC_ISSUER"] + "/oauth/discovery/keys").get_signing_key_from_jwt(
            token
        )
        claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=exported["TFOIDC_AUDIENCE"])
        assert claims["ref"] == "feature/x"
    finally:
        down = tfoidc("sandbox", "down", env=env)
    assert down.returncode == 0, down.stderr
    gone = tfoidc("sandbox", "status", env=env)
    assert gone.returncode == 1
    assert "no sandbox is running" in gone.stderr
    assert not (tmp_path / "sandbox" / "issuer-key.pem").exists()


def test_token_without_a_running_sandbox_is_a_usage_error(tmp_path: Path) -> None:
    result = tfoidc(
        "sandbox", "token", "--out", str(tmp_path / "t"), env={**os.environ, "TFOIDC_HOME": str(tmp_path)}
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "tfoidc: error: no sandbox is running (hint: `tfoidc sandbox up` starts one)"
    ]
    assert not (tmp_path / "t").exists()


DRY_RUN = r"""
set -eu
tfoidc() { "$PYTHON" -m tfoidc "$@"; }
trap 'tfoidc sandbox down' EXIT
eval "$(tfoidc sandbox up)"
test -f "$TFOIDC_HOME/sandbox/state.json"
tfoidc sandbox token --out "$WORK/id_token" --ref main
role=$(tfoidc sandbox status --format json | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)["roles"]["prod"])')
eval "$(tfoidc auth --role-arn "$role" --token-file "$WORK/id_token")"
"$PYTHON" -c 'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'
"""


def test_a_local_dry_run_gets_credentials_from_the_background_sandbox(tmp_path: Path) -> None:
    """The README's laptop flow: `eval "$(tfoidc sandbox up)"`, mint a token, `eval "$(tfoidc auth ...)"`."""
    env = {**os.environ, "TFOIDC_HOME": str(tmp_path), "PYTHON": sys.executable, "WORK": str(tmp_path)}
    for name in (
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "GITLAB_OIDC_TOKEN",
    ):
        env.pop(name, None)
    result = subprocess.run(["bash", "-c", DRY_RUN], env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "arn:aws:sts::123456789012:assumed-role/tfoidc-sandbox-prod/gitlab-42-1001-5001"
    )
    assert "sandbox down" in result.stderr
    assert not (tmp_path / "sandbox" / "state.json").exists()


def test_down_never_signals_a_process_that_reused_a_stale_pid(tmp_path: Path) -> None:
    """After a crash or reboot the recorded pid may be another program's: leave it alone."""
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        home = tmp_path / "sandbox"
        home.mkdir()
        state = {
            "pid": bystander.pid, "region": "us-east-1", "moto_endpoint": "http://127.0.0.1:9",
            "issuer_url": "http://127.0.0.1:9", "audience": "sts.amazonaws.com", "kid": "k",
            "account_id": "123456789012", "oidc_provider_arn": "arn", "state_bucket": "b", "lock_table": "t",
        }  # fmt: skip
        (home / "state.json").write_text(json.dumps(state))
        env = {**os.environ, "TFOIDC_HOME": str(tmp_path)}
        status = tfoidc("sandbox", "status", "--format", "json", env=env)
        assert status.returncode == 1 and json.loads(status.stdout)["health"]["process"] == "gone"
        down = tfoidc("sandbox", "down", env=env)
        assert down.returncode == 0 and "no sandbox was running" in down.stderr
        assert bystander.poll() is None
        assert not (home / "state.json").exists()
    finally:
        bystander.kill()
        bystander.wait()


LAPTOP = r"""
set -eu
tfoidc() { "$PYTHON" -m tfoidc "$@"; }
trap 'tfoidc sandbox down' EXIT
cp -r "$REPO/terraform/sandbox" "$WORK/root"
cd "$WORK"
eval "$(tfoidc sandbox up --moto-port "$MOTO_PORT" --write-config tfoidc.toml --root root)"
tfoidc plan dev --local --out-dir out
"""


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_up_writes_a_config_with_which_plan_dev_local_works(tmp_path: Path) -> None:
    """The docs' laptop path: `eval "$(tfoidc sandbox up --write-config tfoidc.toml)"`, then
    `tfoidc plan dev --local`, on a fixed moto port; `up` names every role it provisioned."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "GITLAB_OIDC_TOKEN"},
        "TFOIDC_HOME": str(tmp_path / "home"),
        "PYTHON": sys.executable,
        "WORK": str(tmp_path),
        "REPO": str(Path(__file__).resolve().parents[2]),
        "MOTO_PORT": str(port),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    result = subprocess.run(["bash", "-c", LAPTOP], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    for role in ("dev", "staging", "prod", "readonly", "chained"):
        assert f"  role {role}: arn:aws:iam::123456789012:role/tfoidc-sandbox-{role}\n" in result.stderr
    config = (tmp_path / "tfoidc.toml").read_text()
    assert f'endpoint = "http://127.0.0.1:{port}"' in config and 'root = "root"' in config
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["has_changes"] is True and manifest["local"] is True
    assert (tmp_path / "out" / "report.html").is_file()


def test_up_refuses_a_port_in_use_and_a_config_it_did_not_write(tmp_path: Path) -> None:
    import socket

    env = {**os.environ, "TFOIDC_HOME": str(tmp_path)}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = tfoidc("sandbox", "up", "--issuer-port", str(port), env=env)
    assert taken.returncode == 2 and taken.stdout == ""
    assert taken.stderr.startswith(f"tfoidc: error: --issuer-port {port}: the port is not free on 127.0.0.1")
    mine = tmp_path / "tfoidc.toml"
    mine.write_text("[environments.prod]\nroot = 'x'\n")
    kept = tfoidc("sandbox", "up", "--write-config", str(mine), env=env)
    assert kept.returncode == 2, kept.stderr
    assert "exists and was not written by `tfoidc sandbox up`" in kept.stderr
    assert mine.read_text() == "[environments.prod]\nroot = 'x'\n"
    assert not (tmp_path / "sandbox" / "state.json").exists()  # refused before starting anything
