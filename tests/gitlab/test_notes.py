"""Note upsert against a local GitLab notes API: the exact requests python-gitlab sends."""

from __future__ import annotations

import pytest

from tests.gitlab.server import MR_IID, NOTES_PATH, PROJECT_ID, Failure, FakeGitLab
from tfoidc.errors import InputError, OperationalError
from tfoidc.gitlab.marker import note_marker
from tfoidc.gitlab.notes import MergeRequestTarget, Outcome, target_from_env, upsert_note


def _target(env: dict[str, str]) -> MergeRequestTarget:
    target = target_from_env(env)
    assert target is not None
    return target


def note(envs: list[str], pipeline: int | None, text: str = "3 to add") -> str:
    return f"{note_marker(envs, pipeline)}\n### tfoidc plan report\n{text}\n"


def test_first_post_creates_one_note_with_the_exact_request(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    body = note(["dev", "prod"], 500)
    result = upsert_note(_target(mr_env), body)

    assert result.outcome is Outcome.CREATED
    get, post = fake_gitlab.requests
    assert (get.method, get.path) == ("GET", NOTES_PATH)
    assert get.query["per_page"] == "100"
    assert (post.method, post.path, post.body) == ("POST", NOTES_PATH, {"body": body})
    assert post.headers["PRIVATE-TOKEN"] == "glpat-SENTINEL-token-123"
    assert "JOB-TOKEN" not in post.headers
    assert post.headers["Content-type"] == "application/json"
    assert [n["body"] for n in fake_gitlab.notes] == [body]


def test_update_finds_own_note_on_a_later_page_and_edits_it_in_place(
    fake_gitlab: FakeGitLab, mr_env: dict
) -> None:
    fake_gitlab.max_per_page = 2  # force paging, as GitLab caps per_page
    for i in range(4):
        fake_gitlab.add_note(f"review comment {i}")
    fake_gitlab.add_note("added 1 commit", system=True)
    fake_gitlab.add_note(note(["prod"], 480))  # another environment set: not ours
    own = fake_gitlab.add_note(note(["dev", "prod"], 480, "old result"))

    body = note(["prod", "dev"], 500, "new result")
    result = upsert_note(_target(mr_env), body)

    assert result.outcome is Outcome.UPDATED
    assert result.note_id == own
    pages = [r.query.get("page", "1") for r in fake_gitlab.requests if r.method == "GET"]
    assert pages == ["1", "2", "3", "4"]
    (put,) = fake_gitlab.writes()
    assert (put.method, put.path, put.body) == ("PUT", f"{NOTES_PATH}/{own}", {"body": body})
    assert fake_gitlab.body_of(own) == body
    assert len(fake_gitlab.notes) == 7


def test_unchanged_body_sends_no_write(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    body = note(["dev"], 500)
    fake_gitlab.add_note(body)

    result = upsert_note(_target(mr_env), body)

    assert result.outcome is Outcome.UNCHANGED
    assert fake_gitlab.writes() == []


def test_older_pipeline_never_overwrites_a_newer_result(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    newer = fake_gitlab.add_note(note(["dev"], 600, "newer result"))

    result = upsert_note(_target(mr_env), note(["dev"], 500, "older result"))

    assert result.outcome is Outcome.STALE
    assert "600" in result.message
    assert fake_gitlab.writes() == []
    assert "newer result" in fake_gitlab.body_of(newer)


def test_job_token_is_sent_as_job_token_header(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    env = {k: v for k, v in mr_env.items() if k != "TFOIDC_GITLAB_TOKEN"} | {"CI_JOB_TOKEN": "job-SENTINEL"}

    upsert_note(_target(env), note(["dev"], 1))

    post = fake_gitlab.writes()[0]
    assert post.headers["JOB-TOKEN"] == "job-SENTINEL"
    assert "PRIVATE-TOKEN" not in post.headers


def test_server_errors_are_retried_with_backoff(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    fake_gitlab.failures = [Failure("GET", 500), Failure("POST", 502), Failure("POST", 503)]

    result = upsert_note(_target(mr_env), note(["dev"], 1))

    assert result.outcome is Outcome.CREATED
    assert [r.method for r in fake_gitlab.requests] == ["GET", "GET", "POST", "POST", "POST"]
    assert len(fake_gitlab.notes) == 1  # retried, never duplicated


def test_429_waits_for_retry_after(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    fake_gitlab.failures = [Failure("POST", 429, {"Retry-After": "1"})]

    upsert_note(_target(mr_env), note(["dev"], 1))

    first, second = [r for r in fake_gitlab.requests if r.method == "POST"]
    assert second.at - first.at >= 1.0
    assert len(fake_gitlab.notes) == 1


def test_a_hanging_request_times_out_and_is_retried(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    fake_gitlab.failures = [Failure("GET", hang=2.0)]

    result = upsert_note(_target(mr_env), note(["dev"], 1), timeout=0.5)

    assert result.outcome is Outcome.CREATED
    assert [r.method for r in fake_gitlab.requests] == ["GET", "GET", "POST"]


def test_persistent_failure_is_one_operational_error_without_the_token(
    fake_gitlab: FakeGitLab, mr_env: dict
) -> None:
    fake_gitlab.failures = [Failure("GET", 500) for _ in range(3)]

    with pytest.raises(OperationalError) as caught:
        upsert_note(_target(mr_env), note(["dev"], 1), max_retries=2)

    assert "HTTP 500" in caught.value.one_line()
    assert "SENTINEL" not in caught.value.one_line()
    assert len(fake_gitlab.requests) == 3


def test_refused_token_is_reported_not_retried(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    fake_gitlab.failures = [Failure("GET", 401)]

    with pytest.raises(OperationalError, match="HTTP 401"):
        upsert_note(_target(mr_env), note(["dev"], 1))
    assert len(fake_gitlab.requests) == 1


def test_outside_a_merge_request_pipeline_there_is_no_target() -> None:
    assert target_from_env({"CI_PIPELINE_ID": "5", "CI_JOB_TOKEN": "x"}) is None


def test_merge_request_pipeline_without_token_says_which_variable_to_set(mr_env: dict) -> None:
    env = {k: v for k, v in mr_env.items() if k != "TFOIDC_GITLAB_TOKEN"}
    with pytest.raises(InputError, match="TFOIDC_GITLAB_TOKEN"):
        target_from_env(env)


def test_target_repr_hides_the_token(mr_env: dict) -> None:
    target = target_from_env(mr_env)
    assert target is not None
    assert target.project_id == PROJECT_ID and target.merge_request_iid == MR_IID
    assert "SENTINEL" not in repr(target)


def test_a_body_without_marker_is_refused(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    with pytest.raises(InputError, match="marker"):
        upsert_note(_target(mr_env), "no marker here")
    assert fake_gitlab.requests == []
