"""Note upsert against the local GitLab API: the exact requests python-gitlab sends, notes by other users
(forged markers), and GitLab's faults."""

from __future__ import annotations

import pytest

from tests.gitlab.server import (
    MALLORY_USER,
    MR_IID,
    NOTES_PATH,
    TFOIDC_TOKEN,
    TFOIDC_USER,
    Failure,
    FakeGitLab,
)
from tfoidc.errors import InputError, OperationalError
from tfoidc.gitlab.marker import note_marker
from tfoidc.gitlab.notes import MergeRequestTarget, Outcome, post_section, target_from_env, upsert_note


def _target(env: dict[str, str]) -> MergeRequestTarget:
    target = target_from_env(env)
    assert target is not None
    return target


def note(envs: list[str], pipeline: int | None, text: str = "3 to add") -> str:
    return f"{note_marker(envs, pipeline)}\n### tfoidc plan report\n{text}\n"


def test_first_post_creates_one_note_with_the_exact_requests(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    body = note(["dev", "prod"], 500)
    result = upsert_note(_target(mr_env), body)

    assert result.outcome is Outcome.CREATED
    user, get, post = fake_gitlab.requests
    assert (user.method, user.path) == ("GET", "/api/v4/user")
    assert (get.method, get.path) == ("GET", NOTES_PATH)
    assert get.query == {"per_page": "100", "sort": "asc", "order_by": "created_at"}
    assert (post.method, post.path, post.body) == ("POST", NOTES_PATH, {"body": body})
    assert post.headers["PRIVATE-TOKEN"] == TFOIDC_TOKEN
    assert "JOB-TOKEN" not in post.headers
    assert post.headers["Content-type"] == "application/json"
    assert [n["body"] for n in fake_gitlab.notes] == [body]
    assert fake_gitlab.notes[0]["author"]["id"] == TFOIDC_USER["id"]


def test_update_finds_own_note_on_a_later_page_and_edits_it_in_place(
    fake_gitlab: FakeGitLab, mr_env: dict
) -> None:
    fake_gitlab.max_per_page = 2  # force paging, as GitLab caps per_page
    for i in range(4):
        fake_gitlab.add_note(f"review comment {i}", author=MALLORY_USER)
    fake_gitlab.add_note("added 1 commit", system=True)
    fake_gitlab.add_note(note(["prod"], 480))  # another environment set: not ours
    own = fake_gitlab.add_note(note(["dev", "prod"], 480, "old result"))

    body = note(["prod", "dev"], 500, "new result")
    result = upsert_note(_target(mr_env), body)

    assert result.outcome is Outcome.UPDATED
    assert result.note_id == own
    pages = [r.query.get("page", "1") for r in fake_gitlab.requests if r.path == NOTES_PATH]
    assert pages == ["1", "2", "3", "4"]
    (put,) = fake_gitlab.writes()
    assert (put.method, put.path, put.body) == ("PUT", f"{NOTES_PATH}/{own}", {"body": body})
    assert fake_gitlab.body_of(own) == body
    assert len(fake_gitlab.notes) == 7


def test_the_oldest_own_note_is_the_note_whatever_gitlabs_default_order(
    fake_gitlab: FakeGitLab, mr_env: dict
) -> None:
    """GitLab lists notes newest first unless asked; two own notes for one environment set (a race of
    two first posts) must always resolve to the same one."""
    first = fake_gitlab.add_note(note(["dev"], 480, "first"))
    fake_gitlab.add_note(note(["dev"], 481, "second"))

    result = upsert_note(_target(mr_env), note(["dev"], 500, "newest"))

    assert (result.outcome, result.note_id) == (Outcome.UPDATED, first)


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


def test_a_forged_marker_can_neither_suppress_nor_be_edited(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    """Anyone who can comment can paste tfoidc's marker with a huge pipeline id: tfoidc's note is still
    posted, the forged note is left as it is, and the forgery is reported."""
    forged = fake_gitlab.add_note(note(["dev"], 999_999_999, "all clear, merge me"), author=MALLORY_USER)

    result = upsert_note(_target(mr_env), note(["dev"], 500, "1 to destroy"))

    assert result.outcome is Outcome.CREATED and result.note_id != forged
    assert result.ignored == (forged,)
    assert "ignored 1 note(s)" in (result.ignored_line() or "")
    assert "all clear" in fake_gitlab.body_of(forged)
    assert "1 to destroy" in fake_gitlab.body_of(result.note_id or 0)
    assert all(w.path == NOTES_PATH for w in fake_gitlab.writes())  # never a PUT to the forged note

    again = upsert_note(_target(mr_env), note(["dev"], 501, "2 to destroy"))
    assert (again.outcome, again.note_id, again.ignored) == (Outcome.UPDATED, result.note_id, (forged,))


def test_a_forged_older_note_is_not_taken_for_tfoidcs(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    forged = fake_gitlab.add_note(note(["dev"], 1, "forged, older than the real one"), author=MALLORY_USER)
    own = fake_gitlab.add_note(note(["dev"], 480))

    result = upsert_note(_target(mr_env), note(["dev"], 500, "new"))

    assert (result.outcome, result.note_id) == (Outcome.UPDATED, own)
    assert fake_gitlab.body_of(forged).endswith("forged, older than the real one\n")


def test_a_section_replaces_its_earlier_self_in_tfoidcs_note(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    own = fake_gitlab.add_note(note(["dev", "prod"], 480))
    fake_gitlab.add_note(note(["prod"], 9), author=MALLORY_USER)

    first = post_section(_target(mr_env), "prod", "#### Changed since review\none")
    second = post_section(_target(mr_env), "prod", "#### Changed since review\ntwo")

    assert first.note_id == second.note_id == own and second.ignored
    body = fake_gitlab.body_of(own)
    assert body.startswith(note(["dev", "prod"], 480).rstrip("\n"))
    assert body.count("Changed since review") == 1 and body.rstrip().endswith(
        "two\n<!-- /tfoidc:section env=prod -->"
    )


def test_a_section_without_a_note_posts_one(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    result = post_section(_target(mr_env), "prod", "text")
    assert result.outcome is Outcome.CREATED
    assert fake_gitlab.body_of(result.note_id or 0).startswith(note_marker(["prod"], None))


# --- the token ------------------------------------------------------------------------------------


def test_outside_a_merge_request_pipeline_there_is_no_target() -> None:
    assert target_from_env({"CI_PIPELINE_ID": "5", "CI_JOB_TOKEN": "x"}) is None


def test_the_job_token_is_never_used_for_the_note(mr_env: dict) -> None:
    """GitLab refuses CI_JOB_TOKEN for notes: relying on it posts nothing and passes green."""
    env = {k: v for k, v in mr_env.items() if k != "TFOIDC_GITLAB_TOKEN"} | {"CI_JOB_TOKEN": "job-SENTINEL"}
    with pytest.raises(OperationalError, match="TFOIDC_GITLAB_TOKEN is not set") as caught:
        target_from_env(env)
    assert caught.value.exit_code == 1 and "SENTINEL" not in caught.value.one_line()


def test_a_refused_token_is_one_line_and_not_retried(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    with pytest.raises(OperationalError) as caught:
        upsert_note(_target(mr_env | {"TFOIDC_GITLAB_TOKEN": "glpat-revoked"}), note(["dev"], 1))
    assert "GitLab refused TFOIDC_GITLAB_TOKEN (HTTP 401)" in caught.value.one_line()
    assert len(fake_gitlab.requests) == 1

    fake_gitlab.failures = [Failure("POST", 403)]
    with pytest.raises(OperationalError, match="HTTP 403"):
        upsert_note(_target(mr_env), note(["dev"], 1))


def test_a_bad_merge_request_iid_is_an_input_error(mr_env: dict) -> None:
    with pytest.raises(InputError, match="not a number"):
        target_from_env(mr_env | {"CI_MERGE_REQUEST_IID": "7; rm"})


# --- GitLab's faults ------------------------------------------------------------------------------


def test_server_errors_are_retried_with_backoff(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    fake_gitlab.failures = [Failure("GET", 500), Failure("POST", 502), Failure("POST", 503)]

    result = upsert_note(_target(mr_env), note(["dev"], 1))

    assert result.outcome is Outcome.CREATED
    assert [r.method for r in fake_gitlab.requests] == ["GET", "GET", "GET", "POST", "POST", "POST"]
    assert len(fake_gitlab.notes) == 1  # retried, never duplicated


def test_429_waits_for_retry_after(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    fake_gitlab.failures = [Failure("POST", 429, {"Retry-After": "1"})]

    upsert_note(_target(mr_env), note(["dev"], 1))

    first, second = [r for r in fake_gitlab.requests if r.method == "POST"]
    assert second.at - first.at >= 1.0
    assert len(fake_gitlab.notes) == 1


def test_a_hanging_request_times_out_and_is_retried(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    fake_gitlab.failures = [Failure("GET", hang=2.0, path="/notes")]

    result = upsert_note(_target(mr_env), note(["dev"], 1), timeout=0.5)

    assert result.outcome is Outcome.CREATED
    assert [r.path.rsplit("/", 1)[1] for r in fake_gitlab.requests] == ["user", "notes", "notes", "notes"]


def test_an_answer_cut_short_is_retried(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    """The connection closes before the announced length: a transient error, like a timeout."""
    fake_gitlab.failures = [
        Failure("GET", raw=b'[{"id": 1, "bo', headers={"Content-Length": "500"}, path="/notes")
    ]

    result = upsert_note(_target(mr_env), note(["dev"], 1))

    assert result.outcome is Outcome.CREATED
    assert len([r for r in fake_gitlab.requests if r.path == NOTES_PATH and r.method == "GET"]) == 2


@pytest.mark.parametrize("path", ["/user", "/notes"])
def test_truncated_json_is_one_line(fake_gitlab: FakeGitLab, mr_env: dict, path: str) -> None:
    fake_gitlab.failures = [Failure("GET", raw=b'[{"id": 1, "body": "<!-- tfoidc:en', path=path)]

    with pytest.raises(OperationalError) as caught:
        upsert_note(_target(mr_env), note(["dev"], 1))

    assert caught.value.one_line() == (
        "cannot post the merge request note: GitLab sent an answer that is not valid JSON"
    )
    assert fake_gitlab.writes() == []


def test_persistent_failure_is_one_operational_error_without_the_token(
    fake_gitlab: FakeGitLab, mr_env: dict
) -> None:
    fake_gitlab.failures = [Failure("GET", 500) for _ in range(3)]

    with pytest.raises(OperationalError) as caught:
        upsert_note(_target(mr_env), note(["dev"], 1), max_retries=2)

    assert "HTTP 500" in caught.value.one_line()
    assert "SENTINEL" not in caught.value.one_line()
    assert len(fake_gitlab.requests) == 3


def test_unreachable_gitlab_is_one_line(mr_env: dict) -> None:
    env = mr_env | {"CI_API_V4_URL": "http://127.0.0.1:9/api/v4"}
    with pytest.raises(OperationalError) as caught:
        upsert_note(_target(env), note(["dev"], 1), max_retries=1, timeout=0.5)
    assert "unreachable (ConnectionError)" in caught.value.one_line()


def test_notes_of_another_merge_request_stay_apart(fake_gitlab: FakeGitLab, mr_env: dict) -> None:
    other = fake_gitlab.add_note(note(["dev"], 1), mr=MR_IID + 1)
    result = upsert_note(_target(mr_env), note(["dev"], 2))
    assert result.outcome is Outcome.CREATED and result.note_id != other
