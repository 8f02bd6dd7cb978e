"""`tfoidc comment` through the real entry point, against the local GitLab notes API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PLANS, need_shared
from tests.gitlab.server import MALLORY_USER, NOTES_PATH, TFOIDC_USER, Failure, FakeGitLab
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


def _one_error_line(run: Run) -> str:
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("tfoidc: error: "), run.err
    assert "Traceback" not in run.err and "SENTINEL" not in run.out + run.err
    return lines[0]


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_a_refused_token_fails_the_note_job(
    tfoidc: Runner,
    analyses: list[str],
    fake_gitlab: FakeGitLab,
    mr_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    _in_mr(monkeypatch, mr_env)
    before = _files(tmp_path)
    fake_gitlab.failures = [Failure("GET", 401)]
    run = tfoidc("comment", *analyses)
    assert run.code == 1
    assert "GitLab refused TFOIDC_GITLAB_TOKEN (HTTP 401)" in _one_error_line(run)
    assert fake_gitlab.notes == [] and _files(tmp_path) == before
    # --require-comment, once needed to fail at all, is still accepted
    fake_gitlab.failures = [Failure("GET", 401)]
    assert tfoidc("comment", *analyses, "--require-comment").code == 1


@pytest.mark.parametrize(
    "failures, expected",
    [
        ([Failure("GET", 503) for _ in range(10)], "GitLab answered HTTP 503"),
        ([Failure("POST", 429, {"Retry-After": "0"}) for _ in range(10)], "GitLab answered HTTP 429"),
        ([Failure("GET", raw=b'[{"id": 1, "body": "<!-- tfo', path="/notes")], "not valid JSON"),
        ([Failure("GET", hang=1.5) for _ in range(10)], "unreachable (ReadTimeout)"),
    ],
    ids=["5xx", "429", "truncated-json", "timeout"],
)
def test_gitlab_faults_end_in_one_line_and_exit_1(
    tfoidc: Runner,
    analyses: list[str],
    fake_gitlab: FakeGitLab,
    mr_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    failures: list[Failure],
    expected: str,
) -> None:
    _in_mr(monkeypatch, mr_env)
    before = _files(tmp_path)
    fake_gitlab.failures = failures
    run = tfoidc("comment", *analyses, "--timeout", "0.5")
    assert run.code == 1
    line = _one_error_line(run)
    assert line.startswith("tfoidc: error: cannot post the merge request note: ") and expected in line
    assert fake_gitlab.notes == [] and _files(tmp_path) == before


def test_server_errors_until_retries_run_out(
    tfoidc: Runner,
    analyses: list[str],
    fake_gitlab: FakeGitLab,
    mr_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _in_mr(monkeypatch, mr_env)
    fake_gitlab.failures = [Failure("GET", 503) for _ in range(10)]
    run = tfoidc("comment", *analyses)
    assert run.code == 1
    assert "HTTP 503" in run.err
    assert len(fake_gitlab.requests) == 6  # the first try and 5 retries


def test_merge_request_without_a_token_fails_the_note_job(
    tfoidc: Runner, analyses: list[str], mr_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_mr(monkeypatch, {k: v for k, v in mr_env.items() if k != "TFOIDC_GITLAB_TOKEN"})
    monkeypatch.setenv("CI_JOB_TOKEN", "job-SENTINEL")  # GitLab refuses it for notes: never used
    run = tfoidc("comment", *analyses)
    assert run.code == 1
    assert "TFOIDC_GITLAB_TOKEN is not set" in _one_error_line(run)


def test_a_forged_note_is_reported_in_the_job_log_and_left_alone(
    tfoidc: Runner,
    analyses: list[str],
    fake_gitlab: FakeGitLab,
    mr_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _in_mr(monkeypatch, mr_env)
    forged = fake_gitlab.add_note(
        "<!-- tfoidc:envs=prod,staging pipeline=99999999 -->\nLooks good!", author=MALLORY_USER
    )
    run = tfoidc("comment", *analyses)
    assert run.code == 0, run.err
    assert "ignored 1 note(s) carrying a tfoidc marker written by another user" in run.err
    assert fake_gitlab.body_of(forged).endswith("Looks good!")
    own = [n for n in fake_gitlab.notes if n["author"]["id"] == TFOIDC_USER["id"]]
    assert len(own) == 1 and "#### prod" in own[0]["body"]


def test_failed_plan_jobs_still_get_the_note_with_their_error(
    tfoidc: Runner,
    analyses: list[str],
    fake_gitlab: FakeGitLab,
    mr_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """dev's plan job recorded its error; qa's left nothing at all: both are in the one note."""
    _in_mr(monkeypatch, mr_env)
    dev = tmp_path / "tfoidc-out" / "dev"
    dev.mkdir(parents=True)
    (dev / "plan-error.json").write_text(
        '{"environment": "dev", "exit_code": 4, "error": "STS refused the ID token: '
        '<img src=x> [x](javascript:1) @everyone"}'
    )
    qa = tmp_path / "tfoidc-out" / "qa" / "tfoidc.json"
    run = tfoidc("comment", *analyses, "--analysis", str(dev / "tfoidc.json"), "--analysis", str(qa))
    assert run.code == 0, run.err
    (note,) = fake_gitlab.notes
    body = note["body"]
    assert body.startswith("<!-- tfoidc:envs=dev,prod,qa,staging pipeline=500 -->")
    assert body.splitlines()[1] == "### ❌ Do not apply: dev, qa"  # the verdict first, naming both
    for env in ("dev", "qa"):
        assert f"❌ **{env}: Do not apply** — Terraform reported errors while planning · plan errored" in body
    assert "the plan job failed (exit 4): STS refused the ID token" in body
    # the recorded error is plan-controlled text: escaped like any other (no HTML, link or mention)
    assert "<img" not in body and "&lt;img src=x&gt;" in body and "@\u2060everyone" in body
    assert "[x](javascript:1)" not in body
    assert f"{qa} is missing" in body
    assert "#### prod" in body and "#### staging" in body


def test_a_plan_instead_of_an_analysis_is_an_input_error(tfoidc: Runner) -> None:
    plan = need_shared(PLANS / "infracost" / "example_plan.json")
    run = tfoidc("comment", "--analysis", str(plan))
    assert run.code == 2
    assert "not a tfoidc.json analysis" in run.err and "Traceback" not in run.err
