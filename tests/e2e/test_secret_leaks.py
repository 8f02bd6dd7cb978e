"""Planted sentinels: the ID token, and every access key, secret key and session token STS hands out,
never reach stdout (except `auth`'s own output), stderr, or any file but the one asked for.

Every command runs as a real `tfoidc` process (so logging, warnings and --debug tracebacks are caught),
against the sandbox's moto and issuer, and against a scripted STS for the refusals moto cannot produce.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.identity.support import FakeCredentials, Issued, ScriptedSts, issued_by_moto, serving
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
