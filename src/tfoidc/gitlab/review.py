"""Fetching the plan a reviewer saw: the tfoidc.json of the merge request's latest pipeline, from the
artifacts of the plan job of the same name, through GitLab's documented endpoints:

1. `GET /projects/:id/repository/commits/:sha/merge_requests`: the merge request the commit came from;
2. `GET /projects/:id/merge_requests/:iid/pipelines`: its pipelines, the latest first;
3. `GET /projects/:id/pipelines/:pipeline_id/jobs`: that pipeline's job of the plan's name;
4. `GET /projects/:id/jobs/:job_id/artifacts/*artifact_path`: the one file from its artifacts.

Returns what it found; deciding what that means is the caller's. Renders nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import gitlab.exceptions

from tfoidc.errors import OperationalError
from tfoidc.gitlab.client import GitLabAccess, connect, gitlab_errors

MAX_ANALYSIS_BYTES = 256 * 1024 * 1024  # a 50,000-resource analysis is ~100 MB


@dataclass(frozen=True)
class ReviewedPlan:
    merge_request_iid: int | None  # None: no merge request brought this commit
    pipeline_id: int | None = None
    job_id: int | None = None
    document: bytes | None = None  # the reviewed tfoidc.json
    problem: str | None = None  # why there is no document


def fetch_reviewed_plan(
    access: GitLabAccess,
    *,
    commit_sha: str,
    job_name: str,
    artifact_path: str,
    timeout: float = 30.0,
    max_retries: int = 5,
    max_bytes: int = MAX_ANALYSIS_BYTES,
) -> ReviewedPlan:
    client = connect(access, timeout=timeout)
    project = f"/projects/{quote(access.project_id, safe='')}"
    retry: dict[str, Any] = {"max_retries": max_retries}
    with gitlab_errors(access, "fetch the plan reviewed on the merge request"):
        merge_requests = _list(
            client, f"{project}/repository/commits/{quote(commit_sha, safe='')}/merge_requests", retry
        )
        iid = _merge_request_of(merge_requests)
        if iid is None:
            return ReviewedPlan(None, problem=f"no merge request brought commit {commit_sha[:12]}")
        pipelines = _list(client, f"{project}/merge_requests/{iid}/pipelines", retry)
        ids = [p["id"] for p in pipelines if isinstance(p, dict) and isinstance(p.get("id"), int)]
        if not ids:
            return ReviewedPlan(iid, problem=f"merge request !{iid} has no pipeline")
        pipeline_id = max(ids)  # the latest: what the note showed last
        jobs = _list(client, f"{project}/pipelines/{pipeline_id}/jobs", retry)
        named = [
            j
            for j in jobs
            if isinstance(j, dict) and j.get("name") == job_name and isinstance(j.get("id"), int)
        ]
        if not named:
            return ReviewedPlan(iid, pipeline_id, problem=f"pipeline {pipeline_id} has no job {job_name!r}")
        job = max(named, key=lambda j: j["id"])
        document = _artifact(
            client, f"{project}/jobs/{job['id']}/artifacts/{quote(artifact_path)}", retry, max_bytes
        )
        if document is None:
            status = job.get("status") if isinstance(job.get("status"), str) else "unknown"
            return ReviewedPlan(
                iid, pipeline_id, job["id"],
                problem=f"job {job_name!r} ({status}) of pipeline {pipeline_id} has no {artifact_path}",
            )  # fmt: skip
        return ReviewedPlan(iid, pipeline_id, job["id"], document)


def _list(client: Any, path: str, retry: dict[str, Any]) -> list[Any]:
    items = client.http_list(path, get_all=True, per_page=100, **retry)
    return list(items)


def _merge_request_of(merge_requests: list[Any]) -> int | None:
    """The merged merge request when there is one (a commit can be in several), else the latest."""
    usable = [m for m in merge_requests if isinstance(m, dict) and isinstance(m.get("iid"), int)]
    merged = [m for m in usable if m.get("state") == "merged"]
    chosen = merged or usable
    return max(m["iid"] for m in chosen) if chosen else None


def _artifact(client: Any, path: str, retry: dict[str, Any], max_bytes: int) -> bytes | None:
    try:
        response = client.http_get(path, streamed=True, raw=True, **retry)
    except gitlab.exceptions.GitlabHttpError as exc:
        if exc.response_code == 404:
            return None
        raise
    chunks: list[bytes] = []
    size = 0
    with response:
        for chunk in response.iter_content(chunk_size=1 << 16):
            size += len(chunk)
            if size > max_bytes:
                raise OperationalError(f"the reviewed analysis is larger than {max_bytes:,} bytes")
            chunks.append(chunk)
    return b"".join(chunks)
