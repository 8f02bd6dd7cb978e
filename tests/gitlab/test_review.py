"""Fetching the plan reviewed on a merge request, against the local GitLab's documented endpoints."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.gitlab.server import PROJECT_ID, TFOIDC_TOKEN, FakeGitLab, Job
from tfoidc.errors import OperationalError
from tfoidc.gitlab.client import GitLabAccess
from tfoidc.gitlab.review import ReviewedPlan, fetch_reviewed_plan

COMMIT = "ab" * 20
PATH = "tfoidc-out/prod/prod/tfoidc.json"


def archive(content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(PATH, content)
        z.writestr("tfoidc-out/prod/prod/report.md", "report")
    return buffer.getvalue()


def access(fake: FakeGitLab) -> GitLabAccess:
    return GitLabAccess(api_url=f"{fake.url}/api/v4", project_id=PROJECT_ID, token=TFOIDC_TOKEN)


def fetch(fake: FakeGitLab, max_bytes: int = 1 << 20) -> ReviewedPlan:
    return fetch_reviewed_plan(
        access(fake), commit_sha=COMMIT, job_name="plan:prod", artifact_path=PATH, max_bytes=max_bytes
    )


def test_the_latest_pipeline_and_the_latest_job_of_the_name_across_pages(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.max_per_page = 2
    fake_gitlab.commit_merge_requests[COMMIT] = [3, 7]  # an old merge request that also holds the commit
    fake_gitlab.add_pipeline(7, 700, "x", [Job(7000, "plan:prod", artifacts=archive(b"old"))])
    jobs = [Job(8000 + i, f"lint:{i}") for i in range(5)] + [
        Job(8101, "plan:prod", "failed", archive(b"failed attempt")),
        Job(8102, "plan:prod", artifacts=archive(b"retried")),
    ]
    fake_gitlab.add_pipeline(7, 800, "y", jobs)
    fake_gitlab.add_pipeline(3, 900, "z", [Job(9000, "plan:prod", artifacts=archive(b"other MR"))])

    found = fetch(fake_gitlab)

    assert (found.merge_request_iid, found.pipeline_id, found.job_id, found.document) == (
        7,
        800,
        8102,
        b"retried",
    )
    pages = [r.query.get("page", "1") for r in fake_gitlab.requests if r.path.endswith("/pipelines/800/jobs")]
    assert pages == ["1", "2", "3", "4"]


def test_a_merged_merge_request_wins_over_a_later_open_one(fake_gitlab: FakeGitLab) -> None:
    """A commit can be in several merge requests; the one that was merged brought it to the branch."""
    fake_gitlab.commit_merge_requests[COMMIT] = [3, 9]
    fake_gitlab.merge_request_states[9] = "opened"
    fake_gitlab.add_pipeline(3, 300, "y", [Job(3001, "plan:prod", artifacts=archive(b"merged"))])
    fake_gitlab.add_pipeline(9, 900, "y", [Job(9001, "plan:prod", artifacts=archive(b"open"))])
    assert (fetch(fake_gitlab).merge_request_iid, fetch(fake_gitlab).document) == (3, b"merged")


def test_what_is_missing_is_said(fake_gitlab: FakeGitLab) -> None:
    assert fetch(fake_gitlab).problem == f"no merge request brought commit {COMMIT[:12]}"
    fake_gitlab.commit_merge_requests[COMMIT] = [7]
    fake_gitlab.mr_notes[7] = []
    assert fetch(fake_gitlab).problem == "merge request !7 has no pipeline"
    fake_gitlab.add_pipeline(7, 800, "y", [Job(8001, "plan:dev", artifacts=archive(b"{}"))])
    assert fetch(fake_gitlab).problem == "pipeline 800 has no job 'plan:prod'"


def test_an_oversized_reviewed_analysis_is_refused_without_reading_it_all(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.commit_merge_requests[COMMIT] = [7]
    fake_gitlab.add_pipeline(7, 800, "y", [Job(8001, "plan:prod", artifacts=archive(b"x" * 300_000))])
    with pytest.raises(OperationalError, match="larger than 100,000 bytes"):
        fetch(fake_gitlab, max_bytes=100_000)
