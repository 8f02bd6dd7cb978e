"""`tfoidc comment` through the real entry point, against the local GitLab notes API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PLANS, need_shared
from tests.gitlab.server import NOTES_PATH, Failure, FakeGitLab
from tfoidc.cli.main import main

CI_VARIABLES = (
    "CI_API_V4_URL",
    "CI_PROJECT_ID",
    "CI_MERGE_REQUEST_IID",
    "TFOIDC_GITLAB_TOKEN",
    "CI_JOB_TOKEN",
    "CI_PIPELINE_ID",
    "CI_JOB_URL",
    "TFOIDC_CONFIG",
    "TFOIDC_DEBUG",
)


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


Runner = Callable[..., Run]


@pytest.fixture
def tfoidc(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Runner:
    monkeypatch.chdir(tmp_path)
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> Run:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main(list(args))
        captured = capsys.readouterr()
        code = exit_info.value.code
        return Run(int(code) if code is not None else 0, captured.out, captured.err)

    return run


@pytest.fixture
def analyses(tfoidc: Runner, tmp_path: Path) -> list[str]:
    """tfoidc.json for two environments, as the plan jobs of one pipeline leave them."""
    files = []
    for env, plan in (
        ("prod", "infracost/example_plan.json"),
        ("staging", "terraform-compliance/issue_249_alb_ecs_modules_update.json"),
    ):
        out = tmp_path / f"{env}.json"
        run = tfoidc("report", str(need_shared(PLANS / plan)), "--format", "json", "-e", env, "-o", str(out))
        assert run.code == 0, run.err
        files += ["--analysis", str(out)]
    return files


def _in_mr(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def test_outside_a_merge_request_pipeline_it_skips_clearly(
    tfoidc: Runner, analyses: list[str], fake_gitlab: FakeGitLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI_PIPELINE_ID", "500")  # a branch pipeline: no CI_MERGE_REQUEST_IID
    for flags in ([], ["--require-comment"]):
        run = tfoidc("comment", *analyses, *flags)
        assert run.code == 0
        assert "not a merge request pipeline" in run.err and "no note posted" in run.err
    assert fake_gitlab.requests == []


def test_posts_one_note_for_every_environment_then_updates_it(
    tfoidc: Runner,
    analyses: list[str],
    fake_gitlab: FakeGitLab,
    mr_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _in_mr(monkeypatch, mr_env)
    run = tfoidc("comment", *analyses)
    assert run.code == 0, run.err
    (note,) = fake_gitlab.notes
    assert f"posted note {note['id']}" in run.err
    body = note["body"]
    assert body.startswith("<!-- tfoidc:envs=prod,staging pipeline=500 -->")
    assert "#### prod" in body and "#### staging" in body
    assert "https://gitlab.example.com/group/infra/-/jobs/9001/artifacts/browse" in body
    (post,) = fake_gitlab.writes()
    assert (post.method, post.path) == ("POST", NOTES_PATH)

    again = tfoidc("comment", *analyses)
    assert again.code == 0 and "already up to date" in again.err
    assert len(fake_gitlab.writes()) == 1

    monkeypatch.setenv("CI_PIPELINE_ID", "501")
    newer = tfoidc("comment", *analyses)
    assert newer.code == 0 and f"updated note {note['id']}" in newer.err
    assert fake_gitlab.body_of(note["id"]).startswith("<!-- tfoidc:envs=prod,staging pipeline=501 -->")

    monkeypatch.setenv("CI_PIPELINE_ID", "499")  # a slower, older pipeline finishing late
    stale = tfoidc("comment", *analyses)
    assert stale.code == 0 and "left alone" in stale.err
    assert "pipeline=501" in fake_gitlab.body_of(note["id"])
    assert len(fake_gitlab.notes) == 1
    for r in (run, again, newer, stale):
        assert "SENTINEL" not in r.out + r.err


def test_posting_failure_is_a_warning_by_default_and_fatal_when_required(
    tfoidc: Runner,
    analyses: list[str],
    fake_gitlab: FakeGitLab,
    mr_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _in_mr(monkeypatch, mr_env)
    fake_gitlab.failures = [Failure("GET", 401)]
    run = tfoidc("comment", *analyses)
    assert run.code == 0
    assert "warning:" in run.err and "merge request note not posted" in run.err and "HTTP 401" in run.err

    fake_gitlab.failures = [Failure("GET", 401)]
    required = tfoidc("comment", *analyses, "--require-comment")
    assert required.code == 1
    lines = [line for line in required.err.splitlines() if line.strip()]
    assert lines == [lines[0]] and lines[0].startswith("tfoidc: error: ") and "HTTP 401" in lines[0]
    assert "SENTINEL" not in run.err + required.err
    assert fake_gitlab.notes == []


def test_server_errors_until_retries_run_out_fail_the_required_comment(
    tfoidc: Runner,
    analyses: list[str],
    fake_gitlab: FakeGitLab,
    mr_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _in_mr(monkeypatch, mr_env)
    fake_gitlab.failures = [Failure("GET", 503) for _ in range(10)]
    run = tfoidc("comment", *analyses, "--require-comment")
    assert run.code == 1
    assert "HTTP 503" in run.err
    assert len(fake_gitlab.requests) == 6  # the first try and 5 retries


def test_merge_request_without_a_token(
    tfoidc: Runner, analyses: list[str], mr_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_mr(monkeypatch, {k: v for k, v in mr_env.items() if k != "TFOIDC_GITLAB_TOKEN"})
    run = tfoidc("comment", *analyses)
    assert run.code == 0 and "TFOIDC_GITLAB_TOKEN" in run.err
    required = tfoidc("comment", *analyses, "--require-comment")
    assert required.code == 2
    assert required.err.startswith("tfoidc: error: ") and "TFOIDC_GITLAB_TOKEN" in required.err


def test_a_plan_instead_of_an_analysis_is_an_input_error(tfoidc: Runner) -> None:
    plan = need_shared(PLANS / "infracost" / "example_plan.json")
    run = tfoidc("comment", "--analysis", str(plan))
    assert run.code == 2
    assert "not a tfoidc.json analysis" in run.err and "Traceback" not in run.err
