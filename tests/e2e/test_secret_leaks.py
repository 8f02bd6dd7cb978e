"""Planted sentinels: the ID token, and every access key, secret key and session token STS hands out,
never reach stdout (except `auth`'s own output), stderr, or any file but the one asked for.

Every command runs as a real `tfoidc` process (so logging, warnings and --debug tracebacks are caught),
against the sandbox's moto and issuer, and against a scripted STS for the refusals moto cannot produce.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.gitlab.server import FakeGitLab
from tests.identity.support import FakeCredentials, Issued, ScriptedSts, issued_by_moto, serving
from tests.lifecycle.harness import Workspace
from tfoidc.sandbox import Sandbox
from tfoidc.sandbox.issuer import LocalIssuer, new_signing_key

_NOT_TEXT = re.compile(r"[\s│┃─━┌┐└┘├┤┬┴┼┏┓┗┛┡┩╇┣┫┳┻╋]")


@dataclass
class Run:
    name: str
    args: tuple[str, ...]
    code: int
    out: str
    err: str
    sessions: list[Issued]  # what moto issued during this run
    may_print: set[str] = field(default_factory=set)  # secrets this run's stdout is there to deliver


def token_parts(token: str) -> set[str]:
    _header, payload, signature = token.split(".")
    return {token, payload, signature}


def secrets_of(sessions: list[Issued]) -> set[str]:
    return {s for x in sessions for s in (x.access_key_id, x.secret_access_key, x.session_token)}


def fragments(secret: str) -> set[str]:
    """The secret, and for long ones its last and middle 16 characters: a truncated print is a leak too.
    (Not the start: moto's session tokens all begin alike, and a JWT's header is the issuer's.)"""
    if len(secret) < 32:
        return {secret}
    middle = len(secret) // 2
    return {secret, secret[-16:], secret[middle - 8 : middle + 8]}


def leaks(text: str, secrets: set[str]) -> set[str]:
    """Secrets found in `text`, whole or in part, also when a table folded them across lines."""
    squashed = _NOT_TEXT.sub("", text)
    return {s for s in secrets if any(f in text or f in squashed for f in fragments(s))}


class Harness:
    def __init__(self, sandbox: Sandbox, root: Path) -> None:
        self.sandbox = sandbox
        self.work = root / "work"
        self.outputs = root / "asked-for"
        for folder in (self.work, self.outputs, root / "home", root / "tmp"):
            folder.mkdir()
        self.env = {
            **os.environ,
            "HOME": str(root / "home"),
            "TMPDIR": str(root / "tmp"),
            "COLUMNS": "120",
            "TFOIDC_DEBUG": "",
        }
        self.runs: list[Run] = []

    def run(
        self, name: str, *args: str, env: dict[str, str] | None = None, prints_credentials: bool = False
    ) -> Run:
        before = len(issued_by_moto(self.sandbox))
        completed = subprocess.run(
            [sys.executable, "-m", "tfoidc", *args],
            env={**self.env, **(env or {})},
            cwd=self.work,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        sessions = issued_by_moto(self.sandbox)[before:]
        run = Run(name, args, completed.returncode, completed.stdout, completed.stderr, sessions)
        if prints_credentials and sessions:
            final = sessions[-1]
            run.may_print = {final.access_key_id, final.secret_access_key, final.session_token}
        self.runs.append(run)
        return run


@pytest.fixture
def harness(sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path) -> Iterator[Harness]:
    yield Harness(sandbox, tmp_path)


def test_no_command_leaks_the_token_or_the_credentials(
    harness: Harness, sandbox: Sandbox, tmp_path: Path
) -> None:
    sentinel = f"tfoidc-sentinel-{uuid.uuid4()}"
    token = sandbox.issuer.mint(jti=sentinel, user_login=sentinel)
    forged = LocalIssuer(
        audience=sandbox.issuer.audience,
        key=new_signing_key(),
        kid=sandbox.issuer.kid,
        url=sandbox.issuer.url,
    ).mint(jti=sentinel)
    expired = sandbox.issuer.mint(jti=sentinel, expires_in=-600)
    wrong_aud = sandbox.issuer.mint(jti=sentinel, aud="https://gitlab.example.com")
    token_file = harness.outputs / "given-token"
    token_file.write_text(token)
    dev, chained = sandbox.roles["dev"], sandbox.roles["chained"]
    with_token = {"GITLAB_OIDC_TOKEN": token}

    h = harness
    h.run("auth env", "auth", "--role-arn", dev, env=with_token, prints_credentials=True)
    h.run("auth json", "auth", "--role-arn", dev, "--format", "json", env=with_token, prints_credentials=True)
    h.run(
        "auth chained",
        "auth",
        "--role-arn",
        dev,
        "--chain-role-arn",
        chained,
        env=with_token,
        prints_credentials=True,
    )
    h.run(
        "auth token file", "auth", "--role-arn", dev, "--token-file", str(token_file), prints_credentials=True
    )
    h.run("auth legacy", "auth", "--role-arn", dev, env={"CI_JOB_JWT_V2": token}, prints_credentials=True)
    h.run(
        "exec web identity",
        "exec",
        "--web-identity",
        "--role-arn",
        dev,
        "--",
        "sh",
        "-c",
        'test -s "$AWS_WEB_IDENTITY_TOKEN_FILE"',
        env=with_token,
    )
    h.run("exec", "exec", "--role-arn", dev, "--", "sh", "-c", "exit 0", env=with_token)
    h.run(
        "exec chained", "exec", "--role-arn", dev, "--chain-role-arn", chained, "--", "true", env=with_token
    )
    h.run("exec failing child", "exec", "--role-arn", dev, "--", "sh", "-c", "exit 9", env=with_token)
    h.run("whoami", "whoami", env=with_token)
    h.run("whoami role", "whoami", "--role-arn", dev, env=with_token)
    h.run("whoami role json", "whoami", "--role-arn", dev, "--format", "json", env=with_token)
    h.run("doctor allowed", "doctor", "--role-arn", dev, env=with_token)
    h.run(
        "doctor denied",
        "doctor",
        "--role-arn",
        sandbox.roles["prod"],
        env={"GITLAB_OIDC_TOKEN": sandbox.issuer.mint(jti=sentinel, ref="x")},
    )
    h.run("expired", "auth", "--role-arn", dev, env={"GITLAB_OIDC_TOKEN": expired})
    h.run("expired debug", "--debug", "auth", "--role-arn", dev, env={"GITLAB_OIDC_TOKEN": expired})
    h.run("wrong audience", "exec", "--role-arn", dev, "--", "true", env={"GITLAB_OIDC_TOKEN": wrong_aud})
    h.run("bad signature", "whoami", "--role-arn", dev, env={"GITLAB_OIDC_TOKEN": forged})
    h.run(
        "chained too long",
        "auth",
        "--role-arn",
        dev,
        "--chain-role-arn",
        chained,
        "--duration",
        "7200",
        env=with_token,
    )
    h.run("missing command", "exec", "--role-arn", dev, "--", "no-such-command-tfoidc", env=with_token)
    h.run(
        "doctor no role",
        "doctor",
        "--role-arn",
        f"arn:aws:iam::{sandbox.account_id}:role/nope",
        env=with_token,
    )

    # refusals moto cannot produce, from a scripted STS that hands out sentinel credentials first
    fake = FakeCredentials()
    with serving(ScriptedSts()) as sts:
        via_sts = {**with_token, "AWS_ENDPOINT_URL_STS": sts.url, "AWS_MAX_ATTEMPTS": "2"}
        sts.fail(
            "AssumeRoleWithWebIdentity",
            "AccessDenied",
            "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            status=403,
        )
        h.run("sts access denied", "auth", "--role-arn", dev, env=via_sts)
        sts.fail("AssumeRoleWithWebIdentity", "Throttling", "Rate exceeded", times=2)
        h.run("sts throttled out", "exec", "--role-arn", dev, "--", "true", env=via_sts)
        sts.fail("AssumeRole", "AccessDenied", "not authorized to perform: sts:AssumeRole", status=403)
        h.run("sts chain denied", "auth", "--role-arn", dev, "--chain-role-arn", chained, env=via_sts)
        sts.fail("AssumeRole", "AccessDenied", "not authorized to perform: sts:AssumeRole", status=403)
        h.run(
            "sts chain denied debug",
            "--debug",
            "exec",
            "--role-arn",
            dev,
            "--chain-role-arn",
            chained,
            "--",
            "true",
            env=via_sts,
        )
        sts.fail("GetCallerIdentity", "ExpiredToken", "The security token included in the request is expired")
        h.run("sts whoami", "whoami", "--role-arn", dev, env=via_sts)
        h.run("sts exec", "exec", "--role-arn", dev, "--", "true", env=via_sts)

    secrets = token_parts(token) | token_parts(forged) | token_parts(expired) | token_parts(wrong_aud)
    secrets |= {fake.access_key_id, fake.secret_access_key, fake.session_token}
    for run in harness.runs:
        secrets |= secrets_of(run.sessions)

    expected_codes = {
        "auth env": 0, "auth json": 0, "auth chained": 0, "auth token file": 0, "auth legacy": 0,
        "exec web identity": 0, "exec": 0, "exec chained": 0, "exec failing child": 9, "whoami": 0,
        "whoami role": 0, "whoami role json": 0, "doctor allowed": 0, "doctor denied": 4, "expired": 4,
        "expired debug": 4, "wrong audience": 4, "bad signature": 4, "chained too long": 2,
        "missing command": 2, "doctor no role": 2, "sts access denied": 4, "sts throttled out": 1,
        "sts chain denied": 4, "sts chain denied debug": 4, "sts whoami": 4, "sts exec": 0,
    }  # fmt: skip
    assert {r.name: r.code for r in harness.runs} == expected_codes, [
        (r.name, r.code, r.err) for r in harness.runs
    ]
    # the sentinels are real: the successful runs did get credentials, and auth delivered them
    assert all(
        run.may_print and run.may_print <= leaks(run.out, secrets)
        for run in harness.runs
        if run.name.startswith("auth")
    )
    assert (
        fake.secret_access_key in secrets
        and len(secrets_of([s for r in harness.runs for s in r.sessions])) >= 3 * 14
    )

    for run in harness.runs:
        assert leaks(run.err, secrets) == set(), (run.name, run.err)
        assert leaks(run.out, secrets - run.may_print) == set(), (run.name, run.out)
    assert sentinel in next(
        r.out for r in harness.runs if r.name == "whoami"
    )  # claims are shown; the token is not

    asked_for = {token_file}
    for path in sorted(p for p in tmp_path.rglob("*") if p.is_file() and p not in asked_for):
        content = path.read_bytes().decode("utf-8", "replace")
        assert leaks(content, secrets) == set(), path
    assert sorted(p.name for p in harness.outputs.iterdir()) == sorted(p.name for p in asked_for)


# --- every file and stream of plan, apply, drift, comment and demo ---------------------------------

PLANTED = {
    "default": "tfoidc-sentinel-default-4e1b9a27",
    "tfvars": "tfoidc-sentinel-tfvars-93c0d5e8",
    "module_input": "tfoidc-sentinel-moduleinput-1f7a62bc",
    "child_default": "tfoidc-sentinel-childdefault-d8e3407f",
    "output_literal": "tfoidc-sentinel-outputliteral-62ab9c11",
}
NOTE_TOKEN = "glpat-SENTINEL-token-123"  # the local GitLab's token for tfoidc's user

SENSITIVE_TF = f"""
variable "db_password" {{
  type      = string
  sensitive = true
  default   = "{PLANTED["default"]}"
}}

variable "api_token" {{
  type      = string
  sensitive = true
}}

module "db" {{
  source   = "./db"
  password = "{PLANTED["module_input"]}"
}}

resource "null_resource" "secret" {{
  triggers = {{
    password = var.db_password
    token    = var.api_token
  }}
}}

output "api_key" {{
  value     = "{PLANTED["output_literal"]}"
  sensitive = true
}}
"""
CHILD_TF = f"""
variable "password" {{
  type      = string
  sensitive = true
}}

variable "admin_password" {{
  type      = string
  sensitive = true
  default   = "{PLANTED["child_default"]}"
}}

resource "null_resource" "db" {{
  triggers = {{
    password = var.password
    admin    = var.admin_password
  }}
}}
"""


@pytest.mark.slow
def test_no_lifecycle_command_writes_or_prints_a_sensitive_value(
    workspace: Workspace, fake_gitlab: FakeGitLab, sandbox: Sandbox
) -> None:
    """Sentinels in every place the configuration can hold a value Terraform marks sensitive (a
    sensitive variable's default and tfvars value, a literal into a child module's sensitive variable,
    the child's default, a sensitive output's literal), the ID tokens, every STS credential and the
    note's GitLab token: none reaches a stream or a file of `plan`, `apply`, `drift` (twice: after the
    apply, and from the plan JSON), `comment`, or a failed plan's error record. Only the binary tfplan
    holds them, by Terraform's design (it is written 0600 and kept in private artifacts)."""
    (workspace.root / "secrets.tf").write_text(SENSITIVE_TF)
    (workspace.root / "db").mkdir()
    (workspace.root / "db" / "main.tf").write_text(CHILD_TF)
    (workspace.root / "secret.tfvars").write_text(f'api_token = "{PLANTED["tfvars"]}"\n')
    workspace.environments["sandbox"]["var_files"] = ["secret.tfvars"]
    workspace.write_config()
    before = len(issued_by_moto(sandbox))
    token = workspace.token()
    apply_token = workspace.apply_token()
    ci = {
        "TFOIDC_GITLAB_TOKEN": NOTE_TOKEN,
        "CI_API_V4_URL": f"{fake_gitlab.url}/api/v4",
        "CI_PROJECT_ID": "42",
    }
    env = workspace.env(token, **ci)
    out = workspace.out("sandbox")
    runs = {
        "plan": workspace.plan("sandbox", env=env),
        "apply": workspace.apply("sandbox", env=workspace.env(apply_token, **ci)),
        "drift": workspace.tfoidc("drift", "sandbox", "--out-dir", str(workspace.path / "drift"), env=env),
        "comment": workspace.tfoidc(
            "comment", "--analysis", str(out / "tfoidc.json"),
            env={**env, "CI_MERGE_REQUEST_IID": "7", "CI_PIPELINE_ID": "500"},
        ),
        "failed plan": workspace.tfoidc(
            "plan", "sandbox", "--out-dir", str(workspace.path / "failed"),
            env=workspace.env(workspace.sandbox.issuer.mint(expires_in=-600), **ci),
        ),
    }  # fmt: skip
    runs["drift from plan json"] = workspace.tfoidc(
        "drift", "sandbox", "--plan-json", str(workspace.path / "drift" / "drift-plan.json"),
        "--out-dir", str(workspace.path / "drift-again"), env=env,
    )  # fmt: skip
    codes = {name: r.returncode for name, r in runs.items()}
    assert codes == {
        "plan": 0,
        "apply": 0,
        "drift": 0,
        "comment": 0,
        "failed plan": 4,
        "drift from plan json": 0,
    }, [(n, r.stderr[-2000:]) for n, r in runs.items()]

    # the sentinels are real: Terraform planned them, and the state (which IAM guards) holds them
    assert "Apply complete! Resources: 4 added" in runs["apply"].stderr
    secrets = (
        set(PLANTED.values())
        | token_parts(token)
        | token_parts(apply_token)
        | {NOTE_TOKEN}
        | secrets_of(issued_by_moto(sandbox)[before:])
    )
    assert len(secrets_of(issued_by_moto(sandbox)[before:])) >= 3 * 3

    for name, run in runs.items():
        assert leaks(run.stdout, secrets) == set(), (name, run.stdout)
        assert leaks(run.stderr, secrets) == set(), (name, run.stderr)
    (note,) = fake_gitlab.notes
    assert "#### sandbox" in note["body"] and leaks(note["body"], secrets) == set()
    for request in fake_gitlab.requests:
        assert leaks(json.dumps(request.body), secrets) == set()

    written = [
        p
        for folder in (
            out,
            workspace.path / "drift",
            workspace.path / "drift-again",
            workspace.path / "failed",
        )
        for p in folder.rglob("*")
        if p.is_file() and p.name != "tfplan"
    ]
    names = {p.name for p in written}
    assert {"plan.json", "tfoidc.json", "manifest.json", "note.md", "report.html", "drift-plan.json",
            "drift-summary.json", "plan-error.json"} <= names  # fmt: skip
    for path in written:
        assert leaks(path.read_text(errors="replace"), secrets) == set(), path
    plan_json = json.loads((out / "plan.json").read_text())
    assert (
        plan_json["configuration"]["root_module"]["variables"]["db_password"]["default"]
        == "(sensitive value)"
    )


@pytest.mark.slow
def test_the_demo_leaks_nothing(tmp_path: Path) -> None:
    """`tfoidc demo` in a child process that records what its sandbox issued (ID tokens, STS
    credentials); then its streams, its children's streams and every file it wrote are searched."""
    record = tmp_path / "issued.json"
    out = tmp_path / "demo"
    script = DEMO_RECORDER.format(out=str(out), record=str(record))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CI_", "GITLAB_", "TFOIDC_"))}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    issued = json.loads(record.read_text())
    record.unlink()
    secrets = {s for t in issued["tokens"] for s in token_parts(t)} | set(issued["credentials"])
    assert issued["tokens"] and len(issued["credentials"]) >= 3 * 3  # plan, apply, plan
    assert "demo finished" in done.stdout
    assert leaks(done.stdout, secrets) == set() and leaks(done.stderr, secrets) == set()
    files = [p for p in out.rglob("*") if p.is_file() and ".terraform" not in p.parts]
    assert len(files) > 20
    for path in files:
        assert leaks(path.read_bytes().decode("utf-8", "replace"), secrets) == set(), path


DEMO_RECORDER = """
import json, sys
from moto.sts.models import sts_backends
from rich.console import Console
from tfoidc.lifecycle.demo import run_demo
from tfoidc.sandbox.issuer import LocalIssuer

tokens = []
mint = LocalIssuer.mint
def recording(self, **kwargs):
    token = mint(self, **kwargs)
    tokens.append(token)
    return token
LocalIssuer.mint = recording
run_demo(__import__("pathlib").Path({out!r}), console=Console(file=sys.stderr))
print("demo finished")
credentials = [
    s for account in sts_backends.values() for backend in account.values() for r in backend.assumed_roles
    for s in (r.access_key_id, r.secret_access_key, r.session_token)
]
json.dump({{"tokens": tokens, "credentials": credentials}}, open({record!r}, "w"))
"""
