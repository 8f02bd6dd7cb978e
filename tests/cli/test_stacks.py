"""`tfoidc stacks list`, `pipeline generate | note`, `init` and the plan command's stack grammar, as a
user runs them (a real `tfoidc` process in a real git repository)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitlab.server import FakeGitLab
from tests.stacks.repo import Repo, module, remote_state, s3_backend
from tests.stacks.schema import check_gitlab_ci, jobs, load

CLEAN = {k: v for k, v in os.environ.items() if not k.startswith(("CI", "GITLAB", "TFOIDC", "GIT_"))}


def tfoidc(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tfoidc", *args],
        cwd=cwd,
        env={**CLEAN, "COLUMNS": "200", "TFOIDC_CACHE_DIR": "", **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    r = Repo(tmp_path / "repo")
    r.write("live/net/main.tf", s3_backend("acme", "live/net") + module("net", "../../modules/net"))
    r.write("live/app/main.tf", s3_backend("acme", "live/app") + remote_state("net", "acme", "live/net"))
    r.write("live/solo/main.tf", "")
    r.write("modules/net/main.tf", 'variable "cidr" {}\n')
    r.write("tfoidc.toml", '[stacks.settings."live/*"]\naudience = "https://gitlab.example.com"\n')
    r.commit("base")
    r.branch("feature")
    r.write("modules/net/main.tf", 'variable "cidr" {}\nvariable "more" {}\n')
    r.commit("module change")
    return r


def test_stacks_list_text_and_json(repo: Repo) -> None:
    text = tfoidc("stacks", "list", cwd=repo.path)
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines() == ["live/app  (depends on live/net)", "live/net", "live/solo"]
    doc = json.loads(tfoidc("stacks", "list", "--format", "json", cwd=repo.path).stdout)
    assert [d["name"] for d in doc] == ["live/app", "live/net", "live/solo"]
    assert doc[0] | {} == {
        "name": "live/app",
        "root": "live/app",
        "depends_on": ["live/net"],
        "environment": False,
        "account": None,
        "audience": "https://gitlab.example.com",
    }


def test_stacks_list_changed_with_why(repo: Repo) -> None:
    result = tfoidc("stacks", "list", "--changed", "--why", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "live/net  [changed]",
        "    - calls module modules/net, whose main.tf changed",
    ]
    assert "compared with" in result.stderr and "(the merge base with main)" in result.stderr
    doc = json.loads(tfoidc("stacks", "list", "--changed", "--format", "json", cwd=repo.path).stdout)
    assert doc == [
        {
            "name": "live/net",
            "root": "live/net",
            "depends_on": [],
            "environment": False,
            "account": None,
            "audience": "https://gitlab.example.com",
            "status": "changed",
            "why": ["calls module modules/net, whose main.tf changed"],
        }
    ]


def test_a_cycle_exits_2_with_the_cycle(repo: Repo) -> None:
    repo.write("tfoidc.toml", '[stacks.settings."live/net"]\ndepends_on = ["live/app"]\n')
    result = tfoidc("stacks", "list", cwd=repo.path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert (
        "cycle: live/app -> live/net -> live/app" in result.stderr
        or "cycle: live/net -> live/app -> live/net" in result.stderr
    )


def test_pipeline_generate_in_a_merge_request_and_on_the_default_branch(repo: Repo, tmp_path: Path) -> None:
    base = repo.git("rev-parse", "main")
    mr_env = {
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_MERGE_REQUEST_IID": "12",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": base,
        "CI_PIPELINE_ID": "700",
        "CI_JOB_NAME": "tfoidc:generate",
        "TFOIDC_PIP_SPEC": "tfoidc @ git+https://gitlab.example.com/platform/tfoidc.git@v0.1.0",
    }
    mr = tfoidc(
        "pipeline",
        "generate",
        "--changed",
        "-o",
        str(tmp_path / "mr.yml"),
        "--stacks-json",
        str(tmp_path / "s.json"),
        cwd=repo.path,
        env=mr_env,
    )
    assert mr.returncode == 0, mr.stderr
    main_env = {
        "CI": "true",
        "CI_COMMIT_BRANCH": "main",
        "CI_COMMIT_REF_PROTECTED": "true",
        "CI_DEFAULT_BRANCH": "main",
        "CI_PIPELINE_ID": "701",
        "CI_COMMIT_BEFORE_SHA": base,
    }
    main = tfoidc("pipeline", "generate", "-o", str(tmp_path / "main.yml"), cwd=repo.path, env=main_env)
    assert main.returncode == 0, main.stderr
    check = check_gitlab_ci(tmp_path / "mr.yml", tmp_path / "main.yml")
    assert check.returncode == 0, check.stdout + check.stderr
    mr_doc, main_doc = load(tmp_path / "mr.yml"), load(tmp_path / "main.yml")
    assert sorted(jobs(mr_doc)) == ["plan:live/net", "tfoidc:note"]
    assert (
        mr_doc["variables"]["TFOIDC_MR_IID"] == "12"
        and mr_doc["variables"]["TFOIDC_MR_DIFF_BASE_SHA"] == base
    )
    assert sorted(jobs(main_doc)) == [
        "apply:live/app", "apply:live/net", "apply:live/solo", "plan:live/app", "plan:live/net", "plan:live/solo",
    ]  # fmt: skip
    assert {"job": "apply:live/net", "artifacts": True} in main_doc["apply:live/app"]["needs"]
    unprotected = {k: v for k, v in main_env.items() if k != "CI_COMMIT_REF_PROTECTED"}
    plans = tfoidc("pipeline", "generate", "-o", str(tmp_path / "u.yml"), cwd=repo.path, env=unprotected)
    assert plans.returncode == 0, plans.stderr
    assert not [j for j in jobs(load(tmp_path / "u.yml")) if j.startswith("apply:")]  # never an apply there
    listed = json.loads((tmp_path / "s.json").read_text())
    assert [(s["name"], s["status"]) for s in listed] == [("live/net", "changed")]


def test_pipeline_generate_for_no_change_is_one_job(repo: Repo, tmp_path: Path) -> None:
    head = repo.git("rev-parse", "HEAD")
    result = tfoidc(
        "pipeline", "generate", "--changed", "--base", head, "-o", str(tmp_path / "c.yml"), cwd=repo.path
    )
    assert result.returncode == 0, result.stderr
    assert list(load(tmp_path / "c.yml")) == ["tfoidc:no-stack-changed"]
    assert check_gitlab_ci(tmp_path / "c.yml").returncode == 0


def test_init_writes_both_files_and_never_overwrites(repo: Repo) -> None:
    (repo.path / "tfoidc.toml").unlink()
    first = tfoidc("init", cwd=repo.path)
    assert first.returncode == 0, first.stderr
    assert "found 3 stack(s)" in first.stdout
    toml = (repo.path / "tfoidc.toml").read_text()
    assert "#   live/app" in toml and '[stacks.settings."live/*"]' in toml
    assert check_gitlab_ci(repo.path / ".gitlab-ci.yml").returncode == 0
    listed = tfoidc("stacks", "list", cwd=repo.path)
    assert listed.returncode == 0 and "warning" not in listed.stderr
    before = {p: p.read_bytes() for p in (repo.path / "tfoidc.toml", repo.path / ".gitlab-ci.yml")}
    (repo.path / ".gitlab-ci.yml").unlink()
    again = tfoidc("init", cwd=repo.path)
    assert again.returncode == 2
    assert "tfoidc.toml already exists" in again.stderr and "nothing written" in again.stderr
    assert not (repo.path / ".gitlab-ci.yml").exists()  # no partial write
    assert (repo.path / "tfoidc.toml").read_bytes() == before[repo.path / "tfoidc.toml"]


def test_plan_needs_stacks_or_changed(repo: Repo) -> None:
    result = tfoidc("plan", cwd=repo.path)
    assert result.returncode == 2 and "name one or more stacks, or pass --changed" in result.stderr
    unknown = tfoidc("plan", "live/nope", "live/net", cwd=repo.path)
    assert unknown.returncode == 2 and "no stack named 'live/nope'" in unknown.stderr


def test_pipeline_note_collects_the_plans_and_posts_one_note(
    repo: Repo, tmp_path: Path, fake_gitlab: FakeGitLab, mr_env: dict[str, str]
) -> None:
    plans = tmp_path / "tfoidc-out"
    (plans / "live/net").mkdir(parents=True)
    (plans / "live/net/stack.json").write_text(
        json.dumps(
            {"name": "live/net", "state": "failed", "error": "terraform init failed (exit 1): Error: <boom>"}
        )
    )
    stacks = tmp_path / "stacks.json"
    stacks.write_text(json.dumps([
        {"name": "live/net", "status": "changed", "why": ["x"]},
        {"name": "live/app", "status": "changed", "why": ["y"]},
        {"name": "live/old", "status": "removed", "why": ["live/old no longer holds Terraform files"]},
    ]))  # fmt: skip
    env = {k: v for k, v in mr_env.items() if k != "CI_MERGE_REQUEST_IID"} | {
        "TFOIDC_MR_IID": "7",
        "TFOIDC_PARENT_PIPELINE_ID": "900",
    }
    result = tfoidc(
        "pipeline", "note", "--plans", str(plans), "--stacks-json", str(stacks), cwd=repo.path, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "merge request note: posted note" in result.stderr
    body = fake_gitlab.notes[0]["body"]
    assert body.startswith("<!-- tfoidc:envs=tfoidc-stacks pipeline=900 -->")
    assert "**2 failed**" in body and "no plan result: the plan job failed or did not run" in body
    assert "Error: &lt;boom&gt;" in body and "Stack `live/old` was removed" in body
    assert (plans / "note.md").read_text() == body
