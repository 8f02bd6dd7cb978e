"""Faults during Terraform runs, end to end with the real Terraform 1.0.3, the S3 backend and its
DynamoDB lock table in the sandbox: a cancelled apply, two applies racing, Terraform killed or crashing,
the backend going away mid-run. Each ends in one line and its documented exit code, with no partial file,
no lock tfoidc took still held, and a state that a second plan finds consistent."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from tests.e2e.test_lifecycle import s3_state
from tests.lifecycle.harness import Result, Workspace
from tfoidc.terraform.binary import discover_terraform

pytestmark = pytest.mark.slow

# A resource whose creation takes a while: the window in which a job is cancelled or a second apply
# starts. `exec` so that Terraform's interrupt stops the sleep itself, not a shell around it.
SLOW_TF = """
variable "slow_seconds" {
  type    = number
  default = 6
}

resource "null_resource" "slow" {
  triggers = {
    network = null_resource.network.id
  }

  provisioner "local-exec" {
    command = "exec sleep ${var.slow_seconds}"
  }
}

resource "null_resource" "after" {
  triggers = {
    slow = null_resource.slow.id
  }
}
"""
ALL = {"null_resource.network", "null_resource.release", "null_resource.slow", "null_resource.after"}


@pytest.fixture
def slow(workspace: Workspace) -> Workspace:
    (workspace.root / "slow.tf").write_text(SLOW_TF)
    return workspace


def existing(state: dict[str, Any] | None) -> set[str]:
    """Resources the state holds an instance of (Terraform 1.0 also lists some with none)."""
    return {
        f"{r['type']}.{r['name']}"
        for r in (state or {}).get("resources", [])
        if r["mode"] == "managed" and r["instances"]
    }


def tainted(state: dict[str, Any] | None) -> set[str]:
    return {
        f"{r['type']}.{r['name']}"
        for r in (state or {}).get("resources", [])
        if any(i.get("status") == "tainted" for i in r["instances"])
    }


def dynamodb(ws: Workspace) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=ws.sandbox.moto_endpoint,
        region_name=ws.sandbox.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def lock_items(ws: Workspace, environment: str = "sandbox") -> list[dict[str, Any]]:
    """The lock table's items for this environment's state (not its -md5 digest)."""
    lock_id = f"{ws.sandbox.state_bucket}/{ws.state_key(environment)}"
    items = dynamodb(ws).scan(TableName=ws.sandbox.lock_table)["Items"]
    return [item for item in items if item["LockID"]["S"] == lock_id]


def start(
    ws: Workspace, command: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "tfoidc", "--config", str(ws.config), command, "sandbox", *args]
    token = ws.apply_token() if command == "apply" else ws.token()
    return subprocess.Popen(
        argv,
        cwd=ws.path,
        env=env if env is not None else ws.env(token),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


class Watched:
    """A running tfoidc whose stderr is read as it comes, so a test can act on a line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self._seen = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._seen:
                self.lines.append(line)
                self._seen.notify_all()

    def wait_for(self, text: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        with self._seen:
            while not any(text in line for line in self.lines):
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise AssertionError(f"never saw {text!r}:\n{''.join(self.lines)}")
                self._seen.wait(min(left, 0.5))

    def finish(self, timeout: float = 240) -> Result:
        assert self.process.stdout is not None
        stdout = self.process.stdout.read()
        self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return Result(self.process.returncode, stdout, "".join(self.lines))


def watch(process: subprocess.Popen[str]) -> Iterator[Watched]:
    watched = Watched(process)
    try:
        yield watched
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


watching = contextmanager(watch)


def assert_one_line(result: Result, code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.count("tfoidc: error:") + result.stderr.count("tfoidc: cancelled") == 1, (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.last_line, (fragment, result.last_line)


# --- cancellation ---------------------------------------------------------------------------------------


def test_a_cancelled_apply_stops_terraform_gracefully_and_leaves_nothing_held(slow: Workspace) -> None:
    """GitLab cancels a job with SIGTERM: Terraform must get its interrupt once, finish what it can, save
    the state and release the lock; tfoidc removes the token file and exits 143."""
    slow.environments["sandbox"]["terraform_credentials"] = "web_identity"
    slow.backend_overrides["sandbox"] = {"sts_endpoint": slow.sts.url}
    slow.write_config()
    tmp = slow.path / "tmp"
    tmp.mkdir()
    assert (
        slow.plan("sandbox", env=slow.env(slow.token(), TF_VAR_slow_seconds="12", TMPDIR=str(tmp))).returncode
        == 0
    )

    env = slow.env(slow.apply_token(), TF_VAR_slow_seconds="12", TMPDIR=str(tmp))
    with watching(start(slow, "apply", "--out-dir", str(slow.out("sandbox")), env=env)) as apply:
        apply.wait_for("null_resource.slow: Creating...")
        assert len(list(tmp.glob("tfoidc-*"))) == 1  # the private token folder, while Terraform runs
        apply.process.send_signal(signal.SIGTERM)
        result = apply.finish()
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    assert result.last_line == "tfoidc: cancelled by SIGTERM: terraform apply stopped (exit 1)", result.stderr
    assert "Interrupt received" in result.stderr  # Terraform's own graceful stop
    assert "Two interrupts received" not in result.stderr

    assert lock_items(slow) == []
    assert list(tmp.glob("tfoidc-*")) == []
    # Terraform stopped the resource in flight (its provisioner got the interrupt too), saved it as
    # tainted, and started nothing after it.
    state = s3_state(slow, "sandbox")
    created = existing(state)
    assert created == ALL - {"null_resource.after"}
    assert tainted(state) == {"null_resource.slow"}

    # A second plan is consistent with the state: nothing in it is created again.
    again = slow.plan("sandbox", "--detailed-exitcode", env=slow.env(slow.token(), TMPDIR=str(tmp)))
    assert again.returncode == 5, again.stderr
    plan = json.loads((slow.out("sandbox") / "plan.json").read_text())
    creates = {rc["address"] for rc in plan["resource_changes"] if rc["change"]["actions"] == ["create"]}
    assert creates == ALL - created
    assert not creates & created


# --- concurrent applies ---------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["no state yet", "a state"])
def test_two_plans_of_the_same_state_applied_at_once_apply_exactly_once(slow: Workspace, state: str) -> None:
    """Two plans made from the same state and applied at the same time: one applies, the other is
    refused. With no state yet Terraform itself would apply both and orphan one set of resources."""
    version: dict[str, str] = {}
    if state == "a state":
        assert slow.plan("sandbox").returncode == 0
        assert slow.apply("sandbox").returncode == 0
        version = {"TF_VAR_release": "2"}  # both plans replace the release marker
    outs = [slow.path / "a", slow.path / "b"]
    for out in outs:
        planned = slow.tfoidc("plan", "sandbox", "--out-dir", str(out), env=slow.env(slow.token(), **version))
        assert planned.returncode == 0, planned.stderr

    racers = [
        start(
            slow,
            "apply",
            "--out-dir",
            str(out),
            "--lock-timeout",
            "180s",
            env=slow.env(slow.apply_token(), **version),
        )
        for out in outs
    ]
    results = []
    for racer in racers:
        out, err = racer.communicate(timeout=400)
        results.append(Result(racer.returncode, out, err))
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 3], [r.stderr for r in results]
    refused = next(r for r in results if r.returncode == 3)
    then = "no state then" if state == "no state yet" else "then, state"
    assert_one_line(refused, 3, "stale plan: the state changed since this plan was made", then)

    final = s3_state(slow, "sandbox")
    assert final is not None and existing(final) == ALL
    # Exactly one set: each resource once, one instance each.
    resources = final["resources"]
    assert isinstance(resources, list)
    assert sorted(f"{r['type']}.{r['name']}" for r in resources) == sorted(ALL)
    assert all(len(r["instances"]) == 1 for r in resources)
    assert lock_items(slow) == []


def test_the_saved_plan_is_readable_by_its_owner_only(workspace: Workspace) -> None:
    previous = os.umask(0o022)  # what a runner typically has
    try:
        assert workspace.plan("sandbox").returncode == 0
    finally:
        os.umask(previous)
    files = [p for p in workspace.out("sandbox").rglob("*") if p.is_file()]
    assert "tfplan" in {p.name for p in files}
    assert {
        p.name: stat.S_IMODE(p.stat().st_mode) for p in files if stat.S_IMODE(p.stat().st_mode) != 0o600
    } == {}


# --- Terraform killed or crashing -----------------------------------------------------------------------

WRAPPER = """#!/bin/sh
# Terraform, except that `{step}` {does}.
if [ "$1" = "{step}" ]; then
{body}
fi
exec "{terraform}" "$@"
"""
KILLED = "  kill -KILL $$"
CRASHED = """  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!! TERRAFORM CRASH !!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  echo "panic: runtime error: invalid memory address or nil pointer dereference"
  echo "goroutine 1 [running]:"
  exit 11"""


def wrapper(ws: Workspace, step: str, body: str) -> Path:
    path = ws.path / f"terraform-{step}-{abs(hash(body))}"
    real = discover_terraform(None, ws.env()).path
    path.write_text(WRAPPER.format(step=step, does="fails", body=body, terraform=real))
    path.chmod(0o755)
    return path


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (KILLED, "terraform apply was killed by SIGKILL"),
        (
            CRASHED,
            "terraform apply failed (exit 11): Terraform crashed: panic: runtime error: invalid memory",
        ),
    ],
    ids=["killed", "crashed"],
)
def test_terraform_killed_or_crashing_during_apply(workspace: Workspace, body: str, fragment: str) -> None:
    assert workspace.plan("sandbox").returncode == 0
    before = sorted(p.name for p in workspace.out("sandbox").iterdir())
    result = workspace.apply("sandbox", "--terraform-bin", str(wrapper(workspace, "apply", body)))
    assert_one_line(result, 1, fragment)
    assert lock_items(workspace) == []  # tfoidc released the lock it took
    assert sorted(p.name for p in workspace.out("sandbox").iterdir()) == before
    assert s3_state(workspace, "sandbox") is None
    # Nothing was lost: the same reviewed plan still applies.
    assert workspace.apply("sandbox").returncode == 0


def test_terraform_killed_during_plan_leaves_no_plan_behind(workspace: Workspace) -> None:
    result = workspace.plan("sandbox", "--terraform-bin", str(wrapper(workspace, "plan", KILLED)))
    assert_one_line(result, 1, "terraform plan was killed by SIGKILL")
    out = workspace.out("sandbox")
    left = {p.name for p in out.rglob("*")} if out.exists() else set()
    assert not left & {"tfplan", ".tfplan.partial", "manifest.json", "plan.json"}


# --- the S3 backend and the lock table go away ----------------------------------------------------------


@contextmanager
def moto_stopped(ws: Workspace) -> Iterator[Any]:
    """Stop the sandbox's moto server (its data stays in this process); `restart()` brings it back on
    the same port. It is always back when the block ends."""
    sandbox = ws.sandbox
    host, port = sandbox._moto.get_host_and_port()  # type: ignore[union-attr]
    sandbox._moto.stop()  # type: ignore[union-attr]

    class Control:
        down = True

        def restart(self) -> None:
            if self.down:
                server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
                server.start()
                sandbox._moto = server
                self.down = False

    control = Control()
    try:
        yield control
    finally:
        control.restart()


def test_the_backend_going_away_during_plan_is_one_line_and_no_plan(workspace: Workspace) -> None:
    with watching(start(workspace, "plan", "--out-dir", str(workspace.out("sandbox")))) as plan:
        plan.wait_for("Terraform has been successfully initialized")
        with moto_stopped(workspace):
            result = plan.finish()
    assert_one_line(result, 1, "terraform ")
    left = {p.name for p in workspace.out("sandbox").rglob("*")}
    assert not left & {"tfplan", ".tfplan.partial", "manifest.json", "plan.json"}


def test_the_backend_going_away_during_apply_releases_the_lock_once_it_is_back(slow: Workspace) -> None:
    assert slow.plan("sandbox").returncode == 0
    with watching(start(slow, "apply", "--out-dir", str(slow.out("sandbox")))) as apply:
        apply.wait_for("null_resource.slow: Creating...")
        with moto_stopped(slow) as moto:
            apply.wait_for("Error:", timeout=240)  # Terraform gave up on the backend and exited
            time.sleep(2)  # tfoidc is now retrying to release its lock
            moto.restart()
            result = apply.finish()
    assert_one_line(result, 1, "terraform apply failed (exit 1): Error: ")
    assert lock_items(slow) == []
    # Nothing lost: what Terraform could not upload it saved beside the configuration.
    errored = slow.root / "errored.tfstate"
    assert errored.is_file()
    assert "null_resource.network" in existing(json.loads(errored.read_text()))
