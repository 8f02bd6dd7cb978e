"""Post or update tfoidc's one merge request note through python-gitlab.

The note is found again by the hidden marker at its top (`tfoidc.gitlab.marker`):
same environment set = same note. An update is skipped when the body is identical, and refused when
the note already holds a newer pipeline's result. python-gitlab retries 429 (honouring Retry-After),
5xx and timeouts with exponential backoff.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

import gitlab.exceptions
import requests

import gitlab
from tfoidc.errors import InputError, OperationalError
from tfoidc.gitlab.marker import NoteMarker, parse_note_marker

API_SUFFIX = "/api/v4"


@dataclass(frozen=True)
class MergeRequestTarget:
    """Where the note goes and how to authenticate; `repr` never shows the token."""

    api_url: str  # CI_API_V4_URL, e.g. https://gitlab.example.com/api/v4
    project_id: str
    merge_request_iid: int
    token: str
    token_kind: Literal["private", "job"]

    def __repr__(self) -> str:
        return (
            f"MergeRequestTarget(api_url={self.api_url!r}, project_id={self.project_id!r}, "
            f"merge_request_iid={self.merge_request_iid}, token_kind={self.token_kind!r})"
        )


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    STALE = "stale"  # the note already shows a newer pipeline: left alone


@dataclass(frozen=True, slots=True)
class UpsertResult:
    outcome: Outcome
    note_id: int | None
    message: str


def target_from_env(environ: Mapping[str, str]) -> MergeRequestTarget | None:
    """The merge request of this CI job, or None outside a merge request pipeline."""
    iid = environ.get("CI_MERGE_REQUEST_IID", "").strip()
    if not iid:
        return None
    api_url = environ.get("CI_API_V4_URL", "").strip()
    project_id = environ.get("CI_PROJECT_ID", "").strip()
    missing = [
        name for name, value in (("CI_API_V4_URL", api_url), ("CI_PROJECT_ID", project_id)) if not value
    ]
    if missing:
        raise InputError(
            f"merge request pipeline without {', '.join(missing)}: cannot find the merge request"
        )
    if not iid.isdigit():
        raise InputError(f"CI_MERGE_REQUEST_IID is not a number: {iid!r}")
    private = environ.get("TFOIDC_GITLAB_TOKEN", "").strip()
    job = environ.get("CI_JOB_TOKEN", "").strip()
    if not private and not job:
        raise InputError(
            "no GitLab token to post the note: neither TFOIDC_GITLAB_TOKEN nor CI_JOB_TOKEN is set",
            hint="set TFOIDC_GITLAB_TOKEN to a project access token with the api scope",
        )
    return MergeRequestTarget(
        api_url=api_url,
        project_id=project_id,
        merge_request_iid=int(iid),
        token=private or job,
        token_kind="private" if private else "job",
    )


def upsert_note(
    target: MergeRequestTarget, body: str, *, timeout: float = 10.0, max_retries: int = 5
) -> UpsertResult:
    """Create tfoidc's note, or update it in place; raises OperationalError when GitLab fails."""
    own = parse_note_marker(body)
    if own is None:
        raise InputError("the note has no tfoidc marker, so it could never be found again to update")
    client = _client(target, timeout)
    retry: dict[str, Any] = {"max_retries": max_retries}
    try:
        mr = client.projects.get(target.project_id, lazy=True).mergerequests.get(
            target.merge_request_iid, lazy=True
        )
        existing = _find_own_note(mr.notes.list(iterator=True, per_page=100, **retry), own)
        if existing is None:
            note = mr.notes.create({"body": body}, **retry)
            return UpsertResult(Outcome.CREATED, note.get_id(), f"posted note {note.get_id()}")  # type: ignore[arg-type]
        note_id, old_body, old = existing
        if old.pipeline_id is not None and own.pipeline_id is not None and old.pipeline_id > own.pipeline_id:
            return UpsertResult(
                Outcome.STALE,
                note_id,
                f"note {note_id} already shows pipeline {old.pipeline_id}, "
                f"newer than {own.pipeline_id}: left alone",
            )
        if old_body == body:
            return UpsertResult(Outcome.UNCHANGED, note_id, f"note {note_id} is already up to date")
        mr.notes.update(note_id, {"body": body}, **retry)
        return UpsertResult(Outcome.UPDATED, note_id, f"updated note {note_id}")
    except gitlab.exceptions.GitlabError as exc:
        code = f"HTTP {exc.response_code}: " if exc.response_code else ""
        raise OperationalError(f"GitLab refused the merge request note ({code}{exc.error_message})") from None
    except requests.RequestException as exc:
        raise OperationalError(f"cannot reach GitLab at {target.api_url}: {type(exc).__name__}") from None


def _client(target: MergeRequestTarget, timeout: float) -> gitlab.Gitlab:
    url = target.api_url.rstrip("/")
    url = url.removesuffix(API_SUFFIX)
    private = target.token if target.token_kind == "private" else None
    job = target.token if target.token_kind == "job" else None
    return gitlab.Gitlab(
        url, private_token=private, job_token=job, timeout=timeout, retry_transient_errors=True
    )


def _find_own_note(notes: Any, own: NoteMarker) -> tuple[int, str, NoteMarker] | None:
    """The first note (oldest first, every page) whose marker names the same environments."""
    for note in notes:
        body = getattr(note, "body", "") or ""
        marker = parse_note_marker(body)
        if marker is not None and marker.environments == own.environments:
            return int(note.get_id()), body, marker
    return None
