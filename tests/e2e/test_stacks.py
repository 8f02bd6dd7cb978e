"""Four sandbox stacks planned and applied with the real Terraform binary, their states in the S3 backend
of the sandbox (moto): `live/app` reads `live/network`'s outputs through terraform_remote_state, and
`live/cache` is applied after `live/db` (depends_on). The order holds end to end: an apply of a
dependent stack before its dependency is refused, and so is a plan made before the dependency's apply."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.stacks.repo import Repo
from tests.stacks.sandbox_stacks import write_sandbox_stacks
from tfoidc.config import default_apply_audience
from tfoidc.sandbox import Sandbox
from tfoidc.sandbox.pytest_fixtures import LEAKY_VARIABLES

pytestmark = pytest.mark.slow


class Stacks:
    def __init__(self, repo: Repo, sandbox: Sandbox, prefix: str) -> None:
        self.repo, self.sandbox, self.prefix = repo, sandbox, prefix
        self.token = sandbox.issuer.mint(ref="main", ref_protected="true")
        # What an apply job holds: a token of the apply audience, which only apply roles trust.
        self.apply_token = sandbox.issuer.mint(
            ref="main", ref_protected="true", aud=default_apply_audience(sandbox.issuer.url)
        )

    def env(self, token: str | None = None) -> dict[str, str]:
        drop = (*LEAKY_VARIABLES, "CI", "GITLAB_CI", "CI_COMMIT_SHA", "TFOIDC_CONFIG", "TFOIDC_TERRAFORM_BIN")
        env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("CI_MERGE")}
        env.update(self.sandbox.env())
        env["GITLAB_OIDC_TOKEN"] = token or self.token
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["TFOIDC_CACHE_DIR"] = ""
        return env

    def tfoidc(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tfoidc", *args],
            cwd=self.repo.path,
            env=self.env(self.apply_token if args[:1] == ("apply",) else None),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def state(self, stack: str) -> dict[str, Any] | None:
        s3 = boto3.client(
            "s3",
            endpoint_url=self.sandbox.moto_endpoint,
            region_name=self.sandbox.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        try:
            body = s3.get_object(Bucket=self.sandbox.state_bucket, Key=f"{self.prefix}/{stack}.tfstate")[
                "Body"
            ].read()
        except s3.exceptions.NoSuchKey:
            return None
        state: dict[str, Any] = json.loads(body)
        return state


def resource(state: dict[str, Any] | None, name: str) -> dict[str, Any]:
    assert state is not None
    found = [r for r in state["resources"] if r["mode"] == "managed" and r["name"] == name]
    assert found, state
    attributes: dict[str, Any] = found[0]["instances"][0]["attributes"]
    return attributes


@pytest.fixture(scope="module")
def stacks(sandbox: Sandbox, null_mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Stacks:
    """main holds live/network, deployed; the feature branch changes it and adds the three others."""
    repo = Repo(tmp_path_factory.mktemp("stacks") / "repo")
    prefix = f"tests/{uuid.uuid4().hex}"
    write_sandbox_stacks(repo.path, sandbox, state_prefix=prefix, plugin_dir=null_mirror)
    repo.write(".gitignore", ".terraform/\ntfoidc-out*/\n")
    repo.git("add", ".gitignore", "tfoidc.toml", "live/network")
    repo.git("commit", "-q", "-m", "network")
    stacks = Stacks(repo, sandbox, prefix)
    deployed = stacks.tfoidc("plan", "live/network", "--out-dir", "tfoidc-out-main/live/network")
    assert deployed.returncode == 0, deployed.stderr
    applied = stacks.tfoidc("apply", "live/network", "--out-dir", "tfoidc-out-main/live/network")
    assert applied.returncode == 0, applied.stderr
    repo.branch("feature")
    network = repo.path / "live/network/main.tf"
    network.write_text(network.read_text().replace("10.0.0.0/16", "10.1.0.0/16"))
    repo.commit("network changes, three stacks more")
    return stacks


def test_plan_changed_in_parallel_then_apply_in_dependency_order(stacks: Stacks) -> None:
    listed = stacks.tfoidc("stacks", "list", "--changed", "--base", "main", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert {s["name"]: s["depends_on"] for s in json.loads(listed.stdout)} == {
        "live/app": ["live/network"],
        "live/cache": ["live/db"],
        "live/db": [],
        "live/network": [],
    }

    planned = stacks.tfoidc("plan", "--changed", "--base", "main", "--parallel", "2")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    out = stacks.repo.path / "tfoidc-out"
    for name in ("live/network", "live/app", "live/db", "live/cache"):
        assert f"{name}: planned in" in planned.stdout
        record = json.loads((out / name / "stack.json").read_text())
        assert record["state"] == "planned"
        assert "Terraform has been successfully initialized" in (out / name / "terraform.log").read_text()
    assert "[4/4]" in planned.stderr  # one progress line per stack and state
    note = (out / "note.md").read_text()
    assert "### tfoidc plan report: 4 stacks" in note and "**4 with changes**" in note
    assert json.loads((out / "live/app/stack.json").read_text())["dependencies"]["live/network"]["pending"]
    old_network_id = resource(stacks.state("live/network"), "network")["id"]
    token = stacks.token.split(".")[2]  # the ID token's signature: never written anywhere
    assert not [p for p in out.rglob("*") if p.is_file() and token.encode() in p.read_bytes()]

    # Before its dependency: refused, before any credential and before Terraform.
    early = stacks.tfoidc("apply", "live/app")
    assert early.returncode == 3, early.stderr
    assert "apply live/network first" in early.stderr
    assert stacks.state("live/app") is None

    network = stacks.tfoidc("apply", "live/network")
    assert network.returncode == 0, network.stderr
    network_id = resource(stacks.state("live/network"), "network")["id"]
    assert resource(stacks.state("live/network"), "network")["triggers"] == {"cidr": "10.1.0.0/16"}

    # app's saved plan read network's state before network's apply: it must be planned again.
    stale = stacks.tfoidc("apply", "live/app")
    assert stale.returncode == 3 and "plan live/app again" in stale.stderr

    again = stacks.tfoidc("plan", "live/app")
    assert again.returncode == 0, again.stderr
    applied = stacks.tfoidc("apply", "live/app")
    assert applied.returncode == 0, applied.stderr
    assert network_id != old_network_id  # the cidr change replaced it
    assert resource(stacks.state("live/app"), "app")["triggers"] == {"network": network_id}

    cache_first = stacks.tfoidc("apply", "live/cache")
    assert cache_first.returncode == 3 and "apply live/db first" in cache_first.stderr
    assert stacks.state("live/cache") is None
    assert stacks.tfoidc("apply", "live/db").returncode == 0
    assert stacks.tfoidc("plan", "live/cache").returncode == 0  # after db's apply
    cache = stacks.tfoidc("apply", "live/cache")
    assert cache.returncode == 0, cache.stderr
    assert resource(stacks.state("live/cache"), "this")["triggers"] == {"name": "live/cache"}


def test_one_stack_failing_does_not_stop_the_others(stacks: Stacks) -> None:
    broken = stacks.repo.path / "live/db/broken.tf"
    broken.write_text('resource "null_resource" "x" {\n  triggers = { a = undefined_thing }\n}\n')
    try:
        result = stacks.tfoidc(
            "plan", "live/db", "live/network", "--parallel", "2", "--out-dir", "tfoidc-out-2"
        )
    finally:
        broken.unlink()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 stack(s) failed to plan: live/db" in result.stderr
    assert "live/network: planned in" in result.stdout
    out = stacks.repo.path / "tfoidc-out-2"
    assert json.loads((out / "live/db/stack.json").read_text())["state"] == "failed"
    note = (out / "note.md").read_text()
    assert ("❌ `live/db`" in note and "**1 with changes · 1 failed**" in note) or "1 failed" in note
